meta:
  id: pdb_dbi_stream
  title: PDB DBI stream (stream 3) header, module info and optional debug header
  endian: le
doc: |
  The DBI stream starts with a 64-byte header that names the symbol record stream (globals and publics)
  and gives the sizes of the substreams that follow it, in this order: module info, section
  contributions, section map, source info, type server map, EC info, optional debug header. The reader
  checks every size (they are signed) against the stream before it reads a substream. Module info
  entries are read one at a time (`module_info`, each 4-byte aligned) so that their count is bounded by
  PdbLimits.MAX_MODULES; the section contribution, section map, source, type server and EC substreams
  are not read.
doc-ref: LLVM, "The PDB DBI (Debug Info) Stream"
seq:
  - id: version_signature
    -orig-id: VersionSignature
    type: s4
    doc: Always -1.
  - id: version
    -orig-id: VersionHeader
    type: u4
    doc: 19990903 (V70) in every current PDB.
  - id: age
    -orig-id: Age
    type: u4
  - id: global_symbol_stream
    -orig-id: GlobalStreamIndex
    type: u2
    doc: Stream of the global symbol hash table (not read; the records are in symbol_record_stream).
  - id: build_number
    -orig-id: BuildNumber
    type: u2
  - id: public_symbol_stream
    -orig-id: PublicStreamIndex
    type: u2
    doc: Stream of the public symbol hash table (not read; the records are in symbol_record_stream).
  - id: pdb_dll_version
    -orig-id: PdbDllVersion
    type: u2
  - id: symbol_record_stream
    -orig-id: SymRecordStream
    type: u2
    doc: Stream holding the global and public symbol records; 0xffff when there is none.
  - id: pdb_dll_rebuild
    -orig-id: PdbDllRbld
    type: u2
  - id: len_module_info
    -orig-id: ModInfoSize
    type: s4
  - id: len_section_contributions
    -orig-id: SectionContributionSize
    type: s4
  - id: len_section_map
    -orig-id: SectionMapSize
    type: s4
  - id: len_source_info
    -orig-id: SourceInfoSize
    type: s4
  - id: len_type_server_map
    -orig-id: TypeServerMapSize
    type: s4
  - id: mfc_type_server_index
    -orig-id: MFCTypeServerIndex
    type: u4
  - id: len_optional_debug_header
    -orig-id: OptionalDbgHeaderSize
    type: s4
  - id: len_ec_info
    -orig-id: ECSubstreamSize
    type: s4
  - id: flags
    -orig-id: Flags
    type: u2
  - id: machine
    -orig-id: Machine
    type: u2
    doc: IMAGE_FILE_MACHINE_* of the image.
  - id: reserved
    -orig-id: Padding
    type: u4
instances:
  len_header:
    value: 64
    doc: The module info substream starts right after the fixed header.
  ofs_optional_debug_header:
    value: >-
      len_header + len_module_info + len_section_contributions + len_section_map + len_source_info
      + len_type_server_map + len_ec_info
    doc: Where the optional debug header substream starts (meaningful once every size is checked).
types:
  module_info:
    doc: One compiland (object file, or "* Linker *") and the stream holding its symbols.
    doc-ref: LLVM, "The PDB DBI (Debug Info) Stream" (Module Info Substream)
    seq:
      - id: reserved1
        -orig-id: Unused1
        type: u4
      - id: section_contribution
        -orig-id: SectionContr
        size: 28
        doc: The module's first section contribution; not read.
      - id: flags
        -orig-id: Flags
        type: u2
      - id: symbol_stream
        -orig-id: ModuleSymStream
        type: u2
        doc: Stream of the module's symbols and line information; 0xffff when it has none.
      - id: len_symbols
        -orig-id: SymByteSize
        type: u4
        doc: Bytes of symbol records at the start of that stream, its 4-byte signature included.
      - id: len_c11_lines
        -orig-id: C11ByteSize
        type: u4
      - id: len_c13_lines
        -orig-id: C13ByteSize
        type: u4
      - id: num_source_files
        -orig-id: SourceFileCount
        type: u2
      - id: padding
        -orig-id: Padding
        size: 2
      - id: reserved2
        -orig-id: Unused2
        type: u4
      - id: source_file_name_index
        -orig-id: SourceFileNameIndex
        type: u4
      - id: pdb_file_path_name_index
        -orig-id: PdbFilePathNameIndex
        type: u4
      - id: module_name
        -orig-id: ModuleName
        type: strz
        encoding: UTF-8
      - id: object_name
        -orig-id: ObjFileName
        type: strz
        encoding: UTF-8
        doc: The archive for a module from a library, else the object file again.
  optional_debug_header:
    doc: |
      Stream indices by purpose (0xffff for none): 0 FPO, 1 exception, 2 fixup, 3 OMAP to source,
      4 OMAP from source, 5 section header, 6 token/RID map, 7 xdata, 8 pdata, 9 new FPO,
      10 original section header.
    doc-ref: LLVM, "The PDB DBI (Debug Info) Stream" (Optional Debug Header Stream)
    params:
      - id: num_streams
        type: u4
    seq:
      - id: streams
        type: u2
        repeat: expr
        repeat-expr: num_streams
    instances:
      section_header_slot:
        value: 5
        doc: Index of the section header stream in `streams`.
