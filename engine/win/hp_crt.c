/* What the freestanding engine and injector need from a C runtime: memory functions and the core's allocator. */
#include <windows.h>
#include <stddef.h>

void *hp_alloc(size_t size) { return HeapAlloc(GetProcessHeap(), 0, size ? size : 1); }
void hp_free(void *p) { if (p) HeapFree(GetProcessHeap(), 0, p); }

/* The compiler may emit calls to these for structure copies and loops. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *dst, const void *src, size_t n) {
    volatile unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    volatile unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) while (n--) *d++ = *s++;
    else { d += n; s += n; while (n--) *--d = *--s; }
    return dst;
}

void *memset(void *dst, int c, size_t n) {
    volatile unsigned char *d = dst;
    while (n--) *d++ = (unsigned char) c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y) return *x < *y ? -1 : 1;
    return 0;
}
