/* Bucketed call series: counts per outcome and a log-spaced latency
 * histogram per bucket, cheap enough to update on every relayed request. */
#include "series.h"

#include <errno.h>
#include <stdlib.h>

/* A run is seconds to minutes long; more buckets than this means a unit
 * mistake (microseconds passed as milliseconds), not a real run. */
#define FS_SERIES_MAX_BUCKETS (1u << 24)

struct fs_series_s {
    uint64_t bucket_ms;
    uint64_t slo_latency_us;
    /* The buckets' finished and not-good calls, kept as they are filed: the
     * stop conditions read them every 100 ms, and summing the buckets each
     * time took ~9 % of a core for an hour-long run with 14 links. */
    uint64_t finished;
    uint64_t failed;
    size_t n;
    fs_bucket_t b[];
};

int fs_series_new(uint64_t bucket_ms, uint64_t duration_ms, uint64_t slo_latency_ms,
                  fs_series_t **out)
{
    fs_series_t *s;
    uint64_t n;

    if (out == NULL)
        return -EINVAL;
    *out = NULL;
    if (bucket_ms == 0 || slo_latency_ms > UINT64_MAX / 1000)
        return -EINVAL;
    n = duration_ms / bucket_ms + (duration_ms % bucket_ms != 0);
    if (n == 0)
        n = 1;
    if (n > FS_SERIES_MAX_BUCKETS)
        return -EINVAL;
    s = calloc(1, sizeof(*s) + (size_t)n * sizeof(fs_bucket_t));
    if (s == NULL)
        return -ENOMEM;
    s->bucket_ms = bucket_ms;
    s->slo_latency_us = slo_latency_ms * 1000;
    s->n = (size_t)n;
    *out = s;
    return 0;
}

void fs_series_free(fs_series_t *s)
{
    free(s);
}

static fs_bucket_t *fs__series_at(fs_series_t *s, uint64_t t_ms)
{
    uint64_t i = t_ms / s->bucket_ms;

    return &s->b[i < s->n ? i : s->n - 1];
}

/* Saturating, so a pathological run clips instead of wrapping to "healthy".
 * Returns what was added, so the running totals stay the buckets' sum. */
static uint32_t fs__series_inc(uint32_t *c, uint32_t by)
{
    uint32_t added = *c > UINT32_MAX - by ? UINT32_MAX - *c : by;

    *c += added;
    return added;
}

void fs_series_begin(fs_series_t *s, uint64_t t_ms)
{
    if (s != NULL)
        fs__series_inc(&fs__series_at(s, t_ms)->calls, 1);
}

void fs_series_retry(fs_series_t *s, uint64_t t_ms)
{
    if (s != NULL)
        fs__series_inc(&fs__series_at(s, t_ms)->retries, 1);
}

/* Half-octave edges: 100 us * 2^(i/2), so 40 bins reach ~74 s with at most
 * ~41 % error, plenty for SLO latencies of 0.1-10 s. */
uint64_t fs_series_bin_upper_us(int i)
{
    uint64_t base;

    if (i < 0 || i >= FS_SERIES_LAT_BINS)
        return 0;
    base = (uint64_t)100 << (i / 2);
    /* sqrt(2) in fixed point keeps the edges exact integers on every host. */
    return i % 2 ? base * 141421356u / 100000000u : base;
}

static int fs__series_bin(uint64_t latency_us)
{
    int i;

    for (i = 0; i < FS_SERIES_LAT_BINS - 1; i++)
        if (latency_us <= fs_series_bin_upper_us(i))
            break;
    return i;
}

void fs_series_end(fs_series_t *s, uint64_t t_ms, uint64_t latency_us, fs_outcome_t outcome)
{
    fs_bucket_t *b;
    uint32_t *counter;

    if (s == NULL)
        return;
    b = fs__series_at(s, t_ms);
    switch (outcome) {
    case FS_OUT_OK:
    case FS_OUT_DEGRADED:
        counter = latency_us <= s->slo_latency_us ? &b->good : &b->slow;
        if (outcome == FS_OUT_DEGRADED)
            fs__series_inc(&b->degraded, 1);
        break;
    case FS_OUT_WRONG:
        counter = &b->wrong;
        break;
    case FS_OUT_ERROR:
    case FS_OUT_TIMEOUT:
    default:
        /* An outcome we do not know is not one we can call good. */
        counter = &b->errors;
        break;
    }
    if (fs__series_inc(counter, 1) != 0) {
        s->finished++;
        s->failed += counter != &b->good;
    }
    fs__series_inc(&b->lat[fs__series_bin(latency_us)], 1);
}

size_t fs_series_len(const fs_series_t *s)
{
    return s != NULL ? s->n : 0;
}

uint64_t fs_series_bucket_ms(const fs_series_t *s)
{
    return s != NULL ? s->bucket_ms : 0;
}

const fs_bucket_t *fs_series_bucket(const fs_series_t *s, size_t i)
{
    return s != NULL && i < s->n ? &s->b[i] : NULL;
}

void fs_series_totals(const fs_series_t *s, uint64_t *finished, uint64_t *failed)
{
    if (s == NULL)
        return;
    *finished += s->finished;
    *failed += s->failed;
}

int fs_series_add(fs_series_t *dst, const fs_series_t *src)
{
    if (dst == NULL || src == NULL || dst->n != src->n || dst->bucket_ms != src->bucket_ms ||
        dst->slo_latency_us != src->slo_latency_us)
        return -EINVAL;
    for (size_t i = 0; i < dst->n; i++) {
        fs_bucket_t *d = &dst->b[i];
        const fs_bucket_t *b = &src->b[i];
        uint64_t good, failed;

        fs__series_inc(&d->calls, b->calls);
        fs__series_inc(&d->retries, b->retries);
        fs__series_inc(&d->degraded, b->degraded);
        good = fs__series_inc(&d->good, b->good);
        failed = (uint64_t)fs__series_inc(&d->wrong, b->wrong) +
                 fs__series_inc(&d->errors, b->errors) + fs__series_inc(&d->slow, b->slow);
        dst->finished += good + failed;
        dst->failed += failed;
        for (int k = 0; k < FS_SERIES_LAT_BINS; k++)
            fs__series_inc(&d->lat[k], b->lat[k]);
    }
    return 0;
}

double fs_series_quantile_ms(const fs_series_t *s, size_t first, size_t last, double q)
{
    uint64_t bins[FS_SERIES_LAT_BINS] = {0};
    uint64_t total = 0, rank, seen = 0;

    if (s == NULL || first >= s->n)
        return 0;
    if (last >= s->n)
        last = s->n - 1;
    for (size_t i = first; i <= last; i++)
        for (int k = 0; k < FS_SERIES_LAT_BINS; k++)
            bins[k] += s->b[i].lat[k];
    for (int k = 0; k < FS_SERIES_LAT_BINS; k++)
        total += bins[k];
    if (total == 0)
        return 0;
    if (!(q > 0)) /* also NaN */
        q = 0;
    if (q > 1)
        q = 1;
    /* Nearest rank: the smallest bin holding at least q of the calls. */
    rank = (uint64_t)(q * (double)total);
    if ((double)rank < q * (double)total)
        rank++;
    if (rank == 0)
        rank = 1;
    for (int k = 0; k < FS_SERIES_LAT_BINS; k++) {
        seen += bins[k];
        if (seen >= rank)
            return (double)fs_series_bin_upper_us(k) / 1000.0;
    }
    return (double)fs_series_bin_upper_us(FS_SERIES_LAT_BINS - 1) / 1000.0;
}
