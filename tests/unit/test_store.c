/* The configstore's keys, retained blobs and event log. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../fleet/configstore/store.h"

typedef struct {
    uint64_t seqs[64];
    char keys[64][FS_STORE_KEY_MAX + 1];
    size_t n;
} seen_t;

static void seen_cb(const fs_store_event_t *ev, void *data)
{
    seen_t *s = data;

    if (s->n < 64) {
        s->seqs[s->n] = ev->seq;
        snprintf(s->keys[s->n], sizeof(s->keys[0]), "%s", ev->key);
        s->n++;
    }
}

static fs_store_t *make(fs_rollout_mode_t mode, size_t max_events, seen_t *seen)
{
    fs_store_config_t cfg = {
        .mode = mode, .bake_ms = 100, .max_events = max_events, .cb = seen_cb, .data = seen};
    fs_store_t *s = NULL;

    if (seen != NULL)
        memset(seen, 0, sizeof(*seen));
    else
        cfg.cb = NULL;
    assert_int_equal(fs_store_new(&cfg, &s), 0);
    return s;
}

static uint64_t publish(fs_store_t *s, const char *key, const char *blob)
{
    uint64_t v = 0;

    assert_int_equal(fs_store_publish(s, key, blob, strlen(blob), 0, &v), 0);
    return v;
}

static void assert_get(fs_store_t *s, const char *key, const char *node, uint64_t version,
                       const char *blob)
{
    const void *b = NULL;
    size_t len = 0;
    uint64_t v = 0;

    assert_int_equal(fs_store_get(s, key, node, &b, &len, &v), 0);
    assert_int_equal(v, version);
    assert_int_equal(len, strlen(blob));
    assert_memory_equal(b, blob, len);
}

static void test_keys(void **state)
{
    char long_key[FS_STORE_KEY_MAX + 2];

    (void)state;
    memset(long_key, 'k', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    assert_true(fs_store_key_valid("bot/features"));
    assert_true(fs_store_key_valid("a.b_c-d/E9"));
    assert_false(fs_store_key_valid(long_key));
    long_key[FS_STORE_KEY_MAX] = '\0';
    assert_true(fs_store_key_valid(long_key));
    assert_false(fs_store_key_valid(""));
    assert_false(fs_store_key_valid(NULL));
    assert_false(fs_store_key_valid("a b"));
    assert_false(fs_store_key_valid("a?b"));
    assert_false(fs_store_key_valid("a%2fb"));
}

static void test_version_numbering(void **state)
{
    fs_store_t *s = make(FS_ROLLOUT_INSTANT, 0, NULL);
    const void *b;
    size_t len;
    uint64_t v;

    (void)state;
    assert_int_equal(fs_store_get(s, "a", NULL, &b, &len, &v), -ENOENT);
    assert_int_equal(publish(s, "a", "one"), 1);
    assert_int_equal(publish(s, "a", "two"), 2);
    assert_int_equal(publish(s, "b/c", ""), 1);
    assert_int_equal(publish(s, "a", "three"), 3);
    assert_get(s, "a", NULL, 3, "three");
    assert_get(s, "b/c", "0", 1, "");
    assert_int_equal(fs_store_publish(s, "bad key", "x", 1, 0, &v), -EINVAL);
    assert_int_equal(fs_store_get(s, "a", "bad node", &b, &len, &v), -EINVAL);
    assert_int_equal(fs_store_get(s, "a?", NULL, &b, &len, &v), -EINVAL);
    /* A GET with a node registers it for rollouts of that key only. */
    assert_int_equal(fs_rollout_node_count(fs_store_rollout(s, "b/c")), 1);
    assert_int_equal(fs_rollout_node_count(fs_store_rollout(s, "a")), 0);
    assert_null(fs_store_rollout(s, "nope"));
    fs_store_free(s);
}

static void test_key_bound(void **state)
{
    fs_store_config_t cfg = {.mode = FS_ROLLOUT_INSTANT, .max_keys = 2};
    fs_store_t *s = NULL;
    uint64_t v;

    (void)state;
    assert_int_equal(fs_store_new(&cfg, &s), 0);
    publish(s, "a", "x");
    publish(s, "b", "x");
    assert_int_equal(fs_store_publish(s, "c", "x", 1, 0, &v), -ENOSPC);
    assert_int_equal(publish(s, "a", "y"), 2);
    fs_store_free(s);
}

