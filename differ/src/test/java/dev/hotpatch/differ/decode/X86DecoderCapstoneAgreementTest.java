package dev.hotpatch.differ.decode;

import dev.hotpatch.differ.disasm.Disassembler;
import dev.hotpatch.differ.disasm.Instruction;
import dev.hotpatch.differ.disasm.Isa;
import dev.hotpatch.pe.Machine;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.pe.Section;
import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Linear-sweeps the code of real binaries with Capstone 4 (the oracle) and decodes every instruction Capstone
 * decodes with {@link X86Decoder}: length, displacement and immediate places, kind, branch target and the
 * RIP-relative, absolute and index flags must agree. Where Capstone's own encoding fields are inconsistent, the
 * decoder follows the bytes (what masking needs) and the case is counted as a known Capstone quirk, not a
 * mismatch; see {@link Quirk}. Where Capstone does not decode, the sweep skips one byte, as Capstone does.
 */
class X86DecoderCapstoneAgreementTest {
    private static final int LARGE_BINARY_CODE_LIMIT = 4 << 20;

    @BeforeAll
    static void capstoneIsInstalled() {
        ExternalTools.requirePath(Path.of("/usr/lib/x86_64-linux-gnu/libcapstone.so.4"),
                "Capstone 4 (Debian package libcapstone4)");
    }

    @Test
    void everyX64AndX86SampleAgreesWithCapstone() throws Exception {
        List<Path> samples = new ArrayList<>();
        for (String arch : List.of("x64", "x86")) {
            try (Stream<Path> files = Files.walk(RepoPaths.testdataBin().resolve(arch))) {
                files.filter(f -> f.toString().endsWith(".exe") || f.toString().endsWith(".dll")).sorted()
                        .forEach(samples::add);
            }
        }
        assertFalse(samples.isEmpty(), "no samples under " + RepoPaths.testdataBin());
        CapstoneAgreement total = new CapstoneAgreement("all samples");
        for (Path sample : samples) {
            total.add(sweep(sample, Integer.MAX_VALUE));
        }
        System.out.println(samples.size() + " samples: " + total.summary() + total.legend());
        total.assertAgreement();
    }

    @ParameterizedTest
    @ValueSource(strings = {"biomejs-cli-win32-x64-2.5.13/biome.exe", "esbuild-win32-x64-0.28.2/esbuild.exe",
            "rspack-binding-win32-ia32-msvc-2.2.9/rspack.win32-ia32-msvc.node",
            "ffmpeg-installer-win32-x64-4.1.0/ffmpeg.exe"})
    void largeRealBinaryAgreesWithCapstone(String file) throws Exception {
        Path binary = benchCache().resolve(file);
        assumeTrue(Files.isRegularFile(binary), "benchmark binary " + binary
                + " is not present (bench/fetch-binaries.sh fetches it; HOTPATCH_BENCH_CACHE names the cache)");
        CapstoneAgreement agreement = sweep(binary, LARGE_BINARY_CODE_LIMIT);
        System.out.println(file + " (first 4 MB of code): " + agreement.summary() + agreement.legend());
        agreement.assertAgreement();
    }

