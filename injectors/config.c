/* config.* faults, parse side: which key, what is wrong with the version
 * that gets published, and whether it flaps. apply/revert publish through
 * configstore and are added with the run (issue 4). */
#include "inj_config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configgen.h"
#include "duration.h"
#include "fs_json.h"
#include "jfield.h"

static const char *const fs__config_keys[] = {FS_INJ_CONFIG_KEY_FEATURES, FS_INJ_CONFIG_KEY_WAF,
                                              NULL};

static int fs__config_rule_ok(const char *id)
{
    for (const char *p = id; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return 0;
    }
    return 1;
}

static int fs__config_flap(const cJSON *fault, const fs_inj_parse_ctx_t *ctx, fs_inj_config_t *c,
                           char *err, size_t errlen)
{
    static const char *const fields[] = {"every", "bad_share", NULL};
    const cJSON *flap = cJSON_GetObjectItemCaseSensitive(fault, "flap");
    char path[64], a[32], b[32];
    uint64_t for_ms = 0;

    if (flap == NULL)
        return 0;
    fs_json_path_key(path, sizeof(path), ctx->path, "flap");
    if (fs_jfield_check(flap, path, "flap", fields, NULL, err, errlen) < 0 ||
        fs_jfield_duration(flap, path, "every", 1, ctx->time_scale, &c->flap_every_ms, err,
                           errlen) < 0)
        return -EINVAL;
    c->flap = 1;
    c->flap_bad_share = 0.5;
    if (fs_jfield_number(flap, path, "bad_share", 0, 0, 1, &c->flap_bad_share, err, errlen) < 0)
        return -EINVAL;
    if (c->flap_every_ms == 0)
        return fs_jfield_fail(err, errlen, path, "every", "must be longer than 0");
    /* The loader has checked "for" already; a period longer than the fault
     * would never re-publish, which is surely not what was meant. */
    if (fs_jfield_duration(fault, ctx->path, "for", 1, ctx->time_scale, &for_ms, err, errlen) < 0)
        return -EINVAL;
    if (c->flap_every_ms >= for_ms)
        return fs_jfield_fail(err, errlen, path, "every",
                              "%s is not shorter than the fault (for %s): it would never flap",
                              fs_duration_format(c->flap_every_ms, a, sizeof(a)),
                              fs_duration_format(for_ms, b, sizeof(b)));
    return 0;
}

/* A file of size bytes (the value of key) must fit the cap on what the
 * harness publishes: configstore would refuse it half-way through a run. */
static int fs__config_cap(const fs_inj_parse_ctx_t *ctx, const char *key, const char *what,
                          uint64_t size, char *err, size_t errlen)
{
    uint64_t cap = ctx->max_config_bytes ? ctx->max_config_bytes : FS_INJ_CONFIG_CAP_MAX;

    if (size <= cap)
        return 0;
    return fs_jfield_fail(err, errlen, ctx->path, key,
                          "%s%" PRIu64 " bytes, over the cap of %" PRIu64
                          " bytes on a config the harness publishes (%s)",
                          what, size, cap,
                          cap < FS_INJ_CONFIG_CAP_MAX ? "set by --max-config-bytes"
                                                      : "the most configstore takes");
}

static int fs__config_oversize(const cJSON *fault, const fs_inj_parse_ctx_t *ctx,
                               fs_inj_config_t *c, char *err, size_t errlen)
{
    int has_f = cJSON_GetObjectItemCaseSensitive(fault, "features") != NULL;
    int has_b = cJSON_GetObjectItemCaseSensitive(fault, "bytes") != NULL;
    char what[64];

    if (has_f && has_b)
        return fs_jfield_fail(err, errlen, ctx->path, "bytes", "give features or bytes, not both");
    if (!has_f && !has_b)
        return fs_jfield_fail(err, errlen, ctx->path, "features",
                              "missing (config.oversize needs features or bytes)");
    if (has_f) {
        if (strcmp(c->key, FS_INJ_CONFIG_KEY_FEATURES) != 0)
            return fs_jfield_fail(err, errlen, ctx->path, "features",
                                  "only %s has features; use bytes for %s",
                                  FS_INJ_CONFIG_KEY_FEATURES, c->key);
        if (fs_jfield_uint(fault, ctx->path, "features", 1, 1, 1000000, &c->features, err, errlen) <
            0)
            return -EINVAL;
        snprintf(what, sizeof(what), "%" PRIu64 " rows make a file of ", c->features);
        return fs__config_cap(ctx, "features", what, fs_configgen_features_size(c->features, 1),
                              err, errlen);
    }
    if (fs_jfield_uint(fault, ctx->path, "bytes", 1, 1, (UINT64_C(1) << 53) - 1, &c->bytes, err,
                       errlen) < 0)
        return -EINVAL;
    return fs__config_cap(ctx, "bytes", "", c->bytes, err, errlen);
}

