package io.replicator.cli;

import io.replicator.protocol.text.HostPort;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * One server of a cutover wave: its source daemon's admin endpoint and the mount points to freeze
 * there (empty: the daemon's own {@code --freeze} defaults, or none).
 */
record WaveMember(InetSocketAddress admin, List<String> freeze) {
    WaveMember {
        freeze = List.copyOf(freeze);
    }

    /** The endpoint as the admin wrote it, for messages and the report. */
    String name() {
        return HostPort.asGiven(admin);
    }
}
