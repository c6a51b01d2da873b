package dev.hotpatch.signer.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hotpatch.signer.testpki.TestPki;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.cmp.PKIFailureInfo;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampResponseGenerator;
import org.bouncycastle.tsp.TimeStampTokenGenerator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real RFC 3161 time-stamping server on the loopback interface, for tests: Bouncy Castle's token generator
 * behind {@code com.sun.net.httpserver}, with a TSA certificate (critical EKU id-kp-timeStamping) issued by its own
 * test root. It can also misbehave in the ways a client must survive; see {@link Mode}.
 *
 * <pre>{@code
 * try (LocalTsa tsa = LocalTsa.start()) {
 *     Timestamper t = new Rfc3161Timestamper(TimestampSettings.of(List.of(tsa.url())));
 *     byte[] token = t.timestamp(signatureValue, DigestAlgorithm.SHA256);
 *     // verify the token's chain against tsa.rootCertificate()
 * }
 * }</pre>
 */
public final class LocalTsa implements AutoCloseable {

    /** What the server answers. */
    public enum Mode {
        /** A granted response with a valid token (the normal case). */
        GRANT,
        /** HTTP 200 with bytes that are not DER. */
        GARBAGE,
        /** HTTP 500 with no body. */
        HTTP_500,
        /** A granted token whose nonce is not the request's. */
        WRONG_NONCE,
        /** A granted token over a different message imprint. */
        WRONG_IMPRINT,
        /** A response with status rejection, failure info badAlg, and a status string. */
        REJECT,
        /** A granted token signed with a key that is not the TSA certificate's. */
        BAD_SIGNATURE,
        /** A granted token whose included TSA certificate (same issuer and serial) lacks id-kp-timeStamping. */
        TSA_WITHOUT_EKU,
        /** HTTP 200, chunked, with 2 MiB of zeros. */
        OVERSIZED,
        /** Waits 5 s before answering (the test's read timeout must be shorter). */
        SLOW
    }

    public static final String PATH = "/tsa";
    public static final ASN1ObjectIdentifier POLICY = new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1.1");
    private static final int MAX_REQUEST_BYTES = 64 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;
    private final TestPki.Issued root;
    private final TestPki.Issued tsa;
    private final X509Certificate tsaTwinWithoutEku;
    private final AtomicLong serials = new AtomicLong(1);
    private final AtomicInteger requests = new AtomicInteger();
    private final List<TimeStampRequest> received = new ArrayList<>();
    private volatile Mode mode;
    private final AtomicInteger failuresLeft = new AtomicInteger();

