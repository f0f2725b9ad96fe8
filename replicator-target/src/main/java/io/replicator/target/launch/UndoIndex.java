package io.replicator.target.launch;

import io.replicator.target.journal.JournalEntry;
import io.replicator.target.journal.JournalReader;
import io.replicator.target.journal.MarkerKind;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Where, in the undo queue's cycle files, the contents at the checkpoint of every block written since
 * lie, found in one forward read of the queue from the checkpoint's marker and sorted by volume and
 * chunk of {@link VolumeCopy#chunkBytes} so that the copy lays them into each chunk it passes. For a
 * block only the first entry after the marker counts (it holds the block at the checkpoint; later
 * entries hold later contents), so an entry covering blocks taken already adds only its runs of
 * blocks not taken yet, each cut at the chunks' edges: runs never overlap. Holds positions, not
 * the undo's bytes: about 50 bytes per run. Owned by the launching thread.
 */
final class UndoIndex {
    private final String where;
    private final Map<Integer, VolumeOutput> outputs;
    private int size;
    private int[] volumes = new int[1024];
    private long[] offsets = new long[1024];
    private int[] lengths = new int[1024];
    private int[] skips = new int[1024];
    private long[] positions = new long[1024];
    private long[] fileOffsets = new long[1024];
    private int[] entryLengths = new int[1024];
    private final Map<Integer, Sorted> sorted = new HashMap<>();
    private long entriesRead;
    private long payloadBytes;

    /** A volume's runs by chunk: those of chunk {@code c} are {@code order[start[c]]} to {@code order[start[c + 1] - 1]}. */
    private record Sorted(int[] start, int[] order) {
    }

    /** {@code outputs} by volume index; {@code where} names the undo queue in errors. */
    UndoIndex(String where, Map<Integer, VolumeOutput> outputs) {
        this.where = where;
        this.outputs = outputs;
    }

    /**
     * Reads {@code reader}'s entries up to position {@code endPosition} (inclusive), marking in each
     * output the blocks that get their contents from them; the first entry after it is held by
     * {@code restore}, which goes on with the same reader afterwards. Returns the position of the last
     * entry read, or {@code afterPosition} when there was none. Then sorts the runs.
     */
    long build(UndoRestore restore, JournalReader reader, long afterPosition, long endPosition) throws IOException {
        long last = afterPosition;
        while (true) {
            JournalEntry entry = reader.next();
            if (entry == null) {
                break;
            }
            if (entry.position() > endPosition) {
                restore.hold(entry);
                break;
            }
            last = entry.position();
            entriesRead++;
            if (entry instanceof JournalEntry.Block block) {
                add(block, reader.lastFileOffset(), reader.lastLength());
            } else if (entry instanceof JournalEntry.Marker marker) {
                UndoRestore.checkMarker(where, marker);
            }
        }
        sort();
        return last;
    }

    private void add(JournalEntry.Block block, long fileOffset, int entryLength) throws IOException {
        VolumeOutput output = UndoRestore.outputOf(where, outputs, block);
        int blockSize = output.blockSizeBytes();
        long end = block.offset() + block.lengthBytes();
        long chunkBytes = VolumeCopy.chunkBytes(blockSize);
        int first = (int) (block.offset() / blockSize);
        int endBlock = (int) ((end + blockSize - 1) / blockSize);
        boolean used = false;
        int runStart = -1;
        for (int b = first; b <= endBlock; b++) {
            boolean take = b < endBlock && !output.isRestored(b)
                    && (runStart < 0 || (long) b * blockSize % chunkBytes != 0);
            if (take && runStart < 0) {
                runStart = b;
            } else if (!take && runStart >= 0) {
                long from = (long) runStart * blockSize;
                long to = Math.min((long) b * blockSize, end);
                append(block, from, (int) (to - from), fileOffset, entryLength);
                output.markRestored(runStart, b, to - from);
                used = true;
                runStart = b < endBlock && !output.isRestored(b) ? b : -1; // a run cut at a chunk's edge goes on
            }
        }
        if (used) {
            payloadBytes += block.payload().remaining();
        }
    }

    private void append(JournalEntry.Block block, long from, int length, long fileOffset, int entryLength) {
        if (size == offsets.length) {
            int grown = size * 2;
            volumes = Arrays.copyOf(volumes, grown);
            offsets = Arrays.copyOf(offsets, grown);
            lengths = Arrays.copyOf(lengths, grown);
            skips = Arrays.copyOf(skips, grown);
            positions = Arrays.copyOf(positions, grown);
            fileOffsets = Arrays.copyOf(fileOffsets, grown);
            entryLengths = Arrays.copyOf(entryLengths, grown);
        }
        volumes[size] = block.volume();
        offsets[size] = from;
        lengths[size] = length;
        skips[size] = (int) (from - block.offset());
        positions[size] = block.position();
        fileOffsets[size] = fileOffset;
        entryLengths[size] = entryLength;
        size++;
    }

    /** Sorts the runs of each volume by chunk (a counting sort: runs never span two chunks). */
    private void sort() {
        Map<Integer, int[]> counts = new HashMap<>();
        for (VolumeOutput output : outputs.values()) {
            counts.put(output.volume().index(), new int[chunks(output) + 1]);
        }
        for (int i = 0; i < size; i++) {
            counts.get(volumes[i])[chunkOf(i) + 1]++;
        }
        for (Map.Entry<Integer, int[]> e : counts.entrySet()) {
            int[] start = e.getValue();
            for (int c = 1; c < start.length; c++) {
                start[c] += start[c - 1];
            }
            sorted.put(e.getKey(), new Sorted(start, new int[start[start.length - 1]]));
        }
        Map<Integer, int[]> next = new HashMap<>();
        sorted.forEach((volume, s) -> next.put(volume, s.start().clone()));
        for (int i = 0; i < size; i++) {
            int[] at = next.get(volumes[i]);
            sorted.get(volumes[i]).order()[at[chunkOf(i)]++] = i;
        }
    }

    private int chunkOf(int run) {
        return (int) (offsets[run] / VolumeCopy.chunkBytes(outputs.get(volumes[run]).blockSizeBytes()));
    }

    private static int chunks(VolumeOutput output) {
        long chunkBytes = VolumeCopy.chunkBytes(output.blockSizeBytes());
        return (int) ((output.volume().sizeBytes() + chunkBytes - 1) / chunkBytes);
    }

    /** The runs of {@code volume}'s chunk {@code chunk}: indices for the accessors below. */
    int[] runs(int volume, int chunk) {
        Sorted s = sorted.get(volume);
        return s == null ? new int[0] : Arrays.copyOfRange(s.order(), s.start()[chunk], s.start()[chunk + 1]);
    }

    /** Whether {@code volume}'s chunk {@code chunk} has runs. */
    boolean hasRuns(int volume, int chunk) {
        Sorted s = sorted.get(volume);
        return s != null && s.start()[chunk + 1] > s.start()[chunk];
    }

    long offset(int run) {
        return offsets[run];
    }

    int length(int run) {
        return lengths[run];
    }

    /** Where the run starts in its entry's plain bytes. */
    int skip(int run) {
        return skips[run];
    }

    long position(int run) {
        return positions[run];
    }

    long fileOffset(int run) {
        return fileOffsets[run];
    }

    int entryLength(int run) {
        return entryLengths[run];
    }

    int size() {
        return size;
    }

    long entriesRead() {
        return entriesRead;
    }

    /** Bytes of undo payload (as stored) of the entries that restore something. */
    long payloadBytes() {
        return payloadBytes;
    }
}
