/* process.* faults: signals to fleet processes the harness started. Targets
 * are a service (every instance, or a seeded share of them) or one instance.
 * Parsed parameters here; the apply side adds its run-time state. */
#ifndef FS_INJ_PROCESS_H
#define FS_INJ_PROCESS_H

#include "injector.h"
#include "topology.h"

typedef enum {
    FS_INJ_PROCESS_CRASH,      /* signal (SEGV or ABRT); the supervisor restarts it */
    FS_INJ_PROCESS_KILL,       /* SIGKILL; the supervisor restarts it */
    FS_INJ_PROCESS_HANG,       /* SIGSTOP, SIGCONT on revert */
    FS_INJ_PROCESS_CRASH_LOOP, /* signal again after every restart, until reverted */
    FS_INJ_PROCESS_RESTART     /* SIGTERM, then the supervisor's restart */
} fs_inj_process_kind_t;

typedef struct {
    fs_inj_process_kind_t kind;
    fs_target_t target; /* FS_TARGET_SERVICE or FS_TARGET_INSTANCE of a fleet process */
    double share;       /* SERVICE: seeded share of its instances, at least one (1 = all) */
    int signal;         /* CRASH, CRASH_LOOP: SIGSEGV (default) or SIGABRT; else 0 */
    struct fs__inj_process_rt_s *rt; /* HANG, CRASH_LOOP: while applied (process_apply.c) */
} fs_inj_process_t;

/* The apply side (process_apply.c): signal the chosen instances through the
 * supervisor; a hang is undone with SIGCONT, a crash loop's timer stops. */
int fs__inj_process_apply(void *state, fs_inj_env_t *env, char *err, size_t errlen);
int fs__inj_process_revert(void *state, fs_inj_env_t *env, char *err, size_t errlen);

/* Releases run-time state left by an apply that was never reverted (the
 * run reverts every active fault, so normally there is none). */
void fs__inj_process_release(fs_inj_process_t *p);

extern const fs_inj_ops_t fs_inj_process_crash_ops;
extern const fs_inj_ops_t fs_inj_process_kill_ops;
extern const fs_inj_ops_t fs_inj_process_hang_ops;
extern const fs_inj_ops_t fs_inj_process_crash_loop_ops;
extern const fs_inj_ops_t fs_inj_process_restart_ops;

#endif
