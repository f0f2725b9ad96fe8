package io.replicator.protocol.tls;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The rule for plain TCP: explicit, and on loopback only; otherwise a PKI bundle. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PlaintextTest {
    @TempDir
    Path dir;

    @Test
    void shouldTreatLoopbackAddressesAndLocalhostAsLoopback() {
        assertTrue(Plaintext.isLoopback(new InetSocketAddress("127.0.0.1", 1)));
        assertTrue(Plaintext.isLoopback(new InetSocketAddress("127.4.5.6", 1)));
        assertTrue(Plaintext.isLoopback(new InetSocketAddress("::1", 1)));
        assertTrue(Plaintext.isLoopback(new InetSocketAddress("localhost", 1)));
        assertTrue(Plaintext.isLoopback(InetSocketAddress.createUnresolved("localhost", 1)));
    }

    @Test
    void shouldNotTreatTheWildcardOrAnotherAddressAsLoopback() {
        assertFalse(Plaintext.isLoopback(new InetSocketAddress("0.0.0.0", 1)));
        assertFalse(Plaintext.isLoopback(new InetSocketAddress("::", 1)));
        assertFalse(Plaintext.isLoopback(new InetSocketAddress("192.0.2.1", 1)));
        assertFalse(Plaintext.isLoopback(InetSocketAddress.createUnresolved("no-such-host.invalid", 1)));
    }

    @Test
    void shouldRefuseNeitherBundleNorPlaintextNamingBothFlags() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plaintext.check(null, false, new InetSocketAddress("127.0.0.1", 1), "listen address"));
        assertTrue(e.getMessage().contains("--pki BUNDLE") && e.getMessage().contains("--insecure-plaintext"),
                e.getMessage());
    }

    @Test
    void shouldRefusePlaintextOnANonLoopbackAddressNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plaintext.check(null, true, new InetSocketAddress("192.0.2.1", 9), "target address"));
        assertTrue(e.getMessage().contains("target address 192.0.2.1:9 is not loopback"), e.getMessage());
    }

    @Test
    void shouldRefuseABundleTogetherWithPlaintext() {
        PkiBundle bundle = new TestPki(dir, "ca").bundle(Role.TARGET, "127.0.0.1", "target");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plaintext.check(bundle, true, new InetSocketAddress("127.0.0.1", 1), "listen address"));
        assertTrue(e.getMessage().contains("exclude each other"), e.getMessage());
    }

    @Test
    void shouldAllowPlaintextOnLoopbackAndABundleAnywhere() {
        PkiBundle bundle = new TestPki(dir, "ca").bundle(Role.TARGET, "127.0.0.1", "target");
        assertDoesNotThrow(() -> Plaintext.check(null, true, new InetSocketAddress("127.0.0.1", 1), "listen address"));
        assertDoesNotThrow(() -> Plaintext.check(bundle, false, new InetSocketAddress("0.0.0.0", 1), "listen address"));
    }
}
