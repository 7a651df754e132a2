/* Unit tests for harness/configgen.c: every generated file is checked by
 * parsing it back with cJSON (or failing to, for the ones that must not
 * parse), against the shapes of docs/PROTOCOL.md. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "../../fleet/botmod/score.h"
#include "configgen.h"

/* Parses exactly len bytes: the generators return a length and the
 * publisher sends that many, whatever follows. */
static cJSON *parse(const char *buf, size_t len)
{
    return cJSON_ParseWithLength(buf, len);
}

static const char *const signals[] = {"ua:curl", "ua:python-requests", "ua:go-http-client",
                                      "ua:wget", "lang:missing",       "cookie:missing"};
static const double weights[] = {0.6, 0.6, 0.6, 0.6, 0.2, 0.1};

static void test_features(void **state)
{
    char *out = NULL;
    size_t len = 0;
    cJSON *doc, *arr, *row;

    (void)state;
    assert_int_equal(fs_configgen_features(10, 1, &out, &len), 0);
    assert_int_equal(len, strlen(out));
    doc = parse(out, len);
    assert_non_null(doc);
    assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "version")));
    arr = cJSON_GetObjectItemCaseSensitive(doc, "features");
    assert_true(cJSON_IsArray(arr));
    assert_int_equal(cJSON_GetArraySize(arr), 10);
    for (int i = 0; i < 6; i++) {
        row = cJSON_GetArrayItem(arr, i);
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "name")),
                            signals[i]);
        assert_true(fabs(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(row, "weight")) -
                         weights[i]) < 1e-9);
    }
    /* Filler: unique names that match no request token, tiny weights. */
    for (int i = 6; i < 10; i++) {
        const char *name;
        row = cJSON_GetArrayItem(arr, i);
        name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "name"));
        assert_non_null(name);
        assert_null(strstr(name, "ua:"));
        for (int j = 6; j < i; j++)
            assert_string_not_equal(name, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                                              cJSON_GetArrayItem(arr, j), "name")));
        assert_true(fabs(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(row, "weight"))) <=
                    0.05);
    }
    cJSON_Delete(doc);
    free(out);
}

/* The loader checks a file's size before anything makes it. */
static void test_features_size(void **state)
{
    static const unsigned rows[] = {0, 1, 5, 6, 7, 60, 200, 9999, 10000, 10001, 123456};
    char *out;
    size_t len;

    (void)state;
    for (unsigned copies = 0; copies <= 3; copies++) {
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
            assert_int_equal(fs_configgen_features(rows[i], copies, &out, &len), 0);
            assert_int_equal(fs_configgen_features_size(rows[i], copies), len);
            free(out);
        }
    }
    assert_int_equal(fs_configgen_features_size(1000000, 1), 33890059);
}

static void test_features_copies(void **state)
{
    char *out = NULL;
    size_t len = 0;
    cJSON *doc, *arr;

    (void)state;
    assert_int_equal(fs_configgen_features(7, 3, &out, &len), 0);
    doc = parse(out, len);
    assert_non_null(doc);
    arr = cJSON_GetObjectItemCaseSensitive(doc, "features");
    assert_int_equal(cJSON_GetArraySize(arr), 21);
    /* Each row copies times in a row, the real signals first. */
    for (int i = 0; i < 21; i++) {
        cJSON *row = cJSON_GetArrayItem(arr, i);
        cJSON *first = cJSON_GetArrayItem(arr, i - i % 3);
        assert_true(cJSON_Compare(row, first, 1));
        if (i / 3 < 6)
            assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "name")),
                                signals[i / 3]);
    }
    cJSON_Delete(doc);
    free(out);

    /* Past the fleet's 200-row table: still valid JSON, just too many. */
    assert_int_equal(fs_configgen_features(300, 2, &out, &len), 0);
    doc = parse(out, len);
    assert_non_null(doc);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "features")), 600);
    cJSON_Delete(doc);
    free(out);

    /* No rows; and copies 0 means one copy. */
    assert_int_equal(fs_configgen_features(0, 1, &out, &len), 0);
    doc = parse(out, len);
    assert_non_null(doc);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "features")), 0);
    cJSON_Delete(doc);
    free(out);
    assert_int_equal(fs_configgen_features(4, 0, &out, &len), 0);
    doc = parse(out, len);
    assert_non_null(doc);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "features")), 4);
    cJSON_Delete(doc);
    free(out);
}

