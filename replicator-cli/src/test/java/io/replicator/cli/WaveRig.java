package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.protocol.text.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Servers of a cutover wave for the end-to-end tests: each a real ext4 file system on a loop
 * device, written by an application thread, replicated by a source daemon process (plain TCP on
 * loopback, through an {@link AckHoldingProxy}) to one receiver process shared by the wave (and
 * by the tests of a class). Everything it made is undone on {@link #close} (daemons killed,
 * thawed, writers stopped, unmounted, detached), also after a failed test. Not thread-safe: owned
 * by the test thread.
 */
final class WaveRig implements AutoCloseable {
    static final long START_TIMEOUT_MS = 60_000;
    static final long DISK_BYTES = 32L << 20;

    /** The receiver all servers of the tests replicate to, with its admin endpoint. */
    record Receiver(DaemonProcess process, String address, AdminClient admin) implements AutoCloseable {
        static Receiver start(Path dir) throws Exception {
            String address = "127.0.0.1:" + ProcessReplication.freePort();
            int adminPort = ProcessReplication.freePort();
            DaemonProcess p = new DaemonProcess("receiver", dir.resolve("receiver.log"), List.of("target", "--listen",
                    address, "--data-dir", dir.resolve("data").toString(), "--admin", "127.0.0.1:" + adminPort,
                    "--insecure-plaintext"));
            p.start("target receiver listening on", START_TIMEOUT_MS);
            return new Receiver(p, address, new AdminClient(new InetSocketAddress("127.0.0.1", adminPort), null));
        }

        /** The receiver's status entry of {@code source}. */
        JsonNode source(String source) throws IOException {
            for (JsonNode s : admin.get("/status", 10_000).path("sources")) {
                if (source.equals(s.path("id").asText())) {
                    return s;
                }
            }
            throw new AssertionError("the receiver does not know " + source);
        }

        @Override
        public void close() throws InterruptedException {
            process.close();
        }
    }

    /** One server: its file system, its writer, its source daemon. */
    final class Server {
        final String id;
        final Path image;
        final Path mount;
        final DaemonProcess source;
        final AckHoldingProxy proxy;
        final String admin;
        final AdminClient client;
        final AtomicLong writes = new AtomicLong();
        private final AtomicBoolean writing = new AtomicBoolean(true);
        private final Thread writer;

        Server(String id) throws Exception {
            this.id = id;
            Path home = Files.createDirectories(dir.resolve(id));
            mount = home.resolve("mnt");
            image = home.resolve("disk.img");
            String device = fs.attach(image, DISK_BYTES);
            fs.mkfsExt4(device);
            fs.mount(device, mount);
            proxy = new AckHoldingProxy(HostPort.parse(receiver.address()));
            int adminPort = ProcessReplication.freePort();
            admin = "127.0.0.1:" + adminPort;
            client = new AdminClient(new InetSocketAddress("127.0.0.1", adminPort), null);
            source = new DaemonProcess(id, home.resolve("source.log"), List.of("source", "--target",
                    HostPort.format(proxy.address()), "--volume", device + "=root", "--state-dir",
                    home.resolve("state").toString(), "--id", id, "--admin", admin, "--tracker", tracker,
                    "--scan-interval", "1s", "--insecure-plaintext"));
            writer = new Thread(this::write, "writer-" + id);
            writer.setDaemon(true);
        }

