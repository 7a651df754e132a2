/* Report writers build whole files in memory and write them at once, so a
 * failed allocation is remembered in the buffer instead of being checked
 * after every append; documents are read defensively because `failsmall
 * report` accepts whatever lies in a folder. */
#include "report_util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "xml.h"

static int fs__report_buf_grow(fs__report_buf_t *b, size_t more)
{
    size_t cap;
    char *p;

    if (b->oom)
        return -1;
    if (more < b->cap - b->len)
        return 0;
    if (more > ((size_t)-1) / 4 - b->len) {
        b->oom = 1;
        return -1;
    }
    cap = b->cap ? b->cap : 4096;
    while (cap - b->len <= more)
        cap *= 2;
    if ((p = realloc(b->p, cap)) == NULL) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void fs__report_buf_add(fs__report_buf_t *b, const char *s, size_t n)
{
    if (fs__report_buf_grow(b, n) < 0)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void fs__report_buf_puts(fs__report_buf_t *b, const char *s)
{
    if (s != NULL)
        fs__report_buf_add(b, s, strlen(s));
}

void fs__report_buf_printf(fs__report_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if (fs__report_buf_grow(b, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void fs__report_buf_html(fs__report_buf_t *b, const char *s)
{
    const char *run = s;

    if (s == NULL)
        return;
    while (*s) {
        unsigned char c = (unsigned char)*s;
        const char *rep = NULL;
        size_t n = 1;
        uint32_t cp;

        switch (c) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
                rep = "";
            else if (c >= 0x80 && (n = fs_xml_utf8_next(s, &cp)) == 1)
                rep = FS__REPORT_REPLACEMENT; /* not UTF-8: the page says utf-8 */
        }
        s += n;
        if (rep == NULL)
            continue;
        fs__report_buf_add(b, run, (size_t)(s - n - run));
        fs__report_buf_puts(b, rep);
        run = s;
    }
    fs__report_buf_add(b, run, (size_t)(s - run));
}

int fs__report_buf_write(const fs__report_buf_t *b, const char *path, char *err, size_t errlen)
{
    if (b->oom) {
        snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
        return -ENOMEM;
    }
    return fs_atomic_write(path, b->p ? b->p : "", b->len, err, errlen);
}

void fs__report_buf_free(fs__report_buf_t *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

const char *fs__report_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

int fs__report_num(const cJSON *obj, const char *key, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return 1;
    *out = v->valuedouble;
    return 0;
}

size_t fs__report_nbuckets(const cJSON *buckets)
{
    size_t n = 0;

    if (cJSON_IsArray(buckets))
        return (size_t)cJSON_GetArraySize(buckets);
    if (!cJSON_IsObject(buckets))
        return 0;
    for (const cJSON *col = buckets->child; col; col = col->next) {
        size_t k = cJSON_IsArray(col) ? (size_t)cJSON_GetArraySize(col) : 0;
        n = k > n ? k : n;
    }
    return n;
}

int fs__report_bucket(const cJSON *buckets, const char *field, size_t i, double *out)
{
    const cJSON *v;

    if (i > (size_t)0x7fffffff)
        return 1;
    if (cJSON_IsArray(buckets))
        v = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(buckets, (int)i), field);
    else
        v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(buckets, field), (int)i);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return 1;
    *out = v->valuedouble;
    return 0;
}

int fs__report_safe_name(const char *name)
{
    size_t n = 0;

    if (name == NULL)
        return 0;
    for (; name[n]; n++) {
        char c = name[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return n > 0 && n <= 64;
}

int fs__report_read_file(const char *path, size_t max, char **out, size_t *len)
{
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    int fd, rc;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -errno;
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = -EINVAL;
        goto fail;
    }
    if ((uint64_t)st.st_size > max) {
        rc = -EFBIG;
        goto fail;
    }
    if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
        rc = -ENOMEM;
        goto fail;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -errno;
            goto fail;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    close(fd);
    *out = buf;
    *len = got;
    return 0;

fail:
    free(buf);
    close(fd);
    return rc;
}

void fs__report_held(const cJSON *doc, int *held, int *total)
{
    const cJSON *e;

    *held = *total = 0;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, "expectations"))
    {
        (*total)++;
        *held += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "ok"));
    }
}

int fs__report_ended_early(const cJSON *doc)
{
    const char *status = fs__report_str(doc, "status");

    return status != NULL && strcmp(status, "aborted") == 0;
}

int fs__report_stopped(const cJSON *doc)
{
    return fs__report_ended_early(doc) &&
           cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "aborted_by"));
}

int fs__report_judged_run(const cJSON *doc)
{
    const char *status = fs__report_str(doc, "status");

    return (status != NULL && strcmp(status, "completed") == 0) || fs__report_stopped(doc);
}

const char *fs__report_status(const cJSON *doc, char *buf, size_t len)
{
    const char *status = fs__report_str(doc, "status");
    double i;

    if (fs__report_stopped(doc) &&
        fs__report_num(cJSON_GetObjectItemCaseSensitive(doc, "aborted_by"), "index", &i) == 0 &&
        i >= 0 && i < 100)
        snprintf(buf, len, "stopped by abort_if[%.0f]", i);
    else
        snprintf(buf, len, "%s", status ? status : "unknown");
    return buf;
}

const cJSON *fs__report_stops(const cJSON *doc)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(doc, "abort_if");

    return cJSON_IsArray(a) ? a : NULL;
}

static int fs__report_is_count(const cJSON *cond)
{
    const char *signal = fs__report_str(cond, "signal");

    return signal != NULL && strcmp(signal, "processes_down_above") == 0;
}

const char *fs__report_stop_text(const cJSON *cond, char *buf, size_t len)
{
    const char *what = fs__report_str(cond, "condition");
    double threshold = 0, for_ms = 0, window_ms;
    int n;

    fs__report_num(cond, "threshold", &threshold);
    fs__report_num(cond, "for_ms", &for_ms);
    n = snprintf(buf, len, "%s above %g", what ? what : "?", threshold);
    if (n >= 0 && (size_t)n < len && for_ms > 0)
        n += snprintf(buf + n, len - (size_t)n, " for %.1f s", for_ms / 1000);
    if (n >= 0 && (size_t)n < len && fs__report_num(cond, "window_ms", &window_ms) == 0)
        snprintf(buf + n, len - (size_t)n, " (window %.1f s)", window_ms / 1000);
    return buf;
}

const char *fs__report_stop_peak(const cJSON *cond, char *buf, size_t len)
{
    int tripped = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cond, "tripped"));
    double peak;

    if (fs__report_num(cond, "peak", &peak) != 0)
        snprintf(buf, len, "not reached");
    else
        snprintf(buf, len, "peak %.*f%s", fs__report_is_count(cond) ? 0 : 4, peak,
                 tripped ? ", tripped" : "");
    return buf;
}

void fs__report_buf_share(fs__report_buf_t *b, const cJSON *v)
{
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
        fs__report_buf_printf(b, "%.2f %%", v->valuedouble * 100);
    else
        fs__report_buf_puts(b, "\xe2\x80\x93");
}

void fs__report_buf_ms(fs__report_buf_t *b, const cJSON *v)
{
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        fs__report_buf_puts(b, "\xe2\x80\x93");
    else if (v->valuedouble < 1000 && v->valuedouble > -1000)
        fs__report_buf_printf(b, "%.0f ms", v->valuedouble);
    else
        fs__report_buf_printf(b, "%.2f s", v->valuedouble / 1000);
}
