#include "hp.h"

/* kernel32.dll; declared here because the ARM64 build has no Windows headers. */
__declspec(dllimport) int __stdcall lstrlenA(const char *s);

/* The change: v2 calls kernel32's lstrlenA, which v1 does not import. */
HP_EXPORT HP_NOINLINE int label_length(int extra) { return lstrlenA("hotpatch") + extra; }

HP_EXPORT HP_NOINLINE int unrelated(int x) { return x * 11; }
