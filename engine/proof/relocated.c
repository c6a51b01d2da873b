/* The relocated-base program (LiveRelocatedBaseWineTest): loads a DLL after reserving its preferred ImageBase,
 * so that the loader must put it elsewhere (as ASLR would), then calls one of its exported int(int) functions in
 * a loop on two threads. Prints "pid N", "loaded at A preferred P", then every 50 ms "tick r=R" with the latest
 * result, until the file named by its last argument exists.
 *
 *   relocated.exe DLL FUNCTION ARG STOP-FILE */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

typedef int (*fn_t)(int);
static fn_t fn;
static int arg;
static volatile LONG result, stop;

static DWORD WINAPI worker(void *unused) {
    (void) unused;
    while (!stop) InterlockedExchange(&result, fn(arg));
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: relocated.exe DLL FUNCTION ARG STOP-FILE\n");
        return 2;
    }
    HANDLE f = CreateFileA(argv[1], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    BYTE head[4096];
    DWORD got = 0;
    if (f == INVALID_HANDLE_VALUE || !ReadFile(f, head, sizeof head, &got, NULL) || got < 0x200) return 1;
    CloseHandle(f);
    IMAGE_NT_HEADERS64 *nt = (IMAGE_NT_HEADERS64 *) (head + *(DWORD *) (head + 0x3C));
    void *preferred = (void *) (UINT_PTR) nt->OptionalHeader.ImageBase;
    void *blocker = VirtualAlloc(preferred, nt->OptionalHeader.SizeOfImage, MEM_RESERVE, PAGE_NOACCESS);
    HMODULE m = LoadLibraryA(argv[1]);
    if (!m || !(fn = (fn_t) (void *) GetProcAddress(m, argv[2]))) return 1;
    arg = atoi(argv[3]);
    printf("pid %lu\n", (unsigned long) GetCurrentProcessId());
    printf("loaded at %p preferred %p blocked %p\n", (void *) m, preferred, blocker);
    fflush(stdout);
    HANDLE threads[2];
    for (int i = 0; i < 2; i++) threads[i] = CreateThread(NULL, 0, worker, NULL, 0, NULL);
    for (int t = 0; t < 6000; t++) {
        Sleep(50);
        printf("tick r=%ld\n", result);
        fflush(stdout);
        if (GetFileAttributesA(argv[4]) != INVALID_FILE_ATTRIBUTES) break;
    }
    stop = 1;
    WaitForMultipleObjects(2, threads, TRUE, INFINITE);
    printf("done\n");
    return 0;
}
