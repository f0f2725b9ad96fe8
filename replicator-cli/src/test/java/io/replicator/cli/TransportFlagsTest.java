package io.replicator.cli;

import static io.replicator.cli.CliRun.assertOneLineExit2;

import io.replicator.protocol.tls.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Daemons refuse to start without TLS unless plain TCP is asked for explicitly, and on loopback only. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportFlagsTest {
    private static final String NO_PKI = "pass --pki BUNDLE (made with './replicator pki issue') for mutual TLS, "
            + "or --insecure-plaintext for plain TCP on loopback";

    @TempDir
    Path dir;

    private String[] source(String target, String... more) throws Exception {
        Path volume = dir.resolve("v.img");
        Files.write(volume, new byte[65536]);
        String[] base = {"source", "--target", target, "--volume", volume.toString(), "--state-dir",
                dir.resolve("s").toString(), "--id", "x"};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void shouldRefuseATargetWithoutPkiOrInsecurePlaintext() {
        assertOneLineExit2(CliRun.run("target", "--listen", "127.0.0.1:0", "--data-dir", dir.toString()), NO_PKI);
    }

    @Test
    void shouldRefuseASourceWithoutPkiOrInsecurePlaintext() throws Exception {
        assertOneLineExit2(CliRun.run(source("127.0.0.1:1")), NO_PKI);
    }

    @Test
    void shouldRefuseInsecurePlaintextOnAWildcardListenAddress() {
        assertOneLineExit2(CliRun.run("target", "--listen", "0.0.0.0:0", "--data-dir", dir.toString(),
                "--insecure-plaintext"),
                "--insecure-plaintext refused: the --listen address 0.0.0.0:0 is not loopback");
    }

    @Test
    void shouldRefuseInsecurePlaintextToANonLoopbackTarget() throws Exception {
        assertOneLineExit2(CliRun.run(source("192.0.2.1:9", "--insecure-plaintext")),
                "--insecure-plaintext refused: the --target address 192.0.2.1:9 is not loopback");
    }

    @Test
    void shouldRefusePkiTogetherWithInsecurePlaintext() throws Exception {
        String bundle = TestPki.shared().target().toString();
        assertOneLineExit2(CliRun.run("target", "--listen", "127.0.0.1:0", "--data-dir", dir.toString(),
                "--pki", bundle, "--insecure-plaintext"), "--pki and --insecure-plaintext exclude each other");
        assertOneLineExit2(CliRun.run(source("127.0.0.1:1", "--pki", TestPki.shared().source("x").toString(),
                "--insecure-plaintext")), "--pki and --insecure-plaintext exclude each other");
    }

    @Test
    void shouldRefuseANonLoopbackAdminEndpointWithoutPki() throws Exception {
        assertOneLineExit2(CliRun.run("target", "--listen", "127.0.0.1:0", "--data-dir", dir.toString(),
                "--insecure-plaintext", "--admin", "0.0.0.0:0"), "--admin 0.0.0.0:0 is not loopback");
        assertOneLineExit2(CliRun.run(source("127.0.0.1:1", "--insecure-plaintext", "--admin", "0.0.0.0:0")),
                "--admin 0.0.0.0:0 is not loopback");
    }
}
