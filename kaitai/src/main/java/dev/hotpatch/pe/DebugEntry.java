package dev.hotpatch.pe;

import java.util.Optional;

/**
 * One IMAGE_DEBUG_DIRECTORY entry.
 *
 * @param index            position in the debug directory
 * @param type             the IMAGE_DEBUG_TYPE_* value
 * @param typeName         its name from debug_directory.ksy (codeview, repro, pogo, ...), or "type_N"
 * @param sizeOfData       SizeOfData
 * @param addressOfRawData RVA of the data when it is mapped, else 0
 * @param pointerToRawData file offset of the data
 * @param info             what the reader understood of the data (CodeView, REPRO, EX_DLLCHARACTERISTICS)
 */
public record DebugEntry(int index, long characteristics, long timeDateStamp, int majorVersion, int minorVersion,
                         long type, String typeName, long sizeOfData, long addressOfRawData, long pointerToRawData,
                         Optional<DebugInfo> info) {

    public static final long TYPE_CODEVIEW = 2;
    public static final long TYPE_REPRO = 16;
    public static final long TYPE_EX_DLLCHARACTERISTICS = 20;
}
