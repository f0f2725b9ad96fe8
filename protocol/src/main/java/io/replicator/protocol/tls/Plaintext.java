package io.replicator.protocol.tls;

import io.replicator.protocol.text.HostPort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The one rule for running without TLS: a daemon needs a PKI bundle, unless it is told explicitly to
 * speak plain TCP ("insecure plaintext") and the address it uses is loopback (127.0.0.0/8 or ::1), so
 * that no byte of a volume crosses a network unencrypted. The source and the target configurations
 * both check it when they are built. Stateless and thread-safe.
 */
public final class Plaintext {
    /** How the command line asks for plain TCP; named in every refusal. */
    public static final String FLAG = "--insecure-plaintext";

    private Plaintext() {
    }

    /**
     * Refuses a transport choice that is not allowed.
     *
     * @param pki               the node's bundle, or null
     * @param insecurePlaintext whether plain TCP was asked for explicitly
     * @param address           the address plain TCP would use (the target's listen address, the address a
     *                          source dials)
     * @param what              what the address is, for the message ("listen address", "target address")
     * @throws IllegalArgumentException naming the address and what to do instead
     */
    public static void check(PkiBundle pki, boolean insecurePlaintext, InetSocketAddress address, String what) {
        if (pki != null && insecurePlaintext) {
            throw new IllegalArgumentException("a PKI bundle and " + FLAG + " exclude each other: choose one");
        }
        if (pki == null && !insecurePlaintext) {
            throw new IllegalArgumentException("no PKI bundle: pass --pki BUNDLE (made with './replicator pki issue') "
                    + "for mutual TLS, or " + FLAG + " for plain TCP on loopback");
        }
        if (insecurePlaintext && !isLoopback(address)) {
            throw new IllegalArgumentException(FLAG + " refused: the " + what + " " + describe(address)
                    + " is not loopback (127.0.0.0/8 or ::1); pass --pki BUNDLE for mutual TLS");
        }
    }

    /**
     * Whether every address the host resolves to is loopback. The wildcard (0.0.0.0, ::) is not: it
     * accepts connections from every interface. A host that does not resolve is not loopback.
     */
    public static boolean isLoopback(InetSocketAddress address) {
        if (address.getAddress() != null) {
            return address.getAddress().isLoopbackAddress();
        }
        try {
            InetAddress[] all = InetAddress.getAllByName(address.getHostString());
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** {@code HOST:PORT} as given, with the resolved address when it differs. */
    public static String describe(InetSocketAddress address) {
        String text = HostPort.asGiven(address);
        InetAddress resolved = address.getAddress();
        return resolved == null || resolved.getHostAddress().equals(address.getHostString()) ? text
                : text + " (" + resolved.getHostAddress() + ")";
    }
}
