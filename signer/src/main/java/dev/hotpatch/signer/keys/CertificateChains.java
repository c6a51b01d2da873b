package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.SignerException;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Certificate chains and the files that hold them: puts a bag of certificates in chain order, leaf first, or checks
 * that a chain already is in that order; reads chain and trust-anchor files (PEM or DER) for command lines.
 * Every failure is one sentence naming the file or key and saying what to do.
 */
public final class CertificateChains {
    private CertificateChains() {}

    /** Longer chains than this are a mistake, not a PKI. */
    static final int MAX_CHAIN = 16;

    /**
     * Orders certificates given in any order: the leaf is the one certificate that issued none of the others, then
     * each certificate's issuer follows it. Every certificate must belong to that one chain.
     */
    static List<X509Certificate> orderLeafFirst(List<X509Certificate> certificates, String source)
            throws SignerException {
        if (certificates.isEmpty()) {
            throw new SignerException(source + " holds no certificate; pass the PEM file of the signer's "
                    + "certificate and its issuers");
        }
        if (certificates.size() > MAX_CHAIN) {
            throw new SignerException(source + " holds " + certificates.size() + " certificates, more than the "
                    + MAX_CHAIN + " a chain may have; keep only the signer's certificate and its issuers");
        }
        List<X509Certificate> leaves = new ArrayList<>();
        for (X509Certificate candidate : certificates) {
            boolean issuesAnother = certificates.stream()
                    .anyMatch(other -> other != candidate && issued(candidate, other));
            if (!issuesAnother) {
                leaves.add(candidate);
            }
        }
        if (leaves.size() != 1) {
            throw new SignerException(source + " does not hold one chain: " + (leaves.isEmpty()
                    ? "every certificate issued another"
                    : leaves.size() + " certificates issued none of the others (" + names(leaves) + ")")
                    + "; keep only the signer's certificate and its issuers");
        }
        List<X509Certificate> chain = new ArrayList<>(List.of(leaves.get(0)));
        List<X509Certificate> rest = new ArrayList<>(certificates);
        rest.remove(leaves.get(0));
        while (!rest.isEmpty()) {
            X509Certificate last = chain.get(chain.size() - 1);
            X509Certificate issuer = rest.stream().filter(c -> issued(c, last)).findFirst().orElse(null);
            if (issuer == null || isSelfIssued(last)) {
                throw new SignerException(source + " does not hold one chain: nothing links " + name(last)
                        + " to " + names(rest) + "; add the missing intermediate certificate or remove the "
                        + "unrelated ones");
            }
            chain.add(issuer);
            rest.remove(issuer);
        }
        return List.copyOf(chain);
    }

    /**
     * Reads a certificate chain file, PEM (any number of BEGIN CERTIFICATE blocks) or DER (one or more
     * certificates), in any order, and returns it leaf first after checking that it is one chain: each certificate
     * issued by the next, every certificate part of it.
     *
     * @throws SignerException when the file cannot be read, holds no certificate or does not hold one chain
     */
    public static List<X509Certificate> readChainFile(Path file) throws SignerException {
        return orderLeafFirst(readCertificateFile(file, "certificate file",
                "pass the signer's certificate and its issuers in PEM or DER"), "the certificate file " + file);
    }

    /**
     * Reads pinned trust anchors: every file, PEM or DER, must hold at least one certificate; all of them are
     * returned, file by file, in file order. The certificates are taken as given (a root, or a pinned signer
     * certificate); nothing checks that they form a chain.
     *
     * @throws SignerException when a file cannot be read or holds no certificate, naming that file
     */
    public static List<X509Certificate> readAnchors(List<Path> files) throws SignerException {
        List<X509Certificate> anchors = new ArrayList<>();
        for (Path file : files) {
            anchors.addAll(readCertificateFile(file, "trust anchor file",
                    "pass the pinned root (or signer) certificate in PEM or DER"));
        }
        return List.copyOf(anchors);
    }

    /** The certificates of a PEM or DER file; a file that holds none is refused with {@code remedy}. */
    private static List<X509Certificate> readCertificateFile(Path file, String what, String remedy)
            throws SignerException {
        byte[] bytes = KeyFiles.read(file, what);
        if (!isDer(bytes)) {
            return PemKeyLoader.readCertificates(file, bytes, what, remedy);
        }
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes))) {
                if (c instanceof X509Certificate x509) {
                    certificates.add(x509);
                }
            }
        } catch (CertificateException e) {
            throw new SignerException("the " + what + " " + file + " is not a DER certificate (" + e.getMessage()
                    + "); " + remedy, e);
        }
        if (certificates.isEmpty()) {
            throw new SignerException("the " + what + " " + file + " holds no certificate; " + remedy);
        }
        return certificates;
    }

    /** A DER SEQUENCE with a long-form length, as every certificate starts; PEM text never does. */
    private static boolean isDer(byte[] bytes) {
        return bytes.length >= 2 && bytes[0] == 0x30 && (bytes[1] & 0xff) >= 0x81 && (bytes[1] & 0xff) <= 0x84;
    }

    /**
     * The chain a keystore (PKCS#12, JKS, a PKCS#11 token) holds for a key entry, checked to be X.509 and in order,
     * leaf first.
     */
    static List<X509Certificate> fromKeyStore(Certificate[] certificates, String source) throws SignerException {
        if (certificates == null || certificates.length == 0) {
            throw new SignerException(source + " has no certificate chain; store the key together with its "
                    + "certificate chain (a token's key may instead take its chain from a PEM file)");
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate c : certificates) {
            if (!(c instanceof X509Certificate x509)) {
                throw new SignerException(source + " holds a " + c.getType() + " certificate; only X.509 "
                        + "certificates can sign patches");
            }
            chain.add(x509);
        }
        requireLeafFirst(chain, source);
        return List.copyOf(chain);
    }

    /** Fails unless each certificate was issued by the next one (a keystore's chain must already be ordered). */
    static void requireLeafFirst(List<X509Certificate> chain, String source) throws SignerException {
        for (int i = 0; i + 1 < chain.size(); i++) {
            if (!issued(chain.get(i + 1), chain.get(i))) {
                throw new SignerException("the certificate chain of " + source + " is out of order: certificate "
                        + (i + 2) + " (" + name(chain.get(i + 1)) + ") did not issue certificate " + (i + 1)
                        + " (" + name(chain.get(i)) + "); store the chain leaf first, each issuer after the "
                        + "certificate it issued");
            }
        }
    }

    /**
     * True when {@code issuer}'s subject is {@code subject}'s issuer and its key verifies {@code subject}'s
     * signature; false too when the signature cannot be checked at all (an unknown algorithm, a malformed value).
     */
    public static boolean issued(X509Certificate issuer, X509Certificate subject) {
        if (!issuer.getSubjectX500Principal().equals(subject.getIssuerX500Principal())) {
            return false;
        }
        try {
            subject.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static boolean isSelfIssued(X509Certificate c) {
        return c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
    }

    static String name(X509Certificate c) {
        return c.getSubjectX500Principal().getName();
    }

    private static String names(List<X509Certificate> certificates) {
        return certificates.stream().map(CertificateChains::name).collect(Collectors.joining("; "));
    }
}
