package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The layering of STYLE.md, enforced: protocol knows no module of ours; replicator-admin knows only
 * protocol; source and target depend on protocol and replicator-admin and never on each other nor on
 * the command line, neither in their poms nor in an import; certificate issuing (replicator-pki) is
 * on no daemon's compile classpath and protocol names none of its classes.
 */
@Timeout(30)
class LayeringTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** The classes of replicator-pki: the same package as protocol's TLS, so named one by one. */
    private static final String[] ISSUING = {"CertificateAuthority", "CertificateSigner", "PemWriter", "AdminClientTls",
            "DaemonTrustManager"};
    private static final Pattern COMMENT = Pattern.compile("(?s)/\\*.*?\\*/|//[^\n]*");
    private static final String[] DAEMONS = {"replicator-source", "replicator-target"};

    @Test
    void protocolShouldDependOnNoOtherModule() throws IOException {
        String pom = Files.readString(ROOT.resolve("protocol/pom.xml"));
        for (String module : new String[] {"replicator-source", "replicator-target", "replicator-cli", "benchmarks",
                "replicator-admin", "replicator-pki"}) {
            assertFalse(pom.contains("<artifactId>" + module + "</artifactId>"), "protocol/pom.xml depends on " + module);
        }
        assertNoImport("protocol", "io.replicator.source", "io.replicator.target", "io.replicator.cli",
                "io.replicator.admin");
    }

    @Test
    void sourceAndTargetShouldNeverDependOnEachOther() throws IOException {
        assertFalse(Files.readString(ROOT.resolve("replicator-source/pom.xml")).contains("replicator-target"));
        assertFalse(Files.readString(ROOT.resolve("replicator-target/pom.xml")).contains("replicator-source"));
        assertTrue(Files.readString(ROOT.resolve("replicator-source/pom.xml")).contains("<artifactId>protocol</artifactId>"));
        assertNoImport("replicator-source", "io.replicator.target", "io.replicator.cli");
        assertNoImport("replicator-target", "io.replicator.source", "io.replicator.cli");
    }

    @Test
    void daemonsShouldNeverDependOnTheCommandLine() throws IOException {
        for (String daemon : DAEMONS) {
            assertFalse(dependencies(daemon).contains("replicator-cli"), daemon + "/pom.xml depends on replicator-cli");
        }
    }

    @Test
    void theAdminEndpointShouldKnowOnlyProtocol() throws IOException {
        List<String> deps = dependencies("replicator-admin");
        for (String module : new String[] {"replicator-source", "replicator-target", "replicator-cli", "replicator-pki"}) {
            assertFalse(deps.contains(module), "replicator-admin/pom.xml depends on " + module);
        }
        assertNoImport("replicator-admin", "io.replicator.source", "io.replicator.target", "io.replicator.cli");
        assertNoClass("replicator-admin/src/main", ISSUING);
    }

    @Test
    void issuingShouldBeOnNoDaemonsCompileClasspath() throws IOException {
        for (String daemon : DAEMONS) {
            assertFalse(dependencies(daemon).contains("replicator-pki"),
                    daemon + "/pom.xml links replicator-pki outside test scope");
            assertNoClass(daemon + "/src/main", ISSUING);
        }
        assertNoClass("protocol/src", ISSUING);
        for (String issuing : ISSUING) {
            assertFalse(Files.exists(ROOT.resolve("protocol/src/main/java/io/replicator/protocol/tls/" + issuing + ".java")),
                    issuing + " is back in protocol");
        }
    }

    /** The artifactIds a module's pom depends on outside test scope. */
    private static List<String> dependencies(String module) throws IOException {
        String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
        Matcher m = Pattern.compile("(?s)<dependency>(.*?)</dependency>").matcher(pom);
        List<String> ids = new ArrayList<>();
        while (m.find()) {
            String dep = m.group(1);
            if (!dep.contains("<scope>test</scope>")) {
                Matcher id = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(dep);
                if (id.find()) {
                    ids.add(id.group(1));
                }
            }
        }
        return ids;
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

    /** No source file below {@code dir} uses one of {@code classes} (a word in its code; comments may name them). */
    private static void assertNoClass(String dir, String... classes) throws IOException {
        try (Stream<Path> files = Files.walk(ROOT.resolve(dir))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = COMMENT.matcher(Files.readString(f)).replaceAll(" ");
                for (String c : classes) {
                    assertFalse(Pattern.compile("\\b" + c + "\\b").matcher(text).find(), f + " uses " + c);
                }
            }
        }
    }
}
