package io.replicator.target;

import static io.replicator.target.TargetFixture.BLOCK;
import static io.replicator.target.TargetFixture.DISK0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.target.apply.ProgressFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A volume that stops taking writes or forces ends the session with IO_ERROR; nothing past the last ack is claimed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TargetIoErrorTest {
    @TempDir
    Path dataDir;

    @AfterEach
    void healDisk() {
        FailingFileChannel.writeError.set(null);
        FailingFileChannel.forceError.set(null);
    }

    private TargetFixture failingTarget() throws IOException {
        return new TargetFixture(dataDir, b -> b, FailingFileChannel.OPENER);
    }

    @Test
    void shouldReportAFullDiskNamingTheVolumeAndTheResumeSequence() throws IOException {
        try (TargetFixture target = failingTarget(); TestSource source = target.connect()) {
            source.hello("web1", DISK0);
            source.send(target.block(0, 1, 0, TargetFixture.random(1, BLOCK)));
            source.awaitAck(1);
            FailingFileChannel.writeError.set("No space left on device");
            source.send(target.block(0, 2, BLOCK, TargetFixture.random(2, BLOCK)));
            ErrorFrame error = source.expectError(ErrorCode.IO_ERROR);
            String expected = "target volume web1/disk0 at " + target.image("web1", "disk0");
            assertTrue(error.message().startsWith(expected), error.message());
            assertTrue(error.message().contains("No space left on device"), error.message());
            assertTrue(error.message().contains("free space and restart: the source resumes from sequence 2"),
                    error.message());
        }
        assertEquals(1, new ProgressFile(dataDir.resolve("web1")).read());
    }

    @Test
    void shouldNotAckWhenTheForceFails() throws IOException {
        try (TargetFixture target = failingTarget(); TestSource source = target.connect()) {
            source.hello("web1", DISK0);
            source.send(target.block(0, 1, 0, TargetFixture.random(1, BLOCK)));
            source.awaitAck(1);
            FailingFileChannel.forceError.set("Input/output error");
            source.send(target.block(0, 2, BLOCK, TargetFixture.random(2, BLOCK)));
            ErrorFrame error = source.expectError(ErrorCode.IO_ERROR);
            assertTrue(error.message().contains("Input/output error"), error.message());
            assertTrue(error.message().contains("resumes from sequence 2"), error.message());
            assertEquals(1.0, target.meters.find(TargetMetrics.ERRORS).tag("code", "IO_ERROR").counter().count());
            assertEquals(1.0, target.meters.find(TargetMetrics.SOURCE_ERRORS).tags("source", "web1", "code", "IO_ERROR")
                    .counter().count());
        }
        assertEquals(1, new ProgressFile(dataDir.resolve("web1")).read());
    }
}
