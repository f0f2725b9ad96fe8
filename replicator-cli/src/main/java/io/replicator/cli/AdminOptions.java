package io.replicator.cli;

import io.replicator.admin.AdminServer;
import io.replicator.protocol.tls.AdminClientTls;
import io.replicator.protocol.tls.PkiBundle;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --admin}, {@code --json} and {@code --pki} options every admin command shares. */
final class AdminOptions {
    static final String DEFAULT_SOURCE_ADMIN = "127.0.0.1:7701";

    @Option(names = "--admin", paramLabel = "HOST:PORT", defaultValue = DEFAULT_SOURCE_ADMIN,
            converter = Converters.Address.class,
            description = "The daemon's admin endpoint (default: ${DEFAULT-VALUE}).")
    InetSocketAddress admin;

    @Option(names = "--json", description = "Print one JSON object instead of a report.")
    boolean json;

    @Option(names = "--pki", paramLabel = "BUNDLE",
            description = "Certificate bundle from 'pki issue --role admin': talk HTTPS to an admin endpoint on a "
                    + "non-loopback address, which must present the certificate of the daemon dialed (of its CA, "
                    + "role source or target, naming the --admin host). Required off loopback: without it only "
                    + "plain HTTP to a loopback address is allowed.")
    Path pki;

    /** Refuses a daemon's {@code --admin} address that its endpoint could not serve (see {@link AdminServer#checkAddress}). */
    static void checkEndpoint(InetSocketAddress address, PkiBundle pki) {
        try {
            AdminServer.checkAddress(address, pki);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
    }

    /** POSTs {@code body} to {@code path} of {@code --admin}; a daemon that cannot be asked is a usage error (exit 2). */
    com.fasterxml.jackson.databind.JsonNode post(String path, Object body, long timeoutMs) {
        try {
            return client().post(path, body, timeoutMs);
        } catch (java.io.IOException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
    }

    /** A client of {@code --admin}: HTTPS checking the daemon's certificate with {@code --pki}, else plain HTTP on loopback. */
    AdminClient client() {
        return new AdminClient(admin, pki == null ? null : AdminClientTls.forClient(PkiBundles.load(pki)));
    }
}
