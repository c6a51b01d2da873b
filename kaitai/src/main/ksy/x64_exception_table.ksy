meta:
  id: x64_exception_table
  title: x64 exception directory (.pdata), an array of RUNTIME_FUNCTION
  endian: le
doc: |
  The x64 function table that the exception directory points at: one 12-byte RUNTIME_FUNCTION per
  function or function fragment, sorted by begin address. The reader checks the count (directory size
  divided by the entry size) against the file and Limits.MAX_RUNTIME_FUNCTIONS, then parses the table in
  bounded chunks, so `num_entries` is the size of one chunk.
doc-ref: PE Format, "The .pdata Section"; x64 exception handling, "struct RUNTIME_FUNCTION"
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
    doc-ref: x64 exception handling, "struct RUNTIME_FUNCTION"
    seq:
      - id: rva_begin
        -orig-id: BeginAddress
        type: u4
        doc: RVA of the first byte of the function or fragment.
      - id: rva_end
        -orig-id: EndAddress
        type: u4
        doc: RVA one past the last byte of the function or fragment.
      - id: rva_unwind_info
        -orig-id: UnwindInfoAddress
        type: u4
        doc: |
          RVA of the UNWIND_INFO (4-byte aligned). When bit 0 is set (RUNTIME_FUNCTION_INDIRECT) the
          RVA, minus 1, points at another RUNTIME_FUNCTION whose unwind information this one shares.
