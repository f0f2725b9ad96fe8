package io.replicator.source.sync;

import io.replicator.source.volume.SourceVolume;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads many scattered ranges of a volume at once on {@value #READERS} threads of its own, so that
 * a walk over dirty blocks spread across a disk keeps {@value #READERS} reads outstanding instead
 * of waiting for one small read after another (a random 4 KiB read costs the same latency whatever
 * is queued behind it). The threads are never interrupted: that would close the volume's channel.
 * {@link #readAll} belongs to the sync agent's thread; {@link #close} stops the threads.
 */
final class ScatterRead implements AutoCloseable {
    static final int READERS = 8;
    private final ExecutorService pool;
    private final Future<?>[] tasks = new Future<?>[READERS];

    ScatterRead(String name) {
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(READERS, r -> {
            Thread t = new Thread(r, "scatter-read-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Reads range {@code i} ({@code lengths[i]} bytes at {@code offsets[i]}, aligned) into
     * {@code dst} at {@code positions[i]} (aligned) for every {@code i < count}; returns once all
     * are read, with the length each actually read (short at the volume's end) in {@code lengths}.
     * Positions count from the start of {@code dst}'s capacity, whatever its position and limit.
     */
    void readAll(SourceVolume volume, long[] offsets, int[] lengths, int[] positions, int count, ByteBuffer buffer)
            throws IOException {
        ByteBuffer dst = buffer.duplicate().clear();
        if (count == 1) {
            lengths[0] = readOne(volume, offsets[0], lengths[0], positions[0], dst);
            return;
        }
        int tasksUsed = Math.min(READERS, count);
        for (int t = 0; t < tasksUsed; t++) {
            int first = t;
            tasks[t] = pool.submit(() -> {
                for (int i = first; i < count; i += tasksUsed) {
                    try {
                        lengths[i] = readOne(volume, offsets[i], lengths[i], positions[i], dst);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
        }
        IOException failure = null;
        for (int t = 0; t < tasksUsed; t++) {
            try {
                tasks[t].get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (failure == null) {
                    failure = cause instanceof UncheckedIOException u ? u.getCause()
                            : new IOException("reading " + volume.name() + " failed: " + cause, cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading " + volume.name());
            } finally {
                tasks[t] = null;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static int readOne(SourceVolume volume, long offset, int length, int position, ByteBuffer dst)
            throws IOException {
        int room = (length + SourceVolume.DIRECT_ALIGNMENT - 1) / SourceVolume.DIRECT_ALIGNMENT
                * SourceVolume.DIRECT_ALIGNMENT;
        return volume.read(offset, length, dst.slice(position, room)).remaining();
    }

    @Override
    public void close() {
        pool.shutdown();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
