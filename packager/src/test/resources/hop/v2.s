# A function too short for the 5-byte jump (3 bytes, the next function right after it) with 8 bytes of int3
# padding before it: the patch must redirect it with the hot-patch hop. Built by HopTrampolineTest.
    .text
    .globl first
first:
    movl $40, %eax
    addl $2, %eax
    ret
    .byte 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc
    .globl tiny
tiny:
    movl $2, %eax
    ret
    .globl other
other:
    movl $11, %eax
    ret
    .section .drectve
    .ascii " -export:first -export:tiny -export:other"
