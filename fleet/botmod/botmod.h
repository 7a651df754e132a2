/* fs-botmod: bot scoring and login-challenge verification for one edge
 * node, kept fed with the `bot/features` file from configstore. */
#ifndef FS_BOTMOD_H
#define FS_BOTMOD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "fs_cli.h"
#include "fs_service.h"
#include "scorer.h"

#define FS_BOTMOD_KEY                    "bot/features"
#define FS_BOTMOD_POLL_MS                200  /* --poll-ms default */
#define FS_BOTMOD_CONFIG_TIMEOUT_MS      1000 /* --config-timeout-ms default */
#define FS_BOTMOD_CHALLENGE_MIN          30   /* verify passes at this score and above */
#define FS_BOTMOD_TOKEN_MAX              64   /* characters after "tok-" */
#define FS_BOTMOD_QUEUE_TIMEOUT_HARDENED 50   /* ms: a quarter of the proxies' deadline */

typedef enum { FS_BOTMOD_ENGINE_NEW, FS_BOTMOD_ENGINE_OLD } fs_botmod_engine_t;

typedef struct fs_botmod_s fs_botmod_t;

typedef struct {
    struct sockaddr_storage configstore; /* loopback, see fs_addr_parse */
    fs_botmod_engine_t engine;
    fs_scorer_on_bad_t on_bad_config; /* see fs_botmod_default_on_bad */
    uint64_t poll_ms;                 /* > 0 */
    uint64_t config_timeout_ms;       /* per fetch/report; 0 = none */
    uint64_t capacity;                /* scores in service at once; 0 = unlimited */
    uint64_t service_ms;              /* each score's service time; 0 = at once */
    uint64_t queue_timeout_ms;        /* shed (503) what queued longer; 0 = never */
} fs_botmod_config_t;

/* What --on-bad-config defaults to: legacy+new panics, legacy+old scores
 * zero, hardened rejects. */
fs_scorer_on_bad_t fs_botmod_default_on_bad(fs_posture_t posture, fs_botmod_engine_t engine);

const char *fs_botmod_engine_name(fs_botmod_engine_t e);

/* Starts the service on loop (listening per cli, which must name a node)
 * and the feature-file poller. The scorer starts from the built-in
 * defaults under the hardened posture and from an empty table under
 * legacy. Returns 0 or a negative code with err filled. */
int fs_botmod_new(uv_loop_t *loop, const fs_cli_common_t *cli, const fs_botmod_config_t *cfg,
                  fs_botmod_t **out, char *err, size_t errlen);

fs_service_t *fs_botmod_service(fs_botmod_t *b);
fs_scorer_t *fs_botmod_scorer(fs_botmod_t *b);

/* Frees b and its service; call once the loop has drained after a stop. */
void fs_botmod_free(fs_botmod_t *b);

/* Whether s is a well-formed challenge token: "tok-" then 1..64 of
 * [A-Za-z0-9]. */
int fs_botmod_token_ok(const char *s);

#endif
