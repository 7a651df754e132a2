/* The rollout state machine, driven with explicit times. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../fleet/configstore/rollout.h"

#define BAKE 1000

typedef struct {
    fs_rollout_event_kind_t kind;
    uint64_t version;
    uint64_t served;
    fs_rollout_stage_t stage;
    char nodes[256];
    char reason[128];
    uint64_t t_ms;
} rec_t;

typedef struct {
    rec_t ev[64];
    size_t n;
} recs_t;

static void record_cb(const fs_rollout_event_t *ev, void *data)
{
    recs_t *r = data;
    rec_t *e;

    if (r->n >= sizeof(r->ev) / sizeof(r->ev[0]))
        return;
    e = &r->ev[r->n++];
    e->kind = ev->kind;
    e->version = ev->version;
    e->served = ev->served;
    e->stage = ev->stage;
    snprintf(e->nodes, sizeof(e->nodes), "%s", ev->nodes ? ev->nodes : "");
    snprintf(e->reason, sizeof(e->reason), "%s", ev->reason ? ev->reason : "");
    e->t_ms = ev->t_ms;
}

static fs_rollout_t *make(fs_rollout_mode_t mode, recs_t *recs, size_t nodes, const char *canary)
{
    fs_rollout_config_t cfg = {
        .mode = mode, .bake_ms = BAKE, .canary = canary, .cb = record_cb, .data = recs};
    fs_rollout_t *r = NULL;
    char id[24];

    memset(recs, 0, sizeof(*recs));
    assert_int_equal(fs_rollout_new(&cfg, &r), 0);
    for (size_t i = 0; i < nodes; i++) {
        snprintf(id, sizeof(id), "%zu", i);
        assert_int_equal(fs_rollout_node_seen(r, id), 0);
    }
    return r;
}

static void assert_served(const fs_rollout_t *r, size_t nodes, size_t first_n, uint64_t newv,
                          uint64_t oldv)
{
    char id[24];

    for (size_t i = 0; i < nodes; i++) {
        snprintf(id, sizeof(id), "%zu", i);
        assert_int_equal(fs_rollout_serve(r, id), i < first_n ? newv : oldv);
    }
}

/* All stage nodes report ok for version; then the bake runs out. */
static void pass_stage(fs_rollout_t *r, uint64_t version, uint64_t *now)
{
    for (size_t i = 0; i < fs_rollout_stage_size(r); i++)
        assert_int_equal(
            fs_rollout_health(r, fs_rollout_stage_node(r, i), version, 1, 0, *now + 10), 0);
    *now += BAKE;
    fs_rollout_tick(r, *now);
}

static void test_instant_serves_all(void **state)
{
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_INSTANT, &recs, 4, NULL);

    (void)state;
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_IDLE);
    assert_int_equal(fs_rollout_serve(r, "0"), 0);
    assert_int_equal(fs_rollout_publish(r, 1, 5), 0);
    assert_int_equal(fs_rollout_publish(r, 2, 6), 0);
    assert_served(r, 4, 4, 2, 0);
    assert_int_equal(fs_rollout_serve(r, NULL), 2);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_COMPLETE);
    assert_int_equal(fs_rollout_stage(r), FS_ROLLOUT_STAGE_NONE);
    assert_int_equal(recs.n, 4);
    assert_int_equal(recs.ev[2].kind, FS_ROLLOUT_EV_PUBLISHED);
    assert_int_equal(recs.ev[3].kind, FS_ROLLOUT_EV_COMPLETE);
    assert_int_equal(recs.ev[3].version, 2);
    /* Versions only grow. */
    assert_int_equal(fs_rollout_publish(r, 2, 7), -EINVAL);
    fs_rollout_free(r);
}

static void test_staged_first_version_at_once(void **state)
{
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_STAGED, &recs, 4, NULL);

    (void)state;
    assert_int_equal(fs_rollout_publish(r, 1, 0), 0);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_COMPLETE);
    assert_int_equal(fs_rollout_good(r), 1);
    assert_served(r, 4, 4, 1, 0);
    fs_rollout_free(r);
}

