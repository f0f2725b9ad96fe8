package io.replicator.cli;

import io.replicator.protocol.tls.AdminClientTls;
import io.replicator.protocol.tls.Plaintext;
import io.replicator.source.report.AfterCutover;
import io.replicator.source.report.ReportJson;
import io.replicator.source.report.ReportMarkdown;
import io.replicator.source.report.WaveReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./replicator cutover}: the final sync with proof, of one server or a wave of them cut
 * over together ({@link WaveCutover}). Exit 0 only when every volume of every server is verified
 * equal and sealed on its receiver; 1 when the wave ran and failed; 2 when a server could not be
 * reached or was lost.
 */
@Command(name = "cutover", mixinStandardHelpOptions = true,
        description = {"Final sync of one server or a wave of servers together: catch up; freeze, drain, barrier, "
                + "verify every block on both sides; when every server is verified, seal the copies on their "
                + "receivers; report the downtime. Any failure thaws every server and seals none."})
final class CutoverCommand implements Callable<Integer> {
    @Option(names = "--admin", paramLabel = "HOST:PORT", converter = Converters.Address.class,
            description = "A source daemon's admin endpoint; repeat it to cut over several servers together "
                    + "(default: " + AdminOptions.DEFAULT_SOURCE_ADMIN + ").")
    List<InetSocketAddress> admins = new ArrayList<>();

    @Option(names = "--wave", paramLabel = "FILE",
            description = "The servers of the wave, one a line: ADMIN_ADDRESS [MOUNT_POINT ...] (# comments).")
    Path wave;

    @Option(names = "--freeze", paramLabel = "MOUNTPOINT",
            description = "Freeze this file system (fsfreeze) for the final sync, on every server whose wave line "
                    + "names none. Repeatable. Without it a daemon freezes its own --freeze defaults.")
    List<Path> freeze = new ArrayList<>();

    @Option(names = "--after", paramLabel = "thaw|keep-frozen", defaultValue = "thaw", converter = AfterConverter.class,
            description = "After a verified cutover: thaw the old servers (default) or keep them frozen until "
                    + "'replicator thaw' or --max-frozen. A failed cutover always thaws.")
    AfterCutover after;

