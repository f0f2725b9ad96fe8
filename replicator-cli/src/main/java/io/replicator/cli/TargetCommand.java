package io.replicator.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replicator.admin.AdminServer;
import io.replicator.admin.Daemons;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.target.TargetConfig;
import io.replicator.target.TargetServer;
import io.replicator.target.admin.TargetAdmin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./replicator target}: the receiver, in the foreground until SIGTERM. */
@Command(name = "target", mixinStandardHelpOptions = true,
        description = "The target receiver: writes what sources send onto its volumes and acknowledges what is durable.")
final class TargetCommand implements Callable<Integer> {
    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", converter = Converters.Address.class,
            description = "Where sources connect.")
    InetSocketAddress listen;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "Volume NAME of source ID lands in DIR/ID/NAME.img unless mapped.")
    Path dataDir;

    @Option(names = "--map", paramLabel = "ID/NAME=PATH",
            description = "Write a volume onto an existing block device or file (at least the source volume's size).")
    List<String> maps;

    @Option(names = "--admin", paramLabel = "HOST:PORT", converter = Converters.Address.class,
            description = "Admin endpoint for status and metrics (default: none).")
    InetSocketAddress admin;

    @Option(names = "--max-rate", paramLabel = "RATE", converter = Converters.RateBytesPerSecond.class,
            description = "Limit on bytes received from all sources together (e.g. 100MB/s, 1Gbit), shared equally "
                    + "among the sources sending; 'replicator throttle' changes it live (default: none).")
    long maxRateBytesPerSecond;

    @Option(names = "--pki", paramLabel = "BUNDLE",
            description = "Certificate bundle from 'pki issue --role target': accept only mutual TLS 1.3 from "
                    + "sources of the same CA. Required unless --insecure-plaintext.")
    Path pki;

    @Option(names = "--journal-dir", paramLabel = "DIR",
            description = "Where each source's journal (its changes after the initial copy, the undo history of its "
                    + "checkpoints) is kept, in DIR/ID; may be another disk (default: 'journal' beside --data-dir).")
    Path journalDir;

    @Option(names = "--retain", paramLabel = "DURATION", converter = Converters.DurationMs.class,
            defaultValue = "24h", description = "How long a source's checkpoints stay launchable (e.g. 24h, 7d; "
                    + "default: ${DEFAULT-VALUE}).")
    long retainMs;

    @Option(names = "--journal-max-bytes", paramLabel = "SIZE", converter = Converters.SizeBytes.class,
            description = "Cap on each source's undo history (e.g. 200GiB); the oldest goes first (default: none).")
    Long journalMaxBytes;

    @Mixin
    DaemonOptions daemonOptions;

    @Option(names = "--insecure-plaintext",
            description = "Accept plain TCP instead of TLS; refused unless --listen is a loopback address.")
    boolean insecurePlaintext;

    @Override
    public Integer call() throws IOException {
        daemonOptions.applyLogging();
        TargetConfig.Builder b = TargetConfig.builder().listen(listen).dataDir(dataDir)
                .maxRateBytesPerSecond(maxRateBytesPerSecond).journalDir(journalDir);
        try {
            b.retain(Duration.ofMillis(retainMs));
            if (journalMaxBytes != null) {
                b.journalMaxBytes(journalMaxBytes);
            }
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException((journalMaxBytes != null && e.getMessage().contains("journalMaxBytes")
                    ? "--journal-max-bytes: " : "--retain: ") + e.getMessage(), e);
        }
        PkiBundle bundle = PkiBundles.forDaemon(pki, insecurePlaintext, listen, "--listen address");
        if (admin != null) {
            AdminOptions.checkEndpoint(admin, bundle);
        }
        if (bundle != null) {
            b.pki(bundle);
        } else {
            b.insecurePlaintext(true);
        }
        if (maps != null) {
            for (String m : maps) {
                try {
                    b.map(m);
                } catch (IllegalArgumentException e) {
                    throw new Main.UsageException("--map: " + e.getMessage(), e);
                }
            }
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TargetServer server;
        try {
            server = TargetServer.start(b.build(), registry);
        } catch (IOException | IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
        AdminServer endpoint = null;
        if (admin != null) {
            try {
                endpoint = TargetAdmin.start(admin, bundle, server, registry);
            } catch (IOException e) {
                server.close();
                throw new Main.UsageException(e.getMessage(), e);
            }
        }
        AdminServer finalEndpoint = endpoint;
        Daemons.runUntilSignalled("target", () -> {
            if (finalEndpoint != null) {
                finalEndpoint.close();
            }
            server.close();
        });
        return 0;
    }
}