    /**
     * Times the decoder over the largest x86/x64 binary at hand (prints the figure the README quotes). A
     * benchmark, not a check: tagged so the default build skips it; run it with
     * {@code mvn -pl differ test -Dtest=X86DecoderCapstoneAgreementTest#decoderSpeed -Dhotpatch.excludedGroups=fuzz}.
     */
    @Test
    @Tag("benchmark")
    void decoderSpeed() throws Exception {
        Path largest = null;
        try (Stream<Path> cached = Files.exists(benchCache()) ? Files.walk(benchCache(), 2) : Stream.empty();
             Stream<Path> samples = Files.walk(RepoPaths.testdataBin().resolve("x64"))) {
            List<Path> bySize = Stream.concat(cached, samples).filter(Files::isRegularFile)
                    .sorted(Comparator.comparingLong((Path p) -> p.toFile().length()).reversed()).toList();
            for (Path p : bySize) {
                if (codeMachine(p) != null) {
                    largest = p;
                    break;
                }
            }
        }
        assumeTrue(largest != null, "no x86 or x64 binary to time");
        PeImage image = PeReader.read(largest);
        X86Decoder decoder = new X86Decoder(image.machine() == Machine.AMD64);
        X86Insn insn = new X86Insn();
        List<byte[]> code = new ArrayList<>();
        long bytes = 0;
        for (Section s : image.sections()) {
            if (s.isExecutable()) {
                code.add(image.readVirtual(s.rva(), codeSize(s, Integer.MAX_VALUE)));
                bytes += code.get(code.size() - 1).length;
            }
        }
        long best = Long.MAX_VALUE;
        long count = 0;
        int rounds = 0;
        for (long until = System.nanoTime() + 1_000_000_000L; rounds < 5 || System.nanoTime() < until; rounds++) {
            long start = System.nanoTime();
            count = 0;
            for (byte[] c : code) {
                int pos = 0;
                while (pos < c.length) {
                    pos += decoder.decode(c, pos, c.length, insn) ? insn.length : 1;
                    count++;
                }
            }
            best = Math.min(best, System.nanoTime() - start);
        }
        System.out.printf("X86Decoder speed: %s, %,d bytes of code, %,d instructions in %.0f ms: %.1f M insn/s"
                        + " (best of %d linear sweeps, one thread)%n", largest.getFileName(), bytes, count,
                best / 1e6, count * 1e3 / best, rounds);
    }

    private static Path benchCache() {
        String dir = System.getProperty("HOTPATCH_BENCH_CACHE", System.getenv("HOTPATCH_BENCH_CACHE"));
        return Path.of(dir != null && !dir.isEmpty() ? dir : "/tmp/hbcache");
    }

    /** The machine of an x86 or x64 PE file, or null for anything else. */
    private static Machine codeMachine(Path file) {
        try {
            Machine m = PeReader.read(file).machine();
            return m == Machine.AMD64 || m == Machine.I386 ? m : null;
        } catch (Exception notPe) {
            return null;
        }
    }

    private static int codeSize(Section s, int limit) {
        return (int) Math.min(Math.min(s.extent(), s.mappedSize()), limit);
    }

    /** Sweeps the executable sections of one binary, at most {@code codeLimit} bytes of code in all. */
    private static CapstoneAgreement sweep(Path binary, int codeLimit) throws Exception {
        PeImage image = PeReader.read(binary);
        Machine machine = image.machine();
        assumeTrue(machine == Machine.AMD64 || machine == Machine.I386, binary + " is " + machine);
        boolean is64 = machine == Machine.AMD64;
        CapstoneAgreement agreement = new CapstoneAgreement(binary.toString());
        int left = codeLimit;
        try (Disassembler capstone = new Disassembler(is64 ? Isa.X64 : Isa.X86)) {
            for (Section s : image.sections()) {
                if (!s.isExecutable() || left <= 0) {
                    continue;
                }
                byte[] code = image.readVirtual(s.rva(), codeSize(s, left));
                left -= code.length;
                long address = image.imageBase() + s.rva();
                capstone.disassemble(code, 0, code.length, address,
                        agreement.visitor(new X86Decoder(is64), code, address));
            }
        }
        return agreement;
    }

