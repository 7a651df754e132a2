/* link.* faults, parse side: which links, what to do to their traffic and
 * how often. apply/revert drive the link's fault hooks and are added with
 * the run (issue 4). */
#include "inj_link.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "duration.h"
#include "inj_util.h"
#include "jfield.h"

static const char *const fs__link_dirs[] = {"request", "response", "both", NULL};

const char *fs_inj_dir_name(fs_inj_dir_t d)
{
    return (unsigned)d <= FS_INJ_DIR_BOTH ? fs__link_dirs[d] : "?";
}

/* Latency parameters are times, so --time-scale stretches them too. */
static int fs__link_ms(const cJSON *fault, const fs_inj_parse_ctx_t *ctx, const char *key,
                       int required, uint64_t *out, char *err, size_t errlen)
{
    int rc =
        fs_jfield_uint(fault, ctx->path, key, required, 0, FS_INJ_LINK_MAX_MS, out, err, errlen);

    if (rc == 0)
        *out = fs_duration_scale(*out, ctx->time_scale);
    return rc < 0 ? -EINVAL : 0;
}

static int fs__link_parse(fs_inj_link_kind_t kind, const cJSON *fault,
                          const fs_inj_parse_ctx_t *ctx, void **state, char *err, size_t errlen)
{
    static const char *const dirs_blackhole[] = {"request", "response", NULL};
    fs_inj_link_t *l = calloc(1, sizeof(*l));
    uint64_t v;
    int dir;

    *state = NULL;
    if (l == NULL)
        return -ENOMEM;
    l->kind = kind;
    if (fs__inj_target(fault, ctx, FS__INJ_T_IFACE | FS__INJ_T_LINK, &l->target, err, errlen) < 0)
        goto fail;
    if (fs_iface_is_entry(l->target.iface)) {
        fs_jfield_fail(err, errlen, ctx->path, "target",
                       "\"%s\": the load generator calls it directly; the harness has links "
                       "only between fleet processes",
                       fs_iface_name(l->target.iface));
        goto fail;
    }
    if (fs__inj_probability(fault, ctx, &l->probability, err, errlen) < 0)
        goto fail;
    dir = kind == FS_INJ_LINK_BANDWIDTH ? FS_INJ_DIR_RESPONSE : FS_INJ_DIR_REQUEST;
    if (fs_jfield_enum(fault, ctx->path, "direction", 0,
                       kind == FS_INJ_LINK_BLACKHOLE ? dirs_blackhole : fs__link_dirs, &dir, err,
                       errlen) < 0)
        goto fail;
    l->direction = (fs_inj_dir_t)dir;
    switch (kind) {
    case FS_INJ_LINK_LATENCY:
        if (fs__link_ms(fault, ctx, "ms", 1, &l->ms, err, errlen) < 0 ||
            fs__link_ms(fault, ctx, "jitter_ms", 0, &l->jitter_ms, err, errlen) < 0)
            goto fail;
        break;
    case FS_INJ_LINK_HTTP_ERROR:
        v = 503;
        if (fs_jfield_uint(fault, ctx->path, "status", 0, 400, 599, &v, err, errlen) < 0)
            goto fail;
        l->status = (int)v;
        break;
    case FS_INJ_LINK_BANDWIDTH:
        if (fs_jfield_uint(fault, ctx->path, "bytes_per_s", 1, 1, UINT64_C(1) << 40,
                           &l->bytes_per_s, err, errlen) < 0)
            goto fail;
        break;
    default:
        break;
    }
    *state = l;
    return 0;

fail:
    free(l);
    return -EINVAL;
}

static void fs__link_faults(const void *state, uint8_t faulted[FS_IF_COUNT])
{
    const fs_inj_link_t *l = state;

    faulted[l->target.iface] = 1;
}

static const char *fs__link_describe(const void *state, char *buf, size_t len)
{
    const fs_inj_link_t *l = state;
    char t[64], what[96], p[48];

    fs_target_format(&l->target, t, sizeof(t));
    switch (l->kind) {
    case FS_INJ_LINK_DOWN:
        snprintf(what, sizeof(what), "refuse connections");
        break;
    case FS_INJ_LINK_BLACKHOLE:
        snprintf(what, sizeof(what), "blackhole %ss", fs_inj_dir_name(l->direction));
        break;
    case FS_INJ_LINK_LATENCY:
        if (l->jitter_ms)
            snprintf(what, sizeof(what), "latency %" PRIu64 "±%" PRIu64 " ms (%s)", l->ms,
                     l->jitter_ms, fs_inj_dir_name(l->direction));
        else
            snprintf(what, sizeof(what), "latency %" PRIu64 " ms (%s)", l->ms,
                     fs_inj_dir_name(l->direction));
        break;
    case FS_INJ_LINK_RESET:
        snprintf(what, sizeof(what), "reset mid-response");
        break;
    case FS_INJ_LINK_HTTP_ERROR:
        snprintf(what, sizeof(what), "answer HTTP %d", l->status);
        break;
    default:
        snprintf(what, sizeof(what), "bandwidth %" PRIu64 " B/s (%s)", l->bytes_per_s,
                 fs_inj_dir_name(l->direction));
        break;
    }
    snprintf(buf, len, "%s on %s%s", what, t,
             fs__inj_probability_text(l->probability, p, sizeof(p)));
    return buf;
}

static void fs__link_free(void *state)
{
    free(state);
}

#define FS__LINK_KIND(name, KIND, ...)                                                             \
    static int fs__link_parse_##name(const cJSON *fault, const fs_inj_parse_ctx_t *ctx,            \
                                     void **state, char *err, size_t errlen)                       \
    {                                                                                              \
        return fs__link_parse(KIND, fault, ctx, state, err, errlen);                               \
    }                                                                                              \
    static const char *const fs__link_fields_##name[] = {__VA_ARGS__, NULL};                       \
    const fs_inj_ops_t fs_inj_link_##name##_ops = {                                                \
        .kind = "link." #name,                                                                     \
        .fields = fs__link_fields_##name,                                                          \
        .needs_for = 1,                                                                            \
        .parse = fs__link_parse_##name,                                                            \
        .faults = fs__link_faults,                                                                 \
        .apply = fs__inj_link_apply,                                                               \
        .revert = fs__inj_link_revert,                                                             \
        .describe = fs__link_describe,                                                             \
        .free = fs__link_free,                                                                     \
    };

FS__LINK_KIND(down, FS_INJ_LINK_DOWN, "target", "probability")
FS__LINK_KIND(blackhole, FS_INJ_LINK_BLACKHOLE, "target", "probability", "direction")
FS__LINK_KIND(latency, FS_INJ_LINK_LATENCY, "target", "ms", "jitter_ms", "probability", "direction")
FS__LINK_KIND(reset, FS_INJ_LINK_RESET, "target", "probability")
FS__LINK_KIND(http_error, FS_INJ_LINK_HTTP_ERROR, "target", "status", "probability")
FS__LINK_KIND(bandwidth, FS_INJ_LINK_BANDWIDTH, "target", "bytes_per_s", "probability", "direction")
