package io.replicator.target;

import static io.replicator.target.TargetFixture.DISK0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.target.internal.FileChannelOpener;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A session that fails or is abandoned while it is set up lets go of its source id: the next one of that id works. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TargetSessionSetupTest {
    @TempDir
    Path dataDir;

    @Test
    void shouldReleaseTheIdOfASessionWhoseVolumeCannotBeOpenedForLackOfMemory() throws Exception {
        AtomicInteger opens = new AtomicInteger();
        FileChannelOpener failingOnce = (path, options) -> {
            if (opens.getAndIncrement() == 0) {
                throw new OutOfMemoryError("Direct buffer memory");
            }
            return FileChannel.open(path, options);
        };
        try (TargetFixture target = new TargetFixture(dataDir, b -> b, failingOnce)) {
            try (TestSource first = target.connect()) {
                first.send(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                        ProtocolVersion.SUPPORTED_FEATURES, "web1", List.of(DISK0)));
                ErrorFrame error = first.expectError(ErrorCode.VOLUME_UNAVAILABLE);
                assertTrue(error.message().contains("Direct buffer memory"), error.message());
            }
            try (TestSource second = TestSource.connectWhenFree(target.server.localAddress(), "web1", 10_000, DISK0)) {
                assertEquals(0, second.helloAck.durableSequence());
            }
        }
    }

    @Test
    void shouldReleaseTheIdOfASessionClosedWhileItsVolumesOpen() throws Exception {
        CountDownLatch opening = new CountDownLatch(1);
        CountDownLatch mayOpen = new CountDownLatch(1);
        FileChannelOpener slowOnce = (path, options) -> {
            if (opening.getCount() > 0) {
                opening.countDown();
                try {
                    mayOpen.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return FileChannel.open(path, options);
        };
        try (TargetFixture target = new TargetFixture(dataDir, b -> b, slowOnce)) {
            try (TestSource first = target.connect()) {
                first.send(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                        ProtocolVersion.SUPPORTED_FEATURES, "web1", List.of(DISK0)));
                opening.await();
            }
            mayOpen.countDown();
            try (TestSource second = TestSource.connectWhenFree(target.server.localAddress(), "web1", 10_000, DISK0)) {
                assertEquals(0, second.helloAck.durableSequence());
            }
        }
    }
}
