package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Splits the byte stream into frames ({@link FrameEnvelope}), checks each one's trailer and hands
 * its body to its frame class. The length is checked before a byte of the body is buffered; the
 * trailer before a field of the frame is read, so nothing of a corrupted frame comes out. After the
 * first violation the decoder discards everything that follows (the handler behind it closes the
 * connection).
 *
 * <p>A first frame without trailer (flags 0) is a v1 peer's: the decoder refuses it with {@link
 * ErrorCode#UNSUPPORTED_VERSION} naming both ranges (quoting it when it is an error frame, a v1
 * receiver's answer to our HELLO), and from then on {@link #peerSpeaksV1()} tells {@link
 * FrameEncoder} to answer in the v1 envelope, which that peer can read. Any later frame without
 * trailer is refused as malformed. Owned by one channel's event loop; not sharable.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private final CRC32C crc = new CRC32C();
    private boolean failed;
    private boolean firstFrame = true;
    private boolean peerSpeaksV1;

    /** Whether the peer's first frame came in the v1 envelope: our answers then go in it too. */
    boolean peerSpeaksV1() {
        return peerSpeaksV1;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < FrameEnvelope.LENGTH_FIELD_LENGTH) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length < FrameEnvelope.MIN_LENGTH || length > FrameEnvelope.MAX_LENGTH) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, String.format(
                    "invalid frame length: %d (expected: %d-%d)", length, FrameEnvelope.MIN_LENGTH,
                    FrameEnvelope.MAX_LENGTH));
        }
        if (in.readableBytes() < FrameEnvelope.LENGTH_FIELD_LENGTH + length) {
            return;
        }
        ByteBuf frame = in.readSlice(FrameEnvelope.LENGTH_FIELD_LENGTH + (int) length);
        try {
            if (firstFrame && FrameEnvelope.flags(frame) == 0) {
                peerSpeaksV1 = true;
                throw refuseV1Peer(frame);
            }
            firstFrame = false;
            out.add(decodeFrame(frame, crc));
        } catch (ProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    /**
     * Decodes one whole frame: its readable bytes run from the length field to the trailer, which
     * must match. For tests and tools; the channel decodes with an instance.
     */
    public static Frame decodeFrame(ByteBuf frame) {
        return decodeFrame(frame, new CRC32C());
    }

    private static Frame decodeFrame(ByteBuf frame, CRC32C crc) {
        ByteBuf body = FrameEnvelope.open(frame, crc);
        return switch (FrameType.forCode(FrameEnvelope.typeCode(frame))) {
            case HELLO -> Hello.decode(body);
            case HELLO_ACK -> HelloAck.decode(body);
            case BLOCK -> BlockFrame.decode(body);
            case ACK -> Ack.decode(body);
            case BARRIER -> Barrier.decode(body);
            case BARRIER_ACK -> BarrierAck.decode(body);
            case HASH_REQUEST -> HashRequest.decode(body);
            case HASH_RESPONSE -> HashResponse.decode(body);
            case ERROR -> ErrorFrame.decode(body);
            case HEARTBEAT -> Heartbeat.decode(body);
            case CUTOVER_REPORT -> CutoverReport.decode(body);
            case CUTOVER_REPORT_ACK -> CutoverReportAck.decode(body);
            case CHECKPOINT -> Checkpoint.decode(body);
            case CHECKPOINT_ACK -> CheckpointAck.decode(body);
        };
    }

    /**
     * The refusal of a peer whose first frame has no trailer: it speaks v1 only. A v1 receiver
     * answers our HELLO with an error frame in the v1 envelope (it cannot read ours), quoted here so
     * that its reason is not lost.
     */
    private static ProtocolException refuseV1Peer(ByteBuf frame) {
        int type = FrameEnvelope.typeCode(frame);
        String said = "";
        if (type == FrameType.ERROR.code()) {
            try {
                ErrorFrame error = ErrorFrame.decode(FrameEnvelope.openV1(frame));
                said = "; it said: " + error.code() + " " + error.message();
            } catch (ProtocolException e) {
                said = "; its error frame does not decode: " + e.getMessage();
            }
        }
        return new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, String.format(
                "%s (its first frame, %s, has no checksum trailer: protocol v1)%s",
                ProtocolVersion.noCommonVersion(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                        1, FrameEnvelope.CHECKSUM_SINCE_VERSION - 1), FrameType.describe(type), said));
    }
}
