meta:
  id: arm64_exception_table
  title: ARM64 exception directory (.pdata), an array of 8-byte function entries
  endian: le
  bit-endian: le
doc: |
  The ARM64 function table: one 8-byte entry per function or fragment, sorted by begin address. The
  second word is either the RVA of an .xdata record (Flag 0) or packed unwind data (Flag 1 or 2). The
  reader checks the count against the file and Limits.MAX_RUNTIME_FUNCTIONS and parses the table in
  bounded chunks, so `num_entries` is the size of one chunk.
doc-ref: ARM64 exception handling, ".pdata records" and "Packed unwind data"
params:
  - id: num_entries
    type: u4
seq:
  - id: entries
    type: runtime_function
    repeat: expr
    repeat-expr: num_entries
types:
  runtime_function:
    seq:
      - id: rva_begin
        -orig-id: BeginAddress
        type: u4
        doc: RVA of the first instruction of the function or fragment.
      - id: flag
        -orig-id: Flag
        type: b2
        doc: |
          0 = the rest is an .xdata RVA; 1 = packed unwind data, one prolog and epilog; 2 = packed
          unwind data for a fragment without prolog or epilog; 3 = reserved.
      - id: function_length
        -orig-id: FunctionLength
        type: b11
        if: flag != 0
        doc: Length of the function in 4-byte instructions.
      - id: reg_f
        -orig-id: RegF
        type: b3
        if: flag != 0
        doc: 0 = no FP registers saved; m > 0 = m + 1 registers from d8 saved.
      - id: reg_i
        -orig-id: RegI
        type: b4
        if: flag != 0
        doc: Number of nonvolatile integer registers (x19-x28) saved.
      - id: h
        -orig-id: H
        type: b1
        if: flag != 0
        doc: Set when the function homes its integer parameters x0-x7.
      - id: cr
        -orig-id: CR
        type: b2
        if: flag != 0
        doc: 0 = unchained, 1 = unchained with lr saved, 2 = unchained with pacibsp, 3 = chained (fp, lr).
      - id: frame_size
        -orig-id: FrameSize
        type: b9
        if: flag != 0
        doc: Stack bytes allocated, divided by 16.
      - id: rva_xdata_shr2
        -orig-id: ExceptionInformationRVA
        type: b30
        if: flag == 0
        doc: Bits 2-31 of the 4-byte aligned .xdata RVA.
    instances:
      is_packed:
        value: flag == 1 or flag == 2
      is_packed_fragment:
        value: flag == 2
      rva_xdata:
        value: rva_xdata_shr2 * 4
        if: flag == 0
      len_function:
        value: function_length * 4
        if: flag != 0
        doc: Function length in bytes.
