meta:
  id: cv_type
  title: CodeView type record bodies that give sizes (arrays, classes, unions, pointers, modifiers, enums)
  endian: le
doc: |
  The body of a TPI type record (what follows cv_record_header), parsed over exactly len_record - 2
  bytes. Only the leaves that determine the size of a data symbol's type have a body here; the reader
  skips every other record by its length. Sizes are numeric leaves: a u2 below 0x8000 is the value
  itself, otherwise it names the type of the value that follows.
doc-ref: LLVM, "CodeView Type Records"; Microsoft cvinfo.h, "lfArray", "lfClass", "lfPointer", "lfEnum"
params:
  - id: kind
    type: u2
seq:
  - id: body
    type:
      switch-on: kind
      cases:
        0x1001: lf_modifier
        0x1002: lf_pointer
        0x1503: lf_array
        0x1504: lf_class
        0x1505: lf_class
        0x1506: lf_union
        0x1507: lf_enum
enums:
  type_kind:
    0x1001: lf_modifier
    0x1002: lf_pointer
    0x1503: lf_array
    0x1504: lf_class
    0x1505: lf_structure
    0x1506: lf_union
    0x1507: lf_enum
types:
  lf_modifier:
    doc: const / volatile / unaligned of another type; same size.
    seq:
      - id: modified_type
        -orig-id: ModifiedType
        type: u4
      - id: modifiers
        -orig-id: Modifiers
        type: u2
  lf_pointer:
    seq:
      - id: referent_type
        -orig-id: ReferentType
        type: u4
      - id: attributes
        -orig-id: Attributes
        type: u4
    instances:
      pointer_kind:
        value: attributes & 0x1f
      mode:
        value: (attributes >> 5) & 0x7
      len_pointer:
        value: (attributes >> 13) & 0x3f
        doc: Size of the pointer in bytes (bits 13-18 of the attributes).
  lf_array:
    seq:
      - id: element_type
        -orig-id: ElementType
        type: u4
      - id: index_type
        -orig-id: IndexType
        type: u4
      - id: len_array
        -orig-id: Size
        type: numeric_leaf
        doc: Size of the whole array in bytes.
      - id: name
        -orig-id: Name
        type: strz
        encoding: UTF-8
  lf_class:
    doc: LF_CLASS and LF_STRUCTURE.
    seq:
      - id: num_members
        -orig-id: MemberCount
        type: u2
      - id: properties
        -orig-id: Properties
        type: u2
      - id: field_list
        -orig-id: FieldList
        type: u4
      - id: derived_from
        -orig-id: DerivedFrom
        type: u4
      - id: vtable_shape
        -orig-id: VTableShape
        type: u4
      - id: len_class
        -orig-id: Size
        type: numeric_leaf
      - id: name
        -orig-id: Name
        type: strz
        encoding: UTF-8
      - id: unique_name
        -orig-id: UniqueName
        type: strz
        encoding: UTF-8
        if: has_unique_name
    instances:
      is_forward_ref:
        value: (properties & 0x80) != 0
        doc: A declaration only; its size is 0 and the definition is another record with the same unique name.
      has_unique_name:
        value: (properties & 0x200) != 0
  lf_union:
    seq:
      - id: num_members
        -orig-id: MemberCount
        type: u2
      - id: properties
        -orig-id: Properties
        type: u2
      - id: field_list
        -orig-id: FieldList
        type: u4
      - id: len_union
        -orig-id: Size
        type: numeric_leaf
      - id: name
        -orig-id: Name
        type: strz
        encoding: UTF-8
      - id: unique_name
        -orig-id: UniqueName
        type: strz
        encoding: UTF-8
        if: has_unique_name
    instances:
      is_forward_ref:
        value: (properties & 0x80) != 0
      has_unique_name:
        value: (properties & 0x200) != 0
  lf_enum:
    seq:
      - id: num_enumerators
        -orig-id: NumEnumerators
        type: u2
      - id: properties
        -orig-id: Properties
        type: u2
      - id: underlying_type
        -orig-id: UnderlyingType
        type: u4
        doc: The integer type of the enumerators, which gives the enum's size.
      - id: field_list
        -orig-id: FieldList
        type: u4
      - id: name
        -orig-id: Name
        type: strz
        encoding: UTF-8
  numeric_leaf:
    doc-ref: LLVM, "CodeView Type Records" (numeric leaves); Microsoft cvinfo.h, "LF_NUMERIC"
    seq:
      - id: leaf
        type: u2
        doc: The value itself when below 0x8000, else the kind of the value that follows.
      - id: char_value
        -orig-id: LF_CHAR
        type: s1
        if: leaf == 0x8000
      - id: short_value
        -orig-id: LF_SHORT
        type: s2
        if: leaf == 0x8001
      - id: ushort_value
        -orig-id: LF_USHORT
        type: u2
        if: leaf == 0x8002
      - id: long_value
        -orig-id: LF_LONG
        type: s4
        if: leaf == 0x8003
      - id: ulong_value
        -orig-id: LF_ULONG
        type: u4
        if: leaf == 0x8004
      - id: quad_value
        -orig-id: LF_QUADWORD
        type: s8
        if: leaf == 0x8009
      - id: uquad_value
        -orig-id: LF_UQUADWORD
        type: u8
        if: leaf == 0x800a
    instances:
      is_known:
        value: >-
          leaf < 0x8000 or leaf == 0x8000 or leaf == 0x8001 or leaf == 0x8002 or leaf == 0x8003
          or leaf == 0x8004 or leaf == 0x8009 or leaf == 0x800a
        doc: False for the real, complex, 128-bit and other leaves, whose value is not read.
      value:
        value: >-
          (leaf < 0x8000 ? leaf :
          leaf == 0x8000 ? char_value :
          leaf == 0x8001 ? short_value :
          leaf == 0x8002 ? ushort_value :
          leaf == 0x8003 ? long_value :
          leaf == 0x8004 ? ulong_value :
          leaf == 0x8009 ? quad_value :
          leaf == 0x800a ? uquad_value : -1).as<s8>
        doc: The value (meaningful when is_known); an LF_UQUADWORD above 2^63 - 1 reads as negative.
