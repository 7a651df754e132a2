/* fs-origin: the customer's backend behind the proxies. Answers every GET
 * with "origin ok" after a configurable latency, so link faults and
 * deadlines upstream have something real to measure against. */
#ifndef FS_ORIGIN_H
#define FS_ORIGIN_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "fs_cli.h"
#include "fs_service.h"

#define FS_ORIGIN_LATENCY_MAX            600000 /* ms; --latency-ms upper bound */
#define FS_ORIGIN_CAPACITY_MAX           100000 /* --capacity upper bound */
#define FS_ORIGIN_QUEUE_TIMEOUT_HARDENED 100    /* ms */

typedef struct fs_origin_s fs_origin_t;

typedef struct {
    uint64_t latency_ms;       /* delay before each answer; 0 answers at once */
    uint64_t capacity;         /* requests in service at once, 0 = unlimited; the rest
                                  queue and the latency becomes a service time */
    uint64_t queue_timeout_ms; /* shed (503) a request that queued longer; 0 = never */
} fs_origin_config_t;

/* The posture's defaults: legacy never sheds, hardened sheds what queued for
 * more than FS_ORIGIN_QUEUE_TIMEOUT_HARDENED ms. */
void fs_origin_config_default(fs_origin_config_t *cfg, fs_posture_t posture);

/* Starts the origin service on loop (listening on cli->listen). Returns 0 or
 * a negative code with err filled. Run it with fs_service_run() on
 * fs_origin_service(); it stops on SIGTERM/SIGINT or fs_service_stop(). */
int fs_origin_new(uv_loop_t *loop, const fs_cli_common_t *cli, const fs_origin_config_t *cfg,
                  fs_origin_t **out, char *err, size_t errlen);

fs_service_t *fs_origin_service(fs_origin_t *o);

/* Requests in service or queued, for tests. */
size_t fs_origin_pending(const fs_origin_t *o);

/* Frees o and its service; call once the loop has drained after a stop. */
void fs_origin_free(fs_origin_t *o);

#endif