static void test_staged_canary_then_stages(void **state)
{
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_STAGED, &recs, 4, NULL);
    uint64_t now = 100;

    (void)state;
    assert_int_equal(fs_rollout_publish(r, 1, 0), 0);
    assert_int_equal(fs_rollout_publish(r, 2, now), 0);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_BAKING);
    assert_int_equal(fs_rollout_stage(r), FS_ROLLOUT_STAGE_CANARY);
    assert_served(r, 4, 1, 2, 1);
    assert_int_equal(fs_rollout_serve(r, NULL), 1);
    assert_int_equal(recs.ev[recs.n - 1].kind, FS_ROLLOUT_EV_STAGE);
    assert_string_equal(recs.ev[recs.n - 1].nodes, "0");

    /* Held for the whole bake even when everyone reported. */
    assert_int_equal(fs_rollout_health(r, "0", 2, 1, 0, now + 5), 0);
    fs_rollout_tick(r, now + BAKE - 1);
    assert_int_equal(fs_rollout_stage(r), FS_ROLLOUT_STAGE_CANARY);
    now += BAKE;
    fs_rollout_tick(r, now);
    assert_int_equal(fs_rollout_stage(r), FS_ROLLOUT_STAGE_QUARTER);
    assert_int_equal(fs_rollout_stage_size(r), 2);
    assert_served(r, 4, 2, 2, 1);
    assert_string_equal(recs.ev[recs.n - 1].nodes, "0,1");

    pass_stage(r, 2, &now);
    assert_int_equal(fs_rollout_stage(r), FS_ROLLOUT_STAGE_ALL);
    assert_served(r, 4, 4, 2, 1);
    assert_int_equal(fs_rollout_serve(r, NULL), 1);

    pass_stage(r, 2, &now);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_COMPLETE);
    assert_int_equal(fs_rollout_stage(r), FS_ROLLOUT_STAGE_NONE);
    assert_int_equal(fs_rollout_good(r), 2);
    assert_int_equal(fs_rollout_target(r), 2);
    assert_int_equal(fs_rollout_serve(r, NULL), 2);
    assert_int_equal(recs.ev[recs.n - 1].kind, FS_ROLLOUT_EV_COMPLETE);
    assert_int_equal(recs.ev[recs.n - 1].served, 2);
    fs_rollout_free(r);
}

static void test_canary_failure_rolls_back_at_once(void **state)
{
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_STAGED, &recs, 4, NULL);

    (void)state;
    assert_int_equal(fs_rollout_publish(r, 1, 0), 0);
    assert_int_equal(fs_rollout_publish(r, 2, 10), 0);
    assert_int_equal(fs_rollout_health(r, "0", 2, 0, 3, 20), 0);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_ROLLED_BACK);
    assert_int_equal(fs_rollout_good(r), 1);
    assert_int_equal(fs_rollout_target(r), 2);
    assert_served(r, 4, 0, 2, 1);
    assert_int_equal(recs.ev[recs.n - 1].kind, FS_ROLLOUT_EV_ROLLED_BACK);
    assert_int_equal(recs.ev[recs.n - 1].version, 2);
    assert_int_equal(recs.ev[recs.n - 1].t_ms, 20);
    assert_string_equal(recs.ev[recs.n - 1].reason, "node 0 reported failure");
    /* Nothing more happens on later ticks. */
    fs_rollout_tick(r, 5000);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_ROLLED_BACK);
    fs_rollout_free(r);
}

static void test_silent_canary_rolls_back(void **state)
{
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_STAGED, &recs, 4, NULL);

    (void)state;
    assert_int_equal(fs_rollout_publish(r, 1, 0), 0);
    assert_int_equal(fs_rollout_publish(r, 2, 10), 0);
    fs_rollout_tick(r, 10 + BAKE - 1);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_BAKING);
    fs_rollout_tick(r, 10 + BAKE);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_ROLLED_BACK);
    assert_served(r, 4, 0, 2, 1);
    assert_string_equal(recs.ev[recs.n - 1].reason, "node 0 did not report within 1000 ms");
    fs_rollout_free(r);
}

static void test_reports_outside_stage_ignored(void **state)
{
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_STAGED, &recs, 4, NULL);
    uint64_t now = 0;

    (void)state;
    assert_int_equal(fs_rollout_publish(r, 1, 0), 0);
    assert_int_equal(fs_rollout_publish(r, 2, 0), 0);
    /* Not in the stage, another version, unknown node: no effect. */
    assert_int_equal(fs_rollout_health(r, "3", 2, 0, 1, 1), 0);
    assert_int_equal(fs_rollout_health(r, "0", 1, 0, 1, 2), 0);
    assert_int_equal(fs_rollout_health(r, "zz", 2, 0, 1, 3), 0);
    assert_int_equal(fs_rollout_health(r, "bad id", 2, 0, 1, 3), -EINVAL);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_BAKING);
    /* An ok for the old version does not pass the stage either. */
    now += BAKE;
    fs_rollout_tick(r, now);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_ROLLED_BACK);
    fs_rollout_free(r);
}

