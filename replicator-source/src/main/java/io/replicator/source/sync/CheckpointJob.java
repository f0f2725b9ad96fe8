package io.replicator.source.sync;

import io.replicator.protocol.text.Causes;
import io.replicator.protocol.wire.Checkpoint;
import io.replicator.protocol.wire.CheckpointAck;
import io.replicator.source.checkpoint.CheckpointPlan;
import io.replicator.source.checkpoint.CheckpointResult;
import io.replicator.source.cutover.FreezeGuard;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consistent checkpoint, step by step on the sync agent's thread (docs/design/008-receiver-journal.md).
 * First the source catches up (a pass or kernel catch-up and walk that started after the request has
 * finished: the backlog is what was written since), and what is left must fit the capture's bound.
 * Then the same {@link FreezeGuard} as the cutover's freezes the file systems (it thaws when the daemon
 * dies or the freeze's deadline passes), and the session starts holding block frames in memory: a pass
 * or catch-up and walk that started after the freeze reads every block written before it and changed
 * since the target last got it, its frames sequenced and put in flight as usual but not written. Once
 * it has finished the capture is closed and the guard thaws at once; once it reports the thaw the held
 * frames go on the wire followed by {@code Checkpoint(CONSISTENT)}, before any block read after the
 * thaw, and the job waits for the receiver's {@code CheckpointAck}. The freeze lasts only the capture.
 * Any failure (the freeze, the bound, the deadline, the link, the receiver's silence, the admin's
 * client going away) thaws at once, records no checkpoint and says why; frames held when the link is
 * lost are dropped, their blocks are resent from the volumes. Not thread-safe.
 */
