meta:
  id: debug_ex_dll_characteristics
  title: Extended DLL characteristics debug entry data (IMAGE_DEBUG_TYPE_EX_DLLCHARACTERISTICS)
  endian: le
doc: |
  The data of an EX_DLLCHARACTERISTICS debug entry: one 32-bit word of
  IMAGE_DLLCHARACTERISTICS_EX_* flags (CET_COMPAT 0x1, CET_COMPAT_STRICT_MODE 0x2, ...).
doc-ref: PE Format, "Debug Type" (IMAGE_DEBUG_TYPE_EX_DLLCHARACTERISTICS)
seq:
  - id: flags
    -orig-id: ExDllCharacteristics
    type: u4
