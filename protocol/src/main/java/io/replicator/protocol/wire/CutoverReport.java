package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * Source to target: the report of a cutover this source took part in, to keep where the target keeps
 * its data, and, with {@link #FLAG_SEAL}, the seal of the source's volumes: once the target has
 * stored the report and the seal durably it answers {@link CutoverReportAck}, and from then on,
 * across restarts, refuses every block, barrier and hash request of this source id (and its next
 * {@code Hello}) with {@link ErrorCode#CUT_OVER} until an administrator releases it. Without the
 * flag (a cutover that failed) the report is only stored. Sent only in a connection that negotiated
 * {@link ProtocolVersion#FEATURE_CUTOVER_SEAL}.
 *
 * <pre>
 *  +-----------+-------+-------+----------+---------+------+---------+----------+
 *  | requestId | flags | idLen | reportId | jsonLen | json | mdLen   | markdown |
 *  | u64       | u8    | u16   | UTF-8    | u32     | UTF-8| u32     | UTF-8    |
 *  +-----------+-------+-------+----------+---------+------+---------+----------+
 * </pre>
 * Big-endian. {@code flags} bit 0 is {@link #FLAG_SEAL}; the other bits must be zero. {@code reportId}
 * names the report (the wave's id: every source of a wave sends the same report), 1 to
 * {@link #MAX_REPORT_ID_BYTES} bytes of letters, digits, {@code - _ .}; {@code json} is the report as a
 * JSON object and {@code markdown} the same for people, each at most {@link #MAX_TEXT_BYTES}.
 * Since v2 with feature {@code CUTOVER_SEAL}.
 */
public record CutoverReport(long requestId, boolean seal, String reportId, String json, String markdown)
        implements Frame {
    /** Flags bit 0: seal the source's volumes once the report is stored. */
    public static final int FLAG_SEAL = 0x01;
    public static final int MAX_REPORT_ID_BYTES = 128;
    public static final int MAX_TEXT_BYTES = 512 * 1024;

    public CutoverReport {
        ProtocolException.checkRange("requestId", requestId, 0, Long.MAX_VALUE);
        checkReportId(reportId);
        WireStrings.checkLength("report json", json, MAX_TEXT_BYTES);
        WireStrings.checkLength("report markdown", markdown, MAX_TEXT_BYTES);
    }

    /** Refuses a report id that is empty, too long, or has a character other than letters, digits, {@code - _ .}. */
    public static void checkReportId(String reportId) {
        ProtocolException.checkRange("reportId length", reportId.length(), 1, MAX_REPORT_ID_BYTES);
        for (int i = 0; i < reportId.length(); i++) {
            char c = reportId.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || (c == '.' && i > 0);
            if (!ok) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, String.format(
                        "invalid reportId: \"%s\" (expected: letters, digits, '-', '_', '.', not starting with '.')",
                        reportId));
            }
        }
    }

    @Override
    public FrameType type() {
        return FrameType.CUTOVER_REPORT;
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeLong(requestId);
        out.writeByte(seal ? FLAG_SEAL : 0);
        WireStrings.write(out, reportId);
        WireStrings.writeText(out, json);
        WireStrings.writeText(out, markdown);
    }

    public static CutoverReport decode(ByteBuf in) {
        WireStrings.need(in, 9, "cutover report requestId and flags");
        long requestId = in.readLong();
        int flags = in.readUnsignedByte();
        if ((flags & ~FLAG_SEAL) != 0) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    String.format("invalid cutover report flags: 0x%02x (expected: 0x00-0x%02x)", flags, FLAG_SEAL));
        }
        String reportId = WireStrings.read(in, "reportId", MAX_REPORT_ID_BYTES);
        checkReportId(reportId);
        String json = WireStrings.readText(in, "report json", MAX_TEXT_BYTES);
        String markdown = WireStrings.readText(in, "report markdown", MAX_TEXT_BYTES);
        WireStrings.end(in, FrameType.CUTOVER_REPORT);
        return new CutoverReport(requestId, (flags & FLAG_SEAL) != 0, reportId, json, markdown);
    }
}