    private LocalTsa(Mode mode) throws IOException {
        this.mode = mode;
        this.root = TestPki.root("Local TSA Root");
        this.tsa = root.issueTsa("Local TSA");
        this.tsaTwinWithoutEku = twinWithoutEku(root, tsa);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "local-tsa");
            t.setDaemon(true);
            return t;
        });
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(PATH, this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** A server that grants every valid request. */
    public static LocalTsa start() throws IOException {
        return new LocalTsa(Mode.GRANT);
    }

    public static LocalTsa start(Mode mode) throws IOException {
        return new LocalTsa(mode);
    }

    /** A URL on the loopback interface where nothing listens, so connecting is refused. */
    public static URI refusingUrl() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        return URI.create("http://127.0.0.1:" + port + PATH);
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    /** The root that issued the TSA certificate: the anchor to validate tokens against. */
    public X509Certificate rootCertificate() {
        return root.certificate();
    }

    public X509Certificate tsaCertificate() {
        return tsa.certificate();
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    /** The next {@code n} requests get HTTP 500, then the server answers in its mode again. */
    public void failNext(int n) {
        failuresLeft.set(n);
    }

    /** How many HTTP requests reached the server, valid or not. */
    public int requests() {
        return requests.get();
    }

    /** The time-stamp requests received, in order. */
    public synchronized List<TimeStampRequest> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (!"application/timestamp-query".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                exchange.sendResponseHeaders(415, -1);
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_REQUEST_BYTES + 1);
            }
            if (body.length > MAX_REQUEST_BYTES) {
                exchange.sendResponseHeaders(413, -1);
                return;
            }
            TimeStampRequest request;
            try {
                request = new TimeStampRequest(body);
            } catch (IOException | RuntimeException e) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            synchronized (this) {
                received.add(request);
            }
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                exchange.sendResponseHeaders(500, -1);
                return;
            }
            answer(exchange, request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // close() while a SLOW answer waits
        } catch (IOException e) {
            // The client hung up (it stops reading an OVERSIZED answer at its limit); it reports that itself.
        } catch (Exception e) {
            // The exchange is closed above; a failing test shows what the client saw.
            System.err.println("LocalTsa: " + e);
        }
    }

    private void answer(HttpExchange exchange, TimeStampRequest request) throws Exception {
        switch (mode) {
            case GRANT -> reply(exchange, grant(request, tsa.privateKey(), tsa.certificate()));
            case GARBAGE -> reply(exchange, "this is not DER, just a web page".getBytes());
            case HTTP_500 -> exchange.sendResponseHeaders(500, -1);
            case WRONG_NONCE -> reply(exchange, grant(rebuild(request, request.getMessageImprintDigest(),
                    request.getNonce().add(BigInteger.ONE)), tsa.privateKey(), tsa.certificate()));
            case WRONG_IMPRINT -> {
                byte[] other = request.getMessageImprintDigest().clone();
                other[0] ^= 1;
                reply(exchange, grant(rebuild(request, other, request.getNonce()), tsa.privateKey(),
                        tsa.certificate()));
            }
            case REJECT -> reply(exchange, generator(tsa.privateKey(), tsa.certificate(), tsa.certificate())
                    .generateFailResponse(PKIStatus.REJECTION, PKIFailureInfo.badAlg, "test TSA refuses")
                    .getEncoded());
            case BAD_SIGNATURE -> reply(exchange, grant(request, TestPki.ecKeyPair().getPrivate(),
                    tsa.certificate()));
            case TSA_WITHOUT_EKU -> reply(exchange, generator(tsa.privateKey(), tsa.certificate(), tsaTwinWithoutEku)
                    .generate(request, BigInteger.valueOf(serials.getAndIncrement()), new Date()).getEncoded());
            case OVERSIZED -> {
                exchange.getResponseHeaders().set("Content-Type", "application/timestamp-reply");
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    byte[] chunk = new byte[64 * 1024];
                    for (int i = 0; i < 32; i++) {
                        out.write(chunk);
                    }
                }
            }
            case SLOW -> {
                Thread.sleep(5000);
                reply(exchange, grant(request, tsa.privateKey(), tsa.certificate()));
            }
        }
    }

    private byte[] grant(TimeStampRequest request, PrivateKey signingKey, X509Certificate signerCertificate)
            throws Exception {
        TimeStampResponse response = generator(signingKey, signerCertificate, signerCertificate)
                .generate(request, BigInteger.valueOf(serials.getAndIncrement()), new Date());
        return response.getEncoded();
    }

    private static TimeStampResponseGenerator generator(PrivateKey signingKey, X509Certificate signerCertificate,
                                                        X509Certificate includedCertificate) throws Exception {
        SignerInfoGenerator signer = new JcaSimpleSignerInfoGeneratorBuilder()
                .build("SHA256withECDSA", signingKey, signerCertificate);
        TimeStampTokenGenerator tokens = new TimeStampTokenGenerator(signer,
                new JcaDigestCalculatorProviderBuilder().build()
                        .get(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256)), POLICY);
        tokens.addCertificates(new JcaCertStore(List.of(includedCertificate)));
        return new TimeStampResponseGenerator(tokens, TSPAlgorithms.ALLOWED);
    }

    private static TimeStampRequest rebuild(TimeStampRequest request, byte[] imprint, BigInteger nonce) {
        TimeStampRequestGenerator generator = new TimeStampRequestGenerator();
        generator.setCertReq(request.getCertReq());
        return generator.generate(request.getMessageImprintAlgOID(), imprint, nonce);
    }

    private static void reply(HttpExchange exchange, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/timestamp-reply");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** The TSA certificate again, same issuer, serial and key, but with only a key usage and no EKU. */
    private static X509Certificate twinWithoutEku(TestPki.Issued root, TestPki.Issued tsa) {
        try {
            X509Certificate original = tsa.certificate();
            var builder = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(root.certificate().getSubjectX500Principal().getEncoded()),
                    original.getSerialNumber(), original.getNotBefore(), original.getNotAfter(),
                    X500Name.getInstance(original.getSubjectX500Principal().getEncoded()), original.getPublicKey())
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(root.privateKey())));
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue the twin TSA certificate", e);
        }
    }
}
