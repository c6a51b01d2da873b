meta:
  id: dos_header
  title: MS-DOS stub header (IMAGE_DOS_HEADER)
  endian: le
doc: |
  The 64-byte header every PE image starts with. Only `magic` and `ofs_nt_headers` matter to the
  Windows loader; the rest describes the DOS stub program.
doc-ref: PE Format, "MS-DOS Stub (Image Only)"
seq:
  - id: magic
    -orig-id: e_magic
    type: u2
    doc: 0x5a4d ("MZ").
  - id: len_last_page
    -orig-id: e_cblp
    type: u2
  - id: num_pages
    -orig-id: e_cp
    type: u2
  - id: num_relocations
    -orig-id: e_crlc
    type: u2
  - id: len_header_paragraphs
    -orig-id: e_cparhdr
    type: u2
  - id: min_extra_paragraphs
    -orig-id: e_minalloc
    type: u2
  - id: max_extra_paragraphs
    -orig-id: e_maxalloc
    type: u2
  - id: initial_ss
    -orig-id: e_ss
    type: u2
  - id: initial_sp
    -orig-id: e_sp
    type: u2
  - id: checksum
    -orig-id: e_csum
    type: u2
  - id: initial_ip
    -orig-id: e_ip
    type: u2
  - id: initial_cs
    -orig-id: e_cs
    type: u2
  - id: ofs_relocation_table
    -orig-id: e_lfarlc
    type: u2
  - id: overlay_number
    -orig-id: e_ovno
    type: u2
  - id: reserved1
    -orig-id: e_res
    size: 8
  - id: oem_id
    -orig-id: e_oemid
    type: u2
  - id: oem_info
    -orig-id: e_oeminfo
    type: u2
  - id: reserved2
    -orig-id: e_res2
    size: 20
  - id: ofs_nt_headers
    -orig-id: e_lfanew
    type: u4
    doc: File offset of the "PE\0\0" signature.
