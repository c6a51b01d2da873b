meta:
  id: nt_headers
  title: PE signature, COFF file header and optional header (IMAGE_NT_HEADERS32/64)
  endian: le
doc: |
  Everything from the "PE\0\0" signature up to, but not including, the data directories. The data
  directories and the section table are separate types because their counts come from these headers and
  must be checked before they are read.
doc-ref: PE Format, "COFF File Header (Object and Image)", "Optional Header (Image Only)"
seq:
  - id: signature
    -orig-id: Signature
    type: u4
    doc: 0x00004550 ("PE\0\0").
  - id: file_header
    type: coff_file_header
  - id: optional_header
    type: optional_header
types:
  coff_file_header:
    doc-ref: PE Format, "COFF File Header (Object and Image)"
    seq:
      - id: machine
        -orig-id: Machine
        type: u2
      - id: num_sections
        -orig-id: NumberOfSections
        type: u2
      - id: time_date_stamp
        -orig-id: TimeDateStamp
        type: u4
      - id: ofs_symbol_table
        -orig-id: PointerToSymbolTable
        type: u4
        doc: File offset of the COFF symbol table, or 0.
      - id: num_symbols
        -orig-id: NumberOfSymbols
        type: u4
      - id: len_optional_header
        -orig-id: SizeOfOptionalHeader
        type: u2
      - id: characteristics
        -orig-id: Characteristics
        type: u2
  optional_header:
    doc-ref: PE Format, "Optional Header Standard Fields (Image Only)"
    seq:
      - id: magic
        -orig-id: Magic
        type: u2
        doc: 0x10b for PE32, 0x20b for PE32+.
      - id: pe32
        type: optional_header_pe32
        if: magic == 0x10b
      - id: pe32_plus
        type: optional_header_pe32_plus
        if: magic == 0x20b
  optional_header_pe32:
    seq:
      - id: major_linker_version
        -orig-id: MajorLinkerVersion
        type: u1
      - id: minor_linker_version
        -orig-id: MinorLinkerVersion
        type: u1
      - id: len_code
        -orig-id: SizeOfCode
        type: u4
      - id: len_initialized_data
        -orig-id: SizeOfInitializedData
        type: u4
      - id: len_uninitialized_data
        -orig-id: SizeOfUninitializedData
        type: u4
      - id: rva_entry_point
        -orig-id: AddressOfEntryPoint
        type: u4
      - id: rva_base_of_code
        -orig-id: BaseOfCode
        type: u4
      - id: rva_base_of_data
        -orig-id: BaseOfData
        type: u4
      - id: image_base
        -orig-id: ImageBase
        type: u4
      - id: windows_fields
        type: windows_fields(false)
  optional_header_pe32_plus:
    seq:
      - id: major_linker_version
        -orig-id: MajorLinkerVersion
        type: u1
      - id: minor_linker_version
        -orig-id: MinorLinkerVersion
        type: u1
      - id: len_code
        -orig-id: SizeOfCode
        type: u4
      - id: len_initialized_data
        -orig-id: SizeOfInitializedData
        type: u4
      - id: len_uninitialized_data
        -orig-id: SizeOfUninitializedData
        type: u4
      - id: rva_entry_point
        -orig-id: AddressOfEntryPoint
        type: u4
      - id: rva_base_of_code
        -orig-id: BaseOfCode
        type: u4
      - id: image_base
        -orig-id: ImageBase
        type: u8
      - id: windows_fields
        type: windows_fields(true)
  windows_fields:
    doc-ref: PE Format, "Optional Header Windows-Specific Fields (Image Only)"
    params:
      - id: is_pe32_plus
        type: bool
    seq:
      - id: section_alignment
        -orig-id: SectionAlignment
        type: u4
      - id: file_alignment
        -orig-id: FileAlignment
        type: u4
      - id: major_os_version
        -orig-id: MajorOperatingSystemVersion
        type: u2
      - id: minor_os_version
        -orig-id: MinorOperatingSystemVersion
        type: u2
      - id: major_image_version
        -orig-id: MajorImageVersion
        type: u2
      - id: minor_image_version
        -orig-id: MinorImageVersion
        type: u2
      - id: major_subsystem_version
        -orig-id: MajorSubsystemVersion
        type: u2
      - id: minor_subsystem_version
        -orig-id: MinorSubsystemVersion
        type: u2
      - id: win32_version_value
        -orig-id: Win32VersionValue
        type: u4
      - id: len_image
        -orig-id: SizeOfImage
        type: u4
      - id: len_headers
        -orig-id: SizeOfHeaders
        type: u4
      - id: checksum
        -orig-id: CheckSum
        type: u4
      - id: subsystem
        -orig-id: Subsystem
        type: u2
      - id: dll_characteristics
        -orig-id: DllCharacteristics
        type: u2
      - id: len_stack_reserve
        -orig-id: SizeOfStackReserve
        type:
          switch-on: is_pe32_plus
          cases:
            true: u8
            false: u4
      - id: len_stack_commit
        -orig-id: SizeOfStackCommit
        type:
          switch-on: is_pe32_plus
          cases:
            true: u8
            false: u4
      - id: len_heap_reserve
        -orig-id: SizeOfHeapReserve
        type:
          switch-on: is_pe32_plus
          cases:
            true: u8
            false: u4
      - id: len_heap_commit
        -orig-id: SizeOfHeapCommit
        type:
          switch-on: is_pe32_plus
          cases:
            true: u8
            false: u4
      - id: loader_flags
        -orig-id: LoaderFlags
        type: u4
      - id: num_data_directories
        -orig-id: NumberOfRvaAndSizes
        type: u4