static void test_each_stage_needs_fresh_reports(void **state)
{
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_STAGED, &recs, 4, NULL);
    uint64_t now = 0;

    (void)state;
    assert_int_equal(fs_rollout_publish(r, 1, 0), 0);
    assert_int_equal(fs_rollout_publish(r, 2, 0), 0);
    pass_stage(r, 2, &now);
    assert_int_equal(fs_rollout_stage(r), FS_ROLLOUT_STAGE_QUARTER);
    assert_int_equal(fs_rollout_health(r, "1", 2, 1, 0, now + 1), 0);
    now += BAKE;
    fs_rollout_tick(r, now);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_ROLLED_BACK);
    assert_string_equal(recs.ev[recs.n - 1].reason, "node 0 did not report within 1000 ms");
    fs_rollout_free(r);
}

static void test_publish_during_rollout_restarts(void **state)
{
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_STAGED, &recs, 4, NULL);
    uint64_t now = 0;

    (void)state;
    assert_int_equal(fs_rollout_publish(r, 1, 0), 0);
    assert_int_equal(fs_rollout_publish(r, 2, 0), 0);
    pass_stage(r, 2, &now);
    assert_int_equal(fs_rollout_stage(r), FS_ROLLOUT_STAGE_QUARTER);
    assert_int_equal(fs_rollout_publish(r, 3, now + 1), 0);
    assert_int_equal(fs_rollout_stage(r), FS_ROLLOUT_STAGE_CANARY);
    assert_int_equal(fs_rollout_target(r), 3);
    assert_int_equal(fs_rollout_good(r), 1);
    assert_served(r, 4, 1, 3, 1);
    /* The bake restarted with the new stage. */
    fs_rollout_tick(r, now + BAKE);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_BAKING);
    fs_rollout_free(r);
}

static void test_manual_rollback_instant(void **state)
{
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_INSTANT, &recs, 2, NULL);
    uint64_t served = 0;

    (void)state;
    assert_int_equal(fs_rollout_rollback(r, 0, 0, &served), -EALREADY);
    assert_int_equal(fs_rollout_publish(r, 1, 0), 0);
    assert_int_equal(fs_rollout_rollback(r, 0, 0, &served), -EALREADY);
    assert_int_equal(fs_rollout_publish(r, 2, 0), 0);
    assert_int_equal(fs_rollout_rollback(r, 1, 7, &served), 0);
    assert_int_equal(served, 1);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_ROLLED_BACK);
    assert_served(r, 2, 0, 2, 1);
    assert_int_equal(recs.ev[recs.n - 1].kind, FS_ROLLOUT_EV_ROLLBACK);
    assert_int_equal(recs.ev[recs.n - 1].version, 2);
    assert_int_equal(recs.ev[recs.n - 1].served, 1);
    /* previous must be older than good. */
    assert_int_equal(fs_rollout_rollback(r, 1, 8, &served), -EALREADY);
    fs_rollout_free(r);
}

static void test_manual_rollback_staged(void **state)
{
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_STAGED, &recs, 4, NULL);
    uint64_t served = 0, now = 0;

    (void)state;
    assert_int_equal(fs_rollout_publish(r, 1, 0), 0);
    assert_int_equal(fs_rollout_publish(r, 2, 0), 0);
    /* During a rollout: the target is withdrawn, previous is not needed. */
    assert_int_equal(fs_rollout_rollback(r, 0, 5, &served), 0);
    assert_int_equal(served, 1);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_ROLLED_BACK);
    assert_served(r, 4, 0, 2, 1);
    assert_string_equal(recs.ev[recs.n - 1].reason, "manual rollback during the canary stage");
    /* After a completed rollout: back to previous. */
    assert_int_equal(fs_rollout_publish(r, 3, 0), 0);
    pass_stage(r, 3, &now);
    pass_stage(r, 3, &now);
    pass_stage(r, 3, &now);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_COMPLETE);
    assert_int_equal(fs_rollout_rollback(r, 1, now, &served), 0);
    assert_int_equal(served, 1);
    assert_int_equal(fs_rollout_good(r), 1);
    assert_served(r, 4, 0, 3, 1);
    assert_int_equal(fs_rollout_rollback(r, 0, now, &served), -EALREADY);
    fs_rollout_free(r);
}

