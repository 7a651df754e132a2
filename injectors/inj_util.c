/* Shared parse helpers of the injector families. */
#include "inj_util.h"

#include <stdio.h>
#include <errno.h>

#include "jfield.h"

int fs__inj_target(const cJSON *fault, const fs_inj_parse_ctx_t *ctx, int allowed, fs_target_t *out,
                   char *err, size_t errlen)
{
    const char *text = NULL;
    char why[256];
    int rc;

    rc = fs_jfield_string(fault, ctx->path, "target", 1, 128, &text, err, errlen);
    if (rc != 0)
        return -EINVAL;
    if (fs_target_parse(text, ctx->nodes, out, why, sizeof(why)) < 0)
        return fs_jfield_fail(err, errlen, ctx->path, "target", "%s", why);
    if (!(allowed & (1 << out->kind))) {
        const char *want = allowed & FS__INJ_T_IFACE
                               ? "an interface (proxy->botmod) or a link (proxy[1]->botmod[1])"
                               : "a service (botmod) or an instance (botmod[2])";

        return fs_jfield_fail(err, errlen, ctx->path, "target", "\"%s\": expected %s",
                              fs_target_format(out, why, sizeof(why)), want);
    }
    if ((out->kind == FS_TARGET_SERVICE || out->kind == FS_TARGET_INSTANCE) &&
        !fs_svc_is_process(out->svc))
        return fs_jfield_fail(err, errlen, ctx->path, "target",
                              "\"%s\": the load generator is not a fleet process",
                              fs_svc_name(out->svc));
    return 0;
}

int fs__inj_probability(const cJSON *fault, const fs_inj_parse_ctx_t *ctx, double *out, char *err,
                        size_t errlen)
{
    *out = 1;
    return fs_jfield_number(fault, ctx->path, "probability", 0, 0, 1, out, err, errlen) < 0
               ? -EINVAL
               : 0;
}

const char *fs__inj_probability_text(double p, char *buf, size_t len)
{
    if (p >= 1)
        snprintf(buf, len, "%s", "");
    else
        snprintf(buf, len, " with probability %g", p);
    return buf;
}

void fs__inj_fault_into(fs_svc_t svc, uint8_t faulted[FS_IF_COUNT])
{
    for (int i = 0; i < FS_IF_COUNT; i++) {
        if (fs_iface_to((fs_iface_t)i) == svc)
            faulted[i] = 1;
    }
}
