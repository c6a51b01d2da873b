package dev.hotpatch.differ.decode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Encodings whose length and field places are known from the Intel SDM (and AMD APM for XOP and 3DNow!), one row
 * per rule of {@link X86Decoder}. A row reads: bytes | length | ModRM offset | displacement offset/size |
 * immediate offset/size | kind | opcode (map << 8 | byte) | flags (rip, abs, index), "-" for none.
 */
class X86DecoderKnownEncodingsTest {

    private static final String[] X64 = {
        // RIP-relative, absolute, SIB forms
        "48 8B 05 11 22 33 44          | 7  | 2  | 3/4 | -   | OTHER         | 8b  | rip",
        "41 8B 05 11 22 33 44          | 7  | 2  | 3/4 | -   | OTHER         | 8b  | rip",    // REX.B: still RIP
        "67 8B 05 11 22 33 44          | 7  | 2  | 3/4 | -   | OTHER         | 8b  | rip",    // EIP-relative
        "FF 24 C5 00 10 00 00          | 7  | 1  | 3/4 | -   | JMP_INDIRECT  | ff  | abs index",
        "48 8D 04 25 11 22 33 44       | 8  | 2  | 4/4 | -   | OTHER         | 8d  | abs",    // SIB base=101 mod=00
        "8B 44 8D 08                   | 4  | 1  | 3/1 | -   | OTHER         | 8b  | index",  // base rbp with disp8
        "8B 84 8D 00 01 00 00          | 7  | 1  | 3/4 | -   | OTHER         | 8b  | index",
        "42 8B 04 20                   | 4  | 2  | -   | -   | OTHER         | 8b  | index",  // REX.X: index r12
        "8B 04 24                      | 3  | 1  | -   | -   | OTHER         | 8b  | -",
        "41 8B 45 00                   | 4  | 2  | 3/1 | -   | OTHER         | 8b  | -",      // [r13 + 0]
        "F0 48 0F B1 0D 11 22 33 44    | 9  | 4  | 5/4 | -   | OTHER         | 1b1 | rip",
        // immediates and operand size
        "48 B8 11 22 33 44 55 66 77 88 | 10 | -  | -   | 2/8 | OTHER         | b8  | -",
        "66 48 B8 11 22 33 44 55 66 77 88 | 11 | - | - | 3/8 | OTHER         | b8  | -",
        "B8 11 22 33 44                | 5  | -  | -   | 1/4 | OTHER         | b8  | -",
        "66 B8 11 22                   | 4  | -  | -   | 2/2 | OTHER         | b8  | -",
        "48 66 B8 11 22                | 5  | -  | -   | 3/2 | OTHER         | b8  | -",      // REX before 66 is void
        "48 C7 C0 11 22 33 44          | 7  | 2  | -   | 3/4 | OTHER         | c7  | -",
        "C7 05 01 00 00 00 02 00 00 00 | 10 | 1  | 2/4 | 6/4 | OTHER         | c7  | rip",
        "66 C7 05 11 22 33 44 55 66    | 9  | 2  | 3/4 | 7/2 | OTHER         | c7  | rip",
        "C6 05 11 22 33 44 55          | 7  | 1  | 2/4 | 6/1 | OTHER         | c6  | rip",
        "F6 05 01 00 00 00 7F          | 7  | 1  | 2/4 | 6/1 | OTHER         | f6  | rip",    // TEST /0 has imm8
        "F7 C0 11 22 33 44             | 6  | 1  | -   | 2/4 | OTHER         | f7  | -",
        "F7 C8 11 22 33 44             | 6  | 1  | -   | 2/4 | OTHER         | f7  | -",      // TEST /1 alias
        "F7 D8                         | 2  | 1  | -   | -   | OTHER         | f7  | -",      // NEG: none
        "F6 D0                         | 2  | 1  | -   | -   | OTHER         | f6  | -",
        "69 C0 11 22 33 44             | 6  | 1  | -   | 2/4 | OTHER         | 69  | -",
        "66 69 C0 11 22                | 5  | 2  | -   | 3/2 | OTHER         | 69  | -",
        "6B C0 11                      | 3  | 1  | -   | 2/1 | OTHER         | 6b  | -",
        "80 C0 01                      | 3  | 1  | -   | 2/1 | OTHER         | 80  | -",
        "81 C0 11 22 33 44             | 6  | 1  | -   | 2/4 | OTHER         | 81  | -",
        "66 81 C0 11 22                | 5  | 2  | -   | 3/2 | OTHER         | 81  | -",
        "48 81 C0 11 22 33 44          | 7  | 2  | -   | 3/4 | OTHER         | 81  | -",
        "83 C0 01                      | 3  | 1  | -   | 2/1 | OTHER         | 83  | -",
        "C0 E0 04                      | 3  | 1  | -   | 2/1 | OTHER         | c0  | -",
        "C1 E0 04                      | 3  | 1  | -   | 2/1 | OTHER         | c1  | -",
        "68 11 22 33 44                | 5  | -  | -   | 1/4 | OTHER         | 68  | -",
        "66 68 11 22                   | 4  | -  | -   | 2/2 | OTHER         | 68  | -",
        "6A 01                         | 2  | -  | -   | 1/1 | OTHER         | 6a  | -",
        "E4 60                         | 2  | -  | -   | 1/1 | OTHER         | e4  | -",
        "E5 60                         | 2  | -  | -   | 1/1 | OTHER         | e5  | -",
        "C8 10 00 01                   | 4  | -  | -   | 1/3 | OTHER         | c8  | -",      // ENTER imm16, imm8
        "48 63 C0                      | 3  | 2  | -   | -   | OTHER         | 63  | -",      // MOVSXD
        "F3 48 A5                      | 3  | -  | -   | -   | OTHER         | a5  | -",
        // moffs: address size 8, or 4 with 67
        "A1 11 22 33 44 55 66 77 88    | 9  | -  | 1/8 | -   | OTHER         | a1  | abs",
        "48 A3 11 22 33 44 55 66 77 88 | 10 | -  | 2/8 | -   | OTHER         | a3  | abs",
        "67 A1 11 22 33 44             | 6  | -  | 2/4 | -   | OTHER         | a1  | abs",
        // branches
        "E8 00 00 00 00                | 5  | -  | -   | 1/4 | CALL_REL      | e8  | -",
        "66 E8 00 00                   | 4  | -  | -   | 2/2 | CALL_REL      | e8  | -",      // as Capstone (AMD)
        "66 48 E8 00 00 00 00          | 7  | -  | -   | 3/4 | CALL_REL      | e8  | -",
        "E9 00 00 00 00                | 5  | -  | -   | 1/4 | JMP_REL       | e9  | -",
        "EB FE                         | 2  | -  | -   | 1/1 | JMP_REL       | eb  | -",
        "0F 84 00 00 00 00             | 6  | -  | -   | 2/4 | JCC_REL       | 184 | -",
        "2E 74 00                      | 3  | -  | -   | 2/1 | JCC_REL       | 74  | -",
        "E3 00                         | 2  | -  | -   | 1/1 | JCC_REL       | e3  | -",
        "E2 00                         | 2  | -  | -   | 1/1 | JCC_REL       | e2  | -",      // LOOP
        "C7 F8 00 00 00 00             | 6  | 1  | -   | 2/4 | JCC_REL       | c7  | -",      // XBEGIN
        "C6 F8 05                      | 3  | 1  | -   | 2/1 | OTHER         | c6  | -",      // XABORT
        "FF 15 11 22 33 44             | 6  | 1  | 2/4 | -   | CALL_INDIRECT | ff  | rip",
        "FF D0                         | 2  | 1  | -   | -   | CALL_INDIRECT | ff  | -",
        "FF 1C 24                      | 3  | 1  | -   | -   | CALL_INDIRECT | ff  | -",      // far, FF /3
        "41 FF E3                      | 3  | 2  | -   | -   | JMP_INDIRECT  | ff  | -",
        "FF 2C 24                      | 3  | 1  | -   | -   | JMP_INDIRECT  | ff  | -",      // far, FF /5
        "C3                            | 1  | -  | -   | -   | RET           | c3  | -",
        "F2 C3                         | 2  | -  | -   | -   | RET           | c3  | -",
        "C2 08 00                      | 3  | -  | -   | 1/2 | RET           | c2  | -",
        "CB                            | 1  | -  | -   | -   | RET           | cb  | -",
        "CA 08 00                      | 3  | -  | -   | 1/2 | RET           | ca  | -",
        // traps, padding
        "CC                            | 1  | -  | -   | -   | INT3          | cc  | -",
        "CD 29                         | 2  | -  | -   | 1/1 | OTHER         | cd  | -",
        "F4                            | 1  | -  | -   | -   | HLT           | f4  | -",
        "0F 0B                         | 2  | -  | -   | -   | UD            | 10b | -",
        "67 0F B9 40 12                | 5  | 3  | 4/1 | -   | UD            | 1b9 | -",      // ud1l 0x12(%eax), %eax
        "0F FF C0                      | 3  | 2  | -   | -   | UD            | 1ff | -",
        "90                            | 1  | -  | -   | -   | NOP           | 90  | -",
        "66 90                         | 2  | -  | -   | -   | NOP           | 90  | -",
        "48 90                         | 2  | -  | -   | -   | NOP           | 90  | -",
        "41 90                         | 2  | -  | -   | -   | OTHER         | 90  | -",      // xchg eax, r8d
        "F3 90                         | 2  | -  | -   | -   | OTHER         | 90  | -",      // PAUSE
        "0F 1F 44 00 00                | 5  | 2  | 4/1 | -   | NOP           | 11f | index",
        "66 0F 1F 84 00 00 00 00 00    | 9  | 3  | 5/4 | -   | NOP           | 11f | index",
        "66 2E 0F 1F 84 00 00 00 00 00 | 10 | 4  | 6/4 | -   | NOP           | 11f | index",
        "0F 1F 48 00                   | 4  | 2  | 3/1 | -   | OTHER         | 11f | -",      // 0F 1F /1
        "F3 0F 1E FA                   | 4  | 3  | -   | -   | OTHER         | 11e | -",      // ENDBR64
        // 0F map
        "0F 05                         | 2  | -  | -   | -   | OTHER         | 105 | -",
        "0F A2                         | 2  | -  | -   | -   | OTHER         | 1a2 | -",
        "0F C8                         | 2  | -  | -   | -   | OTHER         | 1c8 | -",
        "0F 01 D0                      | 3  | 2  | -   | -   | OTHER         | 101 | -",
        "0F 20 00                      | 3  | 2  | -   | -   | OTHER         | 120 | -",      // MOV CR ignores mod
        "0F 22 40                      | 3  | 2  | -   | -   | OTHER         | 122 | -",
        "0F BA E0 05                   | 4  | 2  | -   | 3/1 | OTHER         | 1ba | -",
        "0F A4 C2 05                   | 4  | 2  | -   | 3/1 | OTHER         | 1a4 | -",
        "0F AC C2 05                   | 4  | 2  | -   | 3/1 | OTHER         | 1ac | -",
        "0F C2 C1 00                   | 4  | 2  | -   | 3/1 | OTHER         | 1c2 | -",
        "66 0F C4 C0 01                | 5  | 3  | -   | 4/1 | OTHER         | 1c4 | -",
        "0F C6 C1 00                   | 4  | 2  | -   | 3/1 | OTHER         | 1c6 | -",
        "66 0F 73 D8 08                | 5  | 3  | -   | 4/1 | OTHER         | 173 | -",
        "0F 70 C1 00                   | 4  | 2  | -   | 3/1 | OTHER         | 170 | -",
        "0F 0F C1 B4                   | 4  | 2  | -   | -   | OTHER         | 10f | -",      // 3DNow! pfmul
        "0F 0F 05 11 22 33 44 B4       | 8  | 2  | 3/4 | -   | OTHER         | 10f | rip",
        "66 0F 38 00 04 24             | 6  | 4  | -   | -   | OTHER         | 200 | -",
        "66 0F 3A 0F C1 08             | 6  | 4  | -   | 5/1 | OTHER         | 30f | -",
        "66 0F 78 C0 01 02             | 6  | 3  | -   | 4/2 | OTHER         | 178 | -",      // EXTRQ
        "F2 0F 78 C1 01 02             | 6  | 3  | -   | 4/2 | OTHER         | 178 | -",      // INSERTQ
        "0F 78 C0                      | 3  | 2  | -   | -   | OTHER         | 178 | -",      // VMREAD
        "0F A7 C8                      | 3  | 2  | -   | -   | OTHER         | 1a7 | -",      // VIA xcryptecb
        "DD 05 11 22 33 44             | 6  | 1  | 2/4 | -   | OTHER         | dd  | rip",
        // VEX, EVEX, XOP
        "C4 E3 79 0F C1 08             | 6  | 4  | -   | 5/1 | OTHER         | 30f | -",
        "C4 E3 79 0F 05 11 22 33 44 08 | 10 | 4  | 5/4 | 9/1 | OTHER         | 30f | rip",
        "C5 F9 70 C0 01                | 5  | 3  | -   | 4/1 | OTHER         | 170 | -",
        "C4 E1 F9 70 C0 01             | 6  | 4  | -   | 5/1 | OTHER         | 170 | -",
        "C5 F8 77                      | 3  | -  | -   | -   | OTHER         | 177 | -",      // VZEROUPPER
        "C5 FD 6F A2 80 00 00 00       | 8  | 3  | 4/4 | -   | OTHER         | 16f | -",
        "C4 E2 7D 90 04 A0             | 6  | 4  | -   | -   | OTHER         | 290 | index",  // VSIB ymm4
        "C4 E3 FB F0 C1 02             | 6  | 4  | -   | 5/1 | OTHER         | 3f0 | -",      // RORX
        "62 F1 7C 48 10 40 01          | 7  | 5  | 6/1 | -   | OTHER         | 110 | -",      // disp8*N: 1 byte
        "62 F1 FD 48 73 D0 05          | 7  | 5  | -   | 6/1 | OTHER         | 173 | -",
        "62 F1 7C 48 C6 C1 05          | 7  | 5  | -   | 6/1 | OTHER         | 1c6 | -",
        "62 F3 7D 48 0F C1 08          | 7  | 5  | -   | 6/1 | OTHER         | 30f | -",
        "62 F1 F5 18 58 C2             | 6  | 5  | -   | -   | OTHER         | 158 | -",      // {rn-sae}: no imm
        "62 A1 75 40 61 C3             | 6  | 5  | -   | -   | OTHER         | 161 | -",      // zmm16..31
        "62 F2 7D 49 90 04 A0          | 7  | 5  | -   | -   | OTHER         | 290 | index",
        "8F E8 78 C0 C1 05             | 6  | 4  | -   | 5/1 | OTHER         | 8c0 | -",      // XOP map 8
        "8F E9 78 80 C1                | 5  | 4  | -   | -   | OTHER         | 980 | -",      // XOP map 9
        "8F EA 78 10 C1 11 22 33 44    | 9  | 4  | -   | 5/4 | OTHER         | a10 | -",      // XOP map A
        "8F 00                         | 2  | 1  | -   | -   | OTHER         | 8f  | -",      // POP, not XOP
        // length limit
        "66 66 66 66 66 66 66 66 66 66 66 66 66 66 90 | 15 | - | - | - | NOP        | 90  | -",
    };

