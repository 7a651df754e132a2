#include "login.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fs_json.h"

int fs__login_parse_object(const char *body, size_t len, cJSON **out, char *err, size_t errlen)
{
    char why[160];
    int rc;

    *out = NULL;
    rc = fs_json_parse(body, len, FS_LOGIN_BODY_MAX, out, why, sizeof(why));
    if (rc == -E2BIG) {
        snprintf(err, errlen, "$: body larger than %u bytes", FS_LOGIN_BODY_MAX);
        return -E2BIG;
    }
    if (rc == -ENODATA) {
        snprintf(err, errlen, "$: empty body, expected a JSON object");
        return -EINVAL;
    }
    if (rc < 0) {
        snprintf(err, errlen, "$: not JSON: %s", why);
        return -EINVAL;
    }
    if (!cJSON_IsObject(*out)) {
        snprintf(err, errlen, "$: expected an object");
        cJSON_Delete(*out);
        *out = NULL;
        return -EINVAL;
    }
    return 0;
}

int fs__login_string(const cJSON *obj, const char *key, int required, size_t min, size_t max,
                     char *dst, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    size_t n;

    if (v == NULL) {
        if (required)
            snprintf(err, errlen, "$.%s: missing", key);
        return required ? -EINVAL : -ENOENT;
    }
    if (!cJSON_IsString(v) || v->valuestring == NULL) {
        snprintf(err, errlen, "$.%s: expected a string", key);
        return -EINVAL;
    }
    n = strlen(v->valuestring);
    if (n < min || n > max) {
        snprintf(err, errlen, "$.%s: expected %zu..%zu bytes, got %zu", key, min, max, n);
        return -EINVAL;
    }
    memcpy(dst, v->valuestring, n + 1);
    return 0;
}

int fs_login_parse(const char *body, size_t len, fs_login_req_t *out, char *err, size_t errlen)
{
    cJSON *doc = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = fs__login_parse_object(body, len, &doc, err, errlen);
    if (rc < 0)
        return rc;
    rc = fs__login_string(doc, "user", 1, 1, FS_SESSION_USER_MAX, out->user, err, errlen);
    if (rc < 0)
        goto fail;
    for (const char *p = out->user; *p; p++) {
        /* user names reach the audit log; keep lines single and readable */
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            snprintf(err, errlen, "$.user: control characters are not allowed");
            rc = -EINVAL;
            goto fail;
        }
    }
    rc = fs__login_string(doc, "password", 1, 0, FS_LOGIN_SECRET_MAX, out->password, err, errlen);
    if (rc < 0)
        goto fail;
    rc = fs__login_string(doc, "challenge", 1, 0, FS_LOGIN_CHALLENGE_MAX, out->challenge, err,
                          errlen);
    if (rc < 0)
        goto fail;
    rc = fs__login_string(doc, "break_glass", 0, 0, FS_LOGIN_SECRET_MAX, out->break_glass, err,
                          errlen);
    if (rc < 0 && rc != -ENOENT)
        goto fail;
    out->has_break_glass = rc == 0;
    cJSON_Delete(doc);
    return 0;

fail:
    cJSON_Delete(doc);
    memset(out, 0, sizeof(*out));
    return rc;
}

int fs_login_secret_equal(const char *expected, const char *given)
{
    size_t elen = strlen(expected), glen = strlen(given);
    /* volatile keeps the compiler from turning the loop into an early exit */
    volatile unsigned char diff = elen != glen;

    for (size_t i = 0; i < glen; i++) {
        unsigned char e = i < elen ? (unsigned char)expected[i] : 0;
        diff |= e ^ (unsigned char)given[i];
    }
    return diff == 0;
}

int fs_login_bearer(const char *header, char id[FS_SESSION_ID_LEN + 1])
{
    static const char scheme[] = "Bearer";
    size_t n = 0;

    id[0] = '\0';
    if (header == NULL || strncasecmp(header, scheme, sizeof(scheme) - 1) != 0)
        return -ENOENT;
    header += sizeof(scheme) - 1;
    if (*header != ' ')
        return -ENOENT;
    while (*header == ' ')
        header++;
    while (header[n] != '\0' && header[n] != ' ')
        n++;
    if (n != FS_SESSION_ID_LEN)
        return -ENOENT;
    for (const char *p = header + n; *p; p++)
        if (*p != ' ')
            return -ENOENT;
    memcpy(id, header, n);
    id[n] = '\0';
    return 0;
}
