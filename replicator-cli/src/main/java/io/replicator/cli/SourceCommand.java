package io.replicator.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replicator.admin.AdminServer;
import io.replicator.admin.Daemons;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.source.SourceConfig;
import io.replicator.source.SourceDaemon;
import io.replicator.source.SourceStartException;
import io.replicator.source.admin.SourceAdmin;
import io.replicator.source.cutover.MountPoints;
import io.replicator.source.sync.PacingConfig;
import io.replicator.source.sync.RateSchedule;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./replicator source}: the source daemon, in the foreground until SIGTERM. */
@Command(name = "source", mixinStandardHelpOptions = true,
        description = "The source daemon: copies the volumes once while they are in use, then streams every change.")
final class SourceCommand implements Callable<Integer> {
    @Option(names = "--target", required = true, paramLabel = "HOST:PORT", converter = Converters.Address.class,
            description = "The target receiver.")
    InetSocketAddress target;

    @Option(names = "--volume", required = true, paramLabel = "PATH[=NAME]",
            description = "A block device or file to replicate; NAME defaults to PATH's base name. Repeatable.")
    List<String> volumes;

    @Option(names = "--state-dir", required = true, paramLabel = "DIR",
            description = "Where the source keeps what the target holds, so a restart does not start over.")
    Path stateDir;

    @Option(names = "--id", paramLabel = "ID", description = "This source's id (default: the host name).")
    String id;

    @Option(names = "--tracker", paramLabel = "auto|kernel|scan", defaultValue = "auto",
            description = "How changed blocks are found (default: ${DEFAULT-VALUE}).")
    String tracker;

    @Option(names = "--trace-buffer", paramLabel = "SIZE", defaultValue = "4MiB", converter = Converters.SizeBytes.class,
            description = "Kernel tracker: trace buffer per CPU; too small a buffer loses events under bursts "
                    + "of writes, which costs a rescan (default: ${DEFAULT-VALUE}).")
    long traceBufferBytes;

    @Option(names = "--admin", paramLabel = "HOST:PORT", defaultValue = AdminOptions.DEFAULT_SOURCE_ADMIN,
            converter = Converters.Address.class, description = "Admin endpoint (default: ${DEFAULT-VALUE}).")
    InetSocketAddress admin;

    @Option(names = "--block-size", paramLabel = "SIZE", defaultValue = "4KiB", converter = Converters.SizeBytes.class,
            description = "Unit of change tracking, fingerprints and verification, a power of two from 4KiB to "
                    + "1MiB; frames carry runs of up to 64KiB of changed blocks (default: ${DEFAULT-VALUE}).")
    long blockSizeBytes;

    @Option(names = "--scan-interval", paramLabel = "DURATION", defaultValue = "10s",
            converter = Converters.DurationMs.class,
            description = "Pause between two scans of the scan tracker (default: ${DEFAULT-VALUE}).")
    long scanIntervalMs;

    @Option(names = "--max-in-flight", paramLabel = "SIZE", defaultValue = "128MiB", converter = Converters.SizeBytes.class,
            description = "Bytes on the wire sent and not yet durable on the target (default: ${DEFAULT-VALUE}).")
    long maxInFlightBytes;

    @Option(names = "--max-rate", paramLabel = "RATE[@HH:MM-HH:MM]",
            description = "Limit on bytes on the wire (e.g. 40MB/s, 10MiB/s, 200Mbit); with @HH:MM-HH:MM only in "
                    + "that window of the local day. Repeatable: windows, and one limit for the rest of the day. "
                    + "'replicator throttle' changes it live.")
    List<String> maxRates;

    @Option(names = "--max-cpu", paramLabel = "PERCENT",
            description = "Adaptive pacing: when the daemon takes more than this share of the machine's CPU (1 to "
                    + "100, all cores together), sending is paced down, trading lag up to --max-pacing-lag; "
                    + "default: no pacing. systemd's CPUQuota= is the hard alternative (docs/operations.md).")
    String maxCpu;

    @Option(names = "--max-pacing-lag", paramLabel = "DURATION", defaultValue = "5s",
            converter = Converters.DurationMs.class,
            description = "The lag adaptive pacing may trade for --max-cpu, and keeps the lag under: full speed again "
                    + "once the lag plus the time full speed takes to send what waits reaches 60% of it, until "
                    + "that is under 30% (default: ${DEFAULT-VALUE}).")
    long maxPacingLagMs;

    @Option(names = "--pki", paramLabel = "BUNDLE",
            description = "Certificate bundle from 'pki issue --role source': connect with mutual TLS 1.3. "
                    + "Required unless --insecure-plaintext.")
    Path pki;

