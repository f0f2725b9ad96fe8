package io.replicator.target;

import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Plaintext;
import io.replicator.protocol.wire.ProtocolException;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.target.journal.JournalConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Everything the target receiver is told at start, in one place. Immutable and thread-safe; made
 * with {@link #builder()}.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>listen</td><td>required</td><td>address the receiver accepts sources on</td></tr>
 *   <tr><td>dataDir</td><td>required</td><td>volume NAME of source ID lands in DATA_DIR/ID/NAME.img;
 *       DATA_DIR/ID/progress holds the highest durable sequence</td></tr>
 *   <tr><td>map</td><td>none</td><td>"ID/NAME" to an existing file or block device written instead</td></tr>
 *   <tr><td>maxQueuedBytes</td><td>64 MiB</td><td>frame bytes queued per session before reading pauses
 *       (resumes below half); a hash request counts the size of its answer. With the write buffer's
 *       high-water mark and a session's buffers, a session holds at most about this plus 5 MiB</td></tr>
 *   <tr><td>maxQueuedBytesTotal</td><td>128 MiB</td><td>frame bytes queued over all sessions: each session
 *       queues at most this divided by the sessions connected (at least 2 MiB), so that the receiver's
 *       memory follows the number of sources, never the size of their volumes; never more than a quarter
 *       of the JVM's direct memory, where the frames lie</td></tr>
 *   <tr><td>maxRateBytesPerSecond</td><td>0 (none)</td><td>bytes received per second over all sources,
 *       shared equally among the sources sending ({@code --max-rate}); {@code throttle} changes it live</td></tr>
 *   <tr><td>groupCommitBytes</td><td>32 MiB</td><td>bytes written between two forced commits at most</td></tr>
 *   <tr><td>groupCommitIntervalMs</td><td>50</td><td>longest time written bytes wait for their commit</td></tr>
 *   <tr><td>pki</td><td>required unless insecurePlaintext</td><td>certificate bundle: mutual TLS 1.3 only</td></tr>
 *   <tr><td>insecurePlaintext</td><td>false</td><td>plain TCP instead of TLS; only on a loopback listen
 *       address ({@link Plaintext})</td></tr>
 *   <tr><td>tlsHandshakeTimeoutMs</td><td>10 s</td><td>a TLS handshake not done by then is abandoned</td></tr>
 *   <tr><td>helloTimeoutMs</td><td>10 s</td><td>a connection that has not sent a valid HELLO this long after
 *       it was accepted (TLS handshake included) is closed</td></tr>
 *   <tr><td>heartbeatIntervalMs</td><td>5 s</td><td>a session that has written nothing this long sends a
 *       HEARTBEAT</td></tr>
 *   <tr><td>idleTimeoutMs</td><td>30 s</td><td>a session that has received nothing this long (while it was
 *       reading) is closed: its source is gone or the connection is half-open; so is one whose source took
 *       nothing it was sent this long</td></tr>
 *   <tr><td>maxPendingConnections</td><td>128</td><td>connections in all that have not yet had their HELLO
 *       accepted (TLS handshakes included); more are closed at once. Sessions whose HELLO was accepted do
 *       not count: they are bounded by one per source id</td></tr>
 *   <tr><td>maxPendingConnectionsPerPrefix</td><td>8</td><td>the same from one IPv4 address or one IPv6
 *       /64</td></tr>
 *   <tr><td>journalDir</td><td>DATA_DIR/../journal (a {@code journal} directory beside the data directory)
 *       </td><td>JOURNAL_DIR/ID holds source ID's journal of what it sent after its initial copy, its undo
 *       history and its checkpoints ({@code --journal-dir}; may be another disk)</td></tr>
 *   <tr><td>journal</td><td>true</td><td>offer sources the journal (feature JOURNAL): history and
 *       checkpoints; false ({@code --no-journal}): every block goes straight to the volumes, as before</td></tr>
 *   <tr><td>retain</td><td>24 h</td><td>how much undo history (launchable checkpoints) to keep per source
 *       ({@code --retain})</td></tr>
 *   <tr><td>journalMaxBytes</td><td>none</td><td>caps each source's undo history; the oldest goes first
 *       ({@code --journal-max-bytes})</td></tr>
 *   <tr><td>crlPollIntervalMs</td><td>250</td><td>how often the bundle's {@code crl.pem} is checked for a
 *       change (modification time, size, file key); SIGHUP re-reads it at once</td></tr>
 * </table>
 */
public final class TargetConfig {
    public static final long DEFAULT_MAX_QUEUED_BYTES = 64L << 20;
    public static final long DEFAULT_GROUP_COMMIT_BYTES = 32L << 20;
    public static final long DEFAULT_MAX_QUEUED_BYTES_TOTAL = 128L << 20;
    public static final long DEFAULT_GROUP_COMMIT_INTERVAL_MS = 50;
    public static final long DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 10_000;
    public static final long DEFAULT_HELLO_TIMEOUT_MS = 10_000;
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 30_000;
    public static final int DEFAULT_MAX_PENDING_CONNECTIONS = 128;
    public static final int DEFAULT_MAX_PENDING_CONNECTIONS_PER_PREFIX = 8;
    public static final long DEFAULT_CRL_POLL_INTERVAL_MS = 250;

    private final InetSocketAddress listen;
    private final Path dataDir;
    private final Map<String, Path> maps;
    private final long maxQueuedBytes;
    private final long groupCommitBytes;
    private final long groupCommitIntervalMs;
    private final PkiBundle pki;
    private final long tlsHandshakeTimeoutMs;
    private final long helloTimeoutMs;
    private final long heartbeatIntervalMs;
    private final long idleTimeoutMs;
    private final int maxPendingConnections;
    private final int maxPendingConnectionsPerPrefix;
    private final long crlPollIntervalMs;
    private final long maxQueuedBytesTotal;
    private final long maxRateBytesPerSecond;
    private final Path journalDir;
    private final Duration retain;
    private final long journalMaxBytes;
    private final LongSupplier journalClockMs;
    private final long journalReserveBytes;
    private final boolean journal;

    private TargetConfig(Builder b) {
        this.journal = b.journal;
        this.journalClockMs = b.journalClockMs;
        this.journalReserveBytes = b.journalReserveBytes;
        this.retain = b.retain;
        this.journalMaxBytes = b.journalMaxBytes;
        this.maxQueuedBytesTotal = b.maxQueuedBytesTotal;
        this.maxRateBytesPerSecond = b.maxRateBytesPerSecond;
        this.pki = b.pki;
        this.listen = Objects.requireNonNull(b.listen, "listen address is required");
        Plaintext.check(b.pki, b.insecurePlaintext, b.listen, "listen address");
        this.dataDir = Objects.requireNonNull(b.dataDir, "dataDir is required");
        this.maps = Map.copyOf(b.maps);
        this.journalDir = b.journalDir != null ? b.journalDir
                : dataDir.toAbsolutePath().normalize().resolveSibling("journal");
        this.maxQueuedBytes = b.maxQueuedBytes;
        this.groupCommitBytes = b.groupCommitBytes;
        this.groupCommitIntervalMs = b.groupCommitIntervalMs;
        this.tlsHandshakeTimeoutMs = b.tlsHandshakeTimeoutMs;
        this.helloTimeoutMs = b.helloTimeoutMs;
        this.heartbeatIntervalMs = b.heartbeatIntervalMs;
        this.idleTimeoutMs = b.idleTimeoutMs;
        this.maxPendingConnections = b.maxPendingConnections;
        this.maxPendingConnectionsPerPrefix = b.maxPendingConnectionsPerPrefix;
        this.crlPollIntervalMs = b.crlPollIntervalMs;
        if (idleTimeoutMs <= heartbeatIntervalMs) {
            throw new IllegalArgumentException(String.format("invalid idleTimeoutMs: %d (expected: more than "
                    + "heartbeatIntervalMs, %d, or a healthy idle source is dropped)", idleTimeoutMs, heartbeatIntervalMs));
        }
    }

    /** Where the sources' journals live: JOURNAL_DIR/ID per source. */
    public Path journalDir() {
        return journalDir;
    }

    /** Whether the receiver offers sources its journal (history, checkpoints); false: every block goes straight to the volumes. */
    public boolean journal() {
        return journal;
    }

    /** How much undo history to keep per source. */
    public Duration retain() {
        return retain;
    }

    /** The cap on each source's undo history in bytes; {@link Long#MAX_VALUE} for none. */
    public long journalMaxBytes() {
        return journalMaxBytes;
    }

    /** The journals' settings: {@link #journalDir()}, {@link #retain()}, {@link #journalMaxBytes()}, defaults otherwise. */
    public JournalConfig journalConfig() {
        return JournalConfig.of(journalDir).withRetain(retain).withMaxBytes(journalMaxBytes)
                .withClockMs(journalClockMs).withReserveBytes(journalReserveBytes);
    }

    /** The receiver's certificate bundle (every connection is mutual TLS 1.3); null only for loopback plain TCP. */
    public PkiBundle pki() {
        return pki;
    }

    public static Builder builder() {
        return new Builder();
    }

    public InetSocketAddress listen() {
        return listen;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Volume mappings, keyed {@code "ID/NAME"}. */
    public Map<String, Path> maps() {
        return maps;
    }

    public long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    public long maxQueuedBytesTotal() {
        return maxQueuedBytesTotal;
    }

    /** The limit on bytes received per second over all sources at start; 0: none. */
    public long maxRateBytesPerSecond() {
        return maxRateBytesPerSecond;
    }

    public long groupCommitBytes() {
        return groupCommitBytes;
    }

    public long groupCommitIntervalMs() {
        return groupCommitIntervalMs;
    }

    public long tlsHandshakeTimeoutMs() {
        return tlsHandshakeTimeoutMs;
    }

    public long helloTimeoutMs() {
        return helloTimeoutMs;
    }

    public long heartbeatIntervalMs() {
        return heartbeatIntervalMs;
    }

    public long idleTimeoutMs() {
        return idleTimeoutMs;
    }

    public int maxPendingConnections() {
        return maxPendingConnections;
    }

    public int maxPendingConnectionsPerPrefix() {
        return maxPendingConnectionsPerPrefix;
    }

    public long crlPollIntervalMs() {
        return crlPollIntervalMs;
    }

    @Override
    public String toString() {
        return "TargetConfig[listen=" + listen + ", dataDir=" + dataDir + ", maps=" + new TreeMap<>(maps)
                + ", maxQueuedBytes=" + maxQueuedBytes + ", groupCommitBytes=" + groupCommitBytes
                + ", groupCommitIntervalMs=" + groupCommitIntervalMs + ", tlsHandshakeTimeoutMs=" + tlsHandshakeTimeoutMs
                + ", helloTimeoutMs=" + helloTimeoutMs + ", heartbeatIntervalMs=" + heartbeatIntervalMs
                + ", idleTimeoutMs=" + idleTimeoutMs + ", maxPendingConnections=" + maxPendingConnections
                + ", maxPendingConnectionsPerPrefix=" + maxPendingConnectionsPerPrefix + ", crlPollIntervalMs=" + crlPollIntervalMs
                + ", journalDir=" + journalDir + ", retain=" + retain + ", journalMaxBytes=" + journalMaxBytes + "]";
    }

    /** Collects settings; not thread-safe. {@link #build()} checks them. */
    public static final class Builder {
        private InetSocketAddress listen;
        private Path dataDir;
        private final Map<String, Path> maps = new TreeMap<>();
        private long maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
        private long groupCommitBytes = DEFAULT_GROUP_COMMIT_BYTES;
        private long groupCommitIntervalMs = DEFAULT_GROUP_COMMIT_INTERVAL_MS;
        private PkiBundle pki;
        private boolean insecurePlaintext;
        private long tlsHandshakeTimeoutMs = DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS;
        private long helloTimeoutMs = DEFAULT_HELLO_TIMEOUT_MS;
        private long heartbeatIntervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS;
        private long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
        private int maxPendingConnections = DEFAULT_MAX_PENDING_CONNECTIONS;
        private int maxPendingConnectionsPerPrefix = DEFAULT_MAX_PENDING_CONNECTIONS_PER_PREFIX;
        private long crlPollIntervalMs = DEFAULT_CRL_POLL_INTERVAL_MS;
        private long maxQueuedBytesTotal = DEFAULT_MAX_QUEUED_BYTES_TOTAL;
        private long maxRateBytesPerSecond;
        private Path journalDir;
        private Duration retain = JournalConfig.DEFAULT_RETAIN;
        private long journalMaxBytes = Long.MAX_VALUE;
        private LongSupplier journalClockMs = System::currentTimeMillis;
        private long journalReserveBytes = JournalConfig.DEFAULT_RESERVE_BYTES;
        private boolean journal = true;

        private Builder() {
        }

        /** False: the receiver does not offer its journal (no history, no checkpoints; {@code --no-journal}). */
        public Builder journal(boolean offered) {
            this.journal = offered;
            return this;
        }

        /** Journal appends are refused while its file system has less free (default 64 MiB). Tests on small disks lower it. */
        public Builder journalReserveBytes(long journalReserveBytes) {
            this.journalReserveBytes = positive("journalReserveBytes", journalReserveBytes);
            return this;
        }

        /** The journals' clock (UTC ms): retention and cycles follow it. Tests inject one. */
        public Builder journalClockMs(LongSupplier journalClockMs) {
            this.journalClockMs = Objects.requireNonNull(journalClockMs, "journalClockMs");
            return this;
        }

        /** JOURNAL_DIR; null for the default, {@code journal} beside the data directory. */
        public Builder journalDir(Path journalDir) {
            this.journalDir = journalDir;
            return this;
        }

        public Builder retain(Duration retain) {
            if (retain.isNegative() || retain.isZero()) {
                throw new IllegalArgumentException("invalid retain: " + retain + " (expected: more than 0)");
            }
            this.retain = retain;
            return this;
        }

        /** The cap on each source's undo history; {@link Long#MAX_VALUE} for none. */
        public Builder journalMaxBytes(long journalMaxBytes) {
            this.journalMaxBytes = positive("journalMaxBytes", journalMaxBytes);
            return this;
        }

        public Builder maxQueuedBytesTotal(long maxQueuedBytesTotal) {
            this.maxQueuedBytesTotal = positive("maxQueuedBytesTotal", maxQueuedBytesTotal);
            return this;
        }

        /** Bytes received per second over all sources, shared among them; 0 for no limit. */
        public Builder maxRateBytesPerSecond(long maxRateBytesPerSecond) {
            if (maxRateBytesPerSecond < 0) {
                throw new IllegalArgumentException("invalid maxRateBytesPerSecond: " + maxRateBytesPerSecond
                        + " (expected: >= 0, 0 for no limit)");
            }
            this.maxRateBytesPerSecond = maxRateBytesPerSecond;
            return this;
        }

        /** Accept only mutual TLS 1.3 from sources whose certificates this bundle's CA issued. */
        public Builder pki(PkiBundle pki) {
            this.pki = Objects.requireNonNull(pki, "pki");
            return this;
        }

        /** Accept plain TCP instead of TLS: refused by {@link #build()} unless the listen address is loopback. */
        public Builder insecurePlaintext(boolean insecurePlaintext) {
            this.insecurePlaintext = insecurePlaintext;
            return this;
        }

        public Builder listen(InetSocketAddress listen) {
            this.listen = Objects.requireNonNull(listen, "listen");
            return this;
        }

        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /**
         * Parses {@code ID/NAME=PATH} (the form {@code --map} takes) and maps it with {@link #map(String, Path)}.
         *
         * @throws IllegalArgumentException naming the mapping when it is not of that form or names a bad volume
         */
        public Builder map(String mapping) {
            int eq = mapping.indexOf('=');
            int slash = mapping.indexOf('/');
            if (eq <= 0 || slash <= 0 || slash > eq || eq == mapping.length() - 1) {
                throw new IllegalArgumentException("invalid volume mapping '" + mapping + "' (expected: ID/NAME=PATH)");
            }
            return map(mapping.substring(0, eq), Path.of(mapping.substring(eq + 1)));
        }

        /** Writes volume NAME of source ID ({@code "ID/NAME"}) onto {@code path}, an existing file or block device. */
        public Builder map(String sourceIdSlashVolume, Path path) {
            Objects.requireNonNull(path, "path");
            int slash = sourceIdSlashVolume.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("invalid volume mapping '" + sourceIdSlashVolume
                        + "' (expected: SOURCE_ID/VOLUME_NAME)");
            }
            try {
                VolumeInfo.checkName(sourceIdSlashVolume.substring(0, slash));
                VolumeInfo.checkName(sourceIdSlashVolume.substring(slash + 1));
            } catch (ProtocolException e) {
                throw new IllegalArgumentException("invalid volume mapping '" + sourceIdSlashVolume + "': "
                        + e.getMessage(), e);
            }
            if (maps.putIfAbsent(sourceIdSlashVolume, path) != null) {
                throw new IllegalArgumentException("volume " + sourceIdSlashVolume + " is mapped twice");
            }
            return this;
        }

        public Builder maxQueuedBytes(long maxQueuedBytes) {
            this.maxQueuedBytes = positive("maxQueuedBytes", maxQueuedBytes);
            return this;
        }

        public Builder groupCommitBytes(long groupCommitBytes) {
            this.groupCommitBytes = positive("groupCommitBytes", groupCommitBytes);
            return this;
        }

        public Builder groupCommitIntervalMs(long groupCommitIntervalMs) {
            this.groupCommitIntervalMs = positive("groupCommitIntervalMs", groupCommitIntervalMs);
            return this;
        }

        public Builder tlsHandshakeTimeoutMs(long tlsHandshakeTimeoutMs) {
            this.tlsHandshakeTimeoutMs = positive("tlsHandshakeTimeoutMs", tlsHandshakeTimeoutMs);
            return this;
        }

        public Builder helloTimeoutMs(long helloTimeoutMs) {
            this.helloTimeoutMs = positive("helloTimeoutMs", helloTimeoutMs);
            return this;
        }

        public Builder heartbeatIntervalMs(long heartbeatIntervalMs) {
            this.heartbeatIntervalMs = positive("heartbeatIntervalMs", heartbeatIntervalMs);
            return this;
        }

        public Builder idleTimeoutMs(long idleTimeoutMs) {
            this.idleTimeoutMs = positive("idleTimeoutMs", idleTimeoutMs);
            return this;
        }

        public Builder maxPendingConnections(int maxPendingConnections) {
            this.maxPendingConnections = (int) positive("maxPendingConnections", maxPendingConnections);
            return this;
        }

        public Builder maxPendingConnectionsPerPrefix(int maxPendingConnectionsPerPrefix) {
            this.maxPendingConnectionsPerPrefix = (int) positive("maxPendingConnectionsPerPrefix",
                    maxPendingConnectionsPerPrefix);
            return this;
        }

        public Builder crlPollIntervalMs(long crlPollIntervalMs) {
            this.crlPollIntervalMs = positive("crlPollIntervalMs", crlPollIntervalMs);
            return this;
        }

        public TargetConfig build() {
            return new TargetConfig(this);
        }

        private static long positive(String name, long value) {
            if (value < 1) {
                throw new IllegalArgumentException(String.format("invalid %s: %d (expected: 1-%d)", name, value,
                        Long.MAX_VALUE));
            }
            return value;
        }
    }
}
