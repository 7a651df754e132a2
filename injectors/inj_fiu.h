/* fiu and posix faults: libfiu failure points inside running fleet
 * processes, switched on and off through their remote-control fifo. fiu
 * names one of the fleet's own points (docs/PROTOCOL.md); posix names points
 * of libfiu's POSIX preload, which the run must put under the target from
 * its start (LD_PRELOAD and FIU_ENABLE through uv_spawn's env). Parsed
 * parameters here; the apply side adds its run-time state. */
#ifndef FS_INJ_FIU_H
#define FS_INJ_FIU_H

#include <stddef.h>
#include <stdint.h>

#include "injector.h"
#include "topology.h"

#define FS_INJ_FIU_MAX_POINTS 16
#define FS_INJ_FIU_POINT_MAX  96

typedef struct {
    int posix;          /* 0: kind "fiu", 1: kind "posix" */
    fs_target_t target; /* FS_TARGET_SERVICE or FS_TARGET_INSTANCE of a fleet process */
    /* fiu: one point; posix: 1..FS_INJ_FIU_MAX_POINTS. A name ending in
     * "/" and a star is a libfiu wildcard ("posix/io/net/" + star). */
    char points[FS_INJ_FIU_MAX_POINTS][FS_INJ_FIU_POINT_MAX];
    size_t npoints;
    double probability; /* 1: "enable"; below 1: "enable_random" with it */
    uint64_t failnum;   /* fiu: what fiu_fail() returns (1); posix: 1 */
} fs_inj_fiu_t;

/* Whether point (or a wildcard: a prefix, "/" and a star) is a failure point of the
 * fleet's service svc (fiu) or of libfiu's POSIX preload (posix). */
int fs_inj_fiu_point_known(fs_svc_t svc, const char *point);
int fs_inj_fiu_posix_point_known(const char *point);

extern const fs_inj_ops_t fs_inj_fiu_ops;
extern const fs_inj_ops_t fs_inj_posix_ops;

#endif
