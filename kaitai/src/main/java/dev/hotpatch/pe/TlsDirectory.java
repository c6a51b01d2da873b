package dev.hotpatch.pe;

import java.util.List;

/**
 * The TLS directory, with its VAs converted to RVAs (an address field of 0 stays 0).
 *
 * @param rawDataStartRva start of the TLS template data
 * @param rawDataEndRva   end (exclusive) of the TLS template data
 * @param indexRva        where the loader stores the image's TLS index
 * @param callbacksRva    the callback array, or 0
 * @param sizeOfZeroFill  zeros that follow the template in each thread's TLS block
 * @param characteristics alignment bits (20-23)
 * @param callbackRvas    the callbacks in call order (those outside the image are left out, with a warning)
 */
public record TlsDirectory(long rawDataStartRva, long rawDataEndRva, long indexRva, long callbacksRva,
                           long sizeOfZeroFill, long characteristics, List<Long> callbackRvas) {

    public TlsDirectory {
        callbackRvas = List.copyOf(callbackRvas);
    }

    /** Bytes of template data copied into each thread's TLS block. */
    public long rawDataSize() {
        return rawDataEndRva - rawDataStartRva;
    }
}
