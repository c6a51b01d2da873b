package dev.hotpatch.packager.format;

import dev.hotpatch.pe.PeImage;
import dev.hotpatch.pe.PeReader;
import dev.hotpatch.pe.Section;
import dev.hotpatch.testsupport.ExternalTools;
import dev.hotpatch.testsupport.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The canonical base hash (docs/format.md, "Canonical form of the base") ignores the CheckSum field and the
 * certificate table, sees every other byte, and agrees with two independent computations: pefile's header
 * offsets with Python's hashlib, and a Java computation written from the specification's text.
 */
class HotPatchCanonicalBaseHashTest {

    private static final String SAMPLE = "x64/constant_changed/v1.exe";

    private static Path sample(String relative) {
        return RepoPaths.testdataBin().resolve(relative);
    }

    @Test
    void checkSumDoesNotChangeTheHash(@TempDir Path tmp) throws Exception {
        byte[] file = Files.readAllBytes(sample(SAMPLE));
        byte[] copy = file.clone();
        int checkSum = le32(file, 0x3C) + 24 + 64;
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(checkSum, le32(file, checkSum) ^ 0x5A5A1234);
        Path changed = write(tmp, "checksum.exe", copy);
        assertFalse(Arrays.equals(file, copy));
        assertArrayEquals(CanonicalBaseHash.sha256(sample(SAMPLE)), CanonicalBaseHash.sha256(changed));
    }

    @Test
    void aCodeByteChangesTheHash(@TempDir Path tmp) throws Exception {
        PeImage image = PeReader.read(sample(SAMPLE));
        Section text = image.section(".text").orElseThrow();
        byte[] copy = Files.readAllBytes(sample(SAMPLE));
        copy[(int) text.rawOffset() + 0x10] ^= 0x01;
        Path changed = write(tmp, "code.exe", copy);
        assertFalse(Arrays.equals(CanonicalBaseHash.sha256(image), CanonicalBaseHash.sha256(changed)));
    }

    /**
     * Signing adds a certificate table and its directory entry: a base whose length is a multiple of 8 keeps its
     * hash. One whose length is not (the mingw sample) gets up to 7 zero bytes of padding before the table, which
     * the canonical form keeps, so its hash changes: docs/format.md says so and tells patch authors to build
     * against the base as deployed.
     */
    @Test
    void signingTheBaseLeavesItsHashAlone(@TempDir Path tmp) throws Exception {
        byte[] file = Files.readAllBytes(sample(SAMPLE));
        assertTrue(file.length % 8 != 0, "the sample's length is not a multiple of 8");
        Path signedPath = write(tmp, "signed.exe", withCertificateTable(file));
        assertEquals(1, PeReader.read(signedPath).certificates().size(), "the copy has a certificate table");
        assertArrayEquals(CanonicalBaseHash.sha256(sample(SAMPLE)), CanonicalBaseHash.sha256(signedPath),
                "an unsigned file is hashed as if padded to 8, which is what signing writes");
        byte[] other = Arrays.copyOf(file, file.length + 8);
        assertFalse(Arrays.equals(CanonicalBaseHash.sha256(sample(SAMPLE)),
                CanonicalBaseHash.sha256(write(tmp, "longer.exe", other))), "real trailing bytes still count");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {SAMPLE, "x64/constant_changed/v1.dll", "x86/constant_changed/v1.exe",
        "x86/constant_changed/v1.dll", "arm64/constant_changed/v1.dll"})
    void agreesWithAComputationFromTheSpecification(String relative) throws Exception {
        byte[] file = Files.readAllBytes(sample(relative));
        assertArrayEquals(fromSpecification(file), CanonicalBaseHash.sha256(sample(relative)));
    }