    /** Cases where Capstone 4's own encoding fields disagree with the bytes; the decoder follows the bytes. */
    enum Quirk {
        DISP32_WITH_66("64-bit mode, operand size 16 (66 without REX.W, or VEX/EVEX pp=01 with W0): Capstone gives"
                + " a disp32 the size 2"),
        IMM_SIZE("Capstone gives an immediate that ends before or after the instruction does (IN/OUT eAX with"
                + " an imm8 port, E5 and E7; RORX imm8): we give the size the bytes have"),
        ENTER("ENTER imm16, imm8: Capstone gives only the imm8; we give both as one 3-byte field"),
        SSE4A("EXTRQ/INSERTQ imm8, imm8: Capstone gives only the second imm8; we give both as one 2-byte field"),
        FAR_POINTER("CALL/JMP ptr16:32 (9A, EA): Capstone gives the selector's offset and the opcode as size"),
        UD0_UD1_MODRM("UD0 (0F FF) and UD1 (0F B9) take a ModRM (Intel SDM); Capstone 4 decodes 2 bytes"),
        PREFIX_BEFORE_VEX("66, F2, F3 or F0 before VEX/EVEX/XOP: the processor raises #UD, so we reject it;"
                + " Capstone 4 decodes the instruction and ignores the prefix"),
        BRANCH16_TARGET("branch with 66: Capstone wraps the target to 16 bits for E8/E9 only, and also when REX.W"
                + " makes the operand size 64"),
        EVEX_INDEX("EVEX memory operand: Capstone takes SIB index 100 with EVEX.V'=0 as an xmm4 index where there"
                + " is no VSIB, and drops the vector index of the VSIB prefetches (vgatherpf/vscatterpf)"),
        BRANCH67_TARGET("branch with 67: Capstone keeps only the low 16 bits of the target, but the address size"
                + " does not change a branch target");

        final String why;

        Quirk(String why) {
            this.why = why;
        }
    }

    /** The counts and first mismatches of one sweep. */
    static final class CapstoneAgreement {
        private static final int SHOWN = 20;
        private static final int GRP_JUMP = 1, GRP_CALL = 2, GRP_RET = 3, GRP_BRANCH_RELATIVE = 7;
        private static final int OP_IMM = 2, OP_MEM = 3;
        private static final int REG_INVALID = 0, REG_EIP = 26, REG_RIP = 41, REG_XMM0 = 122, REG_ZMM31 = 217;
        private static final int INS_HLT = 208, INS_INT3 = 223, INS_JMP = 264, INS_LCALL = 154, INS_LJMP = 155,
                INS_NOP = 494, INS_UD2 = 701, INS_UD2B = 710, INS_UD0 = 1498;

        final String name;
        long compared;
        long undecodableBytes;
        long mismatches;
        final List<String> shown = new ArrayList<>();
        final Map<Quirk, Long> quirks = new TreeMap<>();

        CapstoneAgreement(String name) {
            this.name = name;
        }

        void add(CapstoneAgreement other) {
            compared += other.compared;
            undecodableBytes += other.undecodableBytes;
            mismatches += other.mismatches;
            for (String s : other.shown) {
                if (shown.size() < SHOWN) {
                    shown.add(s);
                }
            }
            other.quirks.forEach((q, n) -> quirks.merge(q, n, Long::sum));
        }

        String summary() {
            StringBuilder sb = new StringBuilder(String.format("%,d instructions compared, %,d mismatches, "
                    + "%,d bytes Capstone does not decode", compared, mismatches, undecodableBytes));
            quirks.forEach((q, n) -> sb.append(String.format("; %,d %s", n, q)));
            return sb.toString();
        }

        /** One line per Capstone quirk seen, saying what it is. */
        String legend() {
            StringBuilder sb = new StringBuilder();
            quirks.keySet().forEach(q -> sb.append("\n  ").append(q).append(": ").append(q.why));
            return sb.toString();
        }

        void assertAgreement() {
            if (mismatches != 0) {
                fail(name + ": " + summary() + "; first mismatches:\n" + String.join("\n", shown));
            }
        }

