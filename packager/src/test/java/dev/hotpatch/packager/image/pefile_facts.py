"""Prints, as JSON, what pefile reads from an image: for PeImageBuilderExternalParsersTest.

Usage: /usr/bin/python3 pefile_facts.py IMAGE

Everything is pefile's own reading, except HotPatchTableOffset of a PE32 image: pefile 2023.2.7's 32-bit
IMAGE_LOAD_CONFIG_DIRECTORY format lacks a comma between "GuardRFVerifyStackPointerFunctionPointer" and
"HotPatchTableOffset", so it names the field at 0x90 HotPatchTableOffset and the one at 0x94 Reserved3. The
script therefore reads the dword at 0x94 through pefile's RVA mapping and says so.
"""
import json
import sys

import pefile


def main(path):
    pe = pefile.PE(path)
    base = pe.OPTIONAL_HEADER.ImageBase
    facts = {
        "warnings": pe.get_warnings(),
        "machine": pe.FILE_HEADER.Machine,
        "pe32Plus": pe.OPTIONAL_HEADER.Magic == 0x20B,
        "checksumInHeader": pe.OPTIONAL_HEADER.CheckSum,
        "checksumGenerated": pe.generate_checksum(),
        "verifyChecksum": pe.verify_checksum(),
        "sizeOfImage": pe.OPTIONAL_HEADER.SizeOfImage,
        "sections": [
            {
                "name": s.Name.rstrip(b"\0").decode("ascii"),
                "rva": s.VirtualAddress,
                "virtualSize": s.Misc_VirtualSize,
                "characteristics": s.Characteristics,
            }
            for s in pe.sections
        ],
        "imports": [
            {
                "dll": entry.dll.decode("ascii"),
                "name": imp.name.decode("ascii"),
                "iatRva": imp.address - base,
            }
            for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])
            for imp in entry.imports
        ],
        "exports": [
            {"name": e.name.decode("ascii"), "rva": e.address, "ordinal": e.ordinal}
            for e in (pe.DIRECTORY_ENTRY_EXPORT.symbols if hasattr(pe, "DIRECTORY_ENTRY_EXPORT") else [])
        ],
        "relocations": [
            [r.rva, r.type]
            for block in getattr(pe, "DIRECTORY_ENTRY_BASERELOC", [])
            for r in block.entries
            if r.type != 0
        ],
        "relocationPadding": sum(
            1 for block in getattr(pe, "DIRECTORY_ENTRY_BASERELOC", []) for r in block.entries if r.type == 0
        ),
    }
    if hasattr(pe, "DIRECTORY_ENTRY_LOAD_CONFIG"):
        lc = pe.DIRECTORY_ENTRY_LOAD_CONFIG.struct
        lc_rva = pe.OPTIONAL_HEADER.DATA_DIRECTORY[10].VirtualAddress
        facts["loadConfig"] = {
            "size": lc.Size,
            "hotPatchTableOffset": lc.HotPatchTableOffset if facts["pe32Plus"] else pe.get_dword_at_rva(lc_rva + 0x94),
            "guardFlags": lc.GuardFlags,
            "guardCfFunctionCount": lc.GuardCFFunctionCount,
            "guardCfFunctionTableRva": lc.GuardCFFunctionTable - base if lc.GuardCFFunctionTable else 0,
            "securityCookie": lc.SecurityCookie,
        }
    if hasattr(pe, "DIRECTORY_ENTRY_EXCEPTION"):
        facts["exceptions"] = [
            [e.struct.BeginAddress, getattr(e.struct, "EndAddress", None)] for e in pe.DIRECTORY_ENTRY_EXCEPTION
        ]
    print(json.dumps(facts, indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
