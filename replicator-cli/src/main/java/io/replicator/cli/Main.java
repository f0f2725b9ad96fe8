package io.replicator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./replicator}: dispatches every subcommand of the command-line contract. Exit codes: 0
 * success, 1 the command ran and its answer is a failure (a cutover that did not verify, volumes
 * that differ), 2 a bad flag, a missing volume, an unreachable peer: one line says which.
 */
@Command(name = "replicator", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Block-level continuous replication: move a live server's disks with seconds of downtime.",
        subcommands = {DemoCommand.class, TargetCommand.class, SourceCommand.class, StatusCommand.class,
                SyncCommand.class, VerifyCommand.class, CutoverCommand.class, io.replicator.cli.pki.PkiCommand.class,
                ReleaseCommand.class, ReportsCommand.class, ThawCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code; the process is left running for daemons. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, argv) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println(cmd.getCommandName() + ": " + ex.getMessage() + " (see "
                    + cmd.getCommandSpec().qualifiedName() + " --help)");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof UsageException) {
                cmd.getErr().println(cmd.getCommandName() + ": " + ex.getMessage());
                return EXIT_USAGE;
            }
            cmd.getErr().println(cmd.getCommandName() + ": unexpected error: " + ex);
            ex.printStackTrace(cmd.getErr());
            return EXIT_FAILED;
        });
        return cl;
    }

    /** A command cannot run as asked: exit 2 with this one-line message. */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }

        public UsageException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"replicator " + (v == null ? "development build" : v) + ", protocol v"
                    + io.replicator.protocol.wire.ProtocolVersion.MAX_SUPPORTED};
        }
    }
}
