package io.replicator.cli.pki;

import io.replicator.cli.Main;
import io.replicator.protocol.tls.AdminClientTls;
import io.replicator.protocol.tls.CertificateAuthority;
import io.replicator.protocol.tls.PkiException;
import io.replicator.protocol.tls.Role;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./replicator pki issue --dir DIR --role ROLE --name ID --out BUNDLE [--san NAME]... [--days N]}:
 * a key and a certificate signed by the CA, written as a bundle.
 */
@Command(name = "issue", mixinStandardHelpOptions = true,
        description = {"Issues a key and certificate (CN=ID, OU=ROLE) signed by the CA in DIR and writes the "
                + "bundle BUNDLE: ca.crt, node.crt, node.key (owner-only), crl.pem.",
                "A target's ID is also its DNS or IP subject-alternative name: sources must dial it by that name "
                        + "(or by a --san). So is a source's ID when it is a host name or an IP address.",
                "Admin commands accept a daemon's admin endpoint only under a name its certificate holds (ID or "
                        + "--san): give every name and address the endpoint is dialed by.",
                "An existing BUNDLE directory must belong to the user running this and be writable by no one else "
                        + "(e.g. 0700)."})
final class PkiIssueCommand implements Callable<Integer> {
    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Directory of the CA.")
    Path dir;

    @Option(names = "--role", required = true, paramLabel = "ROLE",
            description = "source, target or admin: source and admin get clientAuth, target serverAuth and clientAuth.")
    String role;

    @Option(names = "--name", required = true, paramLabel = "ID",
            description = "The node's id: a source's id, a target's host name or IP address.")
    String name;

    @Option(names = "--out", required = true, paramLabel = "BUNDLE", description = "Bundle directory to write.")
    Path out;

    @Option(names = "--san", paramLabel = "NAME",
            description = "Another DNS name or IP address of the node, e.g. the address its admin endpoint is dialed at "
                    + "(repeatable).")
    List<String> sans = new ArrayList<>();

    @Option(names = "--days", paramLabel = "N", defaultValue = "" + CertificateAuthority.DEFAULT_NODE_DAYS,
            description = "Validity of the certificate in days (default: ${DEFAULT-VALUE}).")
    int days;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Role parsed;
        try {
            parsed = Role.parse(role);
        } catch (PkiException e) {
            throw new Main.UsageException("invalid --role: " + e.getMessage().replaceFirst("^invalid role ", ""), e);
        }
        X509Certificate cert = PkiCommand.orUsageError(
                () -> CertificateAuthority.open(dir).issue(parsed, name, sans, days, out));
        PrintWriter o = spec.commandLine().getOut();
        o.printf("pki: issued %s '%s' serial %s, valid until %s%n", parsed, name, cert.getSerialNumber(),
                cert.getNotAfter().toInstant());
        o.printf("pki: bundle in %s (ca.crt, node.crt, node.key owner-only, crl.pem): copy it to the node%n", out);
        if (parsed != Role.ADMIN) {
            o.printf("pki: admin commands reach its admin endpoint off loopback as --admin HOST:PORT with HOST one of: "
                    + "%s (add more with --san)%n", String.join(", ", AdminClientTls.endpointNames(cert)));
        }
        o.flush();
        return 0;
    }
}
