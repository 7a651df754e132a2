/* Feature file loader: validates the whole document into a scratch table
 * and only then copies it over the live one, so a bad file never leaves a
 * half-written table behind. */
#include "features.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fs_json.h"

/* Kept as JSON so the defaults go through the same validation as a file. */
static const char fs__features_default_json[] = "{\"version\":0,\"features\":["
                                                "{\"name\":\"ua:curl\",\"weight\":0.6},"
                                                "{\"name\":\"ua:python-requests\",\"weight\":0.6},"
                                                "{\"name\":\"ua:go-http-client\",\"weight\":0.6},"
                                                "{\"name\":\"ua:wget\",\"weight\":0.6},"
                                                "{\"name\":\"lang:missing\",\"weight\":0.2},"
                                                "{\"name\":\"cookie:missing\",\"weight\":0.1}]}";

void fs_features_init(fs_features_t *t)
{
    memset(t, 0, sizeof(*t));
}

static int fs__features_version(const cJSON *root, uint64_t *out, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "version");

    *out = 0;
    if (v == NULL)
        return 0;
    /* 2^53: beyond it a double no longer holds every integer. */
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
        v->valuedouble > 9007199254740992.0 || v->valuedouble != floor(v->valuedouble)) {
        snprintf(err, errlen, "$.version: expected a non-negative integer");
        return -EINVAL;
    }
    *out = (uint64_t)v->valuedouble;
    return 0;
}

static int fs__features_row(const cJSON *row, int i, fs_feature_t *out, char *err, size_t errlen)
{
    char path[48], field[64];
    const cJSON *name, *weight;
    size_t n;

    fs_json_path_index(path, sizeof(path), "$.features", i);
    if (!cJSON_IsObject(row)) {
        snprintf(err, errlen, "%s: expected an object", path);
        return -EINVAL;
    }
    name = cJSON_GetObjectItemCaseSensitive(row, "name");
    fs_json_path_key(field, sizeof(field), path, "name");
    if (name == NULL) {
        snprintf(err, errlen, "%s: missing", field);
        return -EINVAL;
    }
    if (!cJSON_IsString(name) || name->valuestring == NULL) {
        snprintf(err, errlen, "%s: expected a string", field);
        return -EINVAL;
    }
    n = strlen(name->valuestring);
    if (n < 1 || n > FS_FEATURES_NAME_MAX) {
        snprintf(err, errlen, "%s: must be 1..%d bytes, got %zu", field, FS_FEATURES_NAME_MAX, n);
        return -EINVAL;
    }
    weight = cJSON_GetObjectItemCaseSensitive(row, "weight");
    fs_json_path_key(field, sizeof(field), path, "weight");
    if (weight == NULL) {
        snprintf(err, errlen, "%s: missing", field);
        return -EINVAL;
    }
    if (!cJSON_IsNumber(weight)) {
        snprintf(err, errlen, "%s: expected a number", field);
        return -EINVAL;
    }
    if (!isfinite(weight->valuedouble) || weight->valuedouble < -1.0 || weight->valuedouble > 1.0) {
        snprintf(err, errlen, "%s: must be a finite number in [-1, 1], got %g", field,
                 weight->valuedouble);
        return -EINVAL;
    }
    memcpy(out->name, name->valuestring, n + 1);
    out->weight = weight->valuedouble;
    return 0;
}

int fs_features_load(fs_features_t *t, const char *buf, size_t len, char *err, size_t errlen)
{
    /* Static size (~15 KB); on the stack so a load needs no allocation of
     * its own beyond cJSON's. */
    fs_features_t scratch;
    const cJSON *features, *row;
    cJSON *root = NULL;
    int rc, n, i;

    if (len == 0) {
        snprintf(err, errlen, "empty feature file");
        return -ENODATA;
    }
    rc = fs_json_parse(buf, len, FS_FEATURES_MAX_BYTES, &root, err, errlen);
    if (rc < 0)
        goto fail;
    if (!cJSON_IsObject(root)) {
        snprintf(err, errlen, "$: expected an object");
        rc = -EINVAL;
        goto fail;
    }
    fs_features_init(&scratch);
    rc = fs__features_version(root, &scratch.version, err, errlen);
    if (rc < 0)
        goto fail;
    features = cJSON_GetObjectItemCaseSensitive(root, "features");
    if (features == NULL) {
        snprintf(err, errlen, "$.features: missing");
        rc = -EINVAL;
        goto fail;
    }
    if (!cJSON_IsArray(features)) {
        snprintf(err, errlen, "$.features: expected an array");
        rc = -EINVAL;
        goto fail;
    }
    /* Counted before anything is copied: the table has no room to find out
     * the hard way. */
    n = cJSON_GetArraySize(features);
    if (n > FS_FEATURES_MAX) {
        snprintf(err, errlen, "$.features: %d features, limit %d", n, FS_FEATURES_MAX);
        rc = -E2BIG;
        goto fail;
    }
    i = 0;
    cJSON_ArrayForEach(row, features)
    {
        if (i >= FS_FEATURES_MAX) { /* cannot happen after the count; belt and braces */
            rc = -E2BIG;
            goto fail;
        }
        rc = fs__features_row(row, i, &scratch.features[i], err, errlen);
        if (rc < 0)
            goto fail;
        i++;
    }
    scratch.count = (size_t)i;
    cJSON_Delete(root);
    *t = scratch;
    return 0;

fail:
    cJSON_Delete(root);
    return rc;
}

int fs_features_defaults(fs_features_t *t)
{
    char err[128];

    return fs_features_load(t, fs__features_default_json, sizeof(fs__features_default_json) - 1,
                            err, sizeof(err));
}
