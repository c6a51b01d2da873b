package dev.hotpatch.differ.disasm;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

import java.util.List;

/**
 * The few Capstone 4 entry points we call, through JNA. Structures are never mapped with JNA's Structure
 * (too slow, see ../shared/docs/capstone.md); {@link CsLayout} reads them from raw memory.
 */
interface CapstoneNative extends Library {
    int CS_ARCH_ARM64 = 1;
    int CS_ARCH_X86 = 3;
    int CS_MODE_LITTLE_ENDIAN = 0;
    int CS_MODE_32 = 4;
    int CS_MODE_64 = 8;
    int CS_OPT_DETAIL = 2;
    int CS_OPT_ON = 3;

    int cs_version(Pointer major, Pointer minor);

    int cs_open(int arch, int mode, LongByReference handle);

    int cs_option(long handle, int type, long value);

    long cs_disasm(long handle, Pointer code, long codeSize, long address, long count, PointerByReference insn);

    void cs_free(Pointer insn, long count);

    int cs_close(LongByReference handle);

    /**
     * Loads Debian's libcapstone4: "capstone" needs libcapstone-dev's symlink, so fall back to the soname. The
     * system property {@code hotpatch.capstone} names another library to load instead (tests use it to see what
     * happens without Capstone).
     */
    static CapstoneNative load() {
        String override = System.getProperty("hotpatch.capstone");
        List<String> names = override != null ? List.of(override) : List.of("capstone", "libcapstone.so.4");
        UnsatisfiedLinkError last = null;
        for (String name : names) {
            try {
                return Native.load(name, CapstoneNative.class);
            } catch (UnsatisfiedLinkError e) {
                last = e;
            }
        }
        UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                "Capstone 4 is not installed; install the Debian package libcapstone4");
        error.addSuppressed(last);
        throw error;
    }
}
