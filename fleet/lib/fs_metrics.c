/* Prometheus registry. Services have a few dozen series, so families and
 * series are plain lists searched linearly, kept in registration order so
 * that /metrics reads the same from one scrape to the next. */
#include "fs_metrics.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FS_METRICS_NBUCKETS 13

static const double fs__metrics_le[FS_METRICS_NBUCKETS] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
static const char *const fs__metrics_le_text[FS_METRICS_NBUCKETS] = {
    "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
    "0.25",  "0.5",    "1",     "2.5",  "5",     "10"};

struct fs_metric_s {
    fs_metric_kind_t kind;
    char *labels; /* "" or `key="v"`, without the constant labels */
    double value; /* counter, gauge */
    double sum;   /* histogram */
    uint64_t count;
    uint64_t buckets[FS_METRICS_NBUCKETS]; /* per bucket, not cumulative */
    struct fs_metric_s *next;
};

typedef struct fs__metrics_family_s {
    fs_metric_kind_t kind;
    char *name;
    char *help;
    fs_metric_t *first, *last;
    struct fs__metrics_family_s *next;
} fs__metrics_family_t;

struct fs_metrics_s {
    char *const_labels;
    fs__metrics_family_t *first, *last;
};

int fs_metrics_new(const char *const_labels, fs_metrics_t **out)
{
    fs_metrics_t *m = calloc(1, sizeof(*m));

    *out = NULL;
    if (m == NULL)
        goto fail;
    m->const_labels = strdup(const_labels ? const_labels : "");
    if (m->const_labels == NULL)
        goto fail;
    *out = m;
    return 0;
fail:
    free(m);
    return -ENOMEM;
}

void fs_metrics_free(fs_metrics_t *m)
{
    fs__metrics_family_t *f, *fnext;
    fs_metric_t *s, *snext;

    if (m == NULL)
        return;
    for (f = m->first; f; f = fnext) {
        fnext = f->next;
        for (s = f->first; s; s = snext) {
            snext = s->next;
            free(s->labels);
            free(s);
        }
        free(f->name);
        free(f->help);
        free(f);
    }
    free(m->const_labels);
    free(m);
}

static int fs__metrics_valid_name(const char *name)
{
    if (name == NULL || *name == '\0' || (*name >= '0' && *name <= '9'))
        return 0;
    for (; *name; name++) {
        char c = *name;

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == ':'))
            return 0;
    }
    return 1;
}

static fs__metrics_family_t *fs__metrics_family(fs_metrics_t *m, fs_metric_kind_t kind,
                                                const char *name, const char *help)
{
    fs__metrics_family_t *f;

    for (f = m->first; f; f = f->next) {
        if (strcmp(f->name, name) == 0)
            return f->kind == kind ? f : NULL;
    }
    f = calloc(1, sizeof(*f));
    if (f == NULL)
        goto fail;
    f->kind = kind;
    f->name = strdup(name);
    f->help = strdup(help ? help : "");
    if (f->name == NULL || f->help == NULL)
        goto fail;
    if (m->last)
        m->last->next = f;
    else
        m->first = f;
    m->last = f;
    return f;
fail:
    if (f) {
        free(f->name);
        free(f->help);
    }
    free(f);
    return NULL;
}

