#include "configgen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* What botmod's built-in defaults score with (docs/PROTOCOL.md), so that a
 * published file keeps bots below the proxy's threshold. */
static const struct {
    const char *name;
    const char *weight;
} fs__cg_signals[] = {
    {"ua:curl", "0.6"}, {"ua:python-requests", "0.6"}, {"ua:go-http-client", "0.6"},
    {"ua:wget", "0.6"}, {"lang:missing", "0.2"},       {"cookie:missing", "0.1"},
};

#define FS__CG_NSIGNALS (sizeof(fs__cg_signals) / sizeof(fs__cg_signals[0]))

/* A growable string; on allocation failure it stays failed and says so at
 * the end, so the builders need no error path per append. */
typedef struct {
    char *buf;
    size_t len, cap;
    int oom;
} fs__cg_buf_t;

/* Appends n bytes of s, or n copies of fill when s is NULL. */
static void fs__cg_addn(fs__cg_buf_t *b, const char *s, size_t n, char fill)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *p;
        while (cap < b->len + n + 1)
            cap *= 2;
        if ((p = realloc(b->buf, cap)) == NULL) {
            b->oom = 1;
            return;
        }
        b->buf = p;
        b->cap = cap;
    }
    if (s != NULL)
        memcpy(b->buf + b->len, s, n);
    else
        memset(b->buf + b->len, fill, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

static void fs__cg_add(fs__cg_buf_t *b, const char *s)
{
    fs__cg_addn(b, s, strlen(s), 0);
}

/* A JSON string literal: rule ids come from scenario files, and a quote in
 * one must not turn the killswitch file into a malformed one. */
static void fs__cg_add_str(fs__cg_buf_t *b, const char *s)
{
    char esc[8];

    fs__cg_add(b, "\"");
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            fs__cg_addn(b, esc, 2, 0);
        } else if (c < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            fs__cg_add(b, esc);
        } else {
            fs__cg_addn(b, s, 1, 0);
        }
    }
    fs__cg_add(b, "\"");
}

static int fs__cg_done(fs__cg_buf_t *b, char **out, size_t *len)
{
    if (b->oom || b->buf == NULL) {
        free(b->buf);
        return -ENOMEM;
    }
    *out = b->buf;
    *len = b->len;
    return 0;
}

int fs_configgen_features(unsigned n, unsigned copies, char **out, size_t *len)
{
    fs__cg_buf_t b = {0};
    const char *sep = "";
    char row[96];

    fs__cg_add(&b, "{\"version\":1,\"features\":[");
    for (unsigned i = 0; i < n; i++) {
        if (i < FS__CG_NSIGNALS)
            snprintf(row, sizeof(row), "{\"name\":\"%s\",\"weight\":%s}", fs__cg_signals[i].name,
                     fs__cg_signals[i].weight);
        else /* filler that matches no request, like most of a real file */
            snprintf(row, sizeof(row), "{\"name\":\"f:%04u\",\"weight\":0.01}", i);
        for (unsigned copy = 0; copy < (copies ? copies : 1); copy++) {
            fs__cg_add(&b, sep);
            fs__cg_add(&b, row);
            sep = ",";
        }
    }
    fs__cg_add(&b, "]}");
    return fs__cg_done(&b, out, len);
}

uint64_t fs_configgen_features_size(uint64_t n, unsigned copies)
{
    uint64_t rows = 0, k = copies ? copies : 1;
    char row[96];

    for (uint64_t i = 0; i < n && i < FS__CG_NSIGNALS; i++)
        rows += (uint64_t)snprintf(row, sizeof(row), "{\"name\":\"%s\",\"weight\":%s}",
                                   fs__cg_signals[i].name, fs__cg_signals[i].weight);
    /* Filler row i is {"name":"f:%04u","weight":0.01}: 27 bytes and i's
     * digits, at least 4. */
    for (uint64_t lo = FS__CG_NSIGNALS, hi = 10000, d = 4; lo < n; lo = hi, hi *= 10, d++) {
        uint64_t end = n < hi ? n : hi;

        if (lo < end)
            rows += (end - lo) * (27 + d);
    }
    /* {"version":1,"features":[ ... ]}, rows copies times, comma-separated */
    return 25 + 2 + rows * k + (n * k > 0 ? n * k - 1 : 0);
}

