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
#endif
