/* The load configuration directory that MSVC's static CRT normally supplies (loadcfg.c, guard_support.c), for
 * the MSVC-ABI samples, which link without any CRT. lld-link points the image's load config at the symbol
 * _load_config_used and, with /guard:cf, defines the __guard_* symbols that fill the Control Flow Guard fields
 * (and, on x86, __safe_se_handler_table/count for SafeSEH). The check and dispatch pointers start at do-nothing
 * routines, as the CRT's do; a loader that enforces CFG replaces them. Same layout on x86, x64 and ARM64:
 * the pointer-sized fields are size_t. */
#include <stddef.h>

extern char __guard_fids_table[], __guard_fids_count[], __guard_flags[];
extern char __guard_iat_table[], __guard_iat_count[], __guard_longjmp_table[], __guard_longjmp_count[];
#if defined(_M_IX86)
extern char __safe_se_handler_table[], __safe_se_handler_count[];
#endif

/* The check routine takes the target in rcx (x64), ecx (x86) or x15 (ARM64) and returns if it is allowed. */
static void hp_guard_check_nop(void) {}

#if defined(_M_X64)
/* The dispatch routine (x64 only) is called with the target in rax and must jump to it. */
__attribute__((naked)) static void hp_guard_dispatch_nop(void) { __asm__("jmp *%rax"); }
#endif

#pragma section(".00cfg", read)
__declspec(allocate(".00cfg")) void (*const __guard_check_icall_fptr)(void) = hp_guard_check_nop;
#if defined(_M_X64)
__declspec(allocate(".00cfg")) void (*const __guard_dispatch_icall_fptr)(void) = hp_guard_dispatch_nop;
#endif

typedef struct {
    unsigned Size, TimeDateStamp;
    unsigned short MajorVersion, MinorVersion;
    unsigned GlobalFlagsClear, GlobalFlagsSet, CriticalSectionDefaultTimeout;
    size_t DeCommitFreeBlockThreshold, DeCommitTotalFreeThreshold, LockPrefixTable, MaximumAllocationSize,
        VirtualMemoryThreshold, ProcessAffinityMask;
    unsigned ProcessHeapFlags;
    unsigned short CSDVersion, DependentLoadFlags;
    size_t EditList, SecurityCookie, SEHandlerTable, SEHandlerCount, GuardCFCheckFunctionPointer,
        GuardCFDispatchFunctionPointer, GuardCFFunctionTable, GuardCFFunctionCount;
#if defined(_WIN64)
    /* GuardFlags in the low 32 bits, CodeIntegrity.Flags and .Catalog (zero) above: a 32-bit field cannot be
     * initialised from a symbol's address on a 64-bit target, a pointer-sized one can. */
    size_t GuardFlags;
#else
    unsigned GuardFlags;
    unsigned short CodeIntegrityFlags, CodeIntegrityCatalog;
#endif
    unsigned CodeIntegrityCatalogOffset, CodeIntegrityReserved;
    size_t GuardAddressTakenIatEntryTable, GuardAddressTakenIatEntryCount, GuardLongJumpTargetTable,
        GuardLongJumpTargetCount;
} load_config;

const load_config _load_config_used = {
    .Size = sizeof(load_config),
#if defined(_M_IX86)
    .SEHandlerTable = (size_t)__safe_se_handler_table,
    .SEHandlerCount = (size_t)__safe_se_handler_count,
#endif
    .GuardCFCheckFunctionPointer = (size_t)&__guard_check_icall_fptr,
#if defined(_M_X64)
    .GuardCFDispatchFunctionPointer = (size_t)&__guard_dispatch_icall_fptr,
#endif
    .GuardCFFunctionTable = (size_t)__guard_fids_table,
    .GuardCFFunctionCount = (size_t)__guard_fids_count,
    .GuardFlags = (size_t)__guard_flags,
    .GuardAddressTakenIatEntryTable = (size_t)__guard_iat_table,
    .GuardAddressTakenIatEntryCount = (size_t)__guard_iat_count,
    .GuardLongJumpTargetTable = (size_t)__guard_longjmp_table,
    .GuardLongJumpTargetCount = (size_t)__guard_longjmp_count,
};
