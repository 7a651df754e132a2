/* One scenario's reports, rebuilt from its results files: what `failsmall
 * run` does after the last posture and `failsmall report DIR` does later. */
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic.h"
#include "charts.h"
#include "fs_json.h"
#include "fs_posture.h"

#define FS__REPORT_MAX_RESULTS (64u << 20)
#define FS__REPORT_PATH        2048

int fs_report_parse(const char *buf, size_t len, const char *name, cJSON **out, char *err,
                    size_t errlen)
{
    char msg[256];
    int rc;

    *out = NULL;
    rc = fs_json_parse(buf, len, FS__REPORT_MAX_RESULTS, out, msg, sizeof(msg));
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", name, msg);
        return rc;
    }
    if (!cJSON_IsString(cJSON_GetObjectItem(*out, "schema")) ||
        strncmp(cJSON_GetObjectItem(*out, "schema")->valuestring, "failsmall.results/", 18) != 0) {
        snprintf(err, errlen, "%s: $.schema: not a failsmall results file", name);
        cJSON_Delete(*out);
        *out = NULL;
        return -EINVAL;
    }
    return 0;
}

int fs_report_load(const char *path, cJSON **out, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "rbe");
    int rc;

    *out = NULL;
    if (f == NULL) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return rc;
    }
    for (;;) {
        char *p = realloc(buf, len + 65536);
        size_t n;
        if (p == NULL) {
            fclose(f);
            free(buf);
            snprintf(err, errlen, "%s: out of memory", path);
            return -ENOMEM;
        }
        buf = p;
        n = fread(buf + len, 1, 65536, f);
        len += n;
        if (n < 65536)
            break;
    }
    fclose(f);
    rc = fs_report_parse(buf, len, path, out, err, errlen);
    free(buf);
    return rc;
}

/* Reports that fail to write are errors; a missing gnuplot is a warning. */
static int fs__report_posture(const cJSON *doc, const char *pdir, unsigned formats, char *err,
                              size_t errlen, char *warn, size_t warnlen)
{
    char path[FS__REPORT_PATH + 32];
    int rc = 0;

    if (formats & FS_REPORT_JUNIT) {
        snprintf(path, sizeof(path), "%s/junit.xml", pdir);
        if ((rc = fs_report_junit(&doc, 1, path, err, errlen)) < 0)
            return rc;
    }
    if (formats & (FS_REPORT_HTML | FS_REPORT_MD)) {
        snprintf(path, sizeof(path), "%s/charts", pdir);
        if ((rc = fs_mkdirs(path, err, errlen)) < 0)
            return rc;
        if ((rc = fs_report_charts(doc, path, warn, warnlen)) < 0) {
            snprintf(err, errlen, "%s: %s", path, warn);
            return rc;
        }
    }
    if (formats & FS_REPORT_MD) {
        snprintf(path, sizeof(path), "%s/summary.md", pdir);
        if ((rc = fs_report_markdown(&doc, 1, "../", path, err, errlen)) < 0)
            return rc;
    }
    return 0;
}

int fs_report_build(const char *dir, unsigned formats, char *err, size_t errlen, char *warn,
                    size_t warnlen)
{
    const cJSON *docs[FS_POSTURE_COUNT];
    cJSON *owned[FS_POSTURE_COUNT] = {0};
    char path[FS__REPORT_PATH + 32], pdir[FS__REPORT_PATH];
    size_t n = 0;
    int rc = 0;

    if (strlen(dir) > FS__REPORT_PATH - 32) {
        snprintf(err, errlen, "%.64s...: path too long", dir);
        return -ENAMETOOLONG;
    }
    for (int p = 0; p < FS_POSTURE_COUNT; p++) {
        struct stat st;
        snprintf(pdir, sizeof(pdir), "%s/%s", dir, fs_posture_name((fs_posture_t)p));
        snprintf(path, sizeof(path), "%s/results.json", pdir);
        if (stat(path, &st) < 0)
            continue;
        if ((rc = fs_report_load(path, &owned[n], err, errlen)) < 0)
            goto out;
        docs[n] = owned[n];
        if ((rc = fs__report_posture(docs[n], pdir, formats, err, errlen, warn, warnlen)) < 0)
            goto out;
        n++;
    }
    if (n == 0) {
        snprintf(err, errlen, "%s: no <posture>/results.json here", dir);
        rc = -ENOENT;
        goto out;
    }
    if (formats & FS_REPORT_JUNIT) {
        snprintf(path, sizeof(path), "%s/junit.xml", dir);
        if ((rc = fs_report_junit(docs, n, path, err, errlen)) < 0)
            goto out;
    }
    if (formats & FS_REPORT_MD) {
        snprintf(path, sizeof(path), "%s/summary.md", dir);
        if ((rc = fs_report_markdown(docs, n, "", path, err, errlen)) < 0)
            goto out;
    }
    if (formats & FS_REPORT_HTML) {
        snprintf(path, sizeof(path), "%s/charts", dir);
        if ((rc = fs_mkdirs(path, err, errlen)) < 0 ||
            (rc = fs__report_charts_compare(docs, n, path, warn, warnlen)) < 0)
            goto out;
        snprintf(path, sizeof(path), "%s/report.html", dir);
        if ((rc = fs_report_html(docs, n, dir, path, err, errlen)) < 0)
            goto out;
    }
    rc = (int)n;
out:
    for (size_t i = 0; i < FS_POSTURE_COUNT; i++)
        cJSON_Delete(owned[i]);
    return rc;
}

