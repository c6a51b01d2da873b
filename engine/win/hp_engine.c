/*
 * hpengine.dll: the live apply engine (docs/format.md 7), loaded into the target process by hpinject.exe, which
 * calls hp_engine_request on a request block (hp_protocol.h). Every step before the trampolines works on the
 * patch file's bytes and a private mapping; the base's code is written only after every check has passed, with
 * the other threads suspended, and read back afterwards.
 */
#include "hp_win.h"
#include "hp_protocol.h"

#include <tlhelp32.h>

#define MAX_APPLIED 32
#define MAX_THREADS 4096
#define ATTEMPTS 100
#define PATCH_FILE_LIMIT (256u << 20)

/* One applied patch: what rollback and status need. */
typedef struct applied {
    int used;
    uint8_t *file;          /* the patch file's bytes (the tables point into them) */
    size_t file_size;
    hp_pe pe;
    hp_tables t;
    uint8_t *base;          /* BaseLoad */
    uint32_t base_size;
    WCHAR module[MAX_PATH];
    WCHAR patch_path[HP_PATH_CHARS];
    uint8_t *mem;           /* PatchLoad */
    size_t mem_size;
    void *function_table;   /* registered .pdata, or NULL */
    int retired;            /* rolled back or replaced: no trampoline leads to it, but a thread may still run in it */
} applied;

static applied state[MAX_APPLIED];
static SRWLOCK lock = SRWLOCK_INIT;

typedef struct thread_info { HANDLE h; DWORD id; uintptr_t ip, sp; int suspended, unknown; } thread_info;

typedef struct run {
    hp_request *req;
    uint64_t stop_us;       /* of the successful switch: time to suspend every thread and read its context */
    size_t out_len;
    hp_error err;
    LARGE_INTEGER freq;
    thread_info *threads;
    uint32_t thread_count;
} run;

static void say(run *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t cap = HP_OUT_BYTES - r->out_len;
    if (cap > 1) r->out_len += hp_vformat(r->req->out + r->out_len, cap, fmt, ap);
    va_end(ap);
    if (r->out_len + 1 < HP_OUT_BYTES) { r->req->out[r->out_len++] = '\n'; r->req->out[r->out_len] = 0; }
}

static uint64_t now_us(run *r) {
    LARGE_INTEGER c;
    QueryPerformanceCounter(&c);
    return (uint64_t) (c.QuadPart * 1000000 / r->freq.QuadPart);
}

static void utf8_of(const WCHAR *w, char *out, int cap) {
    if (!WideCharToMultiByte(CP_UTF8, 0, w, -1, out, cap, NULL, NULL)) out[0] = 0;
}

uint8_t *hp_read_file(const WCHAR *path, size_t limit, size_t *size, hp_error *err) {
    char name[512];
    utf8_of(path, name, sizeof name);
    HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (f == INVALID_HANDLE_VALUE) {
        hp_fail(err, HP_EFORMAT, "cannot open %s (error %u)", name, (unsigned) GetLastError());
        return NULL;
    }
    LARGE_INTEGER n;
    uint8_t *p = NULL;
    DWORD got = 0;
    if (!GetFileSizeEx(f, &n) || n.QuadPart > (LONGLONG) limit) {
        hp_fail(err, HP_EFORMAT, "%s is larger than %u MB", name, (unsigned) (limit >> 20));
    } else if (!(p = hp_alloc((size_t) n.QuadPart))) {
        hp_fail(err, HP_ENOMEM, "no memory to read %s", name);
    } else if (!ReadFile(f, p, (DWORD) n.QuadPart, &got, NULL) || got != (DWORD) n.QuadPart) {
        hp_fail(err, HP_EFORMAT, "cannot read %s (error %u)", name, (unsigned) GetLastError());
        hp_free(p);
        p = NULL;
    }
    CloseHandle(f);
    *size = (size_t) n.QuadPart;
    return p;
}

/* ---- threads -------------------------------------------------------------------------------------------- */

#if defined(_M_ARM64) || defined(__aarch64__)
#define IP(c) ((uintptr_t) (c).Pc)
#define SP(c) ((uintptr_t) (c).Sp)
#elif defined(_WIN64)
#define IP(c) ((uintptr_t) (c).Rip)
#define SP(c) ((uintptr_t) (c).Rsp)
#else
#define IP(c) ((uintptr_t) (c).Eip)
#define SP(c) ((uintptr_t) (c).Esp)
#endif

/* Lists the other threads of the process (before anything is suspended: the snapshot allocates). */
static int list_threads(run *r) {
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    if (snap == INVALID_HANDLE_VALUE)
        return hp_fail(&r->err, HP_EFORMAT, "cannot list the process's threads (error %u)", (unsigned) GetLastError());
    THREADENTRY32 te;
    te.dwSize = sizeof te;
    DWORD pid = GetCurrentProcessId(), self = GetCurrentThreadId();
    r->thread_count = 0;
    for (BOOL ok = Thread32First(snap, &te); ok; ok = Thread32Next(snap, &te)) {
        if (te.th32OwnerProcessID != pid || te.th32ThreadID == self) continue;
        if (r->thread_count == MAX_THREADS) break;
        HANDLE h = OpenThread(THREAD_SUSPEND_RESUME | THREAD_GET_CONTEXT | THREAD_QUERY_INFORMATION, FALSE,
                              te.th32ThreadID);
        if (!h) continue; /* it has exited */
        r->threads[r->thread_count].h = h;
        r->threads[r->thread_count].id = te.th32ThreadID;
        r->thread_count++;
    }
    CloseHandle(snap);
    return HP_OK;
}

static void close_threads(run *r) {
    for (uint32_t i = 0; i < r->thread_count; i++) CloseHandle(r->threads[i].h);
    r->thread_count = 0;
}

