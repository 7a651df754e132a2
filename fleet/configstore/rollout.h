/* The rollout state machine of one configstore key: which version each node
 * should have, how a new version spreads (instant, or staged canary → 25 % →
 * 100 % gated on node health), and when it rolls back. Pure: no timers, no
 * I/O; time arrives as now_ms arguments so tests can drive it explicitly. */
#ifndef FS_ROLLOUT_H
#define FS_ROLLOUT_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#define FS_ROLLOUT_NODE_MAX  32   /* longest node id */
#define FS_ROLLOUT_MAX_NODES 1024 /* nodes registered per key; more are served good */

typedef struct fs_rollout_s fs_rollout_t;

typedef enum { FS_ROLLOUT_INSTANT, FS_ROLLOUT_STAGED } fs_rollout_mode_t;

typedef enum {
    FS_ROLLOUT_IDLE,       /* nothing published yet */
    FS_ROLLOUT_BAKING,     /* a staged rollout is in progress */
    FS_ROLLOUT_COMPLETE,   /* every node gets the target (= good) version */
    FS_ROLLOUT_ROLLED_BACK /* the target was withdrawn; every node gets good */
} fs_rollout_state_t;

typedef enum {
    FS_ROLLOUT_STAGE_NONE,    /* not baking */
    FS_ROLLOUT_STAGE_CANARY,  /* 1 node */
    FS_ROLLOUT_STAGE_QUARTER, /* max(2, ceil(N/4)) nodes */
    FS_ROLLOUT_STAGE_ALL      /* every node of the rollout */
} fs_rollout_stage_t;

typedef enum {
    FS_ROLLOUT_EV_PUBLISHED,   /* version = the new version */
    FS_ROLLOUT_EV_STAGE,       /* version = target, stage and nodes set */
    FS_ROLLOUT_EV_COMPLETE,    /* version = target, now good */
    FS_ROLLOUT_EV_ROLLED_BACK, /* automatic: version = the withdrawn target */
    FS_ROLLOUT_EV_ROLLBACK     /* manual: version = the withdrawn version */
} fs_rollout_event_kind_t;

/* A state change, valid only during the callback. served is the version
 * every node outside a rollout gets after the change. */
typedef struct {
    fs_rollout_event_kind_t kind;
    uint64_t version;
    uint64_t served;
    fs_rollout_stage_t stage; /* FS_ROLLOUT_STAGE_NONE but for STAGE */
    const char *nodes;        /* STAGE: comma-separated stage nodes; else NULL */
    const char *reason;       /* ROLLED_BACK / ROLLBACK: why; else NULL */
    uint64_t t_ms;            /* the now_ms of the call that caused it */
} fs_rollout_event_t;

typedef void (*fs_rollout_event_cb)(const fs_rollout_event_t *ev, void *data);

typedef struct {
    fs_rollout_mode_t mode;
    uint64_t bake_ms;       /* how long each stage is held */
    const char *canary;     /* node to use as canary when it is in the set; NULL = first */
    fs_rollout_event_cb cb; /* may be NULL */
    void *data;
} fs_rollout_config_t;

/* Creates the state machine of one key (state idle); cfg->canary is copied.
 * Returns 0, -EINVAL for a bad canary id or -ENOMEM. */
int fs_rollout_new(const fs_rollout_config_t *cfg, fs_rollout_t **out);
void fs_rollout_free(fs_rollout_t *r);

/* 1 when id is a well-formed node id: [A-Za-z0-9_-]{1,32}. */
int fs_rollout_node_valid(const char *id);

/* Registers node (idempotent) so later rollouts include it. Returns 0,
 * -EINVAL for a bad id or -ENOSPC past FS_ROLLOUT_MAX_NODES. */
int fs_rollout_node_seen(fs_rollout_t *r, const char *node);

/* The version node should have (node NULL = a node outside any rollout);
 * 0 before anything was published. */
uint64_t fs_rollout_serve(const fs_rollout_t *r, const char *node);

/* A new version (greater than any before) was published. Instant: served
 * to all at once. Staged: the first version goes out at once, later ones
 * start at canary, replacing any rollout in progress. Returns 0 or -EINVAL
 * when version does not grow. */
int fs_rollout_publish(fs_rollout_t *r, uint64_t version, uint64_t now_ms);

/* Manual rollback. While baking it withdraws the target (previous is not
 * used); otherwise good goes back to previous, the newest usable version
 * older than good as the caller knows it (0 = none). Fills *served with the
 * version now served. Returns 0, or -EALREADY when there is nothing to roll
 * back to. */
int fs_rollout_rollback(fs_rollout_t *r, uint64_t previous, uint64_t now_ms, uint64_t *served);

/* A node's health report. Only ok == 0 from a node of the current stage
 * for the target version changes anything (immediate rollback); reports from
 * registered nodes are recorded either way. Returns 0 or -EINVAL (bad id). */
int fs_rollout_health(fs_rollout_t *r, const char *node, uint64_t version, int ok, uint64_t errors,
                      uint64_t now_ms);

/* Drives bake expiry: at the end of a stage's bake time it advances (every
 * stage node reported ok) or rolls back (someone did not). */
void fs_rollout_tick(fs_rollout_t *r, uint64_t now_ms);

fs_rollout_mode_t fs_rollout_mode(const fs_rollout_t *r);
fs_rollout_state_t fs_rollout_state(const fs_rollout_t *r);
fs_rollout_stage_t fs_rollout_stage(const fs_rollout_t *r);
uint64_t fs_rollout_good(const fs_rollout_t *r);
uint64_t fs_rollout_target(const fs_rollout_t *r);

/* Nodes in the current stage (0 when not baking); node i of them. */
size_t fs_rollout_stage_size(const fs_rollout_t *r);
const char *fs_rollout_stage_node(const fs_rollout_t *r, size_t i);

/* Registered nodes, in rollout order (numeric ids numerically). */
size_t fs_rollout_node_count(const fs_rollout_t *r);
const char *fs_rollout_node(const fs_rollout_t *r, size_t i);

/* Stage sizes for a rollout over n nodes: canary, 25 %, 100 %. */
size_t fs_rollout_stage_nodes_for(fs_rollout_stage_t stage, size_t n);

const char *fs_rollout_mode_name(fs_rollout_mode_t m);
const char *fs_rollout_state_name(fs_rollout_state_t s);
const char *fs_rollout_stage_name(fs_rollout_stage_t s); /* NULL for NONE */
const char *fs_rollout_event_name(fs_rollout_event_kind_t k);

/* Adds the GET /v1/rollout fields (mode, state, good_version, ...) and a
 * "health" object of the last report per node to obj. Returns 0 or -ENOMEM. */
int fs_rollout_json(const fs_rollout_t *r, cJSON *obj);

#endif
