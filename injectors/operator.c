/* operator.rollback, parse side: which key the operator rolls back, as whom,
 * and how often they try again. It faults no interface: it is the repair,
 * and whether it works is what the scenario shows. */
#include "inj_operator.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "jfield.h"

static const char *const fs__op_keys[] = {"bot/features", "waf/rules", NULL};

static int fs__op_parse(const cJSON *fault, const fs_inj_parse_ctx_t *ctx, void **state, char *err,
                        size_t errlen)
{
    fs_inj_operator_t *o = calloc(1, sizeof(*o));
    const char *user = "oncall";
    char a[32], b[32];
    int key = 0;

    *state = NULL;
    if (o == NULL)
        return -ENOMEM;
    if (fs_jfield_enum(fault, ctx->path, "key", 0, fs__op_keys, &key, err, errlen) < 0 ||
        fs_jfield_string(fault, ctx->path, "user", 0, FS_INJ_OPERATOR_USER_MAX, &user, err,
                         errlen) < 0 ||
        fs_jfield_duration(fault, ctx->path, "retry_every", 0, ctx->time_scale, &o->retry_every_ms,
                           err, errlen) < 0 ||
        /* The loader has checked "for" already; its length bounds the
         * operator's calls when they do not retry. */
        fs_jfield_duration(fault, ctx->path, "for", 1, ctx->time_scale, &o->for_ms, err, errlen) <
            0)
        goto fail;
    if (cJSON_GetObjectItemCaseSensitive(fault, "retry_every") != NULL) {
        if (o->retry_every_ms == 0) {
            fs_jfield_fail(err, errlen, ctx->path, "retry_every", "must be longer than 0");
            goto fail;
        }
        if (o->retry_every_ms >= o->for_ms) {
            fs_jfield_fail(err, errlen, ctx->path, "retry_every",
                           "%s is not shorter than the action (for %s): it would never retry",
                           fs_duration_format(o->retry_every_ms, a, sizeof(a)),
                           fs_duration_format(o->for_ms, b, sizeof(b)));
            goto fail;
        }
    }
    snprintf(o->key, sizeof(o->key), "%s", fs__op_keys[key]);
    snprintf(o->user, sizeof(o->user), "%s", user);
    snprintf(o->path, sizeof(o->path), "%s", ctx->path);
    *state = o;
    return 0;

fail:
    free(o);
    return -EINVAL;
}

/* A repair acts on no interface directly; what it changes shows in the
 * interfaces the fault it repairs broke. */
static void fs__op_faults(const void *state, uint8_t faulted[FS_IF_COUNT])
{
    (void)state;
    (void)faulted;
}

static const char *fs__op_describe(const void *state, char *buf, size_t len)
{
    const fs_inj_operator_t *o = state;
    char d[32];

    if (o->retry_every_ms)
        snprintf(buf, len,
                 "operator %s rolls back %s through the dashboard, every %s until it works",
                 o->user, o->key, fs_duration_format(o->retry_every_ms, d, sizeof(d)));
    else
        snprintf(buf, len, "operator %s rolls back %s through the dashboard, once", o->user,
                 o->key);
    return buf;
}

static void fs__op_free(void *state)
{
    free(state);
}

static const char *const fs__op_fields[] = {"key", "user", "retry_every", NULL};

const fs_inj_ops_t fs_inj_operator_rollback_ops = {
    .kind = "operator.rollback",
    .fields = fs__op_fields,
    .needs_for = 1,
    .parse = fs__op_parse,
    .faults = fs__op_faults,
    .apply = fs__inj_operator_apply,
    .revert = fs__inj_operator_revert,
    .describe = fs__op_describe,
    .free = fs__op_free,
};
