#!/usr/bin/python3
"""Calls one exported function of a sample DLL in an emulator (unicorn) and prints its int result.

    probe.py DLL FUNCTION [ARG...]

The DLL is mapped at its preferred ImageBase (so no relocation is needed) without running DllMain: the sample
library functions use only statically initialised globals and do not call the C runtime. Arguments and
result are C ints (32-bit, signed) passed as the platform's C calling convention does: x86 cdecl (stack),
x64 Microsoft (rcx, rdx, r8, r9), ARM64 AAPCS64 (w0-w7). Every call starts from a freshly mapped image.
Imports are bound to stubs; only the functions in STUBS are implemented (anything else stops the probe).
On x86, fs points at a thread information block (exception list empty, stack bounds, self pointer), so a function
with an MSVC exception-handling frame (which links a record into fs:[0] on entry) runs its normal path.
"""
import struct
import sys

import pefile
from unicorn import Uc, UcError, UC_ARCH_X86, UC_ARCH_ARM64, UC_MODE_32, UC_MODE_64, UC_MODE_ARM, UC_HOOK_CODE
from unicorn.x86_const import (UC_X86_REG_EAX, UC_X86_REG_EIP, UC_X86_REG_ESP, UC_X86_REG_FS, UC_X86_REG_GDTR,
                               UC_X86_REG_CS, UC_X86_REG_DS, UC_X86_REG_ES, UC_X86_REG_SS,
                               UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RIP, UC_X86_REG_R8,
                               UC_X86_REG_R9, UC_X86_REG_RSP)
from unicorn.arm64_const import UC_ARM64_REG_X0, UC_ARM64_REG_LR, UC_ARM64_REG_PC, UC_ARM64_REG_SP

STACK, STACK_SIZE = 0x70000000, 0x100000
STUBS_AT, RETURN_AT = 0x60000000, 0x60010000
TIB_AT, GDT_AT = 0x60018000, 0x6001F000   # x86 only, inside the stub mapping


def lstrlen_a(read_string, args):
    return len(read_string(args[0]))


# name -> (number of arguments, implementation(read_string, args) -> int)
STUBS = {"lstrlenA": (1, lstrlen_a)}


class ProbeError(Exception):
    pass


