package dev.hotpatch.signer;

import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.signer.authenticode.AlgorithmPolicy;
import dev.hotpatch.signer.authenticode.CertificateTableWriter;
import dev.hotpatch.signer.authenticode.DerLimits;
import dev.hotpatch.signer.authenticode.PeDigest;
import dev.hotpatch.signer.authenticode.PeLayout;
import dev.hotpatch.signer.authenticode.SignatureFormatException;
import dev.hotpatch.signer.authenticode.SignatureScheme;
import dev.hotpatch.signer.authenticode.SignedAttributes;
import dev.hotpatch.signer.authenticode.SignedDataAssembler;
import dev.hotpatch.signer.authenticode.SpcIndirectData;
import dev.hotpatch.signer.timestamp.Timestamper;
import dev.hotpatch.signer.verify.TimestampCheck;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.tsp.TimeStampToken;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * The steps every way of signing shares: prepare the image (drop an old signature, pad to 8), describe what to
 * sign ({@link Draft}: the {@link SigningRequest} and the content it covers), and finish with a signature value
 * (check it, time-stamp it, embed it). {@link Signer} runs them back to back and hashes the image once;
 * {@link DetachedSigning} lets the signature come from elsewhere between the second and the third, and
 * {@link #check checks} that the request it gets back belongs to the image and the chain.
 */
final class SigningSteps {
    private SigningSteps() {}

    /** The image without its certificate table, zero-padded to 8 bytes, and its layout. */
    record PreparedImage(String name, byte[] content, PeLayout layout) {}

    static PreparedImage prepare(byte[] pe, String name) throws SignerException {
        PeLayout layout;
        try {
            layout = PeLayout.read(pe);
        } catch (PeFormatException e) {
            throw new SignerException(name + " is not a PE image that can be signed: " + e.getMessage(), e);
        }
        long end = pe.length;
        if (layout.signed()) {
            Optional<String> outside = layout.certificateTableOutsideFile();
            if (outside.isPresent()) {
                throw new SignerException(name + " has a certificate table entry that points outside the file ("
                        + outside.get() + "); repair or rebuild the image before signing it");
            }
            long table = layout.certificateTableOffset();
            long tableEnd = table + layout.certificateTableSize();
            if (tableEnd != pe.length) {
                throw new SignerException(name + " has " + hex(pe.length - tableEnd) + " bytes after its existing "
                        + "signature; remove them (or sign the unsigned image) so that the new signature can be last");
            }
            end = table;
        }
        if (layout.endOfMappedData() > end) {
            throw new SignerException(name + ": the " + layout.lastSectionName() + " ends at "
                    + hex(layout.endOfMappedData()) + ", past the end of the image data at " + hex(end)
                    + "; the file is truncated or its section table is wrong, so rebuild it before signing");
        }
        if ((layout.checksumOffset() & 1) != 0) {
            throw new SignerException(name + ": the optional header's CheckSum sits at the odd offset "
                    + hex(layout.checksumOffset()) + " (dos_header.ofs_nt_headers is not aligned), so the CheckSum"
                    + " cannot be computed; relink the image");
        }
        byte[] content = Arrays.copyOf(pe, CertificateTableWriter.align8((int) end));
        return new PreparedImage(name, content, layout);
    }

    /**
     * A signing request with the image and the SpcIndirectDataContent it describes, so that finishing embeds
     * exactly what was signed without hashing the image again.
     */
    record Draft(PreparedImage image, SigningRequest request, SpcIndirectData content) {}

    /** Describes what to sign: hashes the image (once) and builds the signed attributes. */
    static Draft draft(PreparedImage image, X509Certificate signer, SignOptions options) throws SignerException {
        String subject = signer.getSubjectX500Principal().getName();
        Optional<String> weak = AlgorithmPolicy.checkKey(signer.getPublicKey(), "the signing certificate " + subject);
        if (weak.isPresent()) {
            throw new SignerException("refusing to sign: " + weak.get());
        }
        if (options.url().isPresent() && !options.url().get().chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new SignerException("the URL \"" + options.url().get() + "\" has characters outside printable"
                    + " ASCII; SpcSpOpusInfo holds an IA5String, so percent-encode them");
        }
        DigestAlgorithm digest = options.digest();
        byte[] imageDigest = imageDigest(image, digest);
        SpcIndirectData content = SpcIndirectData.of(digest, imageDigest);
        byte[] attributes = SignedAttributes.build(digest.digest(content.contentOctets()), options.programName(),
                options.url(), options.signingTime());
        SignatureScheme scheme = SignatureScheme.forKey(signer.getPublicKey(), digest);
        return new Draft(image, new SigningRequest(digest, scheme.keyAlgorithm(), imageDigest, attributes,
                fingerprint(signer)), content);
    }

    /**
     * For a request that comes back from outside ({@link DetachedSigning#attach}): checks that it was exported for
     * this image and the certificate that starts {@code chain}, and that its signed attributes carry the digest of
     * its content.
     */
    static Draft check(PreparedImage image, SigningRequest request, List<X509Certificate> chain)
            throws SignerException {
        if (chain.isEmpty()) {
            throw new SignerException("the certificate chain is empty; pass the signer's certificate first");
        }
        X509Certificate signer = chain.get(0);
        String subject = signer.getSubjectX500Principal().getName();
        if (!MessageDigest.isEqual(fingerprint(signer), request.signerCertificateSha256())) {
            throw new SignerException("the chain starts with " + subject + ", not the certificate the signing "
                    + "request was exported for; pass the same chain to export and attach");
        }
        if (!MessageDigest.isEqual(imageDigest(image, request.digest()), request.imageDigest())) {
            throw new SignerException(image.name() + " has changed since the signing request was exported (its "
                    + "Authenticode digest differs); export a new request for this file");
        }
        SpcIndirectData content = SpcIndirectData.of(request.digest(), request.imageDigest());
        if (!MessageDigest.isEqual(messageDigest(request.signedAttributes()),
                request.digest().digest(content.contentOctets()))) {
            throw new SignerException("the signing request's signed attributes do not carry the digest of its "
                    + "image; export the request again");
        }
        if (!SignatureScheme.forKey(signer.getPublicKey(), request.digest()).keyAlgorithm()
                .equals(request.keyAlgorithm())) {
            throw new SignerException("the request is for a " + request.keyAlgorithm() + " key but " + subject
                    + " holds a " + signer.getPublicKey().getAlgorithm() + " key; export with the right chain");
        }
        return new Draft(image, request, content);
    }

    /**
     * Checks the signature value against the certificate that starts {@code chain} (the one the draft was made
     * for), time-stamps it, and embeds the signature.
     */
    static byte[] finish(Draft draft, byte[] signature, List<X509Certificate> chain, Optional<Timestamper> timestamper)
            throws SignerException {
        SigningRequest request = draft.request();
        SignatureScheme scheme = new SignatureScheme(request.keyAlgorithm(), request.digest());
        byte[] attributes = request.signedAttributes();
        checkSignature(scheme, chain.get(0), attributes, signature);
        Optional<byte[]> token = Optional.empty();
        if (timestamper.isPresent()) {
            token = Optional.of(timestamp(timestamper.get(), signature, request.digest()));
        }
        try {
            byte[] cms = SignedDataAssembler.assemble(draft.content(), scheme, attributes, signature, chain, token);
            return CertificateTableWriter.embed(draft.image().content(), draft.image().layout(), cms);
        } catch (CertificateEncodingException e) {
            throw new SignerException("a certificate of the chain cannot be encoded: " + e.getMessage(), e);
        }
    }

    private static byte[] imageDigest(PreparedImage image, DigestAlgorithm digest) {
        return PeDigest.compute(image.content(), image.content().length, image.layout(), digest);
    }

    private static void checkSignature(SignatureScheme scheme, X509Certificate signer, byte[] data, byte[] signature)
            throws SignerException {
        if (!scheme.verifies(signer.getPublicKey(), data, signature)) {
            throw new SignerException("the signature value does not verify with the public key of "
                    + signer.getSubjectX500Principal().getName() + "; sign the exact exported bytes with the matching "
                    + "private key as " + scheme.jcaName() + (scheme.isEc() ? " (DER-encoded r and s)" : " (PKCS#1 v1.5)"));
        }
    }

    private static byte[] timestamp(Timestamper timestamper, byte[] signature, DigestAlgorithm digest)
            throws SignerException {
        byte[] token = timestamper.timestamp(signature, digest);
        TimeStampToken t;
        try {
            DerLimits.check(token, 0, token.length, "the time-stamp token");
            t = TimestampCheck.parse(ASN1Primitive.fromByteArray(token));
        } catch (SignatureFormatException | RuntimeException
                 | org.bouncycastle.tsp.TSPException | java.io.IOException e) {
            throw new SignerException("the time-stamping service returned something that is not an RFC 3161 token ("
                    + e.getMessage() + "); check the service or sign without a time-stamp", e);
        }
        Optional<Failure> wrong = TimestampCheck.checkImprint(t.getTimeStampInfo(), signature);
        if (wrong.isPresent()) {
            throw new SignerException("refusing the time-stamping service's token: " + wrong.get().message()
                    + "; check the service's configuration or use another one");
        }
        return token;
    }

    private static byte[] messageDigest(byte[] attributes) throws SignerException {
        try {
            for (ASN1Encodable e : ASN1Set.getInstance(attributes)) {
                Attribute a = Attribute.getInstance(e);
                if (a.getAttrType().equals(CMSAttributes.messageDigest)) {
                    return ASN1OctetString.getInstance(a.getAttrValues().getObjectAt(0)).getOctets();
                }
            }
        } catch (RuntimeException e) {
            // falls through to the error below
        }
        throw new SignerException("the signing request's signed attributes have no readable messageDigest; "
                + "export the request again");
    }

    static byte[] fingerprint(X509Certificate c) throws SignerException {
        try {
            return MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new SignerException("the certificate " + c.getSubjectX500Principal().getName()
                    + " cannot be encoded: " + e.getMessage(), e);
        }
    }
}
