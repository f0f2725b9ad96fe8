package io.replicator.target.journal.internal;

import io.replicator.target.journal.JournalConfig;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.NavigableMap;
import java.util.TreeMap;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/**
 * How a journal directory is laid out in Chronicle Queue's files: one {@code .cq4} file per cycle
 * of {@link #ROLL_CYCLE} (five minutes, named by its UTC start, e.g. {@code 20261207-0940V.cq4}),
 * Chronicle's own {@code metadata.cq4t}, and this package's {@code journal.lock}. Builds the queue
 * with the journal's settings. Stateless; thread-safe.
 */
public final class Queues {
    /** Five-minute cycles: retention and the repair of a damaged tail work on at most five minutes of data. */
    public static final RollCycle ROLL_CYCLE = RollCycles.FIVE_MINUTELY;
    public static final String SUFFIX = ".cq4";
    public static final String LOCK_FILE = "journal.lock";
    public static final String METADATA_FILE = "metadata.cq4t";
    private static final DateTimeFormatter NAMES = DateTimeFormatter.ofPattern(ROLL_CYCLE.format())
            .withZone(ZoneOffset.UTC);

    static {
        // Chronicle's start-up banner and usage reporting: neither belongs in a receiver (the
        // analytics artifact is excluded from the build as well); its disk space monitor thread
        // neither: the journal's SpaceGuard refuses appends before the disk is full.
        for (String property : new String[] {"chronicle.announcer.disable", "chronicle.analytics.disable",
                "chronicle.disk.monitor.disable"}) {
            if (System.getProperty(property) == null) {
                System.setProperty(property, "true");
            }
        }
    }

    private Queues() {
    }

    public static SingleChronicleQueue open(Path dir, JournalConfig config) {
        return SingleChronicleQueueBuilder.binary(dir).rollCycle(ROLL_CYCLE).blockSize(config.blockSizeBytes())
                .timeProvider(config.clockMs()::getAsLong).build();
    }

    /** The queue in {@code dir} for reading only (its writer may be another queue, or none). */
    public static SingleChronicleQueue openReadOnly(Path dir, JournalConfig config) {
        return SingleChronicleQueueBuilder.binary(dir).rollCycle(ROLL_CYCLE).blockSize(config.blockSizeBytes())
                .timeProvider(config.clockMs()::getAsLong).readOnly(true).build();
    }

    /** The file of {@code cycle} in {@code dir}. */
    public static Path file(Path dir, int cycle) {
        return dir.resolve(NAMES.format(Instant.ofEpochMilli(startMs(cycle))) + SUFFIX);
    }

    /** The UTC millisecond at which {@code cycle} starts. */
    public static long startMs(int cycle) {
        return (long) cycle * ROLL_CYCLE.lengthInMillis();
    }

    /** The cycle files of {@code dir}, oldest first; names that are not cycles are left alone. */
    public static NavigableMap<Integer, Path> cycles(Path dir) throws IOException {
        NavigableMap<Integer, Path> cycles = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                try {
                    var parsed = NAMES.parse(name.substring(0, name.length() - SUFFIX.length()));
                    long ms = parsed.getLong(ChronoField.INSTANT_SECONDS) * 1000;
                    cycles.put((int) (ms / ROLL_CYCLE.lengthInMillis()), file);
                } catch (DateTimeParseException e) {
                    // Not a cycle file of this roll cycle.
                }
            }
        }
        return cycles;
    }
}
