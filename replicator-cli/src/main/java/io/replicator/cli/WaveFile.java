package io.replicator.cli;

import io.replicator.protocol.text.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A wave file: the servers of one cutover wave, plain text, one server a line, {@code
 * ADMIN_ADDRESS [MOUNT_POINT ...]}, words separated by blanks; {@code #} starts a comment, blank
 * lines are skipped. Mount points are absolute paths on that server. Errors name the file, the line
 * and what was wrong. Stateless.
 *
 * <pre>
 * # wave 3: the shop
 * 10.0.0.11:7701  /  /var/lib/shop
 * 10.0.0.12:7701  /srv/pg
 * 10.0.0.13:7701            # its daemon's own --freeze
 * </pre>
 */
final class WaveFile {
    /** The most servers one wave may hold: its report, handed to every server, stays well within what a receiver keeps. */
    static final int MAX_SERVERS = 100;

    private WaveFile() {
    }

    /**
     * The servers {@code file} lists, in its order.
     *
     * @throws Main.UsageException naming the file and line of the first thing wrong, or saying it cannot be read
     */
    static List<WaveMember> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new Main.UsageException("--wave " + file + ": cannot read it (" + e.getMessage() + ")", e);
        }
        return parse(file.toString(), lines);
    }

    static List<WaveMember> parse(String name, List<String> lines) {
        List<WaveMember> members = new ArrayList<>();
        Set<InetSocketAddress> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String[] words = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (words[0].isEmpty()) {
                continue;
            }
            String where = "--wave " + name + " line " + (i + 1) + ": ";
            InetSocketAddress admin;
            try {
                admin = HostPort.parse(words[0]);
            } catch (IllegalArgumentException e) {
                throw new Main.UsageException(where + e.getMessage() + " (a line is ADMIN_ADDRESS [MOUNT_POINT ...])", e);
            }
            if (!seen.add(admin)) {
                throw new Main.UsageException(where + words[0] + " is listed twice");
            }
            List<String> freeze = new ArrayList<>();
            for (int w = 1; w < words.length; w++) {
                if (!words[w].startsWith("/")) {
                    throw new Main.UsageException(where + "'" + words[w] + "' is not an absolute path (expected mount "
                            + "points after the admin address)");
                }
                freeze.add(words[w]);
            }
            members.add(new WaveMember(admin, freeze));
            if (members.size() > MAX_SERVERS) {
                throw new Main.UsageException(where + "more than " + MAX_SERVERS + " servers in one wave");
            }
        }
        if (members.isEmpty()) {
            throw new Main.UsageException("--wave " + name + ": lists no server (expected lines ADMIN_ADDRESS "
                    + "[MOUNT_POINT ...])");
        }
        return members;
    }
}
