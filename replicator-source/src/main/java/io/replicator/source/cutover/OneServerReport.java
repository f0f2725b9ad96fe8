package io.replicator.source.cutover;

import io.replicator.source.CutoverReportRequest;
import io.replicator.source.CutoverResult;
import io.replicator.source.Outcome;
import io.replicator.source.report.AfterCutover;
import io.replicator.source.report.ReportJson;
import io.replicator.source.report.ReportMarkdown;
import io.replicator.source.report.ServerReport;
import io.replicator.source.report.ServerResult;
import io.replicator.source.report.VolumeReport;
import io.replicator.source.report.VolumeResult;
import io.replicator.source.report.WaveIds;
import io.replicator.source.report.WaveReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The report of a one-server cutover ({@code POST /cutover}), kept by the receiver with the seal: a
 * {@link WaveReport} of one server, as JSON and Markdown. Immutable; thread-safe.
 */
public final class OneServerReport {
    /** The admin endpoint a one-server cutover names: it was asked of this daemon itself. */
    static final String ADMIN = "this source's admin endpoint";

    private final String source;
    private final String askedBy;
    private final String waveId;
    private final Instant startedUtc;

    /** A report of {@code source}'s cutover asked by {@code askedBy}, starting now. */
    public OneServerReport(String source, String askedBy) {
        this.source = source;
        this.askedBy = askedBy;
        this.startedUtc = Instant.now();
        this.waveId = WaveIds.next(startedUtc, ThreadLocalRandom.current());
    }

    public String waveId() {
        return waveId;
    }

    /** The report of the verified cutover {@code r}, to seal with; the file systems are thawed after the seal. */
    public CutoverReportRequest of(CutoverResult r) {
        Instant now = Instant.now();
        Instant frozenAt = now.minusMillis(r.downtimeMs());
        List<VolumeReport> volumes = new ArrayList<>();
        for (CutoverResult.Volume v : r.volumes()) {
            volumes.add(new VolumeReport(v.name(), v.sizeBytes(), r.volumes().size() == 1 ? r.finalSyncBytes() : 0,
                    v.checksumSource(), v.checksumTarget(), VolumeResult.VERIFIED));
        }
        ServerReport server = new ServerReport(source, ADMIN, ServerResult.OK, null, null, frozenAt, now, null,
                r.downtimeMs(), true, r.fileSystems() == CutoverResult.FileSystems.NONE ? "none" : "thawed",
                r.finalSyncBytes(), volumes, r.verification());
        WaveReport report = new WaveReport(waveId, askedBy, AfterCutover.THAW, Outcome.OK, null, null,
                new WaveReport.Phases(startedUtc, startedUtc, frozenAt, now, now, now), List.of(server));
        return new CutoverReportRequest(waveId, waveId, ReportJson.write(report), ReportMarkdown.write(report), false,
                0);
    }
}