    @Option(names = "--freeze", paramLabel = "MNT",
            description = "A file system a cutover freezes (fsfreeze) when the cutover names none: the default "
                    + "--freeze of every cutover of this source. Repeatable.")
    List<Path> freeze = new ArrayList<>();

    @Option(names = "--checkpoint-every", paramLabel = "DURATION", converter = Converters.DurationMs.class,
            description = "Take a consistent checkpoint this often (e.g. 15m, 1h), freezing the --freeze file "
                    + "systems; needs a receiver that keeps history.")
    Long checkpointEveryMs;

    @Option(names = "--pre-freeze", paramLabel = "CMD",
            description = "Run CMD (sh -c) before a checkpoint's freeze, e.g. a database's own checkpoint; when it "
                    + "fails the checkpoint is refused and nothing is frozen.")
    String preFreeze;

    @Option(names = "--post-thaw", paramLabel = "CMD",
            description = "Run CMD (sh -c) after a checkpoint's thaw; a failure is reported with the checkpoint.")
    String postThaw;

    @Mixin
    DaemonOptions daemonOptions;

    @Option(names = "--insecure-plaintext",
            description = "Connect with plain TCP instead of TLS; refused unless --target is a loopback address.")
    boolean insecurePlaintext;

    @Override
    public Integer call() throws IOException {
        daemonOptions.applyLogging();
        SourceConfig config = config();
        AdminOptions.checkEndpoint(admin, config.pki());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SourceDaemon daemon;
        try {
            daemon = SourceDaemon.start(config, registry);
        } catch (SourceStartException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
        AdminServer endpoint;
        try {
            endpoint = SourceAdmin.start(admin, daemon, registry);
        } catch (IOException e) {
            daemon.close();
            throw new Main.UsageException(e.getMessage(), e);
        }
        Daemons.runUntilSignalled("source", () -> {
            endpoint.close();
            daemon.close();
        });
        return 0;
    }

    SourceConfig config() {
        SourceConfig.Builder b = SourceConfig.builder().target(target).stateDir(stateDir)
                .id(id != null ? id : hostName()).tracker(parseTracker(tracker))
                .scanIntervalMs(scanIntervalMs).maxInFlightBytes(maxInFlightBytes)
                .traceBufferKb((int) Math.min(Integer.MAX_VALUE, traceBufferBytes >> 10))
                .awaitTargetAtStart(false);
        for (Path p : freeze) {
            try {
                b.freeze(MountPoints.check(p.toAbsolutePath().normalize().toString()));
            } catch (IOException | IllegalArgumentException e) {
                throw new Main.UsageException("--freeze " + p + ": " + e.getMessage(), e);
            }
        }
        if (checkpointEveryMs != null) {
            if (checkpointEveryMs < 1_000) {
                throw new Main.UsageException("invalid --checkpoint-every " + checkpointEveryMs
                        + "ms (expected: at least 1s)");
            }
            b.checkpointEveryMs(checkpointEveryMs);
        }
        b.checkpointHooks(preFreeze, postThaw);
        if (!VolumeInfo.isBlockSize(blockSizeBytes)) {
            throw new Main.UsageException("invalid --block-size " + blockSizeBytes
                    + " (expected: a power of two from 4KiB to 1MiB)");
        }
        b.blockSizeBytes((int) blockSizeBytes);
        if (maxRates != null) {
            try {
                b.maxRate(RateSchedule.parse(maxRates));
            } catch (IllegalArgumentException e) {
                throw new Main.UsageException(e.getMessage(), e);
            }
        }
        try {
            b.pacing(new PacingConfig(maxCpu == null ? 0 : PacingConfig.parseMaxCpuPercent(maxCpu), maxPacingLagMs));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
        PkiBundle bundle = PkiBundles.forDaemon(pki, insecurePlaintext, target, "--target address");
        if (bundle != null) {
            b.pki(bundle);
        } else {
            b.insecurePlaintext(true);
        }
        for (String v : volumes) {
            int eq = v.indexOf('=');
            Path path = Path.of(eq < 0 ? v : v.substring(0, eq));
            String name = eq < 0 ? String.valueOf(path.getFileName()) : v.substring(eq + 1);
            b.volume(path, name);
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
    }

    private static SourceConfig.Tracker parseTracker(String value) {
        return switch (value) {
            case "auto" -> SourceConfig.Tracker.AUTO;
            case "kernel" -> SourceConfig.Tracker.KERNEL;
            case "scan" -> SourceConfig.Tracker.SCAN;
            default -> throw new Main.UsageException("invalid --tracker '" + value + "' (expected: auto, kernel, scan)");
        };
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            throw new Main.UsageException("cannot find the host name (" + e.getMessage() + "); give --id");
        }
    }
}
