package io.replicator.target.launch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.replicator.protocol.block.BlockEncoder;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.target.journal.JournalConfig;
import io.replicator.target.journal.JournalReader;
import io.replicator.target.journal.MarkerKind;
import io.replicator.target.journal.SourceJournal;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A source's history as the receiver keeps it, for the launch tests: live volume images under
 * {@code DATA/ID/NAME.img} written as the receiver's apply thread writes them (before the first write
 * to a block after a checkpoint its old contents go to the undo queue, {@code JOURNAL/ID/undo}, a real
 * {@link SourceJournal}, synced before the volume write), checkpoint markers in the undo queue, and
 * what every volume held at each checkpoint, to compare a launch with. The writes, checkpoints and
 * {@link #close()} run on the rig's own thread (the apply thread: the undo queue's appender belongs to
 * it), whatever thread calls them; the {@link LaunchHistories} side is thread-safe.
 */
final class UndoRig implements LaunchHistories, LaunchHistory, AutoCloseable {
    final String sourceId;
    final Path dataDir;
    final Path journalDir;
    final List<LaunchVolume> volumes = new ArrayList<>();
    final List<String> pinEvents = new CopyOnWriteArrayList<>();
    final AtomicInteger pins = new AtomicInteger();
    /** Devices a test says the receiver writes besides the rig's images. */
    final List<Path> extraReceiverVolumes = new CopyOnWriteArrayList<>();
    private final SourceJournal undo;
    private final BlockEncoder encoder = new BlockEncoder();
    private final List<FileChannel> channels = new ArrayList<>();
    private final List<byte[]> model = new ArrayList<>();
    private final List<BitSet> undone = new ArrayList<>();
    private final List<LaunchPoint> points = new CopyOnWriteArrayList<>();
    private final Map<Long, List<byte[]>> expected = new HashMap<>();
    private final ExecutorService owner = Executors.newSingleThreadExecutor();
    private long undoSequence;

