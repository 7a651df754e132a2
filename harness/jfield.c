/* cJSON hands back whatever the document holds; these getters turn each
 * wrong type, range or spelling into one message that names its path, so
 * every loader reports errors the same way. */
#include "jfield.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"
#include "fs_json.h"
#include "jsontext.h"

int fs_jfield_fail(char *err, size_t errlen, const char *path, const char *key, const char *fmt,
                   ...)
{
    char p[256];
    size_t n;
    va_list ap;

    if (key)
        fs_json_path_key(p, sizeof(p), path, key);
    else
        snprintf(p, sizeof(p), "%s", path && *path ? path : "$");
    n = (size_t)snprintf(err, errlen, "%s: ", p);
    if (n < errlen) {
        va_start(ap, fmt);
        vsnprintf(err + n, errlen - n, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

const char *fs_jfield_quote(const char *text, char *buf, size_t len)
{
    /* At most 40 characters of it: enough to recognise, never a wall. */
    size_t limit = len < 44 ? len - 4 : 40, n = 0;
    const unsigned char *p = (const unsigned char *)(text ? text : "");

    if (len < 5) {
        if (len > 0)
            buf[0] = '\0';
        return buf;
    }
    while (*p) {
        char e[16];
        size_t adv = 1, elen;
        uint32_t cp;

        if (*p == '"' || *p == '\\')
            snprintf(e, sizeof(e), "\\%c", *p);
        else if (*p == '\n')
            snprintf(e, sizeof(e), "\\n");
        else if (*p == '\t')
            snprintf(e, sizeof(e), "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            snprintf(e, sizeof(e), "\\u%04x", *p);
        else if (*p < 0x80)
            snprintf(e, sizeof(e), "%c", *p);
        else if ((adv = fs_jtext_utf8(p, 4, &cp)) == 0)
            adv = 1, snprintf(e, sizeof(e), "?"); /* not UTF-8: not from a scenario */
        else if (cp < 0x10000)
            snprintf(e, sizeof(e), "\\u%04x", (unsigned)cp);
        else /* as JSON writes it: a surrogate pair */
            snprintf(e, sizeof(e), "\\u%04x\\u%04x", (unsigned)(0xd800 + ((cp - 0x10000) >> 10)),
                     (unsigned)(0xdc00 + ((cp - 0x10000) & 0x3ff)));
        elen = strlen(e);
        if (n + elen > limit)
            break;
        memcpy(buf + n, e, elen);
        n += elen;
        p += adv;
    }
    if (*p) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

const char *fs_jfield_type(const cJSON *item)
{
    if (cJSON_IsString(item))
        return "a string";
    if (cJSON_IsNumber(item))
        return "a number";
    if (cJSON_IsBool(item))
        return "a boolean";
    if (cJSON_IsNull(item))
        return "null";
    if (cJSON_IsArray(item))
        return "an array";
    if (cJSON_IsObject(item))
        return "an object";
    return "an invalid value";
}

static void fs__jfield_list(const char *const *names, char *buf, size_t len)
{
    size_t n = 0;

    buf[0] = '\0';
    for (int i = 0; names && names[i] && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", names[i]);
}

static int fs__jfield_in(const char *const *names, const char *key)
{
    for (int i = 0; names && names[i]; i++) {
        if (strcmp(names[i], key) == 0)
            return 1;
    }
    return 0;
}

int fs_jfield_check(const cJSON *obj, const char *path, const char *what,
                    const char *const *allowed, const char *const *extra, char *err, size_t errlen)
{
    char list[512], more[256];

    if (!cJSON_IsObject(obj))
        return fs_jfield_fail(err, errlen, path, NULL, "expected an object, got %s",
                              fs_jfield_type(obj));
    for (const cJSON *m = obj->child; m; m = m->next) {
        const char *key = m->string ? m->string : "";

        if (!fs__jfield_in(allowed, key) && !fs__jfield_in(extra, key)) {
            fs__jfield_list(allowed, list, sizeof(list));
            fs__jfield_list(extra, more, sizeof(more));
            return fs_jfield_fail(err, errlen, path, key, "unknown field (%s takes %s%s%s)", what,
                                  list, more[0] && list[0] ? ", " : "", more);
        }
        for (const cJSON *o = obj->child; o != m; o = o->next) {
            if (o->string && strcmp(o->string, key) == 0)
                return fs_jfield_fail(err, errlen, path, key, "duplicate field");
        }
    }
    return 0;
}

/* A number as the file most likely wrote it: whole numbers exactly while
 * a double holds them exactly (below 2^53), others to 15 significant
 * digits, which every double survives. %.17g would show 1e300 as
 * 1.0000000000000001e+300 and 2^53 + 1 as 2^53, neither what was written. */
static const char *fs__jfield_num(double v, char *buf, size_t len)
{
    if (isfinite(v) && v == floor(v) && fabs(v) < 9007199254740992.0)
        snprintf(buf, len, "%.0f", v);
    else
        snprintf(buf, len, "%.15g", v);
    return buf;
}

/* The member, or NULL: 1 (absent, optional) or -EINVAL (absent, required)
 * in *rc. */
static const cJSON *fs__jfield_get(const cJSON *obj, const char *path, const char *key,
                                   int required, int *rc, char *err, size_t errlen)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

    *rc = 0;
    if (item == NULL)
        *rc = required ? fs_jfield_fail(err, errlen, path, key, "missing (required)") : 1;
    return item;
}

int fs_jfield_number(const cJSON *obj, const char *path, const char *key, int required, double min,
                     double max, double *out, char *err, size_t errlen)
{
    char num[40];
    int rc;
    const cJSON *item = fs__jfield_get(obj, path, key, required, &rc, err, errlen);

    if (item == NULL)
        return rc;
    if (!cJSON_IsNumber(item))
        return fs_jfield_fail(err, errlen, path, key, "expected a number from %g to %g, got %s",
                              min, max, fs_jfield_type(item));
    if (!isfinite(item->valuedouble) || item->valuedouble < min || item->valuedouble > max)
        return fs_jfield_fail(err, errlen, path, key, "expected a number from %g to %g, got %s",
                              min, max, fs__jfield_num(item->valuedouble, num, sizeof(num)));
    *out = item->valuedouble;
    return 0;
}

int fs_jfield_uint(const cJSON *obj, const char *path, const char *key, int required, uint64_t min,
                   uint64_t max, uint64_t *out, char *err, size_t errlen)
{
    int rc;
    const cJSON *item = fs__jfield_get(obj, path, key, required, &rc, err, errlen);
    char num[40];
    double v;

    if (item == NULL)
        return rc;
    v = cJSON_IsNumber(item) ? item->valuedouble : NAN;
    if (!cJSON_IsNumber(item))
        return fs_jfield_fail(
            err, errlen, path, key, "expected a whole number from %llu to %llu, got %s",
            (unsigned long long)min, (unsigned long long)max, fs_jfield_type(item));
    if (!isfinite(v) || v != floor(v) || v < (double)min || v > (double)max)
        return fs_jfield_fail(
            err, errlen, path, key, "expected a whole number from %llu to %llu, got %s",
            (unsigned long long)min, (unsigned long long)max, fs__jfield_num(v, num, sizeof(num)));
    *out = (uint64_t)v;
    return 0;
}

int fs_jfield_string(const cJSON *obj, const char *path, const char *key, int required,
                     size_t maxlen, const char **out, char *err, size_t errlen)
{
    int rc;
    const cJSON *item = fs__jfield_get(obj, path, key, required, &rc, err, errlen);
    size_t n;

    if (item == NULL)
        return rc;
    if (!cJSON_IsString(item) || item->valuestring == NULL)
        return fs_jfield_fail(err, errlen, path, key, "expected a string, got %s",
                              fs_jfield_type(item));
    n = strlen(item->valuestring);
    if (n == 0)
        return fs_jfield_fail(err, errlen, path, key, "must not be empty");
    if (n > maxlen)
        return fs_jfield_fail(err, errlen, path, key, "longer than %zu bytes", maxlen);
    for (const char *p = item->valuestring; *p; p++) {
        char q[48];

        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return fs_jfield_fail(err, errlen, path, key, "\"%s\": holds a control character",
                                  fs_jfield_quote(item->valuestring, q, sizeof(q)));
    }
    *out = item->valuestring;
    return 0;
}

int fs_jfield_enum(const cJSON *obj, const char *path, const char *key, int required,
                   const char *const *names, int *out, char *err, size_t errlen)
{
    char list[256], q[48];
    int rc;
    const cJSON *item = fs__jfield_get(obj, path, key, required, &rc, err, errlen);

    if (item == NULL)
        return rc;
    fs__jfield_list(names, list, sizeof(list));
    if (!cJSON_IsString(item) || item->valuestring == NULL)
        return fs_jfield_fail(err, errlen, path, key, "expected one of %s, got %s", list,
                              fs_jfield_type(item));
    for (int i = 0; names[i]; i++) {
        if (strcmp(names[i], item->valuestring) == 0) {
            *out = i;
            return 0;
        }
    }
    return fs_jfield_fail(err, errlen, path, key, "\"%s\": expected one of %s",
                          fs_jfield_quote(item->valuestring, q, sizeof(q)), list);
}

int fs_jfield_duration(const cJSON *obj, const char *path, const char *key, int required,
                       double scale, uint64_t *out, char *err, size_t errlen)
{
    char why[128];
    uint64_t ms;
    int rc;
    const cJSON *item = fs__jfield_get(obj, path, key, required, &rc, err, errlen);

    if (item == NULL)
        return rc;
    if (!cJSON_IsString(item) || item->valuestring == NULL)
        return fs_jfield_fail(err, errlen, path, key,
                              "expected a duration string such as \"1.5s\", got %s",
                              fs_jfield_type(item));
    if (fs_duration_parse(item->valuestring, &ms, why, sizeof(why)) < 0)
        return fs_jfield_fail(err, errlen, path, key, "%s", why);
    *out = fs_duration_scale(ms, scale);
    return 0;
}
