package io.replicator.protocol.tls;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a certificate allows its holder to be, carried in the subject's OU (organizational unit)
 * attribute: OU is readable in every tool that prints a certificate ({@code openssl x509 -subject}),
 * needs no private extension OID, and is signed by the CA like the rest of the subject.
 */
public enum Role {
    /** A source daemon: connects to targets (TLS client). */
    SOURCE("source"),
    /** A target receiver: accepts sources (TLS server). */
    TARGET("target"),
    /** An admin tool: talks to admin endpoints (TLS client). */
    ADMIN("admin");

    private final String label;

    Role(String label) {
        this.label = label;
    }

    /** The OU value and command-line spelling: {@code source}, {@code target} or {@code admin}. */
    public String label() {
        return label;
    }

    /** Parses a label; the error lists the accepted ones. */
    public static Role parse(String label) {
        for (Role r : values()) {
            if (r.label.equals(label == null ? null : label.toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new PkiException("invalid role '" + Certificates.printable(label) + "' (expected: "
                + Arrays.stream(values()).map(Role::label).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return label;
    }
}
