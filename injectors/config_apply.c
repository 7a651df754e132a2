/* config.* at run time: generate the bad file, publish it through
 * configstore (so the rollout policy decides how far it goes), re-publish
 * good or bad on every flap, and put the good baseline back on revert. */
#include "inj_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "configgen.h"
#include "prng.h"

struct fs__inj_config_rt_s {
    uv_timer_t flap;
    fs_inj_config_t *c;
    fs_inj_env_t *env;
    fs_prng_t rng;
    char *bad;
    size_t bad_len;
};

/* The baseline with every row of its table ("features" or "rules") copies
 * times: what a query returning duplicate rows makes of the same file, for
 * either key. -EINVAL when the baseline has no such table. */
static int fs__config_duplicate(const fs_inj_config_t *c, const char *good, size_t good_len,
                                char **out, size_t *len)
{
    const char *field = strcmp(c->key, FS_INJ_CONFIG_KEY_WAF) == 0 ? "rules" : "features";
    cJSON *doc = cJSON_ParseWithLength(good, good_len), *dup = NULL;
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(doc, field), *row;
    int rc = -EINVAL;

    if (!cJSON_IsArray(rows))
        goto fail;
    rc = -ENOMEM;
    if ((dup = cJSON_CreateArray()) == NULL)
        goto fail;
    cJSON_ArrayForEach(row, rows)
    {
        for (unsigned i = 0; i < c->copies; i++) {
            cJSON *copy = cJSON_Duplicate(row, 1);
            if (copy == NULL || !cJSON_AddItemToArray(dup, copy)) {
                cJSON_Delete(copy);
                goto fail;
            }
        }
    }
    if (!cJSON_ReplaceItemInObjectCaseSensitive(doc, field, dup))
        goto fail;
    dup = NULL; /* doc owns it now */
    rc = fs_configgen_print(doc, out, len);
fail:
    cJSON_Delete(dup);
    cJSON_Delete(doc);
    return rc;
}

/* The bad file for c, built from the good baseline where it needs one. */
static int fs__config_bad(const fs_inj_config_t *c, fs_inj_env_t *env, char **out, size_t *len)
{
    size_t good_len = 0;
    const char *good = fs_inj_env_baseline(env, c->key, &good_len);

    switch (c->kind) {
    case FS_INJ_CONFIG_OVERSIZE:
        if (c->features)
            return fs_configgen_features((unsigned)c->features, 1, out, len);
        return good ? fs_configgen_padded(good, good_len, c->bytes, out, len) : -ENOENT;
    case FS_INJ_CONFIG_DUPLICATE_ROWS:
        return good ? fs__config_duplicate(c, good, good_len, out, len) : -ENOENT;
    case FS_INJ_CONFIG_MALFORMED:
        return fs_configgen_malformed(out, len);
    case FS_INJ_CONFIG_TRUNCATED:
        return good ? fs_configgen_truncated(good, good_len, c->at_byte, out, len) : -ENOENT;
    case FS_INJ_CONFIG_WRONG_TYPE:
        return fs_configgen_wrong_type(c->key, out, len);
    case FS_INJ_CONFIG_EMPTY:
        if ((*out = strdup("")) == NULL)
            return -ENOMEM;
        *len = 0;
        return 0;
    case FS_INJ_CONFIG_KILLSWITCH:
        return fs_configgen_waf(c->rule, out, len);
    case FS_INJ_CONFIG_POISONED_WEIGHTS:
        return good ? fs_configgen_poisoned(good, good_len, out, len) : -ENOENT;
    }
    return -EINVAL;
}

static void fs__config_flap_cb(uv_timer_t *t)
{
    struct fs__inj_config_rt_s *rt = t->data;
    size_t good_len = 0;
    const char *good = fs_inj_env_baseline(rt->env, rt->c->key, &good_len);

    if (fs_prng_chance(&rt->rng, rt->c->flap_bad_share))
        fs_inj_env_publish(rt->env, rt->c->key, rt->bad, rt->bad_len, 1, "flap: bad");
    else if (good != NULL)
        fs_inj_env_publish(rt->env, rt->c->key, good, good_len, 0, "flap: good");
}

int fs__inj_config_apply(void *state, fs_inj_env_t *env, char *err, size_t errlen)
{
    fs_inj_config_t *c = state;
    struct fs__inj_config_rt_s *rt;
    char stream[64];
    int rc;

    if (c->rt != NULL) {
        snprintf(err, errlen, "already applied");
        return -EALREADY;
    }
    if ((rt = calloc(1, sizeof(*rt))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    rt->c = c;
    rt->env = env;
    if ((rc = fs__config_bad(c, env, &rt->bad, &rt->bad_len)) < 0) {
        snprintf(err, errlen, "%s: %s", c->key,
                 rc == -ENOENT   ? "no baseline to derive the bad file from"
                 : rc == -EINVAL ? "the baseline is not a file this fault can derive from"
                                 : strerror(-rc));
        goto fail;
    }
    if ((rc = fs_inj_env_publish(env, c->key, rt->bad, rt->bad_len, 1, "fault")) < 0) {
        snprintf(err, errlen, "%s: cannot publish: %s", c->key, strerror(-rc));
        goto fail;
    }
    /* The stream is named by the fault's key and period, not its address,
     * so the same scenario flaps the same way on every run. */
    snprintf(stream, sizeof(stream), "config.flap.%s.%llu", c->key,
             (unsigned long long)c->flap_every_ms);
    fs_prng_seed(&rt->rng, fs_inj_env_seed(env, stream));
    uv_timer_init(fs_inj_env_loop(env), &rt->flap);
    rt->flap.data = rt;
    if (c->flap)
        uv_timer_start(&rt->flap, fs__config_flap_cb, c->flap_every_ms, c->flap_every_ms);
    c->rt = rt;
    return 0;

fail:
    free(rt->bad);
    free(rt);
    return rc;
}

static void fs__config_rt_free_cb(uv_handle_t *h)
{
    struct fs__inj_config_rt_s *rt = h->data;

    free(rt->bad);
    free(rt);
}

int fs__inj_config_revert(void *state, fs_inj_env_t *env, char *err, size_t errlen)
{
    fs_inj_config_t *c = state;
    size_t good_len = 0;
    const char *good = fs_inj_env_baseline(env, c->key, &good_len);
    int rc = 0;

    if (c->rt == NULL)
        return 0;
    uv_close((uv_handle_t *)&c->rt->flap, fs__config_rt_free_cb);
    c->rt = NULL;
    if (good == NULL || (rc = fs_inj_env_publish(env, c->key, good, good_len, 0, "revert")) < 0) {
        snprintf(err, errlen, "%s: cannot publish the good baseline again", c->key);
        return rc < 0 ? rc : -ENOENT;
    }
    return 0;
}
