package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.SignerException;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Puts a bag of certificates in chain order, leaf first, or checks that a chain already is in that order. */
final class CertificateChains {
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

    /** True when {@code issuer}'s subject is {@code subject}'s issuer and its key verifies the signature. */
    static boolean issued(X509Certificate issuer, X509Certificate subject) {
        if (!issuer.getSubjectX500Principal().equals(subject.getIssuerX500Principal())) {
            return false;
        }
        try {
            subject.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
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