static void test_retention_instant(void **state)
{
    fs_store_t *s = make(FS_ROLLOUT_INSTANT, 0, NULL);
    char blob[16];
    uint64_t served = 0;

    (void)state;
    for (int i = 1; i <= 100; i++) {
        snprintf(blob, sizeof(blob), "v%d", i);
        publish(s, "k", blob);
        assert_true(fs_store_retained(s, "k") <= FS_STORE_DEFAULT_VERSIONS);
    }
    assert_int_equal(fs_store_retained(s, "k"), FS_STORE_DEFAULT_VERSIONS);
    assert_false(fs_store_has_version(s, "k", 68));
    assert_true(fs_store_has_version(s, "k", 69));
    assert_get(s, "k", NULL, 100, "v100");
    /* Rollback walks back over what is retained, then stops. */
    for (int i = 99; i >= 69; i--) {
        assert_int_equal(fs_store_rollback(s, "k", 0, &served), 0);
        assert_int_equal(served, i);
    }
    assert_get(s, "k", "0", 69, "v69");
    assert_int_equal(fs_store_rollback(s, "k", 0, &served), -EALREADY);
    fs_store_free(s);
}

static void test_retention_spares_good_and_target(void **state)
{
    fs_store_t *s = make(FS_ROLLOUT_STAGED, 0, NULL);
    const void *b;
    size_t len;
    uint64_t v;

    (void)state;
    publish(s, "k", "good");
    assert_get(s, "k", "0", 1, "good"); /* registers the canary */
    for (int i = 0; i < 60; i++)
        publish(s, "k", "flap");
    assert_int_equal(fs_store_retained(s, "k"), FS_STORE_DEFAULT_VERSIONS);
    assert_true(fs_store_has_version(s, "k", 1));
    assert_true(fs_store_has_version(s, "k", 61));
    assert_int_equal(fs_rollout_state(fs_store_rollout(s, "k")), FS_ROLLOUT_BAKING);
    assert_get(s, "k", NULL, 1, "good");
    assert_int_equal(fs_store_get(s, "k", "0", &b, &len, &v), 0);
    assert_int_equal(v, 61);
    fs_store_free(s);
}

static void test_rollback_skips_withdrawn(void **state)
{
    fs_store_t *s = make(FS_ROLLOUT_INSTANT, 0, NULL);
    uint64_t served = 0;

    (void)state;
    assert_int_equal(fs_store_rollback(s, "k", 0, &served), -ENOENT);
    publish(s, "k", "1");
    assert_int_equal(fs_store_rollback(s, "k", 0, &served), -EALREADY);
    publish(s, "k", "2");
    publish(s, "k", "3");
    assert_int_equal(fs_store_rollback(s, "k", 0, &served), 0);
    assert_int_equal(served, 2);
    publish(s, "k", "4");
    assert_int_equal(fs_store_rollback(s, "k", 0, &served), 0);
    assert_int_equal(served, 2);
    assert_int_equal(fs_store_rollback(s, "k", 0, &served), 0);
    assert_int_equal(served, 1);
    assert_get(s, "k", NULL, 1, "1");
    assert_int_equal(fs_store_rollback(s, "k", 0, &served), -EALREADY);
    fs_store_free(s);
}

static void test_health_and_tick(void **state)
{
    fs_store_t *s = make(FS_ROLLOUT_STAGED, 0, NULL);
    uint64_t served = 0;

    (void)state;
    assert_int_equal(fs_store_health(s, "k", "0", 1, 1, 0, 0), -ENOENT);
    publish(s, "k", "good");
    assert_get(s, "k", "0", 1, "good");
    assert_get(s, "k", "1", 1, "good");
    publish(s, "k", "bad");
    assert_get(s, "k", "0", 2, "bad");
    assert_get(s, "k", "1", 1, "good");
    assert_int_equal(fs_store_health(s, "k", "0", 2, 1, 0, 10), 0);
    assert_int_equal(fs_store_health(s, "k", "bad id", 2, 1, 0, 10), -EINVAL);
    fs_store_tick(s, 99);
    assert_int_equal(fs_rollout_stage(fs_store_rollout(s, "k")), FS_ROLLOUT_STAGE_CANARY);
    fs_store_tick(s, 100);
    assert_int_equal(fs_rollout_stage(fs_store_rollout(s, "k")), FS_ROLLOUT_STAGE_QUARTER);
    assert_int_equal(fs_store_health(s, "k", "1", 2, 0, 1, 110), 0);
    assert_int_equal(fs_rollout_state(fs_store_rollout(s, "k")), FS_ROLLOUT_ROLLED_BACK);
    assert_get(s, "k", "0", 1, "good");
    /* The withdrawn version is no rollback target; nothing older than 1. */
    assert_int_equal(fs_store_rollback(s, "k", 120, &served), -EALREADY);
    fs_store_free(s);
}

