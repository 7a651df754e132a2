/* fs-dashboard: operator login (verified by botmod's challenge) and the
 * operator actions that need a session (rollback, killswitch through
 * configstore). The posture knob that matters here is break-glass: whether
 * operators can still log in while the challenge service is down or rejects
 * everyone. */
#ifndef FS_DASHBOARD_H
#define FS_DASHBOARD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "fs_cli.h"
#include "fs_service.h"

#define FS_DASHBOARD_DEFAULT_PASSWORD "failsmall"
#define FS_DASHBOARD_DEFAULT_TOKEN    "failsmall-break-glass"
#define FS_DASHBOARD_DEFAULT_TTL_MS   600000
#define FS_DASHBOARD_DEFAULT_SESSIONS 4096
#define FS_DASHBOARD_DEADLINE_MAX     600000 /* ms, for every deadline flag */

typedef struct fs_dashboard_s fs_dashboard_t;

typedef struct {
    const struct sockaddr *botmod;      /* challenge verification */
    const struct sockaddr *configstore; /* rollback and killswitch */
    int break_glass;                    /* allow the break-glass login */
    const char *break_glass_token;      /* pre-provisioned, non-empty */
    uint64_t challenge_deadline_ms;     /* per botmod call; 0 = none */
    uint64_t configstore_deadline_ms;   /* per configstore call; 0 = none */
    const char *password;               /* shared by every user */
    uint64_t session_ttl_ms;            /* > 0 */
    size_t max_sessions;                /* 0 = FS_DASHBOARD_DEFAULT_SESSIONS */
    /* NULL: session ids seeded from /dev/urandom. Else 32 bytes that make
     * them reproducible, so a fuzzer can learn an id and replay its input. */
    const uint8_t *session_seed;
} fs_dashboard_config_t;

/* Starts the dashboard service on loop (listening on cli->listen); cfg is
 * copied. Returns 0 or a negative code with err filled. Run it with
 * fs_service_run() on fs_dashboard_service(); on a stop, calls in flight to
 * botmod and configstore are cancelled and their requests answered 503. */
int fs_dashboard_new(uv_loop_t *loop, const fs_cli_common_t *cli, const fs_dashboard_config_t *cfg,
                     fs_dashboard_t **out, char *err, size_t errlen);

fs_service_t *fs_dashboard_service(fs_dashboard_t *d);

/* Calls to botmod and configstore in flight, for tests. */
size_t fs_dashboard_pending(const fs_dashboard_t *d);

/* Frees d and its service; call once the loop has drained after a stop. */
void fs_dashboard_free(fs_dashboard_t *d);

#endif
