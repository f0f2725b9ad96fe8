package io.replicator.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A daemon's options read from a file ({@code --config FILE}), so that a service unit stays one
 * line. One option a line, {@code KEY = VALUE}, where KEY is the option's long name without its
 * dashes ({@code target = 10.0.0.5:7700}); a repeatable option is repeated ({@code volume = ...}
 * on several lines); a flag takes {@code true} or {@code false}; lines starting with {@code #} and
 * blank lines are skipped. An option given on the command line replaces the file's value(s) for it.
 * A key the command does not know, or a line that is not {@code KEY = VALUE}, is refused with the
 * file, the line number and the key. Stateless.
 *
 * <pre>
 * # /etc/replicator/source-web1.conf
 * target    = 10.0.0.5:7700
 * volume    = /dev/sda=root
 * volume    = /dev/sdb=data
 * state-dir = /var/lib/replicator/web1
 * </pre>
 */
final class ConfigFile {
    static final String OPTION = "--config";

    private ConfigFile() {
    }

    /** One {@code KEY = VALUE} of the file, with its line number for messages. */
    record Entry(int line, OptionSpec option, String value) {
    }

    /**
     * The command line with the options of the {@code --config} file of its subcommand put in front
     * of the subcommand's own arguments, less those the command line gives itself; {@code args}
     * unchanged when there is no such file.
     *
     * @throws Main.UsageException naming the file, line and key of a line that is not understood
     */
    static String[] expand(CommandLine root, String[] args) {
        if (args.length < 2 || !root.getSubcommands().containsKey(args[0])) {
            return args;
        }
        CommandLine command = root.getSubcommands().get(args[0]);
        if (command.getCommandSpec().findOption(OPTION) == null) {
            return args;
        }
        Path file = null;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals(OPTION) && i + 1 < args.length) {
                file = Path.of(args[i + 1]);
            } else if (args[i].startsWith(OPTION + "=")) {
                file = Path.of(args[i].substring(OPTION.length() + 1));
            }
        }
        if (file == null) {
            return args;
        }
        Set<OptionSpec> given = givenOptions(command, args);
        List<String> expanded = new ArrayList<>(List.of(args[0]));
        for (Entry e : read(command, file)) {
            if (given.contains(e.option())) {
                continue;
            }
            if (e.option().arity().max() == 0) {
                if (flag(file, e)) {
                    expanded.add(e.option().longestName());
                }
            } else {
                expanded.add(e.option().longestName() + "=" + e.value());
            }
        }
        expanded.addAll(List.of(args).subList(1, args.length));
        return expanded.toArray(String[]::new);
    }

    /** The entries of {@code file} for {@code command}; a line not understood is refused with its number. */
    static List<Entry> read(CommandLine command, Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Main.UsageException("cannot read " + OPTION + " " + file + ": " + e.getMessage(), e);
        }
        List<Entry> entries = new ArrayList<>();
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new Main.UsageException(file + " line " + n + ": expected KEY = VALUE, not '" + line + "'");
            }
            String key = line.substring(0, eq).strip();
            OptionSpec option = key.startsWith("-") || key.equals(OPTION.substring(2)) ? null
                    : command.getCommandSpec().findOption("--" + key);
            if (option == null || option.usageHelp() || option.versionHelp()) {
                throw new Main.UsageException(file + " line " + n + ": unknown key '" + key + "' (keys are the long "
                        + "option names of '" + command.getCommandName() + "' without dashes: " + keys(command) + ")");
            }
            entries.add(new Entry(n, option, line.substring(eq + 1).strip()));
        }
        return entries;
    }

    /** The keys a file for {@code command} may hold. */
    static Set<String> keys(CommandLine command) {
        Set<String> keys = new TreeSet<>();
        for (OptionSpec o : command.getCommandSpec().options()) {
            if (!o.usageHelp() && !o.versionHelp() && !o.longestName().equals(OPTION)) {
                keys.add(o.longestName().substring(2));
            }
        }
        return keys;
    }

    private static boolean flag(Path file, Entry e) {
        return switch (e.value().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new Main.UsageException(file + " line " + e.line() + ": " + e.option().longestName()
                    .substring(2) + " takes true or false, not '" + e.value() + "'");
        };
    }

    /** The options named on the command line itself ({@code --name VALUE} or {@code --name=VALUE}). */
    private static Set<OptionSpec> givenOptions(CommandLine command, String[] args) {
        Set<OptionSpec> given = new HashSet<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--")) {
                break;
            }
            int eq = args[i].indexOf('=');
            OptionSpec o = command.getCommandSpec().findOption(eq < 0 ? args[i] : args[i].substring(0, eq));
            if (o != null && args[i].startsWith("-")) {
                given.add(o);
            }
        }
        return given;
    }
}
