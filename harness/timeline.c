#include "timeline.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fs_timeline_s {
    fs_event_t *ev;
    size_t len, cap;
    int sorted;
};

int fs_timeline_new(fs_timeline_t **out)
{
    *out = calloc(1, sizeof(**out));
    if (*out == NULL)
        return -ENOMEM;
    (*out)->sorted = 1;
    return 0;
}

void fs_timeline_free(fs_timeline_t *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->len; i++) {
        free(t->ev[i].kind);
        free(t->ev[i].source);
        free(t->ev[i].what);
    }
    free(t->ev);
    free(t);
}

int fs_timeline_add(fs_timeline_t *t, int64_t t_ms, const char *kind, const char *source,
                    const char *fmt, ...)
{
    fs_event_t *e;
    va_list ap;
    int n;

    if (t->len == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        fs_event_t *ev = realloc(t->ev, cap * sizeof(*ev));
        if (ev == NULL)
            return -ENOMEM;
        t->ev = ev;
        t->cap = cap;
    }
    e = &t->ev[t->len];
    memset(e, 0, sizeof(*e));
    e->t_ms = t_ms;
    e->kind = strdup(kind ? kind : "");
    e->source = strdup(source ? source : "");
    va_start(ap, fmt);
    n = vasprintf(&e->what, fmt, ap);
    va_end(ap);
    if (n < 0)
        e->what = NULL;
    if (e->kind == NULL || e->source == NULL || e->what == NULL) {
        free(e->kind);
        free(e->source);
        free(e->what);
        return -ENOMEM;
    }
    if (t->len > 0 && t->ev[t->len - 1].t_ms > t_ms)
        t->sorted = 0;
    t->len++;
    return 0;
}

void fs_timeline_shift(fs_timeline_t *t, int64_t delta_ms)
{
    for (size_t i = 0; i < t->len; i++)
        t->ev[i].t_ms += delta_ms;
}

size_t fs_timeline_len(const fs_timeline_t *t)
{
    return t->len;
}

/* Insertion sort: stable, and the timeline is nearly sorted already (only
 * fetched configstore events arrive late, and not by much). */
static void fs__timeline_sort(fs_timeline_t *t)
{
    for (size_t i = 1; i < t->len; i++) {
        fs_event_t e = t->ev[i];
        size_t j = i;
        while (j > 0 && t->ev[j - 1].t_ms > e.t_ms) {
            t->ev[j] = t->ev[j - 1];
            j--;
        }
        t->ev[j] = e;
    }
    t->sorted = 1;
}

const fs_event_t *fs_timeline_at(fs_timeline_t *t, size_t i)
{
    if (!t->sorted)
        fs__timeline_sort(t);
    return i < t->len ? &t->ev[i] : NULL;
}
