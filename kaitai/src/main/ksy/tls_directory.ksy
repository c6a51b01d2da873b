meta:
  id: tls_directory
  title: TLS directory (IMAGE_TLS_DIRECTORY32 / IMAGE_TLS_DIRECTORY64)
  endian: le
doc: |
  The thread-local storage directory. Its address fields are VAs (not RVAs) of the pointer size. The
  callback array is parsed separately, in bounded runs of `callback_run`, until its zero entry.
doc-ref: PE Format, "The .tls Section", "The TLS Directory"
params:
  - id: is_pe32_plus
    type: bool
seq:
  - id: va_raw_data_start
    -orig-id: Raw Data Start VA (StartAddressOfRawData)
    type:
      switch-on: is_pe32_plus
      cases:
        true: u8
        false: u4
  - id: va_raw_data_end
    -orig-id: Raw Data End VA (EndAddressOfRawData)
    type:
      switch-on: is_pe32_plus
      cases:
        true: u8
        false: u4
  - id: va_index
    -orig-id: Address of Index (AddressOfIndex)
    type:
      switch-on: is_pe32_plus
      cases:
        true: u8
        false: u4
  - id: va_callbacks
    -orig-id: Address of Callbacks (AddressOfCallBacks)
    type:
      switch-on: is_pe32_plus
      cases:
        true: u8
        false: u4
    doc: VA of a zero-terminated array of callback VAs, or 0.
  - id: len_zero_fill
    -orig-id: Size of Zero Fill (SizeOfZeroFill)
    type: u4
  - id: characteristics
    -orig-id: Characteristics
    type: u4
    doc: Bits 20-23 give the alignment of the TLS block; the rest are reserved.
types:
  callback_run:
    doc-ref: PE Format, "TLS Callback Functions"
    params:
      - id: num_va_callbacks
        type: u4
      - id: is_pe32_plus
        type: bool
    seq:
      - id: va_callbacks
        -orig-id: PIMAGE_TLS_CALLBACK
        type:
          switch-on: is_pe32_plus
          cases:
            true: u8
            false: u4
        repeat: expr
        repeat-expr: num_va_callbacks
        doc: Callback VAs; 0 ends the array.
