package io.replicator.source.cutover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The note a daemon leaves under its run directory ({@code /run/replicator} by default, a tmpfs
 * that a reboot empties, as it does every freeze) before it freezes anything: which mount points a
 * {@link FreezeGuard} is about to freeze. The guard removes it once all are thawed. A daemon that
 * starts and finds its record ({@link #thawLeftovers}) thaws them: its predecessor and that one's
 * guard were killed during a freeze. One record per state directory, so two daemons on one machine
 * never thaw each other's freeze.
 *
 * <p>Format: UTF-8 text, one line per field: {@code replicator-freeze 1}, {@code daemon PID},
 * {@code deadline-ms N}, then {@code mount PATH} per mount point. Not thread-safe: owned by the
 * sync agent's thread, and by the guard's reader for {@link #delete}.
 */
public final class FreezeRecord {
    private static final Logger LOG = LoggerFactory.getLogger(FreezeRecord.class);
    static final String MAGIC = "replicator-freeze 1";
    private static final long THAW_TIMEOUT_SECONDS = 30;
    private final Path file;

    private FreezeRecord(Path file) {
        this.file = file;
    }

    /** The record of the daemon whose state lives in {@code stateDir}, kept in {@code runDir}. */
    public static FreezeRecord of(Path runDir, Path stateDir) {
        return new FreezeRecord(runDir.resolve("freeze-" + key(stateDir) + ".txt"));
    }

    public Path file() {
        return file;
    }

    /** Writes the record (replacing any) before a freeze; a failure means: do not freeze. */
    void write(List<Path> mounts, long deadlineMs) throws IOException {
        StringBuilder b = new StringBuilder(MAGIC).append('\n')
                .append("daemon ").append(ProcessHandle.current().pid()).append('\n')
                .append("deadline-ms ").append(deadlineMs).append('\n');
        for (Path m : mounts) {
            b.append("mount ").append(m).append('\n');
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, b, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IOException("cannot write the freeze record " + file + " (" + e.getMessage()
                    + "); nothing was frozen", e);
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not remove the freeze record {}: {}", file, e.getMessage());
        }
    }

    /** The mount points the record names, or an empty list when there is no record. */
    List<Path> mounts() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        if (lines.isEmpty() || !MAGIC.equals(lines.get(0))) {
            throw new IOException("the freeze record " + file + " does not start with '" + MAGIC + "'");
        }
        List<Path> mounts = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("mount ")) {
                mounts.add(Path.of(line.substring("mount ".length())));
            }
        }
        return mounts;
    }

    /**
     * Thaws whatever a previous daemon of this state directory left frozen (its record is still
     * there), then removes the record. A mount point that is not frozen is left as it is. Returns
     * the mount points it thawed.
     */
    public List<Path> thawLeftovers() {
        List<Path> mounts;
        try {
            mounts = mounts();
        } catch (IOException e) {
            LOG.error("{}; remove it once you have checked that nothing it names is frozen", e.getMessage());
            return List.of();
        }
        List<Path> thawedNow = new ArrayList<>();
        for (int i = mounts.size() - 1; i >= 0; i--) {
            Path m = mounts.get(i);
            try {
                FreezeGuard.unfreeze(m, THAW_TIMEOUT_SECONDS);
                thawedNow.add(m);
                LOG.warn("thawed {}: the previous daemon stopped during a freeze and nothing had thawed it", m);
            } catch (IOException e) {
                // EINVAL: it was not frozen (the guard thawed it); anything else is in the log
                if (!e.getMessage().contains("Invalid argument")) {
                    LOG.warn("freeze record {}: {}", file, e.getMessage());
                }
            }
        }
        if (!mounts.isEmpty()) {
            LOG.info("freeze record {} of the previous daemon handled: {} of {} mount points were still frozen",
                    file, thawedNow.size(), mounts.size());
        }
        delete();
        return thawedNow;
    }

    private static String key(Path stateDir) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(
                    stateDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