        Disassembler.Visitor visitor(X86Decoder decoder, byte[] code, long address) {
            X86Insn ours = new X86Insn();
            return new Disassembler.Visitor() {
                @Override
                public void instruction(Instruction cs) {
                    int pos = (int) (cs.address() - address);
                    compared++;
                    boolean decoded = decoder.decode(code, pos, code.length, ours);
                    String problem = decoded ? compare(decoder.is64(), cs, ours, code, pos)
                            : legacyPrefixBeforeVex(decoder.is64(), code, pos) ? quirk(Quirk.PREFIX_BEFORE_VEX)
                            : "we reject it";
                    if (problem != null) {
                        mismatches++;
                        if (shown.size() < SHOWN) {
                            shown.add(describe(cs, ours, decoded, code, pos, problem));
                        }
                    }
                }

                @Override
                public void undecodable(long at, int length) {
                    undecodableBytes += length;
                }
            };
        }

        /** Null when we agree with Capstone (counting known Capstone quirks), else what differs. */
        private String compare(boolean is64, Instruction cs, X86Insn ours, byte[] code, int pos) {
            if (ours.length != cs.size()) {
                if ((ours.opcode == 0x1FF || ours.opcode == 0x1B9) && cs.size() == ours.modrmOffset) {
                    return quirk(Quirk.UD0_UD1_MODRM);
                }
                return "length";
            }
            String problem = compareDisp(is64, cs, ours, code, pos);
            if (problem == null) {
                problem = compareImm(is64, cs, ours);
            }
            if (problem == null && ours.kind != expectedKind(cs, ours, code, pos)) {
                problem = "kind (Capstone's groups and id say " + expectedKind(cs, ours, code, pos) + ")";
            }
            if (problem == null && ours.kind >= X86Insn.CALL_REL && ours.kind <= X86Insn.JCC_REL) {
                long target = ours.relTarget(cs.address(), code, pos);
                long theirs = immediateOperand(cs);
                if (target != theirs) {
                    boolean low16 = ((target ^ theirs) & 0xFFFF) == 0;
                    problem = ours.targetMask == 0xFFFF || low16 && hasPrefix(code, pos, 0x66)
                            ? quirk(Quirk.BRANCH16_TARGET)
                            : low16 && hasPrefix(code, pos, 0x67) ? quirk(Quirk.BRANCH67_TARGET)
                            : "relTarget " + Long.toHexString(target);
                }
            }
            if (problem == null) {
                problem = compareMemory(cs, ours);
            }
            return problem;
        }

        private String compareDisp(boolean is64, Instruction cs, X86Insn ours, byte[] code, int pos) {
            int offset = ours.dispSize == 0 ? 0 : ours.dispOffset;
            if (offset == cs.x86DispOffset() && ours.dispSize == cs.x86DispSize()) {
                return null;
            }
            if (is64 && ours.dispSize == 4 && cs.x86DispSize() == 2 && offset == cs.x86DispOffset()
                    && operandSize16(is64, code, pos)) {
                return quirk(Quirk.DISP32_WITH_66);
            }
            return "displacement";
        }

        private String compareImm(boolean is64, Instruction cs, X86Insn ours) {
            int offset = ours.immSize == 0 ? 0 : ours.immOffset;
            if (offset == cs.x86ImmOffset() && ours.immSize == cs.x86ImmSize()) {
                return null;
            }
            if (ours.opcode == 0xC8 && ours.immSize == 3 && cs.x86ImmOffset() == offset + 2
                    && cs.x86ImmSize() == 1) {
                return quirk(Quirk.ENTER);
            }
            if (ours.opcode == 0x178 && ours.immSize == 2 && cs.x86ImmOffset() == offset + 1
                    && cs.x86ImmSize() == 1) {
                return quirk(Quirk.SSE4A);
            }
            if (ours.immSize != 0 && cs.x86ImmOffset() == offset && offset + ours.immSize == ours.length
                    && offset + cs.x86ImmSize() != cs.size()) {
                return quirk(Quirk.IMM_SIZE);
            }
            if (!is64 && (ours.opcode == 0x9A || ours.opcode == 0xEA) && ours.immSize >= 4) {
                return quirk(Quirk.FAR_POINTER);
            }
            return "immediate";
        }

