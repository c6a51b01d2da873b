/*
 * hpinject.exe: loads hpengine.dll (from its own directory) into a running process and runs one engine request
 * there (docs/format.md 7; engine/README.md).
 *
 *   hpinject apply PID PATCH ANCHOR
 *   hpinject rollback PID PATCH
 *   hpinject status PID
 *
 * Prints the engine's answer and timing, and exits with the engine's result: 0 done and checked; 5 verification
 * failed; 6 not safe now; 1 other failure (in each failure case nothing was written); 2 usage. The last line is
 * always "@result N" with the same number, for callers that cannot rely on an exit code (Wine).
 */
#include <windows.h>
#include <tlhelp32.h>

#include "../core/hp_core.h"
#include "hp_protocol.h"

static void out(const char *s) {
    DWORD n;
    WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), s, (DWORD) lstrlenA(s), &n, NULL);
}

static void outf(const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    hp_vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    out(buf);
}

static int fail(int code, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    hp_vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    DWORD n;
    HANDLE e = GetStdHandle(STD_ERROR_HANDLE);
    WriteFile(e, "hpinject: ", 10, &n, NULL);
    WriteFile(e, buf, (DWORD) lstrlenA(buf), &n, NULL);
    WriteFile(e, "\n", 1, &n, NULL);
    outf("@result %d\n", code);
    return code;
}

static uint8_t *remote_module(DWORD pid, const WCHAR *name) {
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPMODULE, pid);
    if (snap == INVALID_HANDLE_VALUE) return NULL;
    MODULEENTRY32W me;
    me.dwSize = sizeof me;
    uint8_t *base = NULL;
    for (BOOL ok = Module32FirstW(snap, &me); ok && !base; ok = Module32NextW(snap, &me))
        if (!lstrcmpiW(me.szModule, name)) base = me.modBaseAddr;
    CloseHandle(snap);
    return base;
}

static DWORD parse_pid(const WCHAR *s) {
    DWORD v = 0;
    if (!*s) return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 400000000) return 0;
        v = v * 10 + (DWORD) (*s - '0');
    }
    return v;
}

static int run_remote(HANDLE process, void *start, void *parameter, DWORD *exit_code) {
    HANDLE t = CreateRemoteThread(process, NULL, 0, (LPTHREAD_START_ROUTINE) start, parameter, 0, NULL);
    if (!t) return 0;
    DWORD w = WaitForSingleObject(t, 120000);
    int ok = w == WAIT_OBJECT_0 && GetExitCodeThread(t, exit_code);
    CloseHandle(t);
    return ok;
}

