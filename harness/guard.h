/* Stop conditions ($.abort_if) as a pure function of samples: what each
 * condition measured, whether it has been above its threshold for long
 * enough, and its peak. No I/O, no clock: run_guard.c feeds it every
 * 100 ms from the run's own series and processes. */
#ifndef FS_GUARD_H
#define FS_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "topology.h"

#define FS_GUARD_MAX_CONDS     16
#define FS_GUARD_MAX_WINDOW_MS (10ull * 60 * 1000)

typedef enum {
    FS_GUARD_BLAST_RADIUS,   /* failed share of user requests over the window */
    FS_GUARD_FAILURE_RATE,   /* failed share of one interface's calls over the window */
    FS_GUARD_PROCESSES_DOWN, /* fleet processes not running, now */
    FS_GUARD_SIGNALS
} fs_guard_signal_t;

typedef struct {
    fs_guard_signal_t signal;
    double threshold;   /* trips when the value is above it */
    uint64_t for_ms;    /* ... continuously for this long (0: at the first sample above) */
    uint64_t window_ms; /* rate signals: the sliding window, > 0 */
    char what[64];      /* for the reason: "blast radius", "processes down (botmod)" */
    fs_iface_t iface;   /* failure_rate: whose calls (client->proxy by default) */
    int has_target;     /* processes_down: only these processes, else the whole fleet */
    fs_target_t target; /* FS_TARGET_SERVICE or FS_TARGET_INSTANCE */
} fs_guard_cond_t;

/* A fleet process as processes_down sees it. */
typedef struct {
    fs_svc_t svc;
    int index;
    int running;
} fs_guard_proc_t;

/* One sample of one condition. Rate signals: running totals (from any fixed
 * origin) of finished calls and of those not good; processes_down: how
 * many are down now. */
typedef struct {
    uint64_t finished, failed;
    unsigned down;
} fs_guard_obs_t;

typedef struct {
    size_t index;      /* the condition that tripped */
    double value;      /* its value at the trip */
    uint64_t since_ms; /* first sample of the stretch above the threshold */
    uint64_t at_ms;    /* the sample that tripped it */
} fs_guard_trip_t;

typedef struct fs_guard_s fs_guard_t;

/* The signal's name as scenarios write it: "blast_radius_above", ... */
const char *fs_guard_signal_name(fs_guard_signal_t s);

/* A guard over n (1..FS_GUARD_MAX_CONDS) conditions, copied. Returns 0,
 * -EINVAL (n out of range, an unknown signal, a rate window of 0 or above
 * FS_GUARD_MAX_WINDOW_MS) or -ENOMEM. */
int fs_guard_new(const fs_guard_cond_t *conds, size_t n, fs_guard_t **out);
void fs_guard_free(fs_guard_t *g); /* NULL is a no-op */

/* Feeds the sample taken at t_ms (run time; never earlier than the last)
 * with obs[i] for condition i. A rate's value is the failed share of the
 * calls that finished between the latest sample at or before t_ms - window
 * (the first sample while there is none) and this one, 0 when none did.
 * Returns 1 when this sample trips a condition (the lowest index when
 * several do at once), 0 when none does, -EINVAL for a time going backwards
 * or -ENOMEM. After a trip the guard takes no more samples (returns 0). */
int fs_guard_sample(fs_guard_t *g, uint64_t t_ms, const fs_guard_obs_t *obs);

/* 1 and *out filled once a condition tripped, else 0. */
int fs_guard_tripped(const fs_guard_t *g, fs_guard_trip_t *out);

size_t fs_guard_count(const fs_guard_t *g);
const fs_guard_cond_t *fs_guard_cond(const fs_guard_t *g, size_t i);
double fs_guard_value(const fs_guard_t *g, size_t i); /* at the last sample; 0 before any */
double fs_guard_peak(const fs_guard_t *g, size_t i);  /* highest so far; -1 before any sample */

/* How many of procs[0..n) that c counts are not running: those of its
 * target, or all of them. */
unsigned fs_guard_down(const fs_guard_cond_t *c, const fs_guard_proc_t *procs, size_t n);

/* "abort_if[0]: blast radius 0.9951 above 0.3 for 1.0 s (since 2.2 s)" for
 * the trip, "" when none; returns buf. */
const char *fs_guard_reason(const fs_guard_t *g, char *buf, size_t len);

#endif