/*
 * Suspends every listed thread and reads its instruction and stack pointers (GetThreadContext returns once the
 * suspension has taken effect). A thread that could not be suspended or read, and has not exited, is marked
 * unknown: the attempt must not write. No allocation from here on.
 */
static void suspend(run *r) {
    /* all suspensions first, then the contexts: the threads stop in parallel, not one after another */
    for (uint32_t i = 0; i < r->thread_count; i++) r->threads[i].suspended = SuspendThread(r->threads[i].h) != (DWORD) -1;
    for (uint32_t i = 0; i < r->thread_count; i++) {
        thread_info *t = &r->threads[i];
        t->ip = t->sp = 0;
        CONTEXT c;
        hp_zero(&c, sizeof c);
        c.ContextFlags = CONTEXT_CONTROL;
        int read = t->suspended && GetThreadContext(t->h, &c);
        if (read) { t->ip = IP(c); t->sp = SP(c); }
        DWORD code = 0;
        t->unknown = !read && !(GetExitCodeThread(t->h, &code) && code != STILL_ACTIVE);
    }
}

static void resume(run *r) {
    for (uint32_t i = 0; i < r->thread_count; i++)
        if (r->threads[i].suspended) ResumeThread(r->threads[i].h);
}

/* Whether a suspended thread's instruction pointer is inside a site (past its first byte; for HOP, anywhere in
 * the padding), so that writing the site could tear the instruction it executes. */
static int ip_in_sites(const hp_tables *t, const uint8_t *base, uintptr_t ip, uint32_t *function) {
    for (uint32_t i = 0; i < t->function_count; i++) {
        hp_function f;
        hp_tables_function(t, i, &f);
        if (!(f.flags & HP_FN_REDIRECT)) continue;
        uintptr_t site = (uintptr_t) base + f.site_rva;
        if ((ip > site && ip < site + f.site_size) || ((f.flags & HP_FN_HOP) && ip == site)) {
            *function = i;
            return 1;
        }
    }
    return 0;
}

/* Whether a suspended thread runs patch code or holds an address inside the patch on its stack (conservative:
 * any pointer-sized value from its stack pointer to the end of its stack's region). */
static int thread_in_patch(const thread_info *th, const applied *a) {
    uintptr_t lo = (uintptr_t) a->mem, hi = lo + a->mem_size;
    if (th->ip >= lo && th->ip < hi) return 1;
    if (!th->sp) return 0;
    MEMORY_BASIC_INFORMATION mbi;
    if (!VirtualQuery((void *) th->sp, &mbi, sizeof mbi)) return 0;
    uintptr_t end = (uintptr_t) mbi.BaseAddress + mbi.RegionSize;
    for (uintptr_t p = th->sp & ~(uintptr_t) (sizeof(void *) - 1); p + sizeof(void *) <= end; p += sizeof(void *)) {
        uintptr_t v = *(const uintptr_t *) p;
        if (v >= lo && v < hi) return 1;
    }
    return 0;
}

/* ---- writing code ------------------------------------------------------------------------------------- */

static int write_code(uint8_t *at, const uint8_t *bytes, uint32_t n) {
    DWORD old;
    if (!VirtualProtect(at, n, PAGE_EXECUTE_READWRITE, &old)) return 0;
    if (n == 2 && ((uintptr_t) at & 1) == 0) {
        *(volatile uint16_t *) at = (uint16_t) (bytes[0] | bytes[1] << 8); /* one atomic store */
    } else {
        for (uint32_t i = 0; i < n; i++) ((volatile uint8_t *) at)[i] = bytes[i];
    }
    DWORD ignored;
    VirtualProtect(at, n, old, &ignored);
    FlushInstructionCache(GetCurrentProcess(), at, n);
    return 1;
}

/* Writes a trampoline in the order of section 7 step 8 (HOP: the padding jump, then the entry). */
static int write_trampoline(uint8_t *site, const hp_function *f, const uint8_t *bytes) {
    if (f->flags & HP_FN_HOP) return write_code(site, bytes, 5) && write_code(site + 5, bytes + 5, 2);
    return write_code(site, bytes, f->site_size);
}

/* Restores OriginalBytes in the order of rollback step 3 (HOP: the entry first). */
static int restore_site(uint8_t *site, const hp_function *f) {
    if (f->flags & HP_FN_HOP) return write_code(site + 5, f->original + 5, 2) && write_code(site, f->original, 5);
    return write_code(site, f->original, f->site_size);
}

/* ---- modules ------------------------------------------------------------------------------------------ */

/* Finds the loaded module the patch names: same Machine, TimeDateStamp, CheckSum and SizeOfImage, then the
 * canonical SHA-256 of its file (step 3). */
