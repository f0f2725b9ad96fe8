package io.replicator.source.sync;

import io.replicator.protocol.text.Causes;
import io.replicator.protocol.wire.BarrierAck;
import io.replicator.source.CutoverResult;
import io.replicator.source.Outcome;
import io.replicator.source.VerifyResult;
import io.replicator.source.cutover.FreezeGuard;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The final-sync barrier, step by step on the sync agent's thread. Before anything is frozen: the
 * target must be connected, the backlog small enough to drain within the timeout at the measured
 * rate, and a probe barrier must come back (the target answers). Then a {@link FreezeGuard} freezes
 * the named file systems (the downtime starts) in a process of its own, the agent drains (a pass
 * or walk that started after the freeze has finished and everything it sent is durable), puts a
 * barrier through, verifies every chunk with both roots, thaws, reports. Any failure, the deadline,
 * the loss of the target while frozen or the admin's client going away thaws at once and reports
 * why and in what state the file systems are. While a freeze may be in force, the agent writes
 * nothing to disk ({@link #holdsStateWrites}). See docs/design/001-final-sync-barrier.md.
 */
final class CutoverJob implements Job {
    private static final Logger LOG = LoggerFactory.getLogger(CutoverJob.class);
    /** The probe barrier must come back within this, or a quarter of the timeout if that is less. */
    static final long PROBE_TIMEOUT_MS = 5_000;
    /** The drain rate assumed while none has been measured yet (nothing was in flight for a whole second). */
    static final long ASSUMED_RATE_BYTES_PER_SECOND = 50L << 20;
    /** How long the agent's thread waits for the guard to report a thaw. */
    private static final long THAW_WAIT_MS = 5_000;

    enum Phase { PROBE, FREEZING, DRAIN, BARRIER, VERIFY }

    private final JobPort port;
    private final List<Path> freeze;
    final CompletableFuture<CutoverResult> done = new CompletableFuture<>();
    private final long deadlineNs;
    private final long timeoutMs;
    private final long probeTimeoutMs;
    private FreezeGuard guard;
    private long probeSentNs;
    private long startNs;
    private long drainSinceNs;
    private long drainedNs;
    private long barrierAckNs;
    private long sentAtStart;
    private long barrierId;
    private Phase phase = Phase.PROBE;
    private VerifyJob verify;

    /** A cutover of {@code freeze} (maybe none) that must be done by {@code deadlineNs}, {@code timeoutMs} after it was asked for. */
    CutoverJob(JobPort port, List<Path> freeze, long deadlineNs, long timeoutMs) {
        this.port = port;
        this.freeze = List.copyOf(freeze);
        this.timeoutMs = timeoutMs;
        this.deadlineNs = deadlineNs;
        this.probeTimeoutMs = Math.min(PROBE_TIMEOUT_MS, Math.max(1, timeoutMs / 4));
    }

    /** Checks what must hold before anything is frozen and sends the probe barrier; a refusal ends the job at once. */
    void begin() {
        LOG.info("cutover: started{}", freeze.isEmpty() ? " (no --freeze: the applications must already be stopped)"
                : ", will freeze " + freeze);
        if (!port.connected()) {
            refuse("not connected to the target " + port.hostPort()
                    + (port.lastError() == null ? "" : " (" + port.lastError() + ")"));
            return;
        }
        if (port.reconciling()) {
            refuse("the source is still comparing every block with the target after an unclean stop; "
                    + "run cutover again when status no longer shows a rescan");
            return;
        }
        long backlogBytes = port.backlogBytes();
        double rate = port.drainBytesPerSecond();
        boolean measured = rate > 0;
        double bytesPerSecond = measured ? rate : ASSUMED_RATE_BYTES_PER_SECOND;
        long drainMs = (long) (backlogBytes * 1000.0 / bytesPerSecond);
        if (drainMs > timeoutMs) {
            refuse(String.format("the backlog of %d bytes needs about %d ms to drain at %s %.1f MB/s, more than the "
                            + "timeout of %d ms: run 'replicator sync' first, or give a longer --timeout",
                    backlogBytes, drainMs, measured ? "the measured" : "an assumed (not yet measured)",
                    bytesPerSecond / 1e6, timeoutMs));
            return;
        }
        LOG.info("cutover: backlog {} bytes, about {} ms to drain at {} {} MB/s; probing the target", backlogBytes,
                drainMs, measured ? "the measured" : "an assumed", String.format("%.1f", bytesPerSecond / 1e6));
        probeSentNs = System.nanoTime();
        sendBarrier();
    }

    boolean allowsPasses() {
        return phase != Phase.BARRIER && phase != Phase.VERIFY;
    }

    /** True from the moment a freeze may start until the guard has reported that it ended. */
    boolean holdsStateWrites() {
        return guard != null && !guard.done().isDone();
    }

    @Override
    public void tick(long now) {
        if (done.isDone()) {
            return;
        }
        if (now - deadlineNs >= 0) {
            fail(String.format("timed out after %d ms while %s", timeoutMs, waitingFor()));
            return;
        }
        switch (phase) {
            case PROBE -> {
                if (now - probeSentNs > TimeUnit.MILLISECONDS.toNanos(probeTimeoutMs)) {
                    refuse("the target " + port.hostPort() + " did not answer a barrier within " + probeTimeoutMs
                            + " ms (" + port.inFlightBytes() + " bytes in flight)");
                }
            }
            case FREEZING -> {
                if (guard.ready().isCompletedExceptionally()) {
                    fail("could not freeze: " + Causes.describe(guard.ready().handle((v, e) -> e).join()));
                } else if (guard.ready().isDone()) {
                    LOG.info("cutover: frozen {} in {} ms; draining", freeze, ms(now - startNs));
                    startDrain(now);
                }
            }
            case DRAIN -> {
                if (port.drainedSince(drainSinceNs)) {
                    drainedNs = now;
                    phase = Phase.BARRIER;
                    LOG.info("cutover: drained in {} ms, {} bytes sent since the freeze; barrier {} at sequence {}",
                            ms(now - startNs), sentBytes() - sentAtStart, barrierId + 1, port.lastSequenceSent());
                    sendBarrier();
                }
            }
            case BARRIER -> {
            }
            case VERIFY -> {
                if (verify.isDone()) {
                    finish(verify.done.join());
                }
            }
        }
    }

    @Override
    public void onBarrierAck(BarrierAck ack) {
        if (ack.barrierId() != barrierId || done.isDone()) {
            return;
        }
        if (phase == Phase.PROBE) {
            LOG.info("cutover: the target answered the probe in {} ms", ms(System.nanoTime() - probeSentNs));
            startFreeze();
        } else if (phase == Phase.BARRIER) {
            barrierAckNs = System.nanoTime();
            LOG.info("cutover: barrier {} durable on the target at sequence {}; verifying", barrierId,
                    ack.durableSequence());
            verify = new VerifyJob(port, true);
            port.compare(verify);
            phase = Phase.VERIFY;
        }
    }

    /** The connection to the target was lost: while frozen there is no waiting for it, the job fails and thaws. */
    @Override
    public void connectionLost() {
        if (!done.isDone()) {
            fail(phase == Phase.PROBE ? "lost the connection to the target before the freeze"
                    : "lost the connection to the target during the " + phase.name().toLowerCase()
                    + (freeze.isEmpty() ? "" : "; thawed at once rather than wait for it"));
        }
    }

    /** The admin's request was withdrawn (its client went away): fails and thaws. */
    @Override
    public void withdraw(String why) {
        if (!done.isDone()) {
            fail("cancelled: " + why);
        }
    }

    private void startFreeze() {
        long now = System.nanoTime();
        startNs = now;
        if (freeze.isEmpty()) {
            startDrain(now);
            return;
        }
        long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - now);
        try {
            guard = FreezeGuard.start(freeze, leftMs, port.freezeRecord());
        } catch (IOException e) {
            refuse("could not freeze: " + e.getMessage());
            return;
        }
        phase = Phase.FREEZING;
    }

    private void startDrain(long now) {
        drainSinceNs = now;
        sentAtStart = sentBytes();
        phase = Phase.DRAIN;
        port.requestPass();
    }

    private void sendBarrier() {
        barrierId++;
        port.sendBarrier(barrierId);
    }

    private void finish(VerifyResult result) {
        long endNs = System.nanoTime();
        if (!result.equal()) {
            fail("verification failed: " + result.reason());
            return;
        }
        CutoverResult.FileSystems fileSystems = thaw("the cutover is verified");
        List<CutoverResult.Volume> volumes = new ArrayList<>();
        for (int i = 0; i < port.volumes().size(); i++) {
            VerifyResult.Volume v = result.volumes().get(i);
            volumes.add(new CutoverResult.Volume(v.name(), port.volumes().get(i).sizeBytes(), v.checksumSource(),
                    v.checksumTarget()));
        }
        long downtimeMs = ms(endNs - startNs);
        CutoverResult r = new CutoverResult(Outcome.OK, "every volume is durable on the target and verified equal",
                downtimeMs, sentBytes() - sentAtStart, true, ms(drainedNs - startNs), ms(barrierAckNs - drainedNs),
                ms(endNs - barrierAckNs), volumes, fileSystems, stillFrozen());
        port.cutOver();
        LOG.info("cutover: done, downtime {} ms, {} bytes in the final sync; the target volumes can boot. "
                + "Writes seen on the source from now on are reported and NOT replicated", downtimeMs, r.finalSyncBytes());
        done.complete(r);
    }

    @Override
    public boolean isDone() {
        return done.isDone();
    }

    /** Fails before anything was frozen. */
    private void refuse(String reason) {
        LOG.error("cutover: refused: {}; nothing was frozen", reason);
        done.complete(CutoverResult.refused(reason + "; nothing was frozen", !freeze.isEmpty()));
    }

    void fail(String reason) {
        if (done.isDone()) {
            return;
        }
        if (guard == null && phase == Phase.PROBE) {
            refuse(reason);
            return;
        }
        CutoverResult.FileSystems fileSystems = thaw(reason);
        if (verify != null && !verify.isDone()) {
            verify.fail(reason);
        }
        long downtimeMs = startNs == 0 ? 0 : ms(System.nanoTime() - startNs);
        List<String> left = stillFrozen();
        LOG.error("cutover: FAILED: {}; {}; the source keeps replicating, fix the cause and run cutover again", reason,
                left.isEmpty() ? "file systems " + fileSystems : "STILL FROZEN: " + left);
        done.complete(new CutoverResult(Outcome.FAILED, reason, downtimeMs, sentBytes() - sentAtStart, false, 0, 0, 0,
                List.of(), fileSystems, left));
    }

    /** Thaws through the guard and says what the file systems are now. */
    private CutoverResult.FileSystems thaw(String why) {
        if (guard == null) {
            return freeze.isEmpty() ? CutoverResult.FileSystems.NONE : CutoverResult.FileSystems.NOT_FROZEN;
        }
        List<Path> left = guard.thawAndWait(why, THAW_WAIT_MS);
        if (!left.isEmpty()) {
            return CutoverResult.FileSystems.STILL_FROZEN;
        }
        return guard.frozeAny() ? CutoverResult.FileSystems.THAWED : CutoverResult.FileSystems.NOT_FROZEN;
    }

    /** The mount points frozen now, as far as the guard has reported. */
    List<String> frozenNow() {
        return stillFrozen();
    }

    private List<String> stillFrozen() {
        return guard == null ? List.of() : guard.stillFrozen().stream().map(Path::toString).toList();
    }

    private String waitingFor() {
        return switch (phase) {
            case PROBE -> "waiting for the target to answer before the freeze";
            case FREEZING -> "freezing " + freeze;
            case DRAIN -> port.connected()
                    ? String.format("draining: %d blocks (%d bytes on the wire) not yet durable on the target, "
                    + "%d blocks to resend", port.inFlightBlocks(), port.inFlightBytes(), port.resendBlocks())
                    : "waiting for the target " + port.hostPort() + ", which is unreachable ("
                    + (port.lastError() == null ? "no answer" : port.lastError()) + ")";
            case BARRIER -> "waiting for the target to make the barrier durable";
            case VERIFY -> "verifying";
        };
    }

    private long sentBytes() {
        return port.sentPayloadBytes();
    }

    private static long ms(long ns) {
        return TimeUnit.NANOSECONDS.toMillis(ns);
    }
}
