package io.replicator.protocol.tls;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;

/**
 * Answers whether a certificate of the CA is revoked, from one CRL the CA signed. The CRL is checked
 * once, when the check is made: it must be signed by the CA. A CRL whose nextUpdate has passed is
 * still used: it still lists every serial revoked until it was written, and refusing every peer
 * because of a stale list would take replication down. Immutable and thread-safe; to follow a new
 * CRL, make a new check and hand it to whoever holds the old one (see {@link CrlReloader} and
 * {@link TlsContexts#forServer(PkiBundle, java.util.function.Supplier)}).
 */
public final class CrlCheck {
    private static final CrlCheck NONE = new CrlCheck(null);

    private final X509CRL crl;

    private CrlCheck(X509CRL crl) {
        this.crl = crl;
    }

    /** Nothing is revoked: no CRL was given. */
    public static CrlCheck none() {
        return NONE;
    }

    /**
     * A check against {@code crl}, which must name {@code ca} as its issuer and be signed by it.
     *
     * @throws PkiException naming what is wrong with the CRL
     */
    public static CrlCheck of(X509CRL crl, X509Certificate ca) {
        if (!crl.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            throw new PkiException("CRL issued by '" + Certificates.printable(crl.getIssuerX500Principal().getName())
                    + "', not by the CA '" + Certificates.printable(ca.getSubjectX500Principal().getName()) + "'");
        }
        try {
            crl.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new PkiException("CRL signature does not verify with the key of the CA '"
                    + Certificates.printable(ca.getSubjectX500Principal().getName()) + "': " + e.getMessage(), e);
        }
        return new CrlCheck(crl);
    }

    /** Reads a PEM CRL file and checks it against {@code ca}; errors name the file. */
    public static CrlCheck load(Path crlFile, X509Certificate ca) {
        X509CRL crl = Pem.readCrl(crlFile);
        try {
            return of(crl, ca);
        } catch (PkiException e) {
            throw new PkiException(crlFile + ": " + e.getMessage(), e);
        }
    }

    /** The CRL this check answers from, empty for {@link #none()}. */
    public Optional<X509CRL> crl() {
        return Optional.ofNullable(crl);
    }

    /** The CRL's number (the cRLNumber extension, which the CA raises by one per revocation), if it has one. */
    public Optional<BigInteger> number() {
        return crl == null ? Optional.empty() : number(crl);
    }

    static Optional<BigInteger> number(X509CRL crl) {
        byte[] ext = crl.getExtensionValue(Extension.cRLNumber.getId());
        return ext == null ? Optional.empty()
                : Optional.of(ASN1Integer.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getValue());
    }

    /** When the CA signed the CRL (its thisUpdate), empty for {@link #none()}. */
    public Optional<Instant> thisUpdate() {
        return crl == null ? Optional.empty() : Optional.of(crl.getThisUpdate().toInstant());
    }

    /**
     * Null when this list may replace {@code inForce}, else why not: it is older, by CRL number or
     * by thisUpdate, or it has the same number but other entries (two lists of one number: a CA
     * restored from a backup). The same list again may replace itself (nothing changes).
     */
    String olderThan(CrlCheck inForce) {
        if (crl == null) {
            return inForce.crl == null ? null : "it is empty, and a CRL is in force";
        }
        if (inForce.crl == null || crl.equals(inForce.crl)) {
            return null;
        }
        Optional<BigInteger> mine = number();
        Optional<BigInteger> theirs = inForce.number();
        if (mine.isPresent() && theirs.isPresent()) {
            int order = mine.get().compareTo(theirs.get());
            if (order < 0) {
                return "its CRL number " + mine.get() + " is lower than " + theirs.get() + ", that of the list in force";
            }
            if (order == 0) {
                return "it has the CRL number " + mine.get() + " of the list in force but other entries";
            }
        }
        Instant signed = thisUpdate().orElseThrow();
        Instant signedInForce = inForce.thisUpdate().orElseThrow();
        if (signed.isBefore(signedInForce)) {
            return "it was signed on " + signed + ", before the list in force (signed on " + signedInForce + ")";
        }
        return null;
    }

    /** {@code CRL number 3 of 2024-05-01T10:00:00Z, 2 revoked}, or {@code no CRL}: for log lines. */
    String describe() {
        if (crl == null) {
            return "no CRL";
        }
        int revoked = crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size();
        return "CRL number " + number().map(BigInteger::toString).orElse("(none)") + " of " + thisUpdate().orElseThrow()
                + ", " + revoked + " revoked";
    }

    /** Whether the CA revoked the certificate with this serial number. */
    public boolean isRevoked(BigInteger serial) {
        return revokedAt(serial).isPresent();
    }

    /** Whether {@code cert} is one of the CA's and is revoked. */
    public boolean isRevoked(X509Certificate cert) {
        return crl != null && cert.getIssuerX500Principal().equals(crl.getIssuerX500Principal())
                && isRevoked(cert.getSerialNumber());
    }

    /** When the certificate with this serial number was revoked, empty when it is not. */
    public Optional<Instant> revokedAt(BigInteger serial) {
        if (crl == null) {
            return Optional.empty();
        }
        X509CRLEntry entry = crl.getRevokedCertificate(serial);
        return entry == null ? Optional.empty() : Optional.of(entry.getRevocationDate().toInstant());
    }

    /** Null when {@code cert} is not revoked, else why; {@code what} says whose certificate it is ("client"). */
    String revocation(X509Certificate cert, String what) {
        return isRevoked(cert) ? what + " certificate " + Certificates.describe(cert)
                + " is revoked: the CA's CRL lists it since " + revokedAt(cert.getSerialNumber()).orElseThrow() : null;
    }
}
