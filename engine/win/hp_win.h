/* Internal declarations shared by the engine's Windows files. */
#ifndef HP_WIN_H
#define HP_WIN_H

#include <windows.h>
#include "../core/hp_core.h"
#include "../core/hp_sig.h"

/* Hashes with bcrypt: alg is HP_HASH_SHA256 or HP_HASH_SHA384; out gets alg / 8 bytes. */
typedef struct hp_hash { void *alg, *hash; int bits; } hp_hash;
int hp_hash_begin(hp_hash *h, int bits, hp_error *err);
void hp_hash_update(void *h, const uint8_t *bytes, size_t len);
int hp_hash_end(hp_hash *h, uint8_t *out, hp_error *err);

/*
 * Step 1 (docs/format.md 8): the Authenticode signature of the patch file checked with crypt32 and bcrypt
 * against the pinned anchor (a DER or PEM certificate). Fails with HP_EFORMAT (exit 5) naming the failure kind.
 */
int hp_verify_signature(const hp_pe *pe, const uint8_t *anchor, size_t anchor_len, hp_error *err);

/* Reads a whole file into the process heap (at most limit bytes). */
uint8_t *hp_read_file(const WCHAR *path, size_t limit, size_t *size, hp_error *err);

#endif
