package io.replicator.source.sync;

import static io.replicator.source.sync.JobsTest.REPORT;
import static io.replicator.source.sync.JobsTest.TIMEOUT_MS;
import static io.replicator.source.sync.JobsTest.later;
import static io.replicator.source.sync.JobsTest.runAgainstTarget;
import static io.replicator.source.sync.MemoryPort.BLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.wire.BarrierAck;
import io.replicator.protocol.wire.CutoverReportAck;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.source.CutoverResult;
import io.replicator.source.VerifyResult;
import io.replicator.source.track.DirtyMap;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Incremental verification against an in-memory {@link JobPort} whose dirty map stands for the
 * kernel tracker: the cutover compares every chunk before the freeze, then while frozen only the
 * chunks the tracker saw written since, and gives the roots a full verification gives; a chunk
 * written after the comparison before the freeze is compared again whether or not it was sent; a
 * chunk that differs before the freeze fails the cutover.
 */
@Timeout(10)
class IncrementalVerifyTest {
    private static final int BLOCKS = 600;

    private static MemoryPort trackedPort() {
        MemoryPort port = new MemoryPort(BLOCKS);
        port.dirty = new DirtyMap(BLOCKS, BLOCK);
        port.kept = KeptHashes.of(port.volumes, List.of(port.dirty));
        return port;
    }

    private static CutoverJob cutover(MemoryPort port, boolean fullVerify) {
        return new CutoverJob(port, List.of(), later(TIMEOUT_MS), TIMEOUT_MS, new CutoverJob.Plan(null, "loopback",
                false, r -> REPORT, fullVerify));
    }

    /** The probe answered: the comparison before the freeze runs. */
    private static CutoverJob preVerifying(MemoryPort port) {
        CutoverJob job = cutover(port, false);
        job.begin();
        job.onBarrierAck(new BarrierAck(1, 0));
        assertEquals(CutoverJob.Phase.PRE_VERIFY, job.phase());
        return job;
    }

    /** Frozen (nothing to freeze here), drained, barrier durable: the verification while frozen runs. */
    private static void toTheFrozenVerification(CutoverJob job, MemoryPort port) {
        job.tick(System.nanoTime());
        assertEquals(CutoverJob.Phase.DRAIN, job.phase());
        port.drained = true;
        job.tick(System.nanoTime());
        job.onBarrierAck(new BarrierAck(2, 0));
        assertEquals(CutoverJob.Phase.VERIFY, job.phase());
    }

    /** Writes block {@code block} on the source, as the tracker sees it; {@code replicated}: the target got it too. */
    private static void write(MemoryPort port, long block, boolean replicated) {
        int at = (int) block * BLOCK;
        port.source[at] ^= 0x5a;
        if (replicated) {
            port.target[at] = port.source[at];
        }
        port.dirty.mark(block);
    }

    private static VerifyResult fullVerification(MemoryPort port) throws IOException {
        VerifyJob full = new VerifyJob(port, true, null, false);
        runAgainstTarget(full, port);
        return full.done.join();
    }

    private static CutoverResult sealed(CutoverJob job, MemoryPort port) {
        job.tick(System.nanoTime());
        job.onReportAck(new CutoverReportAck(port.reports.get(0).requestId(), true));
        return job.done.join();
    }

    @Test
    void shouldHashOnlyTheChunksWrittenSinceThePrePassWhileFrozenAndGiveTheRootsOfAFullVerification()
            throws IOException {
        MemoryPort port = trackedPort();
        CutoverJob job = preVerifying(port);
        runAgainstTarget(port.compared, port);
        assertEquals(3, port.asked.size(), "before the freeze every chunk is compared, 256 a request");
        write(port, 300, true);
        write(port, 301, true);
        toTheFrozenVerification(job, port);
        runAgainstTarget(port.compared, port, 3);
        assertEquals(List.of(new HashRequest(1, 0, 300L * BLOCK, BLOCK, 2)), port.asked.subList(3, port.asked.size()),
                "while frozen only the two chunks written since are hashed");
        CutoverResult r = sealed(job, port);
        assertTrue(r.verified(), r::toString);
        assertEquals("incremental", r.verification());
        VerifyResult full = fullVerification(port);
        assertTrue(full.equal(), full::toString);
        assertNotNull(r.volumes().get(0).checksumSource());
        assertEquals(full.volumes().get(0).checksumSource(), r.volumes().get(0).checksumSource());
        assertEquals(full.volumes().get(0).checksumTarget(), r.volumes().get(0).checksumTarget());
    }

