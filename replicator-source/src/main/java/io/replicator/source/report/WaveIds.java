package io.replicator.source.report;

import io.replicator.protocol.guard.PeerText;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * Wave ids: {@code wave-YYYYMMDDTHHMMSSZ-xxxx}, the UTC second the wave started and four random
 * hex digits, so that ids sort by time, two waves started in the same second differ, and an id is
 * safe as a file name ({@code DATA/reports/ID.json} on the receiver).
 */
public final class WaveIds {
    /** What a wave id looks like; anything else is refused where an id arrives from outside. */
    public static final Pattern PATTERN = Pattern.compile("wave-\\d{8}T\\d{6}Z-[0-9a-f]{4}");
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private WaveIds() {
    }

    /** A new id for a wave started at {@code startedUtc}. */
    public static String next(Instant startedUtc, RandomGenerator random) {
        return "wave-" + SECOND.format(startedUtc) + "-" + String.format("%04x", random.nextInt(0x10000));
    }

    /**
     * {@code id}, checked.
     *
     * @throws IllegalArgumentException naming the id and the form expected
     */
    public static String check(String id) {
        if (id == null || !PATTERN.matcher(id).matches()) {
            String shown = id == null ? "none" : "'" + PeerText.escape(id, 80) + "'";
            throw new IllegalArgumentException("invalid wave id: " + shown
                    + " (expected: wave-YYYYMMDDTHHMMSSZ-xxxx, e.g. wave-20261207T093712Z-3f2a)");
        }
        return id;
    }
}