static void test_events_since(void **state)
{
    seen_t seen;
    fs_store_t *s = make(FS_ROLLOUT_INSTANT, 0, &seen);
    cJSON *o = NULL, *events, *e;
    uint64_t v, served;
    char *text;

    (void)state;
    assert_int_equal(fs_store_events_json(s, 0, &o), 0);
    text = cJSON_PrintUnformatted(o);
    assert_string_equal(text, "{\"next\":0,\"events\":[]}");
    cJSON_free(text);
    cJSON_Delete(o);

    assert_int_equal(fs_store_publish(s, "a", "x", 1, 5, &v), 0);
    assert_int_equal(fs_store_publish(s, "b", "x", 1, 6, &v), 0);
    assert_int_equal(fs_store_publish(s, "a", "y", 1, 7, &v), 0);
    assert_int_equal(fs_store_rollback(s, "a", 8, &served), 0);
    assert_int_equal(fs_store_last_seq(s), 7);
    assert_int_equal(seen.n, 7);
    assert_int_equal(seen.seqs[6], 7);
    assert_string_equal(seen.keys[2], "b");

    assert_int_equal(fs_store_events_json(s, 0, &o), 0);
    assert_int_equal(cJSON_GetObjectItem(o, "next")->valuedouble, 7);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "events")), 7);
    cJSON_Delete(o);

    assert_int_equal(fs_store_events_json(s, 5, &o), 0);
    events = cJSON_GetObjectItem(o, "events");
    assert_int_equal(cJSON_GetArraySize(events), 2);
    e = cJSON_GetArrayItem(events, 1);
    text = cJSON_PrintUnformatted(e);
    assert_string_equal(text, "{\"seq\":7,\"t_ms\":8,\"key\":\"a\",\"event\":\"rollback\","
                              "\"version\":2,\"served\":1,\"stage\":null,"
                              "\"reason\":\"manual rollback from version 2\"}");
    cJSON_free(text);
    cJSON_Delete(o);

    /* Past the end: nothing, and next says where the log is. */
    assert_int_equal(fs_store_events_json(s, 7, &o), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "events")), 0);
    assert_int_equal(cJSON_GetObjectItem(o, "next")->valuedouble, 7);
    cJSON_Delete(o);
    assert_int_equal(fs_store_events_json(s, 1000, &o), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "events")), 0);
    assert_int_equal(cJSON_GetObjectItem(o, "next")->valuedouble, 7);
    cJSON_Delete(o);
    fs_store_free(s);
}

static void test_events_ring_bound(void **state)
{
    fs_store_t *s = make(FS_ROLLOUT_INSTANT, 8, NULL);
    cJSON *o = NULL, *events;

    (void)state;
    for (int i = 0; i < 10; i++)
        publish(s, "k", "x"); /* published + complete each */
    assert_int_equal(fs_store_last_seq(s), 20);
    assert_int_equal(fs_store_events_json(s, 0, &o), 0);
    events = cJSON_GetObjectItem(o, "events");
    assert_int_equal(cJSON_GetArraySize(events), 8);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(events, 0), "seq")->valuedouble, 13);
    assert_int_equal(cJSON_GetObjectItem(o, "next")->valuedouble, 20);
    cJSON_Delete(o);
    assert_int_equal(fs_store_events_json(s, 18, &o), 0);
    events = cJSON_GetObjectItem(o, "events");
    assert_int_equal(cJSON_GetArraySize(events), 2);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(events, 0), "seq")->valuedouble, 19);
    cJSON_Delete(o);
    fs_store_free(s);
}

static void test_events_page_bound(void **state)
{
    fs_store_t *s = make(FS_ROLLOUT_INSTANT, 0, NULL);
    cJSON *o = NULL;

    (void)state;
    for (int i = 0; i < 1500; i++)
        publish(s, "k", "x");
    assert_int_equal(fs_store_events_json(s, 0, &o), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "events")),
                     FS_STORE_EVENTS_PER_PAGE);
    /* 3000 events, the ring keeps the newest 4096: all of them. */
    assert_int_equal(cJSON_GetObjectItem(o, "next")->valuedouble, FS_STORE_EVENTS_PER_PAGE);
    cJSON_Delete(o);
    fs_store_free(s);
}

static void test_rollout_json(void **state)
{
    fs_store_t *s = make(FS_ROLLOUT_INSTANT, 0, NULL);
    cJSON *o = NULL;

    (void)state;
    assert_int_equal(fs_store_rollout_json(s, "k", &o), -ENOENT);
    publish(s, "k", "x");
    assert_int_equal(fs_store_rollout_json(s, "k", &o), 0);
    assert_string_equal(cJSON_GetObjectItem(o, "key")->valuestring, "k");
    assert_string_equal(cJSON_GetObjectItem(o, "mode")->valuestring, "instant");
    assert_string_equal(cJSON_GetObjectItem(o, "state")->valuestring, "complete");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "stage")));
    cJSON_Delete(o);
    fs_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_version_numbering),
        cmocka_unit_test(test_key_bound),
        cmocka_unit_test(test_retention_instant),
        cmocka_unit_test(test_retention_spares_good_and_target),
        cmocka_unit_test(test_rollback_skips_withdrawn),
        cmocka_unit_test(test_health_and_tick),
        cmocka_unit_test(test_events_since),
        cmocka_unit_test(test_events_ring_bound),
        cmocka_unit_test(test_events_page_bound),
        cmocka_unit_test(test_rollout_json),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
