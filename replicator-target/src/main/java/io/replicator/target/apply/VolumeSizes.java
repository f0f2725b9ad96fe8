package io.replicator.target.apply;

import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ProtocolException;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.target.internal.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The file {@code DATA_DIR/ID/volumes}: the size each volume of source ID had when it was first
 * replicated here, so that a source declaring another size for a volume it wrote before is refused
 * whether the volume is an image or a mapped device (a mapped device may be larger than the volume,
 * so its own size proves nothing). UTF-8 text, one volume per line; names hold no tab or newline
 * (they have no control characters):
 *
 * <pre>
 *  RPVS 1\n                      magic and version
 *  NAME \t SIZE_BYTES \n          one line per volume, sizes in decimal
 * </pre>
 * Replaced atomically (temporary file, force, rename, force the directory). Not thread-safe: used by
 * the apply thread of the one session that holds the source id.
 */
final class VolumeSizes {
    static final String FILE_NAME = "volumes";
    static final String HEADER = "RPVS 1";

    private final Path file;
    private final Map<String, Long> sizes;

    private VolumeSizes(Path file, Map<String, Long> sizes) {
        this.file = file;
        this.sizes = sizes;
    }

    /** Reads the record in {@code sourceDir}; empty when there is none yet. */
    static VolumeSizes read(Path sourceDir) {
        Path file = sourceDir.resolve(FILE_NAME);
        Map<String, Long> sizes = new TreeMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new VolumeSizes(file, sizes);
        } catch (IOException e) {
            throw unavailable("cannot read " + file + ": " + e);
        }
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw unavailable(file + " is not a volume size record (expected first line '" + HEADER + "'); "
                    + "it says what size each volume of this source had, so it is not guessed: restore or remove it");
        }
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            int tab = line.lastIndexOf('\t');
            try {
                long size = Long.parseLong(line.substring(tab + 1));
                if (tab <= 0 || size < 0) {
                    throw new NumberFormatException();
                }
                sizes.put(line.substring(0, tab), size);
            } catch (NumberFormatException e) {
                throw unavailable(file + " line " + (i + 1) + " is not NAME<TAB>SIZE_BYTES: '" + line + "'");
            }
        }
        return new VolumeSizes(file, sizes);
    }

    /** Refuses a volume whose declared size differs from the one recorded for it, naming both. */
    void check(String sourceId, VolumeInfo info) {
        Long recorded = sizes.get(info.name());
        if (recorded != null && recorded != info.sizeBytes()) {
            throw unavailable(String.format("target volume %s/%s: the source declared %d bytes when the volume was "
                    + "first replicated here and now declares %d bytes; a replicated volume cannot change size "
                    + "(recorded in %s): move the target's copy away to start it over", sourceId, info.name(),
                    recorded, info.sizeBytes(), file));
        }
    }

    /** Records the volumes not recorded yet; durable on return. */
    void recordNew(List<VolumeInfo> volumes) throws IOException {
        boolean changed = false;
        for (VolumeInfo v : volumes) {
            changed |= sizes.putIfAbsent(v.name(), v.sizeBytes()) == null;
        }
        if (!changed) {
            return;
        }
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        sizes.forEach((name, size) -> text.append(name).append('\t').append(size).append('\n'));
        DurableFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static ProtocolException unavailable(String message) {
        return new ProtocolException(ErrorCode.VOLUME_UNAVAILABLE, message);
    }
}
