meta:
  id: msf_superblock
  title: MSF 7.0 superblock and the block map of the stream directory
  endian: le
doc: |
  A PDB is an MSF ("multi-stream file") container: the file is an array of fixed-size blocks, and each
  stream is a list of blocks in any order. Block 0 holds this superblock. The stream directory (stream
  sizes and block lists) is itself stored in blocks; the block `block_map_block` holds the indices of
  those blocks (`block_index_list`, ceil(len_directory / block_size) entries, which must fit in that one
  block). The reader checks block_size, num_blocks and len_directory against the file's length and
  PdbLimits before it reads any block.
doc-ref: LLVM, "The MSF File Format" (The Superblock)
seq:
  - id: magic
    -orig-id: FileMagic
    contents: ["Microsoft C/C++ MSF 7.00", 0x0d, 0x0a, 0x1a, 0x44, 0x53, 0, 0, 0]
  - id: block_size
    -orig-id: BlockSize
    type: u4
    doc: Bytes per block; a power of two from 512 to 32768.
  - id: free_block_map_block
    -orig-id: FreeBlockMapBlock
    type: u4
    doc: Block of the active free-block map, 1 or 2. Not read.
  - id: num_blocks
    -orig-id: NumBlocks
    type: u4
    doc: Blocks in the file; the file is num_blocks * block_size bytes long.
  - id: len_directory
    -orig-id: NumDirectoryBytes
    type: u4
    doc: Size of the stream directory in bytes.
  - id: reserved
    -orig-id: Unknown
    type: u4
  - id: block_map_block
    -orig-id: BlockMapAddr
    type: u4
    doc: Index of the block that lists the blocks of the stream directory.
types:
  block_index_list:
    doc: Block indices, as in the block map of the stream directory.
    params:
      - id: num_indices
        type: u4
    seq:
      - id: indices
        type: u4
        repeat: expr
        repeat-expr: num_indices
