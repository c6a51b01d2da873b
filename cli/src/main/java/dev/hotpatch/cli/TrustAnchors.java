package dev.hotpatch.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** Reads the pinned trust anchors given with {@code --trust}: certificate files, PEM or DER, one or more each. */
final class TrustAnchors {
    private TrustAnchors() {}

    static List<X509Certificate> read(List<Path> files) throws Errors.InputException {
        List<X509Certificate> out = new ArrayList<>();
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    out.add((X509Certificate) c);
                }
            } catch (IOException | CertificateException e) {
                throw new Errors.InputException("the trust anchor " + f + " cannot be read as certificates (" + e.getMessage()
                        + "); pass a PEM or DER certificate file.", e);
            }
            if (out.isEmpty()) {
                throw new Errors.InputException("the trust anchor " + f + " holds no certificate; pass a PEM or DER "
                        + "certificate file.", null);
            }
        }
        return out;
    }
}
