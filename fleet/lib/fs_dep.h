/* Accounting of calls to one dependency, the same in every service:
 * failsmall_dependency_calls_total{dep,outcome} and
 * failsmall_retries_total{dep}, created at start so they read 0. */
#ifndef FS_DEP_H
#define FS_DEP_H

#include "fs_metrics.h"

typedef enum {
    FS_DEP_OK,
    FS_DEP_ERROR,   /* 5xx, reset, unparseable */
    FS_DEP_TIMEOUT, /* the caller's deadline passed */
    FS_DEP_REFUSED, /* nothing listening */
    FS_DEP_OUTCOMES
} fs_dep_outcome_t;

typedef struct {
    fs_metric_t *calls[FS_DEP_OUTCOMES];
    fs_metric_t *retries;
} fs_dep_t;

/* Registers the series of dependency dep in m. Returns 0 or -ENOMEM. */
int fs_dep_init(fs_dep_t *d, fs_metrics_t *m, const char *dep);

/* The outcome of an fs_http client status (HTTP status or negative code). */
fs_dep_outcome_t fs_dep_classify(int status);

const char *fs_dep_outcome_name(fs_dep_outcome_t o); /* "ok", "error", ... */

/* Counts one call; d may be NULL (nothing counted). */
void fs_dep_count(fs_dep_t *d, fs_dep_outcome_t o);

/* Counts one retry; d may be NULL. */
void fs_dep_retry(fs_dep_t *d);

#endif
