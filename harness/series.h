/* What one observer (a link, or the load generator for one entry instance)
 * saw, cut into time buckets. A call is filed under the bucket in which it
 * began (for the load generator: its intended send time), so a call that
 * never finishes still counts as a failed call where it started. */
#ifndef FS_SERIES_H
#define FS_SERIES_H

#include <stddef.h>
#include <stdint.h>

#define FS_SERIES_LAT_BINS 40 /* log-spaced latency bins per bucket */

typedef enum {
    FS_OUT_OK,       /* the expected answer */
    FS_OUT_DEGRADED, /* the expected answer, served with a fallback */
    FS_OUT_WRONG,    /* an answer, but the wrong one (a blocked human) */
    FS_OUT_ERROR,    /* 5xx, reset, refused, unparseable */
    FS_OUT_TIMEOUT   /* the caller gave up */
} fs_outcome_t;

typedef struct {
    uint32_t calls;    /* begun in this bucket */
    uint32_t retries;  /* of those, a caller's retry of a call that failed (load only) */
    uint32_t good;     /* OK or DEGRADED within the SLO latency */
    uint32_t degraded; /* DEGRADED, whatever the latency */
    uint32_t wrong;
    uint32_t errors;                  /* ERROR or TIMEOUT */
    uint32_t slow;                    /* OK or DEGRADED but over the SLO latency */
    uint32_t lat[FS_SERIES_LAT_BINS]; /* latency of finished calls */
} fs_bucket_t;

typedef struct fs_series_s fs_series_t;

/* A series of ceil(duration_ms / bucket_ms) buckets (at least one; calls
 * after the end go to the last bucket); an answer within slo_latency_ms
 * (inclusive) is good, a slower one slow. Returns 0 or -ENOMEM / -EINVAL
 * (bucket_ms 0, or more than 2^24 buckets). */
int fs_series_new(uint64_t bucket_ms, uint64_t duration_ms, uint64_t slo_latency_ms,
                  fs_series_t **out);
void fs_series_free(fs_series_t *s);

/* Files a call that began at t_ms (run time). */
void fs_series_begin(fs_series_t *s, uint64_t t_ms);

/* Marks the call begun at t_ms as a retry: calls - retries is what the
 * callers asked for, calls what they sent. */
void fs_series_retry(fs_series_t *s, uint64_t t_ms);

/* Files the outcome of a call begun at t_ms that took latency_us: OK and
 * DEGRADED count as good or slow by latency (DEGRADED also as degraded),
 * WRONG as wrong, ERROR and TIMEOUT as errors. Every outcome's latency goes
 * into the bins. */
void fs_series_end(fs_series_t *s, uint64_t t_ms, uint64_t latency_us, fs_outcome_t outcome);

size_t fs_series_len(const fs_series_t *s);
uint64_t fs_series_bucket_ms(const fs_series_t *s);
const fs_bucket_t *fs_series_bucket(const fs_series_t *s, size_t i);

/* Adds to *finished the calls of every bucket that have an outcome and to
 * *failed those of them that were not good (slow, wrong, error, timeout):
 * the verdicts' failure, counted as calls finish, so that a live reading
 * does not take calls still in flight for failures. Constant time (the
 * totals are kept as calls are filed and series added), whatever the
 * series' length. */
void fs_series_totals(const fs_series_t *s, uint64_t *finished, uint64_t *failed);

/* Adds every bucket of src into dst (same shape: length, bucket_ms and SLO
 * latency): how per-link series become a service-pair interface. Returns 0
 * or -EINVAL on a shape mismatch. Counts saturate instead of wrapping. */
int fs_series_add(fs_series_t *dst, const fs_series_t *src);

/* Latency quantile q (0..1, nearest rank) in ms of the calls finished in
 * buckets [first, last] (last clamped to the series), from the bins (upper
 * bin edge); 0 when there are none. */
double fs_series_quantile_ms(const fs_series_t *s, size_t first, size_t last, double q);

/* Upper edge in microseconds of latency bin i: 100 * 2^(i/2), rounded down
 * (100, 141, 200, 282, 400, ... 52428800, 74145519); bin 0 holds [0, 100],
 * bin i (upper(i-1), upper(i)], and the last bin also everything slower.
 * 0 for i outside [0, FS_SERIES_LAT_BINS). */
uint64_t fs_series_bin_upper_us(int i);

#endif
