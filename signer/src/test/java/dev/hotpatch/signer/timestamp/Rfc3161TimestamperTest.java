package dev.hotpatch.signer.timestamp;

import dev.hotpatch.signer.DigestAlgorithm;
import dev.hotpatch.signer.SignerException;
import dev.hotpatch.signer.testsupport.LocalTsa;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampToken;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Rfc3161TimestamperTest {
    private static final byte[] SIGNATURE_VALUE = "the signer's signature value".getBytes();

    /** Small timeouts and backoff keep the suite fast; three attempts as in production. */
    private static Rfc3161Timestamper timestamper(URI... servers) {
        return new Rfc3161Timestamper(new TimestampSettings(List.of(servers), 3, Duration.ofMillis(10),
                Duration.ofSeconds(2), Duration.ofMillis(800), TimestampSettings.DEFAULT_MAX_RESPONSE_BYTES));
    }

    private static String failure(Rfc3161Timestamper timestamper) {
        return assertThrows(SignerException.class, () -> timestamper.timestamp(SIGNATURE_VALUE, DigestAlgorithm.SHA256))
                .getMessage();
    }

    @Test
    void grantedTokenCoversTheSignatureValueAndVerifiesWithTheTsaCertificate() throws Exception {
        try (LocalTsa tsa = LocalTsa.start()) {
            byte[] der = timestamper(tsa.url()).timestamp(SIGNATURE_VALUE, DigestAlgorithm.SHA256);

            assertArrayEquals(der, ASN1Primitive.fromByteArray(der).getEncoded(ASN1Encoding.DER), "DER encoded");
            TimeStampToken token = new TimeStampToken(ContentInfo.getInstance(der));
            assertEquals(NISTObjectIdentifiers.id_sha256, token.getTimeStampInfo().getMessageImprintAlgOID());
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(SIGNATURE_VALUE),
                    token.getTimeStampInfo().getMessageImprintDigest());
            @SuppressWarnings("unchecked")
            Collection<X509CertificateHolder> certs = token.getCertificates().getMatches(token.getSID());
            X509CertificateHolder tsaCert = certs.iterator().next();
            assertEquals(new X509CertificateHolder(tsa.tsaCertificate().getEncoded()), tsaCert);
            token.validate(new JcaSimpleSignerInfoVerifierBuilder().build(tsaCert));
            tsa.tsaCertificate().verify(tsa.rootCertificate().getPublicKey());

            TimeStampRequest request = tsa.received().get(0);
            assertTrue(request.getCertReq(), "certReq set");
            assertEquals(token.getTimeStampInfo().getNonce(), request.getNonce());
            assertEquals(1, tsa.requests());
        }
    }

    @Test
    void sha384ImprintIsRequestedWhenAsked() throws Exception {
        try (LocalTsa tsa = LocalTsa.start()) {
            byte[] der = timestamper(tsa.url()).timestamp(SIGNATURE_VALUE, DigestAlgorithm.SHA384);
            TimeStampToken token = new TimeStampToken(new CMSSignedData(der));
            assertEquals(NISTObjectIdentifiers.id_sha384, token.getTimeStampInfo().getMessageImprintAlgOID());
            assertArrayEquals(MessageDigest.getInstance("SHA-384").digest(SIGNATURE_VALUE),
                    token.getTimeStampInfo().getMessageImprintDigest());
        }
    }

    @Test
    void eachRequestCarriesAFreshNonce() throws Exception {
        try (LocalTsa tsa = LocalTsa.start()) {
            Rfc3161Timestamper timestamper = timestamper(tsa.url());
            timestamper.timestamp(SIGNATURE_VALUE, DigestAlgorithm.SHA256);
            timestamper.timestamp(SIGNATURE_VALUE, DigestAlgorithm.SHA256);
            assertNotEquals(tsa.received().get(0).getNonce(), tsa.received().get(1).getNonce());
        }
    }

    @Test
    void refusedConnectionIsRetriedThenReported() throws Exception {
        URI down = LocalTsa.refusingUrl();
        assertEquals("time-stamping server " + down + " refused the connection three times; check the server or "
                + "pass another --timestamp-url", failure(timestamper(down)));
    }

    @Test
    void http500IsRetriedThenReported() throws Exception {
        try (LocalTsa tsa = LocalTsa.start(LocalTsa.Mode.HTTP_500)) {
            assertEquals("time-stamping server " + tsa.url() + " answered HTTP 500 three times; check the server "
                    + "or pass another --timestamp-url", failure(timestamper(tsa.url())));
            assertEquals(3, tsa.requests());
        }
    }

    @Test
    void serverThatFailsTwiceThenAnswersGivesAToken() throws Exception {
        try (LocalTsa tsa = LocalTsa.start()) {
            tsa.failNext(2);
            byte[] der = timestamper(tsa.url()).timestamp(SIGNATURE_VALUE, DigestAlgorithm.SHA256);
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(SIGNATURE_VALUE),
                    new TimeStampToken(new CMSSignedData(der)).getTimeStampInfo().getMessageImprintDigest());
            assertEquals(3, tsa.requests());
        }
    }

    @Test
    void failsOverToTheNextServer() throws Exception {
        try (LocalTsa broken = LocalTsa.start(LocalTsa.Mode.HTTP_500); LocalTsa good = LocalTsa.start()) {
            byte[] der = timestamper(LocalTsa.refusingUrl(), broken.url(), good.url())
                    .timestamp(SIGNATURE_VALUE, DigestAlgorithm.SHA256);
            assertTrue(der.length > 0);
            assertEquals(3, broken.requests());
            assertEquals(1, good.requests());
        }
    }

    @Test
    void whenEveryServerFailsTheErrorNamesEachOne() throws Exception {
        URI down = LocalTsa.refusingUrl();
        try (LocalTsa rejecting = LocalTsa.start(LocalTsa.Mode.REJECT)) {
            assertEquals("no time-stamping server gave a token: " + down + " refused the connection three times, "
                    + rejecting.url() + " refused the request (status rejection, \"test TSA refuses\", failure "
                    + "badAlg); check the servers or pass another --timestamp-url",
                    failure(timestamper(down, rejecting.url())));
        }
    }

    @Test
    void garbageIsReportedWithoutRetrying() throws Exception {
        try (LocalTsa tsa = LocalTsa.start(LocalTsa.Mode.GARBAGE)) {
            assertEquals("time-stamping server " + tsa.url() + " answered with 32 bytes that are not a time-stamp "
                    + "response; check the server or pass another --timestamp-url", failure(timestamper(tsa.url())));
            assertEquals(1, tsa.requests());
        }
    }

    @Test
    void rejectionIsReportedWithStatusAndFailureInfo() throws Exception {
        try (LocalTsa tsa = LocalTsa.start(LocalTsa.Mode.REJECT)) {
            assertEquals("time-stamping server " + tsa.url() + " refused the request (status rejection, "
                    + "\"test TSA refuses\", failure badAlg); check the server or pass another --timestamp-url",
                    failure(timestamper(tsa.url())));
            assertEquals(1, tsa.requests());
        }
    }

    @Test
    void tokenForAnotherNonceIsRefused() throws Exception {
        try (LocalTsa tsa = LocalTsa.start(LocalTsa.Mode.WRONG_NONCE)) {
            String message = failure(timestamper(tsa.url()));
            BigInteger sent = tsa.received().get(0).getNonce();
            assertEquals("time-stamping server " + tsa.url() + " answered with a token for another request (nonce "
                    + sent.add(BigInteger.ONE) + " instead of " + sent + "); check the server or pass another "
                    + "--timestamp-url", message);
        }
    }

    @Test
    void tokenOverAnotherImprintIsRefused() throws Exception {
        try (LocalTsa tsa = LocalTsa.start(LocalTsa.Mode.WRONG_IMPRINT)) {
            assertEquals("time-stamping server " + tsa.url() + " answered with a token over a different message "
                    + "imprint than the signature's digest; check the server or pass another --timestamp-url",
                    failure(timestamper(tsa.url())));
        }
    }

    @Test
    void tokenWithABadSignatureIsRefused() throws Exception {
        try (LocalTsa tsa = LocalTsa.start(LocalTsa.Mode.BAD_SIGNATURE)) {
            assertEquals("time-stamping server " + tsa.url() + " sent a token whose signature does not verify with "
                    + "its certificate CN=Local TSA,O=hotpatch tests (signature not created by certificate); check "
                    + "the server or pass another --timestamp-url", failure(timestamper(tsa.url())));
        }
    }

    @Test
    void tsaCertificateWithoutTimeStampingUsageIsRefused() throws Exception {
        try (LocalTsa tsa = LocalTsa.start(LocalTsa.Mode.TSA_WITHOUT_EKU)) {
            assertEquals("time-stamping server " + tsa.url() + " signs with the certificate CN=Local TSA,O=hotpatch "
                    + "tests, which is not a time-stamping certificate (RFC 3161 requires the critical extended key "
                    + "usage id-kp-timeStamping and no other); check the server or pass another --timestamp-url",
                    failure(timestamper(tsa.url())));
        }
    }

    @Test
    void oversizedAnswerIsCutOffAtTheLimit() throws Exception {
        try (LocalTsa tsa = LocalTsa.start(LocalTsa.Mode.OVERSIZED)) {
            assertEquals("time-stamping server " + tsa.url() + " answered with more than the limit of "
                    + TimestampSettings.DEFAULT_MAX_RESPONSE_BYTES + " bytes; check the server or pass another "
                    + "--timestamp-url", failure(timestamper(tsa.url())));
            assertEquals(1, tsa.requests());
        }
    }

    @Test
    void slowServerTimesOutAfterTheReadTimeout() throws Exception {
        try (LocalTsa tsa = LocalTsa.start(LocalTsa.Mode.SLOW)) {
            Rfc3161Timestamper once = new Rfc3161Timestamper(new TimestampSettings(List.of(tsa.url()), 1,
                    Duration.ZERO, Duration.ofSeconds(2), Duration.ofMillis(300), 1024));
            long start = System.nanoTime();
            assertEquals("time-stamping server " + tsa.url() + " did not answer within 300 ms; check the server or "
                    + "pass another --timestamp-url", failure(once));
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 3000, "gave up in time");
        }
    }

    @Test
    void unsupportedDigestIsRefusedBeforeAnyRequest() throws Exception {
        // A Timestamper takes a DigestAlgorithm, so MD5 or SHA-512 cannot reach one: they are refused where a name
        // becomes a DigestAlgorithm, before any request is sent.
        try (LocalTsa tsa = LocalTsa.start()) {
            Rfc3161Timestamper timestamper = timestamper(tsa.url());
            SignerException e = assertThrows(SignerException.class,
                    () -> timestamper.timestamp(SIGNATURE_VALUE, DigestAlgorithm.named("MD5")));
            assertEquals("digest algorithm \"MD5\" is not allowed; use SHA-256 or SHA-384 (MD5 is broken for "
                    + "signatures)", e.getMessage());
            SignerException sha512 = assertThrows(SignerException.class,
                    () -> timestamper.timestamp(SIGNATURE_VALUE, DigestAlgorithm.named("SHA-512")));
            assertEquals("digest algorithm \"SHA-512\" is not allowed; use SHA-256 or SHA-384", sha512.getMessage());
            assertEquals(0, tsa.requests());
            assertEquals(List.of(DigestAlgorithm.SHA256, DigestAlgorithm.SHA384), List.of(DigestAlgorithm.values()),
                    "only these two can be passed to a Timestamper");
        }
    }

    @Test
    void settingsRefuseNonHttpUrlsAndUnboundedValues() {
        assertThrows(IllegalArgumentException.class, () -> TimestampSettings.of(List.of(URI.create("ftp://x/"))));
        assertThrows(IllegalArgumentException.class, () -> TimestampSettings.of(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new TimestampSettings(List.of(URI.create("http://x/")),
                0, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1), 1024));
        assertThrows(IllegalArgumentException.class, () -> new TimestampSettings(List.of(URI.create("http://x/")),
                3, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1), Integer.MAX_VALUE));
        assertTrue(Arrays.asList(TimestampSettings.of(List.of(URI.create("https://tsa.example/"))).servers()
                .toArray()).contains(URI.create("https://tsa.example/")));
    }
}
