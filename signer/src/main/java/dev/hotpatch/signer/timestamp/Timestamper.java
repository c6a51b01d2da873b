package dev.hotpatch.signer.timestamp;

import dev.hotpatch.signer.DigestAlgorithm;
import dev.hotpatch.signer.SignerException;

/** Obtains an RFC 3161 time-stamp token for a signature value (the countersignature of Authenticode). */
public interface Timestamper {
    /**
     * Asks for a token whose message imprint is the digest of {@code signatureValue}.
     *
     * @param signatureValue  the SignerInfo's encrypted digest (its signature value), exactly as in the SignedData
     * @param digest          the imprint's digest (the signature's own digest)
     * @return the DER encoding of the TimeStampToken (a CMS ContentInfo holding SignedData over TSTInfo), ready to
     *         be the value of the unsigned attribute 1.3.6.1.4.1.311.3.3.1
     * @throws SignerException when no server gave a valid token, in one sentence naming the server and the reason
     */
    byte[] timestamp(byte[] signatureValue, DigestAlgorithm digest) throws SignerException;
}
