/* A scenario: the fleet to start, the load to drive through it, the faults
 * to inject and when, and the verdicts each posture is expected to reach.
 * Loaded from JSON (docs/SCENARIOS.md, scenarios/scenario.schema.json) and
 * validated completely up front: a scenario that loads can run. Every time
 * in it is already multiplied by the --time-scale it was loaded with. */
#ifndef FS_SCENARIO_H
#define FS_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "fs_posture.h"
#include "guard.h"
#include "injector.h"
#include "knobs.h"
#include "topology.h"
#include "verdict.h"

#define FS_SCENARIO_MAX_BYTES    (1u << 20) /* a scenario file is at most 1 MiB */
#define FS_SCENARIO_MAX_FAULTS   256
#define FS_SCENARIO_MAX_DEPTH    32 /* arrays and objects in one another; a scenario needs 5 */
#define FS_SCENARIO_NAME_MAX     64
#define FS_SCENARIO_DEFAULT_SEED 1
/* Seeds stay below 10^15 so that every JSON reader (and cJSON's printer,
 * exact to 15 digits) carries them without rounding. */
#define FS_SCENARIO_MAX_SEED        UINT64_C(999999999999999)
#define FS_SCENARIO_MAX_DURATION_MS (60ull * 60 * 1000) /* after scaling */

typedef struct fs_scenario_s fs_scenario_t;

/* How to load: NULL options mean scale 1 and the scenario's own seed. */
typedef struct {
    double time_scale; /* > 0, at most 1000; 0 means 1 */
    int has_seed;      /* 1: seed replaces the scenario's "seed" (--seed) */
    uint64_t seed;
    /* The cap on a config the harness publishes (--max-config-bytes), from
     * FS_INJ_CONFIG_CAP_MIN to FS_INJ_CONFIG_CAP_MAX; 0 means the most. */
    uint64_t max_config_bytes;
} fs_scenario_opts_t;

typedef struct {
    unsigned nodes;          /* edge nodes (one proxy + one botmod each), 1..64 (4) */
    double old_engine_share; /* share of edge nodes on the old engine, 0..1 (0) */
    unsigned features;       /* rows in the baseline bot/features file, 0..200 (60) */
    uint64_t poll_ms;        /* config poll interval of proxies and botmods (200) */
    uint64_t bake_ms;        /* how long each staged rollout stage is held (1000) */
} fs_scenario_fleet_t;

typedef struct {
    double proxy_rps;        /* client requests per second, all proxies together (400) */
    double login_rps;        /* dashboard logins per second (10) */
    double bot_share;        /* share of client requests from bots, 0..1 (0.2) */
    unsigned client_retries; /* clients retry a failed request at once, this often (0) */
} fs_scenario_load_t;

typedef struct {
    uint64_t at_ms;          /* when it is applied, from the start of the run */
    uint64_t for_ms;         /* how long until it is reverted; 0 = instant */
    const fs_inj_ops_t *ops; /* its kind */
    void *state;             /* what ops->parse built; owned by the scenario */
    int index;               /* position in $.faults */
    char path[24];           /* "$.faults[2]" */
} fs_scenario_fault_t;

/* An optional bound. */
typedef struct {
    int has_min, has_max;
    double min, max;
} fs_scenario_range_t;

/* What one posture must show; anything not given is not checked. */
typedef struct {
    int present;                  /* "expect" names this posture */
    int has_verdict[FS_IF_COUNT]; /* indexed by fs_iface_t */
    fs_verdict_t verdict[FS_IF_COUNT];
    fs_scenario_range_t blast_radius;               /* share, 0..1 */
    fs_scenario_range_t degraded_share;             /* share, 0..1 */
    fs_scenario_range_t amplification[FS_IF_COUNT]; /* calls per user request */
    int has_recovered, recovered; /* every broken interface healthy again by the end */
    int has_detect_max, has_recover_max;
    uint64_t detect_max_ms;   /* time to detect at most this (scaled) */
    uint64_t recover_max_ms;  /* time to recover at most this (scaled) */
    int has_aborted, aborted; /* a stop condition ($.abort_if) tripped, or did not */
} fs_scenario_expect_t;

