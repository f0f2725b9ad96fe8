package io.replicator.protocol.tls;

import io.netty.util.NetUtil;
import io.replicator.protocol.wire.ProtocolException;
import io.replicator.protocol.wire.VolumeInfo;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * Small checks and descriptions shared by the PKI classes: names, subject attributes, issuer and
 * validity checks with messages that name the certificate and its dates. Stateless.
 */
final class Certificates {
    private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final int MAX_DNS_NAME = 253;

    private Certificates() {
    }

    /** {@code 'CN=a,OU=source' serial 5}: enough to find the certificate again. */
    static String describe(X509Certificate cert) {
        return "'" + printable(cert.getSubjectX500Principal().getName()) + "' serial " + cert.getSerialNumber();
    }

    /** The text with control characters shown as {@code \xNN}, so an error stays one readable line. */
    static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The first value of a subject attribute (CN, OU), or null when absent. */
    static String subjectAttribute(X509Certificate cert, ASN1ObjectIdentifier attribute) {
        RDN[] rdns = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()).getRDNs(attribute);
        if (rdns.length == 0 || rdns[0].getFirst() == null) {
            return null;
        }
        return rdns[0].getFirst().getValue() instanceof ASN1String s ? s.getString() : null;
    }

    /**
     * A node name follows the rules of volume names and source ids (it becomes a directory on the
     * target): not empty, at most {@link VolumeInfo#MAX_NAME_BYTES} bytes, not {@code .} or
     * {@code ..}, no {@code /}, {@code \} or control character.
     */
    static String checkName(String what, String name) {
        try {
            return VolumeInfo.checkName(name);
        } catch (ProtocolException e) {
            String reason = e.getMessage().replaceFirst("^invalid volume name: ", "");
            throw new PkiException("invalid " + what + " '" + printable(name) + "': " + reason, e);
        }
    }

    /** An IP literal becomes an IP SAN, a host name a DNS SAN; anything else is refused. */
    static GeneralName subjectAltName(String what, String name) {
        if (name != null && (NetUtil.isValidIpV4Address(name) || NetUtil.isValidIpV6Address(name))) {
            return new GeneralName(GeneralName.iPAddress, name);
        }
        if (isDnsName(name)) {
            return new GeneralName(GeneralName.dNSName, name);
        }
        throw new PkiException("invalid " + what + " '" + printable(name)
                + "': not an IP address or a DNS name (letters, digits, '-' in labels of 1-63 separated by '.')");
    }

    static boolean isDnsName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_DNS_NAME) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!DNS_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /** The DNS and IP names of a certificate, for error messages. */
    static List<String> subjectAltNames(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    names.add((((Integer) san.get(0)) == GeneralName.iPAddress ? "IP:" : "DNS:") + san.get(1));
                }
            }
        } catch (CertificateParsingException e) {
            names.add("(unreadable: " + e.getMessage() + ")");
        }
        return names;
    }

    /**
     * The names a daemon's certificate answers to: its DNS and IP subject alternative names, then its
     * CN (the node's id: a target's host, a source's id). {@code DNS:web1}, {@code IP:10.0.0.7},
     * {@code CN:web1}.
     */
    static List<String> names(X509Certificate cert) {
        List<String> names = new ArrayList<>(subjectAltNames(cert));
        String cn = subjectAttribute(cert, org.bouncycastle.asn1.x500.style.BCStyle.CN);
        if (cn != null) {
            names.add("CN:" + printable(cn));
        }
        return names;
    }

    /**
     * Whether {@code host} (a DNS name, or an IP literal, IPv6 with or without brackets) is one of
     * {@link #names}: an IP literal equals an IP SAN or a CN of the same address, a DNS name equals a
     * DNS SAN or the CN, ignoring case and a final dot. No wildcards: the CA issues none.
     */
    static boolean namesHost(X509Certificate cert, String host) {
        String wanted = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(wanted);
        for (String name : names(cert)) {
            String value = name.substring(name.indexOf(':') + 1);
            boolean dns = name.startsWith("DNS:");
            if (ip != null ? !dns && java.util.Arrays.equals(ip, NetUtil.createByteArrayFromIpAddressString(value))
                    : !name.startsWith("IP:") && dnsName(value).equals(dnsName(wanted))) {
                return true;
            }
        }
        return false;
    }

    private static String dnsName(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** Null when {@code cert} is issued (named and signed) by {@code ca}, else why not. */
    static String notIssuedBy(X509Certificate cert, X509Certificate ca) {
        if (!cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            return "issued by '" + printable(cert.getIssuerX500Principal().getName()) + "', not by the CA '"
                    + printable(ca.getSubjectX500Principal().getName()) + "'";
        }
        try {
            cert.verify(ca.getPublicKey());
            return null;
        } catch (GeneralSecurityException e) {
            return "names the CA '" + printable(ca.getSubjectX500Principal().getName())
                    + "' as issuer but its signature does not verify with the CA's key (" + e.getMessage() + ")";
        }
    }

    /** Null when {@code cert} is valid at {@code now}, else the dates that make it invalid. */
    static String notValidAt(X509Certificate cert, Instant now) {
        Instant from = cert.getNotBefore().toInstant();
        Instant to = cert.getNotAfter().toInstant();
        if (now.isAfter(to)) {
            return "expired on " + to + " (valid from " + from + " to " + to + ", now " + now + ")";
        }
        if (now.isBefore(from)) {
            return "not yet valid: valid from " + from + " to " + to + " (now " + now + ")";
        }
        return null;
    }
}
