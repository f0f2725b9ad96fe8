package io.replicator.source.sync;

import io.replicator.protocol.wire.CutoverReportAck;
import io.replicator.source.CommitResult;
import io.replicator.source.CutoverReportRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A cutover's seal on the receiver: the report handed over with the SEAL flag, the request's id,
 * when it was sent, and the commit that waits for the answer (null for a one-shot cutover). Agent's
 * thread only.
 */
final class SealStep {
    /** The receiver must confirm the report and the seal within this (and within the cutover's deadline). */
    static final long SEAL_TIMEOUT_MS = 30_000;

    final CutoverReportRequest request;
    /** The commit's answer, or null. */
    final CompletableFuture<CommitResult> answer;
    private final long requestId;
    private final long sentNs;

    private SealStep(CutoverReportRequest request, CompletableFuture<CommitResult> answer, long requestId, long sentNs) {
        this.request = request;
        this.answer = answer;
        this.requestId = requestId;
        this.sentNs = sentNs;
    }

    /** Why the receiver cannot be asked to seal now, or null. */
    static String cannotSeal(JobPort port) {
        if (!port.connected()) {
            return "not connected to the receiver " + port.hostPort() + " to seal"
                    + (port.lastError() == null ? "" : " (" + port.lastError() + ")");
        }
        if (!port.sealSupported()) {
            return "the receiver " + port.hostPort() + " cannot keep a report and seal (a version without the "
                    + "CUTOVER_SEAL feature)";
        }
        return null;
    }

    /** Sends {@code request}'s report with the seal behind every frame sent so far. */
    static SealStep send(JobPort port, CutoverReportRequest request, CompletableFuture<CommitResult> answer) {
        long sentNs = System.nanoTime();
        return new SealStep(request, answer, port.sendReport(true, request.reportId(), request.json(),
                request.markdown()), sentNs);
    }

    /** Whether {@code ack} answers this seal. */
    boolean answeredBy(CutoverReportAck ack) {
        return ack.requestId() == requestId;
    }

    /** Whether the receiver has not answered within {@link #SEAL_TIMEOUT_MS}. */
    boolean overdue(long nowNs) {
        return nowNs - sentNs > TimeUnit.MILLISECONDS.toNanos(SEAL_TIMEOUT_MS);
    }
}
