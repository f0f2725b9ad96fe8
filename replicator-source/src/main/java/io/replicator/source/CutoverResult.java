package io.replicator.source;

import java.util.List;

/**
 * The answer to {@code ./replicator cutover}: {@code result} is {@code ok} only when every volume
 * is durable on the target and verified equal to the source. {@code downtimeMs} runs from the
 * freeze (or the start of the drain) to the verified acknowledgement; {@code finalSyncBytes} is
 * the payload sent in that window. On failure {@code reason} says what happened and what to do.
 */
public record CutoverResult(String result, String reason, long downtimeMs, long finalSyncBytes, boolean verified,
                            long drainMs, long barrierMs, long verifyMs, List<Volume> volumes) {
    public record Volume(String name, long sizeBytes, String checksumSource, String checksumTarget) {
    }

    public boolean ok() {
        return "ok".equals(result);
    }
}
