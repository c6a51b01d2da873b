#!/usr/bin/python3
"""Which functions really changed between two builds of a sample: the ground truth behind expect.json.

    funcdiff.py OLD NEW [--driver] [--all] [--show]

OLD and NEW are two images of the same architecture (a mingw-w64 EXE/DLL with COFF symbols, an lld-link
ARM64 DLL with its PDB next to it as vN.pdb, or an MSVC-ABI image of any architecture with its PDB next to it
as vN.exe.pdb / vN.dll.pdb). Prints JSON: {"changed": [...], "new": [...], "deleted": [...],
"unchanged": [...]} for the functions of the scenario's library sources (--driver adds main.c's functions, --all
every function, runtime included; --show prints the normalised differences of changed functions).

This is a small reference normaliser for the samples, not the product's differ: each function is
disassembled (objdump / llvm-objdump) and every address in it is replaced by what it points at:
  - a function or its fragment (gcc's foo.cold), as name+offset;
  - a named global (COFF symbol or PDB data symbol), as name+offset;
  - an import address table slot, as dll!function;
  - anything else (string and float literals, jump tables), by its contents: a table of 32-bit entries that
    lead into a function (absolute, or relative to the table) is rendered as those targets, other data as
    bytes up to the next address any code refers to (a C string up to its NUL, other data without trailing zeros).
In PDB images a function is an S_GPROC32/S_LPROC32 (its code size covers clang's catch and cleanup funclets),
or a public marked as a function that no procedure covers (hand-written assembly), ending where the next
function or its object's section contribution ends; SEH filters and __finally blocks, which clang emits as
procedures of their own (?filt$0@0@parent@@, ?fin$0@0@parent@@), are fragments of their parent. Functions count
as the scenario's when their object is not main.obj or one of the MSVC support objects (loadcfg, crtdata).
A table of 32-bit image-relative offsets (cl.exe's switch tables, read through __ImageBase) is rendered as
its targets like the other tables.
Limits: anonymous data has no size in an image, so its extent is a guess; an access such as table[i - 1]
(an address just before a symbol) is read as whatever bytes lie there. Good enough for the samples' own
functions, which check.py holds to expect.json; not meant for arbitrary binaries.
Function names are source-level: demangled C++ names without the parameter list (Class::method).
"""
import bisect
import json
import re
import subprocess
import sys
from pathlib import Path

import pefile

FRAGMENT = re.compile(r"^(.*?)(?:\.(cold|part\.\d+))$")
SEH_FUNCLET = re.compile(r"^\?(filt|fin)\$(\d+)@\d+@(.+)@@$")      # clang's SEH filter / __finally procedures
MSVC_SUPPORT_OBJECTS = {"loadcfg.obj", "crtdata.obj"}             # testdata/common/msvc, not the scenario's


