package io.replicator.target.cutover;

import io.replicator.protocol.guard.PeerText;
import io.replicator.protocol.guard.RefusalLog;
import io.replicator.protocol.wire.CutoverReport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiver's cutover records: which source ids are sealed ({@link Seal}) and the reports kept
 * ({@link ReportStore}). A session's apply thread {@link #record records} what its source sends;
 * event loops {@link #find} seals for every frame that would change a volume; admin routes list,
 * show and {@link #release}. Refusals of sealed sources are logged at a bounded rate, one line per
 * source per {@link #REFUSAL_LOG_INTERVAL_MS}. Thread-safe.
 */
public final class Cutovers {
    /** One line per sealed source per this long for its refused connections and frames. */
    public static final long REFUSAL_LOG_INTERVAL_MS = 60_000;
    private static final int REFUSAL_LOG_MAX_LINES = 20;
    private static final Logger log = LoggerFactory.getLogger(Cutovers.class);

    private final Seals seals;
    private final ReportStore reports;
    private final RefusalLog refusals = new RefusalLog(log, REFUSAL_LOG_INTERVAL_MS, REFUSAL_LOG_MAX_LINES);
    private final Clock clock;

    private Cutovers(Seals seals, ReportStore reports, Clock clock) {
        this.seals = seals;
        this.reports = reports;
        this.clock = clock;
    }

    /**
     * The records under {@code dataDir}, every seal file read.
     *
     * @throws IOException naming a seal file that cannot be read: the receiver must not start
     */
    public static Cutovers open(Path dataDir) throws IOException {
        Cutovers cutovers = new Cutovers(Seals.load(dataDir, ReportStore.DIR_NAME), new ReportStore(dataDir),
                Clock.systemUTC());
        for (Seal seal : cutovers.seals.all()) {
            log.info("source {} is sealed: cut over at {} (report {}); its connections are refused until released",
                    PeerText.escape(seal.sourceId()), seal.sealedUtc(), seal.reportId());
        }
        return cutovers;
    }

    /** Whether {@code sourceId} names the reports' directory, which no source may use. */
    public static boolean isReserved(String sourceId) {
        return ReportStore.DIR_NAME.equals(sourceId);
    }

    /** The seal of {@code sourceId}, if it is sealed. Lock-free. */
    public Optional<Seal> find(String sourceId) {
        return seals.find(sourceId);
    }

    /** Every seal in force, by source id. */
    public List<Seal> seals() {
        return seals.all();
    }

    public ReportStore reports() {
        return reports;
    }

    /**
     * Stores {@code report} from source {@code sourceId} (kept if its id is stored already) and, when
     * it asks for it, seals the source with {@code volumes}; returns whether the source is sealed now.
     * Returns once everything it wrote is durable.
     *
     * @throws io.replicator.protocol.wire.ProtocolException when the report's json is not a JSON object
     * @throws IOException naming the file that could not be written
     */
    public boolean record(String sourceId, CutoverReport report, List<Seal.Volume> volumes) throws IOException {
        ReportStore.parse(report.reportId(), report.json());
        boolean stored;
        try {
            stored = reports.store(report.reportId(), report.json(), report.markdown());
        } catch (IOException e) {
            throw new IOException("cannot store cutover report " + report.reportId() + " in " + reports.dir() + ": "
                    + e, e);
        }
        log.info("source {}: cutover report {} {} {}", PeerText.escape(sourceId), report.reportId(),
                stored ? "stored in" : "already stored, kept in", reports.dir());
        if (report.seal()) {
            Seal seal;
            try {
                seal = seals.seal(new Seal(sourceId, clock.instant().toString(), report.reportId(), volumes));
            } catch (IOException e) {
                throw new IOException("cannot write the seal file " + seals.file(sourceId) + ": " + e, e);
            }
            log.info("source {} sealed at {} by cutover report {} ({}): this receiver takes nothing more from it "
                    + "until 'replicator release' lifts the seal", PeerText.escape(sourceId), seal.sealedUtc(),
                    seal.reportId(), seals.file(sourceId));
        }
        return seals.find(sourceId).isPresent();
    }

    /**
     * Lifts the seal of {@code sourceId} durably and logs what it reopens; empty when it was not sealed.
     * {@code askedBy} names who asked, for the log.
     */
    public Optional<Seal> release(String sourceId, String askedBy) throws IOException {
        Optional<Seal> released = seals.release(sourceId);
        released.ifPresent(seal -> log.warn("seal of source {} released at the request of {} (it was cut over at {}, "
                + "report {}): its next changes will be written over {}", PeerText.escape(sourceId),
                PeerText.escape(askedBy), seal.sealedUtc(), seal.reportId(),
                seal.volumes().stream().map(v -> v.name() + " at " + v.path()).collect(Collectors.joining(", "))));
        return released;
    }

    /** Logs the refusal of sealed source {@code sourceId}: at most one line per source per interval. */
    public void refused(String sourceId, String line) {
        refusals.refused(sourceId, line);
    }
}
