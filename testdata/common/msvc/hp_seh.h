/* What the SEH samples need from <windows.h> (there is no Windows SDK here): RaiseException from kernel32.dll
 * and the filter results of __except. */
#ifndef HP_SEH_H
#define HP_SEH_H
__declspec(dllimport) void __stdcall RaiseException(unsigned long code, unsigned long flags, unsigned long count,
                                                    const void *arguments);
#define EXCEPTION_EXECUTE_HANDLER 1
#define EXCEPTION_CONTINUE_SEARCH 0
#endif
