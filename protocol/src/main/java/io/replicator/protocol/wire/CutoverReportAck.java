package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * Target to source: the {@link CutoverReport} {@code requestId} is stored durably, and, when {@code
 * sealed}, so is the seal of the source's volumes (the target refuses them from now on).
 *
 * <pre>
 *  +-----------+-------+
 *  | requestId | flags |
 *  | u64       | u8    |
 *  +-----------+-------+
 * </pre>
 * Big-endian. {@code flags} bit 0 is {@link CutoverReport#FLAG_SEAL}: sealed; the other bits must be
 * zero. Since v2 with feature {@code CUTOVER_SEAL}.
 */
public record CutoverReportAck(long requestId, boolean sealed) implements Frame {
    public static final int BODY_LENGTH = 9;

    public CutoverReportAck {
        ProtocolException.checkRange("requestId", requestId, 0, Long.MAX_VALUE);
    }

    @Override
    public FrameType type() {
        return FrameType.CUTOVER_REPORT_ACK;
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeLong(requestId);
        out.writeByte(sealed ? CutoverReport.FLAG_SEAL : 0);
    }

    public static CutoverReportAck decode(ByteBuf in) {
        WireStrings.need(in, BODY_LENGTH, "cutover report ack body");
        long requestId = in.readLong();
        int flags = in.readUnsignedByte();
        if ((flags & ~CutoverReport.FLAG_SEAL) != 0) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, String.format(
                    "invalid cutover report ack flags: 0x%02x (expected: 0x00-0x%02x)", flags, CutoverReport.FLAG_SEAL));
        }
        WireStrings.end(in, FrameType.CUTOVER_REPORT_ACK);
        return new CutoverReportAck(requestId, (flags & CutoverReport.FLAG_SEAL) != 0);
    }
}