        private String compareMemory(Instruction cs, X86Insn ours) {
            boolean rip = false;
            boolean absolute = false;
            boolean index = false;
            for (int i = 0; i < cs.operandCount(); i++) {
                if (cs.operandType(i) == OP_MEM) {
                    rip |= cs.x86MemBase(i) == REG_RIP || cs.x86MemBase(i) == REG_EIP;
                    absolute |= cs.x86MemBase(i) == REG_INVALID;
                    index |= cs.x86MemIndex(i) != REG_INVALID;
                }
            }
            if (rip != ours.ripRelative) {
                return "ripRelative";
            }
            if (absolute != ours.absoluteAddress) {
                return "absoluteAddress";
            }
            if (index != ours.hasIndex) {
                return evexVectorIndex(cs, ours) ? quirk(Quirk.EVEX_INDEX) : "hasIndex";
            }
            return null;
        }

        /** See {@link Quirk#EVEX_INDEX}. */
        private static boolean evexVectorIndex(Instruction cs, X86Insn ours) {
            if (ours.modrmOffset < 5 || cs.byteAt(ours.modrmOffset - 5) != 0x62) {
                return false;
            }
            boolean vsibPrefetch = ours.opcode == 0x2C6 || ours.opcode == 0x2C7;
            for (int i = 0; i < cs.operandCount(); i++) {
                if (cs.operandType(i) == OP_MEM) {
                    int index = cs.x86MemIndex(i);
                    return vsibPrefetch ? index == REG_INVALID && ours.hasIndex
                            : index >= REG_XMM0 && index <= REG_ZMM31 && !ours.hasIndex;
                }
            }
            return false;
        }

        private static int expectedKind(Instruction cs, X86Insn ours, byte[] code, int pos) {
            boolean relative = cs.inGroup(GRP_BRANCH_RELATIVE);
            int id = cs.id();
            if (cs.inGroup(GRP_CALL)) {
                return relative ? X86Insn.CALL_REL : id == INS_LCALL && !hasMemory(cs) ? X86Insn.OTHER
                        : X86Insn.CALL_INDIRECT;
            }
            if (cs.inGroup(GRP_RET)) {
                return X86Insn.RET;
            }
            if (cs.inGroup(GRP_JUMP)) {
                if (relative) {
                    return id == INS_JMP ? X86Insn.JMP_REL : X86Insn.JCC_REL;
                }
                return id == INS_LJMP && !hasMemory(cs) ? X86Insn.OTHER : X86Insn.JMP_INDIRECT;
            }
            if (relative) {
                return X86Insn.JCC_REL;    // LOOP, LOOPE, LOOPNE have no jump group in Capstone 4
            }
            return switch (id) {
                case INS_INT3 -> X86Insn.INT3;
                case INS_HLT -> X86Insn.HLT;
                case INS_UD2, INS_UD2B, INS_UD0 -> X86Insn.UD;
                case INS_NOP -> isHintNop(ours, code, pos) ? X86Insn.OTHER : X86Insn.NOP;
                default -> X86Insn.OTHER;
            };
        }

        /**
         * The hint-NOP space 0F 18-1F other than 0F 1F /0: Capstone 4 calls much of it nop, but parts of it are
         * instructions on newer processors (CLDEMOTE, MPX, CET); X86Insn.NOP is only the padding encodings.
         */
        private static boolean isHintNop(X86Insn ours, byte[] code, int pos) {
            return ours.opcode >= 0x118 && ours.opcode <= 0x11F
                    && (ours.opcode != 0x11F || (code[pos + ours.modrmOffset] & 0x38) != 0);
        }

        private static boolean hasPrefix(byte[] code, int pos, int prefix) {
            for (int p = pos; p < code.length && p < pos + 15; p++) {
                int b = code[p] & 0xff;
                if (b == prefix) {
                    return true;
                }
                if (b != 0x66 && b != 0x67 && b != 0xF0 && b != 0xF2 && b != 0xF3 && b != 0x2E && b != 0x3E && b != 0x26
                        && b != 0x36 && b != 0x64 && b != 0x65 && (b & 0xF0) != 0x40) {
                    return false;
                }
            }
            return false;
        }