static int find_base(run *r, const hp_tables *t, uint8_t **base, uint32_t *base_size, WCHAR *path, hp_pe *headers) {
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPMODULE, 0);
    if (snap == INVALID_HANDLE_VALUE)
        return hp_fail(&r->err, HP_EFORMAT, "cannot list the process's modules (error %u)", (unsigned) GetLastError());
    MODULEENTRY32W me;
    me.dwSize = sizeof me;
    int found = 0;
    hp_error why = {0};
    for (BOOL ok = Module32FirstW(snap, &me); ok && !found; ok = Module32NextW(snap, &me)) {
        hp_pe pe;
        if (hp_pe_parse_mapped(&pe, me.modBaseAddr, me.modBaseSize, &why)) continue;
        if (pe.machine != t->machine || pe.time_date_stamp != t->base_time_date_stamp ||
            pe.check_sum != t->base_check_sum || pe.size_of_image != t->base_size_of_image)
            continue;
        size_t size;
        uint8_t *file = hp_read_file(me.szExePath, PATCH_FILE_LIMIT, &size, &why);
        if (!file) continue;
        hp_pe fpe;
        uint8_t sha[48];
        hp_hash h;
        if (hp_pe_parse(&fpe, file, size, &why) == HP_OK && hp_hash_begin(&h, HP_HASH_SHA256, &why) == HP_OK) {
            int rc = hp_canonical_form(&fpe, hp_hash_update, &h, &why);
            if (hp_hash_end(&h, sha, &why) == HP_OK && rc == HP_OK &&
                hp_check_identity(t, pe.time_date_stamp, pe.check_sum, pe.size_of_image, sha, &why) == HP_OK) {
                found = 1;
                *base = me.modBaseAddr;
                *base_size = me.modBaseSize;
                *headers = pe;
                lstrcpynW(path, me.szExePath, MAX_PATH);
            }
        }
        hp_free(file);
    }
    CloseHandle(snap);
    if (found) return HP_OK;
    if (why.code == HP_EBASE) return hp_fail(&r->err, HP_EBASE, "%s", why.text);
    return hp_fail(&r->err, HP_EBASE, "wrong_base: no module of this process is the base the patch is for (%s: "
                   "TimeDateStamp 0x%x, CheckSum 0x%x, SizeOfImage 0x%x)", hp_tables_name(t, t->base_name),
                   t->base_time_date_stamp, t->base_check_sum, t->base_size_of_image);
}

static applied *applied_for(const uint8_t *base) {
    for (int i = 0; i < MAX_APPLIED; i++)
        if (state[i].used && !state[i].retired && state[i].base == base) return &state[i];
    return NULL;
}

/* ---- mapping (steps 5 to 7) ---------------------------------------------------------------------------- */

#define GRANULE 0x10000u

/* Reserves and commits the patch's image within reach of the base (section 6): first right after the base,
 * then upward, then below it; any address on x86. */
