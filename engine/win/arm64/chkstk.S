// __chkstk for ARM64 Windows, which the compiler calls before a frame larger than a page: x15 holds the frame
// size / 16; touch each page below sp, from the top down, so that the guard page grows the stack in order.
// Preserves every register but x16 and x17 (the intra-procedure-call scratch registers), as the ABI requires.
    .text
    .globl __chkstk
    .p2align 2
__chkstk:
    lsl x16, x15, #4
    mov x17, sp
1:
    sub x17, x17, #4096
    subs x16, x16, #4096
    ldr xzr, [x17]
    b.gt 1b
    ret
