package io.replicator.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Compressible blocks made of real text found on the machine: the licence texts Debian-like
 * systems keep in {@code /usr/share/common-licenses}, else any readable files under
 * {@code /usr/share/doc} and {@code /usr/share}, concatenated in name order so that a machine
 * always yields the same block. Stateless and thread-safe.
 */
final class CorpusBlocks {
    private static final List<Path> ROOTS =
            List.of(Path.of("/usr/share/common-licenses"), Path.of("/usr/share/doc"), Path.of("/usr/share"));
    private static final int MAX_DEPTH = 4;

    private CorpusBlocks() {
    }

    /** A direct buffer of exactly {@code sizeBytes} bytes of real file content, flipped for reading. */
    static ByteBuffer textBlock(int sizeBytes) throws IOException {
        ByteBuffer block = ByteBuffer.allocateDirect(sizeBytes);
        for (Path root : ROOTS) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            for (Path file : regularFiles(root)) {
                byte[] bytes = Files.readAllBytes(file);
                block.put(bytes, 0, Math.min(bytes.length, block.remaining()));
                if (!block.hasRemaining()) {
                    return block.flip();
                }
            }
        }
        throw new IOException("found only " + block.position() + " bytes of text under " + ROOTS
                + " (expected: " + sizeBytes + ")");
    }

    private static List<Path> regularFiles(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root, MAX_DEPTH)) {
            walk.filter(Files::isRegularFile).filter(Files::isReadable).filter(CorpusBlocks::isPlainText)
                    .sorted().forEach(files::add);
        }
        return files;
    }

    private static boolean isPlainText(Path file) {
        String name = file.getFileName().toString();
        return !name.endsWith(".gz") && !name.endsWith(".xz") && !name.endsWith(".bz2") && !name.endsWith(".zst");
    }
}
