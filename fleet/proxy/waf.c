/* WAF rules: loading and evaluation. The rule table mirrors the Lua engine
 * whose 2025-12-05 failure this reproduces: each rule carries an `execute`
 * table; the killswitch skips a rule by leaving `execute` unset, and the old
 * engine's post-processing pass indexes `execute` on every rule. */
#include "waf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_json.h"

/* What a rule runs when it matches; NULL in a rule once killswitched. */
typedef struct {
    fs_waf_action_t action;
} fs__waf_exec_t;

static const fs__waf_exec_t fs__waf_exec_block = {FS_WAF_ACTION_BLOCK};
static const fs__waf_exec_t fs__waf_exec_log = {FS_WAF_ACTION_LOG};

typedef struct {
    char id[FS_WAF_MAX_ID + 1];
    char *prefix;
    size_t prefix_len;
    const fs__waf_exec_t *execute;
} fs__waf_rule_t;

struct fs_waf_rules_s {
    uint64_t version;
    size_t n;
    size_t killed;
    fs__waf_rule_t *rules;
};

static int fs__waf_fail(char *err, size_t errlen, const char *path, const char *msg)
{
    snprintf(err, errlen, "%s: %s", path, msg);
    return -EINVAL;
}

static int fs__waf_has_ctl(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    }
    return 0;
}

/* A string member of 1..max bytes without control characters. */
static int fs__waf_string(const cJSON *obj, const char *parent, const char *key, size_t max,
                          const char **out, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char path[256];
    size_t len;

    fs_json_path_key(path, sizeof(path), parent, key);
    if (v == NULL)
        return fs__waf_fail(err, errlen, path, "required");
    if (!cJSON_IsString(v) || v->valuestring == NULL)
        return fs__waf_fail(err, errlen, path, "expected a string");
    len = strlen(v->valuestring);
    if (len == 0 || len > max) {
        snprintf(err, errlen, "%s: expected 1..%zu bytes, got %zu", path, max, len);
        return -EINVAL;
    }
    if (fs__waf_has_ctl(v->valuestring))
        return fs__waf_fail(err, errlen, path, "control character in string");
    *out = v->valuestring;
    return 0;
}

static int fs__waf_rule(const cJSON *item, const char *path, fs__waf_rule_t *rule, char *err,
                        size_t errlen)
{
    const char *id, *prefix, *action;
    char apath[256];
    int rc;

    if (!cJSON_IsObject(item))
        return fs__waf_fail(err, errlen, path, "expected an object");
    if ((rc = fs__waf_string(item, path, "id", FS_WAF_MAX_ID, &id, err, errlen)) < 0)
        return rc;
    rc = fs__waf_string(item, path, "path_prefix", FS_WAF_MAX_PATH, &prefix, err, errlen);
    if (rc < 0)
        return rc;
    if (prefix[0] != '/')
        return fs__waf_fail(err, errlen,
                            fs_json_path_key(apath, sizeof(apath), path, "path_prefix"),
                            "must start with '/'");
    if ((rc = fs__waf_string(item, path, "action", 16, &action, err, errlen)) < 0)
        return rc;
    if (strcmp(action, "block") == 0) {
        rule->execute = &fs__waf_exec_block;
    } else if (strcmp(action, "log") == 0) {
        rule->execute = &fs__waf_exec_log;
    } else {
        return fs__waf_fail(err, errlen, fs_json_path_key(apath, sizeof(apath), path, "action"),
                            "expected \"block\" or \"log\"");
    }
    snprintf(rule->id, sizeof(rule->id), "%s", id);
    rule->prefix_len = strlen(prefix);
    rule->prefix = strdup(prefix);
    return rule->prefix ? 0 : -ENOMEM;
}

static int fs__waf_version(const cJSON *root, uint64_t *out, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "version");

    *out = 0;
    if (v == NULL)
        return 0;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
        v->valuedouble > 9007199254740992.0 || floor(v->valuedouble) != v->valuedouble)
        return fs__waf_fail(err, errlen, "$.version", "expected a non-negative integer");
    *out = (uint64_t)v->valuedouble;
    return 0;
}

/* Unsets `execute` on every rule the killswitch names, as the engine does. */
static int fs__waf_killswitch(const cJSON *root, fs_waf_rules_t *r, char *err, size_t errlen)
{
    const cJSON *ks = cJSON_GetObjectItemCaseSensitive(root, "killswitch");
    const cJSON *item;
    char path[64];
    int i = 0;

    if (ks == NULL)
        return 0;
    if (!cJSON_IsArray(ks))
        return fs__waf_fail(err, errlen, "$.killswitch", "expected an array");
    if (cJSON_GetArraySize(ks) > FS_WAF_MAX_RULES) {
        snprintf(err, errlen, "$.killswitch: more than %d entries", FS_WAF_MAX_RULES);
        return -EINVAL;
    }
    cJSON_ArrayForEach(item, ks)
    {
        fs_json_path_index(path, sizeof(path), "$.killswitch", i++);
        if (!cJSON_IsString(item) || item->valuestring == NULL)
            return fs__waf_fail(err, errlen, path, "expected a string");
        for (size_t j = 0; j < r->n; j++) {
            if (strcmp(r->rules[j].id, item->valuestring) == 0 && r->rules[j].execute) {
                r->rules[j].execute = NULL;
                r->killed++;
            }
        }
    }
    return 0;
}