/* Reads and validates the scenario at path. Errors (-EINVAL) start with the
 * file name and name the JSON path ("x.json: $.faults[2].at: ...") or, for
 * text that is not strict JSON, line:column ("x.json:4:17: trailing comma
 * before '}'"); the limits are FS_SCENARIO_MAX_BYTES, _DEPTH, _FAULTS,
 * _DURATION_MS, FS_MAX_NODES and opts->max_config_bytes. An
 * unreadable file gives its negative errno (-ENOENT, -EACCES, -EISDIR).
 * Free *out with fs_scenario_free(). */
int fs_scenario_load(const char *path, const fs_scenario_opts_t *opts, fs_scenario_t **out,
                     char *err, size_t errlen);

/* The same from buf[0..len); filename is only used in messages and kept
 * for fs_scenario_file(). */
int fs_scenario_parse(const char *buf, size_t len, const char *filename,
                      const fs_scenario_opts_t *opts, fs_scenario_t **out, char *err,
                      size_t errlen);

/* Frees every fault's state too. NULL is a no-op. */
void fs_scenario_free(fs_scenario_t *s);

const char *fs_scenario_file(const fs_scenario_t *s);
const char *fs_scenario_name(const fs_scenario_t *s);        /* [a-z0-9][a-z0-9._-]{0,63} */
const char *fs_scenario_title(const fs_scenario_t *s);       /* the name when not given */
const char *fs_scenario_description(const fs_scenario_t *s); /* "" when not given */
size_t fs_scenario_reference_count(const fs_scenario_t *s);
const char *fs_scenario_reference(const fs_scenario_t *s, size_t i);
uint64_t fs_scenario_seed(const fs_scenario_t *s); /* after the override */
double fs_scenario_time_scale(const fs_scenario_t *s);
uint64_t fs_scenario_duration_ms(const fs_scenario_t *s);
const fs_scenario_fleet_t *fs_scenario_fleet(const fs_scenario_t *s);
const fs_knobs_t *fs_scenario_knobs(const fs_scenario_t *s); /* $.fleet.knobs, never NULL */
const fs_scenario_load_t *fs_scenario_load_cfg(const fs_scenario_t *s);
const fs_slo_t *fs_scenario_slo(const fs_scenario_t *s);

/* The postures to run, in the order the scenario lists them. */
size_t fs_scenario_posture_count(const fs_scenario_t *s);
fs_posture_t fs_scenario_posture(const fs_scenario_t *s, size_t i);
int fs_scenario_runs_posture(const fs_scenario_t *s, fs_posture_t p);

/* The faults in file order. The state is mutable so the run can apply and
 * revert through ops; it stays owned by the scenario. */
size_t fs_scenario_fault_count(const fs_scenario_t *s);
const fs_scenario_fault_t *fs_scenario_fault(const fs_scenario_t *s, size_t i);

/* First apply and last revert of all faults (an instant fault reverts when
 * it is applied): what fs_verdict_compute() takes as the fault window. */
void fs_scenario_fault_window(const fs_scenario_t *s, uint64_t *start_ms, uint64_t *end_ms);

/* ORs into faulted[] the interfaces fault i acts on directly. */
void fs_scenario_fault_ifaces(const fs_scenario_t *s, size_t i, uint8_t faulted[FS_IF_COUNT]);

/* The stop conditions of $.abort_if, in file order (times scaled); any one
 * tripping stops the run. */
size_t fs_scenario_abort_count(const fs_scenario_t *s);
const fs_guard_cond_t *fs_scenario_abort(const fs_scenario_t *s, size_t i);

/* The expectations of posture p (present == 0 when there are none). */
const fs_scenario_expect_t *fs_scenario_expect(const fs_scenario_t *s, fs_posture_t p);

#endif
