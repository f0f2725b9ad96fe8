package io.replicator.source.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Appends numbered records of {@value #RECORD_BYTES} bytes to a file, each forced (fdatasync) before the
 * next, noting the wall-clock millisecond before each write and after each force returned: which
 * records a consistent copy of the file system must hold. A thread of its own until {@link #close}.
 */
final class RecordWriter implements AutoCloseable {
    static final int RECORD_BYTES = 4096;
    static final int MAX_RECORDS = 200_000;

    final AtomicLongArray startedMs = new AtomicLongArray(MAX_RECORDS);
    final AtomicLongArray syncedMs = new AtomicLongArray(MAX_RECORDS);
    /** Records whose force returned. */
    final AtomicInteger synced = new AtomicInteger();
    private final FileChannel file;
    private final Thread thread;
    private final long pauseMs;
    private volatile boolean stop;
    private volatile IOException failure;

    RecordWriter(Path path, long pauseMs) throws IOException {
        this.file = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        this.pauseMs = pauseMs;
        this.thread = new Thread(this::run, "record-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Record {@code n}: its number then a pattern of it, so that a torn or stray record is seen. */
    static byte[] record(int n) {
        byte[] r = new byte[RECORD_BYTES];
        byte[] head = String.format("R%09d", n).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, r, 0, head.length);
        for (int i = head.length; i < RECORD_BYTES; i++) {
            r[i] = (byte) (n * 31 + i);
        }
        return r;
    }

    private void run() {
        try {
            for (int n = 0; n < MAX_RECORDS && !stop; n++) {
                startedMs.set(n, System.currentTimeMillis());
                ByteBuffer b = ByteBuffer.wrap(record(n));
                while (b.hasRemaining()) {
                    file.write(b);
                }
                file.force(false);
                syncedMs.set(n, System.currentTimeMillis());
                synced.set(n + 1);
                if (pauseMs > 0) {
                    Thread.sleep(pauseMs);
                }
            }
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many whole records, numbered from 0, {@code bytes} holds; fails on a record that is not the one expected. */
    static int count(byte[] bytes) {
        if (bytes.length % RECORD_BYTES != 0) {
            throw new AssertionError("the file holds " + bytes.length + " bytes: not whole records");
        }
        int n = bytes.length / RECORD_BYTES;
        for (int i = 0; i < n; i++) {
            byte[] expected = record(i);
            for (int j = 0; j < RECORD_BYTES; j++) {
                if (bytes[i * RECORD_BYTES + j] != expected[j]) {
                    throw new AssertionError("record " + i + " differs at byte " + j);
                }
            }
        }
        return n;
    }

    IOException failure() {
        return failure;
    }

    @Override
    public void close() throws IOException {
        stop = true;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        file.close();
    }
}
