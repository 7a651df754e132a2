/* link.* faults: network faults on the harness's own links between fleet
 * processes, on every link of an interface or on one instance pair.
 * Parsed parameters here; the apply side adds its run-time state. */
#ifndef FS_INJ_LINK_H
#define FS_INJ_LINK_H

#include <stdint.h>

#include "injector.h"
#include "topology.h"

#define FS_INJ_LINK_MAX_MS 600000 /* latency and jitter at most 10 minutes */

typedef enum {
    FS_INJ_LINK_DOWN,       /* connections refused */
    FS_INJ_LINK_BLACKHOLE,  /* accepted, never answered */
    FS_INJ_LINK_LATENCY,    /* ms ± jitter_ms added */
    FS_INJ_LINK_RESET,      /* connection reset mid-response */
    FS_INJ_LINK_HTTP_ERROR, /* the link answers status itself */
    FS_INJ_LINK_BANDWIDTH   /* at most bytes_per_s */
} fs_inj_link_kind_t;

typedef enum {
    FS_INJ_DIR_REQUEST,  /* caller -> callee */
    FS_INJ_DIR_RESPONSE, /* callee -> caller */
    FS_INJ_DIR_BOTH
} fs_inj_dir_t;

typedef struct {
    fs_inj_link_kind_t kind;
    fs_target_t target;     /* FS_TARGET_IFACE or FS_TARGET_LINK, never an entry interface */
    double probability;     /* per request, seeded (1) */
    fs_inj_dir_t direction; /* LATENCY (request), BANDWIDTH (response), BLACKHOLE (request) */
    uint64_t ms;            /* LATENCY, scaled */
    uint64_t jitter_ms;     /* LATENCY, scaled (0) */
    int status;             /* HTTP_ERROR: 400..599 (503) */
    uint64_t bytes_per_s;   /* BANDWIDTH */
    unsigned ids[4 * FS_MAX_NODES + 2]; /* while applied: the fault on each link */
    size_t nids;
} fs_inj_link_t;

/* The apply side (link_apply.c): one fault on every link of the target. */
int fs__inj_link_apply(void *state, fs_inj_env_t *env, char *err, size_t errlen);
int fs__inj_link_revert(void *state, fs_inj_env_t *env, char *err, size_t errlen);

const char *fs_inj_dir_name(fs_inj_dir_t d); /* "request", "response", "both" */

extern const fs_inj_ops_t fs_inj_link_down_ops;
extern const fs_inj_ops_t fs_inj_link_blackhole_ops;
extern const fs_inj_ops_t fs_inj_link_latency_ops;
extern const fs_inj_ops_t fs_inj_link_reset_ops;
extern const fs_inj_ops_t fs_inj_link_http_error_ops;
extern const fs_inj_ops_t fs_inj_link_bandwidth_ops;

#endif
