package io.replicator.source.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The page of a {@link WaveReport} for people: Markdown that reads as plain text too, saying in
 * words what was moved, when, by whom and with what proof, and what each figure means, so that an
 * auditor needs neither the tool nor its documentation. Times are UTC to the millisecond; sizes
 * exact in bytes with MiB beside them. Text that came from elsewhere (reasons, names) is written
 * with the characters that Markdown or a terminal would act on escaped.
 */
public final class ReportMarkdown {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS 'UTC'")
            .withZone(ZoneOffset.UTC);

    private ReportMarkdown() {
    }

    /** The page of {@code report}. */
    public static String write(WaveReport report) {
        StringBuilder md = new StringBuilder();
        md.append("# Cutover report ").append(report.waveId()).append("\n\n");
        md.append(summary(report)).append("\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "Report id (wave id)", report.waveId());
        row(md, "Asked by", text(report.askedBy()));
        row(md, "Result", report.result().toString());
        if (!report.ok()) {
            row(md, "Failed server", report.failedServer() == null ? "none named" : text(report.failedServer()));
            row(md, "Reason", report.reason() == null ? "none given" : text(report.reason()));
        }
        row(md, "Servers", Integer.toString(report.servers().size()));
        row(md, "Afterwards", after(report.after()));
        Long downtimeMs = report.waveDowntimeMs();
        row(md, "Wave downtime", downtimeMs == null ? "none counted (the wave did not verify every server)"
                : downtimeMs + " ms, from the first server frozen to the last server verified");
        md.append("\n## Phases\n\n| phase | time |\n|---|---|\n");
        WaveReport.Phases p = report.phases();
        row(md, "Asked", time(p.startedUtc()));
        row(md, "Caught up: every server's changes durable on its receiver", time(p.caughtUpUtc()));
        row(md, "First server frozen", time(p.firstFreezeUtc()));
        row(md, "Last server verified", time(p.lastVerifiedUtc()));
        row(md, "Fenced: every receiver sealed the copies", time(p.fencedUtc()));
        row(md, "Finished", time(p.finishedUtc()));
        md.append("\n## Servers\n\n");
        md.append("| server | admin endpoint | result | freeze time | final sync | fenced | file systems now |\n");
        md.append("|---|---|---|---:|---:|---|---|\n");
        for (ServerReport s : report.servers()) {
            md.append("| ").append(text(s.displayName())).append(" | ").append(text(s.admin())).append(" | ")
                    .append(s.result()).append(" | ").append(s.freezeMs() == null ? "not frozen" : s.freezeMs() + " ms")
                    .append(" | ").append(bytes(s.finalSyncBytes())).append(" | ").append(s.fenced() ? "yes" : "no")
                    .append(" | ").append(s.fileSystems() == null ? "unknown" : text(s.fileSystems())).append(" |\n");
        }
        for (ServerReport s : report.servers()) {
            server(md, s);
        }
        md.append(GLOSSARY);
        return md.toString();
    }

    private static String summary(WaveReport r) {
        int n = r.servers().size();
        if (r.ok()) {
            return "**Result: ok.** " + (n == 1 ? "1 server cut over" : n + " servers cut over together")
                    + ": every volume of every server was proven equal on its receiver (SHA-256 of every block on "
                    + "both sides) and the receiver sealed the copies, so that the old servers can no longer change "
                    + "them.";
        }
        String culprit = r.failedServer() == null ? "the wave" : "server " + text(r.failedServer());
        String reason = r.reason() == null ? "no reason given" : text(r.reason());
        return "**Result: FAILED.** " + (n == 1 ? "1 server" : n + " servers") + " asked; " + culprit + " failed: "
                + reason + ". No copy was sealed by this cutover; every server that was frozen was told to thaw (see "
                + "each server's file systems below) and goes on replicating.";
    }

    private static void server(StringBuilder md, ServerReport s) {
        md.append("\n### ").append(text(s.displayName())).append("\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "Source id", s.source() == null ? "not known (the daemon did not answer)" : text(s.source()));
        row(md, "Admin endpoint", text(s.admin()));
        row(md, "Result", s.result().toString());
        if (s.reason() != null) {
            row(md, "Reason", text(s.reason()) + (s.phase() == null ? "" : " (in phase " + text(s.phase()) + ")"));
        }
        row(md, "Frozen at", time(s.freezeStartedUtc()));
        row(md, "Verified at", time(s.verifiedUtc()));
        row(md, "Thawed at", time(s.thawedUtc()));
        row(md, "Freeze time", s.freezeMs() == null ? "not frozen" : s.freezeMs() + " ms");
        row(md, "Final sync", bytes(s.finalSyncBytes()));
        if (s.verification() != null) {
            row(md, "Verification while frozen", verification(s.verification()));
        }
        row(md, "Fenced", s.fenced() ? "yes: its receiver refuses any further write from it" : "no");
        if (s.volumes().isEmpty()) {
            md.append("\nNo volume was reported.\n");
            return;
        }
        md.append("\n| volume | size | final sync | result | SHA-256 on the source | SHA-256 on the target |\n");
        md.append("|---|---:|---:|---|---|---|\n");
        for (VolumeReport v : s.volumes()) {
            md.append("| ").append(text(v.name())).append(" | ").append(bytes(v.sizeBytes())).append(" | ")
                    .append(bytes(v.finalSyncBytes())).append(" | ").append(v.result()).append(" | ")
                    .append(checksum(v.checksumSource())).append(" | ").append(checksum(v.checksumTarget()))
                    .append(" |\n");
        }
    }

    private static String verification(String how) {
        return how.equals("incremental") ? "incremental: every block was compared (SHA-256, both sides) before the "
                + "freeze; while frozen only the blocks written since were compared again" : text(how)
                + ": every block compared (SHA-256, both sides) while frozen";
    }

    private static final String GLOSSARY = """

            ## How to read this report

            - **Caught up**: before anything was frozen, each server's changes up to then were durable on its
              receiver, so that the frozen part (the final sync) is short.
            - **Freeze time**: how long a server's file systems were frozen (writes to them waited, none was
              lost): from the freeze to the thaw, or to the end of the cutover for servers kept frozen
              afterwards. Without file systems to freeze, from the start of the final drain.
            - **Wave downtime**: from the first server frozen to the last server verified.
            - **Final sync**: the data sent while frozen, the last changes before the copy was proven.
            - **SHA-256**: computed over every block of the volume, on the source while frozen and on the
              receiver's copy after the last change arrived. Equal values prove the copy holds the same bytes.
              With an *incremental* verification each block's SHA-256 was compared on both sides before the
              freeze, and while frozen again for every block written since (the source's kernel tracker sees
              each write); the volume's SHA-256 is made of those block hashes, the same value a comparison of
              every block while frozen gives. A *full* verification compares every block while frozen.
            - **Fenced**: the receiver sealed the copy: it refuses any further block from the old server until an
              administrator lifts the seal on purpose (`replicator release`). A cutover seals only when every
              volume of every server in it was verified; if any server fails, none is sealed and all are thawed.
            - **Afterwards**: what was asked for the old servers after a verified cutover. `thaw`: they take writes
              again at once (those writes are not on the copy); `keep-frozen`: they stay frozen until an
              administrator thaws them, so that no write is left behind when clients move to the copy.
            """;

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }

    private static String after(AfterCutover after) {
        return switch (after) {
            case THAW -> "thaw: after a verified cutover the old servers' file systems are thawed at once";
            case KEEP_FROZEN -> "keep-frozen: after a verified cutover the old servers' file systems stay frozen until "
                    + "an administrator thaws them (a failed cutover thaws them at once)";
        };
    }

    private static String time(Instant t) {
        return t == null ? "not reached" : UTC.format(t);
    }

    private static String bytes(long b) {
        return String.format(Locale.ROOT, "%,d bytes (%.1f MiB)", b, b / 1048576.0);
    }

    private static String checksum(String hex) {
        if (hex == null) {
            return "not computed";
        }
        return hex.matches("[0-9a-fA-F]{1,128}") ? "`" + hex + "`" : text(hex);
    }

    /** {@code s} with control characters dropped and the characters Markdown acts on in a table escaped. */
    static String text(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(' ');
            } else {
                if ("\\`*[]<>|#".indexOf(c) >= 0) {
                    out.append('\\');
                }
                out.append(c);
            }
        }
        return out.toString();
    }
}