    private static final String[] X86 = {
        "A1 11 22 33 44                | 5  | -  | 1/4 | -   | OTHER         | a1  | abs",
        "67 A1 11 22                   | 4  | -  | 2/2 | -   | OTHER         | a1  | abs",
        "8B 05 11 22 33 44             | 6  | 1  | 2/4 | -   | OTHER         | 8b  | abs",
        "8B 04 25 11 22 33 44          | 7  | 1  | 3/4 | -   | OTHER         | 8b  | abs",
        "FF 24 85 00 10 00 00          | 7  | 1  | 3/4 | -   | JMP_INDIRECT  | ff  | abs index",
        "FF 15 00 10 00 00             | 6  | 1  | 2/4 | -   | CALL_INDIRECT | ff  | abs",
        "66 8B 05 11 22 33 44          | 7  | 2  | 3/4 | -   | OTHER         | 8b  | abs",
        // 16-bit addressing with 67
        "67 8B 06 11 22                | 5  | 2  | 3/2 | -   | OTHER         | 8b  | abs",
        "67 8B 46 11                   | 4  | 2  | 3/1 | -   | OTHER         | 8b  | -",
        "67 8B 86 11 22                | 5  | 2  | 3/2 | -   | OTHER         | 8b  | -",
        "67 8B 00                      | 3  | 2  | -   | -   | OTHER         | 8b  | index",  // [bx + si]
        "67 8B 04                      | 3  | 2  | -   | -   | OTHER         | 8b  | -",      // [si]: no SIB
        "67 8B 44 08                   | 4  | 2  | 3/1 | -   | OTHER         | 8b  | -",
        "67 C7 06 11 22 33 44 55 66    | 9  | 2  | 3/2 | 5/4 | OTHER         | c7  | abs",
        // one-byte opcodes that exist only outside 64-bit mode
        "40                            | 1  | -  | -   | -   | OTHER         | 40  | -",
        "06                            | 1  | -  | -   | -   | OTHER         | 6   | -",
        "60                            | 1  | -  | -   | -   | OTHER         | 60  | -",
        "CE                            | 1  | -  | -   | -   | OTHER         | ce  | -",
        "D4 0A                         | 2  | -  | -   | 1/1 | OTHER         | d4  | -",
        "82 C0 05                      | 3  | 1  | -   | 2/1 | OTHER         | 82  | -",
        "9A 11 22 33 44 55 66          | 7  | -  | -   | 1/6 | OTHER         | 9a  | -",
        "66 9A 11 22 33 44             | 6  | -  | -   | 2/4 | OTHER         | 9a  | -",
        "EA 11 22 33 44 55 66          | 7  | -  | -   | 1/6 | OTHER         | ea  | -",
        // LES, LDS, BOUND unless the next byte's top bits are 11
        "C4 06                         | 2  | 1  | -   | -   | OTHER         | c4  | -",
        "C5 06                         | 2  | 1  | -   | -   | OTHER         | c5  | -",
        "62 06                         | 2  | 1  | -   | -   | OTHER         | 62  | -",
        "C4 E3 79 0F C1 08             | 6  | 4  | -   | 5/1 | OTHER         | 30f | -",
        "C5 F9 70 C0 01                | 5  | 3  | -   | 4/1 | OTHER         | 170 | -",
        "62 F1 7C 48 10 40 01          | 7  | 5  | 6/1 | -   | OTHER         | 110 | -",
        "8F E8 78 C0 C1 05             | 6  | 4  | -   | 5/1 | OTHER         | 8c0 | -",
        // branches and immediates
        "E8 00 00 00 00                | 5  | -  | -   | 1/4 | CALL_REL      | e8  | -",
        "66 E9 00 80                   | 4  | -  | -   | 2/2 | JMP_REL       | e9  | -",
        "67 E3 00                      | 3  | -  | -   | 2/1 | JCC_REL       | e3  | -",
        "B8 11 22 33 44                | 5  | -  | -   | 1/4 | OTHER         | b8  | -",
        "66 B8 11 22                   | 4  | -  | -   | 2/2 | OTHER         | b8  | -",
        "68 00 10 40 00                | 5  | -  | -   | 1/4 | OTHER         | 68  | -",
        "C7 05 11 22 33 44 00 10 40 00 | 10 | 1  | 2/4 | 6/4 | OTHER         | c7  | abs",
    };

