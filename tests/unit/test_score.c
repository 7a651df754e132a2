/* Scoring: tokens, the arithmetic of docs/PROTOCOL.md, determinism, the
 * built-in defaults, and the zero mode of the legacy old engine. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <fiu.h>
#include <fiu-control.h>

#include "../../fleet/botmod/scorer.h"
#include "fs_json.h"

static void load(fs_features_t *t, const char *json)
{
    char err[256] = "";
    int rc;

    fs_features_init(t);
    rc = fs_features_load(t, json, strlen(json), err, sizeof(err));
    if (rc != 0)
        fail_msg("load: %d %s", rc, err);
}

static void test_tokens(void **state)
{
    char tok[FS_SCORE_TOKENS][FS_SCORE_TOKEN_MAX + 1];
    fs_score_req_t r = {
        .ua = "Mozilla/5.0 (X11; Linux)", .method = "GET", .path = "/shop/item?q=1"};
    fs_score_req_t g = {.ua = "Go-http-client/1.1", .accept_language = 1, .cookie = 1};
    fs_score_req_t sp = {.ua = "Wget 1.21", .path = "search?x", .accept_language = 1};

    (void)state;
    assert_int_equal(fs_score_tokens(&r, tok), 5);
    assert_string_equal(tok[0], "ua:mozilla");
    assert_string_equal(tok[1], "method:GET");
    assert_string_equal(tok[2], "path:shop");
    assert_string_equal(tok[3], "lang:missing");
    assert_string_equal(tok[4], "cookie:missing");

    assert_int_equal(fs_score_tokens(&g, tok), 3);
    assert_string_equal(tok[0], "ua:go-http-client");
    assert_string_equal(tok[1], "method:");
    assert_string_equal(tok[2], "path:");

    assert_int_equal(fs_score_tokens(&sp, tok), 4);
    assert_string_equal(tok[0], "ua:wget");
    assert_string_equal(tok[2], "path:search");
    assert_string_equal(tok[3], "cookie:missing");
}

static void test_long_tokens_match_nothing(void **state)
{
    char tok[FS_SCORE_TOKENS][FS_SCORE_TOKEN_MAX + 1], ua[200], name[210];
    char json[300];
    fs_features_t t;
    fs_score_req_t r = {.accept_language = 1, .cookie = 1};

    (void)state;
    /* A product of 61 letters makes "ua:" + 61 = 64 bytes: still a name. */
    memset(ua, 'a', 61);
    ua[61] = '\0';
    r.ua = ua;
    fs_score_tokens(&r, tok);
    assert_int_equal(strlen(tok[0]), 64);
    snprintf(name, sizeof(name), "ua:%s", ua);
    snprintf(json, sizeof(json), "{\"features\":[{\"name\":\"%s\",\"weight\":0.5}]}", name);
    load(&t, json);
    assert_int_equal(fs_score(&t, &r), 99 - 50 - (int)(fs_score_hash(&r) % 4));

    /* One more byte: too long for any feature, so it must not match a
     * feature named after its first 64 bytes. */
    memset(ua, 'a', 150);
    ua[150] = '\0';
    fs_score_tokens(&r, tok);
    assert_string_equal(tok[0], "");
    assert_int_equal(fs_score(&t, &r), 99 - (int)(fs_score_hash(&r) % 4));
}

static void test_hash(void **state)
{
    fs_score_req_t r = {.ua = "curl/8.0", .ip = "10.0.0.1", .path = "/x"};
    fs_score_req_t e = {0};

    (void)state;
    /* FNV-1a 32 of "curl/8.0|10.0.0.1|/x" and of "||" (python reference). */
    assert_int_equal(fs_score_hash(&r), 0x2e7f6d85u);
    assert_int_equal(fs_score_hash(&e), 0x5558edc5u);
}

