package io.replicator.target.launch;

import io.replicator.protocol.block.ZeroCheck;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a live volume into a launch's output while it is being written. A reflink
 * ({@code ioctl(FICLONE)}, through coreutils' {@code cp --reflink=always}: Java has no call for it)
 * where the live image and the output share a file system that has them: the copy shares the
 * image's extents and costs time in proportion to them, not to the data. Else a sparse copy: read
 * in chunks, blocks that are all zeros left as holes in a new file (written as zeros on a device,
 * whose old contents are unknown), and blocks already restored from the undo queue skipped. The copy
 * is fuzzy (a block written meanwhile may be old or new): the undo read after it puts every block
 * written since the checkpoint back. Stateless; thread-safe.
 */
final class VolumeCopy {
    private static final Logger log = LoggerFactory.getLogger(VolumeCopy.class);
    static final int CHUNK_BYTES = 1 << 20;
    private static final long CP_TIMEOUT_MINUTES = 60;

    /** How a volume was copied; the admin answer spells it in lower case. */
    enum Method {
        REFLINK, SPARSE
    }

    private VolumeCopy() {
    }

    /**
     * Clones {@code live} into {@code dest} (a new file) with a reflink; false, with {@code dest}
     * deleted, when the file systems cannot (not the same one, or one without reflinks).
     */
    static boolean reflink(Path live, Path dest) throws IOException, InterruptedException {
        if (!Files.isRegularFile(live)) {
            return false;
        }
        Process cp = new ProcessBuilder("cp", "--reflink=always", "--", live.toString(), dest.toString())
                .redirectErrorStream(true).start();
        String output;
        try {
            output = new String(cp.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!cp.waitFor(CP_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                throw new IOException("cp --reflink=always " + live + " " + dest + " did not end within "
                        + CP_TIMEOUT_MINUTES + " minutes");
            }
        } finally {
            cp.destroyForcibly();
        }
        if (cp.exitValue() == 0) {
            return true;
        }
        log.debug("no reflink of {} into {}: {}", live, dest, output);
        Files.deleteIfExists(dest);
        return false;
    }

    /**
     * Copies every block of {@code output}'s volume that was not restored from the undo queue yet,
     * from the live volume into the output, leaving all-zero blocks unwritten while the output's holes
     * read as zeros. Returns the bytes written.
     */
    static long sparse(VolumeOutput output) throws IOException {
        LaunchVolume volume = output.volume();
        int blockSize = output.blockSizeBytes();
        int chunkBytes = Math.max(blockSize, CHUNK_BYTES / blockSize * blockSize);
        ByteBuffer chunk = ByteBuffer.allocateDirect(chunkBytes);
        long written = 0;
        try (FileChannel live = FileChannel.open(volume.livePath(), StandardOpenOption.READ)) {
            for (long offset = 0; offset < volume.sizeBytes(); offset += chunkBytes) {
                int length = (int) Math.min(chunkBytes, volume.sizeBytes() - offset);
                chunk.clear().limit(length);
                readFully(live, chunk, offset, volume);
                written += writeBlocks(output, chunk, offset, length, blockSize);
            }
        }
        output.copied();
        return written;
    }

    private static long writeBlocks(VolumeOutput output, ByteBuffer chunk, long offset, int length, int blockSize)
            throws IOException {
        long written = 0;
        int runStart = -1;
        for (int at = 0; at <= length; at += blockSize) {
            boolean take = false;
            if (at < length) {
                int block = (int) ((offset + at) / blockSize);
                if (!output.isRestored(block)) {
                    ByteBuffer one = chunk.duplicate().position(at).limit(Math.min(at + blockSize, length));
                    take = !output.holesAreZero() || !ZeroCheck.isAllZero(one);
                }
            }
            if (take && runStart < 0) {
                runStart = at;
            } else if (!take && runStart >= 0) {
                int runEnd = Math.min(at, length);
                output.write(chunk.duplicate().position(runStart).limit(runEnd), offset + runStart);
                written += runEnd - runStart;
                runStart = -1;
            }
        }
        return written;
    }

    private static void readFully(FileChannel live, ByteBuffer chunk, long offset, LaunchVolume volume)
            throws IOException {
        long at = offset;
        while (chunk.hasRemaining()) {
            int n = live.read(chunk, at);
            if (n < 0) {
                throw new IOException(String.format("volume %s (%s) ends at %d bytes, before its size %d",
                        volume.name(), volume.livePath(), at, volume.sizeBytes()));
            }
            at += n;
        }
        chunk.flip();
    }
}