static int fs__waf_rules(const cJSON *root, fs_waf_rules_t *r, char *err, size_t errlen)
{
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(root, "rules");
    const cJSON *item;
    char path[64];
    int n, rc;

    if (rules == NULL)
        return fs__waf_fail(err, errlen, "$.rules", "required");
    if (!cJSON_IsArray(rules))
        return fs__waf_fail(err, errlen, "$.rules", "expected an array");
    n = cJSON_GetArraySize(rules);
    if (n > FS_WAF_MAX_RULES) {
        snprintf(err, errlen, "$.rules: %d rules, limit %d", n, FS_WAF_MAX_RULES);
        return -EINVAL;
    }
    r->rules = calloc(n > 0 ? (size_t)n : 1, sizeof(*r->rules));
    if (r->rules == NULL)
        return -ENOMEM;
    cJSON_ArrayForEach(item, rules)
    {
        fs__waf_rule_t *rule = &r->rules[r->n];

        fs_json_path_index(path, sizeof(path), "$.rules", (int)r->n);
        if ((rc = fs__waf_rule(item, path, rule, err, errlen)) < 0)
            return rc;
        r->n++;
        for (size_t j = 0; j + 1 < r->n; j++) {
            if (strcmp(r->rules[j].id, rule->id) == 0) {
                snprintf(err, errlen, "%s.id: duplicate rule id (also $.rules[%zu])", path, j);
                return -EINVAL;
            }
        }
    }
    return 0;
}

int fs_waf_rules_parse(const char *buf, size_t len, fs_waf_rules_t **out, char *err, size_t errlen)
{
    fs_waf_rules_t *r = NULL;
    cJSON *root = NULL;
    int rc;

    *out = NULL;
    if ((rc = fs_json_parse(buf, len, FS_WAF_MAX_BYTES, &root, err, errlen)) < 0)
        return rc;
    rc = -EINVAL;
    if (!cJSON_IsObject(root)) {
        fs__waf_fail(err, errlen, "$", "expected an object");
        goto fail;
    }
    if ((r = calloc(1, sizeof(*r))) == NULL) {
        rc = -ENOMEM;
        goto fail;
    }
    if ((rc = fs__waf_version(root, &r->version, err, errlen)) < 0)
        goto fail;
    if ((rc = fs__waf_rules(root, r, err, errlen)) < 0)
        goto fail;
    if ((rc = fs__waf_killswitch(root, r, err, errlen)) < 0)
        goto fail;
    cJSON_Delete(root);
    *out = r;
    return 0;
fail:
    if (rc == -ENOMEM)
        snprintf(err, errlen, "out of memory");
    fs_waf_rules_free(r);
    cJSON_Delete(root);
    return rc;
}

void fs_waf_rules_free(fs_waf_rules_t *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->rules[i].prefix);
    free(r->rules);
    free(r);
}

size_t fs_waf_rules_count(const fs_waf_rules_t *r)
{
    return r ? r->n : 0;
}

size_t fs_waf_rules_killed(const fs_waf_rules_t *r)
{
    return r ? r->killed : 0;
}

uint64_t fs_waf_rules_version(const fs_waf_rules_t *r)
{
    return r ? r->version : 0;
}

int fs_waf_eval(const fs_waf_rules_t *r, fs_waf_engine_t engine, int nil_guard, const char *path,
                fs_waf_result_t *out, char *err, size_t errlen)
{
    const fs__waf_rule_t *block = NULL, *log = NULL;

    out->verdict = FS_WAF_PASS;
    out->rule = NULL;
    if (r == NULL)
        return 0;
    /* Matching: both engines skip a rule whose execute is unset. */
    for (size_t i = 0; i < r->n && block == NULL; i++) {
        const fs__waf_rule_t *rule = &r->rules[i];

        if (rule->execute == NULL || strncmp(path, rule->prefix, rule->prefix_len) != 0)
            continue;
        if (rule->execute->action == FS_WAF_ACTION_BLOCK)
            block = rule;
        else if (log == NULL)
            log = rule;
    }
    /* Post-processing: the old engine walks every rule and reads
     * rule.execute.action without checking that execute is set, so one
     * killswitched rule fails every request, matching or not. */
    if (engine == FS_WAF_ENGINE_OLD) {
        for (size_t i = 0; i < r->n; i++) {
            if (r->rules[i].execute != NULL || nil_guard)
                continue;
            snprintf(err, errlen, "attempt to index field 'execute' (a nil value)");
            return -EFAULT;
        }
    }
    if (block) {
        out->verdict = FS_WAF_BLOCK;
        out->rule = block->id;
    } else if (log) {
        out->verdict = FS_WAF_LOG;
        out->rule = log->id;
    }
    return 0;
}

const char *fs_waf_engine_name(fs_waf_engine_t e)
{
    return e == FS_WAF_ENGINE_OLD ? "old" : "new";
}
