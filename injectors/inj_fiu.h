/* fiu and posix faults: libfiu failure points inside running fleet
 * processes, switched on and off through their remote-control fifo. fiu
 * names one of the fleet's own points (docs/PROTOCOL.md); posix names points
 * of libfiu's POSIX preload, which the run must put under the target from
 * its start (LD_PRELOAD and FIU_ENABLE through uv_spawn's env). Parsed
 * parameters in fiu.c, the run-time side in fiu_apply.c. */
#ifndef FS_INJ_FIU_H
#define FS_INJ_FIU_H

#include <stddef.h>
#include <stdint.h>

#include "injector.h"
#include "topology.h"

#define FS_INJ_FIU_MAX_POINTS 16
#define FS_INJ_FIU_POINT_MAX  96

/* Where Debian's libfiu0 installs its preload libraries. */
#ifndef FS_INJ_FIU_PRELOAD_DIR
#define FS_INJ_FIU_PRELOAD_DIR "/usr/lib/fiu"
#endif

typedef struct {
    int posix;          /* 0: kind "fiu", 1: kind "posix" */
    fs_target_t target; /* FS_TARGET_SERVICE or FS_TARGET_INSTANCE of a fleet process */
    /* fiu: one point; posix: 1..FS_INJ_FIU_MAX_POINTS. A name ending in
     * "/" and a star is a libfiu wildcard ("posix/io/net/" + star). */
    char points[FS_INJ_FIU_MAX_POINTS][FS_INJ_FIU_POINT_MAX];
    size_t npoints;
    double probability; /* 1: "enable"; below 1: "enable_random" with it */
    uint64_t failnum;   /* fiu: what fiu_fail() returns (1); posix: 1 */

    /* Run time: while applied, the pid of the incarnation of each target
     * process (in fs_inj_env_procs() order) the points were switched on
     * in, 0 where they could not be. A restarted process starts with every
     * point off, so revert leaves a new incarnation alone. */
    int pids[FS_MAX_NODES];
    size_t nprocs;
    int applied;
} fs_inj_fiu_t;

/* Whether point (or a wildcard: a prefix, "/" and a star) is a failure point of the
 * fleet's service svc (fiu) or of libfiu's POSIX preload (posix). */
int fs_inj_fiu_point_known(fs_svc_t svc, const char *point);
int fs_inj_fiu_posix_point_known(const char *point);

/* Switch the points on in every running target process ("enable" or
 * "enable_random" through its libfiu fifo) and off again. A process that
 * cannot be reached is stamped fault.skipped; apply fails only when none
 * could be. posix also fails for a process that runs without the preload. */
int fs__inj_fiu_apply(void *state, fs_inj_env_t *env, char *err, size_t errlen);
int fs__inj_fiu_revert(void *state, fs_inj_env_t *env, char *err, size_t errlen);

/* posix: LD_PRELOAD (libfiu's run and POSIX preloads), an empty FIU_ENABLE
 * (nothing on at start) and an empty FIU_CTRL_FIFO (the service serves its
 * own --fiu-fifo) for the target's processes; nothing for the others. */
size_t fs__inj_posix_spawn_env(const void *state, fs_svc_t svc, int index, const char **env,
                               size_t max);

extern const fs_inj_ops_t fs_inj_fiu_ops;
extern const fs_inj_ops_t fs_inj_posix_ops;

#endif
