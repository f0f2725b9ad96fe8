package io.replicator.source.track.kernel;

import io.replicator.source.sys.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * The CPUs of this machine and of this process, and pinning the calling thread to one of them
 * (with util-linux {@code taskset}: the JDK cannot set a thread's affinity itself). Stateless and
 * thread-safe; every call reads {@code /sys} or {@code /proc} afresh.
 */
final class Cpus {
    static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");
    private static final long TASKSET_TIMEOUT_SECONDS = 10;

    private Cpus() {
    }

    /**
     * Why the tracker's sync markers cannot be placed on every CPU, or null when they can: it needs
     * {@code taskset} and leave to run on every online CPU (a cpuset that excludes some would hide
     * their events from the barrier).
     */
    static String unavailableReason() {
        try {
            BitSet online = online();
            BitSet missing = (BitSet) online.clone();
            missing.andNot(allowed());
            if (!missing.isEmpty()) {
                return "this process may not run on CPUs " + missing + " of the online " + online
                        + " (Cpus_allowed_list): the tracker writes a sync marker on every online CPU";
            }
            String path = System.getenv("PATH");
            for (String dir : (path == null ? "/usr/bin:/bin" : path).split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "taskset"))) {
                    return null;
                }
            }
            return "taskset (util-linux) is not on the PATH: the tracker pins a marker thread to each CPU with it";
        } catch (IOException | RuntimeException e) {
            return "cannot read the CPUs of this machine: " + e.getMessage();
        }
    }

    /** The CPUs that are online now. */
    static BitSet online() throws IOException {
        return parseList(Files.readString(ONLINE).trim());
    }

    /** The CPUs this process may run on ({@code Cpus_allowed_list} of {@code /proc/self/status}). */
    static BitSet allowed() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return parseList(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        throw new IOException("no Cpus_allowed_list line in /proc/self/status");
    }

    /** Parses a kernel CPU list such as {@code 0-3,8,10-11}. */
    static BitSet parseList(String list) {
        BitSet cpus = new BitSet();
        if (list.isEmpty()) {
            return cpus;
        }
        for (String part : list.split(",")) {
            int dash = part.indexOf('-');
            try {
                if (dash < 0) {
                    cpus.set(Integer.parseInt(part.trim()));
                } else {
                    cpus.set(Integer.parseInt(part.substring(0, dash).trim()), Integer.parseInt(part.substring(dash + 1).trim()) + 1);
                }
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("not a CPU list: '" + list + "'", e);
            }
        }
        return cpus;
    }

    /** The CPU the calling thread runs on (field 39 of {@code /proc/thread-self/stat}). */
    static int current() throws IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Integer.parseInt(fields[39 - 3]);
    }

    /** Restricts the calling thread to {@code cpu}; once this returns it runs there. */
    static void pinCurrentThread(int cpu) throws IOException {
        String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
        String tid = self.substring(self.lastIndexOf('/') + 1);
        try {
            Command.run(TASKSET_TIMEOUT_SECONDS, "taskset", "-p", "-c", Integer.toString(cpu), tid);
        } catch (IOException e) {
            throw new IOException("cannot pin a thread to CPU " + cpu + ": " + e.getMessage(), e);
        }
        int now = current();
        if (now != cpu) {
            Thread.yield();
            now = current();
            if (now != cpu) {
                throw new IOException("a thread pinned to CPU " + cpu + " still runs on CPU " + now);
            }
        }
    }
}
