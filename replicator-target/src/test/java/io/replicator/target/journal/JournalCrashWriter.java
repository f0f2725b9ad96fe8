package io.replicator.target.journal;

import io.replicator.target.journal.internal.Queues;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process {@link JournalCrashTest} kills: opens (and so recovers) a journal, appends blocks
 * that follow from their sequence (and now and then a checkpoint marker) from the sequence after the
 * durable one, while a force thread syncs in a loop and prints {@code durable N} after each sync that
 * returned N. Prints {@code opened N} once recovered. Its clock jumps five minutes every 150 entries,
 * so that it rolls cycles often, and every 100 blocks it prunes what is older than 15 minutes of
 * that clock. Never stops by itself.
 *
 * <p>Usage: {@code JournalCrashWriter JOURNAL_DIR SOURCE_ID SEED}
 */
public final class JournalCrashWriter {
    private static final long CYCLE_MS = TimeUnit.MINUTES.toMillis(5);

    private JournalCrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[2]));
        Path dir = root.resolve(args[1]);
        long base = System.currentTimeMillis();
        if (dir.toFile().isDirectory()) {
            var cycles = Queues.cycles(dir);
            if (!cycles.isEmpty()) {
                base = Math.max(base, Queues.startMs(cycles.lastKey()) + CYCLE_MS);
            }
        }
        AtomicLong appends = new AtomicLong();
        long start = base;
        JournalConfig config = JournalConfig.of(root).withRetain(java.time.Duration.ofMinutes(15))
                .withClockMs(() -> start + appends.get() / 150 * CYCLE_MS);
        SourceJournal journal = SourceJournal.open(config, args[1]);
        long sequence = journal.durableSequence();
        System.out.println("opened " + sequence);
        System.out.flush();
        Thread forcer = new Thread(() -> {
            long printed = -1;
            try {
                while (true) {
                    long durable = journal.sync();
                    if (durable != printed) {
                        System.out.println("durable " + durable);
                        System.out.flush();
                        printed = durable;
                    }
                    Thread.sleep(random.split().nextInt(3));
                }
            } catch (Exception e) {
                e.printStackTrace();
                Runtime.getRuntime().halt(3);
            }
        }, "force");
        forcer.setDaemon(true);
        forcer.start();
        long checkpoint = 0;
        while (true) {
            if (sequence - journal.durableSequence() > 64) {
                Thread.sleep(1); // at most 64 blocks ahead of the last sync, as a bounded apply queue would be
                continue;
            }
            sequence++;
            JournalTestData.appendBlock(journal, sequence);
            if (appends.incrementAndGet() % 8 == 0) {
                Thread.sleep(1); // a few MB/s: enough to be killed mid-append, not so much that checking takes long
            }
            if (random.nextInt(50) == 0) {
                journal.appendMarker(MarkerKind.CHECKPOINT, ++checkpoint, sequence, "checkpoint " + checkpoint);
                appends.incrementAndGet();
            }
            if (sequence % 100 == 0) {
                journal.prune(journal.durablePosition()); // everything durable counts as applied here
            }
        }
    }
}
