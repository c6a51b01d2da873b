#!/usr/bin/python3
"""Runs the engine's core, as built for Windows (hpcore.dll, host/build-emulated.sh), in an emulator (unicorn).

    emulate_core.py HPCORE_DLL BASE PATCH OUT BASE_LOAD PATCH_LOAD     (loads in hex)

Does what hp_offline does, with the machine code the cross compiler made for x86, x64 or ARM64: maps the DLL at
its ImageBase (it has no imports and needs no relocation), the two files and the buffers in emulated memory,
calls hp_emu_run(args) with the platform's C calling convention, writes the mapped patch to OUT and prints
"trampoline SITE_RVA BYTES" per redirected function. Exit 0 applied; 5 refused (the core's sentence on stderr).
"""
import struct
import sys

import pefile
from unicorn import Uc, UC_ARCH_X86, UC_ARCH_ARM64, UC_MODE_32, UC_MODE_64, UC_MODE_ARM
from unicorn.x86_const import UC_X86_REG_EAX, UC_X86_REG_ESP, UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RSP
from unicorn.arm64_const import UC_ARM64_REG_X0, UC_ARM64_REG_LR, UC_ARM64_REG_SP

DATA = 0x20000000            # below 4 GB for x86
STACK, STACK_SIZE = 0x70000000, 0x100000
RETURN_AT = 0x6FFF0000
HEAP_SIZE = 0x400000
TRAMPS = 4096
ARGS_SIZE = 13 * 8 + 600


def page(n):
    return -(-n // 0x1000) * 0x1000


def main(argv):
    if len(argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    dll, base_path, patch_path, out_path = argv[1:5]
    base_load, patch_load = int(argv[5], 16), int(argv[6], 16)
    base_file = open(base_path, "rb").read()
    patch_file = open(patch_path, "rb").read()
    patch_size_of_image = pefile.PE(data=patch_file, fast_load=True).OPTIONAL_HEADER.SizeOfImage

    pe = pefile.PE(dll)
    machine = {0x14C: "x86", 0x8664: "x64", 0xAA64: "arm64"}[pe.FILE_HEADER.Machine]
    image_base = pe.OPTIONAL_HEADER.ImageBase
    entry = next(image_base + e.address for e in pe.DIRECTORY_ENTRY_EXPORT.symbols if e.name == b"hp_emu_run")
    image = bytearray(pe.get_memory_mapped_image(ImageBase=image_base))
    image += bytes(page(pe.OPTIONAL_HEADER.SizeOfImage) - len(image))

    if machine == "arm64":
        uc = Uc(UC_ARCH_ARM64, UC_MODE_ARM)
        ret = struct.pack("<I", 0xD65F03C0)
    else:
        uc = Uc(UC_ARCH_X86, UC_MODE_32 if machine == "x86" else UC_MODE_64)
        ret = b"\xc3"
    uc.mem_map(image_base, len(image))
    uc.mem_write(image_base, bytes(image))
    uc.mem_map(STACK, STACK_SIZE)
    uc.mem_map(RETURN_AT, 0x1000)
    uc.mem_write(RETURN_AT, ret)

    layout = {}
    at = DATA
    for name, size in (("args", ARGS_SIZE), ("base", len(base_file)), ("patch", len(patch_file)),
                       ("mem", patch_size_of_image), ("tramps", 24 * TRAMPS), ("heap", HEAP_SIZE)):
        layout[name] = at
        at += page(size) + 0x1000
    uc.mem_map(DATA, at - DATA)
    uc.mem_write(layout["base"], base_file)
    uc.mem_write(layout["patch"], patch_file)
    args = struct.pack("<12Q", layout["base"], len(base_file), layout["patch"], len(patch_file), layout["mem"],
                       patch_size_of_image, base_load, patch_load, layout["tramps"], TRAMPS, layout["heap"],
                       HEAP_SIZE)
    uc.mem_write(layout["args"], args)

    sp = STACK + STACK_SIZE - 0x100
    if machine == "arm64":
        uc.reg_write(UC_ARM64_REG_SP, sp)
        uc.reg_write(UC_ARM64_REG_X0, layout["args"])
        uc.reg_write(UC_ARM64_REG_LR, RETURN_AT)
    elif machine == "x64":
        sp -= 0x28                                   # shadow space, return address
        uc.mem_write(sp, struct.pack("<Q", RETURN_AT))
        uc.reg_write(UC_X86_REG_RSP, sp)
        uc.reg_write(UC_X86_REG_RCX, layout["args"])
    else:
        sp -= 8
        uc.mem_write(sp, struct.pack("<II", RETURN_AT, layout["args"]))
        uc.reg_write(UC_X86_REG_ESP, sp)
    uc.emu_start(entry, RETURN_AT, count=2_000_000_000)
    rc = {"arm64": lambda: uc.reg_read(UC_ARM64_REG_X0), "x64": lambda: uc.reg_read(UC_X86_REG_RAX),
          "x86": lambda: uc.reg_read(UC_X86_REG_EAX)}[machine]() & 0xFFFFFFFF
    if rc:
        error = bytes(uc.mem_read(layout["args"] + 13 * 8, 600)).split(b"\0")[0].decode("utf-8", "replace")
        print(f"emulate_core: {error}", file=sys.stderr)
        return 5
    count = struct.unpack("<Q", bytes(uc.mem_read(layout["args"] + 12 * 8, 8)))[0]
    for i in range(count):
        entry_bytes = bytes(uc.mem_read(layout["tramps"] + 24 * i, 24))
        site, size = struct.unpack_from("<II", entry_bytes)
        print(f"trampoline {site:x} {entry_bytes[8:8 + size].hex()}")
    with open(out_path, "wb") as f:
        f.write(bytes(uc.mem_read(layout["mem"], patch_size_of_image)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
