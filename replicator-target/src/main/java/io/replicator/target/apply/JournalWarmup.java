package io.replicator.target.apply;

import io.replicator.protocol.wire.Encoding;
import io.replicator.target.journal.JournalConfig;
import io.replicator.target.journal.JournalReader;
import io.replicator.target.journal.MarkerKind;
import io.replicator.target.journal.SourceJournal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens, writes, syncs, reads and deletes a throwaway journal on a thread of its own when the receiver
 * starts: Chronicle Queue's first use in a JVM loads and initialises a few thousand classes (seconds
 * on a busy machine), which would otherwise fall on the first source to finish its initial copy,
 * holding up its next answers (a cutover's probe barrier waits a few seconds at most). Best effort:
 * a failure is logged and costs nothing else. Stateless.
 */
public final class JournalWarmup {
    private static final Logger log = LoggerFactory.getLogger(JournalWarmup.class);

    private JournalWarmup() {
    }

    /** Starts the warm-up on a daemon thread. */
    public static void start() {
        Thread thread = new Thread(JournalWarmup::run, "replicator-journal-warmup");
        thread.setDaemon(true);
        thread.start();
    }

    private static void run() {
        long startNs = System.nanoTime();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("replicator-journal-warmup");
            JournalConfig config = JournalConfig.of(dir).withReserveBytes(0).withBlockSizeBytes(1L << 20);
            try (SourceJournal journal = SourceJournal.open(config, "warmup")) {
                journal.appendBlock(0, Encoding.RAW, 1, 0, 1, 0, ByteBuffer.wrap(new byte[1]));
                journal.appendMarker(MarkerKind.CHECKPOINT, 1, 1, "");
                journal.sync();
                try (JournalReader reader = journal.reader(-1)) {
                    while (reader.next() != null) {
                        // read back: the reading classes too
                    }
                }
                journal.prune(journal.durablePosition());
            }
            log.debug("journal warm-up done in {} ms", (System.nanoTime() - startNs) / 1_000_000);
        } catch (IOException | RuntimeException | LinkageError e) {
            log.info("journal warm-up failed (the first journal opens more slowly): {}", e.toString());
        } finally {
            if (dir != null) {
                delete(dir);
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.debug("journal warm-up: cannot delete {}: {}", dir, e.toString());
        }
    }
}
