package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The layering of STYLE.md, enforced: protocol knows no module of ours; source and target depend
 * on protocol and never on each other, neither in their poms nor in an import.
 */
@Timeout(30)
class LayeringTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void protocolShouldDependOnNoOtherModule() throws IOException {
        String pom = Files.readString(ROOT.resolve("protocol/pom.xml"));
        for (String module : new String[] {"replicator-source", "replicator-target", "replicator-cli", "benchmarks"}) {
            assertFalse(pom.contains("<artifactId>" + module + "</artifactId>"), "protocol/pom.xml depends on " + module);
        }
        assertNoImport("protocol", "io.replicator.source", "io.replicator.target", "io.replicator.cli");
    }

    @Test
    void sourceAndTargetShouldNeverDependOnEachOther() throws IOException {
        assertFalse(Files.readString(ROOT.resolve("replicator-source/pom.xml")).contains("replicator-target"));
        assertFalse(Files.readString(ROOT.resolve("replicator-target/pom.xml")).contains("replicator-source"));
        assertTrue(Files.readString(ROOT.resolve("replicator-source/pom.xml")).contains("<artifactId>protocol</artifactId>"));
        assertNoImport("replicator-source", "io.replicator.target", "io.replicator.cli");
        assertNoImport("replicator-target", "io.replicator.source", "io.replicator.cli");
    }

    private static void assertNoImport(String module, String... forbidden) throws IOException {
        try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(f);
                for (String pkg : forbidden) {
                    assertFalse(text.contains(pkg + "."), f + " uses " + pkg);
                }
            }
        }
    }
}
