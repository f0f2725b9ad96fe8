package io.replicator.target.internal;

import io.replicator.target.TargetStatus;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One volume of a source as the receiver sees it: what the session applied, what is durable (since
 * the source was first seen: {@code durableBytesBefore} comes from the source's {@code fleet} file,
 * so it survives a restart), what arrived and how fast, and how long the oldest block received and
 * not yet durable has waited. The session's event loop counts what arrives, its apply thread what
 * is applied, its force thread what became durable; anyone reads the status. Thread-safe.
 */
public final class VolumeProgress {
    /** Arrivals are remembered for the lag at most this often: the lag's resolution. */
    static final long MARK_SPACING_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /** The receive rate is measured over windows of this length. */
    static final long RATE_WINDOW_NS = TimeUnit.SECONDS.toNanos(1);

    /** A block frame of {@code sequence} arrived at {@code receivedNs}. */
    private record Mark(long sequence, long receivedNs) {
    }

    private final String name;
    private final String path;
    private final long sizeBytes;
    private volatile long durableBytesBefore;
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong framesApplied = new AtomicLong();
    private final AtomicLong receivedBytes = new AtomicLong();
    private volatile long durableBytes;
    /** Arrivals not yet known durable, oldest first: added by the event loop, dropped by whoever sees them durable. */
    private final ConcurrentLinkedDeque<Mark> marks = new ConcurrentLinkedDeque<>();
    private long rateWindowStartNs = System.nanoTime();
    private long rateWindowStartBytes;
    private double receiveBytesPerSecond;

    public VolumeProgress(String name, String path, long sizeBytes) {
        this(name, path, sizeBytes, 0);
    }

    /** A volume of which {@code durableBytesBefore} were made durable before this session. */
    public VolumeProgress(String name, String path, long sizeBytes, long durableBytesBefore) {
        this.name = name;
        this.path = path;
        this.sizeBytes = sizeBytes;
        this.durableBytesBefore = durableBytesBefore;
    }

    /** {@code bytes} were made durable before this session (the source's {@code fleet} file says). Apply thread, before the session's first frame. */
    public void durableBefore(long bytes) {
        durableBytesBefore = bytes;
    }

    public String name() {
        return name;
    }

    public String path() {
        return path;
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    /** {@code bytes} were applied (written, or known to be there). Apply thread. */
    public void applied(long bytes) {
        bytesWritten.addAndGet(bytes);
        framesApplied.incrementAndGet();
    }

    /** A commit of everything applied so far is asked for: the bytes it will make durable. Apply thread, under the commit's lock. */
    public long requestCommit() {
        return bytesWritten.get();
    }

    /** What {@link #requestCommit} returned is durable, up to {@code durableSequence}. Force thread. */
    public void durable(long appliedBytes, long durableSequence) {
        durableBytes = appliedBytes;
        dropDurable(durableSequence);
    }

    /** Bytes made durable since the source was first seen. */
    public long durableBytesTotal() {
        return durableBytesBefore + durableBytes;
    }

    /** A block frame of {@code sequence} and {@code wireBytes} arrived at {@code nowNs}. Event loop. */
    public void received(long sequence, long wireBytes, long nowNs) {
        receivedBytes.addAndGet(wireBytes);
        Mark last = marks.peekLast();
        if (last == null || nowNs - last.receivedNs >= MARK_SPACING_NS) {
            marks.addLast(new Mark(sequence, nowNs));
        }
    }

    private void dropDurable(long durableSequence) {
        for (Mark m = marks.peekFirst(); m != null && m.sequence <= durableSequence; m = marks.peekFirst()) {
            marks.pollFirst();
        }
    }

    /** How long the oldest block received and not durable at {@code durableSequence} has waited; 0 when none. */
    long lagMs(long durableSequence, long nowNs) {
        dropDurable(durableSequence);
        Mark oldest = marks.peekFirst();
        return oldest == null ? 0 : TimeUnit.NANOSECONDS.toMillis(nowNs - oldest.receivedNs);
    }

    /** Bytes per second received since the last time this was asked, at least a second ago. */
    synchronized long receiveBytesPerSecond(long nowNs) {
        long elapsedNs = nowNs - rateWindowStartNs;
        if (elapsedNs >= RATE_WINDOW_NS) {
            long bytes = receivedBytes.get();
            receiveBytesPerSecond = (bytes - rateWindowStartBytes) * 1e9 / elapsedNs;
            rateWindowStartNs = nowNs;
            rateWindowStartBytes = bytes;
        }
        return Math.round(receiveBytesPerSecond);
    }

    public TargetStatus.VolumeStatus status() {
        return status(0, System.nanoTime());
    }

    TargetStatus.VolumeStatus status(long durableSequence, long nowNs) {
        return new TargetStatus.VolumeStatus(name, path, sizeBytes, bytesWritten.get(), framesApplied.get(),
                durableBytesTotal(), receivedBytes.get(), receiveBytesPerSecond(nowNs), lagMs(durableSequence, nowNs));
    }
}
