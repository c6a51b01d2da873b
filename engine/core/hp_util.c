/* Small helpers of the portable core: little-endian access, a bounded formatter, a heap sort. No OS calls. */
#include "hp_core.h"

uint16_t hp_u16(const uint8_t *p) { return (uint16_t) (p[0] | p[1] << 8); }
uint32_t hp_u32(const uint8_t *p) { return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24; }
uint64_t hp_u64(const uint8_t *p) { return (uint64_t) hp_u32(p) | (uint64_t) hp_u32(p + 4) << 32; }

void hp_put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
    p[2] = (uint8_t) (v >> 16);
    p[3] = (uint8_t) (v >> 24);
}

void hp_put64(uint8_t *p, uint64_t v) {
    hp_put32(p, (uint32_t) v);
    hp_put32(p + 4, (uint32_t) (v >> 32));
}

/* Byte loops, volatile-free: the compiler may turn them into memcpy/memset, which the engine's freestanding
 * build provides (win/hp_crt.c). */
void hp_copy(void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--) *d++ = *s++;
}

void hp_zero(void *dst, size_t n) {
    uint8_t *d = dst;
    while (n--) *d++ = 0;
}

int hp_equal(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i]) return 0;
    return 1;
}

static void sift(uint64_t *k, size_t root, size_t n) {
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n) return;
        if (child + 1 < n && k[child + 1] > k[child]) child++;
        if (k[root] >= k[child]) return;
        uint64_t t = k[root];
        k[root] = k[child];
        k[child] = t;
        root = child;
    }
}

void hp_sort_u64(uint64_t *keys, size_t n) {
    if (n < 2) return;
    for (size_t i = n / 2; i-- > 0;) sift(keys, i, n);
    for (size_t end = n - 1; end > 0; end--) {
        uint64_t t = keys[0];
        keys[0] = keys[end];
        keys[end] = t;
        sift(keys, 0, end);
    }
}

typedef struct out { char *p; size_t cap, len; } out;

static void put(out *o, char c) {
    if (o->len + 1 < o->cap) o->p[o->len] = c;
    o->len++;
}

static void put_unsigned(out *o, uint64_t v, unsigned base) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n) put(o, digits[--n]);
}

size_t hp_vformat(char *buf, size_t cap, const char *fmt, va_list ap) {
    out o = {buf, cap, 0};
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') { put(&o, *f); continue; }
        f++;
        int ll = 0;
        if (f[0] == 'l' && f[1] == 'l') { ll = 1; f += 2; }
        switch (*f) {
        case 's': { const char *s = va_arg(ap, const char *); if (!s) s = "(null)"; while (*s) put(&o, *s++); break; }
        case 'c': put(&o, (char) va_arg(ap, int)); break;
        case 'u': put_unsigned(&o, ll ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 10); break;
        case 'x': put_unsigned(&o, ll ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 16); break;
        case 'd': {
            long long v = ll ? va_arg(ap, long long) : va_arg(ap, int);
            if (v < 0) { put(&o, '-'); put_unsigned(&o, 0 - (unsigned long long) v, 10); }
            else put_unsigned(&o, (unsigned long long) v, 10);
            break;
        }
        case '%': put(&o, '%'); break;
        case 0: f--; break;
        default: put(&o, '%'); put(&o, *f); break;
        }
    }
    if (cap) buf[o.len < cap ? o.len : cap - 1] = 0;
    return o.len < cap ? o.len : (cap ? cap - 1 : 0);
}

size_t hp_format(char *buf, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = hp_vformat(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

int hp_fail(hp_error *err, int code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        hp_vformat(err->text, sizeof err->text, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}
