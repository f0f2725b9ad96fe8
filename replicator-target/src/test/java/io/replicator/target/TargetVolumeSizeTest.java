package io.replicator.target;

import static io.replicator.target.TargetFixture.BLOCK;
import static io.replicator.target.TargetFixture.SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.target.internal.FileChannelOpener;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A volume replicated here keeps its size: a source declaring another one is refused, image or mapped device. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TargetVolumeSizeTest {
    private static final VolumeInfo BIGGER = new VolumeInfo("disk0", SIZE + BLOCK, BLOCK);

    @TempDir
    Path root;

    private static ErrorFrame refusedHello(TestSource source, VolumeInfo volume) throws IOException {
        source.send(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                ProtocolVersion.SUPPORTED_FEATURES, "web1", List.of(volume)));
        return source.expectError(ErrorCode.VOLUME_UNAVAILABLE);
    }

    /** The target noticed the close of the last connection: a new one may claim the id. */
    private static void awaitDisconnected(TargetFixture target) throws InterruptedException {
        while (target.server.status().sources().stream().anyMatch(TargetStatus.SourceStatus::connected)) {
            Thread.sleep(10);
        }
    }

    @Test
    void shouldRefuseANewSizeForAnImageWrittenBefore() throws Exception {
        try (TargetFixture target = new TargetFixture(root.resolve("data"))) {
            try (TestSource source = target.connect()) {
                source.hello("web1", TargetFixture.DISK0);
            }
            awaitDisconnected(target);
            try (TestSource source = target.connect()) {
                ErrorFrame error = refusedHello(source, BIGGER);
                assertTrue(error.message().contains(SIZE + " bytes") && error.message().contains((SIZE + BLOCK) + " bytes"),
                        error.message());
            }
            assertEquals(SIZE, java.nio.file.Files.size(target.image("web1", "disk0")), "the image was not resized");
        }
    }

    @Test
    void shouldRefuseANewSizeForAMappedDeviceEvenWhenItFits() throws Exception {
        Path device = root.resolve("device");
        try (RandomAccessFile f = new RandomAccessFile(device.toFile(), "rw")) {
            f.setLength(SIZE * 4);
        }
        try (TargetFixture target = new TargetFixture(root.resolve("data"), b -> b.map("web1/disk0", device),
                FileChannelOpener.DEFAULT)) {
            try (TestSource source = target.connect()) {
                source.hello("web1", TargetFixture.DISK0);
            }
            awaitDisconnected(target);
            try (TestSource source = target.connect()) {
                ErrorFrame error = refusedHello(source, BIGGER);
                assertTrue(error.message().contains("declared " + SIZE + " bytes")
                        && error.message().contains("now declares " + (SIZE + BLOCK) + " bytes"), error.message());
            }
            awaitDisconnected(target);
            try (TestSource source = target.connect()) {
                assertEquals(0, source.hello("web1", TargetFixture.DISK0).durableSequence(), "the same size is welcome");
            }
        }
    }
}