/* at_byte must cut the good file short: at or past its end, the fault
 * would publish the good file whole (it used to fall back to half). */
static int fs__config_truncated(const cJSON *fault, const fs_inj_parse_ctx_t *ctx,
                                fs_inj_config_t *c, char *err, size_t errlen)
{
    uint64_t good;
    char *waf = NULL;
    size_t len = 0;

    if (fs_jfield_uint(fault, ctx->path, "at_byte", 0, 1, FS_INJ_CONFIG_MAX_BYTES, &c->at_byte, err,
                       errlen) != 0)
        return cJSON_GetObjectItemCaseSensitive(fault, "at_byte") ? -EINVAL : 0;
    if (strcmp(c->key, FS_INJ_CONFIG_KEY_FEATURES) == 0) {
        good = fs_configgen_features_size(ctx->features, 1);
    } else {
        if (fs_configgen_waf(NULL, &waf, &len) < 0)
            return -ENOMEM;
        free(waf);
        good = len;
    }
    if (c->at_byte < good)
        return 0;
    return fs_jfield_fail(
        err, errlen, ctx->path, "at_byte",
        "%" PRIu64 " does not cut the good %s file short: it is %" PRIu64 " bytes%s", c->at_byte,
        c->key, good,
        strcmp(c->key, FS_INJ_CONFIG_KEY_FEATURES) == 0 ? " (see $.fleet.features)" : "");
}

static int fs__config_parse(fs_inj_config_kind_t kind, const cJSON *fault,
                            const fs_inj_parse_ctx_t *ctx, void **state, char *err, size_t errlen)
{
    fs_inj_config_t *c = calloc(1, sizeof(*c));
    const char *rule = NULL;
    uint64_t v;
    int key = 0;

    *state = NULL;
    if (c == NULL)
        return -ENOMEM;
    c->kind = kind;
    c->copies = 2;
    /* Both kinds say what is wrong with one particular key. */
    if (kind == FS_INJ_CONFIG_KILLSWITCH)
        key = 1;
    else if (kind == FS_INJ_CONFIG_POISONED_WEIGHTS)
        key = 0;
    else if (fs_jfield_enum(fault, ctx->path, "key", 0, fs__config_keys, &key, err, errlen) < 0)
        goto fail;
    snprintf(c->key, sizeof(c->key), "%s", fs__config_keys[key]);
    switch (kind) {
    case FS_INJ_CONFIG_OVERSIZE:
        if (fs__config_oversize(fault, ctx, c, err, errlen) < 0)
            goto fail;
        break;
    case FS_INJ_CONFIG_DUPLICATE_ROWS:
        v = c->copies;
        if (fs_jfield_uint(fault, ctx->path, "copies", 0, 2, 100, &v, err, errlen) < 0)
            goto fail;
        c->copies = (unsigned)v;
        break;
    case FS_INJ_CONFIG_TRUNCATED:
        if (fs__config_truncated(fault, ctx, c, err, errlen) < 0)
            goto fail;
        break;
    case FS_INJ_CONFIG_KILLSWITCH:
        if (fs_jfield_string(fault, ctx->path, "rule", 1, 64, &rule, err, errlen) != 0)
            goto fail;
        if (!fs__config_rule_ok(rule)) {
            fs_jfield_fail(err, errlen, ctx->path, "rule",
                           "a rule id is letters, digits, '.', '_' and '-'");
            goto fail;
        }
        snprintf(c->rule, sizeof(c->rule), "%s", rule);
        break;
    default:
        break;
    }
    if (fs__config_flap(fault, ctx, c, err, errlen) < 0)
        goto fail;
    *state = c;
    return 0;

fail:
    free(c);
    return -EINVAL;
}

/* Whoever reads the key is faulted: botmods poll bot/features, proxies
 * poll waf/rules. */
