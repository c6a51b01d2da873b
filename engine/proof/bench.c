/* The live benchmark's program (bench/live-benchmark.sh): four threads call twenty small functions in a tight
 * loop. Built three times by engine/build.sh: VERSION 1; VERSION 2 changes all twenty functions; VERSION 3
 * changes only f0. Prints "pid N", then runs until the file named by its argument exists (or for 10 minutes). */
#include <windows.h>
#include <stdio.h>

#ifndef VERSION
#error define VERSION
#endif

#define DELTA(n) (VERSION == 2 || (VERSION == 3 && (n) == 0) ? 2 : 1)
#define F(n) __attribute__((noinline)) int f##n(int x) { return x * ((n) + 2) + DELTA(n); }
F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11) F(12) F(13) F(14) F(15) F(16) F(17) F(18) F(19)

static volatile LONG stop;
static volatile LONG64 sink;

static DWORD WINAPI worker(void *arg) {
    int x = (int) (INT_PTR) arg;
    while (!stop) {
        int s = f0(x) + f1(x) + f2(x) + f3(x) + f4(x) + f5(x) + f6(x) + f7(x) + f8(x) + f9(x) + f10(x) + f11(x) +
                f12(x) + f13(x) + f14(x) + f15(x) + f16(x) + f17(x) + f18(x) + f19(x);
        InterlockedAdd64(&sink, s);
        x++;
    }
    return 0;
}

int main(int argc, char **argv) {
    printf("pid %lu\n", (unsigned long) GetCurrentProcessId());
    fflush(stdout);
    HANDLE threads[4];
    for (int i = 0; i < 4; i++) threads[i] = CreateThread(NULL, 0, worker, (void *) (INT_PTR) i, 0, NULL);
    for (int t = 0; t < 12000; t++) {
        Sleep(50);
        if (argc > 1 && GetFileAttributesA(argv[1]) != INVALID_FILE_ATTRIBUTES) break;
    }
    stop = 1;
    WaitForMultipleObjects(4, threads, TRUE, INFINITE);
    printf("done\n");
    return 0;
}
