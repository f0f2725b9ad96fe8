package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.block.ChunkHashes;
import io.replicator.protocol.wire.BarrierAck;
import io.replicator.protocol.wire.CutoverReport;
import io.replicator.protocol.wire.CutoverReportAck;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.source.CommitResult;
import io.replicator.source.CutoverReportRequest;
import io.replicator.source.CutoverResult;
import io.replicator.source.PrepareAnswer;
import io.replicator.source.PreparedCutover;
import io.replicator.source.VerifyResult;
import io.replicator.source.cutover.CutoverRecord;
import io.replicator.source.cutover.FreezeGuard;
import io.replicator.source.cutover.FreezeRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cutover, the verification and the comparison after an unclean stop against an in-memory
 * {@link JobPort}: no agent, no process. Time is whatever the test hands {@link Job#tick}.
 */
@Timeout(10)
class JobsTest {
    private static final int BLOCK = 4096;
    private static final long TIMEOUT_MS = 60_000;

    /** One volume in memory; the target holds {@link #target}; records what the jobs send and change. */
    private static final class MemoryPort implements JobPort {
        final byte[] source;
        final byte[] target;
        final List<VolumeInfo> volumes;
        final List<HashRequest> asked = new ArrayList<>();
        final List<Long> barriers = new ArrayList<>();
        final List<Long> differing = new ArrayList<>();
        final List<Long> held = new ArrayList<>();
        boolean connected = true;
        boolean drained;
        boolean cutOver;
        CutoverRecord record;
        final List<CutoverReport> reports = new ArrayList<>();
        int passesAsked;
        VerifyJob compared;

        MemoryPort(int blocks) {
            source = new byte[blocks * BLOCK];
            new Random(1).nextBytes(source);
            target = source.clone();
            volumes = List.of(new VolumeInfo("root", source.length, BLOCK));
        }

        /** The target's answer to the oldest question not yet answered. */
        HashResponse answer(HashRequest q) {
            ChunkHashes hashes = new ChunkHashes();
            byte[][] out = new byte[q.count()][];
            for (int i = 0; i < q.count(); i++) {
                out[i] = hashes.hashChunk(ByteBuffer.wrap(target, (int) q.offset() + i * BLOCK, BLOCK));
            }
            return new HashResponse(q.requestId(), q.volume(), q.offset(), BLOCK, out);
        }

        @Override
        public List<VolumeInfo> volumes() {
            return volumes;
        }

        @Override
        public boolean connected() {
            return connected;
        }

        @Override
        public String hostPort() {
            return "127.0.0.1:9";
        }

        @Override
        public String lastError() {
            return null;
        }

        @Override
        public boolean reconciling() {
            return false;
        }

        @Override
        public long backlogBytes() {
            return 0;
        }

        @Override
        public double drainBytesPerSecond() {
            return 0;
        }

        @Override
        public int inFlightBlocks() {
            return 0;
        }

        @Override
        public long inFlightBytes() {
            return 0;
        }

        @Override
        public int resendBlocks() {
            return 0;
        }

        @Override
        public long sentPayloadBytes() {
            return 0;
        }

        @Override
        public long lastSequenceSent() {
            return 0;
        }

        @Override
        public FreezeRecord freezeRecord() {
            return null;
        }

        @Override
        public boolean journalSupported() {
            return false;
        }

        @Override
        public boolean initialCopyComplete() {
            return true;
        }

        @Override
        public boolean coveredSince(long sinceNs) {
            return drained;
        }

        @Override
        public void requestFreshPass() {
            passesAsked++;
        }

        @Override
        public void holdFrames(long maxBytes) {
        }

        @Override
        public HeldFrames heldFrames() {
            return null;
        }

        @Override
        public void releaseHeld(io.replicator.protocol.wire.Frame after) {
        }

        @Override
        public void wake() {
        }

        @Override
        public void readChunks(int volume, long firstBlock, int count, ChunkVisitor visitor) throws IOException {
            for (int i = 0; i < count; i++) {
                visitor.visit(i, firstBlock + i, ByteBuffer.wrap(source, (int) (firstBlock + i) * BLOCK, BLOCK).slice());
            }
        }

        @Override
        public void askHashes(HashRequest request) {
            asked.add(request);
        }

        @Override
        public boolean settledOnTarget(int volume, long block, ByteBuffer chunk) {
            return true;
        }

        @Override
        public void targetHolds(int volume, long block, long fingerprint) {
            held.add(block);
        }

        @Override
        public void targetDiffers(int volume, long block) {
            differing.add(block);
        }

        @Override
        public void initialCopyDone() {
        }

        @Override
        public void compare(VerifyJob verify) {
            compared = verify;
        }

        @Override
        public void sendBarrier(long barrierId) {
            barriers.add(barrierId);
        }

        @Override
        public void requestPass() {
            passesAsked++;
        }

        @Override
        public boolean drainedSince(long sinceNs) {
            return drained;
        }

        @Override
        public void cutOver(CutoverRecord r) {
            cutOver = true;
            record = r;
        }

        @Override
        public String sourceId() {
            return "web1";
        }

        @Override
        public long sentPayloadBytes(int volume) {
            return 0;
        }

        @Override
        public boolean sealSupported() {
            return true;
        }

        @Override
        public long sendReport(boolean seal, String reportId, String json, String markdown) {
            reports.add(new CutoverReport(reports.size() + 1, seal, reportId, json, markdown));
            return reports.size();
        }

        @Override
        public void keepFrozen(FreezeGuard guard, long frozenSinceNs, long maxFrozenMs) {
            throw new AssertionError("nothing is frozen here");
        }
    }

    private static final CutoverReportRequest REPORT = new CutoverReportRequest("wave-1", "wave-1", "{}", "# wave-1",
            false, 0);

    /** A one-shot cutover, sealed at once with {@link #REPORT}. */
    private static CutoverJob oneShot(MemoryPort port, long deadlineNs, long timeoutMs) {
        return new CutoverJob(port, List.of(), deadlineNs, timeoutMs, new CutoverJob.Plan(null, "loopback", false,
                r -> REPORT));
    }

    /** A wave's cutover of wave-1, held once verified. */
    private static CutoverJob held(MemoryPort port, long deadlineNs, long timeoutMs) {
        return new CutoverJob(port, List.of(), deadlineNs, timeoutMs, new CutoverJob.Plan("wave-1", "ops", true,
                null));
    }

    /** Steps {@code job} while it wants to and answers each question as the target would. */
    private static void runAgainstTarget(Job job, MemoryPort port) throws IOException {
        int answered = 0;
        while (job.wantsStep() || answered < port.asked.size()) {
            if (job.wantsStep()) {
                job.step();
            } else {
                job.onHashes(port.answer(port.asked.get(answered++)));
            }
        }
    }

    private static long later(long ms) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    }

    /** A cutover without --freeze, taken to the barrier: probe answered, drained, barrier sent. */
    private static CutoverJob cutoverAtTheBarrier(MemoryPort port) {
        return atTheBarrier(port, oneShot(port, later(TIMEOUT_MS), TIMEOUT_MS));
    }

    private static CutoverJob atTheBarrier(MemoryPort port, CutoverJob job) {
        job.begin();
        assertEquals(List.of(1L), port.barriers, "the probe barrier goes out before anything else");
        job.onBarrierAck(new BarrierAck(1, 0));
        assertEquals(1, port.passesAsked, "the drain asks for a fresh look");
        job.tick(System.nanoTime());
        assertEquals(List.of(1L), port.barriers, "no barrier before the drain");
        port.drained = true;
        job.tick(System.nanoTime());
        assertEquals(List.of(1L, 2L), port.barriers);
        return job;
    }

    @Test
    void shouldFinishACutoverOnceTheBarrierIsDurableAndEveryChunkComparesEqual() throws IOException {
        MemoryPort port = new MemoryPort(600);
        CutoverJob job = cutoverAtTheBarrier(port);
        job.onBarrierAck(new BarrierAck(2, 0));
        runAgainstTarget(port.compared, port);
        job.tick(System.nanoTime());
        assertFalse(job.isDone(), "verified, not yet sealed");
        assertFalse(port.cutOver);
        CutoverReport report = port.reports.get(0);
        assertTrue(report.seal());
        assertEquals("wave-1", report.reportId());
        job.onReportAck(new CutoverReportAck(report.requestId(), true));
        CutoverResult r = job.done.join();
        assertTrue(r.verified(), r::toString);
        assertTrue(r.fenced(), r::toString);
        assertTrue(port.cutOver);
        assertEquals(CutoverRecord.SEALED, port.record.how());
        assertEquals(3, port.asked.size(), "600 chunks, 256 a request");
        assertEquals(port.compared.done.join().volumes().get(0).checksumSource(), r.volumes().get(0).checksumTarget());
    }

    @Test
    void shouldRefuseWithoutFreezingWhenTheProbeBarrierNeverComesBack() {
        MemoryPort port = new MemoryPort(8);
        CutoverJob job = oneShot(port, later(TIMEOUT_MS), TIMEOUT_MS);
        job.begin();
        job.tick(System.nanoTime());
        assertFalse(job.isDone());
        job.tick(later(CutoverJob.PROBE_TIMEOUT_MS + 1));
        CutoverResult r = job.done.join();
        assertFalse(r.verified());
        assertTrue(r.reason().contains("did not answer a barrier within 5000 ms"), r.reason());
        assertTrue(r.reason().endsWith("nothing was frozen"), r.reason());
        assertFalse(port.cutOver);
    }

    @Test
    void shouldFailACutoverWhoseBarrierNeverComesBackAtItsDeadline() {
        MemoryPort port = new MemoryPort(8);
        CutoverJob job = cutoverAtTheBarrier(port);
        job.tick(later(TIMEOUT_MS / 2));
        assertFalse(job.isDone());
        assertFalse(job.allowsPasses(), "no pass while the barrier is out");
        job.tick(later(TIMEOUT_MS + 1));
        CutoverResult r = job.done.join();
        assertFalse(r.verified());
        assertTrue(r.reason().contains("waiting for the target to make the barrier durable"), r.reason());
        job.onBarrierAck(new BarrierAck(2, 0));
        assertNull(port.compared, "a late ack starts nothing");
    }

    @Test
    void shouldFailACutoverWhoseVerificationGetsAnAnswerToNoQuestionMidway() throws IOException {
        MemoryPort port = new MemoryPort(600);
        CutoverJob job = cutoverAtTheBarrier(port);
        job.onBarrierAck(new BarrierAck(2, 0));
        VerifyJob verify = port.compared;
        verify.step();
        verify.onHashes(port.answer(port.asked.get(0)));
        verify.step();
        verify.onHashes(port.answer(new HashRequest(99, 0, 0, BLOCK, 1)));
        assertTrue(verify.isDone());
        assertFalse(verify.wantsStep());
        job.tick(System.nanoTime());
        CutoverResult r = job.done.join();
        assertFalse(r.verified());
        assertTrue(r.reason().startsWith("verification failed: target answered hash request 99"), r.reason());
        assertFalse(port.cutOver);
    }

    @Test
    void shouldFailACutoverWhenTheLinkIsLostDuringTheDrain() {
        MemoryPort port = new MemoryPort(8);
        CutoverJob job = oneShot(port, later(TIMEOUT_MS), TIMEOUT_MS);
        job.begin();
        job.onBarrierAck(new BarrierAck(1, 0));
        job.connectionLost();
        CutoverResult r = job.done.join();
        assertEquals("lost the connection to the target during the drain", r.reason());
        assertEquals(CutoverResult.FileSystems.NONE, r.fileSystems());
    }

    /** A wave's cutover of wave-1 taken to its held state. */
    private static CutoverJob heldCutover(MemoryPort port, long deadlineNs, long timeoutMs) throws IOException {
        CutoverJob job = atTheBarrier(port, held(port, deadlineNs, timeoutMs));
        job.onBarrierAck(new BarrierAck(2, 0));
        runAgainstTarget(port.compared, port);
        job.tick(System.nanoTime());
        PrepareAnswer answer = job.prepared.join();
        PreparedCutover p = (PreparedCutover) answer;
        assertEquals("verified", p.result());
        assertEquals("wave-1", p.waveId());
        assertEquals("ops", p.askedBy());
        assertEquals(CutoverJob.Phase.HELD, job.phase());
        assertFalse(job.allowsPasses(), "nothing more is sent while held");
        assertTrue(port.reports.isEmpty(), "nothing sealed before the commit");
        return job;
    }

    @Test
    void shouldHoldAVerifiedCutoverUntilItsCommitThenSealWithTheWavesReport() throws IOException {
        MemoryPort port = new MemoryPort(300);
        CutoverJob job = heldCutover(port, later(TIMEOUT_MS), TIMEOUT_MS);
        CompletableFuture<CommitResult> other = new CompletableFuture<>();
        job.commit(new CutoverReportRequest("wave-2", "wave-2", "{}", "#", false, 0), other);
        assertTrue(other.join().reason().contains("of wave wave-1, not of wave-2"), other.join()::toString);
        CompletableFuture<CommitResult> commit = new CompletableFuture<>();
        job.commit(REPORT, commit);
        assertFalse(commit.isDone(), "waits for the receiver's seal");
        job.onReportAck(new CutoverReportAck(port.reports.get(0).requestId(), true));
        CommitResult c = commit.join();
        assertEquals("ok", c.result(), c::toString);
        assertTrue(c.fenced());
        assertTrue(port.cutOver);
        assertEquals("wave-1", port.record.waveId());
    }

    @Test
    void shouldThawAndSealNothingWhenAHeldCutoverIsAborted() throws IOException {
        MemoryPort port = new MemoryPort(300);
        CutoverJob job = heldCutover(port, later(TIMEOUT_MS), TIMEOUT_MS);
        assertFalse(job.abort("wave-2", "another wave"), "another wave's abort does not touch it");
        assertTrue(job.abort("wave-1", "db1 failed to freeze"));
        CutoverResult r = job.done.join();
        assertEquals("aborted: db1 failed to freeze", r.reason());
        assertEquals("held", r.phase());
        assertTrue(port.reports.isEmpty());
        assertFalse(port.cutOver);
    }

    @Test
    void shouldThawAndSealNothingWhenTheDeadlinePassesWhileHeld() throws IOException {
        MemoryPort port = new MemoryPort(300);
        CutoverJob job = heldCutover(port, later(TIMEOUT_MS), TIMEOUT_MS);
        job.tick(later(TIMEOUT_MS + 1));
        CutoverResult r = job.done.join();
        assertTrue(r.reason().startsWith("timed out after 60000 ms while held, waiting for the commit"), r.reason());
        CompletableFuture<CommitResult> late = new CompletableFuture<>();
        job.commit(REPORT, late);
        assertEquals("failed", late.join().result());
        assertTrue(port.reports.isEmpty(), "a late commit seals nothing");
        assertFalse(port.cutOver);
    }

    @Test
    void shouldRefuseACommitThatComesAfterTheDeadlineBeforeTheAgentTicked() throws IOException {
        MemoryPort port = new MemoryPort(300);
        // A deadline generous enough for the held state to be reached first on a slow machine.
        long deadlineNs = later(2_000);
        CutoverJob job = heldCutover(port, deadlineNs, 2_000);
        long deadline = deadlineNs + TimeUnit.MILLISECONDS.toNanos(1);
        while (System.nanoTime() - deadline < 0) {
            Thread.onSpinWait(); // the deadline passes; no tick comes before the commit
        }
        CompletableFuture<CommitResult> late = new CompletableFuture<>();
        job.commit(REPORT, late);
        assertEquals("failed", late.join().result(), late.join()::toString);
        assertTrue(port.reports.isEmpty(), "nothing is sent to the receiver after the deadline");
        assertTrue(job.done.join().reason().startsWith("timed out after 2000 ms while held"), job.done.join()::reason);
    }

    @Test
    void shouldFailTheCommitAndSealNothingHereWhenTheReceiverRefusesTheSeal() throws IOException {
        MemoryPort port = new MemoryPort(300);
        CutoverJob job = heldCutover(port, later(TIMEOUT_MS), TIMEOUT_MS);
        CompletableFuture<CommitResult> commit = new CompletableFuture<>();
        job.commit(REPORT, commit);
        job.refused("target refused: frame CUTOVER_REPORT is not expected from a source (UNEXPECTED_FRAME)");
        CommitResult c = commit.join();
        assertEquals("failed", c.result());
        assertFalse(c.fenced());
        assertTrue(c.reason().startsWith("the receiver refused the seal"), c.reason());
        assertFalse(port.cutOver);
        assertEquals("sealing", job.done.join().phase());
    }

    @Test
    void shouldReportTheChunksThatDifferAndSendThemAgain() throws IOException {
        MemoryPort port = new MemoryPort(300);
        port.target[257 * BLOCK] ^= 1;
        VerifyJob verify = new VerifyJob(port, false, later(TIMEOUT_MS), TIMEOUT_MS);
        runAgainstTarget(verify, port);
        VerifyResult r = verify.done.join();
        assertFalse(r.equal(), r::toString);
        assertEquals(List.of(257L), port.differing);
        assertEquals(List.of(257L * BLOCK), r.volumes().get(0).firstDifferingOffsets());
        assertEquals(1, port.passesAsked);
    }

    @Test
    void shouldAskAgainFromTheFirstUnansweredRangeWhenTheLinkIsLostDuringAReconcile() throws IOException {
        MemoryPort port = new MemoryPort(600);
        port.target[3 * BLOCK] ^= 1;
        ReconcileJob reconcile = new ReconcileJob(port, "an unclean stop");
        reconcile.step();
        reconcile.step();
        reconcile.onHashes(port.answer(port.asked.get(0)));
        assertEquals(256L * BLOCK, reconcile.doneBytes());
        reconcile.connectionLost();
        assertTrue(reconcile.wantsStep());
        reconcile.step();
        HashRequest again = port.asked.get(2);
        assertEquals(256L * BLOCK, again.offset(), "the unanswered range is asked again");
        assertTrue(again.requestId() > port.asked.get(1).requestId());
        reconcile.onHashes(port.answer(again));
        reconcile.step();
        reconcile.onHashes(port.answer(port.asked.get(3)));
        assertTrue(reconcile.isDone());
        assertEquals(List.of(3L), port.differing);
        assertEquals(599, port.held.size());
        assertEquals(port.source.length, reconcile.doneBytes());
    }
}
