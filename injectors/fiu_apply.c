/* fiu and posix at run time: libfiu commands through each target process's
 * remote-control fifo (fs_inj_env_fiu), one per point; posix also puts the
 * preload into the target's environment before the fleet starts, since a
 * library cannot be preloaded into a process that is already running. */
#include "inj_fiu.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "supervisor.h"

#define FS__FIU_POSIX_SO "fiu_posix_preload.so"
#define FS__FIU_CMD_MAX  (FS_INJ_FIU_POINT_MAX + 96)

static int fs__fiu_targets(const fs_target_t *t, fs_svc_t svc, int index)
{
    return t->svc == svc && (t->kind == FS_TARGET_SERVICE || t->index == index);
}

size_t fs__inj_posix_spawn_env(const void *state, fs_svc_t svc, int index, const char **env,
                               size_t max)
{
    const fs_inj_fiu_t *f = state;

    if (!f->posix || !fs__fiu_targets(&f->target, svc, index) || max < 3)
        return 0;
    /* fiu_run_preload runs fiu_init before main, as fiu-run -x does. */
    env[0] = "LD_PRELOAD=" FS_INJ_FIU_PRELOAD_DIR "/fiu_run_preload.so " FS_INJ_FIU_PRELOAD_DIR
             "/" FS__FIU_POSIX_SO;
    /* Nothing on at start: the points go on at "at", through the fifo. */
    env[1] = "FIU_ENABLE=";
    /* The service serves its own --fiu-fifo; an inherited FIU_CTRL_FIFO
     * would start a second remote-control thread somewhere else. */
    env[2] = "FIU_CTRL_FIFO=";
    return 3;
}

static void fs__fiu_cmd(const fs_inj_fiu_t *f, size_t point, int on, char *buf, size_t len)
{
    char fn[32] = "";

    if (!on) {
        snprintf(buf, len, "disable name=%s", f->points[point]);
        return;
    }
    if (f->failnum != 1)
        snprintf(fn, sizeof(fn), ",failnum=%" PRIu64, f->failnum);
    if (f->probability >= 1)
        snprintf(buf, len, "enable name=%s%s", f->points[point], fn);
    else
        snprintf(buf, len, "enable_random name=%s,probability=%.9g%s", f->points[point],
                 f->probability, fn);
}

/* Whether pid has libfiu's POSIX preload mapped: without it the points
 * would switch on and nothing would ever fail. */
static int fs__fiu_preloaded(const char *name, int pid, char *err, size_t errlen)
{
    char path[64], line[512];
    FILE *maps;
    int found = 0;

    snprintf(path, sizeof(path), "/proc/%d/maps", pid);
    if ((maps = fopen(path, "re")) == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -errno;
    }
    while (!found && fgets(line, sizeof(line), maps) != NULL)
        found = strstr(line, "/" FS__FIU_POSIX_SO) != NULL;
    fclose(maps);
    if (!found) {
        snprintf(err, errlen, "%s (pid %d) runs without %s", name, pid, FS__FIU_POSIX_SO);
        return -ENOEXEC;
    }
    return 0;
}

/* Switches the first upto points off in proc; returns 0 or the first
 * error. libfiu refuses to disable a point that is not on: then it is
 * already off (another fault on the same point was reverted first), which
 * is what revert wants, so it is noted, not failed. */
static int fs__fiu_proc_off(const fs_inj_fiu_t *f, fs_inj_env_t *env, fs_proc_t *proc, size_t upto,
                            char *err, size_t errlen)
{
    char cmd[FS__FIU_CMD_MAX], e[256];
    int rc = 0, r;

    for (size_t k = 0; k < upto; k++) {
        fs__fiu_cmd(f, k, 0, cmd, sizeof(cmd));
        r = fs_inj_env_fiu(env, proc, cmd, e, sizeof(e));
        if (r == -EINVAL)
            fs_inj_env_event(env, "fault.skipped", fs_proc_name(proc), "%s %s: already off",
                             f->posix ? "posix" : "fiu", f->points[k]);
        else if (r < 0 && rc == 0) {
            rc = r;
            snprintf(err, errlen, "%s: %s", fs_proc_name(proc), e);
        }
    }
    return rc;
}

