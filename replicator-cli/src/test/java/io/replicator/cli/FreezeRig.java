package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.protocol.text.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real ext4 file system on a loop device, replicated by a source daemon process (plain TCP on
 * loopback, through an {@link AckHoldingProxy}) to a target daemon process, for the tests of what a
 * freeze does when the daemon is killed, hung or cut off. Everything it made is undone on {@link
 * #close} (thawed, unmounted, detached, killed), also after a failed test. Not thread-safe: owned
 * by the test thread.
 */
final class FreezeRig implements AutoCloseable {
    static final long START_TIMEOUT_MS = 30_000;
    final Path dir;
    final Path mount;
    final String device;
    /** A second volume, a file outside the mount, that a test may write to while the mount is frozen. */
    final Path other;
    final DaemonProcess target;
    final DaemonProcess source;
    final AckHoldingProxy proxy;
    final String sourceAdmin;
    final AdminClient client;
    private final LoopFs fs = new LoopFs();

    /**
     * @param stateOnMount the source's state directory lies on the file system it freezes
     * @param logOnMount   so does the file its standard output and error go to
     */
    FreezeRig(Path dir, boolean stateOnMount, boolean logOnMount) throws Exception {
        this.dir = dir;
        this.mount = dir.resolve("mnt");
        try {
            device = fs.attach(dir.resolve("disk.img"), 64L << 20);
            fs.mkfsExt4(device);
            fs.mount(device, mount);
            String targetAddress = "127.0.0.1:" + ProcessReplication.freePort();
            target = new DaemonProcess("target", dir.resolve("target.log"), List.of("target", "--listen",
                    targetAddress, "--data-dir", dir.resolve("data").toString(), "--insecure-plaintext"));
            target.start("target receiver listening on", START_TIMEOUT_MS);
            proxy = new AckHoldingProxy(HostPort.parse(targetAddress));
            int adminPort = ProcessReplication.freePort();
            sourceAdmin = "127.0.0.1:" + adminPort;
            client = new AdminClient(new InetSocketAddress("127.0.0.1", adminPort), null);
            Path stateDir = stateOnMount ? mount.resolve("state") : dir.resolve("state");
            other = dir.resolve("other.img");
            MixedImage.write(other, 4L << 20, 7);
            Path log = logOnMount ? mount.resolve("source.log") : dir.resolve("source.log");
            List<String> args = new ArrayList<>(List.of("source", "--target", HostPort.format(proxy.address()),
                    "--volume", device + "=root", "--volume", other + "=other", "--state-dir", stateDir.toString(), "--id", "web1",
                    "--admin", sourceAdmin, "--tracker", "scan", "--scan-interval", "1s", "--insecure-plaintext"));
            source = new DaemonProcess("source", log, args);
        } catch (Exception e) {
            fs.close();
            throw e;
        }
    }

    /** Skips the calling test, saying why, unless loop devices, ext4, setsid and bash are at hand (root). */
    static void assumeFreezable() {
        String why = Shell.whyNoLoopDevices();
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        org.junit.jupiter.api.Assumptions.assumeTrue(Shell.onPath("setsid") && Shell.onPath("bash"),
                "skipped: needs setsid and bash");
    }

    void startSource() throws IOException, InterruptedException {
        source.start("admin endpoint on", START_TIMEOUT_MS);
    }

    JsonNode status() throws IOException {
        return client.get("/status", 10_000);
    }

    /** Waits until the source is connected and its one volume is copied with nothing pending. */
    void awaitInSync() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            JsonNode s = status();
            if (s.path("connected").asBoolean() && ProcessReplication.inSync(s.path("volumes").get(0))) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                Shell.run("kill", "-QUIT", String.valueOf(source.pid()));
                Thread.sleep(1_000);
                throw new AssertionError("not in sync within 60 s: " + s + "\n(thread dump in the source's log)\n"
                        + logs());
            }
            Thread.sleep(50);
        }
    }

    /** {@code cutover --freeze MOUNT --timeout TIMEOUT --json} in the background. */
    CompletableFuture<CliRun> cutoverInBackground(String timeout) {
        return CompletableFuture.supplyAsync(() -> CliRun.run("cutover", "--admin", sourceAdmin, "--freeze",
                mount.toString(), "--timeout", timeout, "--json"));
    }

    /** Whether the mount is frozen now: {@code fsfreeze --freeze} refuses a frozen file system with EBUSY. */
    boolean isFrozen() throws IOException, InterruptedException {
        try {
            Shell.run("fsfreeze", "--freeze", mount.toString());
        } catch (IOException e) {
            if (e.getMessage().contains("Device or resource busy")) {
                return true;
            }
            throw e;
        }
        Shell.run("fsfreeze", "--unfreeze", mount.toString());
        return false;
    }

    /**
     * Waits until the source's status says the mount is frozen, and checks that it is; returns
     * System.nanoTime() when it was seen so. (Asking fsfreeze before would race with the guard's
     * own freeze.)
     */
    long awaitFrozen(long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!status().path("frozen").toString().contains(mount.toString()) || !isFrozen()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError(mount + " was not frozen within " + timeoutMs + " ms:\n" + logs());
            }
            Thread.sleep(20);
        }
        return System.nanoTime();
    }

    /** Waits until the mount is thawed; returns the milliseconds since {@code sinceNs}. */
    long awaitThawed(long sinceNs, long timeoutMs) throws Exception {
        long deadline = sinceNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (isFrozen()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError(mount + " still frozen " + timeoutMs + " ms later:\n" + logs());
            }
            Thread.sleep(20);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNs);
    }

    void assertWritable() throws Exception {
        LoopFs.assertWritable(mount);
    }

    String logs() {
        StringBuilder b = new StringBuilder();
        for (Path log : List.of(dir.resolve("target.log"), dir.resolve("source.log"), mount.resolve("source.log"))) {
            try {
                if (java.nio.file.Files.exists(log)) {
                    b.append("----- ").append(log).append(" -----\n").append(java.nio.file.Files.readString(log));
                }
            } catch (IOException e) {
                b.append("(cannot read ").append(log).append(": ").append(e.getMessage()).append(")\n");
            }
        }
        return b.toString();
    }

    @Override
    public void close() throws Exception {
        try {
            source.close();
            target.close();
            proxy.close();
        } finally {
            fs.close();
        }
    }
}
