package io.replicator.cli.pki;

import io.replicator.cli.Main;
import io.replicator.protocol.tls.PkiException;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./replicator pki}: the certificate authority of a deployment and the bundles its nodes use
 * for mutual TLS. Runs on the caller's thread.
 */
@Command(name = "pki", mixinStandardHelpOptions = true,
        description = "Makes the deployment's certificate authority, issues node bundles, revokes certificates.",
        subcommands = {PkiInitCommand.class, PkiIssueCommand.class, PkiRevokeCommand.class})
public final class PkiCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (init, issue, revoke)");
    }

    /** Runs a PKI action, turning its refusal into the one-line usage error of the command line. */
    static <T> T orUsageError(Supplier<T> action) {
        try {
            return action.get();
        } catch (PkiException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
    }
}