class Image:
    def __init__(self, path):
        self.path = Path(path)
        self.pe = pefile.PE(str(path), fast_load=False)
        self.base = self.pe.OPTIONAL_HEADER.ImageBase
        self.end = self.base + self.pe.OPTIONAL_HEADER.SizeOfImage
        self.machine = {0x14C: "x86", 0x8664: "x64", 0xAA64: "arm64"}[self.pe.FILE_HEADER.Machine]
        self.functions = {}   # (name, fragment) -> [start, end, file]   file: the scenario source, or None
        self.data = {}        # address -> name
        self.imports = {}     # IAT slot address -> "dll!function"
        self.section_symbols = []
        self.code_names = {}  # address -> public name of code that is no function of ours (PDB images)
        for entry in getattr(self.pe, "DIRECTORY_ENTRY_IMPORT", []):
            for imp in entry.imports:
                name = imp.name.decode() if imp.name else f"#{imp.ordinal}"
                self.imports[imp.address] = f"{entry.dll.decode().lower()}!{name}"
        msvc_pdb = Path(str(self.path) + ".pdb")   # the MSVC-ABI family: v1.dll.pdb beside v1.dll
        if msvc_pdb.exists():
            self._read_pdb(msvc_pdb)
        elif self.machine == "arm64":
            self._read_pdb(self.path.with_suffix(".pdb"))
        else:
            self._read_coff_symbols()
        self._index()

    def section_va(self, number):
        return self.base + self.pe.sections[number - 1].VirtualAddress

    def read(self, address, size):
        return self.pe.get_data(address - self.base, size)

    def _read_coff_symbols(self):
        tool = "x86_64-w64-mingw32-objdump" if self.machine == "x64" else "i686-w64-mingw32-objdump"
        demangled = subprocess.run([tool, "-t", "-C", str(self.path)], check=True, capture_output=True, text=True)
        mangled = subprocess.run([tool, "-t", str(self.path)], check=True, capture_output=True, text=True)
        line_re = re.compile(r"^\[\s*\d+\]\(sec\s+(-?\d+)\)\(fl 0x..\)\(ty\s+(\w+)\)\(scl\s+(\d+)\) \(nx \d\) 0x(\w+) (.*)$")
        own_file = None
        starts = []
        for line, raw in zip(demangled.stdout.splitlines(), mangled.stdout.splitlines()):
            m = line_re.match(line)
            if not m:
                continue
            section, kind, storage, value, name = int(m[1]), m[2], int(m[3]), int(m[4], 16), m[5]
            raw_name = line_re.match(raw)[5]
            if storage == 103:   # C_FILE
                own_file = None if is_runtime_file(name) else name
                continue
            if section <= 0:
                continue
            address = self.section_va(section) + value
            starts.append(address)
            if name.startswith("."):
                self.section_symbols.append(address)
                if name == ".rdata$zzz":   # gcc's ident section: the last symbol of an object file, so any
                    own_file = None        # object after it without a .file symbol (libstdc++'s) is runtime
                continue
            if kind == "20":
                key = split_fragment(source_name(name))
                if key in self.functions and self.functions[key][0] != address:
                    key = (raw_name, "")   # overloads, constructor/destructor variants: keep them apart
                self.functions[key] = [address, None, own_file]
            else:
                self.data.setdefault(address, source_name(name))
        starts.sort()
        for key, f in self.functions.items():
            i = bisect.bisect_right(starts, f[0])
            text_end = self.base + self.pe.sections[0].VirtualAddress + self.pe.sections[0].Misc_VirtualSize
            f[1] = starts[i] if i < len(starts) else text_end

    def _read_pdb(self, pdb):
        text = subprocess.run(["llvm-pdbutil", "dump", "--symbols", "--globals", "--publics", "--section-contribs",
                               str(pdb)], check=True, capture_output=True, text=True).stdout
        lines = text.splitlines()
        modules, module = {}, None
        public_functions = []
        contributions = []   # (start, end, module index) of code contributions
        for i, line in enumerate(lines):
            m = re.match(r"^\s*Mod (\d+) \| `(.*)`:", line)
            if m:
                module = int(m[1])
                modules[module] = re.split(r"[\\/]", m[2])[-1]
                continue
            m = re.match(r"^\s*SC\[\.text\]\s+\| mod = (\d+), (\w{4}):(\d+), size = (\d+)", line)
            if m and int(m[4]):
                start = self.section_va(int(m[2])) + int(m[3])
                contributions.append((start, start + int(m[4]), int(m[1])))
                continue
            m = re.search(r"\| (S_GPROC32|S_LPROC32|S_GDATA32|S_LDATA32|S_PUB32) \[size = \d+\] `(.*)`$", line)
            if not m or i + 1 >= len(lines):
                continue
            detail = lines[i + 1]
            a = re.search(r"addr = (\w{4}):(\d+)", detail)
            if not a or int(a[1]) == 0:
                continue
            address = self.section_va(int(a[1])) + int(a[2])
            if m[1].endswith("PROC32"):
                size = int(re.search(r"code size = (\d+)", detail)[1])
                source = modules.get(module)
                own = None if source in MSVC_SUPPORT_OBJECTS else source
                funclet = SEH_FUNCLET.match(m[2])
                key = (funclet[3], f"{funclet[1]}${funclet[2]}") if funclet else (m[2], "")
                self.functions[key] = [address, address + size, own]
            elif m[1] == "S_PUB32" and "flags = function" in detail:
                public_functions.append((address, m[2]))
                self.code_names.setdefault(address, m[2])   # e.g. an import thunk: jmp [__imp_name]
            else:
                self.data.setdefault(address, m[2])
        # Hand-written assembly has a public but no procedure: a function up to the next function or the end of
        # its object's contribution. (Import thunks are publics of import modules: no scenario object.)
        starts = sorted(f[0] for f in self.functions.values()) + [address for address, _ in public_functions]
        for address, name in public_functions:
            if any(f[0] <= address < f[1] for f in self.functions.values()):
                continue
            owner = next((c for c in contributions if c[0] <= address < c[1]), None)
            source = modules.get(owner[2]) if owner else None
            if not source or not source.endswith(".obj") or source in MSVC_SUPPORT_OBJECTS:
                continue
            end = min([s for s in starts if s > address] + [owner[1]])
            name = re.sub(r"^_|@\d+$", "", name) if self.machine == "x86" else name
            self.functions[(name, "")] = [address, end, source]

    def _index(self):
        # Anchors: named data, plus every section start (and, for mingw, every section symbol, which marks
        # where one object file's contribution begins). An address just after a named global belongs to it;
        # one just after a bare section start is an anonymous literal.
        self.anchors = sorted(set(self.data) | set(self.section_symbols)
                              | {self.base + s.VirtualAddress for s in self.pe.sections})
        self.function_starts = sorted((f[0], f[1], key) for key, f in self.functions.items())
        self.data_starts = sorted(self.data)

    def function_at(self, address):
        i = bisect.bisect_right(self.function_starts, (address, float("inf"))) - 1
        if i >= 0:
            start, end, key = self.function_starts[i]
            if start <= address < end:
                return key, address - start
        return None

    def describe(self, address, boundaries, depth=0):
        """What an address refers to, independent of where the linker put it."""
        if address in self.imports:
            return f"[import {self.imports[address]}]"
        hit = self.function_at(address)
        if hit:
            (name, fragment), offset = hit
            return f"[fn {name}{'.' + fragment if fragment else ''}+{offset:#x}]"
        if address in self.data:
            return f"[data {self._data_name(address)}]"
        if address in self.code_names:
            return f"[code {self.code_names[address]}]"
        thunk = self._x86_eh_handler_thunk(address, boundaries, depth)
        if thunk:
            return thunk
        i = bisect.bisect_right(self.anchors, address) - 1
        if i >= 0 and self.anchors[i] in self.data and address - self.anchors[i] < 256:
            return f"[data {self.data[self.anchors[i]]}+{address - self.anchors[i]:#x}]"
        return f"[literal {self._contents(address, boundaries, depth)}]"

    def _data_name(self, address):
        """A data symbol's name; a compiler-numbered one (gcc's static local total.3) by its family and its first
        bytes, since the compiler renumbers them between builds."""
        name = self.data[address]
        if not re.search(r"\.\d+(\.|$)", name):
            return name
        i = bisect.bisect_right(self.anchors, address)
        following = self.anchors[i] if i < len(self.anchors) else address + 16
        size = max(1, min(16, following - address))
        return re.sub(r"\.\d+(?=\.|$)", ".N", name) + "=" + self.read(address, size).rstrip(b"\0").hex()

    def _x86_eh_handler_thunk(self, address, boundaries, depth):
        """x86 MSVC C++ EH: a function registers __ehhandler$<function>, a thunk after the functions
        (mov eax, offset <FuncInfo>; jmp __CxxFrameHandler3). Rendered by its jump target; the FuncInfo (handler
        tables, which hold absolute addresses) is not compared, as no architecture's handler tables are: this
        normaliser compares code and the data that code reads."""
        if self.machine != "x86" or depth:
            return None
        code = self.read(address, 10)
        if len(code) == 10 and code[0] == 0xB8 and code[5] == 0xE9:
            target = (address + 10 + int.from_bytes(code[6:10], "little", signed=True)) & 0xFFFFFFFF
            return f"[eh handler thunk: jmp {self.describe(target, boundaries, depth=1)}]"
        return None

    def _contents(self, address, boundaries, depth):
        j = bisect.bisect_right(boundaries, address)
        limit = min(boundaries[j] if j < len(boundaries) else self.end, address + 64)
        data = self.read(address, max(0, limit - address))
        width = 4 if self.machine == "x86" else 8
        pointer = int.from_bytes(data[:width], "little") if len(data) >= width else 0
        if self.base <= pointer < self.end and not depth:   # a pointer cell, e.g. mingw's .refptr.name
            return "pointer to " + self.describe(pointer, boundaries, depth=1)
        # A table of 32-bit entries that lead into functions: absolute addresses (x86), offsets relative to the
        # table (gcc x64, clang x64), or image-relative offsets (cl.exe x64).
        for kind in (("absolute",) if self.machine == "x86" else ("relative", "image-relative")):
            table = []
            for k in range(0, len(data) - 3, 4):
                entry = int.from_bytes(data[k:k + 4], "little", signed=kind == "relative")
                target = {"absolute": entry, "relative": (address + entry) & 0xFFFFFFFFFFFFFFFF,
                          "image-relative": self.base + entry}[kind]
                hit = self.function_at(target)
                if not hit:
                    break
                (name, fragment), offset = hit
                table.append(f"{name}{'.' + fragment if fragment else ''}+{offset:#x}")
            if len(table) >= 2:
                return "table " + ",".join(table)
        string = re.match(rb"[\x20-\x7e\t\n\r]+\0", data)
        if string:
            return repr(string[0].decode())
        return data.rstrip(b"\0").hex()


