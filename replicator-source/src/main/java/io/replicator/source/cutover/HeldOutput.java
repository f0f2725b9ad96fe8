package io.replicator.source.cutover;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The daemon's standard output and error while file systems are frozen: a write to a file on a
 * frozen file system blocks until the thaw, and the log lines of the cutover would block the
 * thread that writes them. When standard output or error is a file on the device of a mount point
 * about to be frozen, its bytes are held in memory (at most {@value #MAX_HELD_BYTES} bytes, then
 * counted and dropped) and written after the thaw. A pipe, a terminal or the journal's socket is
 * never held. {@link #install} replaces {@code System.out} and {@code System.err} once per JVM.
 * Thread-safe.
 */
public final class HeldOutput extends OutputStream {
    static final int MAX_HELD_BYTES = 4 << 20;
    private static HeldOutput out;
    private static HeldOutput err;

    private final int fd;
    private final OutputStream target;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private int holds;
    private long dropped;

    private HeldOutput(int fd, OutputStream target) {
        this.fd = fd;
        this.target = target;
    }

    /**
     * Routes {@code System.out} and {@code System.err} through holdable streams in front of the
     * streams they were; once per JVM. Whether one is held is decided by what its file descriptor
     * (1 or 2) is.
     */
    public static synchronized void install() {
        if (out == null) {
            out = new HeldOutput(1, System.out);
            err = new HeldOutput(2, System.err);
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        }
    }

    /** One hold: released once, by the guard when it has thawed. */
    interface Hold {
        void release();
    }

    /** Holds the standard streams that are files on the devices of {@code mounts}; the hold is released after the thaw. */
    static synchronized Hold holdFor(List<Path> mounts) {
        Set<Object> devices = new HashSet<>();
        for (Path m : mounts) {
            Object dev = device(m);
            if (dev != null) {
                devices.add(dev);
            }
        }
        List<HeldOutput> streams = new ArrayList<>();
        for (HeldOutput s : new HeldOutput[] {out, err}) {
            if (s != null && s.isFileOn(devices)) {
                s.hold();
                streams.add(s);
            }
        }
        boolean[] released = new boolean[1];
        return () -> {
            synchronized (HeldOutput.class) {
                if (!released[0]) {
                    released[0] = true;
                    streams.forEach(HeldOutput::release);
                }
            }
        };
    }

    private boolean isFileOn(Set<Object> devices) {
        Path link = Path.of("/proc/self/fd/" + fd);
        return Files.isRegularFile(link) && devices.contains(device(link));
    }

    private static Object device(Path p) {
        try {
            return Files.getAttribute(p, "unix:dev");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    private synchronized void hold() {
        holds++;
    }

    private synchronized void release() {
        if (--holds > 0) {
            return;
        }
        try {
            held.writeTo(target);
            if (dropped > 0) {
                target.write(("[" + dropped + " bytes of output dropped while the file system was frozen]\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            target.flush();
        } catch (IOException e) {
            // standard error is gone: nowhere to say so
        }
        held.reset();
        dropped = 0;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (holds == 0) {
            target.write(b, off, len);
        } else if (held.size() + len <= MAX_HELD_BYTES) {
            held.write(b, off, len);
        } else {
            dropped += len;
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        if (holds == 0) {
            target.flush();
        }
    }
}
