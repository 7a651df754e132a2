/* What every fleet service shares at run time: the HTTP server with
 * GET /healthz and GET /metrics, request accounting, the structured log,
 * libfiu remote control, and a clean stop on SIGTERM/SIGINT. */
#ifndef FS_SERVICE_H
#define FS_SERVICE_H

#include <stdint.h>
#include <uv.h>

#include "fs_cli.h"
#include "fs_http.h"
#include "fs_log.h"
#include "fs_metrics.h"

typedef struct fs_service_s fs_service_t;

typedef struct {
    const char *name;           /* "botmod": log svc= field, metrics service label */
    const fs_cli_common_t *cli; /* listen, posture, node, fiu_fifo, verbose */
    fs_http_handler_cb handler; /* every route but /healthz and /metrics */
    void *data;
} fs_service_config_t;

/* Starts listening on cfg->cli->listen and, when cfg->cli->fiu_fifo is set,
 * libfiu remote control. Logs `event=listening addr=HOST:PORT` (the bound
 * port, useful with port 0). Returns 0 or a negative code with err filled. */
int fs_service_new(uv_loop_t *loop, const fs_service_config_t *cfg, fs_service_t **out, char *err,
                   size_t errlen);

uv_loop_t *fs_service_loop(fs_service_t *s);
const fs_log_t *fs_service_log(const fs_service_t *s);
fs_metrics_t *fs_service_metrics(fs_service_t *s);
int fs_service_port(const fs_service_t *s);

/* Called once when the service stops (signal or fs_service_stop), after the
 * listener closed: the service closes its own timers and clients here so the
 * loop can drain. */
void fs_service_on_stop(fs_service_t *s, void (*cb)(void *data), void *data);

/* Runs the loop until a stop and every handle has closed. Returns 0. */
int fs_service_run(fs_service_t *s);

/* Stops serving (as on SIGTERM). Safe to call more than once. */
void fs_service_stop(fs_service_t *s);

/* Frees s; call after the loop has drained. */
void fs_service_free(fs_service_t *s);

/* The standard series every service exposes, created at start so they read 0
 * rather than being absent: config version and rejected configs per key,
 * fallbacks per reason. */
fs_metric_t *fs_service_config_version(fs_service_t *s, const char *key);
fs_metric_t *fs_service_config_rejected(fs_service_t *s, const char *key);
fs_metric_t *fs_service_fallbacks(fs_service_t *s, const char *reason);

#endif