final class CheckpointJob implements Job {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointJob.class);
    /** How long the receiver may take to answer the checkpoint once sent. */
    static final long ACK_TIMEOUT_MS = 30_000;

    enum Phase { CATCH_UP, FREEZING, CAPTURE, THAWING, ACK }

    private final JobPort port;
    private final CheckpointPlan plan;
    private final long deadlineNs;
    private final long maxFreezeMs;
    /** The checkpoint's outcome; the agent's answer. */
    final CompletableFuture<CheckpointResult> done = new CompletableFuture<>();
    /** Completes once nothing is frozen any more (thawed, or never frozen): the post-thaw hook may run. */
    final CompletableFuture<Void> thawed;
    private Phase phase = Phase.CATCH_UP;
    private long catchUpSinceNs;
    private long captureSinceNs;
    private long id;
    private FreezeGuard guard;
    private String frozenUtc;
    private long timeMs;
    private volatile long frozenAtNs;
    private volatile long thawedAtNs;
    private long freezeMs;
    private long sequence;
    private long captureBytes;
    private long requestId;
    private long sentNs;
    private long capturedMs;

    CheckpointJob(JobPort port, CheckpointPlan plan, long deadlineNs, CompletableFuture<Void> thawed) {
        this.port = port;
        this.plan = plan;
        this.deadlineNs = deadlineNs;
        this.maxFreezeMs = plan.maxFreezeMs();
        this.thawed = thawed;
    }

    /** Checks what must hold before anything else and starts the catch-up; a refusal ends the job at once. */
    void begin(long requestId) {
        this.requestId = requestId;
        String refusal = refusal();
        if (refusal != null) {
            end(CheckpointResult.refused(refusal));
            return;
        }
        LOG.info("checkpoint: catching up before the freeze{}", plan.freeze().isEmpty()
                ? " (no mount point to freeze: the point is as consistent as the applications are quiet)"
                : " of " + plan.freeze());
        catchUpSinceNs = System.nanoTime();
        port.requestPass();
    }

    private String refusal() {
        if (!port.connected()) {
            return "not connected to the receiver " + port.hostPort()
                    + (port.lastError() == null ? "" : " (" + port.lastError() + ")");
        }
        if (!port.journalSupported()) {
            return "receiver " + port.hostPort() + " does not keep history (no JOURNAL feature): start it with a "
                    + "journal to take checkpoints";
        }
        if (port.reconciling()) {
            return "the source is still comparing every block with the receiver after an unclean stop; take the "
                    + "checkpoint when status no longer shows a rescan";
        }
        if (!port.initialCopyComplete()) {
            return "the initial copy is not complete yet: a checkpoint is only launchable after it (status shows "
                    + "synced_bytes reaching size_bytes)";
        }
        return null;
    }

    @Override
    public void tick(long now) {
        if (done.isDone()) {
            return;
        }
        if (now - deadlineNs >= 0) {
            fail("timed out while " + waitingFor());
            return;
        }
        switch (phase) {
            case CATCH_UP -> {
                if (port.coveredSince(catchUpSinceNs)) {
                    startFreeze();
                }
            }
            case FREEZING -> {
                if (guard.ready().isCompletedExceptionally()) {
                    fail("could not freeze: " + Causes.describe(guard.ready().handle((v, e) -> e).join()));
                } else if (guard.ready().isDone()) {
                    startCapture(now);
                }
            }
            case CAPTURE -> {
                HeldFrames held = port.heldFrames();
                if (guard != null && guard.done().isDone()) {
                    fail("the freeze ended before the capture was complete (" + guard.stillFrozen().size()
                            + " mount points left frozen): the guard thawed at its deadline of " + maxFreezeMs + " ms");
                } else if (held != null && held.full()) {
                    fail(String.format("what changed before the freeze is more than the capture's bound of %d bytes "
                            + "(%d bytes captured so far): take the checkpoint when less is written, or run "
                            + "'replicator sync' first", held.maxBytes(), held.bytes()));
                } else if (port.coveredSince(captureSinceNs)) {
                    endCapture(now);
                }
            }
            case THAWING -> {
                if (guard.done().isDone()) {
                    thawedThenSend();
                }
            }
            case ACK -> {
                if (now - sentNs > TimeUnit.MILLISECONDS.toNanos(ACK_TIMEOUT_MS)) {
                    fail("the receiver " + port.hostPort() + " did not answer the checkpoint within "
                            + ACK_TIMEOUT_MS + " ms");
                }
            }
        }
    }

    private void startFreeze() {
        long backlog = port.backlogBytes();
        if (backlog > plan.maxCaptureBytes()) {
            end(CheckpointResult.refused(String.format("the backlog after catching up is %d bytes, more than the "
                    + "%d bytes a checkpoint may read into memory while frozen: nothing was frozen; take it when the "
                    + "source writes less, or run 'replicator sync' first", backlog, plan.maxCaptureBytes())));
            return;
        }
        try {
            id = plan.ids().next();
        } catch (IOException e) {
            end(CheckpointResult.refused("cannot take a checkpoint number: " + e.getMessage()));
            return;
        }
        long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
        if (plan.freeze().isEmpty()) {
            markFrozen();
            startCapture(System.nanoTime());
            return;
        }
        try {
            guard = FreezeGuard.start(plan.freeze(), Math.min(leftMs, maxFreezeMs), port.freezeRecord());
        } catch (IOException e) {
            end(CheckpointResult.failed("could not freeze: " + e.getMessage(), id, null, plan.label(), 0));
            return;
        }
        guard.ready().whenComplete((v, e) -> {
            if (e == null) {
                markFrozen();
            }
            port.wake();
        });
        guard.done().whenComplete((v, e) -> {
            thawedAtNs = System.nanoTime();
            port.wake();
        });
        phase = Phase.FREEZING;
    }

    /** Notes when the file systems are frozen: on the guard's reader thread, as it reports it. */
    private void markFrozen() {
        frozenAtNs = System.nanoTime();
        timeMs = System.currentTimeMillis();
        frozenUtc = Instant.ofEpochMilli(timeMs).toString();
    }

    private void startCapture(long now) {
        phase = Phase.CAPTURE;
        captureSinceNs = now;
        port.holdFrames(plan.maxCaptureBytes());
        port.requestFreshPass();
    }

    private void endCapture(long now) {
        HeldFrames held = port.heldFrames();
        held.close();
        captureBytes = held.bytes();
        sequence = port.lastSequenceSent();
        capturedMs = TimeUnit.NANOSECONDS.toMillis(now - frozenAtNs);
        if (guard == null) {
            thawedAtNs = now;
            thawedThenSend();
            return;
        }
        guard.thaw("checkpoint " + id + " captured");
        phase = Phase.THAWING;
    }

    private void thawedThenSend() {
        freezeMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(thawedAtNs - frozenAtNs));
        List<Path> left = guard == null ? List.of() : guard.stillFrozen();
        if (!left.isEmpty()) {
            fail("could not thaw " + left + ": run 'fsfreeze --unfreeze' on them");
            return;
        }
        thawed.complete(null);
        port.releaseHeld(new Checkpoint(requestId, Checkpoint.Kind.CONSISTENT, id, sequence, timeMs, freezeMs,
                plan.label()));
        sentNs = System.nanoTime();
        phase = Phase.ACK;
        LOG.info("checkpoint {}: frozen {} ms ({} ms to capture {} bytes up to sequence {}, then the thaw); sent, "
                + "waiting for the receiver", id, freezeMs, capturedMs, captureBytes, sequence);
    }

    /** The receiver's answer: the checkpoint is journaled. */
    void onCheckpointAck(CheckpointAck ack) {
        if (phase != Phase.ACK || ack.requestId() != requestId || done.isDone()) {
            return;
        }
        String reason = ack.launchable() ? "journaled on the receiver " + port.hostPort()
                : "journaled on the receiver " + port.hostPort() + " but not launchable: " + ack.reason();
        LOG.info("checkpoint {}: {}", id, reason);
        end(new CheckpointResult(CheckpointResult.OK, reason, id, frozenUtc, plan.label(), freezeMs, captureBytes,
                sequence, port.volumes().stream().map(v -> v.name()).toList(), ack.launchable(), null));
    }

    @Override
    public void connectionLost() {
        fail("lost the connection to the receiver " + port.hostPort() + " during the " + phaseName());
    }

    @Override
    public void withdraw(String why) {
        fail("cancelled: " + why);
    }

    /** Fails: thaws at once, sends what was captured without a checkpoint, records none. */
    void fail(String why) {
        if (done.isDone()) {
            return;
        }
        List<Path> left = List.of();
        if (guard != null) {
            left = guard.thawAndWait("checkpoint failed: " + why, CutoverJob.THAW_WAIT_MS);
        }
        if (port.heldFrames() != null) {
            port.releaseHeld(null);
        }
        long frozenMs = frozenAtNs == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(
                (thawedAtNs != 0 ? thawedAtNs : System.nanoTime()) - frozenAtNs);
        String reason = why + (guard == null || !guard.frozeAny() ? "" : left.isEmpty() ? "; thawed"
                : "; could not thaw " + left + ": run 'fsfreeze --unfreeze' on them") + "; no checkpoint was recorded";
        LOG.warn("checkpoint{}: {}", id == 0 ? "" : " " + id, reason);
        end(CheckpointResult.failed(reason, id, frozenUtc, plan.label(), frozenMs));
    }

    private void end(CheckpointResult result) {
        thawed.complete(null);
        done.complete(result);
    }

    private String phaseName() {
        return phase.name().toLowerCase().replace('_', '-');
    }

    private String waitingFor() {
        return switch (phase) {
            case CATCH_UP -> "catching up before the freeze (" + port.backlogBytes() + " bytes of backlog)";
            case FREEZING -> "freezing " + plan.freeze();
            case CAPTURE -> "capturing what changed before the freeze";
            case THAWING -> "thawing " + plan.freeze();
            case ACK -> "waiting for the receiver to journal the checkpoint";
        };
    }

    /** True from the moment a freeze may start until the guard has reported that it ended. */
    boolean holdsStateWrites() {
        return guard != null && !guard.done().isDone();
    }

    List<String> frozenNow() {
        return guard == null ? List.of() : guard.stillFrozen().stream().map(Path::toString).toList();
    }

    Phase phase() {
        return phase;
    }

    @Override
    public boolean isDone() {
        return done.isDone();
    }
}
