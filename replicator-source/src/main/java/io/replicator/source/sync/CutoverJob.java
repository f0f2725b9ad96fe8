package io.replicator.source.sync;

import io.replicator.protocol.wire.Barrier;
import io.replicator.protocol.wire.BarrierAck;
import io.replicator.source.CutoverResult;
import io.replicator.source.VerifyResult;
import io.replicator.source.cutover.Freezer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The final-sync barrier, step by step on the sync agent's thread: freeze the named file systems
 * (the downtime starts), drain (a pass that started after the freeze has finished and everything it
 * sent is durable), put a barrier through, verify every chunk with both roots, thaw, report. Any
 * failure or the deadline thaws at once and reports why. See docs/design/001-final-sync-barrier.md.
 */
final class CutoverJob {
    private static final Logger LOG = LoggerFactory.getLogger(CutoverJob.class);

    enum Phase { DRAIN, BARRIER, VERIFY }

    private final SyncAgent agent;
    private final Freezer freezer = new Freezer();
    final CompletableFuture<CutoverResult> done = new CompletableFuture<>();
    private final long deadlineNs;
    private final long timeoutMs;
    private long startNs;
    private long drainSinceNs;
    private long drainedNs;
    private long barrierAckNs;
    private long sentAtStart;
    private long barrierId;
    private Phase phase = Phase.DRAIN;
    private VerifyJob verify;

    CutoverJob(SyncAgent agent, long timeoutMs) {
        this.agent = agent;
        this.timeoutMs = timeoutMs;
        this.deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }

    /** Freezes and starts draining; a freeze that fails ends the job at once. */
    void begin(List<Path> freeze) {
        LOG.info("cutover: started{}", freeze.isEmpty() ? " (no --freeze: the applications must already be stopped)"
                : ", freezing " + freeze);
        try {
            freezer.freeze(freeze);
        } catch (IOException e) {
            fail("could not freeze: " + e.getMessage());
            return;
        }
        startNs = System.nanoTime();
        drainSinceNs = startNs;
        sentAtStart = sentBytes();
        agent.requestPass();
    }

    boolean allowsPasses() {
        return phase == Phase.DRAIN;
    }

    void tick(long now) {
        if (done.isDone()) {
            return;
        }
        if (now - deadlineNs >= 0) {
            fail(String.format("timed out after %d ms while %s", timeoutMs, waitingFor()));
            return;
        }
        switch (phase) {
            case DRAIN -> {
                if (agent.isDrained() && agent.lastFinishedPassStartNs - drainSinceNs >= 0) {
                    drainedNs = now;
                    barrierId++;
                    phase = Phase.BARRIER;
                    LOG.info("cutover: drained in {} ms, {} bytes sent since the freeze; barrier {} at sequence {}",
                            ms(now - startNs), sentBytes() - sentAtStart, barrierId, agent.nextSequence() - 1);
                    agent.channel.writeAndFlush(new Barrier(barrierId, agent.nextSequence() - 1));
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

    void onBarrierAck(BarrierAck ack) {
        if (phase != Phase.BARRIER || ack.barrierId() != barrierId || done.isDone()) {
            return;
        }
        barrierAckNs = System.nanoTime();
        LOG.info("cutover: barrier {} durable on the target at sequence {}; verifying", barrierId,
                ack.durableSequence());
        verify = new VerifyJob(agent, true);
        agent.verify = verify;
        phase = Phase.VERIFY;
    }

    void connectionLost() {
        if (!done.isDone() && phase != Phase.DRAIN) {
            LOG.warn("cutover: connection lost during {}; draining again after reconnecting", phase);
            phase = Phase.DRAIN;
        }
    }

    private void finish(VerifyResult result) {
        long endNs = System.nanoTime();
        if (!result.equal()) {
            fail("verification failed: " + result.reason());
            return;
        }
        freezer.thawAll();
        List<CutoverResult.Volume> volumes = new ArrayList<>();
        for (int i = 0; i < agent.volumes.size(); i++) {
            VerifyResult.Volume v = result.volumes().get(i);
            volumes.add(new CutoverResult.Volume(v.name(), agent.volumes.get(i).info.sizeBytes(), v.checksumSource(),
                    v.checksumTarget()));
        }
        long downtimeMs = ms(endNs - startNs);
        CutoverResult r = new CutoverResult("ok", "every volume is durable on the target and verified equal",
                downtimeMs, sentBytes() - sentAtStart, true, ms(drainedNs - startNs), ms(barrierAckNs - drainedNs),
                ms(endNs - barrierAckNs), volumes);
        agent.cutOver = true;
        LOG.info("cutover: done, downtime {} ms, {} bytes in the final sync; the target volumes can boot. "
                + "Writes seen on the source from now on are reported and NOT replicated", downtimeMs, r.finalSyncBytes());
        done.complete(r);
    }

    void fail(String reason) {
        if (done.isDone()) {
            return;
        }
        freezer.thawAll();
        if (verify != null && !verify.isDone()) {
            verify.fail(reason);
        }
        long downtimeMs = startNs == 0 ? 0 : ms(System.nanoTime() - startNs);
        LOG.error("cutover: FAILED: {}; the source keeps replicating, fix the cause and run cutover again", reason);
        done.complete(new CutoverResult("failed", reason, downtimeMs, sentBytes() - sentAtStart, false, 0, 0, 0,
                List.of()));
    }

    private String waitingFor() {
        return switch (phase) {
            case DRAIN -> agent.handshaken
                    ? String.format("draining: %d blocks (%d bytes on the wire) not yet durable on the target, "
                    + "%d blocks to resend", agent.inFlight.size(), agent.inFlight.bytes(), agent.resend.size())
                    : "waiting for the target " + agent.hostPort() + ", which is unreachable ("
                    + (agent.lastError == null ? "no answer" : agent.lastError) + ")";
            case BARRIER -> "waiting for the target to make the barrier durable";
            case VERIFY -> "verifying";
        };
    }

    private long sentBytes() {
        return agent.sentPayloadBytes();
    }

    private static long ms(long ns) {
        return TimeUnit.NANOSECONDS.toMillis(ns);
    }
}
