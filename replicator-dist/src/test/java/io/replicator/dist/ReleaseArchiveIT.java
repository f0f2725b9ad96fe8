package io.replicator.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as an admin uses it: unpacked into a temporary directory and run with a
 * {@code PATH} that holds no {@code java} and no {@code mvn}, only the few tools the launcher
 * needs, so the runtime inside the archive is all there is.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReleaseArchiveIT {
    /** What bin/replicator runs: bash and a few coreutils, nothing else from the machine. */
    private static final List<String> LAUNCHER_TOOLS =
            List.of("bash", "dirname", "basename", "readlink", "grep", "head", "ls", "mkdir", "mv", "rm");

    @TempDir
    static Path dir;

    static Path home;
    static Path bareBin;

    @BeforeAll
    static void unpack() throws Exception {
        Path archive = Path.of(System.getProperty("replicator.archive"));
        assertTrue(Files.isRegularFile(archive), "mvn package made " + archive);
        Path unpacked = Files.createDirectories(dir.resolve("opt"));
        Run tar = Run.of(List.of("tar", "-C", unpacked.toString(), "-xzf", archive.toString()), null);
        assertEquals(0, tar.exit(), tar.output());
        home = unpacked.resolve("replicator-" + System.getProperty("replicator.version"));
        bareBin = Files.createDirectories(dir.resolve("bare-bin"));
        for (String tool : LAUNCHER_TOOLS) {
            Path found = List.of(Path.of("/usr/bin", tool), Path.of("/bin", tool)).stream()
                    .filter(Files::isExecutable).findFirst()
                    .orElseThrow(() -> new AssertionError(tool + " is in neither /usr/bin nor /bin"));
            Files.createSymbolicLink(bareBin.resolve(tool), found);
        }
    }

    @Test
    void shouldHaveNoJavaAndNoMavenOnTheStrippedPath() throws Exception {
        for (String tool : List.of("java", "mvn", "javac", "jlink")) {
            Run r = Run.of(List.of(bareBin.resolve("bash").toString(), "-c", "command -v " + tool), bareBin);
            assertNotEquals(0, r.exit(), tool + " found on the stripped PATH: " + r.output());
        }
    }

    @Test
    void shouldHoldTheLauncherRuntimeUnitsConfigsAndDashboards() {
        for (String file : List.of("bin/replicator", "runtime/bin/java", "runtime/lib/server/classes.jsa",
                "lib/jvm/launch.sh", "lib/jvm/compiler-directives.json", "systemd/replicator-target.service",
                "systemd/replicator-source@.service", "config/target.conf", "config/source.conf",
                "monitoring/replicator-rules.yml", "monitoring/replicator-dashboard.json", "docs/operations.md")) {
            assertTrue(Files.exists(home.resolve(file)), "the archive holds " + file);
        }
        assertTrue(Files.isExecutable(home.resolve("bin/replicator")));
        assertFalse(Files.exists(home.resolve("runtime/bin/javac")), "the runtime is no JDK");
    }

    @Test
    void shouldPrintTheVersionAndTheCommitItWasBuiltFrom() throws Exception {
        Run r = Run.of(List.of(home.resolve("bin/replicator").toString(), "--version"), bareBin);
        assertEquals(0, r.exit(), r.output());
        String commit = commitOfThisClone();
        String expected = "replicator " + System.getProperty("replicator.version") + " ("
                + (commit == null ? "unknown commit" : "commit " + commit) + ")";
        assertTrue(r.output().startsWith(expected), "expected '" + expected + "': " + r.output());
    }

    @Test
    void shouldRunTheDemoWithTheArchivesOwnRuntime() throws Exception {
        Run r = Run.of(List.of(home.resolve("bin/replicator").toString(), "demo", "--size", "16MiB"), bareBin);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("cutover ok"), r.output());
        assertTrue(r.output().contains("EQUAL"), r.output());
        assertFalse(r.output().contains("compiler directives"), "the JVM's informational lines stay out: " + r.output());
        assertFalse(r.output().contains("\u001b"), "no terminal escape codes: " + r.output());
    }

    @Test
    void shouldSayWhatToInstallWhenTheRuntimeIsMissing() throws Exception {
        Path partial = Files.createDirectories(dir.resolve("partial"));
        Run cp = Run.of(List.of("cp", "-r", home.resolve("bin").toString(), home.resolve("lib").toString(),
                partial.toString()), null);
        assertEquals(0, cp.exit(), cp.output());
        Run r = Run.of(List.of(partial.resolve("bin/replicator").toString(), "--version"), bareBin);
        assertEquals(2, r.exit(), r.output());
        assertTrue(r.output().contains("install a Java runtime 17 or newer"), r.output());
    }

    @Test
    void shouldSayWhatToInstallWhenTheClonesJavaIsOlderThan17() throws Exception {
        Path oldJdk = Files.createDirectories(dir.resolve("old-jdk/bin"));
        Files.writeString(oldJdk.getParent().resolve("release"), "JAVA_VERSION=\"11.0.21\"\n");
        Path java = Files.writeString(oldJdk.resolve("java"), "#!/bin/sh\nexit 0\n");
        assertTrue(java.toFile().setExecutable(true));
        Path rootLauncher = Path.of("..", "replicator").toAbsolutePath().normalize();
        Run r = Run.of(List.of(rootLauncher.toString(), "--version"), bareBin, "JAVA_HOME=" + oldJdk.getParent());
        assertEquals(2, r.exit(), r.output());
        assertTrue(r.output().contains("is Java 11, and 17 or newer is needed; install a Java runtime 17 or newer"),
                r.output());
        Run none = Run.of(List.of(rootLauncher.toString(), "--version"), bareBin);
        assertEquals(2, none.exit(), none.output());
        assertTrue(none.output().contains("no 'java' found on PATH or in JAVA_HOME; install"), none.output());
    }

    @Test
    void shouldPassSystemdAnalyzeVerify() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "skipped: systemd-analyze is not installed "
                + "(scripts/test-prerequisites.sh installs the systemd package)");
        Path units = Files.createDirectories(dir.resolve("units"));
        // The units name the archive unpacked in /opt/replicator: here it is unpacked elsewhere.
        for (String[] unit : new String[][] {{"replicator-target.service", "replicator-target.service"},
                {"replicator-source@.service", "replicator-source@web1.service"}}) {
            String text = Files.readString(home.resolve("systemd").resolve(unit[0]));
            assertTrue(text.contains("/opt/replicator/bin/replicator "), unit[0]);
            Files.writeString(units.resolve(unit[1]), text.replace("/opt/replicator/", home + "/"));
            Run r = Run.of(List.of(analyze.toString(), "verify", units.resolve(unit[1]).toString()), null);
            assertEquals(0, r.exit(), unit[1] + ": " + r.output());
            assertEquals("", r.output().trim(), unit[1] + ": systemd-analyze verify finds nothing to say");
        }
    }

    /** The commit of the clone this build ran in (abbreviated as the build writes it), or null outside git. */
    private static String commitOfThisClone() throws Exception {
        try {
            Run r = Run.of(List.of("git", "-C", Path.of("..").toAbsolutePath().toString(), "rev-parse", "--short=12",
                    "HEAD"), null);
            return r.exit() == 0 ? r.output().trim() : null;
        } catch (IOException noGit) {
            return null;
        }
    }
}
