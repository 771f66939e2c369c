#ifndef TRACEDB_CSQLITE_SHIM_H
#define TRACEDB_CSQLITE_SHIM_H
#include <sqlite3.h>

// sqlite3_config is variadic, which Swift cannot call: fixed-arity wrappers.
static inline int tracedb_sqlite3_config_single_thread(void) {
    return sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
}
static inline int tracedb_sqlite3_config_multi_thread(void) {
    return sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
}
static inline int tracedb_sqlite3_config_memstatus(int on) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, on);
}
// SQLITE_TRANSIENT is a cast macro that Swift does not import.
static inline sqlite3_destructor_type tracedb_sqlite3_transient(void) {
    return SQLITE_TRANSIENT;
}
// glibc keeps memory freed at the top of its heap for reuse, and once large blocks have been freed it
// raises that allowance with them (dynamic trim threshold): a bulk load's transient buffers then stay
// resident. A fixed 128 KiB threshold and no top pad hand them back to the OS. (No-op elsewhere.)
#if defined(__linux__)
#include <features.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
static inline void tracedb_malloc_return_freed_memory(void) {
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);
    mallopt(M_TOP_PAD, 0);
}
#else
static inline void tracedb_malloc_return_freed_memory(void) {}
#endif
#endif
