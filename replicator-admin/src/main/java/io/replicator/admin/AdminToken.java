package io.replicator.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The secret that authenticates admin requests to an endpoint on loopback: 32 random bytes in hex,
 * written by the daemon when its endpoint starts ({@link AdminServer}) to {@code DIR/admin-PORT.token} (mode 0600, in a
 * directory of mode 0700 owned by the daemon's user) and sent by the admin commands as {@code
 * Authorization: Bearer TOKEN}. So any command run by the daemon's own user on the same machine
 * works with no flag, and no other user (nor a web page a browser shows) can drive the daemon. DIR
 * is {@code /run/replicator} for root, else {@code $XDG_RUNTIME_DIR/replicator}, else {@code
 * /tmp/replicator-USER}. Immutable and thread-safe.
 */
public final class AdminToken {
    public static final String HEADER_PREFIX = "Bearer ";
    private static final int TOKEN_BYTES = 32;
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final String value;

    private AdminToken(Path file, String value) {
        this.file = file;
        this.value = value;
    }

    /** The file of the token of the endpoint on {@code port} of this machine, for this user. */
    public static Path file(int port) {
        return directory().resolve("admin-" + port + ".token");
    }

    static Path directory() {
        if ("root".equals(System.getProperty("user.name"))) {
            return Path.of("/run/replicator");
        }
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isEmpty()) {
            return Path.of(runtime, "replicator");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "replicator-" + System.getProperty("user.name"));
    }

    /** Makes a new token for the endpoint on {@code port} and writes it, readable by this user only. */
    static AdminToken create(int port) throws IOException {
        byte[] random = new byte[TOKEN_BYTES];
        new SecureRandom().nextBytes(random);
        String value = HexFormat.of().formatHex(random);
        Path dir = directory();
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
        } catch (FileAlreadyExistsException e) {
            throw new IOException(dir + " exists and is not a directory", e);
        }
        checkPrivate(dir);
        Path file = file(port);
        Path tmp = dir.resolve(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(FILE_MODE));
        Files.writeString(tmp, value + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new AdminToken(file, value);
    }

    /** The token of the endpoint on {@code port}, or null when this user has none (not the daemon's user). */
    public static String read(int port) {
        Path file = file(port);
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Refuses a directory that is a link, or that another user owns or may enter. */
    private static void checkPrivate(Path dir) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            throw new IOException(dir + " is a symbolic link; the admin token needs a private directory");
        }
        String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
        if (!owner.equals(System.getProperty("user.name"))) {
            throw new IOException(dir + " belongs to " + owner + ", not to " + System.getProperty("user.name")
                    + "; the admin token needs a private directory");
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (!DIR_MODE.containsAll(mode)) {
            Files.setPosixFilePermissions(dir, DIR_MODE);
        }
    }

    Path file() {
        return file;
    }

    /** Whether {@code header} (an Authorization header's value, or null) carries this token; constant time. */
    boolean accepts(String header) {
        if (header == null || !header.startsWith(HEADER_PREFIX)) {
            return false;
        }
        return MessageDigest.isEqual(value.getBytes(StandardCharsets.US_ASCII),
                header.substring(HEADER_PREFIX.length()).trim().getBytes(StandardCharsets.US_ASCII));
    }

    /** Removes the file when the endpoint closes, if it is still this token's. */
    void delete() {
        try {
            if (value.equals(Files.readString(file, StandardCharsets.US_ASCII).trim())) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // gone already
        }
    }
}
