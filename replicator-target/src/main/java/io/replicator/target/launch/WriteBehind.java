package io.replicator.target.launch;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Has the kernel write a launch's output to the disk while the copy goes on, instead of all of it
 * at the final force: every {@link #EVERY_BYTES} written, a thread of its own forces the output
 * (unless the previous force is still running), so that the disk writes what was copied while the
 * copy reads on. Without it nothing is written before the force (the kernel starts writing back only
 * when a tenth of the memory is dirty), and the launch takes the time to read plus the time to
 * write. The final force still makes the output durable. Owned by the launching thread; the force
 * runs on its own daemon thread, ended by {@link #close()}.
 */
final class WriteBehind implements AutoCloseable {
    static final long EVERY_BYTES = 64L << 20;
    private final FileChannel channel;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "launch-write-behind");
        t.setDaemon(true);
        return t;
    });
    private Future<?> running;
    private long sinceBytes;

    WriteBehind(FileChannel channel) {
        this.channel = channel;
    }

    /** Counts {@code bytes} written; starts a force once enough were and none is running. */
    void written(long bytes) throws IOException {
        sinceBytes += bytes;
        if (sinceBytes < EVERY_BYTES || (running != null && !running.isDone())) {
            return;
        }
        await();
        sinceBytes = 0;
        running = thread.submit(() -> {
            channel.force(false);
            return null;
        });
    }

    /** Waits for the force running, if any; a failed force fails the launch. */
    private void await() throws IOException {
        if (running == null) {
            return;
        }
        try {
            running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the launch's output was forced");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            running = null;
        }
    }

    /** Waits for the force running and ends the thread. */
    @Override
    public void close() throws IOException {
        try {
            await();
        } finally {
            thread.shutdownNow();
        }
    }
}
