package io.replicator.cli;

import org.junit.jupiter.api.Test;

/** A bad checkpoint flag on the command line: exit 2 and one line naming it, before anything starts or is asked. */
class CheckpointFlagsTest {
    @Test
    void shouldRefuseACheckpointIntervalWithoutAUnitOrTooShortNamingIt() {
        CliRun.assertOneLineExit2(CliRun.run("source", "--target", "127.0.0.1:1", "--volume", "/nonexistent",
                "--state-dir", "/tmp/none", "--insecure-plaintext", "--checkpoint-every", "5"), "needs a unit");
        CliRun.assertOneLineExit2(CliRun.run("source", "--target", "127.0.0.1:1", "--volume", "/nonexistent",
                "--state-dir", "/tmp/none", "--insecure-plaintext", "--checkpoint-every", "10ms"),
                "--checkpoint-every 10ms (expected: at least 1s)");
        CliRun.assertOneLineExit2(CliRun.run("source", "--target", "127.0.0.1:1", "--volume", "/nonexistent",
                "--state-dir", "/tmp/none", "--insecure-plaintext", "--checkpoint-every", "often"), "often");
    }

    @Test
    void shouldRefuseALabelOverItsBoundBeforeAskingTheDaemon() {
        CliRun.assertOneLineExit2(CliRun.run("checkpoint", "--admin", "127.0.0.1:1", "--label", "x".repeat(257)),
                "--label is 257 bytes (expected: at most 256)");
    }
}
