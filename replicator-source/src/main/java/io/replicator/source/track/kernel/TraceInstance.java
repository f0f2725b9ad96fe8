package io.replicator.source.track.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private trace buffer, {@code instances/replicator-NAME-PID} under tracefs, recording completed
 * writes and discards of chosen disks. Its own ring buffer and counters keep it apart from any
 * other tracing on the machine. After a {@code kill -9} the directory survives:
 * {@link #removeStale} removes those whose process is gone.
 *
 * <p>Thread-safe: every method writes or reads whole tracefs files; {@link #writeMarker} may be
 * called from any thread. Owned by a {@link KernelTracker}.
 */
public final class TraceInstance {
    private static final Logger LOG = LoggerFactory.getLogger(TraceInstance.class);
    public static final String PREFIX = "replicator-";
    private static final int MAX_NAME_CHARS = 40;

    private final Path dir;

    private TraceInstance(Path dir) {
        this.dir = dir;
    }

    /** Creates the instance for {@code name} and this process, with {@code bufferSizeKb} of ring buffer per CPU. */
    public static TraceInstance create(TraceFs fs, String name, int bufferSizeKb) throws IOException {
        if (bufferSizeKb <= 0) {
            throw new IllegalArgumentException("bufferSizeKb: " + bufferSizeKb + " (expected: > 0)");
        }
        Path dir = fs.instances().resolve(PREFIX + sanitize(name) + "-" + ProcessHandle.current().pid());
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new IOException("cannot create trace instance " + dir + ": " + e, e);
        }
        TraceInstance instance = new TraceInstance(dir);
        try {
            instance.write("buffer_size_kb", Integer.toString(bufferSizeKb));
            return instance;
        } catch (IOException | RuntimeException e) {
            instance.remove();
            throw e;
        }
    }

    /** Letters, digits, '.', '_' are kept, anything else becomes '_'; at most {@value #MAX_NAME_CHARS} characters. */
    static String sanitize(String name) {
        String clean = name.replaceAll("[^A-Za-z0-9._]", "_");
        return clean.isEmpty() ? "_" : clean.substring(0, Math.min(clean.length(), MAX_NAME_CHARS));
    }

    /**
     * Records {@code block_rq_complete} and {@code block_bio_complete} of the given devices
     * ({@link BlockDeviceInfo#kernelDev()}) when they changed data: rwbs with W (write), D
     * (discard) or N (write-zeroes and other non-read operations) and at least one sector.
     */
    public void enableBlockCompletions(Collection<Long> kernelDevs) throws IOException {
        String devs = kernelDevs.stream().distinct().map(d -> "dev == " + d).collect(Collectors.joining(" || "));
        String filter = "(" + devs + ") && nr_sector > 0 && (rwbs ~ \"*W*\" || rwbs ~ \"*D*\" || rwbs ~ \"*N*\")";
        for (String event : TraceFs.BLOCK_EVENTS) {
            write("events/block/" + event + "/filter", filter);
            write("events/block/" + event + "/enable", "1");
        }
        write("tracing_on", "1");
    }

    /** Events lost so far: overrun, commit overrun and dropped events summed over every CPU. */
    public long lostEvents() throws IOException {
        long lost = 0;
        try (DirectoryStream<Path> cpus = Files.newDirectoryStream(dir.resolve("per_cpu"), "cpu*")) {
            for (Path cpu : cpus) {
                for (String line : Files.readAllLines(cpu.resolve("stats"))) {
                    if (line.startsWith("overrun:") || line.startsWith("commit overrun:") || line.startsWith("dropped events:")) {
                        lost += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            }
        }
        return lost;
    }

    /** Puts {@code text} into this instance's buffer as a {@code tracing_mark_write} event. */
    public void writeMarker(String text) throws IOException {
        write("trace_marker", text);
    }

    /** Each CPU's {@code per_cpu/cpuN/trace_pipe_raw}, by CPU number. */
    public Map<Integer, Path> rawPipes() throws IOException {
        Map<Integer, Path> pipes = new TreeMap<>();
        try (DirectoryStream<Path> cpus = Files.newDirectoryStream(dir.resolve("per_cpu"), "cpu*")) {
            for (Path cpu : cpus) {
                String digits = cpu.getFileName().toString().substring(3);
                if (!digits.isEmpty() && digits.chars().allMatch(Character::isDigit)) {
                    pipes.put(Integer.parseInt(digits), cpu.resolve("trace_pipe_raw"));
                }
            }
        }
        if (pipes.isEmpty()) {
            throw new IOException(dir.resolve("per_cpu") + " has no cpuN directories");
        }
        return pipes;
    }

    public Path dir() {
        return dir;
    }

    /** Disables the events and removes the directory; a no-op when it is already gone. */
    public void remove() throws IOException {
        removeDir(dir);
    }

    /**
     * Removes every {@code PREFIX*-PID} instance whose process is gone, logging each; returns their
     * names. An instance whose pid is alive (this process, or another daemon) is left alone, and so
     * is one whose trace pipes are open (the kernel refuses to remove it): its events are not touched,
     * since removing an instance disables them by itself.
     */
    public static List<String> removeStale(TraceFs fs, String prefix) throws IOException {
        List<String> removed = new ArrayList<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(fs.instances(), prefix + "*")) {
            for (Path dir : all) {
                String name = dir.getFileName().toString();
                long pid = trailingPid(name);
                if (pid > 0 && ProcessHandle.of(pid).isEmpty()) {
                    try {
                        Files.delete(dir);
                        LOG.warn("removed trace instance {} left by process {}, which is gone", dir, pid);
                        removed.add(name);
                    } catch (NoSuchFileException e) {
                        LOG.debug("trace instance {} was removed meanwhile", dir);
                    } catch (FileSystemException e) {
                        LOG.warn("left trace instance {} alone: its pid {} is gone but it is in use ({})", dir, pid, e.getReason());
                    }
                }
            }
        }
        return removed;
    }

    static long trailingPid(String name) {
        int dash = name.lastIndexOf('-');
        String digits = name.substring(dash + 1);
        if (dash < 0 || digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(digits);
    }

    private static void removeDir(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.writeString(dir.resolve("events/enable"), "0", StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
            Files.delete(dir);
        } catch (NoSuchFileException e) {
            LOG.debug("trace instance {} was removed meanwhile", dir);
        }
    }

    private void write(String file, String value) throws IOException {
        try {
            Files.writeString(dir.resolve(file), value, StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException("cannot write '" + value + "' to " + dir.resolve(file) + ": " + e, e);
        }
    }
}