int fs_configgen_waf(const char *killswitch, char **out, size_t *len)
{
    fs__cg_buf_t b = {0};

    fs__cg_add(&b, "{\"version\":1,\"rules\":["
                   "{\"id\":\"block-admin\",\"path_prefix\":\"/admin\",\"action\":\"block\"},"
                   "{\"id\":\"log-shop\",\"path_prefix\":\"/shop\",\"action\":\"log\"}]");
    if (killswitch != NULL) {
        fs__cg_add(&b, ",\"killswitch\":[");
        fs__cg_add_str(&b, killswitch);
        fs__cg_add(&b, "]");
    }
    fs__cg_add(&b, "}");
    return fs__cg_done(&b, out, len);
}

int fs_configgen_malformed(char **out, size_t *len)
{
    fs__cg_buf_t b = {0};

    fs__cg_add(&b, "{\"version\":1,\"features\":[{\"name\":\"ua:curl\" \"weight\" 0.6}");
    return fs__cg_done(&b, out, len);
}

int fs_configgen_wrong_type(const char *key, char **out, size_t *len)
{
    fs__cg_buf_t b = {0};

    if (key != NULL && strcmp(key, "waf/rules") == 0)
        fs__cg_add(&b, "{\"version\":1,\"rules\":\"block-admin\",\"killswitch\":7}");
    else
        fs__cg_add(&b, "{\"version\":\"one\",\"features\":[{\"name\":7,\"weight\":\"high\"}]}");
    return fs__cg_done(&b, out, len);
}

int fs_configgen_truncated(const char *good, size_t good_len, size_t at_byte, char **out,
                           size_t *len)
{
    size_t n = at_byte == 0 || at_byte >= good_len ? good_len / 2 : at_byte;
    char *p = malloc(n + 1);

    if (p == NULL)
        return -ENOMEM;
    memcpy(p, good, n);
    p[n] = '\0';
    *out = p;
    *len = n;
    return 0;
}

int fs_configgen_padded(const char *good, size_t good_len, size_t bytes, char **out, size_t *len)
{
    fs__cg_buf_t b = {0};
    size_t close = good_len, last;

    while (close > 0 && good[close - 1] != '}')
        close--;
    if (close == 0)
        return -EINVAL;
    /* "{}" has no member to follow: no comma then. */
    last = close - 1;
    while (last > 0 && (good[last - 1] == ' ' || good[last - 1] == '\t' || good[last - 1] == '\r' ||
                        good[last - 1] == '\n'))
        last--;
    fs__cg_addn(&b, good, close - 1, 0);
    fs__cg_add(&b, last > 0 && good[last - 1] == '{' ? "\"padding\":\"" : ",\"padding\":\"");
    if (bytes > b.len + 2)
        fs__cg_addn(&b, NULL, bytes - b.len - 2, 'x');
    fs__cg_add(&b, "\"}");
    return fs__cg_done(&b, out, len);
}

int fs_configgen_print(const cJSON *doc, char **out, size_t *len)
{
    char *text = cJSON_PrintUnformatted(doc);
    int rc = -ENOMEM;

    /* cJSON may allocate with its own hooks; callers free() what we give. */
    if (text == NULL)
        return rc;
    *len = strlen(text);
    if ((*out = malloc(*len + 1)) != NULL) {
        memcpy(*out, text, *len + 1);
        rc = 0;
    }
    cJSON_free(text);
    return rc;
}

int fs_configgen_poisoned(const char *good, size_t good_len, char **out, size_t *len)
{
    static const char *const poison[] = FS_CONFIGGEN_POISON_NAMES;
    cJSON *doc = cJSON_ParseWithLength(good, good_len), *rows, *row = NULL;
    int rc = -EINVAL, n, start;

    rows = cJSON_GetObjectItemCaseSensitive(doc, "features");
    if (!cJSON_IsArray(rows))
        goto fail;
    /* The last rows are replaced (in a baseline, filler after the real
     * signals), so the file keeps its size and its signals: nothing about
     * it looks wrong to a loader, only the weights are. */
    n = cJSON_GetArraySize(rows);
    start = n > FS_CONFIGGEN_POISON_COUNT ? n - FS_CONFIGGEN_POISON_COUNT : 0;
    rc = -ENOMEM;
    for (int i = 0; i < FS_CONFIGGEN_POISON_COUNT; i++) {
        if ((row = cJSON_CreateObject()) == NULL ||
            !cJSON_AddStringToObject(row, "name", poison[i]) ||
            !cJSON_AddNumberToObject(row, "weight", 1))
            goto fail;
        if (start + i < n ? !cJSON_ReplaceItemInArray(rows, start + i, row)
                          : !cJSON_AddItemToArray(rows, row))
            goto fail;
        row = NULL; /* rows owns it now */
    }
    rc = fs_configgen_print(doc, out, len);
fail:
    cJSON_Delete(row);
    cJSON_Delete(doc);
    return rc;
}