/* Switches every point on in proc: all of them or, after a failure, none.
 * Returns the pid they are on in, or a negative code with err filled. */
static int fs__fiu_proc_on(const fs_inj_fiu_t *f, fs_inj_env_t *env, fs_proc_t *proc, char *err,
                           size_t errlen)
{
    char cmd[FS__FIU_CMD_MAX], e[256];
    int pid = fs_proc_pid(proc), rc;

    if (pid <= 0) {
        snprintf(err, errlen, "%s is not running", fs_proc_name(proc));
        return -ESRCH;
    }
    if (f->posix && (rc = fs__fiu_preloaded(fs_proc_name(proc), pid, err, errlen)) < 0)
        return rc;
    for (size_t k = 0; k < f->npoints; k++) {
        fs__fiu_cmd(f, k, 1, cmd, sizeof(cmd));
        if ((rc = fs_inj_env_fiu(env, proc, cmd, err, errlen)) < 0) {
            fs__fiu_proc_off(f, env, proc, k, e, sizeof(e));
            return rc;
        }
    }
    return pid;
}

int fs__inj_fiu_apply(void *state, fs_inj_env_t *env, char *err, size_t errlen)
{
    fs_inj_fiu_t *f = state;
    fs_proc_t *procs[FS_MAX_NODES];
    char e[256];
    size_t n, on = 0;
    int rc = -ENOENT, failed = 0;

    if (f->applied) {
        snprintf(err, errlen, "already applied");
        return -EALREADY;
    }
    n = fs_inj_env_procs(env, &f->target, procs, FS_MAX_NODES);
    snprintf(err, errlen, "no process of that target in this fleet");
    for (size_t i = 0; i < n; i++) {
        int pid = fs__fiu_proc_on(f, env, procs[i], e, sizeof(e));

        f->pids[i] = pid > 0 ? pid : 0;
        if (pid > 0) {
            on++;
            continue;
        }
        /* The others still get the fault; the first reason is the fault's. */
        if (n > 1)
            fs_inj_env_event(env, "fault.skipped", fs_proc_name(procs[i]), "%s %s: %s",
                             f->posix ? "posix" : "fiu", f->points[0], e);
        if (!failed) {
            failed = 1;
            rc = pid;
            snprintf(err, errlen, "%s", e);
        }
    }
    if (on == 0)
        return rc;
    f->nprocs = n;
    f->applied = 1;
    return 0;
}

int fs__inj_fiu_revert(void *state, fs_inj_env_t *env, char *err, size_t errlen)
{
    fs_inj_fiu_t *f = state;
    fs_proc_t *procs[FS_MAX_NODES];
    size_t n = fs_inj_env_procs(env, &f->target, procs, FS_MAX_NODES);
    int rc = 0;

    for (size_t i = 0; i < f->nprocs && i < n; i++) {
        if (f->pids[i] == 0)
            continue;
        /* A new incarnation started with every point off. */
        if (fs_proc_pid(procs[i]) != f->pids[i]) {
            fs_inj_env_event(env, "fault.skipped", fs_proc_name(procs[i]),
                             "%s %s: pid %d is gone, nothing to switch off",
                             f->posix ? "posix" : "fiu", f->points[0], f->pids[i]);
            continue;
        }
        if (fs__fiu_proc_off(f, env, procs[i], f->npoints, rc == 0 ? err : NULL,
                             rc == 0 ? errlen : 0) < 0 &&
            rc == 0)
            rc = -EIO;
    }
    memset(f->pids, 0, sizeof(f->pids));
    f->nprocs = 0;
    f->applied = 0;
    return rc;
}
