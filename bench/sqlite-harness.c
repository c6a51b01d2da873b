/* Harness for bench/sqlite-apply.sh: loads sqlite3.dll from its own directory and prints what the three known
 * edits change (sqlite3_errstr, sqlite3_strnicmp) and the results of a few SQL statements (parser, hashing of
 * identifiers, collation, the bytecode engine). Built with x86_64-w64-mingw32-gcc -O2, run under Wine. */
#include <windows.h>
#include <stdio.h>

typedef int (*open_fn)(const char *, void **);
typedef int (*exec_fn)(void *, const char *, int (*)(void *, int, char **, char **), void *, char **);
typedef const char *(*errstr_fn)(int);
typedef int (*strnicmp_fn)(const char *, const char *, int);
typedef int (*close_fn)(void *);

static int row(void *u, int n, char **v, char **c)
{
    for (int i = 0; i < n; i++) printf("%s%s", i ? "|" : "", v[i] ? v[i] : "NULL");
    printf("\n");
    return 0;
}

int main(void)
{
    HMODULE m = LoadLibraryA("sqlite3.dll");
    if (!m) { printf("no sqlite3.dll\n"); return 1; }
    open_fn op = (open_fn)GetProcAddress(m, "sqlite3_open");
    exec_fn ex = (exec_fn)GetProcAddress(m, "sqlite3_exec");
    errstr_fn es = (errstr_fn)GetProcAddress(m, "sqlite3_errstr");
    strnicmp_fn sn = (strnicmp_fn)GetProcAddress(m, "sqlite3_strnicmp");
    close_fn cl = (close_fn)GetProcAddress(m, "sqlite3_close");
    printf("errstr(BUSY) = %s\n", es(5));
    printf("strnicmp(\"a\", NULL) = %d\n", sn("a", NULL, 1));
    void *db = 0;
    op(":memory:", &db);
    char *err = 0;
    ex(db, "CREATE TABLE Fruit(Name TEXT, Qty INT); INSERT INTO fruit VALUES('apple', 3), ('Pear', 5), ('fig', 7);"
           "CREATE INDEX by_name ON FRUIT(name);", row, 0, &err);
    ex(db, "SELECT upper(name), qty * 2 FROM FrUiT WHERE qty > 2 ORDER BY NAME COLLATE NOCASE;", row, 0, &err);
    ex(db, "SELECT count(*), sum(qty), group_concat(name, ',') FROM fruit;", row, 0, &err);
    ex(db, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) SELECT sum(x) FROM c;", row, 0, &err);
    if (err) printf("error: %s\n", err);
    cl(db);
    return 0;
}
