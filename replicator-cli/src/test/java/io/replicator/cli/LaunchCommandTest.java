package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replicator.admin.AdminServer;
import io.replicator.target.TargetConfig;
import io.replicator.target.TargetServer;
import io.replicator.target.admin.TargetAdmin;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replicator launch} and {@code replicator checkpoints} against a real receiver: bad flags are
 * refused before anything is asked (exit 2, one line), and the receiver's refusals are printed with
 * its reason (exit 1): an unknown source, a source with no launchable checkpoint.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LaunchCommandTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseBadFlagsAndPrintTheReceiversRefusals() throws Exception {
        CliRun.assertOneLineExit2(CliRun.run("launch", "--admin", "127.0.0.1:1", "--source", "web1", "--checkpoint",
                "seven", "--out", dir.toString()), "--checkpoint seven is neither a checkpoint id nor latest");
        CliRun.assertOneLineExit2(CliRun.run("launch", "--admin", "127.0.0.1:1", "--source", "web1", "--checkpoint",
                "latest"), "launch needs --out DIR or --map NAME=DEVICE");
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
        try (TargetServer target = TargetServer.start(TargetConfig.builder().listen(loopback)
                .dataDir(dir.resolve("data")).insecurePlaintext(true).build(), metrics);
             AdminServer admin = TargetAdmin.start(loopback, null, target, metrics)) {
            String tgt = "127.0.0.1:" + admin.address().getPort();
            Path out = Files.createDirectories(dir.resolve("out"));
            CliRun unknown = CliRun.run("launch", "--admin", tgt, "--source", "nobody", "--checkpoint", "latest",
                    "--out", out.toString());
            assertEquals(Main.EXIT_FAILED, unknown.exit(), unknown.out() + unknown.err());
            assertTrue(unknown.out().contains("launch FAILED: the receiver keeps no history of source 'nobody'"),
                    unknown.out());
            target.histories().of("web1"); // a source with a history and no checkpoint yet
            CliRun empty = CliRun.run("launch", "--admin", tgt, "--source", "web1", "--checkpoint", "latest",
                    "--out", dir.resolve("data").toString());
            assertEquals(Main.EXIT_FAILED, empty.exit(), empty.out() + empty.err());
            assertTrue(empty.out().contains("web1 has no launchable checkpoint"), empty.out());
            CliRun none = CliRun.run("checkpoints", "--admin", tgt, "--source", "web1");
            assertEquals(0, none.exit(), none.err());
            assertTrue(none.out().contains("source web1 has no checkpoints on this receiver"), none.out());
        }
    }
}