static void test_features_deterministic(void **state)
{
    char *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;

    (void)state;
    assert_int_equal(fs_configgen_features(50, 2, &a, &la), 0);
    assert_int_equal(fs_configgen_features(50, 2, &b, &lb), 0);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    free(a);
    free(b);
}

/* The killswitch list of a WAF file, checked for shape. */
static cJSON *waf_parse(const char *out, size_t len)
{
    cJSON *doc = parse(out, len), *rules, *ids = NULL;

    assert_non_null(doc);
    rules = cJSON_GetObjectItemCaseSensitive(doc, "rules");
    assert_true(cJSON_IsArray(rules));
    assert_true(cJSON_GetArraySize(rules) >= 1);
    cJSON_ArrayForEach(ids, rules)
    {
        const char *action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ids, "action"));
        assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ids, "id")));
        assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ids, "path_prefix")));
        assert_non_null(action);
        assert_true(strcmp(action, "block") == 0 || strcmp(action, "log") == 0);
    }
    return doc;
}

static void test_waf(void **state)
{
    const char *weird = "we\"ird\\id\n\x01/";
    char *out = NULL;
    size_t len = 0;
    cJSON *doc, *ks, *rule;
    int found = 0;

    (void)state;
    assert_int_equal(fs_configgen_waf(NULL, &out, &len), 0);
    assert_int_equal(len, strlen(out));
    doc = waf_parse(out, len);
    assert_null(cJSON_GetObjectItemCaseSensitive(doc, "killswitch"));
    cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(doc, "rules"))
    {
        found |= strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rule, "id")),
                        "block-admin") == 0;
    }
    assert_true(found);
    cJSON_Delete(doc);
    free(out);

    assert_int_equal(fs_configgen_waf("block-admin", &out, &len), 0);
    doc = waf_parse(out, len);
    ks = cJSON_GetObjectItemCaseSensitive(doc, "killswitch");
    assert_true(cJSON_IsArray(ks));
    assert_int_equal(cJSON_GetArraySize(ks), 1);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(ks, 0)), "block-admin");
    cJSON_Delete(doc);
    free(out);

    /* A rule id with quotes, backslashes and control bytes still makes a
     * valid file that names exactly that id. */
    assert_int_equal(fs_configgen_waf(weird, &out, &len), 0);
    doc = waf_parse(out, len);
    ks = cJSON_GetObjectItemCaseSensitive(doc, "killswitch");
    assert_int_equal(cJSON_GetArraySize(ks), 1);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(ks, 0)), weird);
    cJSON_Delete(doc);
    free(out);
}

static void test_malformed(void **state)
{
    char *out = NULL;
    size_t len = 0;
    cJSON *doc;

    (void)state;
    assert_int_equal(fs_configgen_malformed(&out, &len), 0);
    assert_true(len > 0);
    assert_int_equal(len, strlen(out));
    assert_null(parse(out, len));
    /* Not even with the NUL the reader might add. */
    doc = cJSON_Parse(out);
    assert_null(doc);
    free(out);
}

static void test_wrong_type(void **state)
{
    char *out = NULL;
    size_t len = 0;
    cJSON *doc, *f, *row;

    (void)state;
    assert_int_equal(fs_configgen_wrong_type("bot/features", &out, &len), 0);
    doc = parse(out, len);
    assert_non_null(doc);
    assert_false(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "version")));
    f = cJSON_GetObjectItemCaseSensitive(doc, "features");
    assert_non_null(f);
    if (cJSON_IsArray(f)) { /* then its rows have the wrong types */
        row = cJSON_GetArrayItem(f, 0);
        assert_non_null(row);
        assert_false(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(row, "name")));
        assert_false(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(row, "weight")));
    }
    cJSON_Delete(doc);
    free(out);

    /* NULL key: the feature file. */
    assert_int_equal(fs_configgen_wrong_type(NULL, &out, &len), 0);
    doc = parse(out, len);
    assert_non_null(doc);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(doc, "features"));
    cJSON_Delete(doc);
    free(out);

    assert_int_equal(fs_configgen_wrong_type("waf/rules", &out, &len), 0);
    doc = parse(out, len);
    assert_non_null(doc);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(doc, "rules"));
    assert_false(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "rules")));
    f = cJSON_GetObjectItemCaseSensitive(doc, "killswitch");
    assert_true(f == NULL || !cJSON_IsArray(f));
    cJSON_Delete(doc);
    free(out);
}

