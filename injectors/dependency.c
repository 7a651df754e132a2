/* dependency.outage, parse side: which service and how it is gone.
 * apply/revert (dependency_apply.c) act on every link into it. */
#include "inj_dependency.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "jfield.h"

static const char *const fs__dep_modes[] = {"refused", "blackhole", "empty", NULL};
/* The services other fleet processes depend on. */
static const char *const fs__dep_targets[] = {"configstore", "origin", "botmod", NULL};

const char *fs_inj_outage_mode_name(fs_inj_outage_mode_t m)
{
    return (unsigned)m <= FS_INJ_OUTAGE_EMPTY ? fs__dep_modes[m] : "?";
}

static int fs__dep_parse(const cJSON *fault, const fs_inj_parse_ctx_t *ctx, void **state, char *err,
                         size_t errlen)
{
    fs_inj_dependency_t *d = calloc(1, sizeof(*d));
    int target = 0, mode = FS_INJ_OUTAGE_REFUSED;

    *state = NULL;
    if (d == NULL)
        return -ENOMEM;
    if (fs_jfield_enum(fault, ctx->path, "target", 1, fs__dep_targets, &target, err, errlen) < 0 ||
        fs_jfield_enum(fault, ctx->path, "mode", 0, fs__dep_modes, &mode, err, errlen) < 0) {
        free(d);
        return -EINVAL;
    }
    fs_svc_parse(fs__dep_targets[target], &d->svc);
    d->mode = (fs_inj_outage_mode_t)mode;
    *state = d;
    return 0;
}

static void fs__dep_faults(const void *state, uint8_t faulted[FS_IF_COUNT])
{
    const fs_inj_dependency_t *d = state;

    for (int i = 0; i < FS_IF_COUNT; i++) {
        if (fs_iface_to((fs_iface_t)i) == d->svc)
            faulted[i] = 1;
    }
}

static const char *fs__dep_describe(const void *state, char *buf, size_t len)
{
    static const char *const how[] = {"refusing connections", "accepting and never answering",
                                      "answering 200 with an empty body"};
    const fs_inj_dependency_t *d = state;

    snprintf(buf, len, "outage of %s: %s", fs_svc_name(d->svc), how[d->mode]);
    return buf;
}

static void fs__dep_free(void *state)
{
    free(state);
}

static const char *const fs__dep_fields[] = {"target", "mode", NULL};

const fs_inj_ops_t fs_inj_dependency_outage_ops = {
    .kind = "dependency.outage",
    .fields = fs__dep_fields,
    .needs_for = 1,
    .parse = fs__dep_parse,
    .faults = fs__dep_faults,
    .apply = fs__inj_dependency_apply,
    .revert = fs__inj_dependency_revert,
    .describe = fs__dep_describe,
    .free = fs__dep_free,
};
