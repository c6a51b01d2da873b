meta:
  id: rva_table
  title: Table of 32-bit RVAs with optional per-entry metadata (load config tables)
  endian: le
doc: |
  The tables the load configuration points at by VA and count: GuardCFFunctionTable,
  GuardAddressTakenIatEntryTable, GuardLongJumpTargetTable and GuardEHContinuationTable (each entry an
  RVA followed by GuardFlags bits 28-31 bytes of metadata) and SEHandlerTable (RVAs only). The reader
  checks the count against the file and a limit, then parses the table in bounded chunks, so
  `num_entries` is the size of one chunk.
doc-ref: PE Format, "Load Configuration Layout", "Control Flow Guard"
params:
  - id: num_entries
    type: u4
  - id: len_metadata
    type: u1
seq:
  - id: entries
    type: entry
    repeat: expr
    repeat-expr: num_entries
types:
  entry:
    seq:
      - id: rva
        type: u4
      - id: metadata
        size: _parent.len_metadata
        doc: IMAGE_GUARD_FLAG_* bits for CFG tables (FID_SUPPRESSED 1, EXPORT_SUPPRESSED 2, ...).
