/* Shared macros for the sample scenarios (see testdata/README.md).
 * HP_EXPORT   exports a library function when the library is built as a DLL (build.sh defines HP_DLL).
 * HP_NOINLINE keeps a function a separate function, so the expected "changed" lists stay exact:
 *             no inlining into callers and, for gcc, no .constprop/.isra clones. */
#ifndef HP_H
#define HP_H

#ifdef HP_DLL
#define HP_EXPORT __declspec(dllexport)
#else
#define HP_EXPORT
#endif

#if defined(__clang__)
#define HP_NOINLINE __attribute__((noinline))
#else
#define HP_NOINLINE __attribute__((noinline, noclone))
#endif

#endif
