meta:
  id: load_config_directory_32
  title: Load configuration directory (IMAGE_LOAD_CONFIG_DIRECTORY32), every field up to SDK 10.0.26100
  endian: le
doc: |
  The PE32 load configuration structure as the current winnt.h defines it. Images carry a prefix of it:
  the first field, Size, says how many bytes exist, and a field whose end lies past Size is absent
  (not zero). The reader parses a zero-filled copy of min(Size, known size) bytes and keeps only the
  fields whose end offset (from --read-pos) is at most Size. Fields holding virtual addresses are
  named va_*; subtract the image base to get an RVA.
doc-ref: PE Format, "The Load Configuration Structure (Image Only)"; winnt.h IMAGE_LOAD_CONFIG_DIRECTORY32
seq:
  - id: len_load_config
    -orig-id: Size
    type: u4
    doc: "Bytes of this structure the image provides; fields past it are absent. Authoritative over the data directory's Size."
  - id: time_date_stamp
    -orig-id: TimeDateStamp
    type: u4
  - id: major_version
    -orig-id: MajorVersion
    type: u2
  - id: minor_version
    -orig-id: MinorVersion
    type: u2
  - id: global_flags_clear
    -orig-id: GlobalFlagsClear
    type: u4
  - id: global_flags_set
    -orig-id: GlobalFlagsSet
    type: u4
  - id: critical_section_default_timeout
    -orig-id: CriticalSectionDefaultTimeout
    type: u4
  - id: de_commit_free_block_threshold
    -orig-id: DeCommitFreeBlockThreshold
    type: u4
  - id: de_commit_total_free_threshold
    -orig-id: DeCommitTotalFreeThreshold
    type: u4
  - id: va_lock_prefix_table
    -orig-id: LockPrefixTable
    type: u4
    doc: VA of a list of LOCK prefix addresses (x86 only).
  - id: len_maximum_allocation
    -orig-id: MaximumAllocationSize
    type: u4
  - id: len_virtual_memory_threshold
    -orig-id: VirtualMemoryThreshold
    type: u4
  - id: process_heap_flags
    -orig-id: ProcessHeapFlags
    type: u4
  - id: process_affinity_mask
    -orig-id: ProcessAffinityMask
    type: u4
  - id: csd_version
    -orig-id: CSDVersion
    type: u2
  - id: dependent_load_flags
    -orig-id: DependentLoadFlags
    type: u2
  - id: va_edit_list
    -orig-id: EditList
    type: u4
  - id: va_security_cookie
    -orig-id: SecurityCookie
    type: u4
    doc: VA of the /GS security cookie.
  - id: va_se_handler_table
    -orig-id: SEHandlerTable
    type: u4
    doc: VA of the sorted table of safe SEH handler RVAs (x86 only).
  - id: num_se_handlers
    -orig-id: SEHandlerCount
    type: u4
  - id: va_guard_cf_check_function_pointer
    -orig-id: GuardCFCheckFunctionPointer
    type: u4
  - id: va_guard_cf_dispatch_function_pointer
    -orig-id: GuardCFDispatchFunctionPointer
    type: u4
  - id: va_guard_cf_function_table
    -orig-id: GuardCFFunctionTable
    type: u4
    doc: "VA of the sorted table of CFG call targets: an RVA each, followed by len_guard_cf_function_metadata bytes."
  - id: num_guard_cf_functions
    -orig-id: GuardCFFunctionCount
    type: u4
  - id: guard_flags
    -orig-id: GuardFlags
    type: u4
    doc: IMAGE_GUARD_* flags; bits 28-31 give the metadata bytes per CFG table entry.
  - id: code_integrity_flags
    -orig-id: CodeIntegrity.Flags
    type: u2
    doc: IMAGE_LOAD_CONFIG_CODE_INTEGRITY, inlined.
  - id: code_integrity_catalog
    -orig-id: CodeIntegrity.Catalog
    type: u2
  - id: ofs_code_integrity_catalog
    -orig-id: CodeIntegrity.CatalogOffset
    type: u4
  - id: code_integrity_reserved
    -orig-id: CodeIntegrity.Reserved
    type: u4
  - id: va_guard_address_taken_iat_entry_table
    -orig-id: GuardAddressTakenIatEntryTable
    type: u4
  - id: num_guard_address_taken_iat_entries
    -orig-id: GuardAddressTakenIatEntryCount
    type: u4
  - id: va_guard_long_jump_target_table
    -orig-id: GuardLongJumpTargetTable
    type: u4
  - id: num_guard_long_jump_targets
    -orig-id: GuardLongJumpTargetCount
    type: u4
  - id: va_dynamic_value_reloc_table
    -orig-id: DynamicValueRelocTable
    type: u4
  - id: va_chpe_metadata
    -orig-id: CHPEMetadataPointer
    type: u4
  - id: va_guard_rf_failure_routine
    -orig-id: GuardRFFailureRoutine
    type: u4
  - id: va_guard_rf_failure_routine_function_pointer
    -orig-id: GuardRFFailureRoutineFunctionPointer
    type: u4
  - id: ofs_dynamic_value_reloc_table
    -orig-id: DynamicValueRelocTableOffset
    type: u4
    doc: Offset of the dynamic relocation table inside the section below.
  - id: dynamic_value_reloc_table_section
    -orig-id: DynamicValueRelocTableSection
    type: u2
    doc: 1-based section number.
  - id: reserved2
    -orig-id: Reserved2
    type: u2
  - id: va_guard_rf_verify_stack_pointer_function_pointer
    -orig-id: GuardRFVerifyStackPointerFunctionPointer
    type: u4
  - id: rva_hot_patch_table
    -orig-id: HotPatchTableOffset
    type: u4
    doc: RVA of the IMAGE_HOT_PATCH_INFO of a hotpatch image, or 0.
  - id: reserved3
    -orig-id: Reserved3
    type: u4
  - id: va_enclave_configuration
    -orig-id: EnclaveConfigurationPointer
    type: u4
  - id: va_volatile_metadata
    -orig-id: VolatileMetadataPointer
    type: u4
  - id: va_guard_eh_continuation_table
    -orig-id: GuardEHContinuationTable
    type: u4
  - id: num_guard_eh_continuations
    -orig-id: GuardEHContinuationCount
    type: u4
  - id: va_guard_xfg_check_function_pointer
    -orig-id: GuardXFGCheckFunctionPointer
    type: u4
  - id: va_guard_xfg_dispatch_function_pointer
    -orig-id: GuardXFGDispatchFunctionPointer
    type: u4
  - id: va_guard_xfg_table_dispatch_function_pointer
    -orig-id: GuardXFGTableDispatchFunctionPointer
    type: u4
  - id: va_cast_guard_os_determined_failure_mode
    -orig-id: CastGuardOsDeterminedFailureMode
    type: u4
  - id: va_guard_memcpy_function_pointer
    -orig-id: GuardMemcpyFunctionPointer
    type: u4
  - id: va_uma_function_pointers
    -orig-id: UmaFunctionPointers
    type: u4
instances:
  len_guard_cf_function_metadata:
    value: (guard_flags >> 28) & 0xf
    doc: |
      Extra bytes after each RVA in the CFG function table (IMAGE_GUARD_CF_FUNCTION_TABLE_SIZE_MASK,
      shifted by IMAGE_GUARD_CF_FUNCTION_TABLE_SIZE_SHIFT).
