/* fs-configstore: versioned config keys over HTTP (docs/PROTOCOL.md,
 * "configstore"), with an instant or a staged, health-gated rollout per key
 * and an event log the harness stamps on its timeline. */
#ifndef FS_CONFIGSTORE_H
#define FS_CONFIGSTORE_H

#include <stdint.h>
#include <uv.h>

#include "fs_cli.h"
#include "fs_service.h"
#include "rollout.h"
#include "store.h"

#define FS_CONFIGSTORE_BAKE_MS     1000     /* --bake-ms default */
#define FS_CONFIGSTORE_BAKE_MAX    86400000 /* --bake-ms upper bound: a day */
#define FS_CONFIGSTORE_TICK_MS     25       /* bake expiry resolution */
#define FS_CONFIGSTORE_HEALTH_BODY 65536    /* largest POST /v1/health body */

typedef struct fs_configstore_s fs_configstore_t;

typedef struct {
    fs_rollout_mode_t mode;
    uint64_t bake_ms;   /* each stage's hold; 0 = FS_CONFIGSTORE_BAKE_MS */
    const char *canary; /* canary node id, NULL = first in order */
    uint64_t tick_ms;   /* 0 = FS_CONFIGSTORE_TICK_MS */
} fs_configstore_config_t;

/* The rollout mode a posture implies: legacy → instant, hardened → staged. */
fs_rollout_mode_t fs_configstore_default_mode(fs_posture_t posture);

/* Starts the configstore on loop (listening on cli->listen). Returns 0 or a
 * negative code with err filled. Run it with fs_service_run() on
 * fs_configstore_service(); it stops on SIGTERM/SIGINT or fs_service_stop(),
 * closing its timer. */
int fs_configstore_new(uv_loop_t *loop, const fs_cli_common_t *cli,
                       const fs_configstore_config_t *cfg, fs_configstore_t **out, char *err,
                       size_t errlen);

fs_service_t *fs_configstore_service(fs_configstore_t *cs);

/* The data behind the routes, for tests. */
fs_store_t *fs_configstore_store(fs_configstore_t *cs);

/* Milliseconds since the configstore started (the events' t_ms clock). */
uint64_t fs_configstore_now(const fs_configstore_t *cs);

/* Frees cs and its service; call once the loop has drained after a stop. */
void fs_configstore_free(fs_configstore_t *cs);

#endif
