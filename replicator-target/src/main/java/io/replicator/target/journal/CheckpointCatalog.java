package io.replicator.target.journal;

import io.replicator.target.internal.DurableFiles;
import io.replicator.target.journal.CheckpointInfo.State;
import io.replicator.target.journal.internal.CatalogFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable list of one source's checkpoints, {@code JOURNAL_DIR/ID/checkpoints}: every change is
 * a line appended and forced before the call returns ({@link CatalogFormat}); opening reads it back,
 * skips a line a crash left torn, and rewrites it compacted (one line per checkpoint). Oldest first;
 * pruned checkpoints stay listed (the oldest go beyond {@link #MAX_PRUNED_KEPT}). Thread-safe.
 */
public final class CheckpointCatalog implements AutoCloseable {
    public static final String FILE = "checkpoints";
    /** Pruned checkpoints listed at most; older ones are forgotten. */
    public static final int MAX_PRUNED_KEPT = 10_000;
    private static final Logger log = LoggerFactory.getLogger(CheckpointCatalog.class);

    private final Path file;
    private final String sourceId;
    private final LinkedHashMap<Long, CheckpointInfo> byId = new LinkedHashMap<>();
    private FileChannel channel;
    private int lines;

    private CheckpointCatalog(Path file, String sourceId) {
        this.file = file;
        this.sourceId = sourceId;
    }

    /** Opens (creating it if needed) the catalogue in {@code dir} (the source's journal directory). */
    public static CheckpointCatalog open(Path dir, String sourceId) throws IOException {
        Files.createDirectories(dir);
        CheckpointCatalog catalog = new CheckpointCatalog(dir.resolve(FILE), sourceId);
        catalog.load();
        return catalog;
    }

    public Path file() {
        return file;
    }

    /** Every checkpoint, oldest first. */
    public synchronized List<CheckpointInfo> list() {
        return List.copyOf(byId.values());
    }

    /** The checkpoint {@code idOrLatest} names: its id in decimal, or {@code latest} for the newest launchable. */
    public synchronized Optional<CheckpointInfo> find(String idOrLatest) {
        if ("latest".equals(idOrLatest)) {
            CheckpointInfo newest = null;
            for (CheckpointInfo info : byId.values()) {
                if (info.launchable()) {
                    newest = info;
                }
            }
            return Optional.ofNullable(newest);
        }
        try {
            return Optional.ofNullable(byId.get(Long.parseLong(idOrLatest)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The newest checkpoint in any state, if any. */
    public synchronized Optional<CheckpointInfo> newest() {
        CheckpointInfo newest = null;
        for (CheckpointInfo info : byId.values()) {
            newest = info;
        }
        return Optional.ofNullable(newest);
    }

    /**
     * Records {@code info} after the others, or replaces what is recorded under its id in its place;
     * returns once it is on stable storage.
     */
    public synchronized void put(CheckpointInfo info) throws IOException {
        if (!info.sourceId().equals(sourceId)) {
            throw new IllegalArgumentException("checkpoint of source '" + info.sourceId() + "' in the catalogue of '"
                    + sourceId + "'");
        }
        append(info);
        byId.put(info.checkpointId(), info);
        dropOldPruned();
        if (lines > 2 * byId.size() + 64) {
            rewrite();
        }
    }

    /**
     * Every launchable checkpoint whose undo marker lies before {@code oldestKeptUndoPosition} becomes
     * {@link State#PRUNED} for {@code reason}; returns how many did.
     */
    public synchronized int pruneBefore(long oldestKeptUndoPosition, String reason) throws IOException {
        int pruned = 0;
        for (CheckpointInfo info : List.copyOf(byId.values())) {
            if (info.launchable() && info.undoPosition() < oldestKeptUndoPosition) {
                put(info.with(State.PRUNED, reason));
                pruned++;
            }
        }
        return pruned;
    }

    /** Every launchable checkpoint becomes {@link State#PRUNED} for {@code reason} (a gap in the history); returns how many did. */
    public synchronized int pruneAll(String reason) throws IOException {
        return pruneBefore(Long.MAX_VALUE, reason);
    }

    private void append(CheckpointInfo info) throws IOException {
        byte[] line = CatalogFormat.line(info).getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.wrap(line);
        long position = channel.size();
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
        channel.force(false);
        lines++;
    }

    private void dropOldPruned() {
        long pruned = byId.values().stream().filter(i -> i.state() == State.PRUNED).count();
        var it = byId.values().iterator();
        while (pruned > MAX_PRUNED_KEPT && it.hasNext()) {
            if (it.next().state() == State.PRUNED) {
                it.remove();
                pruned--;
            }
        }
    }

    private void load() throws IOException {
        boolean damaged = false;
        int read = 0;
        if (Files.exists(file)) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            CatalogFormat.Parsed parsed = CatalogFormat.parse(text, sourceId, file.toString());
            for (CheckpointInfo info : parsed.entries()) {
                byId.put(info.checkpointId(), info);
            }
            read = parsed.lines();
            if (!parsed.damage().isEmpty()) {
                damaged = true;
                log.warn("checkpoint catalogue {}: {}; rewriting it with the {} whole line(s)", file, parsed.damage(),
                        read);
            }
        }
        dropOldPruned();
        if (damaged || !Files.exists(file) || read != byId.size()) {
            rewriteUnlocked();
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
        lines = byId.size();
    }

    private void rewrite() throws IOException {
        channel.close();
        rewriteUnlocked();
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
        lines = byId.size();
    }

    private void rewriteUnlocked() throws IOException {
        StringBuilder text = new StringBuilder(CatalogFormat.HEADER);
        List<CheckpointInfo> all = new ArrayList<>(byId.values());
        for (CheckpointInfo info : all) {
            text.append(CatalogFormat.line(info));
        }
        DurableFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
