package io.replicator.cli;

import static io.replicator.cli.CliRun.assertOneLineExit2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The contract's exit codes: 2 with one line on a bad flag, a missing device, an unreachable peer. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandLineTest {
    @TempDir
    Path dir;


    @ParameterizedTest
    @ValueSource(strings = {"demo", "target", "source", "status", "sync", "verify", "cutover"})
    void shouldPrintHelpForEverySubcommand(String command) {
        CliRun r = CliRun.run(command, "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("Usage: replicator " + command), r.out());
    }

    @Test
    void shouldRefuseAnUnknownFlagWithOneLine() {
        assertOneLineExit2(CliRun.run("status", "--bogus"), "Unknown option: '--bogus'");
    }

    @Test
    void shouldRefuseAMissingRequiredFlag() {
        assertOneLineExit2(CliRun.run("target", "--listen", "127.0.0.1:0"), "--data-dir");
    }

    @Test
    void shouldRefuseABadAddress() {
        assertOneLineExit2(CliRun.run("target", "--listen", "127.0.0.1:99999", "--data-dir", dir.toString()),
                "invalid port 99999");
    }

    @Test
    void shouldRefuseABadSize() {
        assertOneLineExit2(CliRun.run("source", "--target", "127.0.0.1:1", "--volume", "x", "--state-dir", "s",
                "--block-size", "12parsecs"), "invalid size '12parsecs'");
    }

    @Test
    void shouldRefuseABadTracker() {
        assertOneLineExit2(CliRun.run("source", "--target", "127.0.0.1:1", "--volume", dir.toString(), "--state-dir",
                dir.resolve("s").toString(), "--tracker", "magic"), "invalid --tracker 'magic'");
    }

    @Test
    void shouldRefuseAMissingDevice() {
        assertOneLineExit2(CliRun.run("source", "--target", "127.0.0.1:1", "--insecure-plaintext",
                "--volume", "/dev/does-not-exist=d", "--state-dir", dir.resolve("s").toString(), "--id", "x"),
                "volume /dev/does-not-exist does not exist");
    }

    @Test
    void shouldTakeTheDaemonsFreezeMountPointsAsTheCutoversDefaultAndRefuseOneThatIsNoMountPoint() {
        SourceCommand command = new SourceCommand();
        new picocli.CommandLine(command).parseArgs("--target", "127.0.0.1:1", "--volume", "v", "--state-dir", "s",
                "--insecure-plaintext", "--freeze", "/");
        assertEquals(java.util.List.of(Path.of("/")), command.config().freeze());
        SourceCommand bad = new SourceCommand();
        new picocli.CommandLine(bad).parseArgs("--target", "127.0.0.1:1", "--volume", "v", "--state-dir", "s",
                "--insecure-plaintext", "--freeze", dir.toString());
        Main.UsageException e = org.junit.jupiter.api.Assertions.assertThrows(Main.UsageException.class, bad::config);
        assertTrue(e.getMessage().contains("is not a mount point"), e.getMessage());
    }

    @Test
    void shouldRefuseADurationWithoutItsUnit() {
        assertOneLineExit2(CliRun.run("cutover", "--timeout", "5"), "invalid duration '5': a number needs a unit");
        assertOneLineExit2(CliRun.run("verify", "--timeout", "5"), "a number needs a unit (5ms, 5s, 5m or 5h)");
    }

    @Test
    void shouldRefuseAnUnsafeVolumeName() throws Exception {
        Path volume = dir.resolve("v.img");
        Files.write(volume, new byte[65536]);
        assertOneLineExit2(CliRun.run("source", "--target", "127.0.0.1:1", "--volume", volume + "=..",
                "--state-dir", dir.resolve("s").toString(), "--id", "x", "--insecure-plaintext"),
                "invalid volume name");
    }

    @Test
    void shouldSayTheAdminEndpointIsUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertOneLineExit2(CliRun.run("status", "--admin", "127.0.0.1:" + port), "cannot reach the admin endpoint");
        assertOneLineExit2(CliRun.run("cutover", "--admin", "127.0.0.1:" + port), "cannot reach the admin endpoint");
        assertOneLineExit2(CliRun.run("verify", "--admin", "127.0.0.1:" + port), "cannot reach the admin endpoint");
    }

    @Test
    void shouldRefuseAFreezePathThatIsNotADirectory() {
        assertOneLineExit2(CliRun.run("cutover", "--freeze", dir.resolve("nope").toString()), "not a directory");
    }
}
