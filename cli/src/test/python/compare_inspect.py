#!/usr/bin/env python3
"""Checks `hotpatch inspect --json` against two independent PE parsers.

    /usr/bin/python3 compare_inspect.py [--llvm] IMAGE OURS.json

IMAGE is loaded with pefile (full load, Debian python3-pefile: use /usr/bin/python3, the python3 first on PATH may
lack pefile) and dumped with `x86_64-w64-mingw32-objdump -x` (Debian binutils-mingw-w64-x86-64). When that objdump
does not recognise the file (ARM64 images: Debian's mingw binutils 2.40 has no pei-aarch64 target), the second
parser is `llvm-readobj --file-headers --sections --coff-exports --coff-imports` instead; --llvm forces that, so the
fallback parser can be checked on x86/x64 images too.

Facts compared: format, machine, image base, entry point, the section table (name, RVA, virtual size, raw offset,
raw size, characteristics), exports (DLL name, ordinal base, every name with its ordinal, every non-empty export
address table slot with its RVA and forwarder) and imports (per DLL in order, per function in order: name or
ordinal, hint, IAT RVA), delay-load imports included where the tool shows them (pefile and llvm-readobj do,
GNU objdump does not).

Output: one line per disagreement, such as
    pefile: section[2].virtualSize: ours 0x1234, pefile 0x1230
then one summary line with what was compared. Exit 0 when everything agrees, 1 on any disagreement (including a
fact the tools show that our JSON lacks, so an empty report cannot pass), 2 on a usage or tool error.

What was learned about the tools (the comparison below depends on every point):

pefile 2023.2.7
  * Section.Name is the raw 8 bytes, NUL padded; the name is the bytes before the first NUL. Long names ("/4",
    written by GNU ld for .debug_* and other names over 8 characters) are NOT resolved: pefile leaves "/4". We
    resolve them here the way the COFF spec says (string table at PointerToSymbolTable + 18 * NumberOfSymbols,
    the number is a decimal offset into it); objdump and llvm-readobj resolve them the same way.
  * Misc_VirtualSize, SizeOfRawData, PointerToRawData, Characteristics are the raw header fields (pefile's
    adjusted values come only from its helper methods, not used here).
  * Export symbols: `ordinal` is biased (Base + index), `address` is an RVA, `forwarder` is bytes or None. There is
    one symbol per name (aliases repeat the ordinal) plus one per unnamed slot; unnamed slots whose RVA is 0 (holes
    in the export address table) are left out.
  * Import entries: `address` is ImageBase + IAT slot RVA (a VA, not an RVA) for both normal and delay-load
    imports; `hint` is None for imports by ordinal, `ordinal` is None for imports by name.
  * Names are bytes; we accept our JSON's string if it equals their Latin-1 or UTF-8 decoding.

GNU objdump 2.40 (-x)
  * No raw section header dump (-P is not supported for PE). The "Sections:" table gives:
      - VMA = ImageBase + VirtualAddress, but 0 when VirtualAddress is 0 (bfd adds the base only to non-zero
        addresses), truncated to 32 bits for PE32;
      - "File off" = PointerToRawData exactly;
      - "Size" = neither field: bfd uses VirtualSize when VirtualSize > 0 and (SizeOfRawData > VirtualSize, or the
        section is uninitialised data with SizeOfRawData 0), else SizeOfRawData. We compute that from our two
        sizes and compare;
      - flags are derived from Characteristics (bfd's styp_to_sec_flags): READONLY unless MEM_WRITE, NOREAD unless
        MEM_READ, CODE for MEM_EXECUTE or CNT_CODE, ALLOC+LOAD for CNT_CODE, DATA+ALLOC+LOAD for CNT_INITIALIZED_DATA
        (DEBUGGING instead for debug-named sections), ALLOC for CNT_UNINITIALIZED_DATA, DEBUGGING(+READONLY) for
        MEM_DISCARDABLE debug sections, SHARED, EXCLUDE for LNK_REMOVE, DEBUGGING for LNK_INFO, CONTENTS when
        PointerToRawData != 0. We derive the same set from our characteristics and compare it; the exact number is
        compared with pefile (and llvm-readobj, which prints it).
      - Section names with no characters (corkami's hand-made files) print as blanks, so the table is parsed by
        anchoring on the numeric columns, not by splitting on spaces.
  * "ImageBase" and "AddressOfEntryPoint" are printed in hex in the header dump ("start address" is the VA).
    With SizeOfOptionalHeader 0 (corkami's tiny*.exe, which Windows runs) bfd reads no optional header and prints
    "Magic 0000" and zeros everywhere: then objdump makes no claim about image base and entry point.
  * Data directories whose Size is 0 are printed (and used) as 0/0: bfd zeroes the address. The Windows loader
    and pefile honour an import or export directory with Size 0 (corkami's impbyord.exe, normal.exe ...), so
    when objdump shows no table it makes no claim; pefile is the strict check there.
  * Imports: per DLL a descriptor line "vma  HintTable TimeStamp ForwardChain DLLName FirstThunk", then rows
    "<hint/name RVA or raw thunk>  <hint>  <name>"; the IAT slot of row j is FirstThunk + j * pointer size. By
    ordinal the name is "<none>" and the ordinal is printed in DECIMAL for PE32 ("8000000a   10  <none>") but in
    HEX for PE32+ ("800000000000000a    00000000a  <none>", high and low halves glued together).
    Delay-load imports are not shown at all.
  * Exports: "Export Address Table -- Ordinal Base N" rows "[index] +base[ordinal] RVA Export RVA" or
    "... Forwarder RVA -- target", with the empty (RVA 0) slots left out; "[Ordinal/Name Pointer] Table" rows are
    "[index] name" with the UNBIASED index (older binutils printed "[index] +base[ordinal] name"; both read).
  * Names are read only inside the section holding the directory: a name elsewhere prints as
    "<corrupt offset: 2d13>" (corkami's standard.exe) although Windows and pefile read it; no claim then.
  * mingw's own DLLs and EXEs import from msvcrt.dll (Debian's mingw-w64 default CRT) or, for UCRT builds, from
    api-ms-win-crt-*.dll; either way they are ordinary import descriptors, compared like any other DLL. DLL names
    keep the case written in the file ("KERNEL32.dll"), so names are compared exactly.
  * It does not read ARM64 images ("file format not recognized"); nor some hand-made x86 files (corkami's tiny.exe,
    maxvals.exe ...), for which llvm-readobj is tried too (it refuses most of those as well: exit 2).

llvm-readobj 14 (fallback)
  * Prints the raw section header fields (RawDataSize in decimal, the rest in hex) and resolves long names.
  * Exports: one entry per export address table slot, holes included (RVA 0, empty name: ignored as for pefile);
    a forwarder is shown only by its RVA (pointing into the export directory), so forwarders, the export DLL name
    and the ordinal base are not compared with it.
  * Imports: "Symbol: name (hint)" or "Symbol:  (ordinal)" with an empty name; DelayImport blocks carry
    ImportAddressTable, the slots follow at pointer-size steps.
"""