    @Option(names = "--max-frozen", paramLabel = "DURATION", converter = Converters.DurationMs.class,
            description = "With --after keep-frozen: thaw after this long at the latest (default: the daemon's, 15m).")
    Long maxFrozenMs;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Write the wave's report here (JSON) and beside it as Markdown (FILE with .md).")
    Path report;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m", converter = Converters.DurationMs.class,
            description = "Fail (and thaw) when a phase takes longer: the catch-up, or the freeze to the last "
                    + "verification (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--full-verify",
            description = "Hash every block on both sides while frozen. By default each block is compared before the "
                    + "freeze and, while frozen, only the blocks the kernel tracker saw written since (incremental; "
                    + "the report says which was used).")
    boolean fullVerify;

    @Option(names = "--json", description = "Print one JSON object (the report, with the cutover's fields) instead.")
    boolean json;

    @Option(names = "--pki", paramLabel = "BUNDLE",
            description = "Admin bundle from 'pki issue --role admin': HTTPS to endpoints off loopback (see status --help).")
    Path pki;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static final class AfterConverter implements ITypeConverter<AfterCutover> {
        @Override
        public AfterCutover convert(String value) {
            return AfterCutover.parse(value);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        if (timeoutMs <= 0) {
            throw new Main.UsageException("invalid --timeout " + timeoutMs + " ms (expected: > 0)");
        }
        if (maxFrozenMs != null && after != AfterCutover.KEEP_FROZEN) {
            throw new Main.UsageException("--max-frozen goes with --after keep-frozen");
        }
        List<WaveMember> members = members();
        SSLContext tls = pki == null ? null : AdminClientTls.forClient(PkiBundles.load(pki));
        String askedByHere = pki == null ? "loopback" : PkiBundles.load(pki).identity().id();
        WaveCutover cutover = new WaveCutover(members, m -> new AdminClient(m.admin(), tls),
                new WaveCutover.Settings(after, maxFrozenMs, timeoutMs, askedByHere, WaveCutover.ANSWER_GRACE_MS,
                        fullVerify),
                Clock.tick(Clock.systemUTC(), Duration.ofMillis(1)),
                new SecureRandom());
        WaveCutover.Result r;
        try {
            r = cutover.run();
        } catch (WaveCutover.NotStarted e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
        List<String> files = write(r.report());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(CutoverPrinter.json(r).toString());
        } else {
            CutoverPrinter.print(out, r, files);
        }
        out.flush();
        if (r.failure() != null && r.failure().lost()) {
            WaveServer lost = r.failure().server();
            throw new Main.UsageException(lost.name() + ": " + r.failure().reason() + "; its file systems may be "
                    + "frozen until its source's freeze guard thaws them, at the latest " + timeoutMs + " ms after "
                    + "its cutover started" + (lost.member.freeze().isEmpty() ? "" : "; if one still is after that, "
                    + "run on that server: " + CutoverPrinter.thawCommand(lost.member.freeze())));
        }
        return r.report().ok() ? 0 : Main.EXIT_FAILED;
    }

    /** The wave's servers: from --wave, or each --admin (the default endpoint when neither is given). */
    private List<WaveMember> members() {
        if (wave != null && !admins.isEmpty()) {
            throw new Main.UsageException("--wave and --admin do not go together: list every server in the wave file");
        }
        List<String> mounts = new ArrayList<>();
        for (Path p : freeze) {
            mounts.add(p.toAbsolutePath().normalize().toString());
        }
        List<WaveMember> members = new ArrayList<>();
        if (wave != null) {
            for (WaveMember m : WaveFile.read(wave)) {
                members.add(m.freeze().isEmpty() ? new WaveMember(m.admin(), mounts) : m);
            }
        } else {
            if (admins.isEmpty()) {
                admins.add(new Converters.Address().convert(AdminOptions.DEFAULT_SOURCE_ADMIN));
            }
            if (admins.size() > WaveFile.MAX_SERVERS) {
                throw new Main.UsageException("more than " + WaveFile.MAX_SERVERS + " --admin: cut over at most "
                        + WaveFile.MAX_SERVERS + " servers in one wave");
            }
            for (InetSocketAddress a : admins) {
                if (members.stream().anyMatch(m -> m.admin().equals(a))) {
                    throw new Main.UsageException("--admin " + a + " is given twice");
                }
                members.add(new WaveMember(a, mounts));
            }
        }
        for (WaveMember m : members) {
            checkLocalMounts(m);
        }
        return members;
    }

    /** On a daemon of this machine (a loopback endpoint), a mount point to freeze must be a directory here. */
    private static void checkLocalMounts(WaveMember m) {
        if (!Plaintext.isLoopback(m.admin())) {
            return;
        }
        for (String mount : m.freeze()) {
            if (!Files.isDirectory(Path.of(mount))) {
                throw new Main.UsageException("--freeze " + mount + ": not a directory (expected a mount point)");
            }
        }
    }

    /** Writes the report to --report FILE (JSON) and FILE.md (Markdown); answers the files written. */
    private List<String> write(WaveReport r) {
        if (report == null) {
            return List.of();
        }
        String name = report.getFileName().toString();
        Path markdown = report.resolveSibling((name.endsWith(".json") ? name.substring(0, name.length() - 5) : name)
                + ".md");
        try {
            ReportFiles.write(report, ReportJson.write(r));
            ReportFiles.write(markdown, ReportMarkdown.write(r));
        } catch (IOException e) {
            spec.commandLine().getErr().println("cutover: cannot write the report to " + report + " (" + e.getMessage()
                    + "); every receiver keeps it as " + r.waveId());
            return List.of();
        }
        return List.of(report.toString(), markdown.toString());
    }
}