static uint8_t *map_within_reach(run *r, const hp_pe *pe, const hp_tables *t, uint8_t *base, uint32_t base_size) {
    SIZE_T size = (pe->size_of_image + GRANULE - 1) & ~(SIZE_T) (GRANULE - 1);
    if (t->machine == HP_MACHINE_I386) return VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    uintptr_t start = ((uintptr_t) base + base_size + GRANULE - 1) & ~(uintptr_t) (GRANULE - 1);
    for (int direction = 0; direction < 2; direction++) {
        uintptr_t at = direction ? ((uintptr_t) base - size) & ~(uintptr_t) (GRANULE - 1) : start;
        for (int tries = 0; tries < 65536; tries++) {
            hp_error ignored;
            if (hp_check_reach(t->machine, t, (uint64_t) (uintptr_t) base, (uint64_t) at, &ignored)) break;
            MEMORY_BASIC_INFORMATION mbi;
            if (!VirtualQuery((void *) at, &mbi, sizeof mbi)) break;
            if (mbi.State == MEM_FREE && (uintptr_t) mbi.BaseAddress + mbi.RegionSize - at >= size) {
                uint8_t *p = VirtualAlloc((void *) at, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
                if (p == (uint8_t *) at) return p;
                if (p) VirtualFree(p, 0, MEM_RELEASE);
            }
            uintptr_t next = direction ? at - GRANULE
                                       : (((uintptr_t) mbi.BaseAddress + mbi.RegionSize + GRANULE - 1) &
                                          ~(uintptr_t) (GRANULE - 1));
            if (direction && mbi.State != MEM_FREE)
                next = ((uintptr_t) mbi.AllocationBase - size) & ~(uintptr_t) (GRANULE - 1);
            if (next == at || (direction && next > at) || (!direction && next < at)) break;
            at = next;
        }
    }
    hp_fail(&r->err, HP_EREACH, "no free address within reach of %s for the patch's 0x%x bytes",
            hp_tables_name(t, t->base_name), pe->size_of_image);
    return NULL;
}

static const char *cstr_in(const uint8_t *mem, size_t size, uint32_t rva) {
    if (rva >= size) return NULL;
    for (size_t i = rva; i < size; i++)
        if (!mem[i]) return (const char *) mem + rva;
    return NULL;
}

/* Resolves the patch's own import directory as the loader does (docs/format.md 1.4). */
static int resolve_imports(run *r, const hp_pe *pe, uint8_t *mem, size_t size) {
    if (pe->directory_count <= HP_DIR_IMPORT || !pe->dir_rva[HP_DIR_IMPORT]) return HP_OK;
    unsigned width = pe->pe32plus ? 8 : 4;
    for (uint64_t at = pe->dir_rva[HP_DIR_IMPORT];; at += 20) {
        if (at + 20 > size) return hp_fail(&r->err, HP_EFORMAT, "import directory: runs past the image");
        uint32_t lookup = hp_u32(mem + at), name_rva = hp_u32(mem + at + 12), iat = hp_u32(mem + at + 16);
        if (!name_rva && !iat) return HP_OK;
        const char *dll = cstr_in(mem, size, name_rva);
        if (!dll) return hp_fail(&r->err, HP_EFORMAT, "import descriptor at rva 0x%llx: name outside the image",
                                 (unsigned long long) at);
        HMODULE h = LoadLibraryA(dll);
        if (!h) return hp_fail(&r->err, HP_EFORMAT, "import: cannot load %s (error %u)", dll, (unsigned) GetLastError());
        uint32_t names = lookup ? lookup : iat;
        for (uint64_t k = 0;; k++) {
            uint64_t from = names + k * width, to = iat + k * width;
            if (from + width > size || to + width > size)
                return hp_fail(&r->err, HP_EFORMAT, "import table of %s: runs past the image", dll);
            uint64_t v = width == 8 ? hp_u64(mem + from) : hp_u32(mem + from);
            if (!v) break;
            FARPROC fn;
            uint64_t ordinal_flag = width == 8 ? 1ull << 63 : 1ull << 31;
            const char *what;
            char ordinal[16];
            if (v & ordinal_flag) {
                hp_format(ordinal, sizeof ordinal, "#%u", (unsigned) (v & 0xFFFF));
                what = ordinal;
                fn = GetProcAddress(h, (LPCSTR) (uintptr_t) (v & 0xFFFF));
            } else {
                what = v + 2 < size ? cstr_in(mem, size, (uint32_t) v + 2) : NULL;
                if (!what) return hp_fail(&r->err, HP_EFORMAT, "import of %s: a name outside the image", dll);
                fn = GetProcAddress(h, what);
            }
            if (!fn) return hp_fail(&r->err, HP_EFORMAT, "import: %s has no %s", dll, what);
            if (width == 8) hp_put64(mem + to, (uint64_t) (uintptr_t) fn);
            else hp_put32(mem + to, (uint32_t) (uintptr_t) fn);
        }
    }
}

static int protect_sections(run *r, const hp_pe *pe, uint8_t *mem) {
    DWORD old;
    if (!VirtualProtect(mem, pe->size_of_headers, PAGE_READONLY, &old))
        return hp_fail(&r->err, HP_EFORMAT, "cannot protect the patch's headers (error %u)", (unsigned) GetLastError());
    for (unsigned i = 0; i < pe->section_count; i++) {
        hp_section s;
        hp_pe_section(pe, i, &s);
        uint32_t n = s.virtual_size ? s.virtual_size : s.raw_size;
        if (!n) continue;
        DWORD p = (s.characteristics & HP_SCN_MEM_EXECUTE) ? PAGE_EXECUTE_READ
                  : (s.characteristics & HP_SCN_MEM_WRITE) ? PAGE_READWRITE : PAGE_READONLY;
        if (!VirtualProtect(mem + s.rva, n, p, &old))
            return hp_fail(&r->err, HP_EFORMAT, "cannot protect section %s (error %u)", s.name, (unsigned) GetLastError());
    }
    FlushInstructionCache(GetCurrentProcess(), mem, pe->size_of_image);
    return HP_OK;
}

/* Step 7: .pdata (x64, ARM64) so that exceptions and stack walks pass through patch code; CFG call targets. */
static int register_unwind(run *r, const hp_pe *pe, uint8_t *mem, void **table) {
    *table = NULL;
#if defined(_WIN64)
    if (pe->directory_count > HP_DIR_EXCEPTION && pe->dir_rva[HP_DIR_EXCEPTION]) {
        uint32_t rva = pe->dir_rva[HP_DIR_EXCEPTION], size = pe->dir_size[HP_DIR_EXCEPTION];
        uint32_t entry = pe->machine == HP_MACHINE_ARM64 ? 8 : 12;
        if ((uint64_t) rva + size > pe->size_of_image || size % entry)
            return hp_fail(&r->err, HP_EFORMAT, "data_directory[3] (.pdata): expected whole entries inside the image");
        if (!RtlAddFunctionTable((PRUNTIME_FUNCTION) (mem + rva), size / entry, (DWORD64) (uintptr_t) mem))
            return hp_fail(&r->err, HP_EFORMAT, "RtlAddFunctionTable refused the patch's %u unwind entries",
                           size / entry);
        *table = mem + rva;
    }
#else
    (void) r; (void) pe; (void) mem;
#endif
    return HP_OK;
}

typedef struct cfg_target { uintptr_t offset; uintptr_t flags; } cfg_target;
typedef BOOL(WINAPI *set_targets_fn)(HANDLE, PVOID, SIZE_T, ULONG, cfg_target *);
typedef BOOL(WINAPI *mitigation_fn)(HANDLE, int, PVOID, SIZE_T);

static int register_cfg(run *r, const hp_pe *pe, uint8_t *mem) {
    HMODULE k = GetModuleHandleA("kernel32.dll"), kb = GetModuleHandleA("kernelbase.dll");
    mitigation_fn policy = (mitigation_fn) (void *) GetProcAddress(k, "GetProcessMitigationPolicy");
    DWORD flags = 0;
    if (!policy || !policy(GetCurrentProcess(), 7 /* ProcessControlFlowGuardPolicy */, &flags, sizeof flags) ||
        !(flags & 1))
        return HP_OK; /* no CFG in this process */
    uint32_t lc = pe->dir_rva[HP_DIR_LOAD_CONFIG];
    uint32_t table_at = pe->pe32plus ? 0x80 : 0x50, count_at = pe->pe32plus ? 0x88 : 0x54;
    if (!lc || (uint64_t) lc + count_at + 8 > pe->size_of_image) return HP_OK;
    uint64_t table = pe->pe32plus ? hp_u64(mem + lc + table_at) : hp_u32(mem + lc + table_at);
    uint64_t count = pe->pe32plus ? hp_u64(mem + lc + count_at) : hp_u32(mem + lc + count_at);
    if (!table || !count) return HP_OK;
    uint64_t rva = table - (uint64_t) (uintptr_t) mem;
    if (rva + count * 4 > pe->size_of_image)
        return hp_fail(&r->err, HP_EFORMAT, "the patch's CFG function table lies outside the image");
    set_targets_fn set = (set_targets_fn) (void *) GetProcAddress(kb ? kb : k, "SetProcessValidCallTargets");
    if (!set) return hp_fail(&r->err, HP_EFORMAT, "the process uses CFG but SetProcessValidCallTargets is missing");
    cfg_target *targets = hp_alloc((size_t) count * sizeof *targets);
    if (!targets) return hp_fail(&r->err, HP_ENOMEM, "no memory for the CFG targets");
    for (uint64_t i = 0; i < count; i++) {
        targets[i].offset = hp_u32(mem + rva + 4 * i);
        targets[i].flags = 1; /* CFG_CALL_TARGET_VALID */
    }
    BOOL ok = set(GetCurrentProcess(), mem, (pe->size_of_image + 0xFFF) & ~0xFFFu, (ULONG) count, targets);
    hp_free(targets);
    return ok ? HP_OK : hp_fail(&r->err, HP_EFORMAT, "SetProcessValidCallTargets failed (error %u)",
                                (unsigned) GetLastError());
}

/* The integrity check of the fixups: each one's bytes read back and compared with a fresh computation. */
static int check_fixups(run *r, const hp_tables *t, const uint8_t *mem, size_t size, uint8_t *base) {
    for (uint32_t j = 0; j < t->fixup_count; j++) {
        hp_fixup x;
        hp_tables_fixup(t, j, &x);
        uint8_t out[8], pair[4];
        int rc = hp_fixup_bytes(t->machine, t, j, mem, size, (uint64_t) (uintptr_t) mem, (uint64_t) (uintptr_t) base,
                                out, pair, &r->err);
        if (rc) return rc;
        int is_pair = x.kind == HP_FIX_ARM64_ADRP_ADD || x.kind == HP_FIX_ARM64_ADRP_LDST;
        if (!hp_equal(mem + x.site_rva, out, hp_fixup_width(t->machine, x.kind)) ||
            (is_pair && !hp_equal(mem + x.site_rva + x.pair_offset, pair, 4)))
            return hp_fail(&r->err, HP_EFORMAT, "integrity: fixup %u (%s) reads back other bytes than computed", j,
                           hp_tables_name(t, x.name));
    }
    return HP_OK;
}

static void unmap(applied *a) {
#if defined(_WIN64)
    if (a->function_table) RtlDeleteFunctionTable(a->function_table);
#endif
    if (a->mem) VirtualFree(a->mem, 0, MEM_RELEASE);
    hp_free(a->file);
    hp_zero(a, sizeof *a);
}

/* ---- the switch (step 8 and 9, rollback steps 1 to 4, and 7.2) ---------------------------------------- */

/*
 * With the other threads suspended: checks that no thread is inside a site of the new patch or of the old one,
 * that every site holds what it must, then restores old's sites and writes the new trampolines, reads every
 * written site back, and resumes. A thread may still be running old's code: old stays mapped (retired). Either patch may be NULL (apply
 * without replacement; rollback). Returns HP_OK, or an HP_E* code with r->err set and nothing written, or 6 for
 * "not now" after the bounded retries.
 */
#define NOT_NOW 100

static int switch_sites(run *r, const applied *next, const uint8_t (*tramps)[16], applied *old) {
    uint64_t best = 0;
    for (uint32_t attempt = 1; attempt <= ATTEMPTS; attempt++) {
        r->req->attempts = attempt;
        uint64_t t0 = now_us(r);
        suspend(r);
        r->stop_us = now_us(r) - t0;
        uint32_t busy_fn = 0;
        const char *busy_what = NULL;
        DWORD busy_thread = 0;
        for (uint32_t i = 0; i < r->thread_count && !busy_what; i++) {
            const thread_info *th = &r->threads[i];
            if (th->unknown) busy_what = "unknown";
            else if (next && ip_in_sites(&next->t, next->base, th->ip, &busy_fn)) busy_what = "new";
            else if (old && ip_in_sites(&old->t, old->base, th->ip, &busy_fn)) busy_what = "old";
            if (busy_what) busy_thread = th->id;
        }
        if (busy_what) {
            resume(r);
            if (attempt == ATTEMPTS) {
                const applied *a = busy_what[0] == 'n' ? next : old;
                hp_function f;
                if (busy_what[0] == 'u')
                    return hp_fail(&r->err, NOT_NOW, "not safe now: thread %u could not be suspended and read through "
                                   "%u attempts", (unsigned) busy_thread, ATTEMPTS);
                hp_tables_function(&a->t, busy_fn, &f);
                return hp_fail(&r->err, NOT_NOW, "not safe now: thread %u stayed inside the bytes the trampoline of "
                               "function %s overwrites through %u attempts", (unsigned) busy_thread,
                               hp_tables_name(&a->t, f.name), ATTEMPTS);
            }
            Sleep(attempt < 10 ? 0 : 1);
            continue;
        }
        /* every site holds what it must: old's our trampolines, next's its OriginalBytes (after old is undone) */
        const char *bad = NULL;
        uint32_t bad_fn = 0;
        const applied *bad_patch = NULL;
        for (uint32_t i = 0; old && i < old->t.function_count && !bad; i++) {
            hp_function f;
            hp_tables_function(&old->t, i, &f);
            if (!(f.flags & HP_FN_REDIRECT)) continue;
            uint8_t want[16];
            hp_error ignored;
            hp_trampoline(old->t.machine, &old->t, i, (uint64_t) (uintptr_t) old->base,
                          (uint64_t) (uintptr_t) old->mem, want, &ignored);
            if (!hp_equal(old->base + f.site_rva, want, f.site_size)) { bad = "the applied patch's trampoline"; bad_fn = i; bad_patch = old; }
        }
        for (uint32_t i = 0; next && i < next->t.function_count && !bad; i++) {
            hp_function f;
            hp_tables_function(&next->t, i, &f);
            if (!(f.flags & HP_FN_REDIRECT)) continue;
            const uint8_t *now = next->base + f.site_rva;
            int overwritten_by_old = 0;
            if (old) { /* old's site there will be restored first: compare with what it restores */
                for (uint32_t k = 0; k < old->t.function_count && !overwritten_by_old; k++) {
                    hp_function g;
                    hp_tables_function(&old->t, k, &g);
                    overwritten_by_old = (g.flags & HP_FN_REDIRECT) && g.site_rva < f.site_rva + f.site_size &&
                                         f.site_rva < g.site_rva + g.site_size;
                }
            }
            if (!overwritten_by_old && !hp_equal(now, f.original, f.site_size)) { bad = "its OriginalBytes"; bad_fn = i; bad_patch = next; }
        }
        if (bad) {
            resume(r);
            hp_function f;
            hp_tables_function(&bad_patch->t, bad_fn, &f);
            return hp_fail(&r->err, HP_EFORMAT, "the code of function %s no longer holds %s (someone else changed it); "
                           "nothing written", hp_tables_name(&bad_patch->t, f.name), bad);
        }
        int ok = 1;
        for (int32_t i = old ? (int32_t) old->t.function_count - 1 : -1; i >= 0 && ok; i--) {
            hp_function f;
            hp_tables_function(&old->t, (uint32_t) i, &f);
            if (f.flags & HP_FN_REDIRECT) ok = restore_site(old->base + f.site_rva, &f);
        }
        if (old && next) { /* with old undone, next's sites must hold OriginalBytes */
            for (uint32_t i = 0; i < next->t.function_count && ok; i++) {
                hp_function f;
                hp_tables_function(&next->t, i, &f);
                if ((f.flags & HP_FN_REDIRECT) && !hp_equal(next->base + f.site_rva, f.original, f.site_size)) {
                    ok = 0;
                    hp_fail(&r->err, HP_EFORMAT, "the code of function %s does not hold the new patch's OriginalBytes "
                            "once the applied patch is undone", hp_tables_name(&next->t, f.name));
                }
            }
        }
        for (uint32_t i = 0; next && i < next->t.function_count && ok; i++) {
            hp_function f;
            hp_tables_function(&next->t, i, &f);
            if (f.flags & HP_FN_REDIRECT) ok = write_trampoline(next->base + f.site_rva, &f, tramps[i]);
        }
        /* integrity: every written site read back */
        for (uint32_t i = 0; next && i < next->t.function_count && ok; i++) {
            hp_function f;
            hp_tables_function(&next->t, i, &f);
            if ((f.flags & HP_FN_REDIRECT) && !hp_equal(next->base + f.site_rva, tramps[i], f.site_size)) {
                ok = 0;
                hp_fail(&r->err, HP_EFORMAT, "integrity: the trampoline of function %s reads back other bytes",
                        hp_tables_name(&next->t, f.name));
            }
        }
        for (int32_t i = old && !next ? (int32_t) old->t.function_count - 1 : -1; i >= 0 && ok; i--) {
            hp_function f;
            hp_tables_function(&old->t, (uint32_t) i, &f);
            if ((f.flags & HP_FN_REDIRECT) && !hp_equal(old->base + f.site_rva, f.original, f.site_size)) {
                ok = 0;
                hp_fail(&r->err, HP_EFORMAT, "integrity: function %s reads back other bytes than its original ones",
                        hp_tables_name(&old->t, f.name));
            }
        }
        if (!ok) { /* put back every site as it was: the original bytes, then old's trampolines */
            for (uint32_t i = 0; next && i < next->t.function_count; i++) {
                hp_function f;
                hp_tables_function(&next->t, i, &f);
                if (f.flags & HP_FN_REDIRECT) restore_site(next->base + f.site_rva, &f);
            }
            for (uint32_t i = 0; old && i < old->t.function_count; i++) {
                hp_function f;
                uint8_t want[16];
                hp_error ignored;
                hp_tables_function(&old->t, i, &f);
                if (!(f.flags & HP_FN_REDIRECT)) continue;
                hp_trampoline(old->t.machine, &old->t, i, (uint64_t) (uintptr_t) old->base,
                              (uint64_t) (uintptr_t) old->mem, want, &ignored);
                write_trampoline(old->base + f.site_rva, &f, want);
            }
        }
        resume(r);
        best = now_us(r) - t0;
        r->req->suspended_us = best;
        r->req->threads = r->thread_count;
        if (!ok) {
            if (!r->err.code) hp_fail(&r->err, HP_EFORMAT, "cannot change the protection of the code to write it");
            return r->err.code;
        }
        return HP_OK;
    }
    return hp_fail(&r->err, NOT_NOW, "not safe now");
}

/*
 * Unmaps the retired patches no thread can still be running: with the other threads suspended, none has its
 * instruction pointer in the patch or an address into it on its stack (thread_in_patch). A patch that is still
 * busy stays mapped, its unwind data registered, until a later request finds it idle.
 */
static void reclaim_retired(run *r) {
    int any = 0;
    for (int i = 0; i < MAX_APPLIED; i++) any |= state[i].used && state[i].retired;
    if (!any) return;
    suspend(r);
    int idle[MAX_APPLIED];
    for (int i = 0; i < MAX_APPLIED; i++) {
        idle[i] = state[i].used && state[i].retired;
        for (uint32_t k = 0; idle[i] && k < r->thread_count; k++)
            idle[i] = !r->threads[k].unknown && !thread_in_patch(&r->threads[k], &state[i]);
    }
    resume(r);
    for (int i = 0; i < MAX_APPLIED; i++)
        if (idle[i]) unmap(&state[i]);
}

/* ---- requests ------------------------------------------------------------------------------------------ */

static int result_of(int code) {
    switch (code) {
    case HP_OK: return HP_RESULT_OK;
    case HP_EFORMAT: case HP_ECLASS: case HP_EBASE: return HP_RESULT_REFUSED;
    case NOT_NOW: return HP_RESULT_NOT_NOW;
    default: return HP_RESULT_FAILED;
    }
}

/* Steps 1 and 2 on a file: its bytes, PE headers, signature (when anchor is given), tables, rules 12 and 13. */
static int load_patch(run *r, const WCHAR *path, const uint8_t *anchor, size_t anchor_len, applied *a) {
    a->file = hp_read_file(path, PATCH_FILE_LIMIT, &a->file_size, &r->err);
    if (!a->file) return r->err.code;
    int rc;
    if ((rc = hp_pe_parse(&a->pe, a->file, a->file_size, &r->err))) return rc;
    if (anchor && (rc = hp_verify_signature(&a->pe, anchor, anchor_len, &r->err))) return rc;
    const uint8_t *tables;
    uint32_t available, rva;
    if ((rc = hp_pe_hotpatch_tables(&a->pe, &tables, &available, &rva, &r->err)) ||
        (rc = hp_tables_parse(&a->t, tables, available, &r->err)) ||
        (rc = hp_check_patch_image(&a->pe, &a->t, &r->err)))
        return rc;
#if defined(_M_ARM64) || defined(__aarch64__)
    uint16_t mine = HP_MACHINE_ARM64;
#elif defined(_WIN64)
    uint16_t mine = HP_MACHINE_AMD64;
#else
    uint16_t mine = HP_MACHINE_I386;
#endif
    if (a->t.machine != mine)
        return hp_fail(&r->err, HP_EFORMAT, "the patch is for machine 0x%x, this process is 0x%x (rule 12)",
                       a->t.machine, mine);
    lstrcpynW(a->patch_path, path, HP_PATH_CHARS);
    return HP_OK;
}

static int apply(run *r) {
    hp_request *q = r->req;
    size_t anchor_len;
    uint8_t *anchor = hp_read_file(q->trust, 1u << 20, &anchor_len, &r->err);
    if (!anchor) return r->err.code;
    applied a;
    hp_zero(&a, sizeof a);
    uint8_t (*tramps)[16] = NULL;
    uint64_t t0 = now_us(r);
    int rc = load_patch(r, q->patch, anchor, anchor_len, &a);
    hp_free(anchor);
    uint64_t t_verified = now_us(r);
    hp_pe base_headers;
    if (!rc) rc = find_base(r, &a.t, &a.base, &a.base_size, a.module, &base_headers);
    uint64_t t_base = now_us(r);
    if (!rc) rc = hp_check_sites(&base_headers, &a.t, &r->err);
    applied *old = rc ? NULL : applied_for(a.base);
    if (!rc && old) { /* step 4 and 7.2 */
        if (a.t.sequence <= old->t.sequence || a.t.min_sequence > old->t.sequence)
            rc = hp_fail(&r->err, HP_EFORMAT, "sequence: patch %u (superseding %u and later) cannot follow the applied "
                         "patch %u", a.t.sequence, a.t.min_sequence, old->t.sequence);
        else if (!(a.t.flags & HP_FLAG_CUMULATIVE))
            rc = hp_fail(&r->err, HP_EFORMAT, "sequence: patch %u would replace the applied patch %u but is not "
                         "CUMULATIVE", a.t.sequence, old->t.sequence);
        else if (!(old->t.flags & HP_FLAG_CAN_ROLL_BACK))
            rc = hp_fail(&r->err, HP_EFORMAT, "sequence: the applied patch %u cannot roll back, so patch %u cannot "
                         "replace it", old->t.sequence, a.t.sequence);
    }
    if (!rc && !(a.mem = map_within_reach(r, &a.pe, &a.t, a.base, a.base_size))) rc = r->err.code;
    if (!rc) {
        a.mem_size = a.pe.size_of_image;
        uint64_t pl = (uint64_t) (uintptr_t) a.mem, bl = (uint64_t) (uintptr_t) a.base;
        if (!(rc = hp_map_sections(&a.pe, a.mem, a.mem_size, &r->err)) &&
            !(rc = hp_map_relocate(&a.pe, a.mem, a.mem_size, pl, &r->err)) &&
            !(rc = hp_apply_fixups(a.t.machine, &a.t, a.mem, a.mem_size, pl, bl, &r->err)) &&
            !(rc = resolve_imports(r, &a.pe, a.mem, a.mem_size)) &&
            !(rc = protect_sections(r, &a.pe, a.mem)) &&
            !(rc = check_fixups(r, &a.t, a.mem, a.mem_size, a.base)) &&
            !(rc = register_unwind(r, &a.pe, a.mem, &a.function_table)))
            rc = register_cfg(r, &a.pe, a.mem);
    }
    if (!rc && !(tramps = hp_alloc((size_t) (a.t.function_count ? a.t.function_count : 1) * 16)))
        rc = hp_fail(&r->err, HP_ENOMEM, "no memory for the trampolines");
    for (uint32_t i = 0; !rc && i < a.t.function_count; i++) {
        hp_function f;
        hp_tables_function(&a.t, i, &f);
        if (f.flags & HP_FN_REDIRECT)
            rc = hp_trampoline(a.t.machine, &a.t, i, (uint64_t) (uintptr_t) a.base, (uint64_t) (uintptr_t) a.mem,
                               tramps[i], &r->err);
    }
    uint64_t t_mapped = now_us(r);
    if (!rc) rc = switch_sites(r, &a, (const uint8_t (*)[16]) tramps, old);
    hp_free(tramps);
    uint64_t t_switched = now_us(r);
    if (rc) {
        unmap(&a);
        return rc;
    }
    char module[MAX_PATH * 3], patch[HP_PATH_CHARS * 3];
    utf8_of(a.module, module, sizeof module);
    utf8_of(a.patch_path, patch, sizeof patch);
    if (old) {
        say(r, "replaced patch %u of %s with patch %u", old->t.sequence, module, a.t.sequence);
        old->retired = 1; /* unmapped by reclaim_retired once no thread runs in it */
    }
    applied *slot = NULL;
    for (int i = 0; !slot && i < MAX_APPLIED; i++)
        if (!state[i].used) slot = &state[i];
    if (!slot) { /* cannot happen before MAX_APPLIED modules are patched */
        return hp_fail(&r->err, HP_ENOMEM, "more than %d patched modules", MAX_APPLIED);
    }
    a.used = 1;
    *slot = a;
    say(r, "applied patch %u to %s at 0x%llx: %u functions, patch mapped at 0x%llx; trampolines and fixups read back "
        "and checked", a.t.sequence, module, (unsigned long long) (uintptr_t) a.base, a.t.function_count,
        (unsigned long long) (uintptr_t) a.mem);
    say(r, "@applied sequence=%u module=%s base=0x%llx patch_load=0x%llx functions=%u fixups=%u", a.t.sequence, module,
        (unsigned long long) (uintptr_t) a.base, (unsigned long long) (uintptr_t) a.mem, a.t.function_count,
        a.t.fixup_count);
    say(r, "@phases verify_us=%llu base_us=%llu map_us=%llu switch_us=%llu stop_us=%llu",
        (unsigned long long) (t_verified - t0), (unsigned long long) (t_base - t_verified),
        (unsigned long long) (t_mapped - t_base), (unsigned long long) (t_switched - t_mapped),
        (unsigned long long) r->stop_us);
    return HP_OK;
}

static int rollback(run *r) {
    applied file;
    hp_zero(&file, sizeof file);
    int rc = load_patch(r, r->req->patch, NULL, 0, &file);
    applied *a = NULL;
    for (int i = 0; !rc && i < MAX_APPLIED && !a; i++)
        if (state[i].used && !state[i].retired && state[i].file_size == file.file_size &&
            hp_equal(state[i].file, file.file, file.file_size))
            a = &state[i];
    if (!rc && !a)
        rc = hp_fail(&r->err, HP_EFORMAT, "patch %u is not applied in this process (only the applied patch of a module "
                     "can roll back)", file.t.sequence);
    hp_free(file.file);
    if (rc) return rc;
    if (!(a->t.flags & HP_FLAG_CAN_ROLL_BACK))
        return hp_fail(&r->err, HP_EFORMAT, "patch %u has no CAN_ROLL_BACK flag: it stays until the process ends",
                       a->t.sequence);
    rc = switch_sites(r, NULL, NULL, a);
    if (rc) return rc;
    char module[MAX_PATH * 3];
    utf8_of(a->module, module, sizeof module);
    say(r, "rolled back patch %u of %s: original bytes restored and checked", a->t.sequence, module);
    say(r, "@rolled_back sequence=%u module=%s", a->t.sequence, module);
    a->retired = 1; /* unmapped by reclaim_retired once no thread runs in it */
    return HP_OK;
}

static int status(run *r) {
    int n = 0;
    for (int i = 0; i < MAX_APPLIED; i++) {
        if (!state[i].used) continue;
        applied *a = &state[i];
        char module[MAX_PATH * 3], patch[HP_PATH_CHARS * 3];
        utf8_of(a->module, module, sizeof module);
        utf8_of(a->patch_path, patch, sizeof patch);
        if (a->retired) {
            say(r, "%s at 0x%llx: patch %u (%s) is no longer applied; still mapped at 0x%llx while a thread may run in "
                "it", module, (unsigned long long) (uintptr_t) a->base, a->t.sequence, patch,
                (unsigned long long) (uintptr_t) a->mem);
            say(r, "@retired sequence=%u module=%s base=0x%llx patch_load=0x%llx", a->t.sequence, module,
                (unsigned long long) (uintptr_t) a->base, (unsigned long long) (uintptr_t) a->mem);
            continue;
        }
        say(r, "%s at 0x%llx: patch %u (%s), %u functions, mapped at 0x%llx%s%s", module,
            (unsigned long long) (uintptr_t) a->base, a->t.sequence, patch, a->t.function_count,
            (unsigned long long) (uintptr_t) a->mem, (a->t.flags & HP_FLAG_CUMULATIVE) ? ", cumulative" : "",
            (a->t.flags & HP_FLAG_CAN_ROLL_BACK) ? ", can roll back" : "");
        say(r, "@status sequence=%u module=%s base=0x%llx patch_load=0x%llx functions=%u flags=0x%x", a->t.sequence,
            module, (unsigned long long) (uintptr_t) a->base, (unsigned long long) (uintptr_t) a->mem,
            a->t.function_count, a->t.flags);
        n++;
    }
    if (!n) say(r, "no patch is applied in this process");
    return HP_OK;
}

__declspec(dllexport) DWORD WINAPI hp_engine_request(LPVOID parameter) {
    hp_request *q = parameter;
    if (!q || q->magic != HP_REQUEST_MAGIC) return HP_RESULT_USAGE;
    run r;
    hp_zero(&r, sizeof r);
    r.req = q;
    q->out[0] = 0;
    q->suspended_us = q->engine_us = 0;
    q->attempts = q->threads = 0;
    QueryPerformanceFrequency(&r.freq);
    uint64_t t0 = now_us(&r);
    AcquireSRWLockExclusive(&lock);
    r.threads = hp_alloc(sizeof(thread_info) * MAX_THREADS);
    int rc;
    if (!r.threads) rc = hp_fail(&r.err, HP_ENOMEM, "no memory for the thread list");
    else if (q->op == HP_OP_STATUS) rc = status(&r);
    else if ((rc = list_threads(&r)) == HP_OK) {
        rc = q->op == HP_OP_APPLY ? apply(&r) : q->op == HP_OP_ROLLBACK ? rollback(&r)
                                               : hp_fail(&r.err, HP_EFORMAT, "unknown request %u", q->op);
        reclaim_retired(&r);
    }
    close_threads(&r);
    hp_free(r.threads);
    ReleaseSRWLockExclusive(&lock);
    if (rc) say(&r, "%s", r.err.text);
    q->result = (uint32_t) result_of(rc);
    q->engine_us = now_us(&r) - t0;
    return q->result;
}

BOOL WINAPI hp_dll_entry(HINSTANCE instance, DWORD reason, LPVOID reserved) {
    (void) instance; (void) reason; (void) reserved;
    return TRUE;
}