    private static final String[] REJECTED_X64 = {
        "06", "07", "0E", "16", "17", "1E", "1F", "27", "2F", "37", "3F", "60", "61", "82 C0 05",
        "9A 11 22 33 44 55 66", "CE", "D4 0A", "D5 0A", "D6", "EA 11 22 33 44 55 66",
        "48 C5 F9 70 C0 01",          // REX before VEX
        "66 C5 F9 70 C0 01",          // 66 before VEX
        "F3 C4 E3 79 0F C1 08",
        "F0 62 F1 7C 48 10 40 01",
        "C4 E0 79 0F C1 08",          // VEX map 0
        "62 F0 7C 48 10 40 01",       // EVEX map 0
        "62 F1 78 48 10 40 01",       // EVEX P1 bit 2 clear
        "8F EB 78 10 C1",             // XOP map 11
        "FE D0", "FF F8", "FF D8", "FF E8", "8F 20", "C7 C8 00 00 00 00", "C6 F9 05", "8D C0", "0F BA C0 05",
        "0F 0A", "0F 04", "0F 3F",
        "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90",    // 16 bytes
        "E8 00 00 00",                // runs past the end
        "48 8B 05 11 22 33",
        "C4 E3 79 0F C1",
        "62 F1 7C",
        "C5",
        "66 F2",
    };

