meta:
  id: msf_stream_directory
  title: MSF stream directory (stream sizes and block lists)
  endian: le
doc: |
  The stream directory, reassembled from the blocks the superblock's block map names. Only num_streams
  is read eagerly: the reader checks it against PdbLimits.MAX_STREAMS and the directory's size before it
  asks for `streams`, then each stream size against the file and PdbLimits.MAX_STREAM_SIZE, and the
  block lists against the directory's size, before it asks for `stream_blocks` (both lazy instances),
  so a directory claiming huge counts is refused before anything is allocated for it. A size of
  0xffffffff marks a nil (deleted) stream, which has no blocks.
doc-ref: LLVM, "The MSF File Format" (The Stream Directory)
params:
  - id: block_size
    type: u4
seq:
  - id: num_streams
    -orig-id: NumStreams
    type: u4
instances:
  streams:
    pos: 4
    type: stream_size
    repeat: expr
    repeat-expr: num_streams
  stream_blocks:
    -orig-id: StreamBlocks
    pos: 4 + 4 * num_streams
    type: block_list(streams[_index].len_stream)
    repeat: expr
    repeat-expr: streams.size
types:
  stream_size:
    seq:
      - id: len_stream
        -orig-id: StreamSizes
        type: u4
        doc: Size of the stream in bytes; 0xffffffff for a nil stream.
  block_list:
    params:
      - id: len_stream
        type: u4
    seq:
      - id: blocks
        type: u4
        repeat: expr
        repeat-expr: num_blocks
    instances:
      is_nil:
        value: len_stream == 0xffffffff
      num_blocks:
        value: 'is_nil ? 0 : (len_stream + _root.block_size - 1) / _root.block_size'
