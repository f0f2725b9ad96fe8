package io.replicator.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.replicator.admin.Json;
import io.replicator.protocol.tls.CertificateAuthority;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Role;
import io.replicator.source.CutoverResult;
import io.replicator.source.SourceConfig;
import io.replicator.source.SourceDaemon;
import io.replicator.source.SourceStartException;
import io.replicator.source.SourceStatus;
import io.replicator.source.VolumeStatus;
import io.replicator.target.TargetConfig;
import io.replicator.target.TargetServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./replicator demo}: the whole path on loopback without root. Makes a mixed volume image and
 * a throwaway CA with a bundle for each daemon, starts a receiver and a source with mutual TLS 1.3, keeps writing to the volume while it replicates, stops the
 * writer the way an admin stops the applications, runs the final sync and prints what happened.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Replicates a volume that is being written on loopback, cuts over, and reports.")
final class DemoCommand implements Callable<Integer> {
    private static final String DEMO_ID = "demo";

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "256MiB", converter = Converters.SizeBytes.class,
            description = "Size of the demo volume (default: ${DEFAULT-VALUE}).")
    long sizeBytes;

    @Option(names = "--keep", description = "Keep the demo's directory instead of deleting it.")
    boolean keep;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("replicator-demo-");
        try {
            return run(out, dir);
        } finally {
            if (keep) {
                out.println("demo files kept in " + dir);
            } else {
                deleteTree(dir);
            }
            out.flush();
        }
    }

    private int run(PrintWriter out, Path dir) throws Exception {
        Path volume = dir.resolve("source-disk0.img");
        out.printf("1. making a %s volume: 40%% zeros, 30%% text, 30%% random in 1 MiB chunks%n",
                Units.formatBytes(sizeBytes));
        out.flush();
        MixedImage.write(volume, sizeBytes, 42);
        CertificateAuthority ca = CertificateAuthority.init(dir.resolve("pki-ca"), 1);
        ca.issue(Role.TARGET, "127.0.0.1", List.of(), 1, dir.resolve("pki-target"));
        ca.issue(Role.SOURCE, DEMO_ID, List.of(), 1, dir.resolve("pki-source"));
        out.printf("   throwaway CA and bundles in %s (target 127.0.0.1, source %s)%n", dir, DEMO_ID);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TargetServer target = TargetServer.start(TargetConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0)).dataDir(dir.resolve("target"))
                .pki(PkiBundle.load(dir.resolve("pki-target"))).build(), registry)) {
            InetSocketAddress at = target.localAddress();
            out.printf("2. receiver listening on 127.0.0.1:%d (mutual TLS 1.3), writing into %s%n", at.getPort(),
                    dir.resolve("target"));
            SourceConfig config = SourceConfig.builder().target(at).volume(volume, "disk0")
                    .stateDir(dir.resolve("source-state")).id(DEMO_ID).tracker(SourceConfig.Tracker.SCAN)
                    .scanIntervalMs(500).pki(PkiBundle.load(dir.resolve("pki-source"))).build();
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong writes = new AtomicLong();
            Thread writer = new Thread(() -> writeRandomBlocks(volume, writing, writes), "demo-writer");
            writer.start();
            long startNs = System.nanoTime();
            SourceDaemon source;
            try {
                source = SourceDaemon.start(config, registry);
            } catch (SourceStartException e) {
                writing.set(false);
                writer.join();
                throw new Main.UsageException(e.getMessage(), e);
            }
            try (source) {
                out.println("3. source started, connected with mutual TLS 1.3 (certificates of the throwaway CA); "
                        + "an application keeps writing random 4 KiB blocks while it replicates");
                long initialNs = waitForInitialSync(out, source, startNs);
                double seconds = initialNs / 1e9;
                out.printf("4. initial sync done in %.1f s (%.0f MB/s over the volume) while %d writes landed%n",
                        seconds, sizeBytes / 1e6 / seconds, writes.get());
                Thread.sleep(2000);
                writing.set(false);
                writer.join();
                long sent = source.status().volumes().get(0).sentBytes();
                out.printf("5. application stopped after %d writes; %s sent so far for a %s volume%n", writes.get(),
                        Units.formatBytes(sent), Units.formatBytes(sizeBytes));
                out.println("6. cutover: drain, barrier, verify every block on both sides");
                out.flush();
                CutoverResult r = source.cutover(List.of(), 120_000).get(180, TimeUnit.SECONDS);
                CutoverPrinter.printOneShot(out, Json.MAPPER.valueToTree(r), r.ok());
                if (!r.ok()) {
                    return Main.EXIT_FAILED;
                }
            }
            String a = sha256(volume);
            String b = sha256(dir.resolve("target").resolve(DEMO_ID).resolve("disk0.img"));
            out.printf("7. independent check, whole files: source %s%n%30s target %s  %s%n", a, "", b,
                    a.equals(b) ? "EQUAL" : "DIFFERENT");
            return a.equals(b) ? 0 : Main.EXIT_FAILED;
        }
    }

    private long waitForInitialSync(PrintWriter out, SourceDaemon source, long startNs) throws Exception {
        long lastPrintNs = 0;
        while (true) {
            SourceStatus s = source.status();
            VolumeStatus v = s.volumes().get(0);
            long now = System.nanoTime();
            if (v.syncedBytes() == v.sizeBytes()) {
                return now - startNs;
            }
            if (now - lastPrintNs > TimeUnit.MILLISECONDS.toNanos(1000)) {
                out.printf("   %-13s synced %5.1f%%  backlog %10s  sent %10s%n", s.state(),
                        100.0 * v.syncedBytes() / v.sizeBytes(), Units.formatBytes(v.backlogBytes()),
                        Units.formatBytes(v.sentBytes()));
                out.flush();
                lastPrintNs = now;
            }
            Thread.sleep(100);
        }
    }

    private static void writeRandomBlocks(Path volume, AtomicBoolean writing, AtomicLong writes) {
        Random random = new Random(7);
        ByteBuffer block = ByteBuffer.allocate(4096);
        try (FileChannel ch = FileChannel.open(volume, StandardOpenOption.WRITE)) {
            long blocks = ch.size() / 4096;
            while (writing.get()) {
                random.nextBytes(block.array());
                block.clear();
                ch.write(block, (long) random.nextInt((int) blocks) * 4096);
                if (writes.incrementAndGet() % 64 == 0) {
                    ch.force(false);
                    Thread.sleep(5);
                }
            }
            ch.force(false);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
