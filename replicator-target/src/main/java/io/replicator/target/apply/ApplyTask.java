package io.replicator.target.apply;

import io.replicator.protocol.wire.Barrier;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Checkpoint;
import io.replicator.protocol.wire.CutoverReport;
import io.replicator.protocol.wire.FrameEnvelope;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.HashResponse;

/** What an event loop hands to a session's apply thread, in the order the frames arrived. Immutable. */
public sealed interface ApplyTask {
    /** Bytes a task that carries no payload counts for in the queue. */
    int FIXED_COST_BYTES = FrameEnvelope.HEADER_LENGTH + BlockFrame.HEADER_LENGTH;

    /** Bytes this task holds in memory while queued. */
    default long costBytes() {
        return FIXED_COST_BYTES;
    }

    /** Releases any buffer the task holds; called exactly once for tasks that are not applied. */
    default void discard() {
    }

    /** Write one validated block frame; the task owns the frame until it is applied or discarded. */
    record Apply(BlockFrame frame) implements ApplyTask {
        @Override
        public long costBytes() {
            return FIXED_COST_BYTES + frame.payload().readableBytes();
        }

        @Override
        public void discard() {
            frame.release();
        }
    }

    /**
     * Answer a hash request over what was applied before it. Counts as the answer it will become (up
     * to 128 KiB for a request of a few dozen bytes), so that a source asking for many hashes fills
     * the queue, and stops being read, as one sending that many bytes would.
     */
    record Hash(HashRequest request) implements ApplyTask {
        @Override
        public long costBytes() {
            return FIXED_COST_BYTES + answerBytes(request);
        }

        /** The bytes of the HASH_RESPONSE frame that answers {@code request}. */
        static long answerBytes(HashRequest request) {
            return FrameEnvelope.HEADER_LENGTH + FrameEnvelope.TRAILER_LENGTH + HashResponse.HEADER_LENGTH
                    + (long) request.count() * HashResponse.HASH_LENGTH;
        }
    }

    /** Make everything durable and answer the barrier. */
    record Sync(Barrier barrier) implements ApplyTask {
    }

    /**
     * Make everything before it durable, store the cutover report and, when it asks, seal the source;
     * then answer. Counts the report's text.
     */
    record Report(CutoverReport report) implements ApplyTask {
        @Override
        public long costBytes() {
            return FIXED_COST_BYTES + report.json().length() + report.markdown().length();
        }
    }

    /** A checkpoint of the source: make everything before it durable, journal it (or begin journaling), answer. */
    record Point(Checkpoint checkpoint) implements ApplyTask {
    }

    /** The connection is gone: commit what was applied and finish. */
    record Stop() implements ApplyTask {
    }
}
