package io.replicator.target.launch;

import io.netty.buffer.Unpooled;
import io.replicator.protocol.block.BlockDecoder;
import io.replicator.protocol.block.ZeroCheck;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.ProtocolException;
import io.replicator.target.journal.JournalEntry;
import io.replicator.target.journal.JournalReader;
import io.replicator.target.journal.MarkerKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Puts back, into a launch's outputs, the contents every block had at the checkpoint: reading the
 * undo queue forward from the checkpoint's marker, the first undo entry of a block after the marker
 * holds its contents at the checkpoint (an undo entry holds a block's contents at its interval's
 * checkpoint, and a block with no entry in an interval did not change in it), so that entry is
 * written and later ones of the same block are skipped (a bitmap per volume). Each entry's payload is
 * decoded and its CRC32C of the plain bytes checked before anything is written. Owned by the
 * launching thread.
 */
final class UndoRestore {
    private final String where;
    private final Map<Integer, VolumeOutput> outputs;
    private final BlockDecoder decoder = new BlockDecoder();
    private final ByteBuffer plain = ByteBuffer.allocateDirect(1 << 20);
    private long entriesRead;
    private long payloadBytesRead;
    private JournalEntry held;

    /** {@code outputs} by volume index; {@code where} names the undo queue in errors. */
    UndoRestore(String where, Map<Integer, VolumeOutput> outputs) {
        this.where = where;
        this.outputs = outputs;
    }

    /**
     * Restores from the entries {@code reader} gives up to position {@code endPosition} (inclusive);
     * the first entry after it is held for the next call with the same reader. Returns the position
     * of the last entry used, or {@code afterPosition} when there was none.
     */
    long restore(JournalReader reader, long afterPosition, long endPosition) throws IOException {
        long last = afterPosition;
        while (true) {
            JournalEntry entry = held != null ? held : reader.next();
            held = null;
            if (entry == null) {
                return last;
            }
            if (entry.position() > endPosition) {
                held = entry;
                return last;
            }
            last = entry.position();
            entriesRead++;
            if (entry instanceof JournalEntry.Block block) {
                restoreBlock(block);
            } else if (entry instanceof JournalEntry.Marker marker) {
                checkMarker(where, marker);
            }
        }
    }

    /** A decoder for another thread: the same outputs, nothing restored through it. */
    UndoRestore sibling() {
        return new UndoRestore(where, outputs);
    }

    /** Keeps {@code entry}, read past the end of an earlier read of the same reader, for the next {@link #restore}. */
    void hold(JournalEntry entry) {
        held = entry;
    }

    /** Refuses a marker other than a checkpoint or barrier after the checkpoint: a gap in the history. */
    static void checkMarker(String where, JournalEntry.Marker marker) throws IOException {
        if (marker.kind() != MarkerKind.CHECKPOINT && marker.kind() != MarkerKind.BARRIER) {
            throw new IOException(String.format("undo queue %s: a %s marker at position 0x%x: the history has a gap"
                    + " after the checkpoint, which cannot be launched", where, marker.kind(), marker.position()));
        }
    }

    /** The output of {@code block}'s volume, once the range it covers is checked against the volume. */
    static VolumeOutput outputOf(String where, Map<Integer, VolumeOutput> outputs, JournalEntry.Block block)
            throws IOException {
        VolumeOutput output = outputs.get(block.volume());
        if (output == null) {
            throw new IOException(String.format("undo queue %s: entry at position 0x%x is for volume %d, which the "
                    + "source does not have (volumes: %s)", where, block.position(), block.volume(), outputs.keySet()));
        }
        LaunchVolume volume = output.volume();
        int blockSize = output.blockSizeBytes();
        long end = block.offset() + block.lengthBytes();
        if (block.offset() % blockSize != 0 || end > volume.sizeBytes()
                || (end % blockSize != 0 && end != volume.sizeBytes())) {
            throw new IOException(String.format("undo queue %s: entry at position 0x%x covers bytes %d to %d of volume"
                    + " %s (expected: whole blocks of %d bytes within its %d bytes)", where, block.position(),
                    block.offset(), end, volume.name(), blockSize, volume.sizeBytes()));
        }
        return output;
    }

    private void restoreBlock(JournalEntry.Block block) throws IOException {
        VolumeOutput output = outputOf(where, outputs, block);
        int blockSize = output.blockSizeBytes();
        long end = block.offset() + block.lengthBytes();
        int first = (int) (block.offset() / blockSize);
        int endBlock = (int) ((end + blockSize - 1) / blockSize);
        if (nextUnrestored(output, first, endBlock) < 0) {
            return; // every block of it holds its contents at the checkpoint already
        }
        payloadBytesRead += block.payload().remaining();
        ByteBuffer bytes = decode(block);
        boolean skipZeros = output.holesAreZero() && ZeroCheck.isAllZero(bytes);
        int runStart = -1;
        for (int b = first; b <= endBlock; b++) {
            boolean take = b < endBlock && !output.isRestored(b);
            if (take && runStart < 0) {
                runStart = b;
            } else if (!take && runStart >= 0) {
                long from = (long) runStart * blockSize;
                long to = Math.min((long) b * blockSize, end);
                if (!skipZeros) {
                    ByteBuffer run = bytes.duplicate();
                    run.position((int) (from - block.offset())).limit((int) (to - block.offset()));
                    output.write(run, from);
                }
                output.markRestored(runStart, b, to - from);
                runStart = -1;
            }
        }
    }

    private static int nextUnrestored(VolumeOutput output, int from, int endBlock) {
        for (int b = from; b < endBlock; b++) {
            if (!output.isRestored(b)) {
                return b;
            }
        }
        return -1;
    }

    /**
     * The plain bytes of {@code block}, its CRC32C of them checked: a view of a buffer of this
     * object's, valid until the next call.
     */
    ByteBuffer decode(JournalEntry.Block block) throws IOException {
        BlockFrame frame = null;
        try {
            frame = new BlockFrame(block.volume(), block.encoding(), Math.max(1, block.sequence()), block.offset(),
                    block.lengthBytes(), block.plainCrc32c(), Unpooled.wrappedBuffer(block.payload()));
            return decoder.decode(frame, plain);
        } catch (ProtocolException e) {
            throw new IOException(String.format("undo queue %s: entry at position 0x%x fails its check: %s", where,
                    block.position(), e.getMessage()), e);
        } finally {
            if (frame != null) {
                frame.release();
            }
        }
    }

    long entriesRead() {
        return entriesRead;
    }

    /** Bytes of undo payload decoded (compressed as stored). */
    long payloadBytesRead() {
        return payloadBytesRead;
    }
}