def call(dll_path, function, args):
    pe = pefile.PE(dll_path)
    machine = {0x14C: "x86", 0x8664: "x64", 0xAA64: "arm64"}[pe.FILE_HEADER.Machine]
    base = pe.OPTIONAL_HEADER.ImageBase
    exports = {e.name.decode(): base + e.address for e in pe.DIRECTORY_ENTRY_EXPORT.symbols if e.name}
    if function not in exports:
        raise ProbeError(f"{dll_path} exports no function {function}")
    image = bytearray(pe.get_memory_mapped_image(ImageBase=base))   # may stop before a trailing .bss
    size = -(-pe.OPTIONAL_HEADER.SizeOfImage // 0x1000) * 0x1000
    image += bytes(size - len(image))

    if machine == "arm64":
        uc = Uc(UC_ARCH_ARM64, UC_MODE_ARM)
        ret = struct.pack("<I", 0xD65F03C0)
    else:
        uc = Uc(UC_ARCH_X86, UC_MODE_32 if machine == "x86" else UC_MODE_64)
        ret = b"\xc3"
    uc.mem_map(base, len(image))
    uc.mem_map(STACK, STACK_SIZE)
    uc.mem_map(STUBS_AT, 0x20000)
    uc.mem_write(RETURN_AT, ret)

    # Bind imports to stubs: one 16-byte slot each holding a return (x86 stdcall: ret with the argument size).
    stubs = {}
    width = 4 if machine == "x86" else 8
    for dll in getattr(pe, "DIRECTORY_ENTRY_IMPORT", []):
        for imp in dll.imports:
            name = imp.name.decode() if imp.name else f"#{imp.ordinal}"
            slot = STUBS_AT + 16 * len(stubs)
            nargs = STUBS.get(name, (0, None))[0]
            uc.mem_write(slot, struct.pack("<BH", 0xC2, 4 * nargs) if machine == "x86" and nargs else ret)
            stubs[slot] = name
            image[imp.address - base:imp.address - base + width] = slot.to_bytes(width, "little")
    uc.mem_write(base, bytes(image))

    def read_string(address):
        data = b""
        while not data.endswith(b"\0"):
            data += uc.mem_read(address + len(data), 1)
        return data[:-1]

    def on_stub(uc, address, size, _):
        name = stubs.get(address)
        if name not in STUBS:
            raise ProbeError(f"{function} called import {name}, which has no stub")
        nargs, implementation = STUBS[name]
        result = implementation(read_string, read_args(uc, machine, nargs))
        uc.reg_write(result_register(machine), result & 0xFFFFFFFF)

    uc.hook_add(UC_HOOK_CODE, on_stub, begin=STUBS_AT, end=STUBS_AT + 0xFFFF)

    sp = STACK + STACK_SIZE - 0x1000
    if machine == "x86":
        map_thread_information_block(uc)
        frame = struct.pack(f"<I{len(args)}i", RETURN_AT, *args)
        sp -= len(frame)
        uc.mem_write(sp, frame)
        uc.reg_write(UC_X86_REG_ESP, sp)
    elif machine == "x64":
        for reg, value in zip((UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_R8, UC_X86_REG_R9), args):
            uc.reg_write(reg, value & 0xFFFFFFFFFFFFFFFF)
        sp -= 8 + 32   # return address, then the 32-byte home area the callee may use
        uc.mem_write(sp, struct.pack("<Q", RETURN_AT))
        uc.reg_write(UC_X86_REG_RSP, sp)
    else:
        for i, value in enumerate(args):
            uc.reg_write(UC_ARM64_REG_X0 + i, value & 0xFFFFFFFFFFFFFFFF)
        uc.reg_write(UC_ARM64_REG_LR, RETURN_AT)
        uc.reg_write(UC_ARM64_REG_SP, sp)
    try:
        uc.emu_start(exports[function], RETURN_AT, count=1_000_000)
    except UcError as e:
        raise ProbeError(f"{function} in {dll_path} faulted: {e}") from None
    pc = uc.reg_read(result_pc(machine))
    if pc != RETURN_AT:
        raise ProbeError(f"{function} in {dll_path} did not return within 1,000,000 instructions")
    value = uc.reg_read(result_register(machine)) & 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def map_thread_information_block(uc):
    """x86: a GDT with flat 32-bit code and data segments (cs, ds, es, ss: loading a GDT makes unicorn reload the
    segment registers from it) and a data segment over the TIB in fs."""
    tib = struct.pack("<III", 0xFFFFFFFF, STACK + STACK_SIZE, STACK) + bytes(12) + struct.pack("<I", TIB_AT)
    uc.mem_write(TIB_AT, tib)

    def descriptor(base, limit, access, flags):
        return ((limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (access << 40) | (((limit >> 16) & 0xF) << 48)
                | (flags << 52) | ((base >> 24) << 56))
    # access: present, ring 0, 0x92 read/write data, 0x9A execute/read code; flags: 0x4 32-bit, 0xC also 4 KiB units
    gdt = [0, descriptor(TIB_AT, 0xFFF, 0x92, 0x4), descriptor(0, 0xFFFFF, 0x92, 0xC),
           descriptor(0, 0xFFFFF, 0x9A, 0xC)]
    uc.mem_write(GDT_AT, struct.pack(f"<{len(gdt)}Q", *gdt))
    uc.reg_write(UC_X86_REG_GDTR, (0, GDT_AT, 8 * len(gdt) - 1, 0))
    uc.reg_write(UC_X86_REG_CS, 0x18)
    for register in (UC_X86_REG_DS, UC_X86_REG_ES, UC_X86_REG_SS):
        uc.reg_write(register, 0x10)
    uc.reg_write(UC_X86_REG_FS, 0x08)


def result_register(machine):
    return UC_ARM64_REG_X0 if machine == "arm64" else UC_X86_REG_EAX if machine == "x86" else UC_X86_REG_RAX


def result_pc(machine):
    return {"x86": UC_X86_REG_EIP, "x64": UC_X86_REG_RIP, "arm64": UC_ARM64_REG_PC}[machine]


def read_args(uc, machine, count):
    if machine == "x86":
        esp = uc.reg_read(UC_X86_REG_ESP)
        return list(struct.unpack(f"<{count}I", uc.mem_read(esp + 4, 4 * count)))
    if machine == "x64":
        return [uc.reg_read(r) for r in (UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_R8, UC_X86_REG_R9)[:count]]
    return [uc.reg_read(UC_ARM64_REG_X0 + i) for i in range(count)]


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    try:
        print(call(sys.argv[1], sys.argv[2], [int(a, 0) for a in sys.argv[3:]]))
    except ProbeError as e:
        sys.exit(f"probe.py: {e}")
