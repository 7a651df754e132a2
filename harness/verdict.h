/* The verdict model of docs/DESIGN.md ("Verdict model"), as a pure function
 * of bucket series and fault windows: broken, faulted, hit; per interface
 * unaffected / failed_small / cascaded; blast radius, time to detect and
 * recover, degraded share, cascade path. No I/O, no clock. */
#ifndef FS_VERDICT_H
#define FS_VERDICT_H

#include <stdint.h>

#include "series.h"
#include "topology.h"

typedef enum { FS_VERDICT_UNAFFECTED, FS_VERDICT_FAILED_SMALL, FS_VERDICT_CASCADED } fs_verdict_t;

const char *fs_verdict_name(fs_verdict_t v); /* "unaffected", "failed_small", "cascaded";
                                                "unknown" for anything else */
int fs_verdict_parse(const char *name, fs_verdict_t *out); /* 0 or -ENOENT */

typedef struct {
    double success;       /* health below this breaks a bucket (0.99) */
    uint64_t latency_ms;  /* slower answers are failures (1000) */
    uint64_t bucket_ms;   /* (100) */
    unsigned min_buckets; /* consecutive broken buckets that make "broken" (3) */
    uint64_t grace_ms;    /* fault window extends this far past the last revert (1000) */
} fs_slo_t;

/* What was observed on one service-pair interface. */
typedef struct {
    const fs_series_t *series; /* its links' series added up; NULL = not observed */
    const uint8_t *faulted;    /* per bucket, non-zero while a fault acts on it directly;
                                  NULL = never faulted */
} fs_verdict_input_t;

typedef struct {
    fs_verdict_t verdict;
    int faulted;              /* faulted at some point in the window */
    int broken;               /* broken at some point in the window */
    long first_broken;        /* bucket index where the first broken run starts (may be
                                 before the window), or -1 */
    uint64_t calls, failures; /* within the window: calls and calls not good */
    uint64_t degraded;        /* within the window */
    uint8_t *broken_buckets;  /* per bucket, 1 from the first to the last broken bucket of
                                 each broken run (owned by the result; never NULL
                                 after success) */
} fs_iface_result_t;

typedef struct {
    fs_iface_result_t iface[FS_IF_COUNT];
    uint64_t window_start_ms, window_end_ms; /* first fault .. last revert + grace */
    double blast_radius;                     /* failed share of entry calls in the window */
    double degraded_share;                   /* degraded share of entry calls in the window */
    int64_t time_to_detect_ms;  /* first broken bucket - first fault; -1 when nothing broke */
    int64_t time_to_recover_ms; /* end of the last broken run - last revert (>= 0); -1 when
                                   nothing broke; -2 when still broken at the end of the run */
    fs_iface_t cascade_path[FS_IF_COUNT]; /* from a faulted interface towards users; empty
                                             when nothing was faulted */
    int cascade_len;
} fs_verdict_result_t;

/* Computes every verdict. in is indexed by fs_iface_t; every non-NULL
 * series has the same length and slo->bucket_ms buckets (faulted arrays have
 * that length too). fault_start_ms/fault_end_ms: first apply and last revert
 * (an instant fault reverts when applied). The window [start, end + grace] is
 * clamped to the series; a bucket counts when it overlaps the window (an
 * instant fault with no grace keeps its own bucket). Empty buckets neither
 * break nor heal an interface. A broken run is followed past the window so
 * time to recover says when it healed, but it only makes an interface broken
 * when min_buckets of its broken buckets lie inside the window. The cascade
 * path prefers, at each step, a branch that reaches an entry interface.
 * Returns 0, -EINVAL (no series at all, mismatched shapes, min_buckets 0,
 * success outside [0, 1], end before start) or -ENOMEM; out is zeroed on
 * error. Free with fs_verdict_result_free(). */
int fs_verdict_compute(const fs_slo_t *slo, const fs_verdict_input_t in[FS_IF_COUNT],
                       uint64_t fault_start_ms, uint64_t fault_end_ms, fs_verdict_result_t *out);

/* Frees the per-bucket arrays of r (safe twice, and on a zeroed r). */
void fs_verdict_result_free(fs_verdict_result_t *r);

#endif
