/* Keeps one configstore key fresh on an edge node: polls
 * GET /v1/config/{key}?node=ID, hands each new version to the service, and
 * reports the node's health for that version (POST /v1/health) after every
 * poll, which is what lets a staged rollout gate on it. */
#ifndef FS_POLL_H
#define FS_POLL_H

#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "fs_dep.h"
#include "fs_log.h"

typedef struct fs_poll_s fs_poll_t;

/* Called when configstore offers a version other than the last one offered.
 * A 200 answer without X-Config-Version (a dependency answering empty) is
 * offered as version 0: whatever the dependency said, for the service to
 * trust or reject. blob is valid only during the call. Return 0 when the service applied it,
 * or a negative code when it rejected it (reported as ok:false). */
typedef int (*fs_poll_apply_cb)(uint64_t version, const char *blob, size_t len, void *data);

/* Errors the service saw since the last report with the current version
 * (e.g. answers it failed); optional. Non-zero makes the report ok:false. */
typedef uint64_t (*fs_poll_errors_cb)(void *data);

typedef struct {
    const char *key;                    /* "bot/features" */
    const char *node;                   /* this node's id */
    const struct sockaddr *configstore; /* where to poll */
    uint64_t interval_ms;               /* between polls (first poll at once) */
    uint64_t timeout_ms;                /* per fetch/report; 0 = none */
    const char *fetch_point;            /* libfiu point failing a fetch, "botmod/config/fetch" */
    fs_poll_apply_cb apply;
    fs_poll_errors_cb errors; /* may be NULL */
    void *data;
    fs_dep_t *dep; /* counts fetches and reports as calls to configstore; may be NULL */
} fs_poll_config_t;

/* Starts polling on loop; cfg strings are copied. Returns 0 or a negative
 * code. */
int fs_poll_start(uv_loop_t *loop, const fs_poll_config_t *cfg, const fs_log_t *log,
                  fs_poll_t **out);

/* Last version applied (0 = none yet). */
uint64_t fs_poll_applied_version(const fs_poll_t *p);

/* Stops polling and frees p once its handles have closed. */
void fs_poll_close(fs_poll_t *p);

#endif
