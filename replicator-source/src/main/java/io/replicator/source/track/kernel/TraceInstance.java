package io.replicator.source.track.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private tracefs instance ({@code instances/replicator-NAME-PID-N}) with its own ring buffer,
 * the block completion events enabled and filtered to some devices, writes and discards only.
 * Removed by {@link #close}; an instance left by a killed daemon is removed by
 * {@link #removeStale} at the next start. Thread-safe: each method is one or a few writes or
 * reads of tracefs files.
 */
public final class TraceInstance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TraceInstance.class);
    static final String PREFIX = "replicator-";
    private static final Pattern OURS = Pattern.compile("^replicator-.*-(\\d+)-(\\d+)$");
    private static final String[] EVENTS = {"block_rq_complete", "block_bio_complete"};
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Path dir;

    private TraceInstance(Path dir) {
        this.dir = dir;
    }

    /** Creates the instance with a buffer of {@code bufferSizeKb} per CPU, events not yet enabled. */
    public static TraceInstance create(String name, int bufferSizeKb) throws IOException {
        String safe = name.replaceAll("[^A-Za-z0-9_.]", "_");
        Path dir = TraceFs.ROOT.resolve("instances").resolve(PREFIX + safe + "-" + ProcessHandle.current().pid()
                + "-" + SEQUENCE.incrementAndGet());
        Files.createDirectory(dir);
        TraceInstance instance = new TraceInstance(dir);
        try {
            instance.write("buffer_size_kb", Integer.toString(bufferSizeKb));
            return instance;
        } catch (IOException e) {
            instance.close();
            throw e;
        }
    }

    /** Enables both completion events for writes and discards of at least one sector on {@code devs}. */
    public void enableBlockEvents(List<Long> devs) throws IOException {
        String devFilter = devs.stream().distinct().map(d -> "dev == " + d).collect(Collectors.joining(" || "));
        String filter = "(" + devFilter + ") && nr_sector > 0 && (rwbs ~ \"*W*\" || rwbs ~ \"*D*\")";
        for (String event : EVENTS) {
            write("events/block/" + event + "/filter", filter);
            write("events/block/" + event + "/enable", "1");
        }
    }

    public Path tracePipe() {
        return dir.resolve("trace_pipe");
    }

    public Path dir() {
        return dir;
    }

    /** Puts {@code text} into the ring buffer, behind every event recorded before. */
    public void mark(String text) throws IOException {
        write("trace_marker", text);
    }

    /** Events the kernel could not keep (overrun and dropped), summed over every CPU's buffer. */
    public long lostEvents() throws IOException {
        long lost = 0;
        try (DirectoryStream<Path> cpus = Files.newDirectoryStream(dir.resolve("per_cpu"), "cpu*")) {
            for (Path cpu : cpus) {
                for (String line : Files.readAllLines(cpu.resolve("stats"))) {
                    if (line.startsWith("overrun:") || line.startsWith("dropped events:")) {
                        lost += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            }
        }
        return lost;
    }

    private void write(String file, String value) throws IOException {
        try {
            Files.writeString(dir.resolve(file), value, StandardCharsets.US_ASCII, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new IOException("cannot write '" + value + "' to " + dir.resolve(file) + ": " + e.getMessage(), e);
        }
    }

    /** Disables the events and removes the instance. */
    @Override
    public void close() {
        remove(dir);
    }

    private static boolean remove(Path dir) {
        try {
            Files.writeString(dir.resolve("events/enable"), "0", StandardOpenOption.WRITE);
        } catch (IOException e) {
            LOG.debug("disabling the events of {}: {}", dir, e.getMessage());
        }
        try {
            Files.deleteIfExists(dir);
            return true;
        } catch (IOException e) {
            LOG.warn("cannot remove the tracing instance {}: {}; remove it with rmdir", dir, e.getMessage());
            return false;
        }
    }

    /** Removes every instance of ours whose process is gone (a daemon killed with -9); returns their names. */
    public static List<String> removeStale() throws IOException {
        List<String> removed = new ArrayList<>();
        Path instances = TraceFs.ROOT.resolve("instances");
        try (DirectoryStream<Path> all = Files.newDirectoryStream(instances, PREFIX + "*")) {
            for (Path dir : all) {
                Matcher m = OURS.matcher(dir.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty() && remove(dir)) {
                    LOG.info("removed the tracing instance {} left by a daemon that is gone", dir);
                    removed.add(dir.getFileName().toString());
                }
            }
        }
        return removed;
    }
}
