package io.replicator.cli.pki;

import io.replicator.protocol.tls.CertificateAuthority;
import io.replicator.protocol.tls.Pem;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./replicator pki revoke --dir DIR --serial N | --cert FILE}: adds a certificate to the CRL. */
@Command(name = "revoke", mixinStandardHelpOptions = true,
        description = {"Adds a certificate of the CA in DIR to its revocation list and rewrites DIR/crl.pem "
                + "(re-signed, with a new CRL number and nextUpdate). Revoking twice changes nothing."})
final class PkiRevokeCommand implements Callable<Integer> {
    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Directory of the CA.")
    Path dir;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    /** Exactly one of the two ways to name the certificate. */
    static final class Which {
        @Option(names = "--serial", paramLabel = "N", description = "Serial number of the certificate (decimal).")
        BigInteger serial;

        @Option(names = "--cert", paramLabel = "FILE", description = "The certificate itself (PEM), e.g. a bundle's node.crt.")
        Path cert;
    }

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CertificateAuthority.Revocation r = PkiCommand.orUsageError(() -> {
            CertificateAuthority ca = CertificateAuthority.open(dir);
            return which.cert != null ? ca.revoke(Pem.readCertificate(which.cert)) : ca.revoke(which.serial);
        });
        PrintWriter out = spec.commandLine().getOut();
        Path crl = dir.resolve(CertificateAuthority.CRL);
        if (r.newly()) {
            out.printf("pki: serial %s revoked; %s rewritten%n", r.serial(), crl);
        } else {
            out.printf("pki: serial %s was already revoked on %s; %s unchanged%n", r.serial(), r.revokedAt(), crl);
        }
        out.printf("pki: copy %s to crl.pem in the bundle of every target (and source) so they refuse it%n", crl);
        out.flush();
        return 0;
    }
}
