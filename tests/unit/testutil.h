/* Helpers shared by the unit tests that work on files: finding the
 * repository's fixtures, reading files whole, a scratch directory under
 * $TMPDIR and removing it again. Test-only, so everything is static inline:
 * each test binary takes what it uses and unused helpers cost no warning. */
#ifndef FS_TESTUTIL_H
#define FS_TESTUTIL_H

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

/* rel below the repository root, found from this header's path as the build
 * saw it, so the tests run from any working directory. */
static inline void tu_repo_path(char *buf, size_t len, const char *rel)
{
    const char *self = __FILE__, *cut = strstr(self, "tests/unit/testutil.h");
    int n = cut ? (int)(cut - self) : 0;

    snprintf(buf, len, "%.*s%s", n, self, rel);
}

/* The whole file, NUL-terminated (its length in *len unless len is NULL), or
 * NULL when it cannot be read. */
static inline char *tu_slurp(const char *p, size_t *len)
{
    FILE *f = fopen(p, "rb");
    char *buf = NULL;
    size_t n = 0, got;

    if (f == NULL)
        return NULL;
    do {
        char *q = realloc(buf, n + 65537);
        if (q == NULL) {
            free(buf);
            fclose(f);
            return NULL;
        }
        buf = q;
        got = fread(buf + n, 1, 65536, f);
        n += got;
    } while (got == 65536);
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* The JSON document in the repository file rel; fails the test otherwise. */
static inline cJSON *tu_fixture(const char *rel)
{
    char path[512];
    char *text;
    cJSON *doc;

    tu_repo_path(path, sizeof(path), rel);
    text = tu_slurp(path, NULL);
    if (text == NULL)
        fail_msg("%s: %s", path, strerror(errno));
    doc = cJSON_Parse(text);
    free(text);
    assert_non_null(doc);
    return doc;
}

/* Parses tests/fixtures/results-<name>.json into docs[*n] and counts it;
 * fails the test when the file is missing, not JSON or docs is full. */
static inline void tu_load_results(cJSON **docs, size_t *n, size_t max, const char *name)
{
    char p[1024], rel[256];
    char *text;

    snprintf(rel, sizeof(rel), "tests/fixtures/results-%s.json", name);
    tu_repo_path(p, sizeof(p), rel);
    text = tu_slurp(p, NULL);
    if (text == NULL)
        fail_msg("cannot read %s", p);
    assert_true(*n < max);
    docs[*n] = cJSON_Parse(text);
    free(text);
    if (docs[*n] == NULL)
        fail_msg("%s: not JSON", p);
    (*n)++;
}

/* Creates a fresh directory $TMPDIR/<prefix>-XXXXXX (or under /tmp) and
 * writes its name to dir; 0, or -1 when it cannot be made. */
static inline int tu_mkdtemp(char *dir, size_t len, const char *prefix)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(dir, len, "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static inline int tu__rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* rm -rf dir, best effort: teardown must go on even if something stays. */
static inline void tu_rmtree(const char *dir)
{
    nftw(dir, tu__rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Entries in dir other than . and ..; *tmp counts names with ".tmp.". */
static inline int tu_entries(const char *dir, int *tmp)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    *tmp = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        if (strstr(e->d_name, ".tmp.") != NULL)
            (*tmp)++;
    }
    closedir(d);
    return n;
}

#endif
