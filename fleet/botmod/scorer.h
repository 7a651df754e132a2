/* The scorer a botmod node runs with: the preallocated feature table in
 * use, the configstore version it came from, and what the node does when a
 * new feature file is bad — the posture knob at the centre of the
 * 2025-11-18 incident. No I/O and no event loop, so the panic path can be
 * exercised on its own (in a forked child, by the tests). */
#ifndef FS_SCORER_H
#define FS_SCORER_H

#include <stddef.h>
#include <stdint.h>

#include "fs_log.h"
#include "fs_metrics.h"
#include "score.h"

typedef enum {
    FS_SCORER_PANIC,  /* legacy new engine: log event=panic and abort() */
    FS_SCORER_ZERO,   /* legacy old engine: keep running, score everything 0 */
    FS_SCORER_REJECT, /* hardened: keep the last good table, count the file */
} fs_scorer_on_bad_t;

typedef struct fs_scorer_s fs_scorer_t;

typedef struct {
    fs_scorer_on_bad_t on_bad;
    int defaults;          /* until a file loads, score with the built-in defaults */
    const char *key;       /* config key, for logs ("bot/features") */
    const fs_log_t *log;   /* must outlive the scorer; NULL = stderr */
    fs_metric_t *version;  /* failsmall_config_version{key}; may be NULL */
    fs_metric_t *rejected; /* failsmall_config_rejected_total{key}; may be NULL */
    fs_metric_t *fallback; /* failsmall_fallbacks_total{reason="builtin_defaults"}; may be NULL */
} fs_scorer_config_t;

/* Creates a scorer with an empty table, or the built-in defaults when
 * cfg->defaults. Returns 0 or -ENOMEM. */
int fs_scorer_new(const fs_scorer_config_t *cfg, fs_scorer_t **out);
void fs_scorer_free(fs_scorer_t *s);

/* Loads the feature file blob, offered as configstore version `version`
 * (libfiu point botmod/config/load fails the load). A good file replaces
 * the table and returns 0. A bad one follows cfg->on_bad: PANIC logs
 * event=panic and aborts the process; ZERO takes the version, scores every
 * request 0 until a good file comes and returns the load error; REJECT
 * keeps the table, counts and logs event=config_rejected and returns the
 * load error. */
int fs_scorer_apply(fs_scorer_t *s, uint64_t version, const char *blob, size_t len);

/* Scores r with the table in use (0 in zero mode) and stores the version
 * the answer came from in *version (0 = no file yet). */
int fs_scorer_score(fs_scorer_t *s, const fs_score_req_t *r, uint64_t *version);

/* Configstore version in use (0 = none yet), and whether the scorer is in
 * zero mode. */
uint64_t fs_scorer_version(const fs_scorer_t *s);
int fs_scorer_zeroed(const fs_scorer_t *s);

const char *fs_scorer_on_bad_name(fs_scorer_on_bad_t m);

#endif
