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

typedef struct {
    fs_svc_t svc; /* configstore, origin or botmod (every instance) */
    fs_inj_outage_mode_t mode;
} fs_inj_dependency_t;

const char *fs_inj_outage_mode_name(fs_inj_outage_mode_t m); /* "refused", ... */

extern const fs_inj_ops_t fs_inj_dependency_outage_ops;

#endif
