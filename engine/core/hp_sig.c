/* The Authenticode container and the certificates, read as DER with every length checked (see hp_sig.h). */
#include "hp_sig.h"

static const uint8_t OID_SIGNED_DATA[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};
static const uint8_t OID_SPC_INDIRECT[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x04};
static const uint8_t OID_CONTENT_TYPE[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03};
static const uint8_t OID_MESSAGE_DIGEST[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04};
static const uint8_t OID_SHA256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
static const uint8_t OID_SHA384[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02};
static const uint8_t OID_ECDSA_SHA256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const uint8_t OID_ECDSA_SHA384[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
static const uint8_t OID_RSA[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
static const uint8_t OID_RSA_SHA256[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
static const uint8_t OID_RSA_SHA384[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c};
static const uint8_t OID_TIMESTAMP[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x03, 0x03, 0x01};
const uint8_t HP_OID_CODE_SIGNING[8] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03};
/* 2.25.216284987554483076213292469589271056659.1, docs/format.md 8 */
const uint8_t HP_OID_HOTPATCH_SIGNING[21] = {0x69, 0x82, 0xc5, 0xb6, 0xfc, 0xcc, 0xa2, 0xe4, 0xea, 0x9c, 0xe3,
                                             0xbb, 0xb4, 0xd3, 0x94, 0xca, 0xc6, 0xbc, 0xa2, 0x13, 0x01};
const uint8_t HP_OID_EKU[3] = {0x55, 0x1d, 0x25};

#define SIG_FAIL(...) hp_fail(err, HP_EFORMAT, "signature: " __VA_ARGS__)

int hp_der_read(hp_span in, hp_der *out) {
    if (in.n < 2) return HP_EFORMAT;
    uint8_t tag = in.p[0];
    if ((tag & 0x1F) == 0x1F) return HP_EFORMAT; /* high tag numbers: not in anything we read */
    uint32_t len, head;
    uint8_t first = in.p[1];
    if (first < 0x80) {
        len = first;
        head = 2;
    } else {
        uint32_t bytes = first & 0x7F;
        if (bytes == 0 || bytes > 4 || in.n < 2 + bytes) return HP_EFORMAT;
        len = 0;
        for (uint32_t i = 0; i < bytes; i++) len = len << 8 | in.p[2 + i];
        if (len < 0x80 || (bytes > 1 && in.p[2] == 0)) return HP_EFORMAT; /* not the shortest form: not DER */
        head = 2 + bytes;
    }
    if (len > in.n - head) return HP_EFORMAT;
    out->tag = tag;
    out->all.p = in.p;
    out->all.n = head + len;
    out->value.p = in.p + head;
    out->value.n = len;
    return HP_OK;
}

/* Reads the next element of a constructed value (cursor moves past it); fails unless its tag is tag. */
static int next(hp_span *cursor, uint8_t tag, hp_der *out) {
    if (hp_der_read(*cursor, out) || out->tag != tag) return HP_EFORMAT;
    cursor->p += out->all.n;
    cursor->n -= out->all.n;
    return HP_OK;
}

static int is_oid(const hp_der *d, const uint8_t *oid, uint32_t n) {
    return d->tag == 0x06 && d->value.n == n && hp_equal(d->value.p, oid, n);
}

static int hash_of(const hp_der *oid) {
    if (is_oid(oid, OID_SHA256, sizeof OID_SHA256)) return HP_HASH_SHA256;
    if (is_oid(oid, OID_SHA384, sizeof OID_SHA384)) return HP_HASH_SHA384;
    return HP_HASH_NONE;
}

/* AlgorithmIdentifier: SEQUENCE { OID, optional NULL }; returns the OID element. */
static int algorithm(hp_span *cursor, hp_der *oid) {
    hp_der seq;
    if (next(cursor, 0x30, &seq)) return HP_EFORMAT;
    hp_span in = seq.value;
    if (next(&in, 0x06, oid)) return HP_EFORMAT;
    hp_der null;
    if (in.n && (next(&in, 0x05, &null) || null.value.n)) return HP_EFORMAT;
    return in.n ? HP_EFORMAT : HP_OK;
}

/* SpcIndirectDataContent ::= SEQUENCE { data SpcAttributeTypeAndOptionalValue, messageDigest DigestInfo } */
static int indirect(hp_der *content, hp_signature *sig, hp_error *err) {
    sig->content = content->value;
    hp_span in = content->value;
    hp_der data, digest_info, oid, digest;
    if (next(&in, 0x30, &data) || next(&in, 0x30, &digest_info) || in.n)
        return SIG_FAIL("SpcIndirectDataContent: expected SEQUENCE { data, messageDigest }, found other DER");
    hp_span di = digest_info.value;
    if (algorithm(&di, &oid) || next(&di, 0x04, &digest) || di.n)
        return SIG_FAIL("SpcIndirectDataContent.messageDigest: expected DigestInfo, found other DER");
    sig->image_hash = hash_of(&oid);
    if (sig->image_hash == HP_HASH_NONE)
        return SIG_FAIL("the image digest's algorithm is not SHA-256 or SHA-384 (weak_algorithm)");
    if (digest.value.n != (uint32_t) sig->image_hash / 8)
        return SIG_FAIL("the image digest is %u bytes, expected %u", digest.value.n, (unsigned) sig->image_hash / 8);
    sig->image_digest = digest.value;
    return HP_OK;
}

static int signed_attributes(hp_der *attrs, hp_signature *sig, hp_error *err) {
    hp_span in = attrs->value;
    int content_type = 0;
    while (in.n) {
        hp_der attr, oid, values, value;
        if (next(&in, 0x30, &attr)) return SIG_FAIL("signed attributes: expected Attribute, found other DER");
        hp_span a = attr.value;
        if (next(&a, 0x06, &oid) || next(&a, 0x31, &values) || a.n)
            return SIG_FAIL("signed attribute: expected SEQUENCE { OID, SET }, found other DER");
        hp_span v = values.value;
        if (is_oid(&oid, OID_CONTENT_TYPE, sizeof OID_CONTENT_TYPE)) {
            if (content_type || next(&v, 0x06, &value) || v.n || !is_oid(&value, OID_SPC_INDIRECT, sizeof OID_SPC_INDIRECT))
                return SIG_FAIL("the contentType attribute must name SpcIndirectDataContent, once");
            content_type = 1;
        } else if (is_oid(&oid, OID_MESSAGE_DIGEST, sizeof OID_MESSAGE_DIGEST)) {
            if (sig->message_digest.n || next(&v, 0x04, &value) || v.n || !value.value.n)
                return SIG_FAIL("the messageDigest attribute must hold one OCTET STRING, once");
            sig->message_digest = value.value;
        }
    }
    if (!content_type || !sig->message_digest.n)
        return SIG_FAIL("the signed attributes lack %s", content_type ? "messageDigest" : "contentType");
    return HP_OK;
}

static int unsigned_attributes(hp_der *attrs, hp_signature *sig, hp_error *err) {
    hp_span in = attrs->value;
    while (in.n) {
        hp_der attr, oid;
        if (next(&in, 0x30, &attr)) return SIG_FAIL("unsigned attributes: expected Attribute, found other DER");
        hp_span a = attr.value;
        if (next(&a, 0x06, &oid)) return SIG_FAIL("unsigned attribute: expected an OID, found other DER");
        if (!is_oid(&oid, OID_TIMESTAMP, sizeof OID_TIMESTAMP) || sig->has_timestamp)
            return SIG_FAIL("an unsigned attribute other than one RFC 3161 time-stamp (malformed_signature: nothing "
                            "authenticates it)");
        sig->has_timestamp = 1;
    }
    return HP_OK;
}

static int signer_info(hp_der *si, hp_signature *sig, hp_error *err) {
    hp_span in = si->value;
    hp_der version, sid, issuer, serial, digest_oid, attrs, sig_oid, signature;
    if (next(&in, 0x02, &version) || version.value.n != 1 || version.value.p[0] != 1)
        return SIG_FAIL("SignerInfo.version: expected 1 (issuerAndSerialNumber)");
    if (next(&in, 0x30, &sid)) return SIG_FAIL("SignerInfo.sid: expected issuerAndSerialNumber");
    hp_span s = sid.value;
    if (next(&s, 0x30, &issuer) || next(&s, 0x02, &serial) || s.n)
        return SIG_FAIL("SignerInfo.sid: expected SEQUENCE { Name, INTEGER }");
    sig->signer_issuer = issuer.all;
    sig->signer_serial = serial.value;
    if (algorithm(&in, &digest_oid)) return SIG_FAIL("SignerInfo.digestAlgorithm: expected AlgorithmIdentifier");
    sig->signer_hash = hash_of(&digest_oid);
    if (sig->signer_hash == HP_HASH_NONE)
        return SIG_FAIL("the signer's digest algorithm is not SHA-256 or SHA-384 (weak_algorithm)");
    if (next(&in, 0xA0, &attrs)) return SIG_FAIL("SignerInfo: expected signed attributes");
    sig->signed_attrs = attrs.all;
    int rc = signed_attributes(&attrs, sig, err);
    if (rc) return rc;
    if (sig->message_digest.n != (uint32_t) sig->signer_hash / 8)
        return SIG_FAIL("the messageDigest attribute is %u bytes, expected %u", sig->message_digest.n,
                        (unsigned) sig->signer_hash / 8);
    if (algorithm(&in, &sig_oid)) return SIG_FAIL("SignerInfo.signatureAlgorithm: expected AlgorithmIdentifier");
    if (is_oid(&sig_oid, OID_ECDSA_SHA256, sizeof OID_ECDSA_SHA256)) {
        sig->signature_key = HP_KEY_ECDSA; sig->signature_hash = HP_HASH_SHA256;
    } else if (is_oid(&sig_oid, OID_ECDSA_SHA384, sizeof OID_ECDSA_SHA384)) {
        sig->signature_key = HP_KEY_ECDSA; sig->signature_hash = HP_HASH_SHA384;
    } else if (is_oid(&sig_oid, OID_RSA_SHA256, sizeof OID_RSA_SHA256)) {
        sig->signature_key = HP_KEY_RSA; sig->signature_hash = HP_HASH_SHA256;
    } else if (is_oid(&sig_oid, OID_RSA_SHA384, sizeof OID_RSA_SHA384)) {
        sig->signature_key = HP_KEY_RSA; sig->signature_hash = HP_HASH_SHA384;
    } else if (is_oid(&sig_oid, OID_RSA, sizeof OID_RSA)) {
        sig->signature_key = HP_KEY_RSA; sig->signature_hash = sig->signer_hash;
    } else {
        return SIG_FAIL("the signature algorithm is not RSA PKCS#1 v1.5 or ECDSA with SHA-256/384 (weak_algorithm)");
    }
    if (sig->signature_hash != sig->signer_hash)
        return SIG_FAIL("the signature algorithm's hash differs from the signer's digest algorithm");
    if (next(&in, 0x04, &signature) || !signature.value.n) return SIG_FAIL("SignerInfo.signature: expected OCTET STRING");
    sig->signature = signature.value;
    if (in.n) {
        hp_der unsigned_attrs;
        if (next(&in, 0xA1, &unsigned_attrs) || in.n) return SIG_FAIL("SignerInfo: unexpected DER after the signature");
        return unsigned_attributes(&unsigned_attrs, sig, err);
    }
    return HP_OK;
}

int hp_sig_parse(const hp_pe *pe, hp_signature *sig, hp_error *err) {
    hp_zero(sig, sizeof *sig);
    if (pe->directory_count <= HP_DIR_CERTIFICATE || !pe->dir_rva[HP_DIR_CERTIFICATE] ||
        !pe->dir_size[HP_DIR_CERTIFICATE])
        return hp_fail(err, HP_EFORMAT, "the patch is not signed (no certificate table)");
    uint32_t at = pe->dir_rva[HP_DIR_CERTIFICATE], size = pe->dir_size[HP_DIR_CERTIFICATE];
    if ((uint64_t) at + size != pe->size || at % 8 || size < 8)
        return SIG_FAIL("the certificate table at file offset 0x%x (0x%x bytes) must be 8-aligned and end the file "
                        "(0x%llx bytes): nothing may follow it", at, size, (unsigned long long) pe->size);
    const uint8_t *w = pe->file + at;
    uint32_t length = hp_u32(w);
    if (length < 8 || length > size || ((length + 7u) & ~7u) != size || hp_u16(w + 4) != 0x0200 || hp_u16(w + 6) != 2)
        return SIG_FAIL("expected one WIN_CERTIFICATE (revision 0x0200, type 2) filling the table, found length 0x%x, "
                        "revision 0x%x, type %u", length, hp_u16(w + 4), hp_u16(w + 6));
    hp_span in = {w + 8, length - 8};
    hp_der ci, oid, explicit0, signed_data, version, digest_algs, encap, econtent_type, econtent, content;
    if (next(&in, 0x30, &ci)) return SIG_FAIL("expected a PKCS#7 ContentInfo");
    sig->pkcs7 = ci.all;
    hp_span c = ci.value;
    if (next(&c, 0x06, &oid) || !is_oid(&oid, OID_SIGNED_DATA, sizeof OID_SIGNED_DATA) ||
        next(&c, 0xA0, &explicit0) || c.n)
        return SIG_FAIL("expected ContentInfo of type signedData");
    hp_span e = explicit0.value;
    if (next(&e, 0x30, &signed_data) || e.n) return SIG_FAIL("expected SignedData");
    hp_span sd = signed_data.value;
    if (next(&sd, 0x02, &version) || next(&sd, 0x31, &digest_algs) || next(&sd, 0x30, &encap))
        return SIG_FAIL("SignedData: expected version, digestAlgorithms, encapContentInfo");
    hp_span ec = encap.value;
    if (next(&ec, 0x06, &econtent_type) || !is_oid(&econtent_type, OID_SPC_INDIRECT, sizeof OID_SPC_INDIRECT) ||
        next(&ec, 0xA0, &econtent) || ec.n)
        return SIG_FAIL("encapContentInfo: expected SpcIndirectDataContent (1.3.6.1.4.1.311.2.1.4)");
    hp_span ev = econtent.value;
    if (next(&ev, 0x30, &content) || ev.n) return SIG_FAIL("expected SpcIndirectDataContent to be a SEQUENCE");
    int rc = indirect(&content, sig, err);
    if (rc) return rc;
    hp_der certs, crls, signer_infos, si;
    if (hp_der_read(sd, &certs) == HP_OK && certs.tag == 0xA0) {
        next(&sd, 0xA0, &certs);
        hp_span cs = certs.value;
        while (cs.n) {
            hp_der cert;
            if (next(&cs, 0x30, &cert)) return SIG_FAIL("certificates: expected Certificate");
            if (sig->cert_count == HP_SIG_MAX_CERTS) return SIG_FAIL("more than %u certificates", HP_SIG_MAX_CERTS);
            sig->certs[sig->cert_count++] = cert.all;
        }
    }
    if (hp_der_read(sd, &crls) == HP_OK && crls.tag == 0xA1) next(&sd, 0xA1, &crls);
    if (next(&sd, 0x31, &signer_infos) || sd.n) return SIG_FAIL("SignedData: expected signerInfos last");
    hp_span sis = signer_infos.value;
    if (next(&sis, 0x30, &si) || sis.n) return SIG_FAIL("expected exactly one SignerInfo");
    rc = signer_info(&si, sig, err);
    if (rc) return rc;
    if (in.n > 7) return SIG_FAIL("%u bytes follow the PKCS#7 structure in the WIN_CERTIFICATE", in.n);
    for (uint32_t i = 0; i < in.n; i++)
        if (in.p[i]) return SIG_FAIL("non-zero padding after the PKCS#7 structure");
    return HP_OK;
}

int hp_cert_parse(hp_span der, hp_cert *cert, hp_error *err) {
    hp_zero(cert, sizeof *cert);
    hp_der outer, tbs, field;
    hp_span in = der;
    if (next(&in, 0x30, &outer) || in.n) return SIG_FAIL("a certificate is not one DER SEQUENCE");
    hp_span o = outer.value;
    if (next(&o, 0x30, &tbs)) return SIG_FAIL("a certificate lacks its tbsCertificate");
    cert->tbs = tbs.all;
    hp_span t = tbs.value;
    if (hp_der_read(t, &field) == HP_OK && field.tag == 0xA0) next(&t, 0xA0, &field); /* version */
    hp_der serial, sigalg, issuer, validity, subject, spki;
    if (next(&t, 0x02, &serial) || next(&t, 0x30, &sigalg) || next(&t, 0x30, &issuer) || next(&t, 0x30, &validity) ||
        next(&t, 0x30, &subject) || next(&t, 0x30, &spki))
        return SIG_FAIL("a certificate's tbsCertificate is not serial, signature, issuer, validity, subject, key");
    cert->serial = serial.value;
    cert->issuer = issuer.all;
    cert->subject = subject.all;
    cert->spki = spki.all;
    while (t.n) {
        if (hp_der_read(t, &field)) return SIG_FAIL("a certificate's tbsCertificate holds malformed DER");
        t.p += field.all.n;
        t.n -= field.all.n;
        if (field.tag == 0xA3) {
            hp_span x = field.value;
            hp_der seq;
            if (next(&x, 0x30, &seq) || x.n) return SIG_FAIL("a certificate's extensions are malformed");
            cert->extensions = seq.value;
        }
    }
    return HP_OK;
}

hp_span hp_cert_extension(const hp_cert *cert, const uint8_t *oid, uint32_t oid_len) {
    hp_span none = {0, 0};
    hp_span in = cert->extensions;
    while (in.n) {
        hp_der ext, id, value, critical;
        if (next(&in, 0x30, &ext)) return none;
        hp_span e = ext.value;
        if (next(&e, 0x06, &id)) return none;
        if (hp_der_read(e, &critical) == HP_OK && critical.tag == 0x01) next(&e, 0x01, &critical);
        if (next(&e, 0x04, &value) || e.n) return none;
        if (is_oid(&id, oid, oid_len)) return value.value;
    }
    return none;
}

int hp_eku_has(hp_span eku, const uint8_t *oid, uint32_t oid_len) {
    hp_der seq;
    hp_span in = eku;
    if (next(&in, 0x30, &seq) || in.n) return 0;
    hp_span s = seq.value;
    while (s.n) {
        hp_der id;
        if (next(&s, 0x06, &id)) return 0;
        if (is_oid(&id, oid, oid_len)) return 1;
    }
    return 0;
}

int hp_ecdsa_raw(hp_span der, uint32_t size, uint8_t *out, hp_error *err) {
    hp_der seq, r, s;
    hp_span in = der;
    if (next(&in, 0x30, &seq) || in.n) return SIG_FAIL("the ECDSA signature is not SEQUENCE { r, s }");
    hp_span v = seq.value;
    if (next(&v, 0x02, &r) || next(&v, 0x02, &s) || v.n) return SIG_FAIL("the ECDSA signature is not SEQUENCE { r, s }");
    hp_der *parts[2] = {&r, &s};
    for (int i = 0; i < 2; i++) {
        hp_span x = parts[i]->value;
        while (x.n > 1 && x.p[0] == 0) { x.p++; x.n--; }
        if (x.n > size || !x.n) return SIG_FAIL("an ECDSA signature integer is longer than the curve's %u bytes", size);
        hp_zero(out + (uint32_t) i * size, size - x.n);
        hp_copy(out + (uint32_t) i * size + size - x.n, x.p, x.n);
    }
    return HP_OK;
}

uint32_t hp_pe_checksum(const uint8_t *file, size_t size, uint32_t checksum_offset) {
    uint64_t sum = 0;
    for (size_t i = 0; i < size; i += 2) {
        uint32_t word = file[i] | (i + 1 < size ? (uint32_t) file[i + 1] << 8 : 0);
        if (i == checksum_offset || i == (size_t) checksum_offset + 2) word = 0;
        sum += word;
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint32_t) (sum + size);
}
