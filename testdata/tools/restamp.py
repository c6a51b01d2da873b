#!/usr/bin/python3
"""Post-link step for the no_source_change scenario: give an image the noise of a rebuild.

    restamp.py IMAGE TIMESTAMP [PDB]

Writes TIMESTAMP (a number, e.g. 0x65000000) into
  - the COFF header's TimeDateStamp,
  - the TimeDateStamp of every debug directory entry,
  - the CodeView (RSDS) record's GUID, whose first 8 bytes become TIMESTAMP and its complement (the rest is
    kept: lld's /Brepro GUIDs end in "LLD PDB."), and the same GUID and signature in PDB's info stream,
and finally recomputes the optional header's CheckSum (the imagehlp CheckSumMappedFile algorithm).
Nothing else changes, so the result differs from a plain build only in these fields.
"""
import struct
import sys


def pe_checksum(data, checksum_offset):
    total = 0
    for i in range(0, len(data) - len(data) % 2, 2):
        if checksum_offset <= i < checksum_offset + 4:
            continue
        total += data[i] | data[i + 1] << 8
        total = (total & 0xFFFF) + (total >> 16)
    if len(data) % 2:
        total += data[-1]
        total = (total & 0xFFFF) + (total >> 16)
    return ((total & 0xFFFF) + (total >> 16) + len(data)) & 0xFFFFFFFF


def new_guid(old_guid, stamp):
    return struct.pack("<II", stamp, stamp ^ 0xFFFFFFFF) + old_guid[8:]


def restamp_image(data, stamp):
    """Returns the new CodeView GUID, or None when the image has no CodeView record."""
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if data[pe:pe + 4] != b"PE\0\0":
        sys.exit(f"restamp.py: no PE signature at 0x{pe:x}")
    struct.pack_into("<I", data, pe + 8, stamp)                  # IMAGE_FILE_HEADER.TimeDateStamp
    optional = pe + 24
    magic = struct.unpack_from("<H", data, optional)[0]
    directories = optional + (96 if magic == 0x10B else 112)     # PE32 / PE32+
    guid = None
    debug_rva, debug_size = struct.unpack_from("<II", data, directories + 6 * 8)
    if debug_size:
        debug_offset = rva_to_offset(data, pe, debug_rva)
        for entry in range(debug_offset, debug_offset + debug_size, 28):   # IMAGE_DEBUG_DIRECTORY
            struct.pack_into("<I", data, entry + 4, stamp)
            kind, size, _, pointer = struct.unpack_from("<IIII", data, entry + 12)
            if kind == 2 and size >= 24 and data[pointer:pointer + 4] == b"RSDS":
                guid = new_guid(bytes(data[pointer + 4:pointer + 20]), stamp)
                data[pointer + 4:pointer + 20] = guid
    checksum_offset = optional + 64                               # IMAGE_OPTIONAL_HEADER.CheckSum
    struct.pack_into("<I", data, checksum_offset, pe_checksum(data, checksum_offset))
    return guid


def rva_to_offset(data, pe, rva):
    sections = pe + 24 + struct.unpack_from("<H", data, pe + 20)[0]
    for i in range(struct.unpack_from("<H", data, pe + 6)[0]):
        _, vsize, va, rsize, raw = struct.unpack_from("<8sIIII", data, sections + 40 * i)
        if va <= rva < va + max(vsize, rsize):
            return raw + rva - va
    sys.exit(f"restamp.py: debug directory RVA 0x{rva:x} is in no section")


def restamp_pdb(pdb, stamp, guid):
    """Writes signature and GUID into the PDB info stream (stream 1) of an MSF 7.00 file."""
    if not pdb.startswith(b"Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0"):
        sys.exit("restamp.py: the PDB is not an MSF 7.00 file")
    block_size, _, _, directory_bytes, _, block_map = struct.unpack_from("<6I", pdb, 32)
    directory_blocks = struct.unpack_from(f"<{-(-directory_bytes // block_size)}I", pdb, block_map * block_size)
    directory = b"".join(pdb[b * block_size:(b + 1) * block_size] for b in directory_blocks)
    num_streams = struct.unpack_from("<I", directory, 0)[0]
    sizes = struct.unpack_from(f"<{num_streams}I", directory, 4)
    stream0_blocks = -(-sizes[0] // block_size) if sizes[0] != 0xFFFFFFFF else 0
    stream1_first_block = struct.unpack_from("<I", directory, 4 + 4 * num_streams + 4 * stream0_blocks)[0]
    info = stream1_first_block * block_size                       # Version, Signature, Age, GUID
    struct.pack_into("<I", pdb, info + 4, stamp)
    pdb[info + 12:info + 28] = guid


def main(args):
    if len(args) not in (2, 3):
        sys.exit(__doc__)
    path, stamp = args[0], int(args[1], 0)
    data = bytearray(open(path, "rb").read())
    guid = restamp_image(data, stamp)
    open(path, "wb").write(data)
    if len(args) == 3:
        if guid is None:
            sys.exit(f"restamp.py: {path} has no CodeView record to match {args[2]}")
        pdb = bytearray(open(args[2], "rb").read())
        restamp_pdb(pdb, stamp, guid)
        open(args[2], "wb").write(pdb)


if __name__ == "__main__":
    main(sys.argv[1:])
