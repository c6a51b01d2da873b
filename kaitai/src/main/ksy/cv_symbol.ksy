meta:
  id: cv_symbol
  title: CodeView symbol record bodies (procedures, data, thread data, publics)
  endian: le
doc: |
  The body of a symbol record (what follows cv_record_header), parsed over exactly len_record - 2
  bytes, so a name cannot run past its record. Only the kinds in `symbol_kind` have a body here; the
  reader skips every other record by its length. Addresses are (segment, offset) pairs: 1-based
  section index and offset in that section.
doc-ref: LLVM, "CodeView Symbol Records"; Microsoft cvinfo.h, "PROCSYM32", "DATASYM32", "PUBSYM32"
params:
  - id: kind
    type: u2
seq:
  - id: body
    type:
      switch-on: kind
      cases:
        0x1110: proc_sym
        0x110f: proc_sym
        0x1147: proc_sym
        0x1146: proc_sym
        0x110d: data_sym
        0x110c: data_sym
        0x1113: data_sym
        0x1112: data_sym
        0x110e: public_sym
enums:
  symbol_kind:
    0x110c: s_ldata32
    0x110d: s_gdata32
    0x110e: s_pub32
    0x110f: s_lproc32
    0x1110: s_gproc32
    0x1112: s_lthread32
    0x1113: s_gthread32
    0x1146: s_lproc32_id
    0x1147: s_gproc32_id
types:
  proc_sym:
    doc: S_GPROC32, S_LPROC32 and their _ID forms (same layout; _ID forms name an IPI item, not a TPI type).
    seq:
      - id: ofs_parent
        -orig-id: Parent
        type: u4
      - id: ofs_end
        -orig-id: End
        type: u4
      - id: ofs_next
        -orig-id: Next
        type: u4
      - id: len_code
        -orig-id: CodeSize
        type: u4
        doc: Bytes of code of the procedure.
      - id: ofs_debug_start
        -orig-id: DbgStart
        type: u4
      - id: ofs_debug_end
        -orig-id: DbgEnd
        type: u4
      - id: function_type
        -orig-id: FunctionType
        type: u4
      - id: offset
        -orig-id: CodeOffset
        type: u4
      - id: segment
        -orig-id: Segment
        type: u2
      - id: flags
        -orig-id: Flags
        type: u1
      - id: name
        -orig-id: Name
        type: strz
        encoding: UTF-8
  data_sym:
    doc: S_GDATA32, S_LDATA32, S_GTHREAD32 and S_LTHREAD32 (thread data gives a TLS offset).
    seq:
      - id: type_index
        -orig-id: Type
        type: u4
      - id: offset
        -orig-id: DataOffset
        type: u4
      - id: segment
        -orig-id: Segment
        type: u2
      - id: name
        -orig-id: Name
        type: strz
        encoding: UTF-8
  public_sym:
    doc: S_PUB32, from the symbol record stream.
    seq:
      - id: flags
        -orig-id: Flags
        type: u4
        doc: 1 code, 2 function, 4 managed, 8 MSIL.
      - id: offset
        -orig-id: Offset
        type: u4
      - id: segment
        -orig-id: Segment
        type: u2
      - id: name
        -orig-id: Name
        type: strz
        encoding: UTF-8
    instances:
      is_function:
        value: (flags & 2) != 0
