package dev.hotpatch.signer;

import dev.hotpatch.signer.authenticode.CertificateTableWriter;
import dev.hotpatch.signer.authenticode.PeDigest;
import dev.hotpatch.signer.authenticode.PeLayout;
import dev.hotpatch.signer.authenticode.SignatureScheme;
import dev.hotpatch.signer.authenticode.SignedAttributes;
import dev.hotpatch.signer.authenticode.SignedDataAssembler;
import dev.hotpatch.signer.authenticode.SpcIndirectData;
import dev.hotpatch.signer.keys.SigningKey;
import dev.hotpatch.signer.timestamp.Timestamper;

import java.security.Signature;
import java.util.Arrays;
import java.util.Optional;

/**
 * Builds signatures from the format classes directly, skipping the checks {@link Signer} makes, so that tests
 * can produce what a careless or hostile signer would: a wrong messageDigest, a weak key, a foreign time-stamp.
 */
final class HandSigned {
    private HandSigned() {}

    static byte[] sign(byte[] unsigned, SigningKey key, byte[] messageDigestOverride, Timestamper timestamper)
            throws Exception {
        DigestAlgorithm d = DigestAlgorithm.SHA256;
        PeLayout layout = PeLayout.read(unsigned);
        byte[] content = Arrays.copyOf(unsigned, CertificateTableWriter.align8(unsigned.length));
        byte[] imageDigest = PeDigest.compute(content, content.length, layout, d);
        SpcIndirectData spc = SpcIndirectData.of(d, imageDigest);
        byte[] md = messageDigestOverride != null ? messageDigestOverride : d.digest(spc.contentOctets());
        byte[] attributes = SignedAttributes.build(md, Optional.empty(), Optional.empty(), Optional.empty());
        SignatureScheme scheme = SignatureScheme.forKey(key.certificate().getPublicKey(), d);
        Signature s = Signature.getInstance(scheme.jcaName());
        s.initSign(key.privateKey());
        s.update(attributes);
        byte[] signature = s.sign();
        Optional<byte[]> token = timestamper == null ? Optional.empty()
                : Optional.of(timestamper.timestamp(signature, d));
        byte[] cms = SignedDataAssembler.assemble(spc, scheme, attributes, signature, key.chain(), token);
        return CertificateTableWriter.embed(content, layout, cms);
    }
}
