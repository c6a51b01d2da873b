/*
 * Signature verification inside the target (docs/format.md 8) with Windows' own APIs: bcrypt hashes and checks
 * the SignerInfo's signature, crypt32 decodes certificates, checks their signatures and validity times. The DER
 * is located by the portable core (hp_sig.c). Wine's crypt32 does not verify ECDSA SignerInfos
 * (CryptMsgControl fails with CRYPT_E_ASN1_BADTAG), so the SignerInfo is checked with bcrypt directly.
 */
#include "hp_win.h"

#include <bcrypt.h>
#include <wincrypt.h>

#define ENC (X509_ASN_ENCODING | PKCS_7_ASN_ENCODING)

int hp_hash_begin(hp_hash *h, int bits, hp_error *err) {
    h->bits = bits;
    h->alg = h->hash = NULL;
    NTSTATUS s = BCryptOpenAlgorithmProvider((BCRYPT_ALG_HANDLE *) &h->alg,
                                             bits == HP_HASH_SHA384 ? BCRYPT_SHA384_ALGORITHM : BCRYPT_SHA256_ALGORITHM,
                                             NULL, 0);
    if (s < 0) return hp_fail(err, HP_EFORMAT, "bcrypt cannot open SHA-%d (status 0x%x)", bits, (unsigned) s);
    s = BCryptCreateHash(h->alg, (BCRYPT_HASH_HANDLE *) &h->hash, NULL, 0, NULL, 0, 0);
    if (s < 0) {
        BCryptCloseAlgorithmProvider(h->alg, 0);
        return hp_fail(err, HP_EFORMAT, "bcrypt cannot create a SHA-%d hash (status 0x%x)", bits, (unsigned) s);
    }
    return HP_OK;
}

void hp_hash_update(void *ctx, const uint8_t *bytes, size_t len) {
    hp_hash *h = ctx;
    while (len) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG) len;
        BCryptHashData(h->hash, (PUCHAR) bytes, n, 0);
        bytes += n;
        len -= n;
    }
}

int hp_hash_end(hp_hash *h, uint8_t *out, hp_error *err) {
    NTSTATUS s = BCryptFinishHash(h->hash, out, (ULONG) h->bits / 8, 0);
    BCryptDestroyHash(h->hash);
    BCryptCloseAlgorithmProvider(h->alg, 0);
    if (s < 0) return hp_fail(err, HP_EFORMAT, "bcrypt cannot finish a SHA-%d hash (status 0x%x)", h->bits, (unsigned) s);
    return HP_OK;
}

static int digest(int bits, const uint8_t *p, size_t n, uint8_t *out, hp_error *err) {
    hp_hash h;
    int rc = hp_hash_begin(&h, bits, err);
    if (rc) return rc;
    hp_hash_update(&h, p, n);
    return hp_hash_end(&h, out, err);
}

static int same(hp_span a, hp_span b) { return a.n == b.n && hp_equal(a.p, b.p, a.n); }

/* The anchor as DER: PEM is decoded by crypt32. */
static PCCERT_CONTEXT anchor_context(const uint8_t *anchor, size_t len, hp_error *err) {
    PCCERT_CONTEXT c = CertCreateCertificateContext(X509_ASN_ENCODING, anchor, (DWORD) len);
    if (c) return c;
    DWORD n = 0;
    if (CryptStringToBinaryA((const char *) anchor, (DWORD) len, CRYPT_STRING_BASE64HEADER, NULL, &n, NULL, NULL) && n) {
        BYTE *der = hp_alloc(n);
        if (der && CryptStringToBinaryA((const char *) anchor, (DWORD) len, CRYPT_STRING_BASE64HEADER, der, &n, NULL,
                                        NULL))
            c = CertCreateCertificateContext(X509_ASN_ENCODING, der, n);
        hp_free(der);
    }
    if (!c) hp_fail(err, HP_EFORMAT, "the trust anchor is not a DER or PEM certificate");
    return c;
}

/* basicConstraints cA = TRUE */
static int is_ca(const hp_cert *c) {
    static const uint8_t oid[] = {0x55, 0x1d, 0x13};
    hp_span v = hp_cert_extension(c, oid, sizeof oid);
    hp_der seq, b;
    if (hp_der_read(v, &seq) || seq.tag != 0x30) return 0;
    return hp_der_read(seq.value, &b) == HP_OK && b.tag == 0x01 && b.value.n == 1 && b.value.p[0] != 0;
}

static int time_valid(PCCERT_CONTEXT c, const char *role, hp_error *err) {
    LONG t = CertVerifyTimeValidity(NULL, c->pCertInfo);
    if (t == 0) return HP_OK;
    return hp_fail(err, HP_EFORMAT, "certificate_expired: the %s certificate is %s its validity period", role,
                   t < 0 ? "before" : "past");
}

