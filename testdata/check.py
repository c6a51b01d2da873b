#!/usr/bin/python3
"""Checks the committed samples in testdata/bin against their sources and expect.json files.

    testdata/check.py [--no-rebuild] [--bin DIR] [SCENARIO...]

1. rebuild: runs build.sh into a temporary directory and compares every file bit for bit with DIR;
2. stdout:  runs every x64 EXE (v1 and v2) under wine and compares its stdout with expect.json;
3. probes:  calls every probe of expect.json in every DLL (x64, x86, arm64) under unicorn (tools/probe.py);
4. symbols: the functions expect.json names exist as symbols (mingw COFF symbols via objdump, arm64 PDB
            via llvm-pdbutil), inlined helpers do not, and new or changed globals exist as data symbols;
5. changes: the changed/new/deleted/unchanged lists agree with the machine code (tools/funcdiff.py);
6. msvc:    images of the MSVC-ABI family ("toolchain": "msvc") have no COFF symbol table, are built with
            Control Flow Guard (the GUARD_CF DLL characteristic, an instrumented guard function table in the load
            config) and name their own PDB (vN.exe.pdb / vN.dll.pdb, present beside them) in the CodeView record.
With SCENARIO names, steps 2 to 6 check only those scenarios (the rebuild still compares every file).
Prints one line per mismatch and exits 1 if there was any.
"""
import json
import os

import pefile
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "tools"))
import funcdiff  # noqa: E402
import probe     # noqa: E402

FUNCTION_LISTS = ("changed", "new", "deleted", "unchanged", "inlined")
failures = []


def fail(message):
    failures.append(message)
    print("MISMATCH " + message)


def expectation(expect, arch):
    """expect.json's functions and globals with the architecture's overrides applied."""
    functions = dict(expect["functions"])
    globals_ = dict(expect["globals"])
    override = expect.get("overrides", {}).get(arch, {})
    functions.update(override.get("functions", {}))
    globals_.update(override.get("globals", {}))
    return functions, globals_


def scenarios():
    for directory in sorted((HERE / "scenarios").iterdir()):
        expect = json.loads((directory / "expect.json").read_text())
        if expect["name"] != directory.name:
            fail(f"{directory.name}/expect.json: name is {expect['name']!r}")
        yield directory.name, expect


def check_rebuild(bin_dir):
    with tempfile.TemporaryDirectory(prefix="hotpatch-testdata-") as tmp:
        subprocess.run([str(HERE / "build.sh"), tmp], check=True, stdout=subprocess.DEVNULL)
        rebuilt = {p.relative_to(tmp) for p in Path(tmp).rglob("*") if p.is_file()}
        committed = {p.relative_to(bin_dir) for p in bin_dir.rglob("*") if p.is_file()}
        for path in sorted(rebuilt ^ committed):
            fail(f"rebuild: {path} is {'only in the rebuild' if path in rebuilt else 'not produced by build.sh'}")
        for path in sorted(rebuilt & committed):
            if (Path(tmp) / path).read_bytes() != (bin_dir / path).read_bytes():
                fail(f"rebuild: {path} differs from the committed file")
        print(f"rebuild: compared {len(rebuilt & committed)} files")


def check_stdout(bin_dir, expects):
    """Runs the x64 EXEs under wine, four at a time (wine's start-up dominates)."""
    runs = [(name, version, expect["stdout"][version]) for name, expect in expects
            if "exe" in expect["architectures"].get("x64", []) for version in ("v1", "v2")]

    def run(item):
        name, version, _ = item
        env = dict(os.environ, WINEDEBUG="-all")
        done = subprocess.run(["wine", str(bin_dir / "x64" / name / f"{version}.exe")], capture_output=True,
                              timeout=300, env=env)
        return done.stdout.decode(errors="replace").replace("\r\n", "\n")

    with ThreadPoolExecutor(max_workers=4) as pool:
        for (name, version, expected), actual in zip(runs, pool.map(run, runs)):
            if actual != expected:
                fail(f"stdout: x64/{name}/{version}.exe printed {actual!r}, expected {expected!r}")
    print(f"stdout: ran {len(runs)} EXEs under wine")


def check_probes(bin_dir, name, expect):
    for arch, kinds in expect["architectures"].items():
        if "dll" not in kinds:
            continue
        for p in expect["probes"]:
            for version in ("v1", "v2"):
                dll = bin_dir / arch / name / f"{version}.dll"
                try:
                    actual = probe.call(str(dll), p["function"], p["args"])
                except probe.ProbeError as e:
                    actual = None if "exports no function" in str(e) else f"error: {e}"
                if actual != p[version]:
                    fail(f"probe: {arch}/{name}/{version}.dll {p['function']}{tuple(p['args'])} = {actual}, "
                         f"expected {p[version]}")


