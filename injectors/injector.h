/* One interface for every fault family. Each family lives in its own file
 * and fills an fs_inj_ops_t; the scenario loader and the run look kinds up
 * in the registry and never switch on them. */
#ifndef FS_INJECTOR_H
#define FS_INJECTOR_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <uv.h>

#include "topology.h"

/* The running fleet as an injector may touch it; implemented by the run
 * (harness/run.c), so injectors never see its insides. */
typedef struct fs_inj_env_s fs_inj_env_t;

/* A config the harness publishes is at most FS_INJ_CONFIG_CAP_MAX bytes,
 * the largest blob configstore takes; `failsmall --max-config-bytes` lowers
 * the cap, down to FS_INJ_CONFIG_CAP_MIN, which only config.oversize can
 * pass (the next largest, config.duplicate_rows of 200 rows 100 times, is
 * 643 KB). */
#define FS_INJ_CONFIG_CAP_MAX (16u << 20)
#define FS_INJ_CONFIG_CAP_MIN (1u << 20)

typedef struct {
    unsigned nodes;            /* edge nodes in the scenario's fleet */
    unsigned features;         /* rows in the baseline bot/features file */
    uint64_t max_config_bytes; /* cap on a published config; 0 = FS_INJ_CONFIG_CAP_MAX */
    double time_scale;         /* multiply every duration by this */
    const char *path;          /* JSON path of the fault object, "$.faults[2]" */
} fs_inj_parse_ctx_t;

typedef struct fs_inj_ops_s {
    const char *kind;          /* "link.latency": the scenario contract */
    const char *const *fields; /* kind-specific fields (NULL-terminated); any other
                                  field besides at/for/kind is an error */
    int needs_for;             /* 1: "for" required; 0: optional; -1: not allowed */

    /* Validates the kind-specific fields of fault and builds *state. Errors
     * (-EINVAL) name the JSON path: "$.faults[2].ms: expected a number of
     * milliseconds >= 0". */
    int (*parse)(const cJSON *fault, const fs_inj_parse_ctx_t *ctx, void **state, char *err,
                 size_t errlen);

    /* Marks the service-pair interfaces this fault acts on directly (the
     * verdict model's "faulted"). */
    void (*faults)(const void *state, uint8_t faulted[FS_IF_COUNT]);

    /* Applies / reverts on the running fleet. A fault that cannot act
     * (process gone, fifo missing) returns a negative code with err filled:
     * the run records it on the timeline and goes on. */
    int (*apply)(void *state, fs_inj_env_t *env, char *err, size_t errlen);
    int (*revert)(void *state, fs_inj_env_t *env, char *err, size_t errlen);

    /* Optional: "K=V" entries fleet process svc[index] needs in its
     * environment from its first start (posix: LD_PRELOAD), into env[max];
     * returns how many. Called for every process before the fleet is
     * spawned, long before apply. The strings must live as long as state. */
    size_t (*spawn_env)(const void *state, fs_svc_t svc, int index, const char **env, size_t max);

    /* Optional: whether faults a and b, whose times overlap, would get in
     * each other's way so that one does not do what the scenario says
     * (two hangs of one process: the first revert ends both). 1 with why
     * filled, or 0. The loader asks only when both kinds share this
     * function, and refuses the scenario on 1. */
    int (*conflicts)(const void *a, const void *b, char *why, size_t len);

    /* One line for the timeline: "latency 1500±200 ms on proxy->origin". */
    const char *(*describe)(const void *state, char *buf, size_t len);

    void (*free)(void *state);
} fs_inj_ops_t;

/* ---- What an injector may do to the running fleet (harness/run_env.c) ---- */

struct fs_link_s;
struct fs_proc_s;

uv_loop_t *fs_inj_env_loop(fs_inj_env_t *env);

/* Run time in ms (0 = load start). */
int64_t fs_inj_env_now_ms(const fs_inj_env_t *env);

/* A seed for one stream of this run's randomness ("faults[2].flap"),
 * derived from the run seed: same seed, same choices. */
uint64_t fs_inj_env_seed(const fs_inj_env_t *env, const char *stream);

/* Stamps a line on the run's timeline at the current run time. */
void fs_inj_env_event(fs_inj_env_t *env, const char *kind, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The links a target names (an interface: every link of it; a link: that
 * one) into out[max]; returns how many. */
size_t fs_inj_env_links(fs_inj_env_t *env, const fs_target_t *t, struct fs_link_s **out,
                        size_t max);

/* The fleet processes a target names (a service: every instance; an
 * instance: that one) into out[max]; returns how many. */
size_t fs_inj_env_procs(fs_inj_env_t *env, const fs_target_t *t, struct fs_proc_s **out,
                        size_t max);

/* Publishes blob under key through configstore's API, as an operator
 * would; bad marks the version as a bad config (for the share of nodes
 * that took one). Asynchronous: the outcome is stamped on the timeline.
 * Returns 0 or -ENOMEM. */
int fs_inj_env_publish(fs_inj_env_t *env, const char *key, const char *blob, size_t len, int bad,
                       const char *what);

/* The good baseline blob of key the run published at start, or NULL. */
const char *fs_inj_env_baseline(fs_inj_env_t *env, const char *key, size_t *len);

/* How an operator reaches the dashboard: the service's own address (no
 * harness link: user->dashboard is an entry interface the load measures,
 * and an operator's calls stay out of it), and the password and
 * break-glass token the run provisioned it with (an operator holds the
 * token in either posture; only a hardened dashboard honours it). The
 * strings are the run's. Returns 0 or -ENOENT when the fleet has no
 * dashboard running yet. */
typedef struct {
    struct sockaddr_storage addr;
    const char *password;
    const char *break_glass;
} fs_inj_dashboard_t;

int fs_inj_env_dashboard(fs_inj_env_t *env, fs_inj_dashboard_t *out);

/* Sends one libfiu remote-control command ("enable name=botmod/score") to
 * the current incarnation of proc and waits for its answer. Returns 0 or a
 * negative code with err filled. */
int fs_inj_env_fiu(fs_inj_env_t *env, struct fs_proc_s *proc, const char *cmd, char *err,
                   size_t errlen);

/* The ops for kind, or NULL. */
const fs_inj_ops_t *fs_inj_find(const char *kind);

/* Every registered kind, NULL-terminated, in documentation order. */
const fs_inj_ops_t *const *fs_inj_all(void);

#endif
