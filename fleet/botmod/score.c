/* Scoring of one request against a feature table. */
#include "score.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fs_json.h"

/* Writes prefix + s[0..n) into out, lower-cased when asked; a token longer
 * than any feature name may be becomes "" so it matches nothing rather
 * than matching on a truncated prefix. */
static void fs__score_token(char *out, const char *prefix, const char *s, size_t n, int lower)
{
    size_t p = strlen(prefix);

    if (p + n > FS_SCORE_TOKEN_MAX) {
        out[0] = '\0';
        return;
    }
    memcpy(out, prefix, p);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        out[p + i] = lower && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    out[p + n] = '\0';
}

int fs_score_tokens(const fs_score_req_t *r, char tokens[FS_SCORE_TOKENS][FS_SCORE_TOKEN_MAX + 1])
{
    const char *ua = r->ua ? r->ua : "";
    const char *method = r->method ? r->method : "";
    const char *path = r->path ? r->path : "";
    int n = 0;

    fs__score_token(tokens[n++], "ua:", ua, strcspn(ua, "/ "), 1);
    fs__score_token(tokens[n++], "method:", method, strlen(method), 0);
    while (*path == '/')
        path++;
    fs__score_token(tokens[n++], "path:", path, strcspn(path, "/?#"), 0);
    if (!r->accept_language)
        fs__score_token(tokens[n++], "lang:missing", "", 0, 0);
    if (!r->cookie)
        fs__score_token(tokens[n++], "cookie:missing", "", 0, 0);
    return n;
}

static unsigned fs__score_fnv(unsigned h, const char *s)
{
    for (; s && *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

unsigned fs_score_hash(const fs_score_req_t *r)
{
    unsigned h = 2166136261u;

    h = fs__score_fnv(h, r->ua);
    h = fs__score_fnv(h, "|");
    h = fs__score_fnv(h, r->ip);
    h = fs__score_fnv(h, "|");
    return fs__score_fnv(h, r->path);
}

int fs_score(const fs_features_t *t, const fs_score_req_t *r)
{
    char tokens[FS_SCORE_TOKENS][FS_SCORE_TOKEN_MAX + 1];
    int n = fs_score_tokens(r, tokens);
    long s = FS_SCORE_MAX;

    for (size_t f = 0; f < t->count && f < FS_FEATURES_MAX; f++) {
        for (int k = 0; k < n; k++) {
            if (tokens[k][0] != '\0' && strcmp(t->features[f].name, tokens[k]) == 0)
                s -= lround(100.0 * t->features[f].weight);
        }
    }
    s -= (long)(fs_score_hash(r) % 4u);
    if (s < 0)
        return 0;
    if (s > FS_SCORE_MAX)
        return FS_SCORE_MAX;
    return (int)s;
}

static int fs__score_string(const cJSON *obj, const char *key, const char **out, char *err,
                            size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char path[32];

    *out = NULL;
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v) || v->valuestring == NULL) {
        snprintf(err, errlen, "%s: expected a string",
                 fs_json_path_key(path, sizeof(path), "$", key));
        return -EINVAL;
    }
    *out = v->valuestring;
    return 0;
}

static int fs__score_bool(const cJSON *obj, const char *key, int *out, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char path[32];

    *out = 0;
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsBool(v)) {
        snprintf(err, errlen, "%s: expected a boolean",
                 fs_json_path_key(path, sizeof(path), "$", key));
        return -EINVAL;
    }
    *out = cJSON_IsTrue(v);
    return 0;
}

int fs_score_req_from_json(const cJSON *obj, fs_score_req_t *out, char *err, size_t errlen)
{
    int rc;

    memset(out, 0, sizeof(*out));
    if (!cJSON_IsObject(obj)) {
        snprintf(err, errlen, "$: expected an object");
        return -EINVAL;
    }
    if ((rc = fs__score_string(obj, "ua", &out->ua, err, errlen)) < 0 ||
        (rc = fs__score_string(obj, "ip", &out->ip, err, errlen)) < 0 ||
        (rc = fs__score_string(obj, "method", &out->method, err, errlen)) < 0 ||
        (rc = fs__score_string(obj, "path", &out->path, err, errlen)) < 0 ||
        (rc = fs__score_bool(obj, "accept_language", &out->accept_language, err, errlen)) < 0 ||
        (rc = fs__score_bool(obj, "cookie", &out->cookie, err, errlen)) < 0)
        return rc;
    return 0;
}