static int signed_by(PCCERT_CONTEXT subject, PCCERT_CONTEXT issuer) {
    return CryptVerifyCertificateSignatureEx(0, X509_ASN_ENCODING, CRYPT_VERIFY_CERT_SIGN_SUBJECT_CERT,
                                             (void *) subject, CRYPT_VERIFY_CERT_SIGN_ISSUER_CERT, (void *) issuer, 0,
                                             NULL) != 0;
}

typedef struct verify_state {
    PCCERT_CONTEXT ctx[HP_SIG_MAX_CERTS];
    hp_cert certs[HP_SIG_MAX_CERTS];
    PCCERT_CONTEXT anchor;
    BCRYPT_KEY_HANDLE key;
    uint8_t *attrs;
} verify_state;

static int chain(verify_state *v, uint32_t count, int signer, hp_error *err) {
    hp_cert anchor;
    hp_span anchor_der = {v->anchor->pbCertEncoded, v->anchor->cbCertEncoded};
    if (hp_cert_parse(anchor_der, &anchor, err)) return HP_EFORMAT;
    int cur = signer;
    for (int depth = 0; depth < HP_SIG_MAX_CERTS; depth++) {
        int rc = time_valid(v->ctx[cur], depth ? "intermediate" : "signer's", err);
        if (rc) return rc;
        hp_span der = {v->ctx[cur]->pbCertEncoded, v->ctx[cur]->cbCertEncoded};
        if (same(der, anchor_der)) return time_valid(v->anchor, "trust anchor", err);
        if (same(v->certs[cur].issuer, anchor.subject) && signed_by(v->ctx[cur], v->anchor))
            return time_valid(v->anchor, "trust anchor", err);
        int next = -1;
        for (uint32_t i = 0; i < count && next < 0; i++)
            if ((int) i != cur && same(v->certs[i].subject, v->certs[cur].issuer) && is_ca(&v->certs[i]) &&
                signed_by(v->ctx[cur], v->ctx[i]))
                next = (int) i;
        if (next < 0) break;
        cur = next;
    }
    return hp_fail(err, HP_EFORMAT, "untrusted_chain: the signer's certificate chain does not reach the pinned trust "
                   "anchor");
}

