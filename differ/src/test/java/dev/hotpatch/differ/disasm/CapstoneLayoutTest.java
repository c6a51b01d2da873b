package dev.hotpatch.differ.disasm;

import dev.hotpatch.testsupport.ExternalTools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins the raw-memory offsets of {@link CsLayout} by decoding encodings whose every field is known: if an
 * offset were wrong, a mnemonic, size, target, register or encoding offset below would come out wrong.
 */
class CapstoneLayoutTest {

    @BeforeAll
    static void capstoneIsInstalled() {
        ExternalTools.requirePath(Path.of("/usr/lib/x86_64-linux-gnu/libcapstone.so.4"),
                "Capstone 4 (Debian package libcapstone4)");
    }

    private record Seen(String mnemonic, long address, int size, List<long[]> operands, int[] encoding,
                        boolean call, boolean jump) {}

    private static List<Seen> decode(Isa isa, long address, int... bytes) {
        byte[] code = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            code[i] = (byte) bytes[i];
        }
        List<Seen> seen = new ArrayList<>();
        try (Disassembler d = new Disassembler(isa)) {
            d.disassemble(code, 0, code.length, address, new Disassembler.Visitor() {
                @Override
                public void instruction(Instruction insn) {
                    List<long[]> ops = new ArrayList<>();
                    for (int i = 0; i < insn.operandCount(); i++) {
                        ops.add(isa == Isa.ARM64
                                ? new long[] {insn.operandType(i), insn.operandValue(i)}
                                : new long[] {insn.operandType(i), insn.operandValue(i), insn.x86MemBase(i),
                                        insn.x86MemDisp(i)});
                    }
                    int[] enc = isa == Isa.ARM64 ? new int[0] : new int[] {insn.x86DispOffset(), insn.x86DispSize(),
                            insn.x86ImmOffset(), insn.x86ImmSize()};
                    seen.add(new Seen(insn.mnemonic(), insn.address(), insn.size(), ops, enc, insn.inGroup(2),
                            insn.inGroup(1)));
                }

                @Override
                public void undecodable(long at, int length) {
                    seen.add(new Seen("(undecodable)", at, length, List.of(), new int[0], false, false));
                }
            });
        }
        return seen;
    }

    @Test
    void capstoneIsVersion4() {
        assertEquals(4, Disassembler.capstoneVersion() >> 8);
    }

    @Test
    void x64CallGivesItsAbsoluteTargetAndImmediateEncoding() {
        Seen call = decode(Isa.X64, 0x1000, 0xE8, 0xFB, 0x0F, 0x00, 0x00).get(0);
        assertEquals("call", call.mnemonic());
        assertEquals(5, call.size());
        assertEquals(0x2000, call.operands().get(0)[1]);
        assertTrue(call.call());
        assertEquals(1, call.encoding()[2]);
        assertEquals(4, call.encoding()[3]);
    }

    @Test
    void x64RipRelativeLoadGivesBaseDisplacementAndItsPlace() {
        Seen mov = decode(Isa.X64, 0x1000, 0x48, 0x8B, 0x05, 0x10, 0x00, 0x00, 0x00).get(0);
        assertEquals("mov", mov.mnemonic());
        assertEquals(7, mov.size());
        assertEquals(2, mov.operands().size());
        long[] mem = mov.operands().get(1);
        assertEquals(3, mem[0], "X86_OP_MEM");
        assertEquals(41, mem[2], "X86_REG_RIP");
        assertEquals(0x10, mem[3]);
        assertEquals(3, mov.encoding()[0]);
        assertEquals(4, mov.encoding()[1]);
    }

    @Test
    void undecodableBytesAreSkippedAndReported() {
        // 0x06 (push es) does not exist in 64-bit mode; the ret after it still decodes.
        List<Seen> seen = decode(Isa.X64, 0x400, 0x06, 0xC3);
        assertEquals("(undecodable)", seen.get(0).mnemonic());
        assertEquals(0x400, seen.get(0).address());
        assertEquals("ret", seen.get(1).mnemonic());
        assertEquals(0x401, seen.get(1).address());
    }

    @Test
    void instructionsAcrossChunkBoundariesAreNotLost() {
        // 5000 bytes of 5-byte "mov eax, imm32": the 4 KB chunk boundary falls inside one of them.
        int[] code = new int[5000];
        for (int i = 0; i < code.length; i += 5) {
            code[i] = 0xB8;
        }
        List<Seen> seen = decode(Isa.X64, 0, code);
        assertEquals(1000, seen.size());
        assertTrue(seen.stream().allMatch(s -> s.mnemonic().equals("mov") && s.size() == 5));
    }

    @Test
    void arm64BranchAndAdrpGiveAbsoluteTargets() {
        List<Seen> seen = decode(Isa.ARM64, 0x1000, 0x10, 0x00, 0x00, 0x94, 0x00, 0x00, 0x00, 0xB0);
        assertEquals("bl", seen.get(0).mnemonic());
        assertEquals(0x1040, seen.get(0).operands().get(0)[1]);
        assertTrue(seen.get(0).jump(), "Capstone 4 puts bl in the jump group");
        assertEquals("adrp", seen.get(1).mnemonic());
        assertEquals(2, seen.get(1).operands().size());
        assertEquals(0x2000, seen.get(1).operands().get(1)[1]);
    }

    @Test
    void x86ThirtyTwoBitAbsoluteOperand() {
        // mov eax, dword ptr [0x403000]: no base register, displacement is the absolute address.
        Seen mov = decode(Isa.X86, 0x401000, 0xA1, 0x00, 0x30, 0x40, 0x00).get(0);
        assertEquals("mov", mov.mnemonic());
        assertEquals(0x403000, mov.operands().get(1)[3]);
        assertEquals(0, mov.operands().get(1)[2]);
    }
}