int fs_report_build_suite(const char *dir, const char *const *rel, size_t n, char *err,
                          size_t errlen)
{
    cJSON **owned = calloc(n * FS_POSTURE_COUNT + 1, sizeof(*owned));
    const cJSON **flat = calloc(n * FS_POSTURE_COUNT + 1, sizeof(*flat));
    const cJSON *const **sets = calloc(n + 1, sizeof(*sets));
    size_t *nsets = calloc(n + 1, sizeof(*nsets));
    char path[FS__REPORT_PATH + 256];
    int rc = 0;

    if (owned == NULL || flat == NULL || sets == NULL || nsets == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        sets[i] = flat + i * FS_POSTURE_COUNT;
        for (int p = 0; p < FS_POSTURE_COUNT; p++) {
            struct stat st;
            size_t k = i * FS_POSTURE_COUNT + nsets[i];
            snprintf(path, sizeof(path), "%s/%s/%s/results.json", dir, rel[i],
                     fs_posture_name((fs_posture_t)p));
            if (stat(path, &st) < 0)
                continue;
            if ((rc = fs_report_load(path, &owned[k], err, errlen)) < 0)
                goto out;
            flat[k] = owned[k];
            nsets[i]++;
        }
    }
    rc = fs_report_suite(sets, nsets, rel, n, dir, err, errlen);
out:
    for (size_t i = 0; owned && i < n * FS_POSTURE_COUNT; i++)
        cJSON_Delete(owned[i]);
    free(owned);
    free(flat);
    free(sets);
    free(nsets);
    return rc;
}

static int fs__report_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder is a run folder when it holds some <posture>/results.json. */
static int fs__report_is_run(const char *dir, const char *name)
{
    char path[FS__REPORT_PATH + 256];
    struct stat st;

    for (int p = 0; p < FS_POSTURE_COUNT; p++) {
        snprintf(path, sizeof(path), "%s/%s/%s/results.json", dir, name,
                 fs_posture_name((fs_posture_t)p));
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            return 1;
    }
    return 0;
}

int fs_report_build_suite_dir(const char *dir, char *err, size_t errlen)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    DIR *d;
    int rc;

    if (strlen(dir) > FS__REPORT_PATH - 32) {
        snprintf(err, errlen, "%.64s...: path too long", dir);
        return -ENAMETOOLONG;
    }
    if ((d = opendir(dir)) == NULL) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return rc;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strlen(de->d_name) > 255 || !fs__report_is_run(dir, de->d_name))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **p = realloc(names, ncap * sizeof(*p));
            if (p == NULL)
                break;
            names = p;
            cap = ncap;
        }
        if ((names[n] = strdup(de->d_name)) == NULL)
            break;
        n++;
    }
    closedir(d);
    if (de != NULL) {
        snprintf(err, errlen, "out of memory");
        rc = -ENOMEM;
        goto out;
    }
    if (n == 0) {
        snprintf(err, errlen, "%s: no <posture>/results.json here, nor in any folder in it", dir);
        rc = -ENOENT;
        goto out;
    }
    /* Name order, as `failsmall run DIR` runs them. */
    qsort(names, n, sizeof(*names), fs__report_cmp);
    if ((rc = fs_report_build_suite(dir, (const char *const *)names, n, err, errlen)) == 0)
        rc = (int)n;
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}
