meta:
  id: pdb_module_stream
  title: PDB module symbol stream signature
  endian: le
doc: |
  The stream a DBI module info entry names holds, in order: a 4-byte signature, the module's symbol
  records (len_symbols bytes of module_info, the signature included), C11 and C13 line information, and
  global references. The symbol records are cv_record_header + cv_symbol; only CodeView C13
  (signature 4) is read.
doc-ref: LLVM, "The Module Information Stream"
seq:
  - id: signature
    -orig-id: Signature
    type: u4
    doc: 4 (CV_SIGNATURE_C13) in every current PDB.
