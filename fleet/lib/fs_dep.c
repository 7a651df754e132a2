#include "fs_dep.h"

#include <errno.h>
#include <stdio.h>

static const char *const fs__dep_outcomes[FS_DEP_OUTCOMES] = {"ok", "error", "timeout", "refused"};

int fs_dep_init(fs_dep_t *d, fs_metrics_t *m, const char *dep)
{
    char labels[128];

    for (int o = 0; o < FS_DEP_OUTCOMES; o++) {
        snprintf(labels, sizeof(labels), "dep=\"%s\",outcome=\"%s\"", dep, fs__dep_outcomes[o]);
        d->calls[o] = fs_metrics_series(m, FS_METRIC_COUNTER, "failsmall_dependency_calls_total",
                                        "Calls to a dependency, per attempt and outcome.", labels);
        if (d->calls[o] == NULL)
            return -ENOMEM;
    }
    snprintf(labels, sizeof(labels), "dep=\"%s\"", dep);
    d->retries = fs_metrics_series(m, FS_METRIC_COUNTER, "failsmall_retries_total",
                                   "Retried calls to a dependency.", labels);
    return d->retries == NULL ? -ENOMEM : 0;
}

fs_dep_outcome_t fs_dep_classify(int status)
{
    if (status == -ETIMEDOUT)
        return FS_DEP_TIMEOUT;
    if (status == -ECONNREFUSED)
        return FS_DEP_REFUSED;
    if (status < 0 || status >= 500)
        return FS_DEP_ERROR;
    return FS_DEP_OK;
}

const char *fs_dep_outcome_name(fs_dep_outcome_t o)
{
    return (unsigned)o < FS_DEP_OUTCOMES ? fs__dep_outcomes[o] : "unknown";
}

void fs_dep_count(fs_dep_t *d, fs_dep_outcome_t o)
{
    if (d != NULL && (unsigned)o < FS_DEP_OUTCOMES)
        fs_metric_add(d->calls[o], 1);
}

void fs_dep_retry(fs_dep_t *d)
{
    if (d != NULL)
        fs_metric_add(d->retries, 1);
}