static void test_stage_sizes(void **state)
{
    (void)state;
    assert_int_equal(fs_rollout_stage_nodes_for(FS_ROLLOUT_STAGE_CANARY, 4), 1);
    assert_int_equal(fs_rollout_stage_nodes_for(FS_ROLLOUT_STAGE_QUARTER, 4), 2);
    assert_int_equal(fs_rollout_stage_nodes_for(FS_ROLLOUT_STAGE_ALL, 4), 4);
    assert_int_equal(fs_rollout_stage_nodes_for(FS_ROLLOUT_STAGE_CANARY, 64), 1);
    assert_int_equal(fs_rollout_stage_nodes_for(FS_ROLLOUT_STAGE_QUARTER, 64), 16);
    assert_int_equal(fs_rollout_stage_nodes_for(FS_ROLLOUT_STAGE_ALL, 64), 64);
    assert_int_equal(fs_rollout_stage_nodes_for(FS_ROLLOUT_STAGE_QUARTER, 9), 3);
    assert_int_equal(fs_rollout_stage_nodes_for(FS_ROLLOUT_STAGE_QUARTER, 1), 1);
    assert_int_equal(fs_rollout_stage_nodes_for(FS_ROLLOUT_STAGE_QUARTER, 2), 2);
    assert_int_equal(fs_rollout_stage_nodes_for(FS_ROLLOUT_STAGE_CANARY, 0), 0);
}

static void run_through(size_t nodes, const size_t *sizes)
{
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_STAGED, &recs, nodes, NULL);
    uint64_t now = 0;

    assert_int_equal(fs_rollout_publish(r, 1, 0), 0);
    assert_int_equal(fs_rollout_publish(r, 2, 0), 0);
    for (int s = 0; s < 3; s++) {
        assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_BAKING);
        assert_int_equal(fs_rollout_stage_size(r), sizes[s]);
        assert_served(r, nodes, sizes[s], 2, 1);
        pass_stage(r, 2, &now);
    }
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_COMPLETE);
    assert_served(r, nodes, nodes, 2, 1);
    fs_rollout_free(r);
}

static void test_stage_walks(void **state)
{
    static const size_t four[] = {1, 2, 4}, sixtyfour[] = {1, 16, 64}, one[] = {1, 1, 1};

    (void)state;
    run_through(4, four);
    run_through(64, sixtyfour);
    run_through(1, one);
}

static void test_no_nodes_completes_after_bakes(void **state)
{
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_STAGED, &recs, 0, NULL);
    uint64_t now = 0;

    (void)state;
    assert_int_equal(fs_rollout_publish(r, 1, 0), 0);
    assert_int_equal(fs_rollout_publish(r, 2, 0), 0);
    for (int i = 0; i < 3; i++)
        pass_stage(r, 2, &now);
    assert_int_equal(fs_rollout_state(r), FS_ROLLOUT_COMPLETE);
    assert_int_equal(fs_rollout_serve(r, "7"), 2);
    fs_rollout_free(r);
}

static void test_node_order_and_canary(void **state)
{
    static const char *const ids[] = {"10", "b", "2", "a", "1", "02"};
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_STAGED, &recs, 0, "10");

    (void)state;
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        assert_int_equal(fs_rollout_node_seen(r, ids[i]), 0);
    assert_int_equal(fs_rollout_node_seen(r, "2"), 0); /* idempotent */
    assert_int_equal(fs_rollout_node_count(r), 6);
    assert_string_equal(fs_rollout_node(r, 0), "1");
    assert_string_equal(fs_rollout_node(r, 1), "02");
    assert_string_equal(fs_rollout_node(r, 2), "2");
    assert_string_equal(fs_rollout_node(r, 3), "10");
    assert_string_equal(fs_rollout_node(r, 4), "a");
    assert_string_equal(fs_rollout_node(r, 5), "b");
    assert_null(fs_rollout_node(r, 6));
    assert_int_equal(fs_rollout_publish(r, 1, 0), 0);
    assert_int_equal(fs_rollout_publish(r, 2, 0), 0);
    assert_string_equal(fs_rollout_stage_node(r, 0), "10");
    assert_int_equal(fs_rollout_serve(r, "10"), 2);
    assert_int_equal(fs_rollout_serve(r, "1"), 1);
    /* A node that arrives mid-rollout stays outside it. */
    assert_int_equal(fs_rollout_node_seen(r, "0"), 0);
    pass_stage(r, 2, &(uint64_t){0});
    assert_int_equal(fs_rollout_stage_size(r), 2);
    assert_string_equal(fs_rollout_stage_node(r, 1), "1");
    assert_int_equal(fs_rollout_serve(r, "0"), 1);
    fs_rollout_free(r);
}