def is_runtime_file(name):
    """True for .file symbols of the mingw-w64 runtime (everything not from a scenario source)."""
    return not re.fullmatch(r"(main|lib|alpha|beta|gamma)\.(c|cpp)", name)


def source_name(name):
    """Demangled C++ name without parameters and qualifiers: 'Triangle::area(int) const' -> 'Triangle::area'."""
    name = name.replace(" [clone .cold]", ".cold")
    depth = 0
    for i, ch in enumerate(name):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "(" and depth == 0 and i > 0:
            suffix = re.search(r"\)( const)?(\.cold)?$", name)
            return name[:i] + (suffix[2] or "" if suffix else "")
    return name


def split_fragment(name):
    m = FRAGMENT.match(name)
    return (m[1], m[2]) if m else (name, "")


# --- disassembly and normalisation -----------------------------------------------------------------------

def disassemble(image):
    """Returns {address: text} for every instruction in every executable section. x86/x64 images with a PDB
    (the MSVC-ABI family) are disassembled function by function: clang puts x64 jump tables into .text after
    a function, and a linear sweep through such a table can run past the start of the next function."""
    if image.machine == "arm64":
        return objdump(["llvm-objdump", "-d", "--no-show-raw-insn", str(image.path)])
    tool = "x86_64-w64-mingw32-objdump" if image.machine == "x64" else "i686-w64-mingw32-objdump"
    cmd = [tool, "-d", "-z", "-M", "intel", "--no-show-raw-insn", str(image.path)]
    if not image.code_names:
        return objdump(cmd)
    insns = {}
    for start, end, _ in image.functions.values():
        insns.update(objdump(cmd + [f"--start-address={start:#x}", f"--stop-address={end:#x}"]))
    return insns


