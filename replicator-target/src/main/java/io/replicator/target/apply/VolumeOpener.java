package io.replicator.target.apply;

import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ProtocolException;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.target.internal.FileChannelOpener;
import io.replicator.target.internal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds or makes what each volume of a source is written onto: {@code DATA_DIR/ID/NAME.img},
 * created sparse at exactly the source volume's size, or the existing file or block device the
 * admin mapped {@code "ID/NAME"} to. Checks every volume before it changes anything, so a refusal
 * ({@link ErrorCode#VOLUME_UNAVAILABLE}, naming both sizes) leaves the disk as it was; a volume
 * replicated here before must be declared with the size it had then ({@link VolumeSizes}). Runs on a
 * session's apply thread, never on an event loop; stateless apart from its settings, thread-safe.
 */
public final class VolumeOpener {
    public static final String IMAGE_SUFFIX = ".img";

    private final Path dataDir;
    private final Map<String, Path> maps;
    private final FileChannelOpener opener;
    /**
     * Images created since start whose holes are remembered at most; the zero ranges of later ones are
     * written. With {@link UnwrittenBlocks#MAX_BYTES} (32 KiB) each, that memory stays under 17 MB.
     */
    static final int MAX_TRACKED_IMAGES = 512;

    /** Images this receiver created, with what is still unwritten in them; see {@link UnwrittenBlocks}. */
    private final Map<Path, UnwrittenBlocks> created = new java.util.concurrent.ConcurrentHashMap<>();

    public VolumeOpener(Path dataDir, Map<String, Path> maps, FileChannelOpener opener) {
        this.dataDir = dataDir;
        this.maps = maps;
        this.opener = opener;
    }

    /**
     * Bytes of memory the unwritten-block bookkeeping of every image created since start holds: at most
     * {@link #MAX_TRACKED_IMAGES} times {@link UnwrittenBlocks#MAX_BYTES}, whatever the images' sizes.
     */
    public long unwrittenBookkeepingBytes() {
        return created.values().stream().mapToLong(UnwrittenBlocks::sizeBytes).sum();
    }

    /** Where the files of {@code sourceId} live: its images and its progress file. */
    public Path sourceDir(String sourceId) {
        return dataDir.resolve(sourceId);
    }

    private record Plan(String key, VolumeInfo info, Path path, boolean create) {
    }

    /** Opens every volume of {@code sourceId}, in the order given; the caller closes them. */
    public List<TargetVolume> open(String sourceId, List<VolumeInfo> volumes) {
        VolumeSizes sizes = VolumeSizes.read(sourceDir(sourceId));
        List<Plan> plans = new ArrayList<>();
        for (VolumeInfo info : volumes) {
            sizes.check(sourceId, info);
            plans.add(plan(sourceId, info));
        }
        List<TargetVolume> opened = new ArrayList<>();
        try {
            Files.createDirectories(sourceDir(sourceId));
            boolean created = false;
            for (Plan plan : plans) {
                opened.add(openPlanned(plan));
                created |= plan.create();
            }
            if (created) {
                DurableFiles.forceDirectory(sourceDir(sourceId));
            }
            sizes.recordNew(volumes);
            return opened;
        } catch (IOException | RuntimeException e) {
            for (TargetVolume v : opened) {
                closeQuietly(v, e);
            }
            if (e instanceof ProtocolException pe) {
                throw pe;
            }
            String message = String.format("cannot open target volumes of source %s under %s: %s", sourceId,
                    sourceDir(sourceId), e);
            throw new ProtocolException(ErrorCode.VOLUME_UNAVAILABLE, message, e);
        }
    }

    private Plan plan(String sourceId, VolumeInfo info) {
        String key = sourceId + "/" + info.name();
        Path mapped = maps.get(key);
        try {
            if (mapped != null) {
                if (!Files.exists(mapped)) {
                    throw refuse("target volume %s: mapped path %s does not exist", key, mapped);
                }
                long size = DeviceSize.sizeBytes(mapped);
                if (size < info.sizeBytes()) {
                    throw refuse("target volume %s: %s holds %d bytes, smaller than the source volume's %d bytes",
                            key, mapped, size, info.sizeBytes());
                }
                return new Plan(key, info, mapped, false);
            }
            Path image = sourceDir(sourceId).resolve(info.name() + IMAGE_SUFFIX);
            if (!Files.exists(image)) {
                return new Plan(key, info, image, true);
            }
            if (!Files.isRegularFile(image)) {
                throw refuse("target volume %s: %s exists and is not a regular file", key, image);
            }
            long size = Files.size(image);
            if (size != info.sizeBytes()) {
                throw refuse("target volume %s: existing image %s is %d bytes but the source volume is %d bytes; "
                        + "move the image away or map the volume elsewhere", key, image, size, info.sizeBytes());
            }
            return new Plan(key, info, image, false);
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.VOLUME_UNAVAILABLE,
                    "target volume " + key + ": cannot inspect " + (mapped != null ? mapped : "its image") + ": " + e, e);
        }
    }

    private TargetVolume openPlanned(Plan plan) throws IOException {
        if (!plan.create()) {
            FileChannel ch = opener.open(plan.path(), Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
            return new TargetVolume(plan.key(), plan.info(), plan.path(), ch, created.get(plan.path()));
        }
        FileChannel ch = opener.open(plan.path(),
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE));
        UnwrittenBlocks unwritten = created.size() < MAX_TRACKED_IMAGES
                ? new UnwrittenBlocks(plan.info().blockSizeBytes()) : null;
        TargetVolume volume = new TargetVolume(plan.key(), plan.info(), plan.path(), ch, unwritten);
        try {
            long size = plan.info().sizeBytes();
            if (size > 0 && ch.write(ByteBuffer.allocate(1), size - 1) != 1) {
                throw new IOException("could not extend " + plan.path() + " to " + size + " bytes");
            }
            ch.force(true);
            if (unwritten != null) {
                created.put(plan.path(), unwritten);
            }
            return volume;
        } catch (IOException | RuntimeException e) {
            closeQuietly(volume, e);
            Files.deleteIfExists(plan.path());
            throw e;
        }
    }

    private static ProtocolException refuse(String format, Object... args) {
        return new ProtocolException(ErrorCode.VOLUME_UNAVAILABLE, String.format(format, args));
    }

    private static void closeQuietly(TargetVolume v, Exception cause) {
        try {
            v.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
