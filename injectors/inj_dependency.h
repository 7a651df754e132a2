/* dependency.outage: a whole central service gone for its callers, either
 * unreachable or answering every request with an empty 200 (the empty DNS
 * record of 2025-10-20). Applied on every link into the service. Parsed
 * parameters here; the apply side adds its run-time state. */
#ifndef FS_INJ_DEPENDENCY_H
#define FS_INJ_DEPENDENCY_H

#include "injector.h"
#include "topology.h"

typedef enum {
    FS_INJ_OUTAGE_REFUSED,   /* connections refused */
    FS_INJ_OUTAGE_BLACKHOLE, /* accepted, never answered */
    FS_INJ_OUTAGE_EMPTY      /* 200 with an empty body */
} fs_inj_outage_mode_t;

/* Links into one service at most: configstore has proxy[i], botmod[i] and
 * the dashboard as callers. */
#define FS_INJ_DEP_MAX_LINKS (2 * FS_MAX_NODES + 2)

typedef struct {
    fs_svc_t svc; /* configstore, origin or botmod (every instance) */
    fs_inj_outage_mode_t mode;
    /* While applied: each link into svc and the fault added on it, so
     * revert removes exactly those. */
    struct fs_link_s *links[FS_INJ_DEP_MAX_LINKS];
    unsigned ids[FS_INJ_DEP_MAX_LINKS];
    size_t nids;
} fs_inj_dependency_t;

/* The apply side (dependency_apply.c): one fault on every link into svc. */
int fs__inj_dependency_apply(void *state, fs_inj_env_t *env, char *err, size_t errlen);
int fs__inj_dependency_revert(void *state, fs_inj_env_t *env, char *err, size_t errlen);

const char *fs_inj_outage_mode_name(fs_inj_outage_mode_t m); /* "refused", ... */

extern const fs_inj_ops_t fs_inj_dependency_outage_ops;

#endif
