typedef unsigned long long u64;
typedef struct {
    unsigned Size, TimeDateStamp; unsigned short MajorVersion, MinorVersion;
    unsigned GlobalFlagsClear, GlobalFlagsSet, CriticalSectionDefaultTimeout;
    u64 DeCommitFreeBlockThreshold, DeCommitTotalFreeThreshold, LockPrefixTable, MaximumAllocationSize,
        VirtualMemoryThreshold, ProcessAffinityMask;
    unsigned ProcessHeapFlags; unsigned short CSDVersion, DependentLoadFlags;
    u64 EditList, SecurityCookie, SEHandlerTable, SEHandlerCount, GuardCFCheckFunctionPointer,
        GuardCFDispatchFunctionPointer, GuardCFFunctionTable, GuardCFFunctionCount;
    unsigned GuardFlags;
} LOAD_CONFIG;
extern const void *__guard_fids_table;
extern const char __guard_fids_count;
extern const char __guard_flags;
static void check_icall(void *p) { (void)p; }
void (*__guard_check_icall_fptr)(void *) = check_icall;
const LOAD_CONFIG _load_config_used = {
    .Size = sizeof(LOAD_CONFIG),
    .GuardCFCheckFunctionPointer = (u64)&__guard_check_icall_fptr,
    .GuardCFFunctionTable = (u64)&__guard_fids_table,
    .GuardCFFunctionCount = (u64)&__guard_fids_count,
    .GuardFlags = 0x10500,
};
