package dev.hotpatch.signer.keys;

import dev.hotpatch.signer.SignerException;

import java.io.FileInputStream;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The part of {@link Pkcs11KeyLoaderTest} that runs in a child JVM, because SoftHSM2 reads SOFTHSM2_CONF from the
 * process environment, which a running JVM cannot change. Arguments are {@code command key=value...}; output is
 * one {@code key value} line per fact, and {@code error <message>} with exit status 3 for a SignerException.
 *
 * <ul>
 *   <li>{@code provision library= label= pin= p12= password=}: stores every key entry of the PKCS#12 file, with its
 *       chain, on the token through the SunPKCS11 KeyStore; prints {@code slot <id>}.</li>
 *   <li>{@code sign library= (label=|slot=) pin= alias= [chain=]}: loads the key with {@link KeyLoader}, signs the
 *       bytes "hotpatch" through the key's provider; prints {@code provider}, {@code key-class}, one
 *       {@code certificate <base64>} per chain entry and {@code signature <algorithm> <base64>}.</li>
 * </ul>
 */
public final class Pkcs11Child {
    private Pkcs11Child() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            a.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        try {
            switch (args[0]) {
                case "provision" -> provision(a);
                case "sign" -> sign(a);
                default -> throw new IllegalArgumentException(args[0]);
            }
        } catch (SignerException e) {
            System.out.println("error " + e.getMessage());
            System.exit(3);
        }
    }

    private static void provision(Map<String, String> a) throws Exception {
        Path library = Path.of(a.get("library"));
        long slot = Pkcs11TokenLabels.slotOf(library, a.get("label"));
        Provider provider = Security.getProvider("SunPKCS11")
                .configure("--name=provision\nlibrary=" + library + "\nslot=" + slot + "\n");
        KeyStore token = KeyStore.getInstance("PKCS11", provider);
        token.load(null, a.get("pin").toCharArray());
        char[] password = a.get("password").toCharArray();
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(a.get("p12"))) {
            p12.load(in, password);
        }
        for (String alias : Collections.list(p12.aliases())) {
            Key key = p12.getKey(alias, password);
            token.setKeyEntry(alias, key, null, p12.getCertificateChain(alias));
        }
        System.out.println("slot " + slot);
    }

    private static void sign(Map<String, String> a) throws Exception {
        KeySpec.TokenRef token = a.containsKey("label") ? new KeySpec.TokenRef.Label(a.get("label"))
                : new KeySpec.TokenRef.Slot(Long.parseLong(a.get("slot")));
        SigningKey key = KeyLoader.load(new KeySpec.Pkcs11Token(Path.of(a.get("library")), token,
                a.get("pin").toCharArray(), a.get("alias"), Optional.ofNullable(a.get("chain")).map(Path::of)));
        Provider provider = key.provider().orElseThrow();
        PrivateKey privateKey = key.privateKey();
        String algorithm = privateKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        Signature signer = Signature.getInstance(algorithm, provider);
        signer.initSign(privateKey);
        signer.update("hotpatch".getBytes());
        System.out.println("provider " + provider.getName());
        System.out.println("key-class " + privateKey.getClass().getName());
        for (X509Certificate c : key.chain()) {
            System.out.println("certificate " + Base64.getEncoder().encodeToString(c.getEncoded()));
        }
        System.out.println("signature " + algorithm + " " + Base64.getEncoder().encodeToString(signer.sign()));
    }
}
