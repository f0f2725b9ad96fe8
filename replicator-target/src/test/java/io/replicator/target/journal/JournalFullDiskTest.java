package io.replicator.target.journal;

import static io.replicator.target.journal.JournalTestData.appendBlock;
import static io.replicator.target.journal.JournalTestData.assertBlock;
import static io.replicator.target.journal.SmallDisks.mountExt4;
import static io.replicator.target.journal.SmallDisks.run;
import static io.replicator.target.journal.SmallDisks.unmount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal on a small real file system (tmpfs; ext4 on a loop device) that fills up: appends are
 * refused with an error naming the journal, everything appended before is durable and reads back,
 * and appending resumes once space returns. Needs root (mount).
 */
@Timeout(300)
class JournalFullDiskTest {
    private static final long RESERVE_BYTES = 8L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldRefuseAppendsOnAFullTmpfsAndResumeWhenSpaceReturns() throws Exception {
        Path mnt = mountPoint();
        run("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mnt.toString());
        try {
            fillUpAndRecover(mnt);
        } finally {
            unmount(mnt);
        }
    }

    @Test
    void shouldRefuseAppendsOnAFullExt4AndResumeWhenSpaceReturns() throws Exception {
        Path mnt = mountPoint();
        assumeTrue(Files.exists(Path.of("/dev/loop-control")), "skipped: no loop devices here (/dev/loop-control)");
        assumeTrue(Files.isExecutable(Path.of("/sbin/mkfs.ext4")) || Files.isExecutable(Path.of("/usr/sbin/mkfs.ext4")),
                "skipped: mkfs.ext4 is not installed (e2fsprogs)");
        Path image = dir.resolve("ext4.img");
        mountExt4(image, "64M", mnt);
        try {
            fillUpAndRecover(mnt);
        } finally {
            unmount(mnt);
        }
    }

    private void fillUpAndRecover(Path mnt) throws IOException {
        Path filler = mnt.resolve("filler");
        Files.write(filler, new byte[12 << 20]);
        JournalConfig config = JournalConfig.of(mnt.resolve("journal")).withReserveBytes(RESERVE_BYTES)
                .withBlockSizeBytes(4L << 20);
        long appended = 0;
        try (SourceJournal journal = SourceJournal.open(config, "src")) {
            JournalFullException full = null;
            while (full == null && appended < 100_000) {
                try {
                    appendBlock(journal, appended + 1);
                    appended++;
                } catch (JournalFullException e) {
                    full = e;
                }
            }
            assertTrue(full != null, "the journal filled up after " + appended + " entries");
            System.out.println("refused after " + appended + " entries: " + full.getMessage());
            assertTrue(full.getMessage().contains(journal.dir().toString()) && full.getMessage().contains("full"),
                    full.getMessage());
            assertTrue(appended > 100, "it took " + appended + " entries first");
            assertEquals(appended, journal.sync(), "everything appended before the refusal is durable");
            long sequenceRefused = appended + 1;
            assertThrows(JournalFullException.class, () -> appendBlock(journal, sequenceRefused), "still full");
            Files.delete(filler);
            appendBlock(journal, ++appended);
            assertEquals(appended, journal.sync(), "appends resume once space returns");
        }
        try (SourceJournal journal = SourceJournal.open(config, "src"); JournalReader reader = journal.reader(-1)) {
            List<JournalEntry> entries = SourceJournalTest.readAll(reader);
            assertEquals(appended, entries.size());
            for (int i = 0; i < entries.size(); i++) {
                assertBlock(i + 1, entries.get(i));
            }
        }
    }

    private Path mountPoint() throws IOException {
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
                "skipped: mounting a small file system needs root");
        Path mnt = dir.resolve("mnt");
        Files.createDirectories(mnt);
        return mnt;
    }
}
