package io.replicator.target.net;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds the connections from one address that are not yet sessions: accepted, perhaps in their TLS
 * handshake, and without an accepted HELLO. A session whose HELLO was accepted gives its slot back:
 * sessions are bounded by one per source id instead, so garbage from an address never starves a
 * source that already authenticated from it. Thread-safe: acquired on the accepting event loop,
 * released on the session's.
 */
final class ConnectionLimiter {
    private final int maxPerAddress;
    private final ConcurrentMap<InetAddress, Integer> pending = new ConcurrentHashMap<>();

    ConnectionLimiter(int maxPerAddress) {
        this.maxPerAddress = maxPerAddress;
    }

    int maxPerAddress() {
        return maxPerAddress;
    }

    /** A slot for a new connection from {@code address}, or null when it already has the most allowed. */
    Slot tryAcquire(InetAddress address) {
        boolean[] granted = new boolean[1];
        pending.compute(address, (a, n) -> {
            int count = n == null ? 0 : n;
            if (count >= maxPerAddress) {
                return n;
            }
            granted[0] = true;
            return count + 1;
        });
        return granted[0] ? new Slot(address) : null;
    }

    /** Connections from {@code address} holding a slot now. */
    int pending(InetAddress address) {
        return pending.getOrDefault(address, 0);
    }

    /** One connection's place in the count; {@link #release()} is idempotent. */
    final class Slot {
        private final InetAddress address;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(InetAddress address) {
            this.address = address;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                pending.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
            }
        }
    }
}