fs_metric_t *fs_metrics_series(fs_metrics_t *m, fs_metric_kind_t kind, const char *name,
                               const char *help, const char *labels)
{
    fs__metrics_family_t *f;
    fs_metric_t *s;

    if (m == NULL || !fs__metrics_valid_name(name) || kind < FS_METRIC_COUNTER ||
        kind > FS_METRIC_HISTOGRAM)
        return NULL;
    if (labels == NULL)
        labels = "";
    f = fs__metrics_family(m, kind, name, help);
    if (f == NULL)
        return NULL;
    for (s = f->first; s; s = s->next) {
        if (strcmp(s->labels, labels) == 0)
            return s;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->kind = kind;
    s->labels = strdup(labels);
    if (s->labels == NULL) {
        free(s);
        return NULL;
    }
    if (f->last)
        f->last->next = s;
    else
        f->first = s;
    f->last = s;
    return s;
}

void fs_metric_add(fs_metric_t *s, double v)
{
    if (s == NULL || isnan(v))
        return;
    /* Counters only grow: a scraper reads a decrease as a restart. */
    if (s->kind == FS_METRIC_COUNTER && v >= 0)
        s->value += v;
    else if (s->kind == FS_METRIC_GAUGE)
        s->value += v;
}

void fs_metric_set(fs_metric_t *s, double v)
{
    if (s && s->kind == FS_METRIC_GAUGE)
        s->value = v;
}

void fs_metric_observe(fs_metric_t *s, double seconds)
{
    if (s == NULL || s->kind != FS_METRIC_HISTOGRAM || isnan(seconds))
        return;
    for (int i = 0; i < FS_METRICS_NBUCKETS; i++) {
        if (seconds <= fs__metrics_le[i]) {
            s->buckets[i]++;
            break;
        }
    }
    s->count++;
    s->sum += seconds;
}

double fs_metric_value(const fs_metric_t *s)
{
    if (s == NULL)
        return 0;
    return s->kind == FS_METRIC_HISTOGRAM ? (double)s->count : s->value;
}

/* ---- rendering ---- */

typedef struct {
    char *buf;
    size_t len, cap;
    int oom;
} fs__metrics_buf_t;

static void fs__metrics_printf(fs__metrics_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fs__metrics_printf(fs__metrics_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->oom)
        return;
    va_start(ap, fmt);
    n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n >= b->cap - b->len) {
        size_t cap = b->cap * 2 > b->len + (size_t)n + 1 ? b->cap * 2 : b->len + (size_t)n + 1;
        char *p = realloc(b->buf, cap);

        if (p == NULL) {
            b->oom = 1;
            return;
        }
        b->buf = p;
        b->cap = cap;
        va_start(ap, fmt);
        vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

/* Shortest text that reads back as v; integers without an exponent. */
static const char *fs__metrics_number(char *buf, size_t len, double v)
{
    if (isnan(v))
        snprintf(buf, len, "NaN");
    else if (isinf(v))
        snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
    else if (v == trunc(v) && fabs(v) < 9007199254740992.0)
        snprintf(buf, len, "%.0f", v);
    else {
        snprintf(buf, len, "%.15g", v);
        if (strtod(buf, NULL) != v)
            snprintf(buf, len, "%.17g", v);
    }
    return buf;
}

/* HELP text escapes only backslash and newline (text format 0.0.4). */
static void fs__metrics_help(fs__metrics_buf_t *b, const char *help)
{
    for (const char *p = help; *p; p++) {
        if (*p == '\\')
            fs__metrics_printf(b, "\\\\");
        else if (*p == '\n')
            fs__metrics_printf(b, "\\n");
        else
            fs__metrics_printf(b, "%c", *p);
    }
}

/* `{const,labels,extra}`, or nothing when all three are empty. */
static void fs__metrics_labels(fs__metrics_buf_t *b, const char *cl, const char *labels,
                               const char *extra)
{
    const char *parts[3] = {cl, labels, extra};
    int any = 0;

    for (int i = 0; i < 3; i++) {
        if (parts[i] == NULL || *parts[i] == '\0')
            continue;
        fs__metrics_printf(b, "%s%s", any ? "," : "{", parts[i]);
        any = 1;
    }
    if (any)
        fs__metrics_printf(b, "}");
}

static void fs__metrics_series(fs__metrics_buf_t *b, const fs_metrics_t *m,
                               const fs__metrics_family_t *f, const fs_metric_t *s)
{
    char num[40], le[32];
    uint64_t cum = 0;

    if (f->kind != FS_METRIC_HISTOGRAM) {
        fs__metrics_printf(b, "%s", f->name);
        fs__metrics_labels(b, m->const_labels, s->labels, NULL);
        fs__metrics_printf(b, " %s\n", fs__metrics_number(num, sizeof(num), s->value));
        return;
    }
    for (int i = 0; i <= FS_METRICS_NBUCKETS; i++) {
        if (i < FS_METRICS_NBUCKETS)
            cum += s->buckets[i];
        snprintf(le, sizeof(le), "le=\"%s\"",
                 i < FS_METRICS_NBUCKETS ? fs__metrics_le_text[i] : "+Inf");
        fs__metrics_printf(b, "%s_bucket", f->name);
        fs__metrics_labels(b, m->const_labels, s->labels, le);
        fs__metrics_printf(b, " %llu\n",
                           (unsigned long long)(i < FS_METRICS_NBUCKETS ? cum : s->count));
    }
    fs__metrics_printf(b, "%s_sum", f->name);
    fs__metrics_labels(b, m->const_labels, s->labels, NULL);
    fs__metrics_printf(b, " %s\n", fs__metrics_number(num, sizeof(num), s->sum));
    fs__metrics_printf(b, "%s_count", f->name);
    fs__metrics_labels(b, m->const_labels, s->labels, NULL);
    fs__metrics_printf(b, " %llu\n", (unsigned long long)s->count);
}

int fs_metrics_render(const fs_metrics_t *m, char **out, size_t *len)
{
    static const char *const kinds[] = {"counter", "gauge", "histogram"};
    fs__metrics_buf_t b = {NULL, 0, 4096, 0};

    *out = NULL;
    if (len)
        *len = 0;
    b.buf = malloc(b.cap);
    if (b.buf == NULL)
        return -ENOMEM;
    b.buf[0] = '\0';
    for (const fs__metrics_family_t *f = m->first; f; f = f->next) {
        if (*f->help) {
            fs__metrics_printf(&b, "# HELP %s ", f->name);
            fs__metrics_help(&b, f->help);
            fs__metrics_printf(&b, "\n");
        }
        fs__metrics_printf(&b, "# TYPE %s %s\n", f->name, kinds[f->kind]);
        for (const fs_metric_t *s = f->first; s; s = s->next)
            fs__metrics_series(&b, m, f, s);
    }
    if (b.oom) {
        free(b.buf);
        return -ENOMEM;
    }
    *out = b.buf;
    if (len)
        *len = b.len;
    return 0;
}
