package io.replicator.protocol.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.guard.ConnectionLimiter.Limit;
import io.replicator.protocol.guard.ConnectionLimiter.Refusal;
import io.replicator.protocol.guard.ConnectionLimiter.Slot;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionLimiterTest {
    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    @Test
    void shouldCountAnIpv4AddressOnItsOwn() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(100, 2);
        assertInstanceOf(Slot.class, limiter.tryAcquire(ip("192.0.2.7")));
        assertInstanceOf(Slot.class, limiter.tryAcquire(ip("192.0.2.7")));
        Refusal refusal = assertInstanceOf(Refusal.class, limiter.tryAcquire(ip("192.0.2.7")));
        assertEquals(new Refusal(Limit.PREFIX, "192.0.2.7", 2, 2), refusal);
        assertEquals("192.0.2.7", refusal.logKey());
        assertTrue(refusal.toString().contains("2 connections from 192.0.2.7"), refusal.toString());
        assertInstanceOf(Slot.class, limiter.tryAcquire(ip("192.0.2.8")), "the next address has its own count");
    }

    @Test
    void shouldCountEveryAddressOfAnIpv6Slash64Together() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(100, 3);
        assertInstanceOf(Slot.class, limiter.tryAcquire(ip("2001:db8:0:7::1")));
        assertInstanceOf(Slot.class, limiter.tryAcquire(ip("2001:db8:0:7:ffff:ffff:ffff:ffff")));
        assertInstanceOf(Slot.class, limiter.tryAcquire(ip("2001:db8:0:7:1234::abcd")));
        Refusal refusal = assertInstanceOf(Refusal.class, limiter.tryAcquire(ip("2001:db8:0:7:dead:beef::")));
        assertEquals("2001:db8:0:7::/64", refusal.prefix());
        assertEquals(3, limiter.pending(ip("2001:db8:0:7::99")));
        assertInstanceOf(Slot.class, limiter.tryAcquire(ip("2001:db8:0:8::1")), "the next /64 has its own count");
        assertInstanceOf(Slot.class, limiter.tryAcquire(ip("2001:db9:0:7::1")));
    }

    @Test
    void shouldNameIpv6PrefixesByTheirFirstFourGroups() throws Exception {
        assertEquals("2001:db8:0:0::/64", ConnectionLimiter.prefixOf(ip("2001:db8::1")));
        assertEquals("fe80:0:0:0::/64", ConnectionLimiter.prefixOf(ip("fe80::1%1")));
        assertEquals("0:0:0:0::/64", ConnectionLimiter.prefixOf(ip("::1")));
        assertEquals("10.1.2.3", ConnectionLimiter.prefixOf(ip("::ffff:10.1.2.3")), "IPv4-mapped is IPv4");
    }

    @Test
    void shouldRefuseBeyondTheCapInAllWhateverTheAddresses() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(5, 2);
        List<Slot> slots = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            slots.add(assertInstanceOf(Slot.class, limiter.tryAcquire(ip("2001:db8:" + i + "::1"))));
        }
        Refusal refusal = assertInstanceOf(Refusal.class, limiter.tryAcquire(ip("2001:db8:6::1")));
        assertEquals(new Refusal(Limit.ALL, "2001:db8:6:0::/64", 5, 5), refusal);
        assertEquals("all addresses", refusal.logKey());
        assertEquals(0, limiter.pending(ip("2001:db8:6::1")), "a refusal holds nothing");
        slots.get(0).release();
        assertInstanceOf(Slot.class, limiter.tryAcquire(ip("2001:db8:6::1")));
    }

    @Test
    void shouldGiveASlotBackOnceHoweverOftenItIsReleased() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(10, 2);
        Slot a = assertInstanceOf(Slot.class, limiter.tryAcquire(ip("192.0.2.1")));
        Slot b = assertInstanceOf(Slot.class, limiter.tryAcquire(ip("192.0.2.1")));
        a.release();
        a.release();
        assertEquals(1, limiter.pending(ip("192.0.2.1")));
        assertEquals(1, limiter.pending());
        b.release();
        assertEquals(0, limiter.pending());
        assertEquals(0, limiter.pending(ip("192.0.2.1")));
    }

    @Test
    void shouldRefuseLimitsBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new ConnectionLimiter(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConnectionLimiter(1, 0));
    }
}
