meta:
  id: cv_record_header
  title: CodeView record prefix (symbol and type records)
  endian: le
doc: |
  Every CodeView symbol record (module symbol streams, the symbol record stream) and type record (TPI)
  starts with its length and kind. The length counts the bytes after itself (kind, body and padding),
  so the next record starts len_record + 2 bytes after this one. The reader checks len_record (at least
  2, inside the stream) before it parses the body with cv_symbol or cv_type, and skips kinds those do
  not know by their length.
doc-ref: LLVM, "CodeView Symbol Records" and "CodeView Type Records"
seq:
  - id: len_record
    -orig-id: RecordLen
    type: u2
  - id: kind
    -orig-id: RecordKind
    type: u2
