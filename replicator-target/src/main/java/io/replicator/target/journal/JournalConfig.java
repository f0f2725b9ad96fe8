package io.replicator.target.journal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How the receiver keeps its journals: {@code dir} ({@code --journal-dir}) holds one directory per
 * source id; {@code retain} ({@code --retain}) is how much history to keep; {@code maxBytes}
 * ({@code --journal-max-bytes}) caps each source's journal; appends are refused once the file system
 * has less than {@code reserveBytes} free (Chronicle Queue writes through a memory map, and a write
 * into a full file system through a map cannot fail cleanly, so the journal stops well before);
 * {@code blockSizeBytes} is the size of the chunks Chronicle Queue maps; {@code clockMs} gives UTC
 * milliseconds (injected by tests). Immutable.
 */
public record JournalConfig(Path dir, Duration retain, long maxBytes, long reserveBytes, long blockSizeBytes,
                            LongSupplier clockMs) {
    public static final Duration DEFAULT_RETAIN = Duration.ofHours(24);
    public static final long DEFAULT_RESERVE_BYTES = 64L << 20;
    public static final long DEFAULT_BLOCK_SIZE_BYTES = 64L << 20;

    public JournalConfig {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(retain, "retain");
        Objects.requireNonNull(clockMs, "clockMs");
        if (retain.isNegative()) {
            throw new IllegalArgumentException("invalid retain: " + retain + " (expected: 0 or more)");
        }
        if (maxBytes <= 0 || reserveBytes < 0 || blockSizeBytes < 4096) {
            throw new IllegalArgumentException(String.format("invalid journal sizes: maxBytes %d (expected: more "
                    + "than 0), reserveBytes %d (expected: 0 or more), blockSizeBytes %d (expected: 4096 or more)",
                    maxBytes, reserveBytes, blockSizeBytes));
        }
    }

    /** Defaults: 24 hours, no size cap, 64 MiB kept free, the wall clock. */
    public static JournalConfig of(Path dir) {
        return new JournalConfig(dir, DEFAULT_RETAIN, Long.MAX_VALUE, DEFAULT_RESERVE_BYTES, DEFAULT_BLOCK_SIZE_BYTES,
                System::currentTimeMillis);
    }

    public JournalConfig withRetain(Duration newRetain) {
        return new JournalConfig(dir, newRetain, maxBytes, reserveBytes, blockSizeBytes, clockMs);
    }

    public JournalConfig withMaxBytes(long newMaxBytes) {
        return new JournalConfig(dir, retain, newMaxBytes, reserveBytes, blockSizeBytes, clockMs);
    }

    public JournalConfig withReserveBytes(long newReserveBytes) {
        return new JournalConfig(dir, retain, maxBytes, newReserveBytes, blockSizeBytes, clockMs);
    }

    public JournalConfig withBlockSizeBytes(long newBlockSizeBytes) {
        return new JournalConfig(dir, retain, maxBytes, reserveBytes, newBlockSizeBytes, clockMs);
    }

    public JournalConfig withClockMs(LongSupplier newClockMs) {
        return new JournalConfig(dir, retain, maxBytes, reserveBytes, blockSizeBytes, newClockMs);
    }
}
