/* The edge proxy: scores each GET with botmod, blocks bots, applies the WAF
 * rules polled from configstore, forwards to origin and relays the answer.
 * Every posture knob (fail closed/open, deadlines, retry policy, nil guard)
 * is a separate field so a scenario can flip one at a time. */
#ifndef FS_PROXY_H
#define FS_PROXY_H

#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "fs_cli.h"
#include "fs_service.h"
#include "retry.h"
#include "waf.h"

#define FS_PROXY_RULES_KEY "waf/rules"

typedef struct {
    struct sockaddr_storage botmod, origin, configstore;
    fs_waf_engine_t engine;
    int bot_fail_open;           /* botmod failed: serve with default_score, marked degraded */
    uint64_t deadline_ms;        /* whole botmod stage, retries included; 0 = none */
    uint64_t origin_deadline_ms; /* whole origin stage, retries included; 0 = none */
    uint64_t attempt_timeout_ms; /* each call to botmod or origin; 0 = only the deadline */
    uint64_t retry_delay_ms;     /* immediate retries: fixed wait before each (0) */
    fs_retry_mode_t retries;
    unsigned max_retries;
    double retry_budget; /* tokens per first attempt (budget mode) */
    unsigned default_score;
    unsigned threshold; /* scores below it are blocked */
    int nil_guard;      /* old engine: skip a killswitched rule instead of failing */
    uint64_t poll_ms;   /* waf/rules poll interval */
    uint64_t seed;      /* jitter PRNG seed */
} fs_proxy_config_t;

typedef struct fs_proxy_s fs_proxy_t;

/* Fills every knob with the posture's default; leaves the addresses zeroed
 * and the seed 0 (see fs_proxy_seed). */
void fs_proxy_config_default(fs_proxy_config_t *cfg, fs_posture_t posture);

/* The default jitter seed for a node: a hash of its id, so runs repeat. */
uint64_t fs_proxy_seed(const char *node);

/* Creates the proxy and its service (listening on cli->listen, node
 * cli->node) on loop, and starts polling waf/rules. Stopping the service
 * (signal or fs_service_stop) closes everything the proxy owns. Returns 0
 * or a negative code with err filled. */
int fs_proxy_new(uv_loop_t *loop, const fs_cli_common_t *cli, const fs_proxy_config_t *cfg,
                 fs_proxy_t **out, char *err, size_t errlen);

/* The service the proxy runs in, for fs_service_run/port/stop/metrics. */
fs_service_t *fs_proxy_service(fs_proxy_t *p);

/* Version of waf/rules in use (configstore's version; 0 = none yet). */
uint64_t fs_proxy_rules_version(const fs_proxy_t *p);

/* WAF evaluation errors so far (the old engine's nil `execute`). */
uint64_t fs_proxy_waf_errors(const fs_proxy_t *p);

/* Frees p and its service; call once the loop has drained after a stop. */
void fs_proxy_free(fs_proxy_t *p);

#endif
