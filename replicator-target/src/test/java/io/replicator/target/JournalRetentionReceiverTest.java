package io.replicator.target;

import static io.replicator.target.TargetFixture.BLOCK;
import static io.replicator.target.TargetFixture.DISK0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.wire.Checkpoint;
import io.replicator.protocol.wire.CheckpointAck;
import io.replicator.target.apply.SourceHistories;
import io.replicator.target.internal.FileChannelOpener;
import io.replicator.target.journal.CheckpointInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention on the receiver, on an injected clock: checkpoints every five minutes of that clock
 * against {@code --retain 30m}; once the undo kept for the oldest is pruned they become PRUNED, the
 * newer stay launchable, and the history held is about what was asked.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JournalRetentionReceiverTest {
    @TempDir
    Path dir;

    @Test
    void shouldPruneUndoByTheRetentionAndMarkItsCheckpointsPruned() throws Exception {
        AtomicLong clockMs = new AtomicLong(1_800_000_000_000L);
        TargetFixture target = new TargetFixture(dir.resolve("data"), b -> b.journalDir(dir.resolve("journal"))
                .retain(Duration.ofMinutes(30)).journalClockMs(clockMs::get), FileChannelOpener.DEFAULT);
        try {
            TestSource first = target.connect();
            first.hello("src", TargetJournalTest.FEATURES, DISK0);
            try (JournalReceiverCrashTest.Answers answers = new JournalReceiverCrashTest.Answers(first, 0)) {
                long sequence = 0;
                for (int b = 0; b < 64; b++) {
                    answers.source.send(target.block(0, ++sequence, (long) b * BLOCK, TargetFixture.random(b, BLOCK)));
                }
                answers.source.send(new Checkpoint(1, Checkpoint.Kind.INITIAL_COPY_DONE, 0, sequence, 0, 0, ""));
                answers.next(CheckpointAck.class);
                for (long id = 1; id <= 16; id++) {
                    for (int i = 0; i < 8; i++) {
                        int b = (int) ((id * 8 + i) % 64);
                        answers.source.send(target.block(0, ++sequence, (long) b * BLOCK,
                                TargetFixture.random(sequence, BLOCK)));
                    }
                    answers.source.send(new Checkpoint(2, Checkpoint.Kind.CONSISTENT, id, sequence, clockMs.get(), 1,
                            "every 5 minutes"));
                    assertTrue(answers.next(CheckpointAck.class).launchable());
                    target.server.history("src").orElseThrow().awaitApplied(Duration.ofSeconds(30));
                    clockMs.addAndGet(TimeUnit.MINUTES.toMillis(5));
                }
                answers.source.send(target.block(0, ++sequence, 0, TargetFixture.random(sequence, BLOCK)));
                answers.awaitAck(sequence);
                SourceHistories.History history = (SourceHistories.History) target.server.history("src").orElseThrow();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                // Pruning marks the checkpoints one by one: wait until it has passed every old one.
                while ((history.catalog().list().stream().noneMatch(c -> c.state() == CheckpointInfo.State.PRUNED)
                        || history.catalog().list().stream().anyMatch(c -> c.launchable()
                        && clockMs.get() - c.timeMs() > TimeUnit.MINUTES.toMillis(40)))
                        && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                List<CheckpointInfo> all = history.catalog().list();
                System.out.println(all.stream().map(c -> c.checkpointId() + " " + c.state()).toList());
                assertEquals(16, all.size());
                assertTrue(all.get(0).state() == CheckpointInfo.State.PRUNED, all.get(0).toString());
                assertTrue(all.get(15).launchable(), all.get(15).toString());
                long nowMs = clockMs.get();
                for (CheckpointInfo c : all) {
                    if (c.launchable()) {
                        assertTrue(nowMs - c.timeMs() <= TimeUnit.MINUTES.toMillis(40), "kept within the retention "
                                + "and a cycle: " + c);
                    } else {
                        assertEquals(CheckpointInfo.State.PRUNED, c.state(), c.toString());
                        assertTrue(c.reason().contains("retention"), c.reason());
                    }
                }
                assertFalse(history.historyShort(), "held " + history.historyHeld() + " of " + history.historyAsked());
                assertTrue(history.historyRatio() >= 0.75, "ratio " + history.historyRatio());
                TargetStatus.History status = target.server.status().sources().get(0).history();
                assertEquals(history.oldestLaunchable().orElseThrow().checkpointId(), status.oldestLaunchable().id());
                assertEquals(16, status.newestLaunchable().id());
                assertTrue(status.journalBytes() > 0);
            }
        } finally {
            target.close();
        }
    }
}
