package dev.hotpatch.signer;

import dev.hotpatch.signer.authenticode.SignatureScheme;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a detached signer must sign, exported by {@link DetachedSigning#export}: the DER of the signed
 * attributes (the exact bytes the signature covers), their digest, and the algorithms chosen. The file form is
 * a few "name: value" lines; {@link #writeToBeSigned} writes the raw bytes for tools such as
 * {@code openssl pkeyutl -sign -rawin} or {@code openssl dgst -sign}.
 *
 * @param digest                 the digest of the image and of the signed attributes
 * @param keyAlgorithm           "RSA" or "EC", from the signer's certificate
 * @param imageDigest            the Authenticode digest of the image being signed
 * @param signedAttributes       the DER SET OF Attribute to sign
 * @param signerCertificateSha256 SHA-256 of the signer certificate's DER, so attach can check the chain
 */
public record SigningRequest(DigestAlgorithm digest, String keyAlgorithm, byte[] imageDigest, byte[] signedAttributes,
                             byte[] signerCertificateSha256) {

    private static final String FORMAT = "hotpatch-authenticode-signing-request";
    private static final int MAX_FILE_SIZE = 64 * 1024;

    public SigningRequest {
        imageDigest = imageDigest.clone();
        signedAttributes = signedAttributes.clone();
        signerCertificateSha256 = signerCertificateSha256.clone();
    }

    /** The JCA name of the signature to produce, such as "SHA256withRSA" (PKCS#1 v1.5) or "SHA384withECDSA". */
    public String signatureAlgorithm() {
        return new SignatureScheme(keyAlgorithm, digest).jcaName();
    }

    /** The digest of the bytes to sign ({@link #signedAttributes()}), for signers that take a pre-computed hash. */
    public byte[] toBeSignedDigest() {
        return digest.digest(signedAttributes);
    }

    @Override
    public byte[] imageDigest() {
        return imageDigest.clone();
    }

    /** The bytes to sign (a copy): the DER of the signed attributes. */
    @Override
    public byte[] signedAttributes() {
        return signedAttributes.clone();
    }

    @Override
    public byte[] signerCertificateSha256() {
        return signerCertificateSha256.clone();
    }

    /** Writes the request file (atomically). */
    public void write(Path file) throws SignerException {
        HexFormat hex = HexFormat.of();
        String text = FORMAT + ": 1\n"
                + "digest-algorithm: " + digest.jcaName() + "\n"
                + "key-algorithm: " + keyAlgorithm + "\n"
                + "signature-algorithm: " + signatureAlgorithm() + "\n"
                + "image-digest: " + hex.formatHex(imageDigest) + "\n"
                + "signer-certificate-sha256: " + hex.formatHex(signerCertificateSha256) + "\n"
                + "signed-attributes: " + Base64.getEncoder().encodeToString(signedAttributes) + "\n"
                + "signed-attributes-digest: " + hex.formatHex(toBeSignedDigest()) + "\n";
        ImageFiles.write(file, text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Writes the raw DER to sign, for an external tool. */
    public void writeToBeSigned(Path file) throws SignerException {
        ImageFiles.write(file, signedAttributes);
    }

    /** Reads a request file written by {@link #write}, checking every line. */
    public static SigningRequest read(Path file) throws SignerException {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_SIZE) {
                throw new SignerException(file + " is larger than a signing request can be (" + MAX_FILE_SIZE
                        + " bytes); pass the file that DetachedSigning.export wrote");
            }
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new SignerException("cannot read the signing request " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(": ");
            if (line.isBlank()) {
                continue;
            }
            if (colon < 0 || fields.put(line.substring(0, colon), line.substring(colon + 2).strip()) != null) {
                throw bad(file, "line \"" + abbreviate(line) + "\" is not a unique \"name: value\" line");
            }
        }
        if (!"1".equals(fields.get(FORMAT))) {
            throw bad(file, "it does not start with \"" + FORMAT + ": 1\"");
        }
        try {
            DigestAlgorithm digest = DigestAlgorithm.named(required(fields, "digest-algorithm", file));
            String key = required(fields, "key-algorithm", file);
            if (!key.equals("RSA") && !key.equals("EC")) {
                throw bad(file, "key-algorithm is \"" + abbreviate(key) + "\" instead of RSA or EC");
            }
            HexFormat hex = HexFormat.of();
            SigningRequest r = new SigningRequest(digest, key, hex.parseHex(required(fields, "image-digest", file)),
                    Base64.getDecoder().decode(required(fields, "signed-attributes", file)),
                    hex.parseHex(required(fields, "signer-certificate-sha256", file)));
            if (!hex.formatHex(r.toBeSignedDigest()).equals(required(fields, "signed-attributes-digest", file))
                    || !r.signatureAlgorithm().equals(required(fields, "signature-algorithm", file))
                    || r.imageDigest.length != digest.length()) {
                throw bad(file, "its digests or algorithms do not match its signed attributes");
            }
            return r;
        } catch (IllegalArgumentException e) {
            throw bad(file, "a value is not valid hexadecimal or base64 (" + e.getMessage() + ")");
        }
    }

    private static String required(Map<String, String> fields, String name, Path file) throws SignerException {
        String v = fields.get(name);
        if (v == null) {
            throw bad(file, "the line \"" + name + ": ...\" is missing");
        }
        return v;
    }

    private static SignerException bad(Path file, String why) {
        return new SignerException("the signing request " + file + " is damaged: " + why
                + "; export it again with DetachedSigning.export");
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
