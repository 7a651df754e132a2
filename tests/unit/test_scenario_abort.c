/* Unit tests for harness/scenario_abort.c ($.abort_if) and the aborted
 * expectation: the accepted forms with their defaults and time scale, and
 * every refusal with its exact message. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scenario.h"

/* ' for " keeps the cases readable. */
static int parse(const char *text, double scale, fs_scenario_t **out, char *err, size_t errlen)
{
    fs_scenario_opts_t opts = {.time_scale = scale};
    char *json = strdup(text);
    int rc;

    assert_non_null(json);
    for (char *p = json; *p; p++)
        if (*p == '\'')
            *p = '"';
    rc = fs_scenario_parse(json, strlen(json), "t.json", &opts, out, err, errlen);
    free(json);
    return rc;
}

static fs_scenario_t *good(const char *text, double scale)
{
    char err[1024] = "";
    fs_scenario_t *s = NULL;

    if (parse(text, scale, &s, err, sizeof(err)) != 0)
        fail_msg("refused: %s", err);
    return s;
}

#define HEAD      "{'name':'t','duration':'10s','postures':['legacy'],"
#define FAULTS    "'faults':[{'at':'1s','kind':'process.crash','target':'botmod'}]"
#define ABORT(x)  HEAD FAULTS ",'abort_if':" x "}"
#define EXPECT(x) HEAD FAULTS ",'abort_if':{'blast_radius_above':0.3},'expect':{" x "}}"

static void test_forms_and_defaults(void **state)
{
    fs_scenario_t *s;
    const fs_guard_cond_t *c;

    (void)state;
    s = good(HEAD FAULTS "}", 1);
    assert_int_equal(fs_scenario_abort_count(s), 0);
    assert_null(fs_scenario_abort(s, 0));
    assert_int_equal(fs_scenario_expect(s, FS_POSTURE_LEGACY)->has_aborted, 0);
    fs_scenario_free(s);

    /* One object: defaults "for" 0 and "window" 1 s. */
    s = good(ABORT("{'blast_radius_above':0.3}"), 1);
    assert_int_equal(fs_scenario_abort_count(s), 1);
    c = fs_scenario_abort(s, 0);
    assert_int_equal(c->signal, FS_GUARD_BLAST_RADIUS);
    assert_true(c->threshold == 0.3);
    assert_int_equal(c->for_ms, 0);
    assert_int_equal(c->window_ms, 1000);
    assert_string_equal(c->what, "blast radius");
    fs_scenario_free(s);

    /* An array of every signal and option. */
    s = good(ABORT("[{'blast_radius_above':0,'for':'2s','window':'500ms'},"
                   "{'failure_rate_above':0.5,'interface':'proxy->botmod','window':'10m'},"
                   "{'failure_rate_above':0.25},"
                   "{'processes_down_above':0},"
                   "{'processes_down_above':1,'target':'botmod[1]','for':'1.5s'},"
                   "{'processes_down_above':2,'target':'proxy'}]"),
             1);
    assert_int_equal(fs_scenario_abort_count(s), 6);
    c = fs_scenario_abort(s, 0);
    assert_int_equal(c->for_ms, 2000);
    assert_int_equal(c->window_ms, 500);
    c = fs_scenario_abort(s, 1);
    assert_int_equal(c->signal, FS_GUARD_FAILURE_RATE);
    assert_int_equal(c->iface, FS_IF_PROXY_BOTMOD);
    assert_int_equal(c->window_ms, 600000);
    assert_string_equal(c->what, "failure rate of proxy->botmod");
    c = fs_scenario_abort(s, 2);
    assert_int_equal(c->iface, FS_IF_CLIENT_PROXY); /* the users' requests */
    c = fs_scenario_abort(s, 3);
    assert_int_equal(c->signal, FS_GUARD_PROCESSES_DOWN);
    assert_int_equal(c->has_target, 0);
    assert_string_equal(c->what, "processes down");
    c = fs_scenario_abort(s, 4);
    assert_true(c->threshold == 1);
    assert_int_equal(c->has_target, 1);
    assert_int_equal(c->target.kind, FS_TARGET_INSTANCE);
    assert_int_equal(c->target.svc, FS_SVC_BOTMOD);
    assert_int_equal(c->target.index, 1);
    assert_int_equal(c->for_ms, 1500);
    assert_string_equal(c->what, "processes down (botmod[1])");
    c = fs_scenario_abort(s, 5);
    assert_int_equal(c->target.kind, FS_TARGET_SERVICE);
    assert_int_equal(c->target.svc, FS_SVC_PROXY);
    fs_scenario_free(s);
}

