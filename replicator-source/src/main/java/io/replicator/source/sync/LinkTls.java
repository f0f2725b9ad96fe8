package io.replicator.source.sync;

import io.netty.handler.ssl.SslContext;
import io.replicator.protocol.tls.CrlReloader;
import java.util.Objects;

/**
 * The TLS of the link to the target: the client context (whose trust manager asks {@code crl} on
 * every handshake) and the revocation list it follows, so that a target revoked while connected is
 * cut off ({@link TargetLink}). Immutable; both parts are thread-safe.
 */
public record LinkTls(SslContext context, CrlReloader crl) {
    public LinkTls {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(crl, "crl");
    }
}