    @Test
    void shouldFailWhenAChunkWrittenAfterThePrePassNeverReachedTheTarget() throws IOException {
        MemoryPort port = trackedPort();
        CutoverJob job = preVerifying(port);
        runAgainstTarget(port.compared, port);
        write(port, 42, false); // seen by the tracker, never sent
        toTheFrozenVerification(job, port);
        runAgainstTarget(port.compared, port, 3);
        job.tick(System.nanoTime());
        CutoverResult r = job.done.join();
        assertFalse(r.verified(), r::toString);
        assertTrue(r.reason().startsWith("verification failed: 1 chunks differ"), r.reason());
        assertEquals(List.of(42L), port.differing, "the differing chunk is sent again");
        assertFalse(port.cutOver);
    }

    @Test
    void shouldFailBeforeTheFreezeWhenTheTargetDiffersAtThePrePass() throws IOException {
        MemoryPort port = trackedPort();
        port.target[257 * BLOCK] ^= 1;
        CutoverJob job = preVerifying(port);
        runAgainstTarget(port.compared, port);
        job.tick(System.nanoTime());
        CutoverResult r = job.done.join();
        assertFalse(r.verified(), r::toString);
        assertTrue(r.reason().startsWith("verification before the freeze failed: 1 chunks differ"), r.reason());
        assertTrue(r.reason().endsWith("nothing was frozen"), r.reason());
        assertEquals(List.of(1L), port.barriers, "no freeze, no drain, no barrier after the probe");
        assertEquals(List.of(257L), port.differing);
    }

    @Test
    void shouldHashEveryChunkWhileFrozenOnceTheProofsAreVoid() throws IOException {
        MemoryPort port = trackedPort();
        CutoverJob job = preVerifying(port);
        runAgainstTarget(port.compared, port);
        job.tick(System.nanoTime());
        assertEquals(CutoverJob.Phase.DRAIN, job.phase());
        port.forgetProofs(); // as a lost event or a lost link does
        port.drained = true;
        job.tick(System.nanoTime());
        job.onBarrierAck(new BarrierAck(2, 0));
        runAgainstTarget(port.compared, port, 3);
        assertEquals(6, port.asked.size(), "every chunk again while frozen");
        assertTrue(sealed(job, port).verified());
    }

    @Test
    void shouldHashEveryChunkWhileFrozenWhenAFullVerificationIsAskedFor() throws IOException {
        MemoryPort port = trackedPort();
        CutoverJob job = cutover(port, true);
        job.begin();
        job.onBarrierAck(new BarrierAck(1, 0));
        assertEquals(CutoverJob.Phase.DRAIN, job.phase(), "no comparison before the freeze");
        port.drained = true;
        job.tick(System.nanoTime());
        job.onBarrierAck(new BarrierAck(2, 0));
        runAgainstTarget(port.compared, port);
        assertEquals(3, port.asked.size());
        CutoverResult r = sealed(job, port);
        assertTrue(r.verified(), r::toString);
        assertTrue(r.verification().startsWith("full (asked for"), r.verification());
        assertEquals(fullVerification(port).volumes().get(0).checksumSource(), r.volumes().get(0).checksumSource());
    }

    @Test
    void shouldLeaveAChunkUnprovenWhenItIsWrittenBetweenItsReadAndTheAnswer() throws IOException {
        MemoryPort port = trackedPort();
        VerifyJob pre = new VerifyJob(port, false, port.kept, true);
        pre.step();
        port.dirty.mark(7); // written after the read, before the target answered
        runAgainstTarget(pre, port);
        assertEquals(1, port.kept.unprovenChunks(), "only the chunk written after its read");
        assertEquals(7, port.kept.nextUnproven(0, 0));
    }
}
