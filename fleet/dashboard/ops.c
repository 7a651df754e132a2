#include "ops.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fs_http.h"
#include "fs_json.h"
#include "login.h"

int fs_ops_parse_rule(const char *body, size_t len, char rule[FS_OPS_RULE_MAX + 1], char *err,
                      size_t errlen)
{
    cJSON *doc = NULL;
    int rc;

    rule[0] = '\0';
    rc = fs__login_parse_object(body, len, &doc, err, errlen);
    if (rc < 0)
        return rc;
    rc = fs__login_string(doc, "rule", 1, 1, FS_OPS_RULE_MAX, rule, err, errlen);
    cJSON_Delete(doc);
    return rc;
}

int fs_ops_key_valid(const char *key)
{
    size_t n = 0;

    for (; key[n] != '\0'; n++) {
        char c = key[n];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '/' || c == '-';
        if (!ok || n >= FS_OPS_KEY_MAX)
            return 0;
    }
    return n >= 1;
}

int fs_ops_killswitch_add(const char *blob, size_t len, const char *rule, char **out, int *changed,
                          char *err, size_t errlen)
{
    cJSON *doc = NULL, *ks, *id, *item;
    char why[160];
    int rc;

    *out = NULL;
    *changed = 0;
    rc = fs_json_parse(blob, len, FS_HTTP_MAX_BODY, &doc, why, sizeof(why));
    if (rc < 0) {
        snprintf(err, errlen, "$: stored rules are not JSON: %s",
                 rc == -EINVAL ? why : strerror(-rc));
        rc = -EINVAL;
        goto fail;
    }
    if (!cJSON_IsObject(doc)) {
        snprintf(err, errlen, "$: stored rules are not a JSON object");
        rc = -EINVAL;
        goto fail;
    }
    ks = cJSON_GetObjectItemCaseSensitive(doc, "killswitch");
    if (ks == NULL) {
        ks = cJSON_AddArrayToObject(doc, "killswitch");
        if (ks == NULL)
            goto nomem;
    } else if (!cJSON_IsArray(ks)) {
        snprintf(err, errlen, "$.killswitch: expected an array");
        rc = -EINVAL;
        goto fail;
    }
    cJSON_ArrayForEach(item, ks)
    {
        if (cJSON_IsString(item) && item->valuestring && strcmp(item->valuestring, rule) == 0) {
            cJSON_Delete(doc);
            return 0;
        }
    }
    id = cJSON_CreateString(rule);
    if (id == NULL || !cJSON_AddItemToArray(ks, id)) {
        cJSON_Delete(id);
        goto nomem;
    }
    *out = cJSON_PrintUnformatted(doc);
    if (*out == NULL)
        goto nomem;
    *changed = 1;
    cJSON_Delete(doc);
    return 0;

nomem:
    snprintf(err, errlen, "out of memory");
    rc = -ENOMEM;
fail:
    cJSON_Delete(doc);
    return rc;
}
