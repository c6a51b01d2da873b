package dev.hotpatch.packager.verify;

import dev.hotpatch.packager.format.CanonicalBaseHash;
import dev.hotpatch.packager.format.FunctionRecord;
import dev.hotpatch.packager.format.HotPatchBase;
import dev.hotpatch.packager.format.HotPatchTables;
import dev.hotpatch.packager.format.PatchFormatException;
import dev.hotpatch.packager.format.PatchImageTables;
import dev.hotpatch.pe.PeFormatException;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.pe.Section;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The patch-format half of verification (the signature half is the signer's): whether a patch image keeps every
 * structural rule of docs/format.md, section 2.7, and is made for this base, reported as every problem at once.
 * Checked: the tables' rules (1 to 11) and the patch image's (12 to 18: layout, where code and fixups lie, what
 * fixups may not write, the instruction at each site, reach), all listed by {@link PatchImageTables#readChecked};
 * the trampoline sites in the base (19); the bytes at each site; the base identity (machine, TimeDateStamp,
 * CheckSum, SizeOfImage, canonical SHA-256); and the sequence number against the caller's minimum.
 */
public final class PatchCheck {
    private PatchCheck() {}

    /** The problems found, and the tables when they could be read (for a report). */
    public record Checked(List<PatchProblem> problems, Optional<HotPatchTables> tables) {}

    /**
     * @param patch       the patch image's bytes (signed or not)
     * @param base        the base image it is meant for
     * @param minSequence the lowest sequence number the caller accepts (0 accepts all)
     */
    public static List<PatchProblem> check(byte[] patch, PeImage base, long minSequence) {
        return run(patch, base, minSequence).problems();
    }

    /**
     * {@link #check}, also handing out the tables it read. This is the whole structural check (everything but the
     * signature): what {@code apply} without signature verification must still run, and what
     * {@link dev.hotpatch.packager.apply.OfflineApplier#apply} enforces itself.
     */
    public static Checked run(byte[] patch, PeImage base, long minSequence) {
        List<PatchProblem> problems = new ArrayList<>();
        PeImage image;
        PatchImageTables.Checked read;
        try {
            image = PeReader.read(patch, "patch");
            Optional<PatchImageTables.Checked> found = PatchImageTables.readChecked(image, -1);
            if (found.isEmpty()) {
                problems.add(new PatchProblem(PatchProblem.Kind.MALFORMED_TABLES,
                        "the image has no hot-patch tables (its load config names none), so it is not a patch image."));
                return new Checked(problems, Optional.empty());
            }
            read = found.get();
        } catch (PeFormatException e) {
            problems.add(new PatchProblem(PatchProblem.Kind.MALFORMED_TABLES, "the patch is not a readable PE image: "
                    + e.getMessage()));
            return new Checked(problems, Optional.empty());
        } catch (PatchFormatException e) {
            problems.add(problem(e));
            return new Checked(problems, Optional.empty());
        }
        HotPatchTables tables = read.tables();
        read.broken().forEach(e -> problems.add(problem(e)));
        PatchImageTables.checkBase(read, base).forEach(e -> problems.add(problem(e)));
        identity(tables.base(), base).ifPresent(problems::add);
        if (tables.header().sequenceNumber() < minSequence) {
            problems.add(new PatchProblem(PatchProblem.Kind.SEQUENCE_BELOW_MINIMUM, "the patch's sequence number "
                    + tables.header().sequenceNumber() + " is below the minimum " + minSequence
                    + "; it would roll back a newer patch."));
        }
        for (FunctionRecord f : tables.functions()) {
            originalBytes(f, base).ifPresent(problems::add);
        }
        return new Checked(problems, Optional.of(tables));
    }

    /** One broken rule of the format, with the kind its fault names. */
    public static PatchProblem problem(PatchFormatException e) {
        return new PatchProblem(kindOf(e), "the patch breaks a rule of its format: " + e.getMessage() + ".");
    }

    private static PatchProblem.Kind kindOf(PatchFormatException e) {
        return switch (e.fault()) {
            case UNKNOWN_KIND -> PatchProblem.Kind.UNKNOWN_RECORD_KIND;
            case OVERLAP -> PatchProblem.Kind.OVERLAPPING_SITES;
            case OUTSIDE_BASE -> PatchProblem.Kind.RECORD_OUTSIDE_BASE;
            case OUTSIDE_PATCH -> PatchProblem.Kind.RECORD_OUTSIDE_PATCH;
            case INTO_TABLES -> PatchProblem.Kind.FIXUP_INTO_TABLES;
            case WRONG_INSTRUCTION -> PatchProblem.Kind.WRONG_INSTRUCTION;
            case OUT_OF_REACH -> PatchProblem.Kind.OUT_OF_REACH;
            case MALFORMED -> PatchProblem.Kind.MALFORMED_TABLES;
        };
    }

    /** Whether the base is the one the tables name: machine, TimeDateStamp, CheckSum, SizeOfImage, canonical hash. */
    public static Optional<PatchProblem> identity(HotPatchBase id, PeImage base) {
        List<String> differ = new ArrayList<>();
        if (id.machine() != base.machine().code()) {
            differ.add(String.format("machine 0x%x, not 0x%x", id.machine(), base.machine().code()));
        }
        if (id.originalTimeDateStamp() != base.fileHeader().timeDateStamp()) {
            differ.add(String.format("TimeDateStamp 0x%08x, not 0x%08x", id.originalTimeDateStamp(),
                    base.fileHeader().timeDateStamp()));
        }
        if (id.originalCheckSum() != base.optionalHeader().checkSum()) {
            differ.add(String.format("CheckSum 0x%08x, not 0x%08x", id.originalCheckSum(), base.optionalHeader().checkSum()));
        }
        if (id.originalSizeOfImage() != base.optionalHeader().sizeOfImage()) {
            differ.add(String.format("SizeOfImage 0x%x, not 0x%x", id.originalSizeOfImage(),
                    base.optionalHeader().sizeOfImage()));
        }
        if (!Arrays.equals(id.sha256(), CanonicalBaseHash.sha256(base))) {
            differ.add("another canonical SHA-256");
        }
        return differ.isEmpty() ? Optional.empty() : Optional.of(new PatchProblem(PatchProblem.Kind.WRONG_BASE,
                "the patch was made for another base (" + id.name() + ": " + String.join(", ", differ)
                        + "); use it with the build it was created from."));
    }

    /** A trampoline site in the base's code whose bytes are not the ones the patch recorded: another build. */
    private static Optional<PatchProblem> originalBytes(FunctionRecord f, PeImage base) {
        if (f.siteSize() == 0) {
            return Optional.empty();
        }
        String name = f.name().isEmpty() ? String.format("at patch rva 0x%x", f.patchRva()) : "`" + f.name() + "`";
        Optional<Section> s = base.sectionAt(f.siteRva());
        if (s.isEmpty() || !s.get().isExecutable()) {
            return Optional.empty();        // rule 19 reports it
        }
        byte[] now = readOrNull(base, f.siteRva(), f.siteSize());
        return now == null || Arrays.equals(now, f.originalBytes()) ? Optional.empty()
                : Optional.of(new PatchProblem(PatchProblem.Kind.WRONG_BASE, String.format(
                "function %s expects other bytes at its trampoline site 0x%x than the base holds.", name, f.siteRva())));
    }

    private static byte[] readOrNull(PeImage image, long rva, int size) {
        try {
            return image.readVirtual(rva, size);
        } catch (PeFormatException e) {
            return null;
        }
    }
}
