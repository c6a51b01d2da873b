meta:
  id: x64_unwind_info
  title: x64 unwind information (UNWIND_INFO, .xdata)
  endian: le
  bit-endian: le
  imports:
    - x64_exception_table
doc: |
  The unwind information a RUNTIME_FUNCTION points at. Only the fixed 4-byte header is read eagerly;
  everything after it is an instance, read on demand, because a large image has hundreds of thousands of
  these and most readers need only the flags and the tail (the chained function or the handler RVA).
  The reader checks `len_unwind_info` against the file before it touches any instance.
doc-ref: x64 exception handling, "struct UNWIND_INFO"
seq:
  - id: version
    -orig-id: Version
    type: b3
    doc: 1, or 2 when the codes include UWOP_EPILOG entries.
  - id: flags
    -orig-id: Flags
    type: b5
    doc: UNW_FLAG_EHANDLER (1), UNW_FLAG_UHANDLER (2), UNW_FLAG_CHAININFO (4).
  - id: len_prolog
    -orig-id: SizeOfProlog
    type: u1
  - id: num_unwind_codes
    -orig-id: CountOfCodes
    type: u1
    doc: Number of 2-byte unwind code slots; some operations take two or three slots.
  - id: frame_register
    -orig-id: FrameRegister
    type: b4
    doc: Nonvolatile register used as the frame pointer, or 0 when there is none.
  - id: frame_offset
    -orig-id: FrameOffset
    type: b4
    doc: Scaled offset from RSP applied to the frame register, in units of 16 bytes.
instances:
  has_exception_handler:
    value: (flags & 1) != 0
  has_termination_handler:
    value: (flags & 2) != 0
  has_chain_info:
    value: (flags & 4) != 0
  has_handler:
    value: (has_exception_handler or has_termination_handler) and not has_chain_info
    doc: A handler RVA follows the codes; with UNW_FLAG_CHAININFO the chained function comes instead.
  ofs_unwind_codes:
    value: 4
  ofs_tail:
    value: ofs_unwind_codes + ((num_unwind_codes + 1) / 2) * 4
    doc: The code array is padded to an even number of slots.
  len_unwind_info:
    value: 'ofs_tail + (has_chain_info ? 12 : has_handler ? 4 : 0)'
    doc: Bytes this structure occupies, not counting handler-specific data after the handler RVA.
  unwind_codes:
    pos: ofs_unwind_codes
    type: unwind_code
    repeat: expr
    repeat-expr: num_unwind_codes
  chained_function:
    pos: ofs_tail
    type: x64_exception_table::runtime_function
    if: has_chain_info
    doc: The function this fragment is chained to; the chain's root is the primary function.
  rva_exception_handler:
    -orig-id: ExceptionHandler
    pos: ofs_tail
    type: u4
    if: has_handler
    doc: Language-specific handler; handler data follows it.
types:
  unwind_code:
    doc-ref: x64 exception handling, "struct UNWIND_CODE"
    seq:
      - id: ofs_in_prolog
        -orig-id: CodeOffset
        type: u1
        doc: Offset from the start of the prolog of the end of the instruction this code describes.
      - id: unwind_op
        -orig-id: UnwindOp
        type: b4
      - id: op_info
        -orig-id: OpInfo
        type: b4
    instances:
      value_u2:
        -orig-id: FrameOffset
        value: ofs_in_prolog | (unwind_op << 8) | (op_info << 12)
        doc: |
          The slot as one 16-bit value (the union's other member), for the slots that hold the
          operand of the previous code (UWOP_ALLOC_LARGE, UWOP_SAVE_NONVOL, UWOP_SAVE_XMM128 and
          their _FAR forms).
