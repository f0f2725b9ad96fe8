package io.replicator.source.track;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FingerprintStoreTest {
    @TempDir
    Path dir;

    @Test
    void shouldStartWithEveryBlockUnknown() throws Exception {
        try (FingerprintStore s = FingerprintStore.open(dir.resolve("v.fp"), 10 * 65536 + 5, 65536)) {
            assertEquals(11, s.blockCount());
            assertEquals(0, s.knownBlocks());
            assertEquals(FingerprintStore.UNKNOWN, s.get(10));
        }
    }

    @Test
    void shouldKeepFingerprintsAndLastAckAcrossReopen() throws Exception {
        long blocks = FingerprintStore.PAGE_ENTRIES * (FingerprintStore.CACHED_PAGES + 3L);
        try (FingerprintStore s = FingerprintStore.open(dir.resolve("v.fp"), blocks * 4096, 4096)) {
            for (long b = 0; b < blocks; b += 97) {
                s.set(b, b + 1);
            }
            s.lastAckSequence(1234);
        }
        try (FingerprintStore s = FingerprintStore.open(dir.resolve("v.fp"), blocks * 4096, 4096)) {
            assertEquals((blocks + 96) / 97, s.knownBlocks());
            assertEquals(1234, s.lastAckSequence());
            for (long b = 0; b < blocks; b++) {
                assertEquals(b % 97 == 0 ? b + 1 : FingerprintStore.UNKNOWN, s.get(b), "block " + b);
            }
        }
    }

    @Test
    void shouldStartOverWhenTheVolumeSizeChanged() throws Exception {
        try (FingerprintStore s = FingerprintStore.open(dir.resolve("v.fp"), 1 << 20, 65536)) {
            s.set(3, 99);
        }
        try (FingerprintStore s = FingerprintStore.open(dir.resolve("v.fp"), 2 << 20, 65536)) {
            assertEquals(0, s.knownBlocks());
            assertEquals(FingerprintStore.UNKNOWN, s.get(3));
        }
    }

    @Test
    void shouldStartOverWhenTheMagicIsGarbled() throws Exception {
        try (FingerprintStore s = FingerprintStore.open(dir.resolve("v.fp"), 1 << 20, 65536)) {
            s.set(3, 99);
        }
        try (FileChannel ch = FileChannel.open(dir.resolve("v.fp"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), 0);
        }
        try (FingerprintStore s = FingerprintStore.open(dir.resolve("v.fp"), 1 << 20, 65536)) {
            assertEquals(0, s.knownBlocks());
        }
    }

    @Test
    void shouldForgetEverythingOnClear() throws Exception {
        try (FingerprintStore s = FingerprintStore.open(dir.resolve("v.fp"), 1 << 20, 65536)) {
            s.set(1, 5);
            s.set(2, 6);
            s.lastAckSequence(9);
            s.clear();
            assertEquals(0, s.knownBlocks());
            assertEquals(FingerprintStore.UNKNOWN, s.get(1));
            assertEquals(0, s.lastAckSequence());
        }
    }

    @Test
    void shouldNeverProduceTheUnknownFingerprint() {
        ByteBuffer b = ByteBuffer.allocate(4096);
        assertEquals(Fingerprints.of(b), Fingerprints.of(b.duplicate()));
        org.junit.jupiter.api.Assertions.assertNotEquals(FingerprintStore.UNKNOWN, Fingerprints.of(b));
    }
}
