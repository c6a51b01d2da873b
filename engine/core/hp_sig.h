/*
 * The Authenticode container of a patch file (docs/format.md 8), read without any crypto: the certificate table,
 * the PKCS#7 SignedData and its one SignerInfo, the SpcIndirectDataContent and the certificates it carries. The
 * engine then hashes and checks signatures with Windows' bcrypt and crypt32 (win/hp_verify.c); every byte it
 * hands them has been located and bounds-checked here. Like the rest of the core: no OS calls.
 */
#ifndef HP_SIG_H
#define HP_SIG_H

#include "hp_core.h"

typedef struct hp_span { const uint8_t *p; uint32_t n; } hp_span;

/* One DER element: tag, the whole element (header included) and its value. */
typedef struct hp_der { uint8_t tag; hp_span all, value; } hp_der;

/* Reads the element at the start of in (DER definite lengths only, at most 4 length bytes). */
int hp_der_read(hp_span in, hp_der *out);

enum { HP_HASH_NONE = 0, HP_HASH_SHA256 = 256, HP_HASH_SHA384 = 384 };
enum { HP_KEY_NONE = 0, HP_KEY_RSA = 1, HP_KEY_ECDSA = 2 };

#define HP_SIG_MAX_CERTS 8

typedef struct hp_signature {
    hp_span pkcs7;            /* the SignedData ContentInfo */
    hp_span content;          /* SpcIndirectDataContent's value octets: what the messageDigest attribute hashes */
    int image_hash;           /* the Authenticode digest's algorithm ... */
    hp_span image_digest;     /* ... and value */
    hp_span certs[HP_SIG_MAX_CERTS];
    uint32_t cert_count;
    hp_span signer_issuer;    /* the SignerInfo's issuerAndSerialNumber */
    hp_span signer_serial;
    int signer_hash;          /* SignerInfo.digestAlgorithm */
    int signature_key;        /* from SignerInfo.signatureAlgorithm */
    int signature_hash;       /* the hash the signature algorithm names (or signer_hash for plain rsaEncryption) */
    hp_span signed_attrs;     /* the [0] IMPLICIT element; the signature covers it with its tag replaced by 0x31 */
    hp_span message_digest;   /* the messageDigest attribute's value */
    hp_span signature;        /* SignerInfo.signature */
    int has_timestamp;        /* an RFC 3161 token in the unsigned attributes (not used yet; see README) */
} hp_signature;

/*
 * Reads and checks the container: one WIN_CERTIFICATE (revision 0x0200, type 2) that ends the file, padded to
 * 8 bytes; SignedData with SpcIndirectDataContent; exactly one SignerInfo whose signed attributes carry the
 * contentType (SpcIndirectDataContent) and a messageDigest; SHA-256 or SHA-384 only; RSA or ECDSA signatures
 * only; no unsigned attribute other than the RFC 3161 time-stamp.
 */
int hp_sig_parse(const hp_pe *pe, hp_signature *sig, hp_error *err);

/* The raw fields of one X.509 certificate. */
typedef struct hp_cert { hp_span tbs, serial, issuer, subject, spki, extensions; } hp_cert;
int hp_cert_parse(hp_span der, hp_cert *cert, hp_error *err);

/* Whether an ExtendedKeyUsage extension value (SEQUENCE OF OID) lists the OID with these content bytes. */
int hp_eku_has(hp_span eku, const uint8_t *oid, uint32_t oid_len);
/* The extension value (the OCTET STRING's content) of extension OID in a certificate's extensions, or n = 0. */
hp_span hp_cert_extension(const hp_cert *cert, const uint8_t *oid, uint32_t oid_len);

extern const uint8_t HP_OID_CODE_SIGNING[8];
extern const uint8_t HP_OID_HOTPATCH_SIGNING[21];
extern const uint8_t HP_OID_EKU[3];

/* A DER ECDSA-Sig-Value (r, s) as the fixed-size r || s that bcrypt verifies (size 32 or 48 each). */
int hp_ecdsa_raw(hp_span der, uint32_t size, uint8_t *out, hp_error *err);

/* The standard PE checksum of a file whose CheckSum field is at checksum_offset (treated as 0). */
uint32_t hp_pe_checksum(const uint8_t *file, size_t size, uint32_t checksum_offset);

#endif
