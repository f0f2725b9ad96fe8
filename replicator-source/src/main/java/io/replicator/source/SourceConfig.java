package io.replicator.source;

import io.replicator.protocol.tls.CrlReloader;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Plaintext;
import io.replicator.source.sync.RateSchedule;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything the source daemon is told, in one place, with its defaults. Immutable; built with
 * {@link #builder()}.
 *
 * <table>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>target</td><td>required</td><td>the receiver's HOST:PORT</td></tr>
 *   <tr><td>volumes</td><td>required</td><td>PATH[=NAME] of each file or block device</td></tr>
 *   <tr><td>stateDir</td><td>required</td><td>where fingerprints and progress are kept</td></tr>
 *   <tr><td>id</td><td>host name</td><td>the source's id; its volumes land in DATA_DIR/ID on the target</td></tr>
 *   <tr><td>tracker</td><td>auto</td><td>how changes are found</td></tr>
 *   <tr><td>blockSizeBytes</td><td>4 KiB</td><td>unit of change tracking, fingerprints and verification; frames carry runs of blocks</td></tr>
 *   <tr><td>scanIntervalMs</td><td>10 s</td><td>pause between two scans of the scan tracker</td></tr>
 *   <tr><td>maxInFlightBytes</td><td>128 MiB</td><td>frame bytes on the wire sent and not yet durable on the target (zero ranges cost a header)</td></tr>
 *   <tr><td>connectTimeoutMs</td><td>5 s</td><td>one connection attempt</td></tr>
 *   <tr><td>reconnectMinMs / reconnectMaxMs</td><td>200 ms / 30 s</td><td>backoff between attempts: doubles
 *       per failure or refused session up to the maximum, jittered, reset only by a session that made
 *       progress (docs/design/004-reconnect-backoff.md)</td></tr>
 *   <tr><td>heartbeatIntervalMs</td><td>5 s</td><td>a link to the target that has written nothing this long
 *       sends a HEARTBEAT</td></tr>
 *   <tr><td>idleTimeoutMs</td><td>30 s</td><td>a link that has received nothing this long (a dead target or a
 *       half-open connection) is closed and reconnected; more than heartbeatIntervalMs</td></tr>
 *   <tr><td>pki</td><td>required unless insecurePlaintext</td><td>certificate bundle: mutual TLS 1.3 to the
 *       target</td></tr>
 *   <tr><td>crlPollIntervalMs</td><td>250</td><td>how often the bundle's {@code crl.pem} is checked for a
 *       change (modification time, size, file key); SIGHUP re-reads it at once. A target whose certificate
 *       it revokes is disconnected and not connected to again</td></tr>
 *   <tr><td>insecurePlaintext</td><td>false</td><td>plain TCP instead of TLS; only to a loopback target
 *       ({@link Plaintext})</td></tr>
 *   <tr><td>traceBufferKb</td><td>4 MiB</td><td>kernel tracker: trace buffer per CPU; a smaller one loses
 *       events (and rescans) under bursts of writes</td></tr>
 *   <tr><td>maxRate</td><td>none</td><td>bandwidth limit on bytes on the wire, and limits for windows of
 *       the local day ({@code --max-rate RATE[@HH:MM-HH:MM]}); {@code throttle} replaces it live</td></tr>
 *   <tr><td>runDir</td><td>/run/replicator</td><td>where a freeze is recorded before it starts, so that a
 *       daemon restarted after a crash thaws what its predecessor left frozen</td></tr>
 *   <tr><td>freeze</td><td>none</td><td>mount points a cutover freezes when its request names none
 *       ({@code --freeze MNT} on the daemon)</td></tr>
 *   <tr><td>awaitTargetAtStart</td><td>true</td><td>{@link SourceDaemon#start} waits for the first handshake and
 *       fails when the target cannot be reached or refuses; false (the {@code source} command): it returns at
 *       once and keeps trying with backoff, {@code status} saying why it is not connected</td></tr>
 *   <tr><td>checkpointEveryMs</td><td>0 (none)</td><td>a consistent checkpoint every so often, of the
 *       {@code freeze} mount points ({@code --checkpoint-every DURATION})</td></tr>
 *   <tr><td>preFreeze, postThaw</td><td>none</td><td>commands run by {@code sh -c} before a checkpoint's
 *       freeze (its failure refuses the checkpoint) and after its thaw ({@code --pre-freeze CMD},
 *       {@code --post-thaw CMD})</td></tr>
 * </table>
 */
public record SourceConfig(InetSocketAddress target, List<VolumeSpec> volumes, Path stateDir, String id,
                           Tracker tracker, int blockSizeBytes, long scanIntervalMs, long maxInFlightBytes,
                           int connectTimeoutMs, long reconnectMinMs, long reconnectMaxMs, long heartbeatIntervalMs,
                           long idleTimeoutMs, PkiBundle pki, long crlPollIntervalMs, boolean insecurePlaintext,
                           int traceBufferKb, Path runDir, List<Path> freeze, boolean awaitTargetAtStart,
                           RateSchedule maxRate, long checkpointEveryMs, String preFreeze, String postThaw) {
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 30_000;

    /** How changed blocks are found. */
    public enum Tracker { AUTO, KERNEL, SCAN }

    /** A volume to replicate: its path and the name it has on the target. */
    public record VolumeSpec(Path path, String name) {
        public VolumeSpec {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(name, "name");
        }
    }

    public SourceConfig {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(maxRate, "maxRate");
        volumes = List.copyOf(volumes);
        freeze = List.copyOf(freeze);
        if (volumes.isEmpty()) {
            throw new IllegalArgumentException("no --volume given");
        }
        Plaintext.check(pki, insecurePlaintext, target, "target address");
        if (heartbeatIntervalMs <= 0) {
            throw new IllegalArgumentException("invalid heartbeatIntervalMs " + heartbeatIntervalMs + " (expected: > 0)");
        }
        if (idleTimeoutMs <= heartbeatIntervalMs) {
            throw new IllegalArgumentException(String.format("invalid idleTimeoutMs: %d (expected: more than "
                    + "heartbeatIntervalMs, %d, or a healthy idle target is dropped)", idleTimeoutMs, heartbeatIntervalMs));
        }
        if (crlPollIntervalMs <= 0) {
            throw new IllegalArgumentException("invalid crlPollIntervalMs " + crlPollIntervalMs + " (expected: > 0)");
        }
        if (traceBufferKb < 4 || traceBufferKb > 1 << 20) {
            throw new IllegalArgumentException("invalid trace buffer of " + traceBufferKb + " KiB (expected 4 to "
                    + (1 << 20) + " KiB per CPU)");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the defaults of the table above. Not thread-safe. */
    public static final class Builder {
        private InetSocketAddress target;
        private final List<VolumeSpec> volumes = new ArrayList<>();
        private Path stateDir;
        private String id;
        private Tracker tracker = Tracker.AUTO;
        private int blockSizeBytes = 4 << 10;
        private long scanIntervalMs = 10_000;
        private long maxInFlightBytes = 128 << 20;
        private int connectTimeoutMs = 5_000;
        private long reconnectMinMs = 200;
        private long reconnectMaxMs = 30_000;
        private long heartbeatIntervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS;
        private long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
        private PkiBundle pki;
        private long crlPollIntervalMs = CrlReloader.DEFAULT_POLL_INTERVAL_MS;
        private boolean insecurePlaintext;
        private int traceBufferKb = 4096;
        private Path runDir = Path.of("/run/replicator");
        private RateSchedule maxRate = RateSchedule.NONE;
        private long checkpointEveryMs;
        private String preFreeze;
        private String postThaw;
        private final List<Path> freeze = new ArrayList<>();
        private boolean awaitTargetAtStart = true;

        /** A mount point a cutover freezes when its request names none; repeatable. */
        public Builder freeze(Path mountPoint) {
            freeze.add(mountPoint);
            return this;
        }

        public Builder awaitTargetAtStart(boolean awaitTargetAtStart) {
            this.awaitTargetAtStart = awaitTargetAtStart;
            return this;
        }

        public Builder target(InetSocketAddress target) {
            this.target = target;
            return this;
        }

        public Builder volume(Path path, String name) {
            volumes.add(new VolumeSpec(path, name));
            return this;
        }

        public Builder stateDir(Path stateDir) {
            this.stateDir = stateDir;
            return this;
        }

        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder tracker(Tracker tracker) {
            this.tracker = tracker;
            return this;
        }

        public Builder blockSizeBytes(int blockSizeBytes) {
            this.blockSizeBytes = blockSizeBytes;
            return this;
        }

        public Builder scanIntervalMs(long scanIntervalMs) {
            this.scanIntervalMs = scanIntervalMs;
            return this;
        }

        public Builder maxInFlightBytes(long maxInFlightBytes) {
            this.maxInFlightBytes = maxInFlightBytes;
            return this;
        }

        public Builder connectTimeoutMs(int connectTimeoutMs) {
            this.connectTimeoutMs = connectTimeoutMs;
            return this;
        }

        public Builder reconnectMs(long minMs, long maxMs) {
            this.reconnectMinMs = minMs;
            this.reconnectMaxMs = maxMs;
            return this;
        }

        /** A link that has written nothing this long sends a HEARTBEAT. */
        public Builder heartbeatIntervalMs(long heartbeatIntervalMs) {
            this.heartbeatIntervalMs = heartbeatIntervalMs;
            return this;
        }

        /** A link that has received nothing this long is closed and reconnected. */
        public Builder idleTimeoutMs(long idleTimeoutMs) {
            this.idleTimeoutMs = idleTimeoutMs;
            return this;
        }

        /** Connect with mutual TLS 1.3, presenting this bundle's certificate and trusting only its CA. */
        public Builder pki(PkiBundle pki) {
            this.pki = pki;
            return this;
        }

        /** How often the bundle's {@code crl.pem} is checked for a change. */
        public Builder crlPollIntervalMs(long crlPollIntervalMs) {
            this.crlPollIntervalMs = crlPollIntervalMs;
            return this;
        }

        /** Speak plain TCP instead of TLS: refused by {@link #build()} unless the target is loopback. */
        public Builder insecurePlaintext(boolean insecurePlaintext) {
            this.insecurePlaintext = insecurePlaintext;
            return this;
        }

        /** The configuration; IllegalArgumentException when it is incomplete or its transport is not allowed. */
        public SourceConfig build() {
            return new SourceConfig(target, volumes, stateDir, id, tracker, blockSizeBytes, scanIntervalMs,
                    maxInFlightBytes, connectTimeoutMs, reconnectMinMs, reconnectMaxMs, heartbeatIntervalMs,
                    idleTimeoutMs, pki, crlPollIntervalMs, insecurePlaintext, traceBufferKb, runDir, freeze,
                    awaitTargetAtStart, maxRate, checkpointEveryMs, preFreeze, postThaw);
        }

        /** A consistent checkpoint every {@code everyMs} (0: none), of the daemon's {@code freeze} mount points. */
        public Builder checkpointEveryMs(long everyMs) {
            this.checkpointEveryMs = everyMs;
            return this;
        }

        /** Commands run before a checkpoint's freeze and after its thaw (null: none). */
        public Builder checkpointHooks(String preFreeze, String postThaw) {
            this.preFreeze = preFreeze;
            this.postThaw = postThaw;
            return this;
        }

        /** Where a freeze is recorded before it starts (default /run/replicator, a tmpfs). */
        public Builder runDir(Path runDir) {
            this.runDir = runDir;
            return this;
        }

        /** Bandwidth limits on bytes on the wire: a limit, and limits for windows of the local day. */
        public Builder maxRate(RateSchedule maxRate) {
            this.maxRate = maxRate;
            return this;
        }

        public Builder traceBufferKb(int traceBufferKb) {
            this.traceBufferKb = traceBufferKb;
            return this;
        }
    }
}
