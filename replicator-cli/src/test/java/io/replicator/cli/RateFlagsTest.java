package io.replicator.cli;

import org.junit.jupiter.api.Test;

/** A bad rate on the command line: exit 2 and one line naming it, before anything starts. */
class RateFlagsTest {
    @Test
    void shouldRefuseABadMaxRateOrThrottleNamingIt() {
        CliRun.assertOneLineExit2(CliRun.run("source", "--target", "127.0.0.1:1", "--volume", "/nonexistent",
                "--state-dir", "/tmp/none", "--insecure-plaintext", "--max-rate", "fast@08:00-09:00"), "fast");
        CliRun.assertOneLineExit2(CliRun.run("source", "--target", "127.0.0.1:1", "--volume", "/nonexistent",
                "--state-dir", "/tmp/none", "--insecure-plaintext", "--max-rate", "10MB/s@08:00-25:00"), "25:00");
        CliRun.assertOneLineExit2(CliRun.run("source", "--target", "127.0.0.1:1", "--volume", "/nonexistent",
                "--state-dir", "/tmp/none", "--insecure-plaintext", "--max-rate", "1MB/s", "--max-rate", "2MB/s"),
                "already given");
        CliRun.assertOneLineExit2(CliRun.run("target", "--listen", "127.0.0.1:0", "--data-dir", "/tmp/none",
                "--insecure-plaintext", "--max-rate", "lots"), "lots");
        CliRun.assertOneLineExit2(CliRun.run("throttle", "--admin", "127.0.0.1:1", "10 parsecs"), "10 parsecs");
    }
}
