meta:
  id: pdb_tpi_stream
  title: PDB TPI stream header (stream 2)
  endian: le
doc: |
  The type stream: a header, then len_type_records bytes of type records (cv_record_header + cv_type),
  which get the type indices type_index_begin, type_index_begin + 1, ... in order. Type indices below
  0x1000 are primitive types and have no record. The hash tables the header locates are not read.
doc-ref: LLVM, "The PDB TPI and IPI Streams" (Stream Header)
seq:
  - id: version
    -orig-id: Version
    type: u4
    doc: 20040203 (V80) in every current PDB.
  - id: len_header
    -orig-id: HeaderSize
    type: u4
    doc: Size of this header; the records start here.
  - id: type_index_begin
    -orig-id: TypeIndexBegin
    type: u4
    doc: Type index of the first record, normally 0x1000.
  - id: type_index_end
    -orig-id: TypeIndexEnd
    type: u4
    doc: One past the type index of the last record.
  - id: len_type_records
    -orig-id: TypeRecordBytes
    type: u4
  - id: hash_stream
    -orig-id: HashStreamIndex
    type: u2
  - id: hash_aux_stream
    -orig-id: HashAuxStreamIndex
    type: u2
  - id: len_hash_key
    -orig-id: HashKeySize
    type: u4
  - id: num_hash_buckets
    -orig-id: NumHashBuckets
    type: u4
  - id: ofs_hash_values
    -orig-id: HashValueBufferOffset
    type: s4
  - id: len_hash_values
    -orig-id: HashValueBufferLength
    type: u4
  - id: ofs_index_offsets
    -orig-id: IndexOffsetBufferOffset
    type: s4
  - id: len_index_offsets
    -orig-id: IndexOffsetBufferLength
    type: u4
  - id: ofs_hash_adjusters
    -orig-id: HashAdjBufferOffset
    type: s4
  - id: len_hash_adjusters
    -orig-id: HashAdjBufferLength
    type: u4
