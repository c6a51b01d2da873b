/* The few C runtime functions the MSVC-ABI sample drivers use, imported from msvcrt.dll (Wine's, at run time)
 * through an import library that build.sh makes from def64/msvcrt.def. There is no Windows SDK here. */
#ifndef HP_CRT_H
#define HP_CRT_H
#ifdef __cplusplus
extern "C" {
#endif
__declspec(dllimport) int __cdecl printf(const char *format, ...);
__declspec(dllimport) int __cdecl fflush(void *stream);
#ifdef __cplusplus
}
#endif
#endif