static void test_truncated(void **state)
{
    char *good = NULL, *out = NULL;
    size_t glen = 0, len = 0;

    (void)state;
    assert_int_equal(fs_configgen_features(20, 1, &good, &glen), 0);

    assert_int_equal(fs_configgen_truncated(good, glen, 0, &out, &len), 0);
    assert_int_equal(len, glen / 2);
    assert_int_equal(strlen(out), len);
    assert_memory_equal(out, good, len);
    assert_null(parse(out, len));
    free(out);

    assert_int_equal(fs_configgen_truncated(good, glen, 17, &out, &len), 0);
    assert_int_equal(len, 17);
    assert_int_equal(strlen(out), 17);
    assert_memory_equal(out, good, 17);
    assert_null(parse(out, len));
    free(out);

    assert_int_equal(fs_configgen_truncated(good, glen, glen - 1, &out, &len), 0);
    assert_int_equal(len, glen - 1);
    assert_null(parse(out, len));
    free(out);

    /* Truncating at or past the end would publish the good file: half. */
    assert_int_equal(fs_configgen_truncated(good, glen, glen + 100, &out, &len), 0);
    assert_int_equal(len, glen / 2);
    free(out);

    assert_int_equal(fs_configgen_truncated("", 0, 0, &out, &len), 0);
    assert_int_equal(len, 0);
    assert_string_equal(out, "");
    free(out);
    free(good);
}

static void test_padded(void **state)
{
    char *good = NULL, *out = NULL;
    size_t glen = 0, len = 0;
    cJSON *g, *doc, *pad;

    (void)state;
    assert_int_equal(fs_configgen_features(12, 1, &good, &glen), 0);
    g = parse(good, glen);
    assert_non_null(g);

    assert_int_equal(fs_configgen_padded(good, glen, 100000, &out, &len), 0);
    assert_true(len >= 100000);
    assert_true(len < 100000 + 64);
    assert_int_equal(strlen(out), len);
    doc = parse(out, len);
    assert_non_null(doc);
    assert_true(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(doc, "features"),
                              cJSON_GetObjectItemCaseSensitive(g, "features"), 1));
    assert_true(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(doc, "version"),
                              cJSON_GetObjectItemCaseSensitive(g, "version"), 1));
    pad = cJSON_GetObjectItemCaseSensitive(doc, "padding");
    assert_true(cJSON_IsString(pad));
    cJSON_Delete(doc);
    free(out);

    /* Asking for less than the file already is: still valid, still padded. */
    assert_int_equal(fs_configgen_padded(good, glen, 10, &out, &len), 0);
    assert_true(len > glen);
    doc = parse(out, len);
    assert_non_null(doc);
    assert_true(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(doc, "features"),
                              cJSON_GetObjectItemCaseSensitive(g, "features"), 1));
    cJSON_Delete(doc);
    free(out);
    cJSON_Delete(g);
    free(good);

    /* Trailing whitespace after the object; an empty object. */
    assert_int_equal(fs_configgen_padded("{\"version\":2}\n", 14, 300, &out, &len), 0);
    assert_true(len >= 300);
    doc = parse(out, len);
    assert_non_null(doc);
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "version")), 2);
    cJSON_Delete(doc);
    free(out);
    assert_int_equal(fs_configgen_padded("{ \n}", 4, 64, &out, &len), 0);
    assert_true(len >= 64);
    doc = parse(out, len);
    assert_non_null(doc);
    assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "padding")));
    cJSON_Delete(doc);
    free(out);

    /* Not an object at all. */
    out = NULL;
    assert_int_equal(fs_configgen_padded("[1,2]", 5, 64, &out, &len), -EINVAL);
    assert_null(out);
}

/* Scores r against file with botmod's own loader and scorer. */
static int score_with(const char *file, size_t len, const fs_score_req_t *r)
{
    static fs_features_t t;
    char err[256];

    fs_features_init(&t);
    if (fs_features_load(&t, file, len, err, sizeof(err)) != 0)
        fail_msg("the loader refused the file: %s", err);
    return fs_score(&t, r);
}

