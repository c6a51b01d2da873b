#!/usr/bin/python3
"""Prints an image's exports, imports, delay-load imports, base relocations, TLS directory and COFF symbols, one
fact per line, as read by pefile (and mingw objdump for the symbols), in the format of DirectoryDump.java.
Used by DirectorySamplesTest to check our reader against independent parsers. Usage: pe_directories.py FILE"""
import re
import shutil
import struct
import subprocess
import sys

import pefile


def text(b):
    return b.decode('latin-1') if isinstance(b, bytes) else b


def main(path):
    pe = pefile.PE(path)
    out = []
    base = pe.OPTIONAL_HEADER.ImageBase
    if hasattr(pe, 'DIRECTORY_ENTRY_EXPORT'):
        e = pe.DIRECTORY_ENTRY_EXPORT
        out.append('dll %s' % text(pe.get_string_at_rva(e.struct.Name)))
        for s in e.symbols:
            out.append('export %d %s %x %s' % (s.ordinal, text(s.name) if s.name else '-', s.address,
                                               text(s.forwarder) if s.forwarder else '-'))
    for attr, kind in (('DIRECTORY_ENTRY_IMPORT', 'import'), ('DIRECTORY_ENTRY_DELAY_IMPORT', 'delay')):
        for d in getattr(pe, attr, []):
            for imp in d.imports:
                what = text(imp.name) if imp.name else '#%d' % imp.ordinal
                hint = str(imp.hint) if imp.name else '-'
                out.append('%s %s %s %s %x' % (kind, text(d.dll), what, hint, imp.address - base))
    for block in getattr(pe, 'DIRECTORY_ENTRY_BASERELOC', []):
        for r in block.entries:
            if r.type != 0:
                out.append('reloc %x %d' % (r.rva, r.type))
    if hasattr(pe, 'DIRECTORY_ENTRY_TLS'):
        t = pe.DIRECTORY_ENTRY_TLS.struct
        rva = lambda va: va - base if va else 0
        out.append('tls %x %x %x %x' % (rva(t.StartAddressOfRawData), rva(t.EndAddressOfRawData),
                                        rva(t.AddressOfIndex), rva(t.AddressOfCallBacks)))
        if t.AddressOfCallBacks:
            size = 8 if pe.OPTIONAL_HEADER.Magic == 0x20b else 4
            at = t.AddressOfCallBacks - base
            while True:
                va = struct.unpack('<Q' if size == 8 else '<I', pe.get_data(at, size))[0]
                if va == 0:
                    break
                out.append('tls_callback %x' % (va - base))
                at += size
    if pe.FILE_HEADER.PointerToSymbolTable and shutil.which('x86_64-w64-mingw32-objdump') \
            and pe.FILE_HEADER.Machine in (0x14c, 0x8664):
        dump = subprocess.run(['x86_64-w64-mingw32-objdump', '-t', path], capture_output=True, text=True,
                              encoding='latin-1').stdout
        pattern = re.compile(r'^\[\s*(\d+)\]\(sec\s+(-?\d+)\)\(fl 0x[0-9a-f]+\)\(ty\s+([0-9a-f]+)\)\(scl\s+(\d+)\) '
                             r'\(nx (\d+)\) 0x([0-9a-f]+) (.*)$')
        for line in dump.splitlines():
            m = pattern.match(line)
            if m:
                # objdump shows a FILE symbol (class 103) under the file name from its aux record.
                name = '.file' if m.group(4) == '103' else m.group(7)
                out.append('symbol %s %s %x %s %s %s %s' % (m.group(1), name, int(m.group(6), 16), m.group(2),
                                                           m.group(3), m.group(4), m.group(5)))
    if out:
        print('\n'.join(out))


if __name__ == '__main__':
    main(sys.argv[1])