static void fs__config_faults(const void *state, uint8_t faulted[FS_IF_COUNT])
{
    const fs_inj_config_t *c = state;

    if (strcmp(c->key, FS_INJ_CONFIG_KEY_FEATURES) == 0)
        faulted[FS_IF_BOTMOD_CONFIGSTORE] = 1;
    else
        faulted[FS_IF_PROXY_CONFIGSTORE] = 1;
}

static const char *fs__config_describe(const void *state, char *buf, size_t len)
{
    const fs_inj_config_t *c = state;
    char what[96], flap[96] = "", d[32];

    switch (c->kind) {
    case FS_INJ_CONFIG_OVERSIZE:
        if (c->features)
            snprintf(what, sizeof(what), "oversize, %" PRIu64 " features", c->features);
        else
            snprintf(what, sizeof(what), "oversize, %" PRIu64 " bytes", c->bytes);
        break;
    case FS_INJ_CONFIG_DUPLICATE_ROWS:
        snprintf(what, sizeof(what), "with every row %u times", c->copies);
        break;
    case FS_INJ_CONFIG_MALFORMED:
        snprintf(what, sizeof(what), "malformed");
        break;
    case FS_INJ_CONFIG_TRUNCATED:
        if (c->at_byte)
            snprintf(what, sizeof(what), "truncated at byte %" PRIu64, c->at_byte);
        else
            snprintf(what, sizeof(what), "truncated to half its size");
        break;
    case FS_INJ_CONFIG_WRONG_TYPE:
        snprintf(what, sizeof(what), "with a field of the wrong type");
        break;
    case FS_INJ_CONFIG_EMPTY:
        snprintf(what, sizeof(what), "empty");
        break;
    case FS_INJ_CONFIG_POISONED_WEIGHTS:
        snprintf(what, sizeof(what), "with full bot weight on method:GET and method:POST");
        break;
    default:
        snprintf(what, sizeof(what), "with rule %s killswitched", c->rule);
        break;
    }
    if (c->flap)
        snprintf(flap, sizeof(flap), ", flapping every %s (%g bad)",
                 fs_duration_format(c->flap_every_ms, d, sizeof(d)), c->flap_bad_share);
    snprintf(buf, len, "publish %s %s%s", c->key, what, flap);
    return buf;
}

static void fs__config_free(void *state)
{
    free(state);
}

#define FS__CONFIG_KIND(name, KIND, ...)                                                           \
    static int fs__config_parse_##name(const cJSON *fault, const fs_inj_parse_ctx_t *ctx,          \
                                       void **state, char *err, size_t errlen)                     \
    {                                                                                              \
        return fs__config_parse(KIND, fault, ctx, state, err, errlen);                             \
    }                                                                                              \
    static const char *const fs__config_fields_##name[] = {__VA_ARGS__, NULL};                     \
    const fs_inj_ops_t fs_inj_config_##name##_ops = {                                              \
        .kind = "config." #name,                                                                   \
        .fields = fs__config_fields_##name,                                                        \
        .needs_for = 1,                                                                            \
        .parse = fs__config_parse_##name,                                                          \
        .faults = fs__config_faults,                                                               \
        .apply = fs__inj_config_apply,                                                             \
        .revert = fs__inj_config_revert,                                                           \
        .describe = fs__config_describe,                                                           \
        .free = fs__config_free,                                                                   \
    };

FS__CONFIG_KIND(oversize, FS_INJ_CONFIG_OVERSIZE, "key", "features", "bytes", "flap")
FS__CONFIG_KIND(duplicate_rows, FS_INJ_CONFIG_DUPLICATE_ROWS, "key", "copies", "flap")
FS__CONFIG_KIND(malformed, FS_INJ_CONFIG_MALFORMED, "key", "flap")
FS__CONFIG_KIND(truncated, FS_INJ_CONFIG_TRUNCATED, "key", "at_byte", "flap")
FS__CONFIG_KIND(wrong_type, FS_INJ_CONFIG_WRONG_TYPE, "key", "flap")
FS__CONFIG_KIND(empty, FS_INJ_CONFIG_EMPTY, "key", "flap")
FS__CONFIG_KIND(killswitch, FS_INJ_CONFIG_KILLSWITCH, "rule", "flap")
FS__CONFIG_KIND(poisoned_weights, FS_INJ_CONFIG_POISONED_WEIGHTS, "flap")
