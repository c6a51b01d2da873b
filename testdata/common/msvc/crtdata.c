/* Data that MSVC's static CRT would supply to the MSVC-ABI samples, which link without any CRT.
 *
 * RTTI type descriptors point at type_info's vtable (??_7type_info@@6B@). build.sh maps that name to this
 * array (/alternatename:??_7type_info@@6B@=hp_type_info_vtable); Wine's runtime matches catch types by their
 * decorated names and never calls through it. */
void *hp_type_info_vtable[2];

/* Every object that uses floating point refers to _fltused (the CRT's marker that the floating-point support
 * is needed); the CRT defines it with this value. */
int _fltused = 0x9875;