import json
import re
import subprocess
import sys

OBJDUMP = "x86_64-w64-mingw32-objdump"
READOBJ = "llvm-readobj"

# Characteristics bits used below.
SCN_CNT_CODE = 0x20
SCN_CNT_INITIALIZED_DATA = 0x40
SCN_CNT_UNINITIALIZED_DATA = 0x80
SCN_LNK_INFO = 0x200
SCN_LNK_REMOVE = 0x800
SCN_LNK_COMDAT = 0x1000
SCN_MEM_DISCARDABLE = 0x02000000
SCN_MEM_SHARED = 0x10000000
SCN_MEM_EXECUTE = 0x20000000
SCN_MEM_READ = 0x40000000
SCN_MEM_WRITE = 0x80000000
# Bits bfd refuses ("unsupported flag"); with them objdump fails on the file, or its flags are not predictable.
BFD_UNHANDLED = 0x1 | 0x2 | 0x4 | 0x10 | 0x100 | 0x400 | 0x04000000 | SCN_LNK_COMDAT
# The objdump flags we predict; others it may print (RELOC, LINK_ONCE ...) are left alone.
BFD_PREDICTED = {"CONTENTS", "ALLOC", "LOAD", "READONLY", "NOREAD", "CODE", "DATA", "DEBUGGING", "SHARED", "EXCLUDE"}

MACHINES = {0x14C: "x86", 0x8664: "x64", 0xAA64: "arm64"}
FORMATS = {0x10B: "PE32", 0x20B: "PE32+"}

UNKNOWN = object()  # a fact the tool does not show: not compared


class ToolError(Exception):
    pass


class Report:
    def __init__(self):
        self.lines = []

    def differ(self, tool, what, ours, theirs):
        self.lines.append("%s: %s: ours %s, %s %s" % (tool, what, fmt(ours), tool, fmt(theirs)))

    def note(self, tool, text):
        self.lines.append("%s: %s" % (tool, text))


