package io.replicator.cli;

import java.net.InetSocketAddress;
import picocli.CommandLine.Option;

/** The {@code --admin} and {@code --json} options every admin command shares. */
final class AdminOptions {
    static final String DEFAULT_SOURCE_ADMIN = "127.0.0.1:7701";

    @Option(names = "--admin", paramLabel = "HOST:PORT", defaultValue = DEFAULT_SOURCE_ADMIN,
            converter = Converters.Address.class,
            description = "The daemon's admin endpoint (default: ${DEFAULT-VALUE}).")
    InetSocketAddress admin;

    @Option(names = "--json", description = "Print one JSON object instead of a report.")
    boolean json;

    AdminClient client() {
        return new AdminClient(admin);
    }
}
