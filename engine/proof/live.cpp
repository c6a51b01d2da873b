// The live-patching proof program (engine/README.md): several threads call compute() in a tight loop and count
// which build's answer each call returns; any other answer is counted as inconsistent. Built four times, one
// per VERSION, by engine/build.sh; the builds differ in compute() only:
//   1: x * 3 + 1
//   2: x * 3 + 2
//   3: x * 3 + 3, through a new global and a new import (lstrlenA)
//   4: x * 3 + 4
// For x < 0 every build throws, so that an exception passes through whichever compute() runs and is caught
// by the unchanged caller. Prints "pid N" (the Windows process id), then a line every 50 ms:
//   tick v1=A v2=B v3=C v4=D other=E caught=F missed=G
// It runs for the number of seconds given as its first argument (default 60), or until the file named by its
// second argument exists (a Windows path).
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef VERSION
#error define VERSION
#endif

#if VERSION == 3
int bias_a = 1;                               // a new global
#endif

__attribute__((noinline)) int compute(int x) {
    if (x < 0) throw x;
#if VERSION == 1
    return x * 3 + 1;
#elif VERSION == 2
    return x * 3 + 2;
#elif VERSION == 3
    return x * 3 + bias_a + lstrlenA("ab");  // a new import
#else
    return x * 3 + 4;
#endif
}

static volatile LONG stop;
static volatile LONG64 counts[6];             // v1..v4, other, unused
static volatile LONG64 caught, missed;

static DWORD WINAPI worker(void *arg) {
    unsigned seed = (unsigned) (UINT_PTR) arg;
    while (!stop) {
        for (int i = 0; i < 1000; i++) {
            int x = (int) ((seed = seed * 1103515245u + 12345u) >> 20);
            int k = compute(x) - 3 * x;
            InterlockedIncrement64(&counts[k >= 1 && k <= 4 ? k - 1 : 4]);
        }
        try {
            compute(-1);
            InterlockedIncrement64(&missed);
        } catch (int) {
            InterlockedIncrement64(&caught);
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    int seconds = argc > 1 ? atoi(argv[1]) : 60;
    printf("pid %lu\n", (unsigned long) GetCurrentProcessId());
    fflush(stdout);
    HANDLE threads[4];
    for (int i = 0; i < 4; i++) threads[i] = CreateThread(NULL, 0, worker, (void *) (UINT_PTR) (i + 1), 0, NULL);
    const char *stop_file = argc > 2 ? argv[2] : NULL;
    for (int t = 0; t < seconds * 20; t++) {
        Sleep(50);
        if (stop_file && GetFileAttributesA(stop_file) != INVALID_FILE_ATTRIBUTES) break;
        printf("tick v1=%lld v2=%lld v3=%lld v4=%lld other=%lld caught=%lld missed=%lld\n", counts[0], counts[1],
               counts[2], counts[3], counts[4], caught, missed);
        fflush(stdout);
    }
    stop = 1;
    WaitForMultipleObjects(4, threads, TRUE, INFINITE);
    printf("done\n");
    return 0;
}
