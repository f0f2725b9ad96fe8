package io.replicator.target.cutover;

import java.util.List;

/**
 * The seal of one source id: when it was sealed ({@code sealedUtc}, ISO-8601 UTC), by which cutover
 * report, and the volumes that then held its copy. Immutable.
 */
public record Seal(String sourceId, String sealedUtc, String reportId, List<Volume> volumes) {
    public Seal {
        volumes = List.copyOf(volumes);
    }

    /** One sealed volume: its name, the image file or device it is written onto here, its size. */
    public record Volume(String name, String path, long sizeBytes) {
    }

    /**
     * The refusal a sealed source gets for its {@code Hello}, blocks, barriers and hash requests
     * ({@code CUT_OVER}): when, by which report, and how an administrator lifts the seal.
     */
    public String refusal() {
        return String.format("source %s was cut over at %s (report %s): this receiver takes nothing more for its "
                + "volumes; replicator release --admin RECEIVER --source %s lifts the seal", sourceId, sealedUtc,
                reportId, sourceId);
    }
}
