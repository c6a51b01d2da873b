package dev.hotpatch.pe;

import dev.hotpatch.kaitai.layout.bulk.Arm64ExceptionTable;
import dev.hotpatch.kaitai.layout.bulk.Arm64Xdata;
import dev.hotpatch.kaitai.layout.bulk.X64ExceptionTable;
import dev.hotpatch.kaitai.layout.bulk.X64UnwindInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import static dev.hotpatch.pe.KaitaiParse.hex;

/**
 * Opens x64 UNWIND_INFO and ARM64 .xdata records at an RVA with their whole extent checked against the file,
 * for the exception-directory reader (which needs only their flags and tails) and, on demand, for the model
 * (which turns them into {@link dev.hotpatch.pe.X64UnwindInfo} and {@link Arm64XData} records).
 *
 * <p>The hot path uses the parsers of {@code dev.hotpatch.kaitai.layout.bulk} (the same .ksy files compiled
 * without read-pos); a message about a field finds its offset by parsing that one structure again with the
 * read-pos parser ({@link KaitaiParse#locate}).
 */
final class UnwindDetails {
    /**
     * Bytes of file we let one record's parser see; records check their own length (len_unwind_info,
     * len_xdata) against what is backed. An .xdata record with 65535 epilog scopes stays below this.
     */
    static final long VIEW_LIMIT = 1 << 19;

    private final ImageBytes bytes;
    private final AddressMap map;

    UnwindDetails(ImageBytes bytes, AddressMap map) {
        this.bytes = bytes;
        this.map = map;
    }

    /**
     * Parses the header of the x64 unwind info at {@code rva} and checks that its codes and tail are backed by
     * the file and that its version is known. {@code field} of {@code holder} (at {@code fieldOffset}) held the
     * RVA; the unwind info is called {@code holder.unwind_info} in messages.
     */
    X64UnwindInfo openX64(long rva, Supplier<String> holder, String field, LongSupplier fieldOffset)
            throws PeFormatException {
        long backed = map.backedLength(rva, VIEW_LIMIT);
        if (backed == 0) {
            map.requireFileOffset(rva, 1, holder.get(), field, fieldOffset);
        }
        long offset = map.fileOffset(rva, backed);
        X64UnwindInfo info;
        try {
            info = new X64UnwindInfo(bytes.stream(offset, backed));
        } catch (RuntimeException e) {
            // Parse again through KaitaiParse for its message; the structure's name is only built for errors.
            info = KaitaiParse.parse(bytes.stream(offset, backed), holder.get() + ".unwind_info", offset, backed,
                    X64UnwindInfo::new);
        }
        if (info.version() != 1 && info.version() != 2) {
            throw new PeFormatException(holder.get() + ".unwind_info", "version",
                    KaitaiParse.locate(bytes, offset, backed, dev.hotpatch.kaitai.layout.X64UnwindInfo::new,
                            "version"),
                    "1 or 2", String.valueOf(info.version()));
        }
        if (info.lenUnwindInfo() > backed) {
            throw new PeFormatException(holder.get() + ".unwind_info", "num_unwind_codes",
                    KaitaiParse.locate(bytes, offset, backed, dev.hotpatch.kaitai.layout.X64UnwindInfo::new,
                            "num_unwind_codes"),
                    "an unwind info whose " + hex(info.lenUnwindInfo()) + " bytes (codes and "
                            + (info.hasChainInfo() ? "chained function" : "handler") + ") are backed by the file",
                    hex(backed) + " bytes backed at RVA " + hex(rva));
        }
        return info;
    }

    /**
     * Parses the header of the ARM64 .xdata record at {@code rva} and checks its extent and version; it is
     * called {@code holder.xdata} in messages.
     */
    Arm64Xdata openArm64XData(long rva, Supplier<String> holder, String field, LongSupplier fieldOffset)
            throws PeFormatException {
        long backed = map.backedLength(rva, VIEW_LIMIT);
        if (backed == 0) {
            map.requireFileOffset(rva, 1, holder.get(), field, fieldOffset);
        }
        long offset = map.fileOffset(rva, backed);
        Arm64Xdata xdata;
        try {
            xdata = new Arm64Xdata(bytes.stream(offset, backed));
        } catch (RuntimeException e) {
            xdata = KaitaiParse.parse(bytes.stream(offset, backed), holder.get() + ".xdata", offset, backed,
                    Arm64Xdata::new);
        }
        if (xdata.version() != 0) {
            throw new PeFormatException(holder.get() + ".xdata", "version",
                    KaitaiParse.locate(bytes, offset, backed, dev.hotpatch.kaitai.layout.Arm64Xdata::new, "version"),
                    "0", String.valueOf(xdata.version()));
        }
        if (xdata.lenXdata() > backed) {
            throw new PeFormatException(holder.get() + ".xdata", "code_words",
                    KaitaiParse.locate(bytes, offset, backed, dev.hotpatch.kaitai.layout.Arm64Xdata::new,
                            "code_words"),
                    "an .xdata record whose " + hex(xdata.lenXdata()) + " bytes (header, epilog scopes, codes"
                            + (xdata.hasExceptionData() ? ", handler" : "") + ") are backed by the file",
                    hex(backed) + " bytes backed at RVA " + hex(rva));
        }
        return xdata;
    }

