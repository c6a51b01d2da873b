meta:
  id: arm64_xdata
  title: ARM64 exception information (.xdata record)
  endian: le
  bit-endian: le
doc: |
  The variable-length unwind record a non-packed ARM64 .pdata entry points at. The header word (and the
  extension word when both Epilog Count and Code Words are 0) is read eagerly; the epilog scopes, unwind
  code bytes and handler RVA are instances read on demand after the reader has checked `len_xdata`
  against the file.
doc-ref: ARM64 exception handling, ".xdata records"
seq:
  - id: function_length
    -orig-id: FunctionLength
    type: b18
    doc: Length of the function in 4-byte instructions.
  - id: version
    -orig-id: Vers
    type: b2
    doc: Only version 0 is defined.
  - id: has_exception_data
    -orig-id: X
    type: b1
    doc: An exception handler RVA and handler data follow the unwind codes.
  - id: has_single_epilog
    -orig-id: E
    type: b1
    doc: The one epilog is described in the header; there is no epilog scope list.
  - id: epilog_count
    -orig-id: EpilogCount
    type: b5
    doc: Number of epilog scopes, or with E set the index of the epilog's first unwind code.
  - id: code_words
    -orig-id: CodeWords
    type: b5
    doc: Number of 4-byte words of unwind codes.
  - id: extension
    type: header_extension
    if: epilog_count == 0 and code_words == 0
instances:
  is_extended:
    value: epilog_count == 0 and code_words == 0
  num_epilog_scopes:
    value: 'has_single_epilog ? 0 : is_extended ? extension.extended_epilog_count : epilog_count'
  num_code_words:
    value: 'is_extended ? extension.extended_code_words : code_words'
  ofs_epilog_scopes:
    value: 'is_extended ? 8 : 4'
  ofs_unwind_codes:
    value: ofs_epilog_scopes + num_epilog_scopes * 4
  len_unwind_codes:
    value: num_code_words * 4
  ofs_exception_handler:
    value: ofs_unwind_codes + len_unwind_codes
  len_xdata:
    value: 'ofs_exception_handler + (has_exception_data ? 4 : 0)'
    doc: Bytes this record occupies, not counting the handler data after the handler RVA.
  len_function:
    value: function_length * 4
    doc: Function length in bytes.
  epilog_scopes:
    pos: ofs_epilog_scopes
    type: epilog_scope
    repeat: expr
    repeat-expr: num_epilog_scopes
  unwind_codes:
    pos: ofs_unwind_codes
    size: len_unwind_codes
    doc: Unwind code bytes, padded to a whole word (the prolog's codes come first).
  first_unwind_code:
    pos: ofs_unwind_codes
    type: u1
    if: len_unwind_codes > 0
    doc: |
      The first code byte: end_c (0xe5) here means the prolog is a "phantom" one of the parent
      region, so this record describes a fragment without a prolog of its own.
  rva_exception_handler:
    -orig-id: ExceptionHandlerRVA
    pos: ofs_exception_handler
    type: u4
    if: has_exception_data
types:
  header_extension:
    seq:
      - id: extended_epilog_count
        -orig-id: ExtendedEpilogCount
        type: b16
      - id: extended_code_words
        -orig-id: ExtendedCodeWords
        type: b8
      - id: reserved
        -orig-id: Reserved
        type: b8
  epilog_scope:
    seq:
      - id: ofs_epilog_start_shr2
        -orig-id: EpilogStartOffset
        type: b18
        doc: Offset of the epilog from the function start, in 4-byte instructions.
      - id: reserved
        -orig-id: Res
        type: b4
      - id: epilog_start_index
        -orig-id: EpilogStartIndex
        type: b10
        doc: Byte index of the first unwind code of this epilog.