        /** The application: 16 KiB records written over a 4 MiB file, an fsync every 8; blocks while frozen. */
        private void write() {
            Random random = new Random(id.hashCode());
            byte[] record = new byte[16 << 10];
            try (FileChannel ch = FileChannel.open(mount.resolve("app.dat"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                for (long n = 0; writing.get(); n++) {
                    random.nextBytes(record);
                    ch.write(ByteBuffer.wrap(record), (n % 256) * record.length);
                    if (n % 8 == 7) {
                        ch.force(false);
                    }
                    writes.incrementAndGet();
                    Thread.sleep(2);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        JsonNode status() throws IOException {
            return client.get("/status", 10_000);
        }

        /** Whether the mount is frozen now, as its daemon's status says and fsfreeze confirms. */
        boolean frozen() throws IOException, InterruptedException {
            if (!status().path("frozen").toString().contains(mount.toString())) {
                return false;
            }
            try {
                Shell.run("fsfreeze", "--freeze", mount.toString());
            } catch (IOException e) {
                return e.getMessage().contains("Device or resource busy");
            }
            Shell.run("fsfreeze", "--unfreeze", mount.toString());
            return false;
        }

        /** The application's writes go through again: its counter moves, and a new file is written and synced. */
        void assertTakesWrites() throws Exception {
            LoopFs.assertWritable(mount);
            long before = writes.get();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (writes.get() == before) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new AssertionError("the writer of " + id + " is stuck at " + before + " writes");
                }
                Thread.sleep(20);
            }
        }
    }

    private final Path dir;
    private final Receiver receiver;
    private final String tracker;
    private final LoopFs fs = new LoopFs();
    final List<Server> servers = new ArrayList<>();

    /** {@code ids.size()} servers replicating to {@code receiver}, started and each copied once (scan tracker). */
    WaveRig(Path dir, Receiver receiver, List<String> ids) throws Exception {
        this(dir, receiver, ids, "scan");
    }

    /** As above, each source daemon with {@code --tracker tracker}. */
    WaveRig(Path dir, Receiver receiver, List<String> ids, String tracker) throws Exception {
        this.dir = dir;
        this.receiver = receiver;
        this.tracker = tracker;
        try {
            for (String id : ids) {
                servers.add(new Server(id));
            }
            List<CompletableFuture<Void>> started = new ArrayList<>();
            for (Server s : servers) {
                started.add(CompletableFuture.runAsync(() -> {
                    try {
                        s.source.start("admin endpoint on", START_TIMEOUT_MS);
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }));
                s.writer.start();
            }
            for (CompletableFuture<Void> f : started) {
                f.get(START_TIMEOUT_MS * 2, TimeUnit.MILLISECONDS);
            }
            for (Server s : servers) {
                awaitCopied(s);
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private static void awaitCopied(Server s) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        JsonNode st = s.status();
        while (!st.path("connected").asBoolean() || st.path("volumes").get(0).path("synced_bytes").asLong() < DISK_BYTES) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError(s.id + " not copied once within 90 s: " + st + "\n" + s.source.logSinceStart());
            }
            Thread.sleep(100);
            st = s.status();
        }
    }

    Server server(int i) {
        return servers.get(i);
    }

    /** Waits until every server in {@code which} is frozen. */
    void awaitFrozen(List<Server> which, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (Server s : which) {
            while (!s.frozen()) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new AssertionError(s.id + " was not frozen within " + timeoutMs + " ms:\n"
                            + s.source.logSinceStart());
                }
                Thread.sleep(20);
            }
        }
    }

    /** The daemons' logs for a failure message, or why they cannot be read. */
    String logsOrWhy() {
        try {
            return logs();
        } catch (IOException e) {
            return "(logs unreadable: " + e.getMessage() + ")";
        }
    }

    String logs() throws IOException {
        StringBuilder b = new StringBuilder();
        for (Server s : servers) {
            b.append("----- ").append(s.id).append(" -----\n").append(s.source.logSinceStart());
        }
        return b.toString();
    }

    @Override
    public void close() throws Exception {
        try {
            for (Server s : servers) {
                s.source.close();
                s.proxy.close();
                Shell.run("bash", "-c", "fsfreeze --unfreeze " + s.mount + " 2>/dev/null; true");
                s.writing.set(false);
            }
            for (Server s : servers) {
                s.writer.join(30_000);
            }
        } finally {
            fs.close();
        }
    }
}
