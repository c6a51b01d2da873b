meta:
  id: debug_repro
  title: Reproducible-build debug entry data (IMAGE_DEBUG_TYPE_REPRO)
  endian: le
doc: |
  The data of a REPRO debug entry when it is not empty: a 32-bit length, then that many bytes of hash
  (MSVC and lld write a 32-byte SHA-256 prefix of the image hash). An empty entry (SizeOfData 0) only
  marks the image as deterministic. The reader checks `len_hash` against SizeOfData before reading
  the hash instance.
doc-ref: PE Format, "Debug Type" (IMAGE_DEBUG_TYPE_REPRO)
seq:
  - id: len_hash
    type: u4
instances:
  hash:
    pos: 4
    size: len_hash