def check_symbols_and_changes(bin_dir, name, expect):
    for arch, kinds in expect["architectures"].items():
        functions, globals_ = expectation(expect, arch)
        for kind in kinds:
            where = f"{arch}/{name}/*.{kind}"
            old, new = (funcdiff.Image(bin_dir / arch / name / f"{v}.{kind}") for v in ("v1", "v2"))
            for image, version, wanted, gone in (
                    (old, "v1", ("changed", "deleted", "unchanged"), globals_["changed"]),
                    (new, "v2", ("changed", "new", "unchanged"), globals_["changed"] + globals_["new"])):
                names = {n for n, _ in image.functions}
                for function in (f for key in wanted for f in functions[key]):
                    if function not in names:
                        fail(f"symbols: {where} {version} has no function symbol {function}")
                for function in functions["inlined"]:
                    if function in names:
                        fail(f"symbols: {where} {version} has an out-of-line copy of inlined {function}")
                for global_ in gone:
                    if global_ not in image.data.values():
                        fail(f"symbols: {where} {version} has no data symbol {global_}")
            result, _, _ = funcdiff.compare(bin_dir / arch / name / f"v1.{kind}", bin_dir / arch / name / f"v2.{kind}")
            if kind == "exe":   # the driver (main.c: main, and mingw's inline printf) never changes
                driver, _, _ = funcdiff.compare(bin_dir / arch / name / f"v1.{kind}",
                                                bin_dir / arch / name / f"v2.{kind}", driver=True)
                for key in ("changed", "new", "deleted"):
                    if set(driver[key]) - set(result[key]):
                        fail(f"changes: {where} driver functions {key}: {sorted(set(driver[key]) - set(result[key]))}")
            for key in ("changed", "new", "deleted", "unchanged"):
                if sorted(result[key]) != sorted(functions[key]):
                    fail(f"changes: {where} {key} is {sorted(result[key])} in the machine code, "
                         f"expect.json says {sorted(functions[key])}")


IMAGE_DLLCHARACTERISTICS_GUARD_CF = 0x4000
IMAGE_GUARD_CF_INSTRUMENTED = 0x100


def check_msvc_images(bin_dir, name, expect):
    if expect.get("toolchain") != "msvc":
        return
    for arch, kinds in expect["architectures"].items():
        for kind in kinds:
            for version in ("v1", "v2"):
                path = bin_dir / arch / name / f"{version}.{kind}"
                where = f"msvc: {arch}/{name}/{version}.{kind}"
                pe = pefile.PE(str(path))
                if pe.FILE_HEADER.PointerToSymbolTable or pe.FILE_HEADER.NumberOfSymbols:
                    fail(f"{where} has a COFF symbol table ({pe.FILE_HEADER.NumberOfSymbols} symbols)")
                if not pe.OPTIONAL_HEADER.DllCharacteristics & IMAGE_DLLCHARACTERISTICS_GUARD_CF:
                    fail(f"{where} lacks the GUARD_CF DLL characteristic")
                config = getattr(pe, "DIRECTORY_ENTRY_LOAD_CONFIG", None)
                if (config is None or not config.struct.GuardFlags & IMAGE_GUARD_CF_INSTRUMENTED
                        or not config.struct.GuardCFFunctionCount):
                    fail(f"{where} has no instrumented Control Flow Guard function table in its load config")
                names = [d.entry.PdbFileName.rstrip(b"\0").decode() for d in getattr(pe, "DIRECTORY_ENTRY_DEBUG", [])
                         if d.entry is not None and hasattr(d.entry, "PdbFileName")]
                if names != [f"{version}.{kind}.pdb"]:
                    fail(f"{where} names the PDB {names}, expected {version}.{kind}.pdb")
                if not (bin_dir / arch / name / f"{version}.{kind}.pdb").is_file():
                    fail(f"{where} has no {version}.{kind}.pdb beside it")


def main(args):
    bin_dir = Path(args[args.index("--bin") + 1]).resolve() if "--bin" in args else HERE / "bin"
    for tool, package in (("wine", "wine"), ("x86_64-w64-mingw32-objdump", "binutils-mingw-w64-x86-64"),
                          ("i686-w64-mingw32-objdump", "binutils-mingw-w64-i686"), ("llvm-objdump", "llvm"),
                          ("llvm-pdbutil", "llvm")):
        if not shutil.which(tool):
            sys.exit(f"check.py: '{tool}' is missing; install the Debian package '{package}'")
    if "--no-rebuild" not in args:
        check_rebuild(bin_dir)
    only = [a for i, a in enumerate(args) if not a.startswith("--") and (i == 0 or args[i - 1] != "--bin")]
    expects = [(name, expect) for name, expect in scenarios() if not only or name in only]
    check_stdout(bin_dir, expects)
    for name, expect in expects:
        check_probes(bin_dir, name, expect)
        check_symbols_and_changes(bin_dir, name, expect)
        check_msvc_images(bin_dir, name, expect)
        print(f"checked {name}")
    print(f"{len(expects)} scenarios, {len(failures)} mismatches")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
