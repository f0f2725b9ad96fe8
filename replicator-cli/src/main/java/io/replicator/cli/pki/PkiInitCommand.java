package io.replicator.cli.pki;

import io.replicator.protocol.tls.CertificateAuthority;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./replicator pki init --dir DIR [--days N]}: a new CA; never overwrites one. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Makes a certificate authority (EC P-256) in DIR: ca.crt, ca.key (owner-only), crl.pem "
                + "(empty) and the serial counter. Refuses a DIR that already holds a CA."})
final class PkiInitCommand implements Callable<Integer> {
    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Directory of the CA (created if missing).")
    Path dir;

    @Option(names = "--days", paramLabel = "N", defaultValue = "" + CertificateAuthority.DEFAULT_CA_DAYS,
            description = "Validity of the CA certificate in days (default: ${DEFAULT-VALUE}).")
    int days;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CertificateAuthority ca = PkiCommand.orUsageError(() -> CertificateAuthority.init(dir, days));
        PrintWriter out = spec.commandLine().getOut();
        out.printf("pki: CA '%s' made in %s (ca.crt, ca.key owner-only, crl.pem), valid until %s%n",
                ca.certificate().getSubjectX500Principal().getName(), dir, ca.certificate().getNotAfter().toInstant());
        out.printf("pki: keep %s private; issue node bundles with: replicator pki issue --dir %s ...%n",
                dir.resolve(CertificateAuthority.CA_KEY), dir);
        out.flush();
        return 0;
    }
}
