package io.replicator.source.cutover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The mount points of this machine, from {@code /proc/self/mountinfo}: a path handed to {@code
 * fsfreeze} must be one, since freezing any other directory freezes the file system that holds it
 * (for {@code /var/lib/app}, often {@code /}). Stateless and thread-safe.
 */
public final class MountPoints {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    /** The fifth field of a mountinfo line is the mount point, with space, tab, newline and backslash in octal. */
    private static final int MOUNT_POINT_FIELD = 4;

    private MountPoints() {
    }

    /** Refuses anything but an absolute path naming a mount point, with a message that names the path. */
    public static Path check(String path) throws IOException {
        Path p = Path.of(path);
        if (!p.isAbsolute() || !p.normalize().equals(p)) {
            throw new IllegalArgumentException("freeze path '" + path + "' is not an absolute, normalized path");
        }
        if (!all().contains(p.toString())) {
            throw new IllegalArgumentException("freeze path " + path + " is not a mount point (freezing it would "
                    + "freeze the whole file system that holds it; see findmnt)");
        }
        return p;
    }

    static Set<String> all() throws IOException {
        Set<String> mounts = new HashSet<>();
        List<String> lines = Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8);
        for (String line : lines) {
            String[] fields = line.split(" ");
            if (fields.length > MOUNT_POINT_FIELD) {
                mounts.add(unescape(fields[MOUNT_POINT_FIELD]));
            }
        }
        return mounts;
    }

    static String unescape(String field) {
        StringBuilder b = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                b.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
