package io.replicator.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
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
                SyncCommand.class, VerifyCommand.class, CutoverCommand.class, ThrottleCommand.class,
                PauseCommand.class, PauseCommand.Resume.class, io.replicator.cli.pki.PkiCommand.class,
                ReleaseCommand.class, ReportsCommand.class, ThawCommand.class,
                CheckpointCommand.class, CheckpointsCommand.class, LaunchCommand.class})
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
        CommandLine cl = new ConfigFileCommandLine(new Main());
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

    /** Executes a command line with the options of its {@code --config} file put in ({@link ConfigFile#expand}). */
    private static final class ConfigFileCommandLine extends CommandLine {
        ConfigFileCommandLine(Object command) {
            super(command);
        }

        @Override
        public int execute(String... args) {
            String[] expanded;
            try {
                expanded = ConfigFile.expand(this, args);
            } catch (UsageException e) {
                getErr().println(args[0] + ": " + e.getMessage());
                return EXIT_USAGE;
            }
            return super.execute(expanded);
        }
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

    /** {@code --version}: the version and the git commit this build was made from ({@code build.properties}). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties build = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("build.properties")) {
                if (in != null) {
                    build.load(in);
                }
            }
            String commit = build.getProperty("commit", "unknown");
            return new String[] {"replicator " + build.getProperty("version", "of an unknown version") + " ("
                    + ("unknown".equals(commit) ? "unknown commit" : "commit " + commit) + "), protocol v"
                    + io.replicator.protocol.wire.ProtocolVersion.MAX_SUPPORTED};
        }
    }
}
