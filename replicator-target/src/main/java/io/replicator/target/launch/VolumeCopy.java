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
 * image's extents and costs time in proportion to them, not to the data. Else a sparse copy in one
 * pass of large chunks: each chunk read once ({@link ReadAhead}, a few chunks ahead, around the page
 * cache where the volume allows it: {@link LiveReads}), the undo's
 * blocks laid over it in memory ({@link UndoLayer}), and written once in runs, all-zero blocks left
 * as holes in a new file (written as zeros on a device, whose old contents are unknown). As with
 * {@code cp}, the output is left to the kernel's write-back until the launch forces it at the end:
 * forcing it while the copy went on (every 64 MiB, even every 512 MiB) made the launch about 1.4
 * times slower (docs/benchmarks.md, runs {@code l20} and {@code l22}). The copy is fuzzy (a block written meanwhile may be
 * old or new): the undo read after it puts every block written since the index was built back.
 * Stateless; thread-safe.
 */
final class VolumeCopy {
    private static final Logger log = LoggerFactory.getLogger(VolumeCopy.class);
    /**
     * 1 MiB: the live volume is read around the page cache ({@link LiveReads}), where the disk here
     * read 2 GiB in 0.5 s in 1 MiB reads and in 1.1 s in 128 KiB ones; the launch took 2.3-3.0 s
     * against 3.6-3.8 s with 128 KiB chunks in runs one after the other (docs/benchmarks.md, runs {@code l22}).
     */
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
     * Whether a reflink of {@code output}'s volume would pay: when the undo to lay over the clone (what
     * the index found) is under a tenth of the volume. Each block laid over a clone is a write of its
     * own that unshares it: on XFS 206k of them (805 MiB of a 2 GiB volume) took 10 to 15 s over a
     * clone, and the copy in chunks 2.2 to 2.5 s (docs/benchmarks.md, runs {@code l20-xfs} and
     * {@code l22-xfs}).
     */
    static boolean worthCloning(VolumeOutput output) {
        return output.restoredBytes() < output.volume().sizeBytes() / 10;
    }

    /** The chunk a volume of {@code blockSize}-byte blocks is copied in: whole blocks, about {@link #CHUNK_BYTES}. */
    static int chunkBytes(int blockSize) {
        return Math.max(blockSize, CHUNK_BYTES / blockSize * blockSize);
    }

    /**
     * One pass over {@code output}'s volume in chunks: with {@code copying}, each chunk is read once
     * from the live volume, the undo's runs in it laid over it in memory ({@code layer}), and written
     * once, in runs, leaving all-zero blocks unwritten while the output's holes read as zeros; without
     * (the output is a clone of the volume already), only the chunks with undo runs are touched and
     * only their runs written. Returns the bytes written.
     */
    static long pass(VolumeOutput output, UndoLayer layer, boolean copying) throws IOException {
        LaunchVolume volume = output.volume();
        int blockSize = output.blockSizeBytes();
        int chunkBytes = chunkBytes(blockSize);
        long written = 0;
        try (LiveReads live = copying ? LiveReads.open(volume) : null;
             ReadAhead ahead = new ReadAhead(live, volume, chunkBytes, blockSize, layer)) {
            int c = 0;
            for (long offset = 0; offset < volume.sizeBytes(); offset += chunkBytes, c++) {
                ByteBuffer chunk = ahead.next();
                if (!copying && !layer.has(volume.index(), c)) {
                    continue;
                }
                written += writeBlocks(output, chunk, offset, chunk.limit(), blockSize, ahead.laid(), copying);
            }
        }
        if (copying) {
            output.copied();
        }
        return written;
    }

    private static long writeBlocks(VolumeOutput output, ByteBuffer chunk, long offset, int length, int blockSize,
                                    boolean[] laid, boolean copying) throws IOException {
        long written = 0;
        int runStart = -1;
        for (int at = 0, b = 0; at <= length; at += blockSize, b++) {
            boolean take = false;
            if (at < length) {
                if (copying) {
                    ByteBuffer one = chunk.duplicate().position(at).limit(Math.min(at + blockSize, length));
                    take = !output.holesAreZero() || !ZeroCheck.isAllZero(one);
                } else {
                    take = laid[b];
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
}
