package dev.hotpatch.signer;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a verification looked at, for reports. Present whenever the signature could be parsed, whether or not
 * it verified; every value is as found in the file, not a statement that it is trusted.
 *
 * @param signerSubject      the signer certificate's subject (RFC 2253)
 * @param signerIssuer       its issuer
 * @param signerSerial       its serial number in hexadecimal
 * @param digestAlgorithm    the image digest's algorithm, such as "SHA-256"
 * @param signatureAlgorithm the SignerInfo's signature algorithm, such as "RSA" or "ECDSA with SHA-384"
 * @param imageDigest        the Authenticode digest recomputed over the file, in hexadecimal (empty when the
 *                           algorithm is one we do not compute)
 * @param chain              subjects of the certification path found, signer first, anchor last when anchored
 * @param timestamp          the time of a time-stamp token that verified and is trusted
 * @param timestampAuthority the subject of that token's TSA certificate
 * @param validationTime     the time certificates were checked at: the time-stamp's, else the verification clock
 */
public record SignatureDetails(String signerSubject, String signerIssuer, String signerSerial, String digestAlgorithm,
                               String signatureAlgorithm, String imageDigest, List<String> chain,
                               Optional<Instant> timestamp, Optional<String> timestampAuthority,
                               Instant validationTime) {
    public SignatureDetails {
        chain = List.copyOf(chain);
    }
}
