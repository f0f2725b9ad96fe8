package io.replicator.protocol.text;

import java.net.InetSocketAddress;

/**
 * {@code HOST:PORT}, the one way addresses are read from a flag and written into logs, errors and
 * URLs; an IPv6 host is written in brackets ({@code [::1]:7000}). Stateless and thread-safe.
 */
public final class HostPort {
    private HostPort() {
    }

    /** Parses {@code HOST:PORT} (and {@code [v6]:PORT}) into a resolved socket address. */
    public static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("invalid address '" + text + "' (expected HOST:PORT)");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid port in '" + text + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("invalid port " + port + " in '" + text + "' (expected: 0-65535)");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve host '" + host + "'");
        }
        return address;
    }

    /** The numeric address it resolved to (the host as given when unresolved) and the port. */
    public static String format(InetSocketAddress address) {
        return join(address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString(),
                address.getPort());
    }

    /** The host as it was given (a name stays a name) and the port: what an admin typed, for logs and URLs. */
    public static String asGiven(InetSocketAddress address) {
        return join(address.getHostString(), address.getPort());
    }

    private static String join(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