    private static final String[] REJECTED_X86 = {
        "0F 0A", "FE D0", "8F 20", "C4 E0 79 0F C1 08", "E8 00 00", "66 9A 11 22 33", "67 8B 06 11",
    };

    @Test
    void x64Encodings() {
        check(true, X64);
    }

    @Test
    void x86Encodings() {
        check(false, X86);
    }

    @Test
    void invalidOrTruncatedBytesAreRejected() {
        X86Insn insn = new X86Insn();
        for (String hex : REJECTED_X64) {
            assertFalse(new X86Decoder(true).decode(bytes(hex), 0, bytes(hex).length, insn), "x64 " + hex);
        }
        for (String hex : REJECTED_X86) {
            assertFalse(new X86Decoder(false).decode(bytes(hex), 0, bytes(hex).length, insn), "x86 " + hex);
        }
    }

    @Test
    void limitBoundsTheInstructionNotTheArray() {
        byte[] code = bytes("90 E8 00 00 00 00 C3");
        X86Insn insn = new X86Insn();
        X86Decoder decoder = new X86Decoder(true);
        assertFalse(decoder.decode(code, 1, 5, insn), "E8 rel32 does not fit before limit 5");
        assertTrue(decoder.decode(code, 1, 6, insn));
        assertEquals(5, insn.length);
        assertTrue(decoder.decode(code, 6, 1000, insn), "a limit past the end of the array is cut to it");
        assertEquals(1, insn.length);
        assertFalse(decoder.decode(code, 7, 1000, insn), "nothing left");
    }

