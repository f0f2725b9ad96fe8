package io.replicator.target.cutover;

import io.replicator.target.internal.DurableFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The sealed source ids of one receiver: read from their seal files at start, sealed and released
 * while it runs. Lookups ({@link #find}) are lock-free for the event loops; sealing and releasing
 * write the file first and change the map only once the file is durable, under this object's
 * monitor. Thread-safe.
 */
final class Seals {
    private final Path dataDir;
    private final ConcurrentMap<String, Seal> sealed = new ConcurrentHashMap<>();

    private Seals(Path dataDir) {
        this.dataDir = dataDir;
    }

    /**
     * Reads every seal file under {@code dataDir} ({@code ID/cutover-seal.json}), skipping the
     * directory {@code skip} (the reports').
     *
     * @throws IOException naming the first seal file that cannot be read
     */
    static Seals load(Path dataDir, String skip) throws IOException {
        Seals seals = new Seals(dataDir);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dataDir, Files::isDirectory)) {
            for (Path dir : dirs) {
                String id = dir.getFileName().toString();
                Path file = SealFile.path(dir);
                if (!id.equals(skip) && Files.exists(file)) {
                    seals.sealed.put(id, SealFile.read(file, id));
                }
            }
        }
        return seals;
    }

    Optional<Seal> find(String sourceId) {
        return Optional.ofNullable(sealed.get(sourceId));
    }

    List<Seal> all() {
        return sealed.values().stream().sorted(Comparator.comparing(Seal::sourceId)).toList();
    }

    /** Seals {@code seal.sourceId()} durably and returns the seal in force: the one there before, if any. */
    synchronized Seal seal(Seal seal) throws IOException {
        Seal before = sealed.get(seal.sourceId());
        if (before != null) {
            return before;
        }
        SealFile.write(sourceDir(seal.sourceId()), seal);
        sealed.put(seal.sourceId(), seal);
        return seal;
    }

    /** Lifts the seal of {@code sourceId} durably; empty when it was not sealed. */
    synchronized Optional<Seal> release(String sourceId) throws IOException {
        Seal seal = sealed.get(sourceId);
        if (seal == null) {
            return Optional.empty();
        }
        DurableFiles.delete(SealFile.path(sourceDir(sourceId)));
        sealed.remove(sourceId);
        return Optional.of(seal);
    }

    /** The file of the seal of {@code sourceId}, sealed or not. */
    Path file(String sourceId) {
        return SealFile.path(sourceDir(sourceId));
    }

    private Path sourceDir(String sourceId) {
        return dataDir.resolve(sourceId);
    }
}
