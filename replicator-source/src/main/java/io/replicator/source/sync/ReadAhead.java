package io.replicator.source.sync;

import io.replicator.source.volume.SourceVolume;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a volume sequentially ahead of the sync agent on a thread of its own, so that the device
 * works while the agent hashes and compresses. At most {@code depth} units are read and not yet
 * released: memory is bounded whatever the volume size. The reading thread is never interrupted
 * (that would close the volume's channel); {@link #close} stops it after its current read.
 * {@link #next} and {@link #release} belong to the sync agent's thread.
 */
final class ReadAhead implements AutoCloseable {
    /** One unit read at {@code offset}; {@code data} holds exactly the volume's bytes there. */
    record Unit(long offset, ByteBuffer data, ByteBuffer buffer) {
    }

    private record Failure(IOException cause) {
    }

    private final SourceVolume volume;
    private final BlockingQueue<ByteBuffer> free;
    private final BlockingQueue<Object> ready;
    private final Thread thread;
    private volatile boolean closed;

    ReadAhead(SourceVolume volume, long startOffset, int unitBytes, int depth) {
        this.volume = volume;
        this.free = new ArrayBlockingQueue<>(depth);
        this.ready = new ArrayBlockingQueue<>(depth + 1);
        for (int i = 0; i < depth; i++) {
            free.add(SourceVolume.allocateAligned(unitBytes));
        }
        this.thread = new Thread(() -> readFrom(startOffset, unitBytes), "read-ahead-" + volume.name());
        thread.setDaemon(true);
        thread.start();
    }

    private void readFrom(long offset, int unitBytes) {
        try {
            for (long at = offset; at < volume.sizeBytes() && !closed; at += unitBytes) {
                ByteBuffer buffer = null;
                while (buffer == null && !closed) {
                    buffer = free.poll(100, TimeUnit.MILLISECONDS);
                }
                if (buffer == null) {
                    return;
                }
                ByteBuffer data = volume.read(at, unitBytes, buffer);
                ready.put(new Unit(at, data, buffer));
            }
        } catch (IOException e) {
            ready.offer(new Failure(e));
        } catch (InterruptedException e) {
            ready.offer(new Failure(new InterruptedIOException("read-ahead interrupted")));
        }
    }

    /** The next unit in volume order; blocks until it is read. */
    Unit next() throws IOException {
        Object o;
        try {
            o = ready.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + volume.name());
        }
        if (o instanceof Failure f) {
            throw f.cause();
        }
        return (Unit) o;
    }

    void release(Unit unit) {
        free.add(unit.buffer());
    }

    @Override
    public void close() {
        closed = true;
        ready.clear();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
