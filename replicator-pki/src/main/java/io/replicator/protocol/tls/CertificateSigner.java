package io.replicator.protocol.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CRLHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes keys, certificates and CRLs with Bouncy Castle's bcpkix builders; the results are converted
 * to the JDK's classes. Keys are EC P-256 signed with SHA256withECDSA: see {@link CertificateAuthority}
 * for why. Stateless.
 */
final class CertificateSigner {
    static final String KEY_ALGORITHM = "EC";
    static final String CURVE = "secp256r1";
    static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

    private CertificateSigner() {
    }

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(KEY_ALGORITHM);
            g.initialize(new ECGenParameterSpec(CURVE));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot make an " + CURVE + " key: " + e.getMessage(), e);
        }
    }

    static X500Name subject(String cn, Role role) {
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
        if (role != null) {
            b.addRDN(BCStyle.OU, role.label());
        }
        return b.addRDN(BCStyle.CN, cn).build();
    }

    /** A self-signed CA certificate: basicConstraints CA (path length 0), keyCertSign and cRLSign. */
    static X509Certificate caCertificate(KeyPair keys, String cn, BigInteger serial, Instant notBefore,
            Instant notAfter) {
        X500Name name = subject(cn, null);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial, Date.from(notBefore),
                    Date.from(notAfter), name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            return sign(b, keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new PkiException("cannot make the CA certificate: " + e.getMessage(), e);
        }
    }

    /**
     * A node certificate: CN = name, OU = role, the SANs given, digitalSignature, and the extended
     * key usage of the role (target: serverAuth and clientAuth; source, admin: clientAuth).
     */
    static X509Certificate nodeCertificate(X509Certificate ca, PrivateKey caKey, PublicKey nodeKey, Role role,
            String name, List<GeneralName> sans, BigInteger serial, Instant notBefore, Instant notAfter) {
        KeyPurposeId[] purposes = role == Role.TARGET
                ? new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}
                : new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth};
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial, Date.from(notBefore),
                    Date.from(notAfter), subject(name, role), nodeKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(nodeKey))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            return sign(b, caKey);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new PkiException("cannot make the certificate of " + role + " '" + name + "': " + e.getMessage(), e);
        }
    }

    /**
     * A CRL of the CA: every entry of {@code previous} (may be null) plus {@code revokeSerial} (may be
     * null) revoked at {@code now}, numbered {@code number}.
     */
    static X509CRL crl(X509Certificate ca, PrivateKey caKey, X509CRL previous, BigInteger revokeSerial,
            BigInteger number, Instant now, Instant nextUpdate) {
        try {
            X509v2CRLBuilder b = new JcaX509v2CRLBuilder(ca, Date.from(now)).setNextUpdate(Date.from(nextUpdate));
            if (previous != null) {
                b.addCRL(new JcaX509CRLHolder(previous));
            }
            if (revokeSerial != null) {
                b.addCRLEntry(revokeSerial, Date.from(now), CRLReason.unspecified);
            }
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca));
            return new JcaX509CRLConverter().getCRL(b.build(signer(caKey)));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new PkiException("cannot make the CRL: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(b.build(signer(key)));
    }

    private static ContentSigner signer(PrivateKey key) {
        try {
            return new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(key);
        } catch (OperatorCreationException e) {
            throw new PkiException("cannot sign with the CA key: " + e.getMessage(), e);
        }
    }
}
