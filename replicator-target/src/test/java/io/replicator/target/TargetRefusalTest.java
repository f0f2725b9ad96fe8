package io.replicator.target;

import static io.replicator.target.TargetFixture.BLOCK;
import static io.replicator.target.TargetFixture.DISK0;
import static io.replicator.target.TargetFixture.SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Encoding;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.target.apply.ProgressFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Each bad frame closes the session with its error code and changes nothing on disk. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TargetRefusalTest {
    @TempDir
    Path dataDir;

    private ErrorFrame refuse(ErrorCode code, Function<TargetFixture, BlockFrame> bad) throws IOException {
        byte[] before;
        ErrorFrame error;
        TargetFixture target = new TargetFixture(dataDir);
        try (TestSource source = target.connect()) {
            source.hello("web1", DISK0);
            source.send(target.block(0, 1, 0, TargetFixture.random(1, BLOCK)));
            source.awaitAck(1);
            before = Files.readAllBytes(target.image("web1", "disk0"));
            source.send(bad.apply(target));
            error = source.expectError(code);
        } finally {
            target.close();
        }
        assertArrayEquals(before, Files.readAllBytes(target.image("web1", "disk0")));
        assertEquals(1, new ProgressFile(dataDir.resolve("web1")).read());
        Counter errors = target.meters.find(TargetMetrics.ERRORS).tag("code", code.name()).counter();
        assertEquals(1.0, errors.count());
        return error;
    }

    @Test
    void shouldRefuseBlockOutsideTheVolume() throws IOException {
        ErrorFrame error = refuse(ErrorCode.OUT_OF_RANGE,
                t -> t.block(0, 2, 64L * BLOCK, TargetFixture.random(2, BLOCK)));
        assertTrue(error.message().contains(Long.toString(SIZE)), error.message());
    }

    @Test
    void shouldRefuseBlockAtAnUnalignedOffset() throws IOException {
        ErrorFrame error = refuse(ErrorCode.OUT_OF_RANGE, t -> t.block(0, 2, 100, TargetFixture.random(2, BLOCK)));
        assertTrue(error.message().contains("100") && error.message().contains(Integer.toString(BLOCK)),
                error.message());
    }

    @Test
    void shouldRefuseBlockForAnUnknownVolume() throws IOException {
        ErrorFrame error = refuse(ErrorCode.UNKNOWN_VOLUME, t -> t.block(1, 2, 0, TargetFixture.random(2, BLOCK)));
        assertTrue(error.message().contains("index 1"), error.message());
    }

    @Test
    void shouldRefuseBlockWithABadCrc() throws IOException {
        ErrorFrame error = refuse(ErrorCode.BAD_CHECKSUM, t -> {
            BlockFrame good = t.block(0, 2, BLOCK, TargetFixture.random(2, BLOCK));
            return new BlockFrame(0, good.encoding(), 2, BLOCK, BLOCK, good.crc32c() ^ 1, good.payload());
        });
        assertTrue(error.message().contains("CRC32C"), error.message());
    }

    @Test
    void shouldRefuseACorruptLz4Payload() throws IOException {
        refuse(ErrorCode.BAD_CHECKSUM, t -> {
            BlockFrame good = t.block(0, 2, BLOCK, TargetFixture.text(BLOCK));
            assertEquals(Encoding.LZ4, good.encoding());
            ByteBuf payload = good.payload();
            for (int i = 0; i < payload.readableBytes(); i += 7) {
                payload.setByte(payload.readerIndex() + i, payload.getByte(payload.readerIndex() + i) ^ 0x5a);
            }
            return good;
        });
    }

    @Test
    void shouldRefuseARunOfBlocksEndingInsideABlock() throws IOException {
        ErrorFrame error = refuse(ErrorCode.OUT_OF_RANGE,
                t -> t.block(0, 2, BLOCK, TargetFixture.random(2, 2 * BLOCK + 100)));
        assertTrue(error.message().contains("block boundary") && error.message().contains(Long.toString(3L * BLOCK + 100)),
                error.message());
    }

    @Test
    void shouldRefuseARunOfBlocksFromASourceWithoutTheFeature() throws IOException {
        TargetFixture target = new TargetFixture(dataDir);
        try (TestSource source = target.connect()) {
            source.hello("web1", ProtocolVersion.FEATURE_LZ4 | ProtocolVersion.FEATURE_ZERO_RANGES, DISK0);
            source.send(target.block(0, 1, 0, TargetFixture.random(1, 2 * BLOCK)));
            ErrorFrame error = source.expectError(ErrorCode.OUT_OF_RANGE);
            assertTrue(error.message().contains("exceeds the block size"), error.message());
        } finally {
            target.close();
        }
        assertArrayEquals(new byte[(int) SIZE], Files.readAllBytes(target.image("web1", "disk0")), "nothing was written");
    }

    @Test
    void shouldRefuseASequenceGoingBackwards() throws IOException {
        ErrorFrame error = refuse(ErrorCode.BAD_SEQUENCE, t -> t.block(0, 1, BLOCK, TargetFixture.random(2, BLOCK)));
        assertTrue(error.message().contains("block sequence 1"), error.message());
    }
}
