// int classify(int kind, int x): a switch compiled the way cl.exe compiles it for x64, written by hand because
// clang never emits this shape: an unsigned range check, then a table of 32-bit image-relative offsets (RVAs)
// read through __ImageBase, placed in .text right after the function, as cl.exe places it.
//   lea r8, [__ImageBase] ; mov ecx, [r8 + rax*4 + RVA(table)] ; add rcx, r8 ; jmp rcx
// A leaf function that touches no stack, so, like cl.exe's, it has no .pdata entry. Microsoft x64 convention:
// kind in ecx, x in edx, result in eax.
    .intel_syntax noprefix
    .text
    .globl classify
    .def classify; .scl 2; .type 32; .endef
    .p2align 4
classify:
    cmp ecx, 4                      // the change: v2 has a case 5 (cmp ecx, 5 and a sixth table entry)
    ja .Ldefault
    movsxd rax, ecx
    lea r8, [rip + __ImageBase]
    mov ecx, dword ptr [r8 + 4*rax + .Ltable@IMGREL]
    add rcx, r8
    jmp rcx
.Lcase0:
    lea eax, [rdx + 1]
    ret
.Lcase1:
    lea eax, [rdx + 2*rdx]
    ret
.Lcase2:
    mov eax, edx
    neg eax
    ret
.Lcase3:
    mov eax, edx
    shl eax, 4
    ret
.Lcase4:
    lea eax, [rdx - 7]
    ret
.Ldefault:
    mov eax, -1
    ret
    .p2align 2
.Ltable:
    .rva .Lcase0, .Lcase1, .Lcase2, .Lcase3, .Lcase4

#ifdef HP_DLL
    .section .drectve, "yn"
    .ascii " -export:classify"
#endif
