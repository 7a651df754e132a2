/* results.json: everything a posture run measured, in one versioned
 * document (docs/RESULTS.md) from which every report can be rebuilt. */
#ifndef FS_RESULTS_H
#define FS_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "guard.h"
#include "series.h"
#include "timeline.h"
#include "topology.h"
#include "verdict.h"

#define FS_RESULTS_SCHEMA "failsmall.results/1"

/* One link: an observed instance pair, "proxy[1]->botmod[1]". */
typedef struct {
    char name[64];
    fs_iface_t iface;
    int from, to;
    const fs_series_t *series;
} fs_results_link_t;

#define FS_RESULTS_MAX_KNOBS 64

/* One fleet knob the scenario set for this posture. */
typedef struct {
    const char *name, *flag, *value; /* "proxy.max_retries", "--max-retries", "3" */
} fs_results_knob_t;

/* One checked expectation. */
typedef struct {
    char what[96];     /* "interfaces.proxy->botmod", "blast_radius.max" */
    char expected[64]; /* "cascaded", "<= 0.01" */
    char actual[64];   /* "failed_small", "0.004" */
    int ok;
} fs_results_expect_t;

typedef struct {
    const char *scenario, *title, *description, *file;
    const char *posture;
    uint64_t seed;
    double time_scale;
    int aborted; /* Ctrl-C, a stop condition or a harness failure: a partial result */
    const char *abort_reason;
    const fs_guard_t *guard;  /* $.abort_if: conditions, peaks and the trip; NULL = none */
    uint64_t started_unix_ms; /* wall clock at run start */
    uint64_t wall_ms;         /* how long the run took, fleet start to stop */
    uint64_t duration_ms;     /* the scenario's run time */
    unsigned nodes;
    const fs_slo_t *slo;
    uint64_t fault_start_ms, fault_end_ms;
    const fs_verdict_result_t *verdict;           /* NULL when no verdict could be made */
    const fs_series_t *iface_series[FS_IF_COUNT]; /* NULL = not observed */
    const fs_results_link_t *links;
    size_t nlinks;
    fs_timeline_t *timeline;
    const fs_results_expect_t *expect;
    size_t nexpect;
    double bad_config_share; /* share of edge nodes that took a bad config; < 0 = n/a */
    uint64_t load_sent, load_answered;
    uint64_t load_retries; /* clients' retries, included in load_sent */
    const fs_results_knob_t *knobs;
    size_t nknobs;
} fs_results_t;

/* Calls on interface f in the verdict's window per user request that
 * drives it (client requests for client->proxy, proxy->botmod and
 * proxy->origin; logins for user->dashboard and dashboard->botmod), clients'
 * own retries not counted as requests: the load multiplier retries put on f.
 * -ENOENT when f is not driven by users or nobody asked anything. */
int fs_results_amplification(const fs_series_t *const series[FS_IF_COUNT],
                             const fs_verdict_result_t *v, fs_iface_t f, double *out);

/* Builds the results document. Returns 0 or -ENOMEM; the caller owns *out. */
int fs_results_json(const fs_results_t *r, cJSON **out);

/* Builds and writes it atomically to path. 0 or a negative code with err. */
int fs_results_write(const fs_results_t *r, const char *path, char *err, size_t errlen);

#endif