    @Test
    void agreesWithAComputationFromTheSpecificationOnASignedCopy(@TempDir Path tmp) throws Exception {
        byte[] signed = withCertificateTable(Files.readAllBytes(sample(SAMPLE)));
        assertArrayEquals(fromSpecification(signed), CanonicalBaseHash.sha256(write(tmp, "signed.exe", signed)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {SAMPLE, "x86/constant_changed/v1.dll", "arm64/constant_changed/v1.dll", "signed"})
    void agreesWithPefile(String relative, @TempDir Path tmp) throws Exception {
        Path python = ExternalTools.requirePythonModule("pefile", "python3-pefile");
        Path file = relative.equals("signed")
                ? write(tmp, "signed.exe", withCertificateTable(Files.readAllBytes(sample(SAMPLE))))
                : sample(relative);
        String script = String.join("\n",
                "import hashlib, sys, pefile",
                "data = open(sys.argv[1], 'rb').read()",
                "pe = pefile.PE(data=data, fast_load=True)",
                "cut = [(pe.OPTIONAL_HEADER.get_field_absolute_offset('CheckSum'), 4)]",
                "if len(pe.OPTIONAL_HEADER.DATA_DIRECTORY) > 4:",
                "    d = pe.OPTIONAL_HEADER.DATA_DIRECTORY[4]",
                "    cut.append((d.get_file_offset(), 8))",
                "    if d.VirtualAddress and d.Size:",
                "        cut.append((d.VirtualAddress, d.Size))",
                "keep = bytearray(data)",
                "drop = [False] * len(data)",
                "for start, size in cut:",
                "    for i in range(start, min(start + size, len(data))):",
                "        drop[i] = True",
                "signed = len(pe.OPTIONAL_HEADER.DATA_DIRECTORY) > 4 and pe.OPTIONAL_HEADER.DATA_DIRECTORY[4].VirtualAddress"
                        + " and pe.OPTIONAL_HEADER.DATA_DIRECTORY[4].Size",
                "pad = b'' if signed else bytes(-len(data) % 8)",
                "print(hashlib.sha256(bytes(b for b, d in zip(keep, drop) if not d) + pad).hexdigest())");
        Process p = new ProcessBuilder(python.toString(), "-c", script, file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "pefile took more than a minute");
        assertEquals(0, p.exitValue(), out);
        assertEquals(out, HexFormat.of().formatHex(CanonicalBaseHash.sha256(file)));
    }

    /**
     * The canonical form as docs/format.md words it, computed without PeReader: e_lfanew at 0x3c; the optional
     * header 24 bytes after it; CheckSum 64 bytes into it; the certificate entry 128 (PE32) or 144 (PE32+) bytes
     * into it when NumberOfRvaAndSizes (at 92 or 108) is at least 5; the table at the entry's file offset.
     */
    private static byte[] fromSpecification(byte[] f) throws Exception {
        int optional = le32(f, 0x3C) + 24;
        boolean plus = (f[optional] & 0xFF | (f[optional + 1] & 0xFF) << 8) == 0x20B;
        boolean[] drop = new boolean[f.length];
        dropRange(drop, optional + 64, 4);
        if (le32(f, optional + (plus ? 108 : 92)) >= 5) {
            int entry = optional + (plus ? 144 : 128);
            dropRange(drop, entry, 8);
            int address = le32(f, entry);
            int size = le32(f, entry + 4);
            if (address != 0 && size != 0) {
                dropRange(drop, address, size);
            }
        }
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        for (int i = 0; i < f.length; i++) {
            if (!drop[i]) {
                kept.write(f[i]);
            }
        }
        boolean signed = le32(f, optional + (plus ? 108 : 92)) >= 5 && le32(f, optional + (plus ? 144 : 128)) != 0
                && le32(f, optional + (plus ? 148 : 132)) != 0;
        if (!signed) {
            kept.write(new byte[-f.length & 7], 0, -f.length & 7);
        }
        return MessageDigest.getInstance("SHA-256").digest(kept.toByteArray());
    }

    private static void dropRange(boolean[] drop, int start, int size) {
        for (int i = start; i < Math.min(drop.length, start + size); i++) {
            drop[i] = true;
        }
    }

    /**
     * The file with a WIN_CERTIFICATE appended the way a signer does (the file padded to 8 bytes first) and the
     * certificate-table entry pointing at it; the CheckSum changed as a signer would.
     */
    private static byte[] withCertificateTable(byte[] file) {
        int start = (file.length + 7) & ~7;
        byte[] certificate = "not a real PKCS#7 blob, just its place".getBytes(StandardCharsets.US_ASCII);
        int length = 8 + certificate.length;
        byte[] out = Arrays.copyOf(file, start + ((length + 7) & ~7));
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(start, length).putShort(start + 4, (short) 0x0200).putShort(start + 6, (short) 2);
        b.put(start + 8, certificate);
        int optional = le32(file, 0x3C) + 24;
        boolean plus = (file[optional] & 0xFF | (file[optional + 1] & 0xFF) << 8) == 0x20B;
        int entry = optional + (plus ? 144 : 128);
        b.putInt(entry, start).putInt(entry + 4, out.length - start);
        b.putInt(optional + 64, 0x00C0FFEE);
        return out;
    }

    private static int le32(byte[] f, int at) {
        return ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
    }

    private static Path write(Path dir, String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }
}
