package io.replicator.target.launch;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Prepares a volume's chunks in order on {@link #THREADS} threads of its own, up to {@link #DEPTH}
 * chunks ahead of the copy: reads each from the live volume (when copying) and lays the undo's runs in
 * it, so that the disk reads and the undo is laid while the copy writes the chunks before. Two chunks
 * are read and laid at once: one thread reading and laying took as long as the copy's writes
 * (docs/benchmarks.md, run {@code l22}). Owned by the launching thread; the work runs on its own daemon
 * threads, each laying through a {@link UndoLayer#sibling()} of its own, ended by {@link #close()}.
 */
final class ReadAhead implements AutoCloseable {
    static final int DEPTH = 4;
    static final int THREADS = 2;
    private final LiveReads live;
    private final LaunchVolume volume;
    private final int chunkBytes;
    private final int blockSize;
    private final UndoLayer layer;
    private final boolean[][] laid = new boolean[DEPTH][];
    private final ByteBuffer[] buffers = new ByteBuffer[DEPTH];
    @SuppressWarnings("unchecked")
    private final Future<ByteBuffer>[] reads = new Future[DEPTH];
    private final ExecutorService thread = Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "launch-read-ahead");
        t.setDaemon(true);
        return t;
    });
    private final List<UndoLayer> siblings = new ArrayList<>();
    private final ThreadLocal<UndoLayer> layers = ThreadLocal.withInitial(this::newSibling);
    private int next;

    /**
     * Reads {@code volume} through {@code live}, or, with {@code live} null, reads nothing (the output
     * is a clone: a chunk holds only what is laid in it); {@code layer} lays the undo.
     */
    ReadAhead(LiveReads live, LaunchVolume volume, int chunkBytes, int blockSize, UndoLayer layer) {
        this.live = live;
        this.volume = volume;
        this.chunkBytes = chunkBytes;
        this.blockSize = blockSize;
        this.layer = layer;
        for (int i = 0; i < DEPTH; i++) {
            buffers[i] = ByteBuffer.allocateDirect(chunkBytes + LiveReads.ALIGNMENT - 1).alignedSlice(LiveReads.ALIGNMENT);
            laid[i] = new boolean[chunkBytes / blockSize];
            submit(i);
        }
    }

    private UndoLayer newSibling() {
        UndoLayer sibling = layer.sibling();
        synchronized (siblings) {
            siblings.add(sibling);
        }
        return sibling;
    }

    private void submit(int chunk) {
        long offset = (long) chunk * chunkBytes;
        if (offset >= volume.sizeBytes()) {
            return;
        }
        ByteBuffer buffer = buffers[chunk % DEPTH];
        boolean[] blocks = laid[chunk % DEPTH];
        int length = (int) Math.min(chunkBytes, volume.sizeBytes() - offset);
        reads[chunk % DEPTH] = thread.submit(() -> {
            buffer.clear().limit(length);
            java.util.Arrays.fill(blocks, false);
            boolean undo = layer.has(volume.index(), chunk);
            if (live != null) {
                live.readFully(buffer, offset);
            }
            if (undo) {
                layers.get().lay(volume.index(), chunk, offset, buffer, blockSize, blocks);
            }
            return buffer;
        });
    }

    /** Which blocks of the chunk {@link #next()} returned last hold undo laid in them. */
    boolean[] laid() {
        return laid[(next - 1) % DEPTH];
    }

    /** The next chunk, read and laid (position 0, limit its length); valid until the call after next. */
    ByteBuffer next() throws IOException {
        if (next > 0) {
            submit(next - 1 + DEPTH); // the chunk handed out before is done with
        }
        Future<ByteBuffer> read = reads[next % DEPTH];
        next++;
        try {
            return read.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading volume " + volume.name());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    /**
     * Stops the work, waits until the threads have ended (so that no map is released under them) and
     * closes their layers, releasing their maps.
     */
    @Override
    public void close() throws IOException {
        thread.shutdownNow();
        boolean interrupted = false;
        while (true) {
            try {
                if (thread.awaitTermination(1, TimeUnit.SECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        IOException failed = null;
        synchronized (siblings) {
            for (UndoLayer sibling : siblings) {
                try {
                    sibling.close();
                } catch (IOException e) {
                    failed = e;
                }
            }
            siblings.clear();
        }
        if (failed != null) {
            throw failed;
        }
    }
}
