package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The source's first frame: who it is, which versions and features it speaks, which volumes it
 * will replicate.
 *
 * <pre>
 *  +---------+---------+---------+----------+-------+----------+-------+--------------------+
 *  | magic   | minVer  | maxVer  | features | idLen | sourceId | count | count x VolumeInfo |
 *  | u32     | u16     | u16     | u64      | u16   | UTF-8    | u16   |                    |
 *  +---------+---------+---------+----------+-------+----------+-------+--------------------+
 * </pre>
 * All integers big-endian; {@code 1 <= minVer <= maxVer}; volume names are unique. Since v1.
 */
public record Hello(int minVersion, int maxVersion, long features, String sourceId, List<VolumeInfo> volumes)
        implements Frame {
    public static final int MAX_SOURCE_ID_BYTES = 128;
    public static final int MAX_VOLUMES = 256;

    public Hello {
        ProtocolVersion.checkRange(minVersion, maxVersion);
        volumes = List.copyOf(volumes);
        ProtocolException.checkRange("volume count", volumes.size(), 1, MAX_VOLUMES);
        checkSourceId(sourceId);
        checkUniqueNames(volumes);
    }

    /** Source ids name a directory on the target: the same rules as volume names apply. */
    public static String checkSourceId(String sourceId) {
        try {
            return VolumeInfo.checkName(sourceId);
        } catch (ProtocolException e) {
            throw new ProtocolException(e.code(), e.getMessage().replace("volume name", "source id"));
        }
    }

    /** Two volumes of one source with the same name would be written to the same file on the target. */
    private static void checkUniqueNames(List<VolumeInfo> volumes) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < volumes.size(); i++) {
            Integer first = seen.putIfAbsent(volumes.get(i).name(), i);
            if (first != null) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, String.format(
                        "invalid volume name: '%s' declared twice (volumes %d and %d)", volumes.get(i).name(), first, i));
            }
        }
    }

    @Override
    public FrameType type() {
        return FrameType.HELLO;
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeInt(ProtocolVersion.MAGIC);
        out.writeShort(minVersion);
        out.writeShort(maxVersion);
        out.writeLong(features);
        WireStrings.write(out, sourceId);
        out.writeShort(volumes.size());
        for (VolumeInfo v : volumes) {
            v.encode(out);
        }
    }

    public static Hello decode(ByteBuf in) {
        WireStrings.need(in, 16, "hello header");
        ProtocolVersion.checkMagic(in.readInt());
        int min = in.readUnsignedShort();
        int max = in.readUnsignedShort();
        long features = in.readLong();
        String id = WireStrings.read(in, "source id", MAX_SOURCE_ID_BYTES);
        WireStrings.need(in, 2, "volume count");
        int count = (int) ProtocolException.checkRange("volume count", in.readUnsignedShort(), 1, MAX_VOLUMES);
        List<VolumeInfo> volumes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            volumes.add(VolumeInfo.decode(in));
        }
        WireStrings.end(in, FrameType.HELLO);
        return new Hello(min, max, features, id, volumes);
    }
}
