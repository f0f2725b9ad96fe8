package io.replicator.source.sync;

import io.replicator.protocol.text.Causes;
import io.replicator.protocol.wire.BarrierAck;
import io.replicator.protocol.wire.CutoverReportAck;
import io.replicator.source.CommitResult;
import io.replicator.source.CutoverReportRequest;
import io.replicator.source.CutoverResult;
import io.replicator.source.CutoverResult.FileSystems;
import io.replicator.source.Outcome;
import io.replicator.source.PrepareAnswer;
import io.replicator.source.PreparedCutover;
import io.replicator.source.VerifyOutcome;
import io.replicator.source.VerifyResult;
import io.replicator.source.cutover.CutoverRecord;
import io.replicator.source.cutover.FreezeGuard;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 *
 * <p>Once verified, a cutover of a wave ({@link Plan#hold}) is HELD: the file systems stay frozen,
 * nothing more is sent, until the admin commits it ({@link #commit}), aborts it, or its deadline
 * passes (then it thaws and seals nothing). A commit, and a one-shot cutover at once, SEALS: it
 * hands the receiver the report with the seal ({@code CutoverReport}) and waits for its
 * {@code CutoverReportAck}; sealed, the source records its cutover and thaws, or keeps the file
 * systems frozen with the guard's deadline moved. Any failure before the seal is confirmed thaws and
 * leaves the source replicating. See docs/design/007-wave-cutover.md.
 */
final class CutoverJob implements Job {
    private static final Logger LOG = LoggerFactory.getLogger(CutoverJob.class);
    /** The probe barrier must come back within this, or a quarter of the timeout if that is less. */
    static final long PROBE_TIMEOUT_MS = 5_000;
    /** How long the agent's thread waits for the guard to report a thaw. */
    static final long THAW_WAIT_MS = 5_000;

    /** Rounds of the comparison before the freeze, at most: each compares what the one before could not prove. */
    static final int MAX_PRE_VERIFY_ROUNDS = 3;
    /** Unproven chunks left after a round before the freeze that are few enough to compare while frozen. */
    static final long FEW_UNPROVEN_CHUNKS = 256;

    enum Phase { PROBE, PRE_VERIFY, FREEZING, DRAIN, BARRIER, VERIFY, HELD, SEALING }

    /**
     * How a cutover ends once verified: {@code hold} (a wave's prepare) waits for the commit; else the
     * report of this one server, made from the verified result by {@code oneServerReport}, is sealed at
     * once. {@code fullVerify}: hash every chunk while frozen, not only those written since they were compared.
     */
    record Plan(String waveId, String askedBy, boolean hold, Function<CutoverResult, CutoverReportRequest> oneServerReport,
                boolean fullVerify) {
        Plan(String waveId, String askedBy, boolean hold, Function<CutoverResult, CutoverReportRequest> oneServerReport) {
            this(waveId, askedBy, hold, oneServerReport, false);
        }
    }

    private final JobPort port;
    private final List<Path> freeze;
    private final Plan plan;
    /**
     * The whole cutover's outcome: sealed, or failed, aborted, withdrawn. Completed before the
     * prepare's and the commit's answers, so that the source is free again when they are given.
     */
    final CompletableFuture<CutoverResult> done = new CompletableFuture<>();
    /** A prepare's answer: verified and held, or the failure. */
    final CompletableFuture<PrepareAnswer> prepared = new CompletableFuture<>();
    /** The seal asked of the receiver, once asked. */
    private SealStep seal;
    /** The commit waiting for its answer, or null. */
    private CompletableFuture<CommitResult> committing;
    /** The verified result, once verified. */
    private CutoverResult verified;
    private String freezeStartedUtc;
    private long[] sentAtStartByVolume;
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
    /** What is proven of each chunk, when the verification while frozen is incremental; else null. */
    private KeptHashes kept;
    /** How the chunks are verified while frozen, as the report says it. */
    private String verification;
    private int preVerifyRounds;

    /** A cutover of {@code freeze} (maybe none) that must be done by {@code deadlineNs}, {@code timeoutMs} after it was asked for. */
    CutoverJob(JobPort port, List<Path> freeze, long deadlineNs, long timeoutMs, Plan plan) {
        this.port = port;
        this.freeze = List.copyOf(freeze);
        this.plan = plan;
        this.timeoutMs = timeoutMs;
        this.deadlineNs = deadlineNs;
        this.probeTimeoutMs = Math.min(PROBE_TIMEOUT_MS, Math.max(1, timeoutMs / 4));
    }

    /** Checks what must hold before anything is frozen and sends the probe barrier; a refusal ends the job at once. */
    void begin() {
        LOG.info("cutover{}: started, asked by {}{}", plan.waveId() == null ? "" : " of wave " + plan.waveId(),
                plan.askedBy(), freeze.isEmpty() ? " (no --freeze: the applications must already be stopped)"
                : ", will freeze " + freeze);
        String refusal = CutoverPreconditions.refusal(port, timeoutMs);
        if (refusal != null) {
            refuse(refusal);
            return;
        }
        probeSentNs = System.nanoTime();
        sendBarrier();
    }

    /** Passes and walks stop once the barrier is out: what the receiver holds stays what was verified. */
    boolean allowsPasses() {
        return phase.compareTo(Phase.BARRIER) < 0;
    }

    Phase phase() {
        return phase;
    }

    String waveId() {
        return plan.waveId();
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
        if (phase == Phase.SEALING && seal.overdue(now)) {
            fail("the receiver " + port.hostPort() + " did not confirm the report and the seal within "
                    + SealStep.SEAL_TIMEOUT_MS + " ms");
            return;
        }
        switch (phase) {
            case PROBE -> {
                if (now - probeSentNs > TimeUnit.MILLISECONDS.toNanos(probeTimeoutMs)) {
                    refuse("the target " + port.hostPort() + " did not answer a barrier within " + probeTimeoutMs
                            + " ms (" + port.inFlightBytes() + " bytes in flight)");
                }
            }
            case PRE_VERIFY -> {
                if (verify.isDone()) {
                    preVerified(verify.done.join());
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
            case HELD -> {
                if (guard != null && guard.done().isDone()) {
                    fail("the freeze guard ended (" + guard.stillFrozen().size() + " mount points left frozen) while "
                            + "held: the file systems were thawed before the commit");
                }
            }
            case SEALING -> {
                // waits for the receiver's answer
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
            startPreVerify();
        } else if (phase == Phase.BARRIER) {
            barrierAckNs = System.nanoTime();
            LOG.info("cutover: barrier {} durable on the target at sequence {}; verifying {}", barrierId,
                    ack.durableSequence(), kept == null ? "every chunk" : kept.unprovenChunks()
                            + " chunks written since they were compared (" + verification + ")");
            KeptHashes now = port.keptHashes();
            if (kept != null && now == null) {
                verification = "full (" + port.whyFullVerify() + ")";
            }
            verify = new VerifyJob(port, true, now, kept != null && now != null);
            port.compare(verify);
            phase = Phase.VERIFY;
        }
    }

    /** The receiver's answer to the report: sealed, the cutover is done. */
    void onReportAck(CutoverReportAck ack) {
        if (phase != Phase.SEALING || !seal.answeredBy(ack) || done.isDone()) {
            return;
        }
        if (!ack.sealed()) {
            fail("the receiver " + port.hostPort() + " kept the report but did not seal the volumes");
            return;
        }
        sealed();
    }

    /** The receiver refused something with {@code why}: a seal asked for has failed. */
    void refused(String why) {
        if (phase == Phase.SEALING && !done.isDone()) {
            fail("the receiver refused the seal: " + why);
        }
    }

    /** The admin commits the held cutover: seal with {@code request}'s report, then thaw or keep frozen. */
    void commit(CutoverReportRequest request, CompletableFuture<CommitResult> answer) {
        tick(System.nanoTime()); // a commit that comes after the deadline, or after the guard thawed, seals nothing
        if (phase != Phase.HELD || done.isDone()) {
            answer.complete(CommitResult.refused("the cutover" + ofWave() + " is not held for a commit: it is "
                    + (done.isDone() ? "over" : "in its " + phaseName())));
        } else if (!Objects.equals(plan.waveId(), request.waveId())) {
            answer.complete(CommitResult.refused("the cutover held here is of wave " + plan.waveId() + ", not of "
                    + request.waveId()));
        } else if (!request.hasReport()) {
            answer.complete(CommitResult.refused("a commit needs the report to keep with the seal (report_id, "
                    + "report_json, report_markdown)"));
        } else {
            startSeal(request, answer);
        }
    }

    /** Ends the cutover without a seal, thawing at once; false when it is of another wave than {@code waveId}. */
    boolean abort(String waveId, String why) {
        if (waveId != null && !Objects.equals(plan.waveId(), waveId)) {
            return false;
        }
        fail(phase == Phase.SEALING ? "aborted during the seal (the receiver may have sealed already): " + why
                : "aborted: " + why);
        return true;
    }

    /** The connection to the target was lost: while frozen there is no waiting for it, the job fails and thaws. */
    @Override
    public void connectionLost() {
        if (!done.isDone()) {
            fail(phase == Phase.PROBE || phase == Phase.PRE_VERIFY ? "lost the connection to the target before the freeze"
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

    /**
     * Before the freeze, compares every chunk not proven yet (incremental verification), so that only
     * what is written from now on is hashed while frozen; with {@code --full-verify}, or when the
     * source cannot keep proofs, freezes at once and hashes every chunk while frozen.
     */
    private void startPreVerify() {
        String whyFull = plan.fullVerify() ? "full (asked for: every chunk hashed while frozen)" : port.whyFullVerify();
        kept = whyFull == null ? port.keptHashes() : null;
        if (kept == null) {
            verification = whyFull.startsWith("full") ? whyFull : "full (" + whyFull + ")";
            startFreeze();
            return;
        }
        verification = "incremental";
        phase = Phase.PRE_VERIFY;
        nextPreVerifyRound();
    }

    private void nextPreVerifyRound() {
        preVerifyRounds++;
        LOG.info("cutover: comparing {} chunks not proven yet before the freeze (round {})", kept.unprovenChunks(),
                preVerifyRounds);
        verify = new VerifyJob(port, false, kept, true);
        port.compare(verify);
    }

    /** A round before the freeze ended: another round, or the freeze; a chunk that differs fails the cutover. */
    private void preVerified(VerifyResult r) {
        if (r.result() == VerifyOutcome.FAILED || r.result() == VerifyOutcome.DIFFER) {
            refuse("verification before the freeze failed: " + r.reason());
        } else if (preVerifyRounds < MAX_PRE_VERIFY_ROUNDS && kept.unprovenChunks() > FEW_UNPROVEN_CHUNKS) {
            nextPreVerifyRound();
        } else {
            LOG.info("cutover: {} chunks left to compare while frozen", kept.unprovenChunks());
            startFreeze();
        }
    }

    private void startFreeze() {
        long now = System.nanoTime();
        startNs = now;
        freezeStartedUtc = Instant.now().toString();
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
        sentAtStartByVolume = new long[port.volumes().size()];
        for (int i = 0; i < sentAtStartByVolume.length; i++) {
            sentAtStartByVolume[i] = port.sentPayloadBytes(i);
        }
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
        String verifiedUtc = Instant.now().toString();
        List<CutoverResult.Volume> volumes = new ArrayList<>();
        List<PreparedCutover.Volume> held = new ArrayList<>();
        for (int i = 0; i < port.volumes().size(); i++) {
            VerifyResult.Volume v = result.volumes().get(i);
            long size = port.volumes().get(i).sizeBytes();
            volumes.add(new CutoverResult.Volume(v.name(), size, v.checksumSource(), v.checksumTarget()));
            held.add(new PreparedCutover.Volume(v.name(), size, port.sentPayloadBytes(i) - sentAtStartByVolume[i],
                    v.checksumSource(), v.checksumTarget(), true));
        }
        long downtimeMs = ms(endNs - startNs);
        FileSystems heldNow = guard == null ? notFrozen() : FileSystems.FROZEN;
        verified = new CutoverResult(Outcome.OK, "every volume is durable on the target and verified equal",
                downtimeMs, sentBytes() - sentAtStart, true, ms(drainedNs - startNs), ms(barrierAckNs - drainedNs),
                ms(endNs - barrierAckNs), volumes, heldNow, stillFrozen(), false, null, null, verification);
        LOG.info("cutover: verified in {} ms after the freeze, {} bytes in the final sync", downtimeMs,
                verified.finalSyncBytes());
        if (plan.hold()) {
            phase = Phase.HELD;
            LOG.info("cutover{}: held{} until the commit, the abort or the deadline ({} ms from now)", ofWave(),
                    freeze.isEmpty() ? "" : ", " + freeze + " frozen,",
                    TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
            prepared.complete(new PreparedCutover(PreparedCutover.VERIFIED, port.sourceId(), plan.waveId(),
                    plan.askedBy(), freezeStartedUtc, verifiedUtc, downtimeMs, verified.finalSyncBytes(), held,
                    heldNow, stillFrozen(), verification));
        } else {
            startSeal(plan.oneServerReport().apply(verified), null);
        }
    }

    private void startSeal(CutoverReportRequest request, CompletableFuture<CommitResult> answer) {
        String cannot = SealStep.cannotSeal(port);
        if (cannot != null) {
            committing = answer;
            fail(cannot);
            return;
        }
        phase = Phase.SEALING;
        seal = SealStep.send(port, request, answer);
        committing = answer;
        LOG.info("cutover{}: asked the receiver to keep report {} and seal the volumes", ofWave(), request.reportId());
    }

    /** The receiver sealed: record, then thaw or keep frozen, and answer. */
    private void sealed() {
        long sealedNs = System.nanoTime();
        CutoverReportRequest report = seal.request;
        CutoverRecord record = new CutoverRecord(plan.waveId(), report.reportId(), Instant.now().toString(),
                CutoverRecord.SEALED, null);
        long freezeMs = startNs == 0 ? 0 : ms(sealedNs - startNs);
        FileSystems fileSystems;
        String thawedUtc = null;
        if (report.keepFrozen() && guard != null && !guard.stillFrozen().isEmpty() && keepFrozen()) {
            fileSystems = FileSystems.FROZEN;
        } else {
            fileSystems = thaw("the cutover is verified and sealed");
            freezeMs = startNs == 0 ? 0 : ms(System.nanoTime() - startNs);
            thawedUtc = guard == null ? null : Instant.now().toString();
        }
        port.cutOver(record);
        LOG.info("cutover{}: SEALED on the receiver (report {}), downtime {} ms, {} bytes in the final sync; file "
                + "systems {}. The target volumes can boot. Writes seen on the source from now on are counted and NOT "
                + "replicated", ofWave(), report.reportId(), verified.downtimeMs(), verified.finalSyncBytes(), fileSystems);
        CutoverResult r = new CutoverResult(Outcome.OK, "every volume is durable on the target, verified equal and "
                + "sealed", verified.downtimeMs(), verified.finalSyncBytes(), true, verified.drainMs(),
                verified.barrierMs(), verified.verifyMs(), verified.volumes(), fileSystems, stillFrozen(), true,
                report.reportId(), null, verification);
        done.complete(r);
        if (committing != null) {
            committing.complete(new CommitResult(CommitResult.OK, "sealed on the receiver with report "
                    + report.reportId(), true, report.reportId(), freezeMs, thawedUtc, fileSystems, stillFrozen()));
        }
    }

    /** Moves the guard's deadline to the commit's maximum and hands it to the agent; false when it cannot be. */
    private boolean keepFrozen() {
        try {
            guard.extend(seal.request.maxFrozenMs());
        } catch (IOException e) {
            LOG.error("cutover: cannot keep {} frozen ({}); thawing", freeze, e.getMessage());
            return false;
        }
        port.keepFrozen(guard, startNs, seal.request.maxFrozenMs());
        return true;
    }

    @Override
    public boolean isDone() {
        return done.isDone();
    }

    /** Fails before anything was frozen. */
    private void refuse(String reason) {
        LOG.error("cutover: refused: {}; nothing was frozen", reason);
        CutoverResult r = CutoverResult.refused(reason + "; nothing was frozen", !freeze.isEmpty());
        done.complete(r);
        prepared.complete(r);
    }

    void fail(String reason) {
        if (done.isDone()) {
            return;
        }
        if (guard == null && (phase == Phase.PROBE || phase == Phase.PRE_VERIFY)) {
            if (verify != null && !verify.isDone()) {
                verify.fail(reason);
            }
            refuse(reason);
            return;
        }
        long failedNs = System.nanoTime();
        FileSystems fileSystems = thaw(reason);
        if (verify != null && !verify.isDone()) {
            verify.fail(reason);
        }
        long downtimeMs = startNs == 0 ? 0 : ms(failedNs - startNs);
        List<String> left = stillFrozen();
        LOG.error("cutover{}: FAILED in its {}: {}; {}; nothing was sealed; the source keeps replicating, fix the "
                        + "cause and run cutover again", ofWave(), phaseName(), reason,
                left.isEmpty() ? "file systems " + fileSystems : "STILL FROZEN: " + left);
        CutoverResult r = new CutoverResult(Outcome.FAILED, reason, downtimeMs, sentBytes() - sentAtStart, false, 0, 0,
                0, List.of(), fileSystems, left, false, null, phaseName(), verification);
        done.complete(r);
        prepared.complete(r);
        if (committing != null) {
            committing.complete(new CommitResult(CommitResult.FAILED, reason, false, null,
                    startNs == 0 ? 0 : ms(System.nanoTime() - startNs), guard == null ? null : Instant.now().toString(),
                    fileSystems, left));
        }
    }

    private String phaseName() {
        return phase.name().toLowerCase(Locale.ROOT);
    }

    private String ofWave() {
        return plan.waveId() == null ? "" : " of wave " + plan.waveId();
    }

    private FileSystems notFrozen() {
        return freeze.isEmpty() ? FileSystems.NONE : FileSystems.NOT_FROZEN;
    }

    /** Thaws through the guard and says what the file systems are now. */
    private FileSystems thaw(String why) {
        if (guard == null) {
            return notFrozen();
        }
        return thawed(guard, guard.thawAndWait(why, THAW_WAIT_MS));
    }

    /** What the file systems of {@code guard} are once it was asked to thaw and {@code left} are not known thawed. */
    static FileSystems thawed(FreezeGuard guard, List<Path> left) {
        if (!left.isEmpty()) {
            return FileSystems.STILL_FROZEN;
        }
        return guard.frozeAny() ? FileSystems.THAWED : FileSystems.NOT_FROZEN;
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
            case PRE_VERIFY -> "comparing the chunks not proven yet before the freeze (round " + preVerifyRounds + ")";
            case FREEZING -> "freezing " + freeze;
            case DRAIN -> port.connected()
                    ? String.format("draining: %d blocks (%d bytes on the wire) not yet durable on the target, "
                    + "%d blocks to resend", port.inFlightBlocks(), port.inFlightBytes(), port.resendBlocks())
                    : "waiting for the target " + port.hostPort() + ", which is unreachable ("
                    + (port.lastError() == null ? "no answer" : port.lastError()) + ")";
            case BARRIER -> "waiting for the target to make the barrier durable";
            case VERIFY -> "verifying";
            case HELD -> "held, waiting for the commit";
            case SEALING -> "waiting for the receiver to keep the report and seal";
        };
    }

    private long sentBytes() {
        return port.sentPayloadBytes();
    }

    private static long ms(long ns) {
        return TimeUnit.NANOSECONDS.toMillis(ns);
    }
}
