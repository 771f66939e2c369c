#ifndef TRACEDB_CZLIB_SHIM_H
#define TRACEDB_CZLIB_SHIM_H
#include <zlib.h>

// deflateInit2/inflateInit2 are macros, which Swift does not import: fixed wrappers.
// windowBits 15 + 16 selects the gzip wrapper (RFC 1952) instead of zlib's.
static inline int tracedb_deflate_init_gzip(z_streamp strm, int level) {
    return deflateInit2(strm, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
// windowBits 15 + 32: accept gzip or zlib streams (automatic header detection).
static inline int tracedb_inflate_init_auto(z_streamp strm) {
    return inflateInit2(strm, 15 + 32);
}
#endif
