#ifndef HP_TEST_SHA256_H
#define HP_TEST_SHA256_H
#include <stddef.h>
#include <stdint.h>
typedef struct sha256_ctx { uint32_t h[8]; uint64_t length; uint8_t buf[64]; size_t fill; } sha256_ctx;
void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const uint8_t *p, size_t n);
void sha256_final(sha256_ctx *c, uint8_t out[32]);
/* for hp_canonical_form */
void sha256_callback(void *ctx, const uint8_t *bytes, size_t len);
#endif
