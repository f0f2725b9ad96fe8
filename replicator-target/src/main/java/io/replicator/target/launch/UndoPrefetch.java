package io.replicator.target.launch;

import io.replicator.target.journal.internal.Queues;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Reads the undo queue's cycle files from a position on through the page cache in large sequential
 * reads, on a thread of its own, while the launch reads their entries behind it. Chronicle Queue
 * reads through a memory map, and a cold map faults in about 128 KiB at a time: on a busy disk that
 * ran at 25 MB/s where a sequential read runs at the disk's speed. Owned by the launching thread;
 * the reads run on their own daemon thread until done or {@link #close()}d.
 */
final class UndoPrefetch implements AutoCloseable {
    private static final int READ_BYTES = 4 << 20;
    private final CompletableFuture<Long> reads;
    private final long startNs = System.nanoTime();
    private volatile long endNs;
    private volatile boolean stop;
    private long bytesRead;

    private UndoPrefetch(Path undoDir, long fromPosition) {
        reads = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                reads.complete(warm(undoDir, fromPosition));
            } catch (IOException | RuntimeException e) {
                reads.completeExceptionally(e);
            } finally {
                endNs = System.nanoTime();
            }
        }, "launch-undo-prefetch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts reading every cycle file of {@code undoDir} from the cycle of {@code fromPosition} on. */
    static UndoPrefetch start(Path undoDir, long fromPosition) {
        return new UndoPrefetch(undoDir, fromPosition);
    }

    private long warm(Path undoDir, long fromPosition) throws IOException {
        int fromCycle = Queues.ROLL_CYCLE.toCycle(fromPosition);
        ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BYTES);
        long read = 0;
        for (Path file : Queues.cycles(undoDir).tailMap(fromCycle, true).values()) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                long at = 0;
                int n;
                while (!stop && (n = channel.read(buffer.clear(), at)) > 0) {
                    at += n;
                }
                read += at;
            } catch (NoSuchFileException e) {
                // Pruned meanwhile: before the pin, so before the checkpoint's cycle.
            }
        }
        return read;
    }

    /** Bytes read, once closed. */
    long bytesRead() {
        return bytesRead;
    }

    /** How long the reads took (until now if they are not done), in nanoseconds. */
    long elapsedNs() {
        long end = endNs;
        return (end == 0 ? System.nanoTime() : end) - startNs;
    }

    /** Stops the reads (they only warm the page cache) and waits for the thread; a failed read fails the launch. */
    @Override
    public void close() throws IOException {
        stop = true;
        try {
            bytesRead = reads.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the undo queue was read ahead");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io
                    : cause instanceof UncheckedIOException u ? u.getCause() : new IOException(cause);
        }
    }
}
