package dev.hotpatch.packager.verify;

import dev.hotpatch.packager.format.CanonicalBaseHash;
import dev.hotpatch.packager.format.FixupRecord;
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
 * The patch-format half of verification (the signature half is the signer's): whether a patch image's tables are
 * sound and made for this base, reported as every problem at once. Checked: the tables parse (kinds known,
 * sites not overlapping, records in order); each function's code and each fixup's site lie inside the patch's
 * sections; each trampoline site lies in the base's code and still holds the bytes the patch recorded; each fixup
 * target lies inside the base; the base identity (machine, TimeDateStamp, CheckSum, SizeOfImage, canonical
 * SHA-256); and the sequence number against the caller's minimum.
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

    /** {@link #check}, also handing out the tables it read. */
    public static Checked run(byte[] patch, PeImage base, long minSequence) {
        List<PatchProblem> problems = new ArrayList<>();
        PeImage image;
        HotPatchTables tables;
        try {
            image = PeReader.read(patch, "patch");
            Optional<HotPatchTables> read = PatchImageTables.read(image);
            if (read.isEmpty()) {
                problems.add(new PatchProblem(PatchProblem.Kind.MALFORMED_TABLES,
                        "the image has no hot-patch tables (its load config names none), so it is not a patch image."));
                return new Checked(problems, Optional.empty());
            }
            tables = read.get();
        } catch (PeFormatException e) {
            problems.add(new PatchProblem(PatchProblem.Kind.MALFORMED_TABLES, "the patch is not a readable PE image: "
                    + e.getMessage()));
            return new Checked(problems, Optional.empty());
        } catch (PatchFormatException e) {
            problems.add(new PatchProblem(kindOf(e), "the patch's tables are malformed: " + e.getMessage()));
            return new Checked(problems, Optional.empty());
        }
        identity(tables.base(), base).ifPresent(problems::add);
        if (tables.header().sequenceNumber() < minSequence) {
            problems.add(new PatchProblem(PatchProblem.Kind.SEQUENCE_BELOW_MINIMUM, "the patch's sequence number "
                    + tables.header().sequenceNumber() + " is below the minimum " + minSequence
                    + "; it would roll back a newer patch."));
        }
        for (FunctionRecord f : tables.functions()) {
            checkFunction(f, image, base, problems);
        }
        for (FixupRecord x : tables.dataFixups()) {
            checkFixup(x, "the patch's data", image, base, problems);
        }
        return new Checked(problems, Optional.of(tables));
    }

    private static PatchProblem.Kind kindOf(PatchFormatException e) {
        return switch (e.fault()) {
            case UNKNOWN_KIND -> PatchProblem.Kind.UNKNOWN_RECORD_KIND;
            case OVERLAP -> PatchProblem.Kind.OVERLAPPING_SITES;
            case OUTSIDE_BASE -> PatchProblem.Kind.RECORD_OUTSIDE_BASE;
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

    private static void checkFunction(FunctionRecord f, PeImage patch, PeImage base, List<PatchProblem> problems) {
        String name = f.name().isEmpty() ? String.format("at patch rva 0x%x", f.patchRva()) : "`" + f.name() + "`";
        if (!inSection(patch, f.patchRva(), f.patchSize(), Section.MEM_EXECUTE)) {
            problems.add(new PatchProblem(PatchProblem.Kind.RECORD_OUTSIDE_PATCH, String.format(
                    "function %s claims code at [0x%x, 0x%x), which is not inside an executable section of the patch.",
                    name, f.patchRva(), f.patchRva() + f.patchSize())));
        }
        if (f.siteSize() > 0) {
            if (!inSection(base, f.siteRva(), f.siteSize(), Section.MEM_EXECUTE)) {
                problems.add(new PatchProblem(PatchProblem.Kind.RECORD_OUTSIDE_BASE, String.format(
                        "function %s puts its trampoline at 0x%x, which is not inside the base's code.", name, f.siteRva())));
            } else {
                byte[] now = readOrNull(base, f.siteRva(), f.siteSize());
                if (now == null || !Arrays.equals(now, f.originalBytes())) {
                    problems.add(new PatchProblem(PatchProblem.Kind.WRONG_BASE, String.format(
                            "function %s expects other bytes at its trampoline site 0x%x than the base holds.",
                            name, f.siteRva())));
                }
            }
        }
        for (FixupRecord x : f.fixups()) {
            checkFixup(x, "function " + name, patch, base, problems);
        }
    }

    private static void checkFixup(FixupRecord x, String owner, PeImage patch, PeImage base, List<PatchProblem> problems) {
        long width = x.kind().isAdrpPair() ? x.pairOffset() + 4 : x.kind().siteWidth(patch.machine().code());
        if (!inSection(patch, x.siteRva(), width, 0)) {
            problems.add(new PatchProblem(PatchProblem.Kind.RECORD_OUTSIDE_PATCH, String.format(
                    "a fixup of %s (%s) writes at 0x%x, outside the patch's sections.", owner, x.name(),
                    x.siteRva())));
        }
        long target = x.targetRva();
        if (target >= base.optionalHeader().sizeOfImage()) {
            problems.add(new PatchProblem(PatchProblem.Kind.RECORD_OUTSIDE_BASE, String.format(
                    "a fixup of %s (%s) leads to rva 0x%x, outside the base image (0x%x bytes).", owner,
                    x.name(), target, base.optionalHeader().sizeOfImage())));
        }
    }

    /** Whether [rva, rva + size) lies inside one section that has all of {@code characteristics}. */
    private static boolean inSection(PeImage image, long rva, long size, long characteristics) {
        Optional<Section> s = image.sectionAt(rva);
        return size > 0 && s.isPresent() && (s.get().characteristics() & characteristics) == characteristics
                && rva + size <= s.get().rva() + Math.max(s.get().virtualSize(), s.get().rawSize());
    }

    private static byte[] readOrNull(PeImage image, long rva, int size) {
        try {
            return image.readVirtual(rva, size);
        } catch (PeFormatException e) {
            return null;
        }
    }
}
