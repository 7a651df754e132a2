/* A size cap, an emptiness check, trailing-garbage detection and
 * line:column errors around cJSON, which has none of them. */
#include "fs_json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int fs__json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A short printable excerpt of buf from off, for "near '...'". */
static void fs__json_excerpt(const char *buf, size_t len, size_t off, char *out, size_t outlen)
{
    size_t n = 0;

    for (size_t i = off; i < len && n + 1 < outlen && n < 16; i++) {
        unsigned char c = (unsigned char)buf[i];

        if (c == '\n' || c == '\r')
            break;
        out[n++] = c < 0x20 || c >= 0x7f || c == '\'' ? '?' : (char)c;
    }
    out[n] = '\0';
}

static int fs__json_syntax_error(const char *buf, size_t len, size_t off, const char *what,
                                 char *err, size_t errlen)
{
    char near[20];
    int line, column;

    if (off > len)
        off = len;
    fs_json_position(buf, off, &line, &column);
    fs__json_excerpt(buf, len, off, near, sizeof(near));
    if (near[0] != '\0')
        snprintf(err, errlen, "line %d column %d: %s near '%s'", line, column, what, near);
    else
        snprintf(err, errlen, "line %d column %d: %s at end of input", line, column, what);
    return -EINVAL;
}

/* Bracket depth at off, outside strings: tells cJSON's nesting limit apart
 * from an ordinary syntax error, which it reports the same way. */
static size_t fs__json_depth(const char *buf, size_t off)
{
    size_t depth = 0;
    int in_string = 0;

    for (size_t i = 0; i < off; i++) {
        char c = buf[i];

        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return depth;
}

int fs_json_parse(const char *buf, size_t len, size_t max, cJSON **out, char *err, size_t errlen)
{
    const char *end = NULL;
    cJSON *root;
    size_t i;

    *out = NULL;
    if (len > max) {
        snprintf(err, errlen, "document is %zu bytes, limit %zu", len, max);
        return -E2BIG;
    }
    for (i = 0; i < len && fs__json_space(buf[i]); i++)
        ;
    if (i == len) {
        snprintf(err, errlen, "empty document");
        return -ENODATA;
    }
    /* Nesting deeper than cJSON's fixed limit (1000) fails here as a syntax
     * error, which bounds its recursion. */
    root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
    if (root == NULL) {
        size_t off = end && end >= buf ? (size_t)(end - buf) : len;
        char what[64] = "syntax error";

        if (fs__json_depth(buf, off) >= CJSON_NESTING_LIMIT)
            snprintf(what, sizeof(what), "nested deeper than %d levels", CJSON_NESTING_LIMIT);
        return fs__json_syntax_error(buf, len, off, what, err, errlen);
    }
    for (i = (size_t)(end - buf); i < len && fs__json_space(buf[i]); i++)
        ;
    if (i < len) {
        cJSON_Delete(root);
        return fs__json_syntax_error(buf, len, i, "trailing data after the document", err, errlen);
    }
    *out = root;
    return 0;
}

void fs_json_position(const char *buf, size_t off, int *line, int *column)
{
    int l = 1, c = 1;

    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *column = c;
}

static const char *fs__json_root(const char *parent)
{
    return parent && *parent ? parent : "$";
}

const char *fs_json_path_index(char *buf, size_t len, const char *parent, int index)
{
    snprintf(buf, len, "%s[%d]", fs__json_root(parent), index);
    return buf;
}

/* Keys that are not plain identifiers use the bracket form, $["a b"], so
 * the path stays unambiguous when a key holds dots or quotes. */
const char *fs_json_path_key(char *buf, size_t len, const char *parent, const char *key)
{
    const char *root = fs__json_root(parent);
    int plain = key && *key;
    size_t n;

    for (const char *p = key; plain && *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            plain = 0;
    }
    if (plain || len == 0) {
        snprintf(buf, len, "%s.%s", root, key ? key : "");
        return buf;
    }
    snprintf(buf, len, "%s[\"", root);
    n = strlen(buf);
    for (const char *p = key ? key : ""; *p && n + 3 < len; p++) {
        unsigned char c = (unsigned char)*p;

        if (c == '"' || c == '\\') {
            if (n + 4 >= len)
                break;
            buf[n++] = '\\';
            buf[n++] = (char)c;
        } else {
            buf[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
        }
    }
    if (n + 2 < len) {
        buf[n++] = '"';
        buf[n++] = ']';
    }
    buf[n] = '\0';
    return buf;
}