    @Test
    void relativeTargetsWrapAsTheProcessorDoes() {
        X86Insn insn = new X86Insn();
        byte[] call = bytes("E8 FB FF FF FF");     // a call to itself
        assertTrue(new X86Decoder(true).decode(call, 0, call.length, insn));
        assertEquals(0x140001000L, insn.relTarget(0x140001000L, call, 0));
        byte[] back = bytes("E8 00 E0 FF FF");     // 32-bit: 0x1000 + 5 - 0x2000 wraps below zero
        assertTrue(new X86Decoder(false).decode(back, 0, back.length, insn));
        assertEquals(0xFFFFF005L, insn.relTarget(0x1000, back, 0));
        byte[] jmp16 = bytes("66 E9 00 80");
        assertTrue(new X86Decoder(false).decode(jmp16, 0, jmp16.length, insn));
        assertEquals((0x401000 + 4 - 0x8000) & 0xFFFF, insn.relTarget(0x401000, jmp16, 0));
        byte[] self = bytes("90 EB FE");
        assertTrue(new X86Decoder(true).decode(self, 1, self.length, insn));
        assertEquals(0x1001, insn.relTarget(0x1001, self, 1));
        byte[] jcc = bytes("0F 84 10 00 00 00");
        assertTrue(new X86Decoder(true).decode(jcc, 0, jcc.length, insn));
        assertEquals(0x2016, insn.relTarget(0x2000, jcc, 0));
    }