static void test_poisoned(void **state)
{
    static const fs_score_req_t human_get = {.ua = "Mozilla/5.0 (X11)",
                                             .ip = "10.1.2.3",
                                             .method = "GET",
                                             .path = "/shop/item/7",
                                             .accept_language = 1,
                                             .cookie = 1};
    static const fs_score_req_t human_login = {.ua = "Mozilla/5.0 (X11)",
                                               .ip = "127.0.0.1",
                                               .method = "POST",
                                               .path = "/login",
                                               .accept_language = 1,
                                               .cookie = 1};
    static const fs_score_req_t bot = {.ua = "curl/8.5.0", .method = "GET", .path = "/shop"};
    char *good = NULL, *out = NULL;
    size_t glen = 0, len = 0;
    cJSON *gdoc, *doc, *arr, *garr;
    int n;

    (void)state;
    /* The good file lets humans through and blocks bots (threshold 30). */
    assert_int_equal(fs_configgen_features(60, 1, &good, &glen), 0);
    assert_true(score_with(good, glen, &human_get) >= 90);
    assert_true(score_with(good, glen, &human_login) >= 90);
    assert_true(score_with(good, glen, &bot) < 30);

    /* Poisoned: accepted by the loader, same size, everyone is a bot. */
    assert_int_equal(fs_configgen_poisoned(good, glen, &out, &len), 0);
    assert_int_equal(len, strlen(out));
    assert_int_equal(score_with(out, len, &human_get), 0);
    assert_int_equal(score_with(out, len, &human_login), 0);
    assert_int_equal(score_with(out, len, &bot), 0);
    gdoc = parse(good, glen);
    doc = parse(out, len);
    garr = cJSON_GetObjectItemCaseSensitive(gdoc, "features");
    arr = cJSON_GetObjectItemCaseSensitive(doc, "features");
    n = cJSON_GetArraySize(arr);
    assert_int_equal(n, 60);
    for (int i = 0; i < n - 2; i++)
        assert_true(cJSON_Compare(cJSON_GetArrayItem(arr, i), cJSON_GetArrayItem(garr, i), 1));
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                            cJSON_GetArrayItem(arr, n - 2), "name")),
                        "method:GET");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                            cJSON_GetArrayItem(arr, n - 1), "name")),
                        "method:POST");
    assert_true(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetArrayItem(arr, n - 1), "weight")) == 1);
    assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "version")));
    cJSON_Delete(doc);
    cJSON_Delete(gdoc);
    free(out);
    free(good);

    /* The table's limit holds: a full 200-row file stays at 200. */
    assert_int_equal(fs_configgen_features(200, 1, &good, &glen), 0);
    assert_int_equal(fs_configgen_poisoned(good, glen, &out, &len), 0);
    assert_int_equal(score_with(out, len, &human_get), 0);
    doc = parse(out, len);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "features")), 200);
    cJSON_Delete(doc);
    free(out);
    free(good);

    /* Fewer rows than the poison: it is added (0 -> 2, 1 -> 2). */
    assert_int_equal(fs_configgen_features(0, 1, &good, &glen), 0);
    assert_int_equal(fs_configgen_poisoned(good, glen, &out, &len), 0);
    assert_int_equal(score_with(out, len, &human_login), 0);
    doc = parse(out, len);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "features")), 2);
    cJSON_Delete(doc);
    free(out);
    free(good);
    assert_int_equal(fs_configgen_features(1, 1, &good, &glen), 0);
    assert_int_equal(fs_configgen_poisoned(good, glen, &out, &len), 0);
    assert_int_equal(score_with(out, len, &human_get), 0);
    doc = parse(out, len);
    arr = cJSON_GetObjectItemCaseSensitive(doc, "features");
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 0), "name")),
        "method:GET");
    cJSON_Delete(doc);
    free(out);
    free(good);

    /* Not a feature file: nothing to derive from. */
    out = NULL;
    assert_int_equal(fs_configgen_poisoned("{\"rules\":[]}", 12, &out, &len), -EINVAL);
    assert_int_equal(fs_configgen_poisoned("not json", 8, &out, &len), -EINVAL);
    assert_null(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_features),
        cmocka_unit_test(test_features_size),
        cmocka_unit_test(test_features_copies),
        cmocka_unit_test(test_features_deterministic),
        cmocka_unit_test(test_waf),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_padded),
        cmocka_unit_test(test_poisoned),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
