package io.replicator.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * The options both daemons share: {@code --config FILE} (read by {@link ConfigFile} before parsing),
 * and the log's format and level. The log goes to stderr (the journal, under systemd), one event a
 * line: text by default, JSON objects for log shippers with {@code --log-format json}.
 */
final class DaemonOptions {
    /** The name of the console appender in {@code logback.xml}. */
    private static final String APPENDER = "STDERR";

    @Option(names = ConfigFile.OPTION, paramLabel = "FILE",
            description = "Read options from FILE, one 'KEY = VALUE' a line: KEY is an option's long name without "
                    + "dashes, repeated for a repeatable option; '#' starts a comment. Options on the command line "
                    + "replace the file's (docs/operations.md).")
    Path config;

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
            description = "Log lines on stderr as text, or as one JSON object a line (default: ${DEFAULT-VALUE}).")
    String logFormat;

    @Option(names = "--log-level", paramLabel = "error|warn|info|debug", defaultValue = "info",
            description = "The least severe level logged (default: ${DEFAULT-VALUE}).")
    String logLevel;

    /** Sets the log's level and format as asked; call before the daemon starts. */
    void applyLogging() {
        Level level = switch (logLevel) {
            case "error" -> Level.ERROR;
            case "warn" -> Level.WARN;
            case "info" -> Level.INFO;
            case "debug" -> Level.DEBUG;
            default -> throw new Main.UsageException("invalid --log-level '" + logLevel
                    + "' (expected: error, warn, info, debug)");
        };
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            throw new Main.UsageException("invalid --log-format '" + logFormat + "' (expected: text, json)");
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J backend (a test's classpath): it keeps its own configuration
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        if (logFormat.equals("json")
                && root.getAppender(APPENDER) instanceof ConsoleAppender<ILoggingEvent> console) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.setWithFormattedMessage(true);
            json.start();
            console.stop();
            console.setEncoder(json);
            console.start();
        }
    }
}