static int check(verify_state *v, const hp_pe *pe, const hp_signature *sig, const uint8_t *anchor, size_t anchor_len,
                 hp_error *err) {
    int rc;
    if (hp_pe_checksum(pe->file, pe->size, pe->opt + 64) != pe->check_sum)
        return hp_fail(err, HP_EFORMAT, "bad_checksum: the optional header's CheckSum does not match the file (changed "
                       "after signing)");
    uint8_t want[48], got[48];
    hp_hash h;
    if ((rc = hp_hash_begin(&h, sig->image_hash, err))) return rc;
    if ((rc = hp_canonical_form(pe, hp_hash_update, &h, err))) { hp_hash_end(&h, got, err); return rc; }
    if ((rc = hp_hash_end(&h, got, err))) return rc;
    if (!hp_equal(got, sig->image_digest.p, sig->image_digest.n))
        return hp_fail(err, HP_EFORMAT, "bad_digest: the patch file's Authenticode digest differs from the signed one "
                       "(the file was changed after signing)");
    if ((rc = digest(sig->signer_hash, sig->content.p, sig->content.n, got, err))) return rc;
    if (!hp_equal(got, sig->message_digest.p, sig->message_digest.n))
        return hp_fail(err, HP_EFORMAT, "bad_digest: the signed messageDigest does not match SpcIndirectDataContent");

    int signer = -1;
    for (uint32_t i = 0; i < sig->cert_count; i++) {
        if ((rc = hp_cert_parse(sig->certs[i], &v->certs[i], err))) return rc;
        v->ctx[i] = CertCreateCertificateContext(X509_ASN_ENCODING, sig->certs[i].p, sig->certs[i].n);
        if (!v->ctx[i]) return hp_fail(err, HP_EFORMAT, "crypt32 cannot decode certificate %u of the signature", i);
        if (same(v->certs[i].issuer, sig->signer_issuer) && same(v->certs[i].serial, sig->signer_serial)) signer = (int) i;
    }
    if (signer < 0) return hp_fail(err, HP_EFORMAT, "bad_signature: the signer's certificate is not in the signature");
    hp_span eku = hp_cert_extension(&v->certs[signer], HP_OID_EKU, sizeof HP_OID_EKU);
    if (!hp_eku_has(eku, HP_OID_CODE_SIGNING, sizeof HP_OID_CODE_SIGNING) ||
        !hp_eku_has(eku, HP_OID_HOTPATCH_SIGNING, sizeof HP_OID_HOTPATCH_SIGNING))
        return hp_fail(err, HP_EFORMAT, "missing_key_usage: the signer's certificate lacks id-kp-codeSigning or the "
                       "hotpatch-signing extended key usage");

    PCERT_PUBLIC_KEY_INFO spki = &v->ctx[signer]->pCertInfo->SubjectPublicKeyInfo;
    const char *alg = spki->Algorithm.pszObjId;
    int is_ec = alg && !lstrcmpA(alg, szOID_ECC_PUBLIC_KEY), is_rsa = alg && !lstrcmpA(alg, szOID_RSA_RSA);
    if ((sig->signature_key == HP_KEY_ECDSA && !is_ec) || (sig->signature_key == HP_KEY_RSA && !is_rsa))
        return hp_fail(err, HP_EFORMAT, "bad_signature: the signature algorithm does not match the signer's key");
    if (!CryptImportPublicKeyInfoEx2(X509_ASN_ENCODING, spki, 0, NULL, &v->key))
        return hp_fail(err, HP_EFORMAT, "bcrypt cannot import the signer's key (error %u)", (unsigned) GetLastError());
    /* an EC key's size from its named curve (Wine's CertGetPublicKeyLength and BCRYPT_KEY_LENGTH answer 0 for EC
     * keys); an RSA key's from crypt32, else bcrypt */
    static const uint8_t p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    static const uint8_t p384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
    DWORD bits = 0, got_len = 0;
    hp_span curve = {spki->Algorithm.Parameters.pbData, spki->Algorithm.Parameters.cbData};
    if (is_ec) {
        hp_span a = {p256, sizeof p256}, b = {p384, sizeof p384};
        bits = same(curve, a) ? 256 : same(curve, b) ? 384 : 0;
    } else {
        bits = CertGetPublicKeyLength(X509_ASN_ENCODING, spki);
        if (!bits && BCryptGetProperty(v->key, BCRYPT_KEY_LENGTH, (PUCHAR) &bits, sizeof bits, &got_len, 0) < 0)
            bits = 0;
    }
    if ((is_ec && bits != 256 && bits != 384) || (is_rsa && bits < 3072))
        return hp_fail(err, HP_EFORMAT, "weak_algorithm: the signer's %s key has %u bits (RSA 3072 or more, ECDSA "
                       "P-256 or P-384 only)", is_ec ? "ECDSA" : "RSA", (unsigned) bits);

    v->attrs = hp_alloc(sig->signed_attrs.n);
    if (!v->attrs) return hp_fail(err, HP_ENOMEM, "no memory for the signed attributes");
    hp_copy(v->attrs, sig->signed_attrs.p, sig->signed_attrs.n);
    v->attrs[0] = 0x31; /* [0] IMPLICIT SET OF -> SET OF: what the signature covers */
    if ((rc = digest(sig->signer_hash, v->attrs, sig->signed_attrs.n, got, err))) return rc;
    NTSTATUS s;
    if (is_ec) {
        uint32_t size = bits / 8;
        uint8_t raw[96];
        if ((rc = hp_ecdsa_raw(sig->signature, size, raw, err))) return rc;
        s = BCryptVerifySignature(v->key, NULL, got, (ULONG) sig->signer_hash / 8, raw, 2 * size, 0);
    } else {
        BCRYPT_PKCS1_PADDING_INFO pad = {sig->signer_hash == HP_HASH_SHA384 ? BCRYPT_SHA384_ALGORITHM
                                                                            : BCRYPT_SHA256_ALGORITHM};
        s = BCryptVerifySignature(v->key, &pad, got, (ULONG) sig->signer_hash / 8, (PUCHAR) sig->signature.p,
                                  sig->signature.n, BCRYPT_PAD_PKCS1);
    }
    if (s < 0)
        return hp_fail(err, HP_EFORMAT, "bad_signature: the signature does not verify with the signer's key (status "
                       "0x%x)", (unsigned) s);
    (void) want;
    v->anchor = anchor_context(anchor, anchor_len, err);
    if (!v->anchor) return HP_EFORMAT;
    return chain(v, sig->cert_count, signer, err);
}

int hp_verify_signature(const hp_pe *pe, const uint8_t *anchor, size_t anchor_len, hp_error *err) {
    hp_signature sig;
    int rc = hp_sig_parse(pe, &sig, err);
    if (rc) return rc;
    verify_state v;
    hp_zero(&v, sizeof v);
    rc = check(&v, pe, &sig, anchor, anchor_len, err);
    for (int i = 0; i < HP_SIG_MAX_CERTS; i++)
        if (v.ctx[i]) CertFreeCertificateContext(v.ctx[i]);
    if (v.anchor) CertFreeCertificateContext(v.anchor);
    if (v.key) BCryptDestroyKey(v.key);
    hp_free(v.attrs);
    return rc;
}
