package dev.hotpatch.signer.keys;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.NativeLongByReference;
import dev.hotpatch.signer.SignerException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the slot that holds the token with a given label. SunPKCS11 selects tokens only by slot, and slot ids can
 * change (SoftHSM2 assigns a new one when a token is initialised), so a label is what release scripts can rely on.
 * Calls the module's exported C_GetSlotList and C_GetTokenInfo directly and reads only the label, the first 32
 * bytes of CK_TOKEN_INFO, which does not depend on the platform's structure packing.
 */
final class Pkcs11TokenLabels {
    private Pkcs11TokenLabels() {}

    private static final long CKR_OK = 0;
    private static final long CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191;
    private static final int LABEL_BYTES = 32;
    /** CK_TOKEN_INFO is 160 to 208 bytes depending on the platform; the module writes into this buffer. */
    private static final int TOKEN_INFO_BUFFER = 1024;
    private static final int MAX_SLOTS = 1024;

    /** A slot and the label of the token in it. */
    record Token(long slot, String label) {}

    static long slotOf(Path library, String label) throws SignerException {
        List<Token> tokens = tokens(library);
        List<Long> matches = tokens.stream().filter(t -> t.label().equals(label)).map(Token::slot).toList();
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            throw new SignerException("no token labelled '" + label + "' is present in " + library
                    + " (tokens: " + (tokens.isEmpty() ? "none" : String.join(", ",
                    tokens.stream().map(t -> "'" + t.label() + "' in slot " + t.slot()).toList()))
                    + "); check the label or insert the token");
        }
        throw new SignerException(matches.size() + " tokens in " + library + " are labelled '" + label
                + "' (slots " + matches + "); select one by slot id instead");
    }

    static List<Token> tokens(Path library) throws SignerException {
        NativeLibrary module;
        try {
            module = NativeLibrary.getInstance(library.toString());
        } catch (UnsatisfiedLinkError e) {
            throw new SignerException("cannot load the PKCS#11 module " + library + " (" + e.getMessage()
                    + "); pass the path of the token's PKCS#11 library", e);
        }
        try {
            long rv = call(module, "C_Initialize", Pointer.NULL);
            if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
                throw failure(library, "C_Initialize", rv);
            }
            boolean initializedHere = rv == CKR_OK;
            try {
                return listTokens(module, library);
            } finally {
                if (initializedHere) {
                    call(module, "C_Finalize", Pointer.NULL);
                }
            }
        } catch (UnsatisfiedLinkError e) {
            throw new SignerException("the library " + library + " is not a PKCS#11 module (" + e.getMessage()
                    + "); pass the path of the token's PKCS#11 library", e);
        }
    }

    private static List<Token> listTokens(NativeLibrary module, Path library) throws SignerException {
        NativeLongByReference count = new NativeLongByReference(new NativeLong(0));
        long rv = call(module, "C_GetSlotList", (byte) 1, Pointer.NULL, count);
        if (rv != CKR_OK) {
            throw failure(library, "C_GetSlotList", rv);
        }
        long n = count.getValue().longValue();
        if (n < 0 || n > MAX_SLOTS) {
            throw new SignerException("the PKCS#11 module " + library + " reports " + n + " slots, more than "
                    + MAX_SLOTS + "; check the module");
        }
        List<Token> tokens = new ArrayList<>();
        if (n == 0) {
            return tokens;
        }
        Memory slots = new Memory(n * NativeLong.SIZE);
        rv = call(module, "C_GetSlotList", (byte) 1, slots, count);
        if (rv != CKR_OK) {
            throw failure(library, "C_GetSlotList", rv);
        }
        long filled = Math.min(n, count.getValue().longValue());
        Memory info = new Memory(TOKEN_INFO_BUFFER);
        for (int i = 0; i < filled; i++) {
            NativeLong slot = slots.getNativeLong((long) i * NativeLong.SIZE);
            info.clear();
            if (call(module, "C_GetTokenInfo", slot, info) == CKR_OK) {
                byte[] label = info.getByteArray(0, LABEL_BYTES);
                tokens.add(new Token(slot.longValue() & unsignedMask(),
                        new String(label, StandardCharsets.UTF_8).stripTrailing()));
            }
        }
        return tokens;
    }

    private static long unsignedMask() {
        return NativeLong.SIZE == 4 ? 0xffff_ffffL : -1L;
    }

    private static long call(NativeLibrary module, String name, Object... args) {
        Function f = module.getFunction(name);
        NativeLong rv = (NativeLong) f.invoke(NativeLong.class, args);
        return rv.longValue() & unsignedMask();
    }

    private static SignerException failure(Path library, String function, long rv) {
        return new SignerException("the PKCS#11 module " + library + " failed " + function + " with CKR 0x"
                + Long.toHexString(rv) + "; check the module's configuration");
    }
}