static void test_arithmetic(void **state)
{
    fs_features_t t;
    fs_score_req_t r = {.ua = "curl/8.0", .ip = "10.0.0.1", .path = "/x"};
    int h = (int)(fs_score_hash(&r) % 4);

    (void)state;
    load(&t, "{\"features\":[{\"name\":\"ua:curl\",\"weight\":0.6},"
             "{\"name\":\"lang:missing\",\"weight\":0.2},{\"name\":\"path:x\",\"weight\":0.054},"
             "{\"name\":\"ua:wget\",\"weight\":0.9}]}");
    /* round(5.4) = 5 */
    assert_int_equal(fs_score(&t, &r), 99 - 60 - 20 - 5 - h);

    /* Duplicated rows count every time. */
    load(&t, "{\"features\":[{\"name\":\"ua:curl\",\"weight\":0.3},"
             "{\"name\":\"ua:curl\",\"weight\":0.3}]}");
    assert_int_equal(fs_score(&t, &r), 99 - 60 - h);

    /* Clamped at both ends. */
    load(&t, "{\"features\":[{\"name\":\"ua:curl\",\"weight\":1},"
             "{\"name\":\"cookie:missing\",\"weight\":1}]}");
    assert_int_equal(fs_score(&t, &r), 0);
    load(&t, "{\"features\":[{\"name\":\"ua:curl\",\"weight\":-1}]}");
    assert_int_equal(fs_score(&t, &r), 99);

    /* An empty table leaves only the hash. */
    fs_features_init(&t);
    assert_int_equal(fs_score(&t, &r), 99 - h);
}

static void test_deterministic(void **state)
{
    fs_features_t t;
    fs_score_req_t r = {.ua = "curl/7.1", .ip = "10.0.0.9", .method = "GET", .path = "/a/b"};
    int first, spread[4] = {0};

    (void)state;
    assert_int_equal(fs_features_defaults(&t), 0);
    first = fs_score(&t, &r);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(fs_score(&t, &r), first);
    /* Different clients vary only through the hash, over all of 0..3. */
    for (int i = 0; i < 64; i++) {
        char ip[32];
        fs_score_req_t o = r;

        snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 8, i % 8);
        o.ip = ip;
        int s = fs_score(&t, &o);
        assert_in_range(s, 99 - 90 - 3, 99 - 90);
        spread[99 - 90 - s]++;
    }
    for (int i = 0; i < 4; i++)
        assert_true(spread[i] > 0);
}

static void test_human_and_bot_with_defaults(void **state)
{
    fs_features_t t;
    const char *humans[] = {"Mozilla/5.0 (Windows NT 10.0)", "Mozilla/5.0 (iPhone)", "Opera/9.8"};
    const char *bots[] = {"curl/8.4.0", "python-requests/2.31", "Go-http-client/1.1",
                          "Wget/1.21.4"};

    (void)state;
    assert_int_equal(fs_features_defaults(&t), 0);
    for (size_t i = 0; i < sizeof(humans) / sizeof(humans[0]); i++) {
        fs_score_req_t r = {.ua = humans[i],
                            .ip = "10.1.1.1",
                            .method = "GET",
                            .path = "/shop",
                            .accept_language = 1,
                            .cookie = 1};

        assert_true(fs_score(&t, &r) >= 90);
    }
    for (size_t i = 0; i < sizeof(bots) / sizeof(bots[0]); i++) {
        fs_score_req_t r = {.ua = bots[i], .ip = "10.1.1.2", .method = "GET", .path = "/shop"};

        assert_true(fs_score(&t, &r) < 30);
    }
    /* A human without cookie and language still passes the 30 threshold. */
    fs_score_req_t bare = {.ua = "Mozilla/5.0", .path = "/"};
    assert_true(fs_score(&t, &bare) >= 60);
}