static void test_time_scale(void **state)
{
    fs_scenario_t *s;

    (void)state;
    /* --time-scale 2: "for", "window" and the default window double. */
    s = good(ABORT("[{'blast_radius_above':0.3,'for':'1s','window':'2s'},"
                   "{'failure_rate_above':0.1}]"),
             2);
    assert_int_equal(fs_scenario_abort(s, 0)->for_ms, 2000);
    assert_int_equal(fs_scenario_abort(s, 0)->window_ms, 4000);
    assert_int_equal(fs_scenario_abort(s, 1)->window_ms, 2000);
    fs_scenario_free(s);
}

static void test_expect_aborted(void **state)
{
    fs_scenario_t *s;

    (void)state;
    s = good(EXPECT("'legacy':{'aborted':true}"), 1);
    assert_int_equal(fs_scenario_expect(s, FS_POSTURE_LEGACY)->has_aborted, 1);
    assert_int_equal(fs_scenario_expect(s, FS_POSTURE_LEGACY)->aborted, 1);
    fs_scenario_free(s);
    s = good(EXPECT("'legacy':{'aborted':false}"), 1);
    assert_int_equal(fs_scenario_expect(s, FS_POSTURE_LEGACY)->has_aborted, 1);
    assert_int_equal(fs_scenario_expect(s, FS_POSTURE_LEGACY)->aborted, 0);
    fs_scenario_free(s);
    /* false says nothing can stop it: fine without stop conditions too. */
    s = good(HEAD FAULTS ",'expect':{'legacy':{'aborted':false}}}", 1);
    fs_scenario_free(s);
}

typedef struct {
    const char *json; /* ' for " */
    const char *want; /* the whole message */
} bad_t;

