/*
 * sqlite-floor: SQLite's own insert speed on this machine, with no Swift and no parsing.
 *
 * Inserts ROWS rows of COLS integer columns (the last NNULL of them NULL) into one table keyed by its
 * first two columns, in one transaction, 64 rows per INSERT, with the warehouse's settings (WAL,
 * synchronous=NORMAL, 16 MiB cache). It bounds what any loader of a 4.86M-event trace can reach:
 * e.g. `./sqlite-floor /tmp/f.db 4859151 8 0 0 4096 64` is one 8-column row per event.
 *
 *   cc -O2 Fixtures/bench/sqlite-floor.c -lsqlite3 -o /tmp/sqlite-floor
 *   /tmp/sqlite-floor DB ROWS COLS NNULL ROWID(0: WITHOUT ROWID, 1: rowid table) PAGE_SIZE ROWS_PER_INSERT
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>

static double cpu(void) {
    struct rusage u; getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

int main(int argc, char **argv) {
    if (argc != 8) { fprintf(stderr, "usage: %s DB ROWS COLS NNULL ROWID PAGE_SIZE ROWS_PER_INSERT\n", argv[0]); return 2; }
    const char *path = argv[1];
    long rows = atol(argv[2]); int cols = atoi(argv[3]), nnull = atoi(argv[4]), rowid = atoi(argv[5]);
    int pagesize = atoi(argv[6]), batch = atoi(argv[7]);
    if (cols < 3 || cols > 64 || batch < 1 || batch * cols > 32766) { fprintf(stderr, "bad arguments\n"); return 2; }
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD); sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    char b[4096];
    remove(path); snprintf(b, sizeof b, "%s-wal", path); remove(b); snprintf(b, sizeof b, "%s-shm", path); remove(b);
    sqlite3 *db; if (sqlite3_open(path, &db)) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
    snprintf(b, sizeof b, "PRAGMA page_size=%d; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16384;", pagesize);
    sqlite3_exec(db, b, 0, 0, 0);
    static char sql[1 << 20]; int n = 0;
    n += snprintf(sql + n, sizeof sql - n, "CREATE TABLE t(c0 INTEGER NOT NULL, c1 INTEGER %s", rowid ? "PRIMARY KEY" : "NOT NULL");
    for (int c = 2; c < cols; c++) n += snprintf(sql + n, sizeof sql - n, ", c%d INTEGER", c);
    n += snprintf(sql + n, sizeof sql - n, "%s", rowid ? ")" : ", PRIMARY KEY(c0, c1)) WITHOUT ROWID");
    if (sqlite3_exec(db, sql, 0, 0, 0)) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
    n = snprintf(sql, sizeof sql, "INSERT INTO t VALUES ");
    for (int r = 0; r < batch; r++) {
        n += snprintf(sql + n, sizeof sql - n, "%s(", r ? "," : "");
        for (int c = 0; c < cols; c++) n += snprintf(sql + n, sizeof sql - n, "%s?", c ? "," : "");
        n += snprintf(sql + n, sizeof sql - n, ")");
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, 0)) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
    double t0 = now(), c0 = cpu();
    sqlite3_exec(db, "BEGIN", 0, 0, 0);
    unsigned long long x = 0x9E3779B9ULL; long r = 0, ts = 1000000;
    while (r < rows) {
        int p = 1, k = 0;
        for (; k < batch && r < rows; k++, r++) {
            ts += 500 + (long)(x >> 58);   /* increasing times, like ts_ns */
            sqlite3_bind_int64(st, p++, 1); sqlite3_bind_int64(st, p++, r); sqlite3_bind_int64(st, p++, ts);
            for (int c = 3; c < cols; c++) {
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                if (c >= cols - nnull) sqlite3_bind_null(st, p++); else sqlite3_bind_int64(st, p++, (long)((x >> 40) & 0xFFFF));
            }
        }
        if (k < batch) break;  /* the remainder is dropped: ROWS should be a multiple of the batch for exact counts */
        if (sqlite3_step(st) != SQLITE_DONE) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
        sqlite3_reset(st);
    }
    sqlite3_exec(db, "COMMIT", 0, 0, 0);
    double t1 = now(), c1 = cpu();
    sqlite3_finalize(st);
    sqlite3_stmt *q; sqlite3_prepare_v2(db, "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size", -1, &q, 0);
    sqlite3_step(q); long long bytes = sqlite3_column_int64(q, 0); sqlite3_finalize(q);
    printf("%ld rows x %d columns (%d NULL), %s, page %d, %d rows/INSERT: %.2f s wall, %.2f s CPU = %.2fM rows/s; %.1f bytes/row\n",
           r, cols, nnull, rowid ? "rowid table" : "WITHOUT ROWID", pagesize, batch, t1 - t0, c1 - c0, r / (t1 - t0) / 1e6,
           (double)bytes / r);
    sqlite3_close(db);
    return 0;
}
