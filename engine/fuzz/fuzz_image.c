/*
 * libFuzzer harness: a whole patch file as the engine reads it before it writes anything into the process: PE
 * headers, the load config's table pointer, the tables, rules 12 and 13, the layout, the patch's own base
 * relocations and the fixups, plus the canonical form (as if the input were a base) and the Authenticode
 * container with its certificates.
 */
#include "../core/hp_core.h"
#include "../core/hp_sig.h"

#include <stdlib.h>
#include <string.h>

void *hp_alloc(size_t size) { return malloc(size); }
void hp_free(void *p) { free(p); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(void *ctx, const uint8_t *bytes, size_t len) {
    uint64_t *sum = ctx;
    for (size_t i = 0; i < len; i++) *sum += bytes[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > (1u << 24)) return 0;
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    hp_pe pe;
    hp_error err;
    if (hp_pe_parse(&pe, copy, size, &err) == HP_OK) {
        uint64_t sum = 0;
        hp_canonical_form(&pe, sink, &sum, &err);
        (void) hp_pe_checksum(copy, size, pe.opt + 64);
        hp_signature sig;
        if (hp_sig_parse(&pe, &sig, &err) == HP_OK) {
            uint8_t raw[96];
            hp_ecdsa_raw(sig.signature, 48, raw, &err);
            for (uint32_t i = 0; i < sig.cert_count; i++) {
                hp_cert cert;
                if (hp_cert_parse(sig.certs[i], &cert, &err) == HP_OK) {
                    hp_span eku = hp_cert_extension(&cert, HP_OID_EKU, sizeof HP_OID_EKU);
                    sum += (uint64_t) hp_eku_has(eku, HP_OID_CODE_SIGNING, sizeof HP_OID_CODE_SIGNING);
                }
            }
        }
        const uint8_t *tables;
        uint32_t available, rva;
        hp_tables t;
        if (hp_pe_hotpatch_tables(&pe, &tables, &available, &rva, &err) == HP_OK &&
            hp_tables_parse(&t, tables, available, &err) == HP_OK && hp_check_patch_image(&pe, &t, &err) == HP_OK &&
            hp_check_sites(&pe, &t, &err) >= 0 && pe.size_of_image <= (1u << 24)) {
            uint8_t *mem = calloc(1, pe.size_of_image);
            uint64_t load = pe.image_base + 0x10000;
            if (mem && hp_map_sections(&pe, mem, pe.size_of_image, &err) == HP_OK &&
                hp_map_relocate(&pe, mem, pe.size_of_image, load, &err) == HP_OK)
                hp_apply_fixups(t.machine, &t, mem, pe.size_of_image, load, pe.image_base, &err);
            free(mem);
        }
    }
    free(copy);
    return 0;
}