static const bad_t bad[] = {
    {ABORT("'x'"), "t.json: $.abort_if: expected a condition (an object) or an array of 1 to 16, "
                   "got a string"},
    {ABORT("[]"), "t.json: $.abort_if: expected 1 to 16 conditions, got 0"},
    {ABORT("[{'blast_radius_above':0.1},{'blast_radius_above':0.1},{'blast_radius_above':0.1},"
           "{'blast_radius_above':0.1},{'blast_radius_above':0.1},{'blast_radius_above':0.1},"
           "{'blast_radius_above':0.1},{'blast_radius_above':0.1},{'blast_radius_above':0.1},"
           "{'blast_radius_above':0.1},{'blast_radius_above':0.1},{'blast_radius_above':0.1},"
           "{'blast_radius_above':0.1},{'blast_radius_above':0.1},{'blast_radius_above':0.1},"
           "{'blast_radius_above':0.1},{'blast_radius_above':0.1}]"),
     "t.json: $.abort_if: expected 1 to 16 conditions, got 17"},
    {ABORT("[3]"), "t.json: $.abort_if[0]: expected an object, got a number"},
    {ABORT("{}"), "t.json: $.abort_if: give one signal: blast_radius_above, failure_rate_above or "
                  "processes_down_above"},
    {ABORT("{'latency_above':5}"),
     "t.json: $.abort_if.latency_above: unknown field (abort_if takes blast_radius_above, "
     "failure_rate_above, processes_down_above, interface, target, for, window)"},
    {ABORT("[{'blast_radius_above':0.3},{'blast_radius_above':0.3,'failure_rate_above':0.3}]"),
     "t.json: $.abort_if[1]: one signal per condition, got blast_radius_above and "
     "failure_rate_above (use an array of conditions: any one stops the run)"},
    {ABORT("{'blast_radius_above':1}"), "t.json: $.abort_if.blast_radius_above: 1: a share is "
                                        "never above 1 (expected 0 up to, not including, 1)"},
    {ABORT("{'blast_radius_above':1.5}"),
     "t.json: $.abort_if.blast_radius_above: expected a number from 0 to 1, got 1.5"},
    {ABORT("{'failure_rate_above':-0.1}"),
     "t.json: $.abort_if.failure_rate_above: expected a number from 0 to 1, got -0.1"},
    {ABORT("{'failure_rate_above':'0.3'}"),
     "t.json: $.abort_if.failure_rate_above: expected a number from 0 to 1, got a string"},
    {ABORT("{'processes_down_above':1.5}"),
     "t.json: $.abort_if.processes_down_above: expected a whole number from 0 to 10, got 1.5"},
    {ABORT("{'processes_down_above':11}"),
     "t.json: $.abort_if.processes_down_above: expected a whole number from 0 to 10, got 11"},
    {ABORT("{'blast_radius_above':0.3,'for':'-1s'}"),
     "t.json: $.abort_if.for: \"-1s\": negative durations are not allowed"},
    {ABORT("{'blast_radius_above':0.3,'for':2}"),
     "t.json: $.abort_if.for: expected a duration string such as \"1.5s\", got a number"},
    {ABORT("{'blast_radius_above':0.3,'for':'10s'}"),
     "t.json: $.abort_if.for: 10s: a condition cannot hold that long in a run of 10s"},
    {ABORT("{'blast_radius_above':0.3,'window':'11m'}"),
     "t.json: $.abort_if.window: 11m: expected 1ms to 10m"},
    {ABORT("{'blast_radius_above':0.3,'window':'0ms'}"),
     "t.json: $.abort_if.window: 0ms: expected 1ms to 10m"},
    {ABORT("{'processes_down_above':0,'window':'1s'}"),
     "t.json: $.abort_if.window: only with blast_radius_above or failure_rate_above"},
    {ABORT("{'blast_radius_above':0.3,'interface':'proxy->botmod'}"),
     "t.json: $.abort_if.interface: only with failure_rate_above"},
    {ABORT("{'failure_rate_above':0.3,'target':'botmod'}"),
     "t.json: $.abort_if.target: only with processes_down_above"},
    {ABORT("{'failure_rate_above':0.3,'interface':'proxy->dns'}"),
     "t.json: $.abort_if.interface: \"proxy->dns\": unknown interface (client->proxy, "
     "user->dashboard, proxy->botmod, proxy->origin, proxy->configstore, botmod->configstore, "
     "dashboard->botmod, dashboard->configstore)"},
    {ABORT("{'processes_down_above':0,'target':'botmod[4]'}"),
     "t.json: $.abort_if.target: \"botmod[4]\": the fleet has 4 nodes (botmod[0]..botmod[3])"},
    {ABORT("{'processes_down_above':0,'target':'dns'}"),
     "t.json: $.abort_if.target: \"dns\": unknown service (proxy, botmod, configstore, "
     "dashboard, origin, client, user)"},
    {ABORT("{'processes_down_above':0,'target':'proxy->botmod'}"),
     "t.json: $.abort_if.target: \"proxy->botmod\": expected a service (botmod) or an instance "
     "(botmod[2])"},
    {EXPECT("'legacy':{'aborted':'yes'}"),
     "t.json: $.expect.legacy.aborted: expected true or false, got a string"},
    {EXPECT("'hardened':{'aborted':true}"),
     "t.json: $.expect.hardened: the scenario does not run hardened (see $.postures)"},
    {HEAD FAULTS ",'expect':{'legacy':{'aborted':true}}}",
     "t.json: $.expect.legacy.aborted: true needs $.abort_if (nothing else stops a run early)"},
};

/* Every case is tried and every mismatch printed before the test fails. */
static void test_refused(void **state)
{
    int wrong = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[1024] = "";
        fs_scenario_t *s = (fs_scenario_t *)&err;
        int rc = parse(bad[i].json, 1, &s, err, sizeof(err));

        if (rc != -EINVAL || s != NULL || strcmp(err, bad[i].want) != 0) {
            print_message("case %zu: rc %d\n got: %s\nwant: %s\n", i, rc, err, bad[i].want);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms_and_defaults),
        cmocka_unit_test(test_time_scale),
        cmocka_unit_test(test_expect_aborted),
        cmocka_unit_test(test_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
