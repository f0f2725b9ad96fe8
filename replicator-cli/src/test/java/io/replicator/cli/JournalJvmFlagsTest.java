package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.target.journal.JournalJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JVM options Chronicle Queue needs are written in four places besides {@link JournalJvm}: the
 * launcher, the build's test JVMs, the journal benchmark's forks, and (through
 * {@link JournalJvm#flags()}) the tests that start daemons. A flag added to one and not the others fails here, not in a receiver at start-up.
 */
@Timeout(30)
class JournalJvmFlagsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void shouldStartEveryDaemonWithTheFlagsTheJournalNeeds() throws IOException {
        String launcher = Files.readString(ROOT.resolve("replicator-cli/jvm/launch.sh"));
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        String benchmark = Files.readString(ROOT.resolve(
                "benchmarks/src/main/java/io/replicator/benchmarks/JournalAppendBenchmark.java"));
        for (String flag : JournalJvm.FLAGS) {
            assertTrue(launcher.contains(flag), "the launcher passes " + flag);
            assertTrue(pom.contains(flag), "pom.xml's chronicle.jvm.args has " + flag);
            assertTrue(benchmark.contains(flag), "JournalAppendBenchmark's forks get " + flag);
        }
        for (String flag : JournalJvm.FLAGS_24) {
            assertTrue(launcher.contains(flag), "the launcher passes " + flag + " on Java 24+");
            assertTrue(pom.contains(flag), "pom.xml's Java 24 profile has " + flag);
        }
    }

    @Test
    void shouldRunTheseTestsWithThem() {
        JournalJvm.requireFlags(); // this JVM is a surefire fork: its argLine has them
    }
}