    UndoRig(Path dataDir, Path journalDir, String sourceId, int blockSizeBytes, long... sizesBytes) throws IOException {
        this.sourceId = sourceId;
        this.dataDir = dataDir;
        this.journalDir = journalDir;
        Files.createDirectories(dataDir.resolve(sourceId));
        Files.createDirectories(journalDir.resolve(sourceId));
        this.undo = onOwner(() -> SourceJournal.open(JournalConfig.of(journalDir.resolve(sourceId))
                .withBlockSizeBytes(1 << 20).withReserveBytes(0), "undo"));
        for (int i = 0; i < sizesBytes.length; i++) {
            Path image = dataDir.resolve(sourceId).resolve("vol" + i + ".img");
            try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
                file.setLength(sizesBytes[i]);
            }
            volumes.add(new LaunchVolume("vol" + i, i, image, sizesBytes[i], blockSizeBytes));
            channels.add(FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE));
            model.add(new byte[Math.toIntExact(sizesBytes[i])]);
            undone.add(new BitSet());
        }
    }

    /**
     * Writes {@code data} at block {@code block} of volume {@code volume} as the receiver applies: the
     * old contents of the blocks not written since the last checkpoint go to the undo queue first
     * (one entry per run of such blocks), synced, then the volume is written.
     */
    void write(int volume, long block, byte[] data) throws IOException {
        onOwner(() -> {
            applyWrite(volume, block, data);
            return null;
        });
    }

    private void applyWrite(int volume, long block, byte[] data) throws IOException {
        int blockSize = volumes.get(volume).blockSizeBytes();
        long offset = block * blockSize;
        int blocks = (data.length + blockSize - 1) / blockSize;
        BitSet taken = undone.get(volume);
        boolean appended = false;
        int b = 0;
        while (b < blocks) {
            if (taken.get((int) block + b)) {
                b++;
                continue;
            }
            int start = b;
            while (b < blocks && !taken.get((int) block + b)) {
                b++;
            }
            long from = offset + (long) start * blockSize;
            int length = (int) Math.min((long) (b - start) * blockSize, volumes.get(volume).sizeBytes() - from);
            ByteBuffer old = ByteBuffer.allocate(length);
            channels.get(volume).read(old, from);
            old.flip();
            BlockFrame frame = encoder.encode(volume, ++undoSequence, from, old, UnpooledByteBufAllocator.DEFAULT);
            try {
                ByteBuf payload = frame.payload();
                undo.appendBlock(volume, frame.encoding(), undoSequence, from, length, frame.crc32c(),
                        payload.nioBuffer());
            } finally {
                frame.release();
            }
            taken.set((int) block + start, (int) block + b);
            appended = true;
        }
        if (appended) {
            undo.sync(); // an undo entry is durable before the volume write it protects
        }
        channels.get(volume).write(ByteBuffer.wrap(data), offset);
        System.arraycopy(data, 0, model.get(volume), (int) offset, data.length);
    }

    /** Records checkpoint {@code id}: a marker in the undo queue, a new interval, the volumes as they are. */
    void checkpoint(long id) throws IOException {
        long position = onOwner(() -> {
            long at = undo.appendMarker(MarkerKind.CHECKPOINT, id, undoSequence, "cp" + id);
            undo.sync();
            return at;
        });
        undone.forEach(BitSet::clear);
        List<byte[]> now = new ArrayList<>();
        model.forEach(m -> now.add(m.clone()));
        expected.put(id, now);
        points.add(new LaunchPoint(id, System.currentTimeMillis(), "cp" + id, volumes.stream().map(LaunchVolume::name)
                .toList(), position, LaunchPoint.State.LAUNCHABLE, null));
    }

    /** Lists checkpoint {@code id}, recorded by an earlier rig on the same directories, whose marker is at {@code undoPosition}. */
    void adopt(long id, long undoPosition) {
        points.add(new LaunchPoint(id, System.currentTimeMillis(), "cp" + id, volumes.stream().map(LaunchVolume::name)
                .toList(), undoPosition, LaunchPoint.State.LAUNCHABLE, null));
    }

    /** The position of checkpoint {@code id}'s marker in the undo queue. */
    long undoPosition(long id) {
        return points.stream().filter(p -> p.checkpointId() == id).findFirst().orElseThrow().undoPosition();
    }

    /** Marks checkpoint {@code id} pruned, as retention would. */
    void prune(long id) {
        for (int i = 0; i < points.size(); i++) {
            LaunchPoint p = points.get(i);
            if (p.checkpointId() == id) {
                points.set(i, new LaunchPoint(id, p.timeMs(), p.label(), p.volumes(), -1, LaunchPoint.State.PRUNED,
                        null));
            }
        }
    }

    /** What volume {@code volume} held at checkpoint {@code id}. */
    byte[] expected(long id, int volume) {
        return expected.get(id).get(volume);
    }

    @Override
    public Optional<LaunchHistory> history(String id) {
        return sourceId.equals(id) ? Optional.of(this) : Optional.empty();
    }

    @Override
    public List<String> sourceIds() {
        return List.of(sourceId);
    }

    @Override
    public List<Path> receiverVolumes() {
        List<Path> all = new ArrayList<>(volumes.stream().map(LaunchVolume::livePath).toList());
        all.addAll(extraReceiverVolumes);
        return all;
    }

    @Override
    public List<Path> receiverDirs() {
        return List.of(dataDir, journalDir);
    }

    @Override
    public String sourceId() {
        return sourceId;
    }

    @Override
    public List<LaunchPoint> checkpoints() {
        return List.copyOf(points);
    }

    @Override
    public AutoCloseable pin(long fromUndoPosition) {
        pins.incrementAndGet();
        pinEvents.add("pin " + fromUndoPosition);
        return () -> {
            pins.decrementAndGet();
            pinEvents.add("unpin " + fromUndoPosition);
        };
    }

    @Override
    public Path undoDir() {
        return journalDir.resolve(sourceId).resolve("undo");
    }

    @Override
    public JournalReader undoReader(long afterPosition) {
        pinEvents.add("read");
        return undo.reader(afterPosition);
    }

    @Override
    public long undoDurablePosition() {
        return undo.durablePosition();
    }

    @Override
    public List<LaunchVolume> volumes() {
        return List.copyOf(volumes);
    }

    @Override
    public void awaitApplied(Duration timeout) {
        // Applied as written.
    }

    private <T> T onOwner(Callable<T> call) throws IOException {
        try {
            return owner.submit(call).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            onOwner(() -> {
                for (FileChannel channel : channels) {
                    channel.close();
                }
                undo.close();
                return null;
            });
        } finally {
            owner.shutdownNow();
        }
    }
}