        /** A 66, F2, F3 or F0 prefix before a VEX, EVEX or XOP prefix, which the processor rejects (#UD). */
        private static boolean legacyPrefixBeforeVex(boolean is64, byte[] code, int pos) {
            boolean simdOrLock = false;
            for (int p = pos; p + 1 < code.length && p < pos + 15; p++) {
                int b = code[p] & 0xff;
                int next = code[p + 1] & 0xff;
                if (b == 0x66 || b == 0xF2 || b == 0xF3 || b == 0xF0) {
                    simdOrLock = true;
                } else if (isVexEscape(is64, b, next)) {
                    return simdOrLock;
                } else if (!(is64 && (b & 0xF0) == 0x40) && b != 0x67 && b != 0x2E && b != 0x3E && b != 0x26 && b != 0x36 && b != 0x64 && b != 0x65) {
                    return false;
                }
            }
            return false;
        }

        /** C4, C5, 62 or 8F that starts a VEX, EVEX or XOP prefix rather than LES, LDS, BOUND or POP. */
        private static boolean isVexEscape(boolean is64, int b, int next) {
            return b == 0x8F ? (next & 0x1F) >= 8
                    : (b == 0xC4 || b == 0xC5 || b == 0x62) && (is64 || (next & 0xC0) == 0xC0);
        }

        private static boolean hasMemory(Instruction cs) {
            for (int i = 0; i < cs.operandCount(); i++) {
                if (cs.operandType(i) == OP_MEM) {
                    return true;
                }
            }
            return false;
        }

        private static long immediateOperand(Instruction cs) {
            for (int i = 0; i < cs.operandCount(); i++) {
                if (cs.operandType(i) == OP_IMM) {
                    return cs.operandValue(i);
                }
            }
            return Long.MIN_VALUE;
        }

        /**
         * Whether Capstone 4 takes the operand size as 16 bits: a 66 prefix not overridden by a REX.W right before
         * the opcode, or a VEX/EVEX/XOP prefix with pp = 01 (66) and W = 0.
         */
        private static boolean operandSize16(boolean is64, byte[] code, int pos) {
            boolean opsize = false;
            int rex = 0;
            for (int p = pos; p < code.length && p < pos + 15; p++) {
                int b = code[p] & 0xff;
                if ((b & 0xF0) == 0x40) {
                    rex = b;
                } else if (b == 0x66 || b == 0x67 || b == 0xF0 || b == 0xF2 || b == 0xF3 || b == 0x2E || b == 0x3E
                        || b == 0x26 || b == 0x36 || b == 0x64 || b == 0x65) {
                    opsize |= b == 0x66;
                    rex = 0;
                } else if (p + 2 < code.length && isVexEscape(is64, b, code[p + 1] & 0xff)) {
                    return b == 0xC5 ? (code[p + 1] & 3) == 1 : (code[p + 2] & 0x83) == 1;
                } else {
                    break;
                }
            }
            return opsize && (rex & 8) == 0;
        }

        private String quirk(Quirk q) {
            quirks.merge(q, 1L, Long::sum);
            return null;
        }

        private static String describe(Instruction cs, X86Insn ours, boolean decoded, byte[] code, int pos,
                                       String problem) {
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < Math.min(15, code.length - pos); i++) {
                hex.append(String.format("%02X ", code[pos + i]));
            }
            return String.format("  %x: %s| %s %s | %s | Capstone: length %d disp %d/%d imm %d/%d; ours: %s",
                    cs.address(), hex, cs.mnemonic(), cs.operands(), problem, cs.size(), cs.x86DispOffset(),
                    cs.x86DispSize(), cs.x86ImmOffset(), cs.x86ImmSize(), decoded ? ours : "rejected");
        }
    }
}
