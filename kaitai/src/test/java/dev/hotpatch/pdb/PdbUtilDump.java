package dev.hotpatch.pdb;

import dev.hotpatch.testsupport.ExternalTools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code llvm-pdbutil dump --symbols --globals --publics --section-headers} says about a PDB, as lines in the
 * same shape the tests make of our reader's output: procedures {@code name rva length}, data {@code name rva} and
 * publics {@code name rva function|data}, with RVAs from the section headers it prints.
 */
record PdbUtilDump(List<String> procedures, List<String> data, List<String> publics) {
    private static final Pattern RECORD = Pattern.compile("^\\s*\\d+ \\| (S_\\w+) \\[size = \\d+\\] `(.*)`$");
    private static final Pattern ADDR = Pattern.compile("addr = (\\d{4}):(\\d+)");
    private static final Pattern CODE_SIZE = Pattern.compile("code size = (\\d+)");
    private static final Pattern FLAGS = Pattern.compile("flags = ([^,]*), addr");
    private static final Pattern VIRTUAL_ADDRESS = Pattern.compile("^\\s*([0-9A-Fa-f]+) virtual address$");

    static PdbUtilDump of(Path pdb) throws IOException, InterruptedException {
        Path tool = ExternalTools.require("llvm-pdbutil", "llvm");
        Process p = new ProcessBuilder(tool.toString(), "dump", "--symbols", "--globals", "--publics",
                "--section-headers", pdb.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("llvm-pdbutil failed on " + pdb);
        }
        return parse(new String(out, StandardCharsets.UTF_8).lines().toList());
    }

    static PdbUtilDump parse(List<String> lines) {
        List<Long> sectionRvas = new ArrayList<>();
        String part = "";
        for (String line : lines) {
            part = partOf(line, part);
            Matcher va = VIRTUAL_ADDRESS.matcher(line);
            if (part.equals("Section Headers") && va.matches()) {
                sectionRvas.add(Long.parseLong(va.group(1), 16));
            }
        }
        List<String> procedures = new ArrayList<>();
        List<String> data = new ArrayList<>();
        List<String> publics = new ArrayList<>();
        part = "";
        for (int i = 0; i < lines.size(); i++) {
            part = partOf(lines.get(i), part);
            Matcher r = RECORD.matcher(lines.get(i));
            if (!r.matches() || i + 1 >= lines.size()) {
                continue;
            }
            String kind = r.group(1);
            String name = r.group(2);
            String next = lines.get(i + 1);
            Matcher addr = ADDR.matcher(next);
            if (!addr.find()) {
                continue;
            }
            long rva = rva(sectionRvas, Integer.parseInt(addr.group(1)), Long.parseLong(addr.group(2)));
            switch (kind) {
                case "S_GPROC32", "S_LPROC32", "S_GPROC32_ID", "S_LPROC32_ID" -> {
                    Matcher size = CODE_SIZE.matcher(next);
                    if (part.equals("Symbols") && size.find()) {
                        procedures.add(name + " " + rva + " " + size.group(1));
                    }
                }
                case "S_GDATA32", "S_LDATA32", "S_GTHREAD32", "S_LTHREAD32" -> data.add(name + " " + rva);
                case "S_PUB32" -> {
                    Matcher flags = FLAGS.matcher(next);
                    boolean function = flags.find() && flags.group(1).contains("function");
                    publics.add(name + " " + rva + " " + (function ? "function" : "data"));
                }
                default -> { }
            }
        }
        return new PdbUtilDump(procedures, data, publics);
    }

    private static String partOf(String line, String current) {
        String t = line.strip();
        return switch (t) {
            case "Global Symbols", "Public Symbols", "Symbols", "Section Headers", "Original Section Headers" -> t;
            default -> current;
        };
    }

    private static long rva(List<Long> sections, int segment, long offset) {
        return segment >= 1 && segment <= sections.size() ? sections.get(segment - 1) + offset : -1;
    }
}
