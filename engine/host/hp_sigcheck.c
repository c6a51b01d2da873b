/*
 * hp_sigcheck: the parts of docs/format.md 8 the portable core does, on a file, for the tests on Linux: the
 * Authenticode container, the image digest recomputed over the file (the engine's hp_canonical_form ranges),
 * the messageDigest attribute over SpcIndirectDataContent, the PE CheckSum, and the signer's two extended key
 * usages. SHA-384 and the signature itself are checked by the engine with bcrypt (under Wine), not here.
 *
 *   hp_sigcheck PATCH      exit 0 all checked; 5 a check failed (the message names it); 1 unreadable; 2 usage
 */
#include "../core/hp_sig.h"
#include "sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *hp_alloc(size_t size) { return malloc(size); }
void hp_free(void *p) { free(p); }

static uint8_t *file;

static int fail(const char *what) {
    fprintf(stderr, "hp_sigcheck: %s\n", what);
    return 5;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: hp_sigcheck PATCH\n"); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) return 1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    file = malloc(n > 0 ? (size_t) n : 1);
    if (!file || fread(file, 1, (size_t) n, f) != (size_t) n) return 1;
    fclose(f);
    hp_pe pe;
    hp_signature sig;
    hp_error err = {0};
    if (hp_pe_parse(&pe, file, (size_t) n, &err) || hp_sig_parse(&pe, &sig, &err)) return fail(err.text);
    if (sig.image_hash != HP_HASH_SHA256 || sig.signer_hash != HP_HASH_SHA256)
        return fail("only SHA-256 is checked on Linux");
    uint8_t digest[32];
    sha256_ctx c;
    sha256_init(&c);
    if (hp_canonical_form(&pe, sha256_callback, &c, &err)) return fail(err.text);
    sha256_final(&c, digest);
    if (memcmp(digest, sig.image_digest.p, 32)) return fail("bad_digest: the file's Authenticode digest differs from the signed one");
    sha256_init(&c);
    sha256_update(&c, sig.content.p, sig.content.n);
    sha256_final(&c, digest);
    if (memcmp(digest, sig.message_digest.p, 32)) return fail("bad_digest: the messageDigest attribute does not match the content");
    if (hp_pe_checksum(file, (size_t) n, pe.opt + 64) != pe.check_sum) return fail("the CheckSum does not match the file");
    int signer = -1;
    for (uint32_t i = 0; i < sig.cert_count; i++) {
        hp_cert cert;
        if (hp_cert_parse(sig.certs[i], &cert, &err)) return fail(err.text);
        if (cert.issuer.n == sig.signer_issuer.n && !memcmp(cert.issuer.p, sig.signer_issuer.p, cert.issuer.n) &&
            cert.serial.n == sig.signer_serial.n && !memcmp(cert.serial.p, sig.signer_serial.p, cert.serial.n)) {
            signer = (int) i;
            hp_span eku = hp_cert_extension(&cert, HP_OID_EKU, sizeof HP_OID_EKU);
            if (!hp_eku_has(eku, HP_OID_CODE_SIGNING, sizeof HP_OID_CODE_SIGNING) ||
                !hp_eku_has(eku, HP_OID_HOTPATCH_SIGNING, sizeof HP_OID_HOTPATCH_SIGNING))
                return fail("missing_key_usage: the signer lacks code signing or hotpatch signing");
        }
    }
    if (signer < 0) return fail("the signer's certificate is not in the signature");
    uint8_t raw[96];
    if (sig.signature_key == HP_KEY_ECDSA && hp_ecdsa_raw(sig.signature, 32, raw, &err)) return fail(err.text);
    printf("signature parsed: %u certificates, signer %d, %s, image digest, message digest and CheckSum match\n",
           sig.cert_count, signer, sig.signature_key == HP_KEY_ECDSA ? "ECDSA" : "RSA");
    return 0;
}