static void test_from_json(void **state)
{
    static const char good[] = "{\"ua\":\"curl/1\",\"ip\":\"10.0.0.7\",\"method\":\"GET\","
                               "\"path\":\"/shop\",\"accept_language\":true,\"cookie\":false,"
                               "\"extra\":1,\"token\":\"tok-1\"}";
    const char *bad[][2] = {
        {"{\"ua\":5}", "$.ua: expected a string"},
        {"{\"ip\":[]}", "$.ip: expected a string"},
        {"{\"method\":{}}", "$.method: expected a string"},
        {"{\"path\":true}", "$.path: expected a string"},
        {"{\"accept_language\":1}", "$.accept_language: expected a boolean"},
        {"{\"cookie\":\"yes\"}", "$.cookie: expected a boolean"},
        {"[]", "$: expected an object"},
    };
    fs_score_req_t r;
    char err[256];
    cJSON *root;

    (void)state;
    assert_int_equal(fs_json_parse(good, strlen(good), 1 << 20, &root, err, sizeof(err)), 0);
    assert_int_equal(fs_score_req_from_json(root, &r, err, sizeof(err)), 0);
    assert_string_equal(r.ua, "curl/1");
    assert_string_equal(r.ip, "10.0.0.7");
    assert_string_equal(r.method, "GET");
    assert_string_equal(r.path, "/shop");
    assert_int_equal(r.accept_language, 1);
    assert_int_equal(r.cookie, 0);
    cJSON_Delete(root);

    assert_int_equal(fs_json_parse("{\"ua\":null}", 11, 1 << 20, &root, err, sizeof(err)), 0);
    assert_int_equal(fs_score_req_from_json(root, &r, err, sizeof(err)), 0);
    assert_null(r.ua);
    assert_int_equal(r.accept_language, 0);
    cJSON_Delete(root);

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(
            fs_json_parse(bad[i][0], strlen(bad[i][0]), 1 << 20, &root, err, sizeof(err)), 0);
        err[0] = '\0';
        assert_int_equal(fs_score_req_from_json(root, &r, err, sizeof(err)), -EINVAL);
        assert_string_equal(err, bad[i][1]);
        cJSON_Delete(root);
    }
}

/* ---- the scorer: defaults, zero mode, reject ---- */

static FILE *quiet_log(fs_log_t *log)
{
    FILE *f = fopen("/dev/null", "w");

    assert_non_null(f);
    memset(log, 0, sizeof(*log));
    log->service = "botmod";
    log->out = f;
    return f;
}

static const char good_file[] = "{\"version\":1,\"features\":[{\"name\":\"ua:curl\","
                                "\"weight\":0.5}]}";
static const char bad_file[] = "{\"version\":2,\"features\":[{\"name\":\"ua:curl\","
                               "\"weight\":\"x\"}]}";

static void test_scorer_defaults(void **state)
{
    fs_scorer_config_t cfg = {.on_bad = FS_SCORER_REJECT, .defaults = 1, .key = "bot/features"};
    fs_score_req_t bot = {.ua = "curl/8"},
                   human = {.ua = "Mozilla/5.0", .accept_language = 1, .cookie = 1};
    fs_scorer_t *s;
    fs_log_t log;
    FILE *f = quiet_log(&log);
    uint64_t v = 99;

    (void)state;
    cfg.log = &log;
    assert_int_equal(fs_scorer_new(&cfg, &s), 0);
    assert_true(fs_scorer_score(s, &bot, &v) < 30);
    assert_int_equal(v, 0);
    assert_true(fs_scorer_score(s, &human, &v) >= 90);
    /* Legacy starts empty: the same bot gets through. */
    fs_scorer_free(s);
    cfg.defaults = 0;
    assert_int_equal(fs_scorer_new(&cfg, &s), 0);
    assert_true(fs_scorer_score(s, &bot, &v) >= 96);
    fs_scorer_free(s);
    fclose(f);
}

