package io.replicator.protocol.tls;

import java.math.BigInteger;
import java.security.cert.X509Certificate;

/**
 * Who is at the other end of a connection, read from the certificate it presented: {@code id} is the
 * subject's CN (a source's id), {@code role} its OU, {@code serial} the certificate's serial number
 * (what a revocation names). Immutable.
 */
public record PeerIdentity(String id, Role role, BigInteger serial) {
    /**
     * Reads the identity of a certificate.
     *
     * @throws PkiException when the subject has no CN, or no OU naming a {@link Role}
     */
    public static PeerIdentity of(X509Certificate cert) {
        String cn = Certificates.subjectAttribute(cert, org.bouncycastle.asn1.x500.style.BCStyle.CN);
        if (cn == null || cn.isEmpty()) {
            throw new PkiException("certificate " + Certificates.describe(cert) + " has no CN (the node id)");
        }
        String ou = Certificates.subjectAttribute(cert, org.bouncycastle.asn1.x500.style.BCStyle.OU);
        Role role;
        try {
            role = Role.parse(ou);
        } catch (PkiException e) {
            throw new PkiException("certificate " + Certificates.describe(cert) + " has no role: "
                    + e.getMessage() + " in its OU", e);
        }
        return new PeerIdentity(cn, role, cert.getSerialNumber());
    }

    @Override
    public String toString() {
        return role + " '" + Certificates.printable(id) + "' (serial " + serial + ")";
    }
}
