/* process.* faults, parse side: whom to signal and with what. apply/revert
 * (through the supervisor, only ever on processes it started) live in
 * process_apply.c. */
#include "inj_process.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "inj_util.h"
#include "jfield.h"

static int fs__process_parse(fs_inj_process_kind_t kind, const cJSON *fault,
                             const fs_inj_parse_ctx_t *ctx, void **state, char *err, size_t errlen)
{
    static const char *const signals[] = {"SEGV", "ABRT", NULL};
    fs_inj_process_t *p = calloc(1, sizeof(*p));
    int sig = 0, rc;

    *state = NULL;
    if (p == NULL)
        return -ENOMEM;
    p->kind = kind;
    p->share = 1;
    if (fs__inj_target(fault, ctx, FS__INJ_T_SERVICE | FS__INJ_T_INSTANCE, &p->target, err,
                       errlen) < 0)
        goto fail;
    rc = fs_jfield_number(fault, ctx->path, "share", 0, 0, 1, &p->share, err, errlen);
    if (rc < 0)
        goto fail;
    if (rc == 0 && p->target.kind == FS_TARGET_INSTANCE) {
        fs_jfield_fail(err, errlen, ctx->path, "share",
                       "a share picks instances of a service; the target names one instance");
        goto fail;
    }
    if (rc == 0 && !(p->share > 0)) {
        fs_jfield_fail(err, errlen, ctx->path, "share", "expected a share above 0, got 0");
        goto fail;
    }
    if (kind == FS_INJ_PROCESS_CRASH || kind == FS_INJ_PROCESS_CRASH_LOOP) {
        if (fs_jfield_enum(fault, ctx->path, "signal", 0, signals, &sig, err, errlen) < 0)
            goto fail;
        p->signal = sig == 0 ? SIGSEGV : SIGABRT;
    }
    *state = p;
    return 0;

fail:
    free(p);
    return -EINVAL;
}

/* A hang stops the process (SIGSTOP), and a stopped process acts on no
 * signal but SIGKILL until it is continued: a second hang ends with the
 * first one's revert, and a crash, crash loop or restart meant for the
 * hang's time comes only at its revert. Targets that may be the same
 * process (the same service, whatever the share) count as the same. */
static int fs__process_conflicts(const void *a_, const void *b_, char *why, size_t len)
{
    const fs_inj_process_t *a = a_, *b = b_, *hang, *other;
    const char *sig;
    char t[64];

    if (a->target.svc != b->target.svc ||
        (a->target.kind == FS_TARGET_INSTANCE && b->target.kind == FS_TARGET_INSTANCE &&
         a->target.index != b->target.index))
        return 0;
    hang = a->kind == FS_INJ_PROCESS_HANG ? a : b->kind == FS_INJ_PROCESS_HANG ? b : NULL;
    if (hang == NULL)
        return 0;
    other = hang == a ? b : a;
    fs_target_format(other->target.kind == FS_TARGET_INSTANCE ? &other->target : &hang->target, t,
                     sizeof(t));
    switch (other->kind) {
    case FS_INJ_PROCESS_HANG:
        snprintf(why, len,
                 "both hang %s, and the first revert (SIGCONT) would end the other hang too", t);
        return 1;
    case FS_INJ_PROCESS_KILL:
        return 0; /* SIGKILL needs no SIGCONT */
    case FS_INJ_PROCESS_RESTART:
        sig = "SIGTERM";
        break;
    default:
        sig = other->signal == SIGABRT ? "SIGABRT" : "SIGSEGV";
        break;
    }
    snprintf(why, len,
             "%s is stopped by the hang then, and a stopped process acts on %s only once it is "
             "continued: it would come at the hang's revert, not when the scenario says",
             t, sig);
    return 1;
}

/* A process fault in B faults every X->B. */
static void fs__process_faults(const void *state, uint8_t faulted[FS_IF_COUNT])
{
    const fs_inj_process_t *p = state;

    fs__inj_fault_into(p->target.svc, faulted);
}

static const char *fs__process_describe(const void *state, char *buf, size_t len)
{
    static const char *const verbs[] = {"crash", "kill", "hang", "crash-loop", "restart"};
    const fs_inj_process_t *p = state;
    char t[64], share[48] = "", sig[24] = "";

    fs_target_format(&p->target, t, sizeof(t));
    if (p->target.kind == FS_TARGET_SERVICE && p->share < 1)
        snprintf(share, sizeof(share), " (a share of %g)", p->share);
    if (p->signal)
        snprintf(sig, sizeof(sig), " with SIG%s", p->signal == SIGABRT ? "ABRT" : "SEGV");
    snprintf(buf, len, "%s %s%s%s", verbs[p->kind], t, share, sig);
    return buf;
}

static void fs__process_free(void *state)
{
    if (state != NULL)
        fs__inj_process_release(state);
    free(state);
}

#define FS__PROCESS_KIND(name, KIND, needs_for_, ...)                                              \
    static int fs__process_parse_##name(const cJSON *fault, const fs_inj_parse_ctx_t *ctx,         \
                                        void **state, char *err, size_t errlen)                    \
    {                                                                                              \
        return fs__process_parse(KIND, fault, ctx, state, err, errlen);                            \
    }                                                                                              \
    static const char *const fs__process_fields_##name[] = {__VA_ARGS__, NULL};                    \
    const fs_inj_ops_t fs_inj_process_##name##_ops = {                                             \
        .kind = "process." #name,                                                                  \
        .fields = fs__process_fields_##name,                                                       \
        .needs_for = needs_for_,                                                                   \
        .parse = fs__process_parse_##name,                                                         \
        .faults = fs__process_faults,                                                              \
        .apply = fs__inj_process_apply,                                                            \
        .revert = fs__inj_process_revert,                                                          \
        .conflicts = fs__process_conflicts,                                                        \
        .describe = fs__process_describe,                                                          \
        .free = fs__process_free,                                                                  \
    };

/* Crash, kill and restart are instant: the supervisor decides what comes
 * next. Hang and crash loop last until reverted. */
FS__PROCESS_KIND(crash, FS_INJ_PROCESS_CRASH, -1, "target", "share", "signal")
FS__PROCESS_KIND(kill, FS_INJ_PROCESS_KILL, -1, "target", "share")
FS__PROCESS_KIND(hang, FS_INJ_PROCESS_HANG, 1, "target", "share")
FS__PROCESS_KIND(crash_loop, FS_INJ_PROCESS_CRASH_LOOP, 1, "target", "share", "signal")
FS__PROCESS_KIND(restart, FS_INJ_PROCESS_RESTART, -1, "target", "share")
