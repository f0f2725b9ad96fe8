package io.replicator.protocol.guard;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the connections of one listening endpoint that have not authenticated yet (accepted,
 * perhaps in their TLS handshake, without an accepted first request): at most {@code maxPending}
 * in all, and at most {@code maxPendingPerPrefix} from one address prefix. The prefix of an IPv4
 * address is the address (/32); of an IPv6 address its /64, the block one host or link is given,
 * so walking through the addresses of a /64 gains nothing. A connection that authenticates gives
 * its {@link Slot} back: what it holds from then on is bounded by what it authenticated as.
 *
 * <p>Knows nothing of what it guards; the endpoint asks {@link #tryAcquire} for every accepted
 * connection and closes the connection when it gets a {@link Refusal}. Thread-safe: acquired on
 * the accepting thread, released on any.
 */
public final class ConnectionLimiter {
    /** Bits of an IPv6 address that make its prefix. */
    public static final int IPV6_PREFIX_BITS = 64;

    private final int maxPending;
    private final int maxPendingPerPrefix;
    private final AtomicInteger pending = new AtomicInteger();
    private final ConcurrentMap<String, Integer> pendingByPrefix = new ConcurrentHashMap<>();

    /** What {@link #tryAcquire} gives: a {@link Slot}, or a {@link Refusal} saying which limit was reached. */
    public sealed interface Admission permits Slot, Refusal {
    }

    /** Which limit refused a connection. */
    public enum Limit { PREFIX, ALL }

    /**
     * A connection refused because {@code pending} connections already wait under {@code limit}
     * ({@code max} of them allowed); {@code prefix} is the refused connection's.
     */
    public record Refusal(Limit limit, String prefix, int pending, int max) implements Admission {
        /** What to rate-limit log lines by: the prefix for a prefix's limit, one key for the limit on all. */
        public String logKey() {
            return limit == Limit.ALL ? "all addresses" : prefix;
        }

        @Override
        public String toString() {
            return limit == Limit.ALL
                    ? String.format("%d connections are already waiting to authenticate (limit %d in all)", pending, max)
                    : String.format("%d connections from %s are already waiting to authenticate (limit %d per address, "
                            + "per /%d for IPv6)", pending, prefix, max, IPV6_PREFIX_BITS);
        }
    }

    public ConnectionLimiter(int maxPending, int maxPendingPerPrefix) {
        if (maxPending < 1 || maxPendingPerPrefix < 1) {
            throw new IllegalArgumentException(String.format("invalid limits: %d in all, %d per prefix (expected: "
                    + "at least 1 each)", maxPending, maxPendingPerPrefix));
        }
        this.maxPending = maxPending;
        this.maxPendingPerPrefix = maxPendingPerPrefix;
    }

    public int maxPending() {
        return maxPending;
    }

    public int maxPendingPerPrefix() {
        return maxPendingPerPrefix;
    }

    /** A slot for a new connection from {@code address}, or the refusal when a limit is reached. */
    public Admission tryAcquire(InetAddress address) {
        String prefix = prefixOf(address);
        int[] count = new int[1];
        boolean[] granted = new boolean[1];
        pendingByPrefix.compute(prefix, (p, n) -> {
            count[0] = n == null ? 0 : n;
            if (count[0] >= maxPendingPerPrefix) {
                return n;
            }
            granted[0] = true;
            return count[0] + 1;
        });
        if (!granted[0]) {
            return new Refusal(Limit.PREFIX, prefix, count[0], maxPendingPerPrefix);
        }
        while (true) {
            int all = pending.get();
            if (all >= maxPending) {
                releasePrefix(prefix);
                return new Refusal(Limit.ALL, prefix, all, maxPending);
            }
            if (pending.compareAndSet(all, all + 1)) {
                return new Slot(prefix);
            }
        }
    }

    /** Connections holding a slot now. */
    public int pending() {
        return pending.get();
    }

    /** Connections from the prefix of {@code address} holding a slot now. */
    public int pending(InetAddress address) {
        return pendingByPrefix.getOrDefault(prefixOf(address), 0);
    }

    /** The prefix an address is counted under: {@code 192.0.2.7}, or {@code 2001:db8:0:7::/64}. */
    public static String prefixOf(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return address.getHostAddress();
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < IPV6_PREFIX_BITS / 8; i += 2) {
            text.append(Integer.toHexString((b[i] & 0xff) << 8 | b[i + 1] & 0xff)).append(':');
        }
        return text.append(":/").append(IPV6_PREFIX_BITS).toString();
    }

    private void releasePrefix(String prefix) {
        pendingByPrefix.computeIfPresent(prefix, (p, n) -> n <= 1 ? null : n - 1);
    }

    /** One connection's place in the counts; {@link #release()} is idempotent and may be called from any thread. */
    public final class Slot implements Admission {
        private final String prefix;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(String prefix) {
            this.prefix = prefix;
        }

        /** The prefix the connection is counted under. */
        public String prefix() {
            return prefix;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                releasePrefix(prefix);
                pending.decrementAndGet();
            }
        }
    }
}
