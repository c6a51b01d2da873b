meta:
  id: coff_symbol_table
  title: COFF symbol table records and string table header (IMAGE_SYMBOL)
  endian: le
  bit-endian: le
doc: |
  A run of 18-byte records from the COFF symbol table that PointerToSymbolTable points at. Auxiliary
  records have their own layouts; the reader skips them by the preceding record's `num_aux_symbols`. The
  count is checked against NumberOfSymbols, the file's length and Limits.MAX_COFF_SYMBOLS before this is
  parsed; the reader parses the table in bounded runs. mingw images keep this table; MSVC images do not.
doc-ref: PE Format, "COFF Symbol Table"
params:
  - id: num_records
    type: u4
seq:
  - id: records
    type: symbol_record
    repeat: expr
    repeat-expr: num_records
types:
  symbol_record:
    doc-ref: PE Format, "COFF Symbol Table" (Symbol Table records)
    seq:
      - id: name
        -orig-id: Name
        type: symbol_name
        size: 8
      - id: value
        -orig-id: Value
        type: u4
        doc: For symbols in a section, the offset of the symbol from the start of that section.
      - id: section_number
        -orig-id: SectionNumber
        type: s2
        doc: 1-based section index; 0 undefined, -1 absolute, -2 debug.
      - id: type
        -orig-id: Type
        type: u2
        doc: Low byte the base type, high byte the complex type; 0x20 is a function.
      - id: storage_class
        -orig-id: StorageClass
        type: u1
      - id: num_aux_symbols
        -orig-id: NumberOfAuxSymbols
        type: u1
        doc: Auxiliary records that follow this one.
  symbol_name:
    doc-ref: PE Format, "Symbol Name Representation"
    seq:
      - id: zeroes
        -orig-id: Zeroes
        type: u4
        doc: 0 when the name is in the string table.
      - id: ofs_long_name
        -orig-id: Offset
        type: u4
        doc: Offset of the name in the string table (meaningful when `zeroes` is 0).
    instances:
      is_long_name:
        value: zeroes == 0
      short_name:
        -orig-id: ShortName
        pos: 0
        size: 8
        type: str
        terminator: 0
        encoding: ISO-8859-1
        doc: The name itself, NUL-padded to 8 bytes (meaningful when `zeroes` is not 0).
  string_table_header:
    doc-ref: PE Format, "COFF String Table"
    seq:
      - id: len_table
        -orig-id: Size
        type: u4
        doc: Size of the string table in bytes, including these 4.
