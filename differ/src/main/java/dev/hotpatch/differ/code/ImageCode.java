package dev.hotpatch.differ.code;

import dev.hotpatch.pe.BaseRelocationType;
import dev.hotpatch.pe.BaseRelocations;
import dev.hotpatch.pe.Machine;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.Section;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * An image seen as code and data: bytes by RVA as the loader maps them (copied into caller buffers, never
 * allocated per instruction), the executable sections, and the sorted sites of the absolute addresses the
 * base-relocation table names.
 */
public final class ImageCode {
    private final PeImage image;
    private final List<Section> sections;
    private final int[] relocSites;      // sorted RVAs of HIGHLOW / DIR64 relocations
    private final byte[] relocWidth;     // 4 or 8
    private final ByteBuffer file;

    public ImageCode(PeImage image) {
        this.image = image;
        this.sections = image.sections();
        this.file = image.fileBytes().slice(0, image.fileLength()).order(ByteOrder.LITTLE_ENDIAN);
        BaseRelocations relocations = image.relocations();
        long[] packed = new long[relocations.count()];
        int n = 0;
        for (int i = 0; i < relocations.count(); i++) {
            BaseRelocationType t = relocations.type(i);
            if (t == BaseRelocationType.HIGHLOW || t == BaseRelocationType.DIR64) {
                packed[n++] = relocations.rva(i) << 1 | (t == BaseRelocationType.DIR64 ? 1 : 0);
            }
        }
        Arrays.sort(packed, 0, n);
        relocSites = new int[n];
        relocWidth = new byte[n];
        for (int i = 0; i < n; i++) {
            relocSites[i] = (int) (packed[i] >>> 1);
            relocWidth[i] = (byte) ((packed[i] & 1) != 0 ? 8 : 4);
        }
    }

    public PeImage image() {
        return image;
    }

    public boolean is64() {
        return image.is64Bit();
    }

    public Machine machine() {
        return image.machine();
    }

    public long imageBase() {
        return image.imageBase();
    }

    public long sizeOfImage() {
        return image.optionalHeader().sizeOfImage();
    }

    public List<Section> sections() {
        return sections;
    }

    public Section sectionAt(long rva) {
        return image.addressMap().sectionAt(rva);
    }

    public boolean isCode(long rva) {
        Section s = sectionAt(rva);
        return s != null && s.isExecutable();
    }

    public boolean hasRelocations() {
        return relocSites.length > 0;
    }

    /** Index of the first relocation site at or after {@code rva}. */
    public int firstRelocAtOrAfter(long rva) {
        int lo = 0;
        int hi = relocSites.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Integer.toUnsignedLong(relocSites[mid]) < rva) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    public int relocCount() {
        return relocSites.length;
    }

    public long relocSite(int i) {
        return Integer.toUnsignedLong(relocSites[i]);
    }

    public int relocWidth(int i) {
        return relocWidth[i];
    }

    /** True when [rva, rva + size) lies in one section (virtual extent). */
    public boolean mapped(long rva, long size) {
        Section s = sectionAt(rva);
        return s != null && size >= 0 && rva + size <= s.rva() + Math.max(s.extent(), s.mappedSize());
    }

    /**
     * Copies [rva, rva + size) as the loader maps it into {@code out} from {@code outOffset}: file-backed bytes,
     * zeros elsewhere (including bytes outside every section). Returns {@code size}.
     */
    public int read(long rva, int size, byte[] out, int outOffset) {
        Arrays.fill(out, outOffset, outOffset + size, (byte) 0);
        int done = 0;
        while (done < size) {
            long at = rva + done;
            Section s = sectionAt(at);
            if (s == null) {
                done++;
                continue;
            }
            long delta = at - s.rva();
            long sectionEnd = s.rva() + Math.max(s.extent(), s.mappedSize());
            int span = (int) Math.min(size - done, Math.max(1, sectionEnd - at));
            long backed = Math.max(0, Math.min(span, s.mappedSize() - delta));
            if (backed > 0) {
                file.get((int) (s.mappedOffset() + delta), out, outOffset + done, (int) backed);
            }
            done += span;
        }
        return size;
    }

    /** A little-endian value of {@code width} bytes (4 or 8) at an RVA, zero when unmapped. */
    public long readWord(long rva, int width) {
        Section s = sectionAt(rva);
        if (s != null && (width == 4 || width == 8)) {
            long delta = rva - s.rva();
            long at = s.mappedOffset() + delta;
            if (delta >= 0 && delta + width <= s.mappedSize() && at + width <= file.limit()) {
                // The whole word comes from the file (the usual case): read it in place.
                return width == 8 ? file.getLong((int) at) : file.getInt((int) at) & 0xffffffffL;
            }
        }
        byte[] b = new byte[8];
        read(rva, width, b, 0);
        long v = 0;
        for (int i = width - 1; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    /** The RVA an absolute address stands for, or -1 when it lies outside the image. */
    public long rvaOfAddress(long va) {
        long rva = va - imageBase();
        if (!is64()) {
            rva = (va & 0xffffffffL) - (imageBase() & 0xffffffffL);
        }
        return rva >= 0 && rva < sizeOfImage() ? rva : -1;
    }
}
