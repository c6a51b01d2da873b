package dev.hotpatch.differ.disasm;

/** The instruction sets we disassemble, with the smallest step taken past an undecodable byte. */
public enum Isa {
    X86(CapstoneNative.CS_ARCH_X86, CapstoneNative.CS_MODE_32, 1),
    X64(CapstoneNative.CS_ARCH_X86, CapstoneNative.CS_MODE_64, 1),
    ARM64(CapstoneNative.CS_ARCH_ARM64, CapstoneNative.CS_MODE_LITTLE_ENDIAN, 4);

    final int arch;
    final int mode;
    final int skip;

    Isa(int arch, int mode, int skip) {
        this.arch = arch;
        this.mode = mode;
        this.skip = skip;
    }
}