def fmt(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return hex(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, (set, frozenset)):
        return "{" + ", ".join(sorted(v)) + "}"
    return str(v)


def text_of(b):
    """pefile bytes -> the candidate strings our JSON may hold for them."""
    if b is None:
        return None
    if isinstance(b, str):
        return b
    return b.decode("latin-1")


def same_text(ours, theirs_bytes_or_str):
    if theirs_bytes_or_str is None or ours is None:
        return ours is None and theirs_bytes_or_str is None
    if isinstance(theirs_bytes_or_str, str):
        return ours == theirs_bytes_or_str
    return ours in (theirs_bytes_or_str.decode("latin-1"), theirs_bytes_or_str.decode("utf-8", "replace"))


# ---------------------------------------------------------------------------------------------------------------
# Normal forms shared by all three sides.
#   exports: None, or dict(dllName, ordinalBase, names: {name: ordinal}, slots: {ordinal: (rva, forwarder)})
#   imports: list of dict(dll, functions: [dict(name, ordinal, hint, iatRva)])   (one list per kind)
# ---------------------------------------------------------------------------------------------------------------

def ours_exports(ours):
    e = ours["exports"]
    if e is None:
        return None
    names, slots = {}, {}
    for entry in e.get("entries") or []:
        ordinal, name, rva = entry.get("ordinal"), entry.get("name"), entry.get("rva")
        if name is not None:
            names[name] = ordinal
        if rva:  # empty slots (RVA 0) are holes some tools list and some do not
            slots[ordinal] = (rva, entry.get("forwarder"))
    return {"dllName": e.get("dllName"), "ordinalBase": e.get("ordinalBase"), "names": names, "slots": slots}


def ours_imports(ours, delay):
    out = []
    for d in ours["imports"]:
        if bool(d.get("delayLoad")) != delay:
            continue
        out.append({"dll": d.get("dll"), "functions": [
            {"name": f.get("name"), "ordinal": f.get("ordinal"), "hint": f.get("hint"), "iatRva": f.get("iatRva")}
            for f in d.get("functions") or []]})
    return out


def count_exports(e):
    return 0 if e is None else len(set(e["slots"]) | set(e["names"].values()))


def compare_exports(report, tool, ours, theirs):
    if theirs is None and ours is None:
        return
    if theirs is None:
        report.differ(tool, "exports", "%d entries" % count_exports(ours), "none")
        return
    if ours is None:
        report.differ(tool, "exports", "none", "%d entries (%d named)" % (count_exports(theirs), len(theirs["names"])))
        return
    for key in ("dllName", "ordinalBase"):
        if theirs[key] is not UNKNOWN and not (ours[key] == theirs[key] if key == "ordinalBase"
                                               else same_text(ours[key], theirs[key])):
            report.differ(tool, "exports." + key, ours[key], text_of(theirs[key]) if key == "dllName" else theirs[key])
    their_names = {text_of(k): v for k, v in theirs["names"].items()}
    for name in sorted(set(ours["names"]) | set(their_names)):
        if name not in their_names and ours["names"][name] in theirs.get("unreadableNames", ()):
            continue
        if name not in ours["names"]:
            report.differ(tool, "exports[%s]" % json.dumps(name), "missing", "ordinal %d" % their_names[name])
        elif name not in their_names:
            report.differ(tool, "exports[%s]" % json.dumps(name), "ordinal %d" % ours["names"][name], "missing")
        elif ours["names"][name] != their_names[name]:
            report.differ(tool, "exports[%s].ordinal" % json.dumps(name), ours["names"][name], their_names[name])
    for ordinal in sorted(set(ours["slots"]) | set(theirs["slots"])):
        mine, their = ours["slots"].get(ordinal), theirs["slots"].get(ordinal)
        where = "exports[ordinal %d]" % ordinal
        if mine is None:
            report.differ(tool, where, "missing", "rva %s" % fmt(their[0]))
        elif their is None:
            report.differ(tool, where, "rva %s" % fmt(mine[0]), "missing")
        else:
            if mine[0] != their[0]:
                report.differ(tool, where + ".rva", mine[0], their[0])
            if their[1] is not UNKNOWN and not same_text(mine[1], their[1]):
                report.differ(tool, where + ".forwarder", mine[1], text_of(their[1]))


def compare_imports(report, tool, ours, theirs, delay):
    kind = "delayImports" if delay else "imports"
    if len(ours) != len(theirs):
        report.differ(tool, kind + ".count", "%d DLLs %s" % (len(ours), [d["dll"] for d in ours]),
                      "%d DLLs %s" % (len(theirs), [text_of(d["dll"]) for d in theirs]))
    for i in range(min(len(ours), len(theirs))):
        mine, their = ours[i], theirs[i]
        where = "%s[%d]" % (kind, i)
        if not same_text(mine["dll"], their["dll"]):
            report.differ(tool, where + ".dll", mine["dll"], text_of(their["dll"]))
            continue
        where = "%s[%s]" % (kind, mine["dll"])
        mf, tf = mine["functions"], their["functions"]
        if len(mf) != len(tf):
            report.differ(tool, where + ".functions.count", len(mf), len(tf))
        for j in range(min(len(mf), len(tf))):
            a, b = mf[j], tf[j]
            label = "%s.functions[%d]" % (where, j)
            if b["name"] is UNKNOWN:
                pass
            elif not same_text(a["name"], b["name"]):
                report.differ(tool, label + ".name", a["name"], text_of(b["name"]))
            if b["ordinal"] is not UNKNOWN and a["ordinal"] != b["ordinal"]:
                report.differ(tool, label + ".ordinal", a["ordinal"], b["ordinal"])
            if b["name"] is not None and b["hint"] is not UNKNOWN and a["hint"] != b["hint"]:
                report.differ(tool, label + ".hint", a["hint"], b["hint"])
            if a["ordinal"] is not None and a["hint"] is not None:
                # an import by ordinal has no hint: our JSON must say null, whatever the tool shows
                report.differ(tool, label + ".hint (import by ordinal)", a["hint"], None)
            if b["iatRva"] is not UNKNOWN and a["iatRva"] != b["iatRva"]:
                report.differ(tool, label + ".iatRva", a["iatRva"], b["iatRva"])


def compare_scalar(report, tool, ours, key, theirs):
    if theirs is not UNKNOWN and ours[key] != theirs:
        report.differ(tool, key, ours[key], theirs)


def compare_section_fields(report, tool, ours_sections, their_sections, fields):
    if len(ours_sections) != len(their_sections):
        report.differ(tool, "sections.count", len(ours_sections), len(their_sections))
    for i in range(min(len(ours_sections), len(their_sections))):
        mine, their = ours_sections[i], their_sections[i]
        for f in fields:
            if f == "name":
                if not same_text(mine["name"], their["name"]):
                    report.differ(tool, "section[%d].name" % i, mine["name"], text_of(their["name"]))
            elif mine[f] != their[f]:
                report.differ(tool, "section[%d].%s" % (i, f), mine[f], their[f])


# ---------------------------------------------------------------------------------------------------------------
# pefile
# ---------------------------------------------------------------------------------------------------------------

def pefile_section_name(pe, raw):
    name = raw.split(b"\0", 1)[0]
    if name.startswith(b"/") and name[1:].isdigit():
        table = pe.FILE_HEADER.PointerToSymbolTable
        if table:
            data = pe.__data__
            start = table + 18 * pe.FILE_HEADER.NumberOfSymbols + int(name[1:])
            end = data.find(b"\0", start) if start < len(data) else -1
            if end != -1:
                return bytes(data[start:end])
    return name


def pefile_facts(path):
    try:
        import pefile
    except ImportError:
        raise ToolError("the pefile module is missing (Debian package python3-pefile; run with /usr/bin/python3)")
    try:
        pe = pefile.PE(path)  # full load: every data directory is parsed
    except (pefile.PEFormatError, OSError) as e:
        raise ToolError("pefile cannot parse %s: %s" % (path, e))
    base = pe.OPTIONAL_HEADER.ImageBase
    facts = {
        "format": FORMATS.get(pe.OPTIONAL_HEADER.Magic, UNKNOWN),
        "machine": MACHINES.get(pe.FILE_HEADER.Machine, UNKNOWN),
        "imageBase": base,
        "entryPointRva": pe.OPTIONAL_HEADER.AddressOfEntryPoint,
        "sections": [{"name": pefile_section_name(pe, s.Name), "rva": s.VirtualAddress,
                      "virtualSize": s.Misc_VirtualSize, "rawOffset": s.PointerToRawData,
                      "rawSize": s.SizeOfRawData, "characteristics": s.Characteristics} for s in pe.sections],
        "exports": None,
    }
    if hasattr(pe, "DIRECTORY_ENTRY_EXPORT"):
        e = pe.DIRECTORY_ENTRY_EXPORT
        names, slots = {}, {}
        for s in e.symbols:
            if s.name is not None:
                names[s.name] = s.ordinal
            if s.address:
                slots[s.ordinal] = (s.address, s.forwarder)
        facts["exports"] = {"dllName": e.name, "ordinalBase": e.struct.Base, "names": names, "slots": slots}

    def imports(entries):
        return [{"dll": d.dll, "functions": [
            {"name": i.name, "ordinal": i.ordinal if i.import_by_ordinal else None,
             "hint": i.hint, "iatRva": i.address - base} for i in d.imports]} for d in entries]

    facts["imports"] = imports(getattr(pe, "DIRECTORY_ENTRY_IMPORT", []))
    facts["delayImports"] = imports(getattr(pe, "DIRECTORY_ENTRY_DELAY_IMPORT", []))
    pe.close()
    return facts


def compare_full_facts(report, tool, ours, facts, present):
    """Compares every fact a tool that reads everything (pefile, llvm-readobj) gave us."""
    for key in ("format", "machine", "imageBase", "entryPointRva"):
        if key in present:
            compare_scalar(report, tool, ours, key, facts[key])
    if "sections" in present:
        compare_section_fields(report, tool, ours["sections"], facts["sections"],
                               ("name", "rva", "virtualSize", "rawOffset", "rawSize", "characteristics"))
    if "exports" in present:
        compare_exports(report, tool, ours_exports(ours), facts["exports"])
    if "imports" in present:
        compare_imports(report, tool, ours_imports(ours, False), facts["imports"], False)
        compare_imports(report, tool, ours_imports(ours, True), facts["delayImports"], True)


# ---------------------------------------------------------------------------------------------------------------
# GNU objdump
# ---------------------------------------------------------------------------------------------------------------

def run(cmd):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    except FileNotFoundError:
        raise ToolError("%s is not installed" % cmd[0])
    except subprocess.TimeoutExpired:
        raise ToolError("%s timed out" % " ".join(cmd))
    return p.returncode, p.stdout.decode("latin-1"), p.stderr.decode("latin-1")


DEBUG_PREFIXES = (".debug", ".zdebug", ".gnu.linkonce.wi.", ".gnu.linkonce.wt.", ".gnu_debuglink",
                  ".gnu_debugaltlink", ".stab")


def bfd_flags(name, characteristics, raw_offset):
    """The section flags bfd derives from a PE section header (coffcode.h styp_to_sec_flags, PE variant)."""
    is_dbg = name.startswith(DEBUG_PREFIXES)
    c = characteristics
    f = {"READONLY"}
    if not c & SCN_MEM_READ:
        f.add("NOREAD")
    if c & SCN_MEM_EXECUTE:
        f.add("CODE")
    if c & SCN_MEM_WRITE:
        f.discard("READONLY")
    if c & SCN_MEM_DISCARDABLE and (is_dbg or name == ".comment"):
        f |= {"DEBUGGING", "READONLY"}
    if c & SCN_MEM_SHARED:
        f.add("SHARED")
    if c & SCN_LNK_REMOVE and not is_dbg:
        f.add("EXCLUDE")
    if c & SCN_CNT_CODE:
        f |= {"CODE", "ALLOC", "LOAD"}
    if c & SCN_CNT_INITIALIZED_DATA:
        f |= {"DEBUGGING"} if is_dbg else {"DATA", "ALLOC", "LOAD"}
    if c & SCN_CNT_UNINITIALIZED_DATA:
        f.add("ALLOC")
    if c & SCN_LNK_INFO:
        f.add("DEBUGGING")
    if raw_offset:
        f.add("CONTENTS")
    return f


def bfd_size(virtual_size, raw_size, characteristics):
    """The "Size" objdump shows for an image section (peXXigen.c _bfd_XXi_swap_scnhdr_in)."""
    if virtual_size > 0 and ((characteristics & SCN_CNT_UNINITIALIZED_DATA and raw_size == 0)
                             or raw_size > virtual_size):
        return virtual_size
    return raw_size


SECTION_ROW = re.compile(r"^\s*(\d+) (.*?)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+2\*\*\d+\s*$")
DESCRIPTOR_ROW = re.compile(r"^ ([0-9a-f]{8})\t([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8})\s*$")
IMPORT_ROW = re.compile(r"^\t([0-9a-f]+)\t\s*(\S+)  (.*?)(?:\t[0-9a-f]+)?$")
EAT_ROW = re.compile(r"^\t\[\s*(\d+)\] \+base\[\s*(\d+)\] ([0-9a-f]+) (Export|Forwarder) RVA(?: -- (.*))?$")
NAME_ROW = re.compile(r"^\t\[\s*(\d+)\](?: \+base\[\s*(\d+)\])? (.*)$")
DATA_DIR_ROW = re.compile(r"^Entry ([0-9a-f]) ([0-9a-f]+) ([0-9a-f]+) ")


def objdump_facts(path):
    rc, out, err = run([OBJDUMP, "-x", path])
    if rc != 0:
        return None, err.strip() or "exit code %d" % rc
    lines = out.splitlines()
    facts = {"format": UNKNOWN, "machine": UNKNOWN, "imageBase": None, "entryPointRva": None,
             "sections": [], "exports": None, "imports": None, "dataDirs": {}, "notes": []}
    m = re.search(r"file format (\S+)", out)
    if m:
        facts["machine"] = {"pei-i386": "x86", "pei-x86-64": "x64", "pei-aarch64-little": "arm64"}.get(m.group(1),
                                                                                                      UNKNOWN)
    for line in lines:
        m = re.match(r"^(Magic|ImageBase|AddressOfEntryPoint)\s+([0-9a-f]+)", line)
        if m and facts.get("_seen_" + m.group(1)) is None:
            facts["_seen_" + m.group(1)] = True
            v = int(m.group(2), 16)
            if m.group(1) == "Magic":
                facts["format"] = FORMATS.get(v, UNKNOWN)
            elif m.group(1) == "ImageBase":
                facts["imageBase"] = v
            else:
                facts["entryPointRva"] = v
        m = DATA_DIR_ROW.match(line)
        if m:
            facts["dataDirs"][int(m.group(1), 16)] = (int(m.group(2), 16), int(m.group(3), 16))
    if facts["imageBase"] is None or facts["entryPointRva"] is None:
        raise ToolError("objdump printed no PE headers for %s" % path)
    if facts["format"] is UNKNOWN:
        # "Magic 0000": bfd read no optional header (SizeOfOptionalHeader 0, as in corkami's tiny*.exe) and prints
        # zeros for every field, which Windows does not use. Those zeros are no claim.
        facts["imageBase"] = facts["entryPointRva"] = UNKNOWN
        facts["notes"].append("objdump read no optional header (Magic 0000), so image base and entry point are "
                              "compared with pefile only")
    pe32plus = facts["format"] == "PE32+" or (facts["format"] is UNKNOWN and facts["machine"] in ("x64", "arm64"))
    pointer = 8 if pe32plus else 4

    # Sections: two lines each, the row and its flags.
    if "Sections:" in lines:
        i = lines.index("Sections:") + 2
        while i < len(lines):
            m = SECTION_ROW.match(lines[i])
            if not m:
                break
            flags = {f.strip() for f in lines[i + 1].split(",")} if i + 1 < len(lines) else set()
            facts["sections"].append({"name": m.group(2), "size": int(m.group(3), 16), "vma": int(m.group(4), 16),
                                      "rawOffset": int(m.group(6), 16), "flags": flags})
            i += 2

    # Imports.
    if any(l.startswith("The Import Tables") for l in lines):
        start = next(k for k, l in enumerate(lines) if l.startswith("The Import Tables"))
        imports, current, first_thunk = [], None, 0
        for line in lines[start + 1:]:
            if line and not line[0].isspace() and not line.startswith("\t"):
                break  # the next table ("The Function Table", "PE File Base Relocations", ...)
            m = DESCRIPTOR_ROW.match(line)
            if m:
                first_thunk = int(m.group(6), 16)
                current = None
                continue
            m = re.match(r"^\tDLL Name: (.*)$", line)
            if m:
                current = {"dll": m.group(1), "functions": []}
                imports.append(current)
                continue
            m = IMPORT_ROW.match(line)
            if m and current is not None:
                hint_or_ordinal, name = m.group(2), m.group(3)
                iat = first_thunk + pointer * len(current["functions"])
                if name.startswith("<corrupt"):
                    # objdump could not read the hint/name entry (it looks only inside one section): no claim.
                    current["functions"].append({"name": UNKNOWN, "ordinal": UNKNOWN, "hint": UNKNOWN, "iatRva": iat})
                elif name == "<none>":
                    ordinal = int(hint_or_ordinal, 16 if pe32plus else 10) & 0xFFFF
                    current["functions"].append({"name": None, "ordinal": ordinal, "hint": None, "iatRva": iat})
                else:
                    current["functions"].append({"name": name, "ordinal": None, "hint": int(hint_or_ordinal),
                                                 "iatRva": iat})
        facts["imports"] = imports

    # Exports.
    if any(l.startswith("The Export Tables") for l in lines):
        start = next(k for k, l in enumerate(lines) if l.startswith("The Export Tables"))
        e = {"dllName": UNKNOWN, "ordinalBase": UNKNOWN, "names": {}, "slots": {}, "unreadableNames": set()}
        in_names = False
        for line in lines[start + 1:]:
            if line.startswith(("The ", "There ", "PE File", "Sections:", "SYMBOL TABLE")):
                break  # the next table
            m = re.match(r"^Name\s+[0-9a-f]+ (.*)$", line)
            if m:
                e["dllName"] = m.group(1)
                continue
            m = re.match(r"^Ordinal Base\s+(-?\d+)", line)
            if m:
                e["ordinalBase"] = int(m.group(1))
                continue
            if line.startswith("[Ordinal/Name Pointer] Table"):
                in_names = True
                continue
            if in_names:
                m = NAME_ROW.match(line)
                if not m:
                    break
                ordinal = int(m.group(2)) if m.group(2) else int(m.group(1)) + e["ordinalBase"]
                if m.group(3).startswith("<corrupt"):
                    # "<corrupt offset: 2d13>": objdump reads names only inside the section that holds the export
                    # directory (corkami's standard.exe keeps one elsewhere); pefile still checks that name.
                    e["unreadableNames"].add(ordinal)
                else:
                    e["names"][m.group(3)] = ordinal
                continue
            m = EAT_ROW.match(line)
            if m:
                e["slots"][int(m.group(2))] = (int(m.group(3), 16), m.group(5) if m.group(4) == "Forwarder" else None)
        facts["exports"] = e
    return facts, None


def compare_objdump(report, ours, facts, pe_facts, present, notes):
    tool = "objdump"
    notes.extend(facts["notes"])
    for key in ("format", "machine", "imageBase", "entryPointRva"):
        if key in present:
            compare_scalar(report, tool, ours, key, facts[key])
    if "sections" in present:
        mask = 0xFFFFFFFF if ours.get("format") == "PE32" else 0xFFFFFFFFFFFFFFFF
        base = ours.get("imageBase") or 0
        expected = []
        skipped_flags = 0
        for s in ours["sections"]:
            c = s["characteristics"]
            flags = bfd_flags(s["name"], c, s["rawOffset"])
            if c & BFD_UNHANDLED:
                flags = None
                skipped_flags += 1
            expected.append({"name": s["name"], "vma": (base + s["rva"]) & mask if s["rva"] else 0,
                             "size": bfd_size(s["virtualSize"], s["rawSize"], c), "rawOffset": s["rawOffset"],
                             "flags": flags})
        theirs = facts["sections"]
        if len(expected) != len(theirs):
            report.differ(tool, "sections.count", len(expected), len(theirs))
        for i in range(min(len(expected), len(theirs))):
            mine, their = expected[i], theirs[i]
            if mine["name"] != their["name"]:
                report.differ(tool, "section[%d].name" % i, mine["name"], their["name"])
            if mine["vma"] != their["vma"]:
                report.differ(tool, "section[%d].rva (as VMA = imageBase + rva)" % i, mine["vma"], their["vma"])
            if mine["rawOffset"] != their["rawOffset"]:
                report.differ(tool, "section[%d].rawOffset" % i, mine["rawOffset"], their["rawOffset"])
            if mine["size"] != their["size"]:
                report.differ(tool, "section[%d].virtualSize/rawSize (as bfd size)" % i, mine["size"], their["size"])
            if mine["flags"] is not None and mine["flags"] != their["flags"] & BFD_PREDICTED:
                report.differ(tool, "section[%d].characteristics (as bfd flags)" % i, mine["flags"],
                              their["flags"] & BFD_PREDICTED)
        if skipped_flags:
            notes.append("objdump flags not predicted for %d section(s) with COMDAT or bfd-unsupported bits"
                         % skipped_flags)
    if "exports" in present:
        if facts["exports"] is not None:
            compare_exports(report, tool, ours_exports(ours), facts["exports"])
        elif pe_facts["exports"] is not None:
            notes.append("objdump shows no export table" + data_dir_reason(facts, 0))
    if "imports" in present:
        if facts["imports"] is not None:
            compare_imports(report, tool, ours_imports(ours, False), facts["imports"], False)
        elif pe_facts["imports"]:
            notes.append("objdump shows no import table" + data_dir_reason(facts, 1))


def data_dir_reason(facts, index):
    addr, size = facts["dataDirs"].get(index, (0, 0))
    if size == 0:
        return " (its data directory has size 0, which bfd treats as absent; pefile checks it)"
    return " (directory at 0x%x not shown by objdump; pefile checks it)" % addr


# ---------------------------------------------------------------------------------------------------------------
# llvm-readobj (fallback for what objdump cannot read)
# ---------------------------------------------------------------------------------------------------------------

def readobj_facts(path):
    rc, out, err = run([READOBJ, "--file-headers", "--sections", "--coff-exports", "--coff-imports", path])
    if rc != 0:
        raise ToolError("llvm-readobj failed on %s: %s" % (path, err.strip()))
    facts = {"format": UNKNOWN, "machine": UNKNOWN, "imageBase": None, "entryPointRva": None,
             "sections": [], "exports": None, "imports": [], "delayImports": []}
    section = imp = delay = None
    pointer = 4
    for line in out.splitlines():
        s = line.strip()
        indent = len(line) - len(line.lstrip())
        m = re.match(r"^Machine: .*\(0x([0-9A-F]+)\)$", s)
        if m and facts["machine"] is UNKNOWN:
            facts["machine"] = MACHINES.get(int(m.group(1), 16), UNKNOWN)
        m = re.match(r"^Magic: 0x([0-9A-F]+)$", s)
        if m and facts["format"] is UNKNOWN:
            facts["format"] = FORMATS.get(int(m.group(1), 16), UNKNOWN)
            pointer = 8 if facts["format"] == "PE32+" else 4
        m = re.match(r"^(ImageBase|AddressOfEntryPoint): 0x([0-9A-F]+)$", s)
        if m and section is None and imp is None:
            facts["imageBase" if m.group(1) == "ImageBase" else "entryPointRva"] = int(m.group(2), 16)
        if s == "Section {":
            section = {}
            facts["sections"].append(section)
        elif section is not None:
            m = re.match(r"^Name: ?(.*?) ?\(([0-9A-F ]*)\)$", s)  # "Name: (00 00 ...)" when empty
            if m:
                section["name"] = m.group(1)
            for key, field, radix in (("VirtualSize", "virtualSize", 16), ("VirtualAddress", "rva", 16),
                                      ("RawDataSize", "rawSize", 10), ("PointerToRawData", "rawOffset", 16)):
                m = re.match(r"^%s: (?:0x)?([0-9A-F]+)$" % key, s)
                if m:
                    section[field] = int(m.group(1), radix)
            m = re.match(r"^Characteristics \[ \(0x([0-9A-F]+)\)", s)
            if m:
                section["characteristics"] = int(m.group(1), 16)
            if s == "}" and indent == 2:
                section = None
        if indent == 0 and s == "Import {":
            imp = {"dll": None, "functions": [], "_iat": 0}
            facts["imports"].append(imp)
            delay = None
        elif indent == 0 and s == "DelayImport {":
            delay = {"dll": None, "functions": [], "_iat": 0}
            facts["delayImports"].append(delay)
            imp = None
        elif indent == 0 and s == "Export {":
            imp = delay = None
            if facts["exports"] is None:
                facts["exports"] = {"dllName": UNKNOWN, "ordinalBase": UNKNOWN, "names": {}, "slots": {},
                                    "_current": None}
            facts["exports"]["_current"] = {}
        target = imp or delay
        if target is not None:
            m = re.match(r"^Name: (.*)$", s)
            if m and target["dll"] is None:
                target["dll"] = m.group(1)
            m = re.match(r"^(?:ImportAddressTableRVA|ImportAddressTable): 0x([0-9A-F]+)$", s)
            if m:
                target["_iat"] = int(m.group(1), 16)
            m = re.match(r"^Symbol: (.*) \((\d+)\)$", s)
            if m:
                iat = target["_iat"] + pointer * len(target["functions"])
                if m.group(1):
                    target["functions"].append({"name": m.group(1), "ordinal": None, "hint": int(m.group(2)),
                                                "iatRva": iat})
                else:
                    target["functions"].append({"name": None, "ordinal": int(m.group(2)), "hint": None,
                                                "iatRva": iat})
        elif facts["exports"] is not None and facts["exports"]["_current"] is not None:
            cur = facts["exports"]["_current"]
            m = re.match(r"^(Ordinal|Name|RVA): ?(.*)$", s)
            if m:
                cur[m.group(1)] = m.group(2)
            if s == "}" and indent == 0:
                ordinal = int(cur.get("Ordinal", "0"))
                rva = int(cur.get("RVA", "0x0"), 16)
                if cur.get("Name"):
                    facts["exports"]["names"][cur["Name"]] = ordinal
                if rva:
                    facts["exports"]["slots"][ordinal] = (rva, UNKNOWN)
                facts["exports"]["_current"] = None
    if facts["imageBase"] is None or facts["entryPointRva"] is None:
        raise ToolError("llvm-readobj printed no PE headers for %s" % path)
    return facts


# ---------------------------------------------------------------------------------------------------------------

REQUIRED = ("format", "machine", "imageBase", "entryPointRva", "sections", "exports", "imports")


def check_schema(report, ours, pe_facts):
    """Every fact must be present in our JSON: a missing key is a disagreement, never a pass."""
    present = set()
    for key in REQUIRED:
        if key not in ours:
            shown = {
                "exports": lambda: "%d exports" % count_exports(pe_facts["exports"]),
                "imports": lambda: "%d import DLLs, %d delay-load" % (len(pe_facts["imports"]),
                                                                     len(pe_facts["delayImports"])),
                "sections": lambda: "%d sections" % len(pe_facts["sections"]),
            }.get(key, lambda: fmt(pe_facts.get(key)))()
            report.note("ours", "no %s in the JSON (pefile shows %s)" % (json.dumps(key), shown))
        else:
            present.add(key)
    if "sections" in present and not isinstance(ours["sections"], list):
        report.note("ours", "\"sections\" is not a list")
        present.discard("sections")
    if "sections" in present:
        for i, sec in enumerate(ours["sections"]):
            for key in ("name", "rva", "virtualSize", "rawOffset", "rawSize", "characteristics"):
                want = str if key == "name" else int
                if not isinstance(sec, dict) or not isinstance(sec.get(key), want):
                    report.note("ours", "section[%d] has no %s %s" % (i, "string" if want is str else "integer",
                                                                     json.dumps(key)))
                    present.discard("sections")
    if "imports" in present and not isinstance(ours["imports"], list):
        report.note("ours", "\"imports\" is not a list")
        present.discard("imports")
    if "exports" in present and not (ours["exports"] is None or isinstance(ours["exports"], dict)):
        report.note("ours", "\"exports\" is neither null nor an object")
        present.discard("exports")
    return present


def main(argv):
    # Names in a PE are bytes; never let a non-ASCII one crash the report (the test reads it as UTF-8).
    sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
    args = argv[1:]
    force_llvm = False
    if args and args[0] == "--llvm":
        force_llvm, args = True, args[1:]
    if len(args) != 2:
        print("usage: compare_inspect.py [--llvm] IMAGE OURS.json", file=sys.stderr)
        return 2
    image, ours_path = args
    try:
        with open(ours_path, encoding="utf-8") as f:
            ours = json.load(f)
        if not isinstance(ours, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as e:
        print("compare_inspect: cannot read %s: %s" % (ours_path, e), file=sys.stderr)
        return 2
    report = Report()
    notes = []
    try:
        pe_facts = pefile_facts(image)
        present = check_schema(report, ours, pe_facts)
        compare_full_facts(report, "pefile", ours, pe_facts, present)
        second = OBJDUMP
        od_facts, why = (None, "--llvm given") if force_llvm else objdump_facts(image)
        if od_facts is not None:
            compare_objdump(report, ours, od_facts, pe_facts, present, notes)
        else:
            # ARM64 (or anything else this binutils cannot read): llvm-readobj is the second parser.
            second = READOBJ
            notes.append("objdump cannot read the file (%s), llvm-readobj used instead" % why.splitlines()[-1])
            compare_full_facts(report, "llvm-readobj", ours, readobj_facts(image), present)
    except ToolError as e:
        print("compare_inspect: %s" % e, file=sys.stderr)
        return 2
    for line in report.lines:
        print(line)
    exports = pe_facts["exports"]
    print("compared %s %s: %d sections, entry point, image base, %d exports (%d named), %d import DLLs with %d "
          "functions, %d delay-load DLLs with %d functions; against pefile and %s%s; %d disagreements"
          % (text_of(pe_facts["machine"]) if pe_facts["machine"] is not UNKNOWN else "?",
             pe_facts["format"] if pe_facts["format"] is not UNKNOWN else "?",
             len(pe_facts["sections"]), count_exports(exports), len(exports["names"]) if exports else 0,
             len(pe_facts["imports"]), sum(len(d["functions"]) for d in pe_facts["imports"]),
             len(pe_facts["delayImports"]), sum(len(d["functions"]) for d in pe_facts["delayImports"]),
             second, "".join("; " + n for n in notes), len(report.lines)))
    return 1 if report.lines else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception:  # a crash here is a tool error, never a verdict on our JSON
        import traceback
        traceback.print_exc()
        sys.exit(2)