    @Test
    void displacementsAreSignExtendedAndMoffsZeroExtended() {
        X86Insn insn = new X86Insn();
        byte[] disp = bytes("48 8B 05 F0 FF FF FF");
        assertTrue(new X86Decoder(true).decode(disp, 0, disp.length, insn));
        assertEquals(-16, insn.readDisp(disp, 0));
        assertEquals(0x1000 + 7 - 16, 0x1000 + insn.length + insn.readDisp(disp, 0), "RIP-relative target");
        byte[] moffs = bytes("A1 00 00 00 00 00 00 00 80");
        assertTrue(new X86Decoder(true).decode(moffs, 0, moffs.length, insn));
        assertEquals(0x8000000000000000L, insn.readDisp(moffs, 0));
        byte[] moffs32 = bytes("A1 00 00 40 80");
        assertTrue(new X86Decoder(false).decode(moffs32, 0, moffs32.length, insn));
        assertEquals(0x80400000L, insn.readDisp(moffs32, 0));
        byte[] imm = bytes("83 C0 FF");
        assertTrue(new X86Decoder(true).decode(imm, 0, imm.length, insn));
        assertEquals(-1, insn.readImm(imm, 0));
        byte[] imm64 = bytes("48 B8 88 77 66 55 44 33 22 11");
        assertTrue(new X86Decoder(true).decode(imm64, 0, imm64.length, insn));
        assertEquals(0x1122334455667788L, insn.readImm(imm64, 0));
        assertEquals(0, insn.readDisp(imm64, 0), "no displacement");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void everyByteSequenceDecodesWithoutThrowing(boolean is64) {
        // Every one- and two-byte opcode followed by every ModRM byte and some filler, never past 15 bytes.
        X86Decoder decoder = new X86Decoder(is64);
        X86Insn insn = new X86Insn();
        byte[] code = new byte[20];
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                for (int fill : new int[] {0x00, 0x25, 0xC0, 0xFF}) {
                    java.util.Arrays.fill(code, (byte) fill);
                    code[0] = (byte) a;
                    code[1] = (byte) b;
                    if (decoder.decode(code, 0, code.length, insn)) {
                        assertTrue(insn.length >= 1 && insn.length <= 15, HexFormat.of().formatHex(code));
                        assertTrue(insn.dispSize == 0 || insn.dispOffset + insn.dispSize <= insn.length);
                        assertTrue(insn.immSize == 0 || insn.immOffset + insn.immSize <= insn.length);
                    }
                }
            }
        }
    }

    private static void check(boolean is64, String[] rows) {
        X86Decoder decoder = new X86Decoder(is64);
        X86Insn insn = new X86Insn();
        for (String row : rows) {
            String[] f = row.split("\\|");
            String hex = f[0].trim();
            byte[] code = bytes(hex);
            String what = (is64 ? "x64 " : "x86 ") + hex;
            assertTrue(decoder.decode(code, 0, code.length, insn), what + " decodes");
            assertEquals(Integer.parseInt(f[1].trim()), insn.length, what + " length");
            assertEquals(f[2].trim().equals("-") ? -1 : Integer.parseInt(f[2].trim()), insn.modrmOffset,
                    what + " ModRM");
            assertEquals(f[3].trim(), insn.dispSize == 0 ? "-" : insn.dispOffset + "/" + insn.dispSize,
                    what + " displacement");
            assertEquals(f[4].trim(), insn.immSize == 0 ? "-" : insn.immOffset + "/" + insn.immSize,
                    what + " immediate");
            assertEquals(f[5].trim(), KIND_NAMES[insn.kind], what + " kind");
            assertEquals(f[6].trim(), Integer.toHexString(insn.opcode), what + " opcode");
            String flags = f[7].trim();
            assertEquals(flags.contains("rip"), insn.ripRelative, what + " ripRelative");
            assertEquals(flags.contains("abs"), insn.absoluteAddress, what + " absoluteAddress");
            assertEquals(flags.contains("index"), insn.hasIndex, what + " hasIndex");
        }
    }

    private static final String[] KIND_NAMES = {"OTHER", "CALL_REL", "JMP_REL", "JCC_REL", "CALL_INDIRECT",
        "JMP_INDIRECT", "RET", "INT3", "NOP", "UD", "HLT"};

    private static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }
}
