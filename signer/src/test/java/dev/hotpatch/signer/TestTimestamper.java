package dev.hotpatch.signer;

import dev.hotpatch.signer.keys.SigningKey;
import dev.hotpatch.signer.timestamp.Timestamper;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampTokenGenerator;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Date;

/**
 * A local RFC 3161 time-stamping authority for tests: issues tokens signed by a test TSA key at a fixed time.
 * {@code imprintOverride} makes it stamp other data, for the bad_timestamp fixture.
 */
public final class TestTimestamper implements Timestamper {
    private final SigningKey tsa;
    private final Instant time;
    private final boolean stampOtherData;

    public TestTimestamper(SigningKey tsa, Instant time, boolean stampOtherData) {
        this.tsa = tsa;
        this.time = time;
        this.stampOtherData = stampOtherData;
    }

    @Override
    public byte[] timestamp(byte[] signatureValue, DigestAlgorithm digest) throws SignerException {
        try {
            byte[] data = stampOtherData ? "other data".getBytes() : signatureValue;
            byte[] imprint = digest.digest(data);
            var digestCalc = new JcaDigestCalculatorProviderBuilder().build()
                    .get(new org.bouncycastle.asn1.x509.AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256));
            TimeStampTokenGenerator gen = new TimeStampTokenGenerator(
                    new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(tsa.privateKey()),
                                    tsa.certificate()),
                    digestCalc, new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.2.3.4.1"));
            gen.addCertificates(new JcaCertStore(tsa.chain()));
            TimeStampRequestGenerator requests = new TimeStampRequestGenerator();
            requests.setCertReq(true);
            var request = requests.generate(digest.oid(), imprint);
            return gen.generate(request, BigInteger.valueOf(time.getEpochSecond()), Date.from(time))
                    .toCMSSignedData().toASN1Structure().getEncoded("DER");
        } catch (Exception e) {
            throw new SignerException("the test TSA failed: " + e, e);
        }
    }
}