def objdump(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    insns = {}
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s+(.*)$", line)
        if m:
            insns[int(m[1], 16)] = m[2].strip()
    return insns


HEX = re.compile(r"(?<![\w#])(?:0x)?([0-9a-f]{5,16})\b")


def referenced_addresses(image, text):
    """Addresses (within the image) that an instruction's text mentions."""
    text = re.sub(r"<[^>]*>", "", text)
    found = []
    for m in HEX.finditer(text):
        value = int(m[1], 16)
        if image.base <= value < image.end:
            found.append((m.start(), m.end(), value))
    return found


IMAGE_RELATIVE_INDEX = re.compile(r"\[(\w+)\+\w+\*\d\+0x([0-9a-f]+)\]")


def normalise_x86_body(image, body, boundaries):
    """x86/x64 instructions of one function. cl.exe's switch: a register loaded with __ImageBase
    (lea r8,[rip+...] naming the image base), then [r8+rax*4+RVA] reads a table of image-relative offsets:
    the RVA is rendered as that table's targets, and the table itself (placed right after the function's code,
    so inside a function that has no procedure record) is not decoded as instructions."""
    out, image_base_registers, table_at = [], set(), None
    for address, text in body:
        if table_at is not None and address >= table_at:
            break
        plain = re.sub(r"\s+<[^>]*>", "", text)
        m = re.match(r"lea\s+(\w+),\[rip\+0x[0-9a-f]+\]\s+#\s*(?:0x)?([0-9a-f]+)", plain)
        if m and int(m[2], 16) == image.base:
            image_base_registers.add(m[1])
            out.append(f"lea {m[1]},[__ImageBase]")
            continue
        index = IMAGE_RELATIVE_INDEX.search(plain)
        if index and index[1] in image_base_registers:
            table = image.base + int(index[2], 16)
            if any(a == table for a, _ in body):
                table_at = table
            rendered = "[literal " + image._contents(table, boundaries, 0) + "]"
            out.append(plain[:index.start(2) - 2] + rendered + "]" + plain[index.end():])
            continue
        destination = re.match(r"\w+\s+(\w+),", plain)
        if destination:
            image_base_registers.discard(destination[1])
        out.append(normalise_x86(image, text, boundaries))
    return out


def normalise_x86(image, text, boundaries):
    text = re.sub(r"\s+<[^>]*>", "", text)
    if "#" in text:   # RIP-relative: "[rip+0x1c75]        # 2df9c3010" -> "[rip+<what 2df9c3010 is>]"
        insn, comment = text.split("#", 1)
        target = int(comment.split()[0], 16)
        described = "rip+" + image.describe(target, boundaries)
        return re.sub(r"rip[+-]0x[0-9a-f]+", lambda _: described, insn).strip()
    pieces, last = [], 0
    for start, end, value in referenced_addresses(image, text):
        pieces += [text[last:start], image.describe(value, boundaries)]
        last = end
    return "".join(pieces + [text[last:]])


ARM_REG = re.compile(r"\b[xw](\d+)\b")


def normalise_arm64(image, insns, boundaries):
    """ARM64: resolves adrp pages together with the add/ldr/str that supplies the low 12 bits."""
    out, pages = [], {}
    for address, text in insns:
        text = re.sub(r"\s+<[^>]*>", "", text)
        mnemonic, _, operands = text.partition("\t")
        regs = ARM_REG.findall(operands)
        dest = regs[0] if regs else None
        if mnemonic == "adrp":
            pages[dest] = int(operands.split(",")[1].strip(), 16)
            out.append(f"adrp x{dest}, [page]")
            continue
        resolved = None
        m = re.search(r"\[x(\d+)(?:, #(-?(?:0x)?[0-9a-f]+))?\]", operands)
        if m and m[1] in pages:
            resolved = pages[m[1]] + int(m[2] or "0", 0)
            operands = operands.replace(m[0], f"[x{m[1]}, {image.describe(resolved, boundaries)}]")
        m = re.fullmatch(r"(x\d+), x(\d+), #(0x[0-9a-f]+|\d+)", operands)
        if mnemonic == "add" and m and m[2] in pages:
            resolved = pages[m[2]] + int(m[3], 0)
            operands = f"{m[1]}, x{m[2]}, {image.describe(resolved, boundaries)}"
        if mnemonic in ("b", "bl", "cbz", "cbnz", "tbz", "tbnz", "ldr", "adr") or mnemonic.startswith("b."):
            pieces, last = [], 0
            for start, end, value in referenced_addresses(image, operands):
                pieces += [operands[last:start], image.describe(value, boundaries)]
                last = end
            operands = "".join(pieces + [operands[last:]])
        if dest is not None and not mnemonic.startswith(("st", "b", "cb", "tb", "cmp", "cmn", "tst", "ret")):
            pages.pop(dest, None)
        out.append(f"{mnemonic} {operands}")
    return out


def is_padding(text):
    return (text.startswith(("nop", "xchg   ax,ax", "int3", "lea    esi,[esi", "lea    edi,[edi",
                             "cs nop", "data16", "udf"))
            or text in ("add    BYTE PTR [rax],al", "add    BYTE PTR [eax],al", "(bad)", "..."))


def function_bodies(image):
    insns = disassemble(image)
    addresses = sorted(insns)
    raw = {}
    for key, (start, end, own) in image.functions.items():
        lo, hi = bisect.bisect_left(addresses, start), bisect.bisect_left(addresses, end)
        body = [(a, insns[a]) for a in addresses[lo:hi]]
        while body and image.machine != "arm64" and is_padding(body[-1][1]):
            body.pop()
        raw[key] = body
    # Every address that code refers to ends the literal before it (used to cut anonymous data).
    boundaries = set(image.data)
    for body in raw.values():
        for _, text in body:
            boundaries.update(v for _, _, v in referenced_addresses(image, text))
    boundaries = sorted(boundaries)
    bodies = {}
    for key, body in raw.items():
        if image.machine == "arm64":
            bodies[key] = normalise_arm64(image, body, boundaries)
        else:
            bodies[key] = normalise_x86_body(image, body, boundaries)
    return bodies


def compare(old_path, new_path, everything=False, driver=False):
    """Classifies the functions of the scenario's library sources (with driver, also main.c's; with
    everything, all functions, runtime included)."""
    old, new = Image(old_path), Image(new_path)
    old_bodies, new_bodies = function_bodies(old), function_bodies(new)

    def functions(image, bodies):
        grouped = {}
        for (name, fragment), body in sorted(bodies.items()):
            source = image.functions[(name, fragment)][2]
            if everything or (source and (driver or not source.startswith("main."))):
                grouped.setdefault(name, []).append((fragment, body))
        return grouped

    a, b = functions(old, old_bodies), functions(new, new_bodies)
    result = {"changed": [], "new": sorted(set(b) - set(a)), "deleted": sorted(set(a) - set(b)), "unchanged": []}
    for name in sorted(set(a) & set(b)):
        result["changed" if a[name] != b[name] else "unchanged"].append(name)
    return result, a, b


def main(args):
    everything = "--all" in args
    paths = [x for x in args if not x.startswith("--")]
    if len(paths) != 2:
        sys.exit(__doc__)
    result, a, b = compare(paths[0], paths[1], everything, driver="--driver" in args)
    if "--show" in args:
        for name in result["changed"]:
            for (fa, ba), (fb, bb) in zip(a[name], b[name]):
                print(f"== {name}{'.' + fa if fa else ''}")
                import difflib
                print("\n".join(difflib.unified_diff(ba, bb, lineterm="", n=2)))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
