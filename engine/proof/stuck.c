/* The "not safe now" program (LiveCommandWineTest): a worker calls stuck() in a loop; the main thread suspends it
 * (its own SuspendThread, not the engine's) the first time its instruction pointer lies inside stuck()'s first
 * 5 bytes, past the entry, and leaves it there, so that the engine must give up with exit 6 and change nothing.
 * Built twice by engine/build.sh; the builds differ in stuck()'s first instruction. Prints "pid N", then "held"
 * once the worker is held, and runs until the file named by its argument exists. */
#include <windows.h>
#include <stdio.h>

#ifndef VERSION
#error define VERSION
#endif

/* push; pause; pause; pop; ret: no branch, and most of its time at entry + 1 and entry + 3 */
__asm__(".text\n.globl stuck\n.p2align 4\nstuck:\n"
#if VERSION == 1
        "    push %rbx\n    pause\n    pause\n    pop %rbx\n    ret\n"
#else
        "    push %rsi\n    pause\n    pause\n    pop %rsi\n    ret\n"
#endif
        );
void stuck(void);

static DWORD WINAPI spin(void *arg) {
    (void) arg;
    for (;;) stuck();
    return 0;
}

int main(int argc, char **argv) {
    printf("pid %lu\n", (unsigned long) GetCurrentProcessId());
    fflush(stdout);
    HANDLE worker = CreateThread(NULL, 0, spin, NULL, 0, NULL);
    DWORD64 entry = (DWORD64) (UINT_PTR) stuck;
    for (int held = 0; !held;) {
        SuspendThread(worker);
        CONTEXT c;
        c.ContextFlags = CONTEXT_CONTROL;
        held = GetThreadContext(worker, &c) && c.Rip > entry && c.Rip < entry + 5;
        if (!held) {
            ResumeThread(worker);
            Sleep(1);
        }
    }
    printf("held\n");
    fflush(stdout);
    for (int t = 0; t < 6000; t++) {
        Sleep(50);
        if (argc > 1 && GetFileAttributesA(argv[1]) != INVALID_FILE_ATTRIBUTES) break;
    }
    printf("done\n");
    fflush(stdout);
    ExitProcess(0);
}
