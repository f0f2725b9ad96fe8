package io.replicator.target.launch;

import io.replicator.target.internal.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code NAME.img.partial} files of the launches running, in {@code DATA_DIR/launches-running}
 * (one absolute path a line, replaced durably), so that a receiver killed while launching deletes
 * them when it starts again ({@link #deleteLeftovers()}). Also refuses a second launch writing a
 * partial file that a running launch writes. Thread-safe.
 */
public final class PartialLedger {
    private static final Logger log = LoggerFactory.getLogger(PartialLedger.class);
    static final String FILE = "launches-running";
    static final String PARTIAL_SUFFIX = ".img.partial";

    private final Path file;
    private final Set<Path> running = new LinkedHashSet<>();

    public PartialLedger(Path dataDir) {
        this.file = dataDir.resolve(FILE);
    }

    /**
     * Deletes every partial file a launch left when the receiver stopped in the middle of it, and
     * returns them. Call once when the receiver starts, before any launch.
     */
    public synchronized List<Path> deleteLeftovers() throws IOException {
        List<Path> deleted = new ArrayList<>();
        if (!Files.exists(file)) {
            return deleted;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            Path partial = Path.of(line.trim());
            if (partial.isAbsolute() && partial.getFileName().toString().endsWith(PARTIAL_SUFFIX)
                    && Files.deleteIfExists(partial)) {
                deleted.add(partial);
                log.warn("deleted {}, left by a launch that did not finish (the receiver stopped during it)", partial);
            }
        }
        DurableFiles.delete(file);
        return deleted;
    }

    /**
     * Records {@code partials} as written by a launch, durably, before anything is written to them.
     *
     * @throws LaunchException (409) when a running launch writes one of them
     */
    synchronized void add(Collection<Path> partials) throws LaunchException, IOException {
        for (Path partial : partials) {
            if (running.contains(partial)) {
                throw new LaunchException(409, "a launch writing " + partial + " is running; wait for it or choose "
                        + "another --out");
            }
        }
        running.addAll(partials);
        try {
            save();
        } catch (IOException e) {
            running.removeAll(partials);
            throw e;
        }
    }

    /** Forgets {@code partials} (renamed or deleted by their launch). */
    synchronized void remove(Collection<Path> partials) throws IOException {
        running.removeAll(partials);
        save();
    }

    private void save() throws IOException {
        if (running.isEmpty()) {
            DurableFiles.delete(file);
            return;
        }
        StringBuilder text = new StringBuilder();
        for (Path partial : running) {
            text.append(partial).append('\n');
        }
        DurableFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
