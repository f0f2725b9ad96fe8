package io.replicator.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Version negotiation, the handshake constants and the version checks of Hello and HelloAck. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProtocolVersionTest {

    @Test
    void shouldPickTheLowerMaxWhenRangesOverlap() {
        assertEquals(3, ProtocolVersion.negotiate(1, 3, 2, 5));
        assertEquals(3, ProtocolVersion.negotiate(2, 5, 1, 3));
        assertEquals(1, ProtocolVersion.negotiate(1, 1, 1, 1));
        assertEquals(2, ProtocolVersion.negotiate(2, 4, 1, 2));
    }

    @Test
    void shouldRefuseDisjointRangesNamingBoth() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> ProtocolVersion.negotiate(1, 1, 2, 3));
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, e.code());
        assertTrue(e.getMessage().contains("I support 1-1, peer supports 2-3"), e.getMessage());
        ProtocolException older = assertThrows(ProtocolException.class, () -> ProtocolVersion.negotiate(3, 5, 1, 2));
        assertTrue(older.getMessage().contains("I support 3-5, peer supports 1-2"), older.getMessage());
        assertEquals(false, older.retriable());
    }

    @Test
    void shouldRefuseAnInvertedPeerRange() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> ProtocolVersion.negotiate(1, 5, 4, 3));
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, e.code());
    }

    @Test
    void shouldKeepHandshakeConstants() {
        assertEquals("RPLC", new String(Hex.bytes(Integer.toHexString(ProtocolVersion.MAGIC)), StandardCharsets.US_ASCII));
        assertEquals(2, ProtocolVersion.MIN_SUPPORTED);
        assertEquals(2, ProtocolVersion.MAX_SUPPORTED);
        assertEquals(1L, ProtocolVersion.FEATURE_LZ4);
        assertEquals(2L, ProtocolVersion.FEATURE_ZERO_RANGES);
        assertEquals(4L, ProtocolVersion.FEATURE_BLOCK_RUNS);
        assertEquals(8L, ProtocolVersion.FEATURE_CUTOVER_SEAL);
        assertEquals(15L, ProtocolVersion.SUPPORTED_FEATURES);
    }

    @Test
    void shouldRefuseTheHelloAckOfAV1TargetNamingBothRanges() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> ProtocolVersion.checkHelloAck(new HelloAck(1, 1, 1, 7, 0)));
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, e.code());
        assertEquals("no common protocol version: I support 2-2, peer supports 1-1", e.getMessage());
    }

    @Test
    void shouldRefuseAHelloAckThatChoseAnotherVersionThanTheCommonOne() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> ProtocolVersion.checkHelloAck(new HelloAck(1, 1, 3, 7, 0)));
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, e.code());
        assertEquals("the target chose protocol v1, but the common version is v2: I support 2-2, peer supports 1-3",
                e.getMessage());
        assertEquals(2, ProtocolVersion.checkHelloAck(new HelloAck(2, 1, 3, 7, 0)));
    }

    @Test
    void shouldRefuseHelloWithVersionOutsideU16() {
        List<VolumeInfo> volumes = List.of(new VolumeInfo("v", 0, 4096));
        ProtocolException e = assertThrows(ProtocolException.class, () -> new Hello(1, 65536, 0, "s", volumes));
        assertEquals("invalid maxVersion: 65536 (expected: 1-65535)", e.getMessage());
        assertThrows(ProtocolException.class, () -> new Hello(0, 1, 0, "s", volumes));
    }

    @Test
    void shouldRefuseHelloAckWhoseVersionIsOutsideItsRange() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> new HelloAck(3, 1, 2, 0, 0));
        assertEquals("invalid version: 3 (expected: 1-2)", e.getMessage());
    }
}
