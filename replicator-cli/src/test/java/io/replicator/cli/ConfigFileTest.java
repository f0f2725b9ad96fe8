package io.replicator.cli;

import static io.replicator.cli.CliRun.assertOneLineExit2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --config FILE}: the daemons' options from a file, the command line over it, bad lines refused by number. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfigFileTest {
    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        return Files.writeString(dir.resolve("daemon.conf"), String.join("\n", lines) + "\n");
    }

    /** Parses {@code args} as {@code ./replicator} does, config file included, and returns the subcommand's object. */
    private static <T> T parse(Class<T> type, String... args) {
        CommandLine root = Main.commandLine();
        root.parseArgs(ConfigFile.expand(root, args));
        return type.cast(root.getSubcommands().get(args[0]).getCommand());
    }

    @Test
    void shouldReadEveryOptionOfTheSourceFromTheFile() throws IOException {
        Path conf = file("# web1", "", "target = 10.0.0.5:7700", "volume = /dev/sda=root", "  volume=/dev/sdb=data  ",
                "state-dir = /var/lib/replicator/web1", "id = web1", "scan-interval = 30s", "insecure-plaintext = false",
                "log-format = json");
        SourceCommand s = parse(SourceCommand.class, "source", "--config", conf.toString());
        assertEquals(new InetSocketAddress("10.0.0.5", 7700), s.target);
        assertEquals(List.of("/dev/sda=root", "/dev/sdb=data"), s.volumes);
        assertEquals(Path.of("/var/lib/replicator/web1"), s.stateDir);
        assertEquals("web1", s.id);
        assertEquals(30_000, s.scanIntervalMs);
        assertFalse(s.insecurePlaintext);
        assertEquals("json", s.daemonOptions.logFormat);
        assertEquals("auto", s.tracker, "an option the file leaves out keeps its default");
    }

    @Test
    void shouldReadTheReceiversJournalOptionsFromTheFileWithTheirUnits() throws IOException {
        Path conf = file("listen = 0.0.0.0:7700", "data-dir = /srv/replicas", "journal-dir = /srv/journal",
                "retain = 7d", "journal-max-bytes = 200GiB", "insecure-plaintext = false");
        TargetCommand t = parse(TargetCommand.class, "target", "--config", conf.toString());
        assertEquals(Path.of("/srv/journal"), t.journalDir);
        assertEquals(7L * 24 * 3_600_000, t.retainMs);
        assertEquals(200L << 30, t.journalMaxBytes);
        assertFalse(t.noJournal);
        TargetCommand defaults = parse(TargetCommand.class, "target", "--listen", "127.0.0.1:7700", "--data-dir", "/d");
        assertEquals(24L * 3_600_000, defaults.retainMs, "--retain defaults to 24h");
        assertEquals(null, defaults.journalMaxBytes, "no size cap by default");
        assertEquals(null, defaults.journalDir, "the journal beside the data directory by default");
    }

    @Test
    void shouldLetTheCommandLineReplaceTheFilesValues() throws IOException {
        Path conf = file("target = 10.0.0.5:7700", "volume = /dev/sda=root", "volume = /dev/sdb=data",
                "state-dir = /var/lib/replicator/web1", "id = web1", "insecure-plaintext = true");
        SourceCommand s = parse(SourceCommand.class, "source", "--id", "web2", "--config", conf.toString(),
                "--volume=/dev/sdc=other", "--target", "127.0.0.1:7700");
        assertEquals("web2", s.id);
        assertEquals(List.of("/dev/sdc=other"), s.volumes, "volumes on the command line replace all of the file's");
        assertEquals(new InetSocketAddress("127.0.0.1", 7700), s.target);
        assertEquals(Path.of("/var/lib/replicator/web1"), s.stateDir);
        assertTrue(s.insecurePlaintext);
    }

    @Test
    void shouldReadTheTargetsRepeatedMaps() throws IOException {
        Path conf = file("listen = 0.0.0.0:7700", "data-dir = /srv/replicas", "map = web1/root=/dev/nvme1n1",
                "map = web1/data=/dev/nvme2n1", "admin = 127.0.0.1:7702");
        TargetCommand t = parse(TargetCommand.class, "target", "--config=" + conf);
        assertEquals(Path.of("/srv/replicas"), t.dataDir);
        assertEquals(List.of("web1/root=/dev/nvme1n1", "web1/data=/dev/nvme2n1"), t.maps);
        assertEquals(new InetSocketAddress("127.0.0.1", 7702), t.admin);
    }

    @Test
    void shouldRefuseAnUnknownKeyWithItsNameAndLine() throws IOException {
        Path conf = file("# comment", "listen = 127.0.0.1:0", "colour = blue", "data-dir = " + dir);
        CliRun r = CliRun.run("target", "--config", conf.toString());
        assertOneLineExit2(r, conf + " line 3: unknown key 'colour'");
        assertTrue(r.err().contains("data-dir") && r.err().contains("listen"), "the message lists the keys: " + r.err());
    }

    @Test
    void shouldRefuseKeysThatAreNotOptionsOfThisCommand() throws IOException {
        assertOneLineExit2(CliRun.run("target", "--config", file("volume = /dev/sda").toString()),
                "line 1: unknown key 'volume'");
        assertOneLineExit2(CliRun.run("source", "--config", file("--target = 127.0.0.1:1").toString()),
                "line 1: unknown key '--target'");
        assertOneLineExit2(CliRun.run("source", "--config", file("config = other.conf").toString()),
                "line 1: unknown key 'config'");
        assertOneLineExit2(CliRun.run("source", "--config", file("help = true").toString()),
                "line 1: unknown key 'help'");
    }

    @Test
    void shouldRefuseALineWithoutKeyAndValue() throws IOException {
        assertOneLineExit2(CliRun.run("source", "--config", file("target 127.0.0.1:1").toString()),
                "line 1: expected KEY = VALUE, not 'target 127.0.0.1:1'");
    }

    @Test
    void shouldRefuseAFlagThatIsNeitherTrueNorFalse() throws IOException {
        assertOneLineExit2(CliRun.run("target", "--config", file("", "insecure-plaintext = yes").toString()),
                "line 2: insecure-plaintext takes true or false, not 'yes'");
    }

    @Test
    void shouldRefuseAMissingFile() {
        assertOneLineExit2(CliRun.run("target", "--config", dir.resolve("none.conf").toString()),
                "cannot read --config " + dir.resolve("none.conf"));
    }

    @Test
    void shouldCheckTheFilesValuesAsFlagsAreChecked() throws IOException {
        assertOneLineExit2(CliRun.run("target", "--config", file("listen = 127.0.0.1:99999", "data-dir = x").toString()),
                "invalid port 99999");
    }

    @Test
    void shouldReadTheExampleFilesOfTheReleaseArchive() {
        Path examples = Path.of("..", "replicator-dist", "src", "dist", "config");
        SourceCommand s = parse(SourceCommand.class, "source", "--config", examples.resolve("source.conf").toString());
        assertEquals(List.of("/dev/sda=root", "/dev/sdb=data"), s.volumes);
        TargetCommand t = parse(TargetCommand.class, "target", "--config", examples.resolve("target.conf").toString());
        assertEquals(Path.of("/srv/replicas"), t.dataDir);
    }
}
