package io.replicator.cli;

import org.junit.jupiter.api.Test;

/** A bad --max-cpu or --max-pacing-lag: exit 2 and one line naming it, before anything starts. */
class PacingFlagsTest {
    private static CliRun source(String... extra) {
        String[] base = {"source", "--target", "127.0.0.1:1", "--volume", "/nonexistent", "--state-dir", "/tmp/none",
            "--insecure-plaintext"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRun.run(args);
    }

    @Test
    void shouldRefuseAMaxCpuOutsideOneToAHundredOrNotANumberNamingIt() {
        CliRun.assertOneLineExit2(source("--max-cpu", "0"), "invalid --max-cpu '0'");
        CliRun.assertOneLineExit2(source("--max-cpu", "150"), "invalid --max-cpu '150'");
        CliRun.assertOneLineExit2(source("--max-cpu", "abc"), "invalid --max-cpu 'abc'");
        CliRun.assertOneLineExit2(source("--max-cpu", "-5"), "from 1 to 100");
    }

    @Test
    void shouldRefuseAMaxPacingLagWithoutAUnitOrOfZero() {
        CliRun.assertOneLineExit2(source("--max-cpu", "25", "--max-pacing-lag", "5"), "5");
        CliRun.assertOneLineExit2(source("--max-cpu", "25", "--max-pacing-lag", "0s"), "--max-pacing-lag");
    }
}