static void test_scorer_zero_mode(void **state)
{
    fs_scorer_config_t cfg = {.on_bad = FS_SCORER_ZERO, .key = "bot/features"};
    fs_score_req_t human = {
        .ua = "Mozilla/5.0", .ip = "10.0.0.1", .accept_language = 1, .cookie = 1};
    fs_scorer_t *s;
    fs_log_t log;
    FILE *f = quiet_log(&log);
    uint64_t v;

    (void)state;
    cfg.log = &log;
    assert_int_equal(fs_scorer_new(&cfg, &s), 0);
    assert_int_equal(fs_scorer_apply(s, 1, good_file, strlen(good_file)), 0);
    assert_true(fs_scorer_score(s, &human, &v) >= 90);
    assert_int_equal(v, 1);

    /* The bad file is taken: every score is 0, the version is the bad one. */
    assert_int_equal(fs_scorer_apply(s, 2, bad_file, strlen(bad_file)), -EINVAL);
    assert_int_equal(fs_scorer_zeroed(s), 1);
    for (int i = 0; i < 10; i++)
        assert_int_equal(fs_scorer_score(s, &human, &v), 0);
    assert_int_equal(v, 2);
    assert_int_equal(fs_scorer_apply(s, 3, "", 0), -ENODATA);
    assert_int_equal(fs_scorer_score(s, &human, &v), 0);

    /* Until a good file comes. */
    assert_int_equal(fs_scorer_apply(s, 4, good_file, strlen(good_file)), 0);
    assert_int_equal(fs_scorer_zeroed(s), 0);
    assert_true(fs_scorer_score(s, &human, &v) >= 90);
    assert_int_equal(v, 4);
    fs_scorer_free(s);
    fclose(f);
}

static void test_scorer_reject(void **state)
{
    fs_scorer_config_t cfg = {.on_bad = FS_SCORER_REJECT, .defaults = 1, .key = "bot/features"};
    fs_score_req_t bot = {.ua = "curl/8", .ip = "10.9.9.9"};
    fs_metrics_t *m;
    fs_scorer_t *s;
    fs_log_t log;
    FILE *f = quiet_log(&log);
    uint64_t v;
    int before;

    (void)state;
    assert_int_equal(fs_metrics_new(NULL, &m), 0);
    cfg.version = fs_metrics_series(m, FS_METRIC_GAUGE, "v", "v", NULL);
    cfg.rejected = fs_metrics_series(m, FS_METRIC_COUNTER, "r", "r", NULL);
    cfg.fallback = fs_metrics_series(m, FS_METRIC_COUNTER, "f", "f", NULL);
    cfg.log = &log;
    assert_int_equal(fs_scorer_new(&cfg, &s), 0);
    before = fs_scorer_score(s, &bot, &v);
    /* Rejected before any file: still the defaults. */
    assert_int_equal(fs_scorer_apply(s, 2, bad_file, strlen(bad_file)), -EINVAL);
    assert_int_equal(fs_scorer_score(s, &bot, &v), before);
    assert_int_equal(v, 0);
    assert_true(fs_metric_value(cfg.rejected) == 1);
    assert_true(fs_metric_value(cfg.fallback) == 2);
    assert_true(fs_metric_value(cfg.version) == 0);
    assert_int_equal(fs_scorer_apply(s, 3, good_file, strlen(good_file)), 0);
    before = fs_scorer_score(s, &bot, &v);
    assert_int_equal(v, 3);
    assert_true(fs_metric_value(cfg.version) == 3);
    assert_true(fs_metric_value(cfg.fallback) == 2);
    assert_int_equal(fs_scorer_apply(s, 4, bad_file, strlen(bad_file)), -EINVAL);
    assert_true(fs_metric_value(cfg.rejected) == 2);
    assert_true(fs_metric_value(cfg.version) == 3);
    assert_int_equal(fs_scorer_zeroed(s), 0);
    assert_int_equal(fs_scorer_score(s, &bot, &v), before);
    assert_int_equal(v, 3);

    /* botmod/config/load fails a good file as if it were bad. */
    assert_int_equal(fiu_enable("botmod/config/load", 1, NULL, 0), 0);
    assert_int_equal(fs_scorer_apply(s, 5, good_file, strlen(good_file)), -EIO);
    fiu_disable("botmod/config/load");
    assert_int_equal(fs_scorer_version(s), 3);
    assert_int_equal(fs_scorer_apply(s, 5, good_file, strlen(good_file)), 0);
    fs_scorer_free(s);
    fs_metrics_free(m);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_long_tokens_match_nothing),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_human_and_bot_with_defaults),
        cmocka_unit_test(test_from_json),
        cmocka_unit_test(test_scorer_defaults),
        cmocka_unit_test(test_scorer_zero_mode),
        cmocka_unit_test(test_scorer_reject),
    };

    fiu_init(0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
