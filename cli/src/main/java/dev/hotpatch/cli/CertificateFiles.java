package dev.hotpatch.cli;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/** A certificate chain file given on the command line (PEM or DER, leaf first). */
final class CertificateFiles {
    private CertificateFiles() {}

    static List<X509Certificate> chain(Path file) throws Errors.InputException {
        return TrustAnchors.read(List.of(file));
    }
}