static int inject(int argc, WCHAR **argv) {
    LARGE_INTEGER freq, t0, t1;
    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t0);
    if (argc < 3) return fail(HP_RESULT_USAGE, "usage: hpinject apply PID PATCH ANCHOR | rollback PID PATCH | status PID");
    uint32_t op = !lstrcmpW(argv[1], L"apply") ? HP_OP_APPLY : !lstrcmpW(argv[1], L"rollback") ? HP_OP_ROLLBACK
                  : !lstrcmpW(argv[1], L"status") ? HP_OP_STATUS : 0;
    int want = op == HP_OP_APPLY ? 5 : op == HP_OP_ROLLBACK ? 4 : 3;
    if (!op || argc != want)
        return fail(HP_RESULT_USAGE, "usage: hpinject apply PID PATCH ANCHOR | rollback PID PATCH | status PID");
    DWORD pid = parse_pid(argv[2]);
    if (!pid) return fail(HP_RESULT_USAGE, "PID must be a process id");

    static hp_request q;
    q.magic = HP_REQUEST_MAGIC;
    q.op = op;
    if (op != HP_OP_STATUS && !GetFullPathNameW(argv[3], HP_PATH_CHARS, (WCHAR *) q.patch, NULL))
        return fail(HP_RESULT_USAGE, "bad patch path");
    if (op == HP_OP_APPLY && !GetFullPathNameW(argv[4], HP_PATH_CHARS, (WCHAR *) q.trust, NULL))
        return fail(HP_RESULT_USAGE, "bad trust anchor path");
    if (op != HP_OP_STATUS && GetFileAttributesW((WCHAR *) q.patch) == INVALID_FILE_ATTRIBUTES)
        return fail(HP_RESULT_FAILED, "cannot read the patch file");
    if (op == HP_OP_APPLY && GetFileAttributesW((WCHAR *) q.trust) == INVALID_FILE_ATTRIBUTES)
        return fail(HP_RESULT_FAILED, "cannot read the trust anchor");

    WCHAR engine[MAX_PATH];
    DWORD n = GetModuleFileNameW(NULL, engine, MAX_PATH);
    while (n && engine[n - 1] != '\\' && engine[n - 1] != '/') n--;
    if (!n || n + 13 >= MAX_PATH) return fail(HP_RESULT_FAILED, "cannot name hpengine.dll beside hpinject.exe");
    lstrcpyW(engine + n, L"hpengine.dll");

    HANDLE process = OpenProcess(PROCESS_CREATE_THREAD | PROCESS_QUERY_INFORMATION | PROCESS_VM_OPERATION |
                                 PROCESS_VM_READ | PROCESS_VM_WRITE, FALSE, pid);
    if (!process) return fail(HP_RESULT_FAILED, "cannot open process %u (error %u)", (unsigned) pid, (unsigned) GetLastError());

    uint8_t *remote = remote_module(pid, L"hpengine.dll");
    if (!remote) {
        SIZE_T bytes = (SIZE_T) (lstrlenW(engine) + 1) * sizeof(WCHAR);
        void *path = VirtualAllocEx(process, NULL, bytes, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
        DWORD code = 0;
        void *load = (void *) GetProcAddress(GetModuleHandleA("kernel32.dll"), "LoadLibraryW");
        if (!path || !WriteProcessMemory(process, path, engine, bytes, NULL) || !run_remote(process, load, path, &code))
            return fail(HP_RESULT_FAILED, "cannot load hpengine.dll into process %u (error %u)", (unsigned) pid,
                        (unsigned) GetLastError());
        VirtualFreeEx(process, path, 0, MEM_RELEASE);
        remote = remote_module(pid, L"hpengine.dll");
        if (!remote) return fail(HP_RESULT_FAILED, "hpengine.dll did not load into process %u", (unsigned) pid);
    }
    /* the export's offset in our own copy of the DLL is its offset in the target's */
    HMODULE local = LoadLibraryExW(engine, NULL, DONT_RESOLVE_DLL_REFERENCES);
    FARPROC entry = local ? GetProcAddress(local, "hp_engine_request") : NULL;
    if (!entry) return fail(HP_RESULT_FAILED, "hpengine.dll has no hp_engine_request");
    void *remote_entry = remote + ((uint8_t *) (void *) entry - (uint8_t *) local);

    hp_request *rq = VirtualAllocEx(process, NULL, sizeof q, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    DWORD code = 0;
    if (!rq || !WriteProcessMemory(process, rq, &q, sizeof q, NULL) || !run_remote(process, remote_entry, rq, &code) ||
        !ReadProcessMemory(process, rq, &q, sizeof q, NULL))
        return fail(HP_RESULT_FAILED, "the engine request in process %u failed (error %u)", (unsigned) pid,
                    (unsigned) GetLastError());
    VirtualFreeEx(process, rq, 0, MEM_RELEASE);
    CloseHandle(process);
    QueryPerformanceCounter(&t1);
    q.out[HP_OUT_BYTES - 1] = 0;
    out(q.out);
    uint64_t total = (uint64_t) ((t1.QuadPart - t0.QuadPart) * 1000000 / freq.QuadPart);
    outf("@timing total_us=%llu engine_us=%llu suspended_us=%llu threads=%u attempts=%u\n",
         (unsigned long long) total, (unsigned long long) q.engine_us, (unsigned long long) q.suspended_us,
         q.threads, q.attempts);
    outf("@result %u\n", q.result);
    return (int) q.result;
}

void hp_inject_main(void) {
    int argc = 0;
    WCHAR **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
    ExitProcess((UINT) (argv ? inject(argc, argv) : HP_RESULT_FAILED));
}