    /** The file offset of the unwind info at an RVA, or -1. */
    long fileOffset(long rva) {
        return map.fileOffset(rva, 1);
    }

    /** The full x64 unwind info at an RVA the reader has checked. */
    dev.hotpatch.pe.X64UnwindInfo x64(long rva) {
        try {
            X64UnwindInfo info = openX64(rva, () -> "x64", "rva", () -> -1);
            long offset = map.fileOffset(rva, info.lenUnwindInfo());
            List<X64UnwindInfo.UnwindCode> raw = KaitaiParse.parse(info._io(), "x64_unwind_info", offset,
                    info.lenUnwindInfo(), io -> info.unwindCodes());
            List<dev.hotpatch.pe.X64UnwindInfo.Code> codes = new ArrayList<>(raw.size());
            for (X64UnwindInfo.UnwindCode c : raw) {
                codes.add(new dev.hotpatch.pe.X64UnwindInfo.Code(c.ofsInProlog(), (int) c.unwindOp(),
                        (int) c.opInfo(), c.valueU2()));
            }
            dev.hotpatch.pe.X64UnwindInfo.ChainedFunction chained = null;
            if (info.hasChainInfo()) {
                X64ExceptionTable.RuntimeFunction f = info.chainedFunction();
                chained = new dev.hotpatch.pe.X64UnwindInfo.ChainedFunction(f.rvaBegin(), f.rvaEnd(),
                        f.rvaUnwindInfo());
            }
            long handler = info.hasHandler() ? info.rvaExceptionHandler() : -1;
            return new dev.hotpatch.pe.X64UnwindInfo(rva, (int) info.version(), (int) info.flags(),
                    info.lenProlog(), (int) info.frameRegister(), (int) info.frameOffset() * 16, codes, chained,
                    handler);
        } catch (PeFormatException e) {
            throw new IllegalStateException("unwind info checked by the reader no longer parses: " + e.getMessage(), e);
        }
    }

    /** The packed unwind data of the ARM64 entry at a file offset the reader has checked. */
    Arm64PackedUnwind arm64Packed(long entryOffset) {
        Arm64ExceptionTable.RuntimeFunction f = new Arm64ExceptionTable.RuntimeFunction(
                bytes.stream(entryOffset, ExceptionDirectoryReader.ARM64_ENTRY_SIZE));
        return new Arm64PackedUnwind((int) f.flag(), f.functionLength().intValue(), f.regF().intValue(),
                f.regI().intValue(), f.h(), f.cr().intValue(), f.frameSize().intValue());
    }

    /** The raw second word (packed unwind data) of the ARM64 entry at a file offset the reader has checked. */
    int arm64PackedWord(long entryOffset) {
        var io = bytes.stream(entryOffset, ExceptionDirectoryReader.ARM64_ENTRY_SIZE);
        io.readU4le();                                         // BeginAddress
        return (int) io.readU4le();
    }

    /** The full .xdata record at an RVA the reader has checked. */
    Arm64XData arm64XData(long rva) {
        try {
            Arm64Xdata x = openArm64XData(rva, () -> "arm64", "rva", () -> -1);
            List<Arm64XData.EpilogScope> scopes = new ArrayList<>(x.numEpilogScopes());
            for (Arm64Xdata.EpilogScope s : x.epilogScopes()) {
                scopes.add(new Arm64XData.EpilogScope((int) s.ofsEpilogStartShr2(), (int) s.epilogStartIndex()));
            }
            return new Arm64XData(rva, (int) x.functionLength(), (int) x.version(), x.hasExceptionData(),
                    x.hasSingleEpilog(), x.isExtended() ? (int) x.extension().extendedEpilogCount()
                    : (int) x.epilogCount(), x.numCodeWords(), scopes, x.unwindCodes(),
                    x.hasExceptionData() ? x.rvaExceptionHandler() : -1, x.isExtended());
        } catch (PeFormatException e) {
            throw new IllegalStateException(".xdata checked by the reader no longer parses: " + e.getMessage(), e);
        }
    }
}