static void test_node_ids(void **state)
{
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_STAGED, &recs, 0, NULL);
    fs_rollout_config_t bad = {.canary = "no way"};
    fs_rollout_t *r2 = NULL;

    (void)state;
    assert_true(fs_rollout_node_valid("node_1-A"));
    assert_true(fs_rollout_node_valid("01234567890123456789012345678901"));
    assert_false(fs_rollout_node_valid("012345678901234567890123456789012"));
    assert_false(fs_rollout_node_valid(""));
    assert_false(fs_rollout_node_valid(NULL));
    assert_false(fs_rollout_node_valid("a/b"));
    assert_false(fs_rollout_node_valid("\xc3\xa9"));
    assert_int_equal(fs_rollout_node_seen(r, "a b"), -EINVAL);
    assert_int_equal(fs_rollout_node_count(r), 0);
    assert_int_equal(fs_rollout_new(&bad, &r2), -EINVAL);
    fs_rollout_free(r);
}

static void test_node_cap(void **state)
{
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_STAGED, &recs, FS_ROLLOUT_MAX_NODES, NULL);

    (void)state;
    assert_int_equal(fs_rollout_node_seen(r, "extra"), -ENOSPC);
    assert_int_equal(fs_rollout_node_seen(r, "5"), 0);
    assert_int_equal(fs_rollout_node_count(r), FS_ROLLOUT_MAX_NODES);
    fs_rollout_free(r);
}

static void test_json(void **state)
{
    recs_t recs;
    fs_rollout_t *r = make(FS_ROLLOUT_STAGED, &recs, 4, NULL);
    cJSON *o = cJSON_CreateObject();
    char *text;

    (void)state;
    assert_int_equal(fs_rollout_publish(r, 1, 0), 0);
    assert_int_equal(fs_rollout_publish(r, 2, 0), 0);
    assert_int_equal(fs_rollout_health(r, "0", 2, 1, 0, 3), 0);
    assert_int_equal(fs_rollout_json(r, o), 0);
    text = cJSON_PrintUnformatted(o);
    assert_string_equal(text, "{\"mode\":\"staged\",\"state\":\"baking\",\"good_version\":1,"
                              "\"target_version\":2,\"stage\":\"canary\",\"stage_nodes\":[\"0\"],"
                              "\"nodes\":[\"0\",\"1\",\"2\",\"3\"],\"bake_ms\":1000,"
                              "\"health\":{\"0\":{\"version\":2,\"ok\":true,\"errors\":0,"
                              "\"t_ms\":3}}}");
    cJSON_free(text);
    cJSON_Delete(o);
    fs_rollout_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_instant_serves_all),
        cmocka_unit_test(test_staged_first_version_at_once),
        cmocka_unit_test(test_staged_canary_then_stages),
        cmocka_unit_test(test_canary_failure_rolls_back_at_once),
        cmocka_unit_test(test_silent_canary_rolls_back),
        cmocka_unit_test(test_reports_outside_stage_ignored),
        cmocka_unit_test(test_each_stage_needs_fresh_reports),
        cmocka_unit_test(test_publish_during_rollout_restarts),
        cmocka_unit_test(test_manual_rollback_instant),
        cmocka_unit_test(test_manual_rollback_staged),
        cmocka_unit_test(test_stage_sizes),
        cmocka_unit_test(test_stage_walks),
        cmocka_unit_test(test_no_nodes_completes_after_bakes),
        cmocka_unit_test(test_node_order_and_canary),
        cmocka_unit_test(test_node_ids),
        cmocka_unit_test(test_node_cap),
        cmocka_unit_test(test_json),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
