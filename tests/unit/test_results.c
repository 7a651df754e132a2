/* Unit tests for harness/results.c: a synthetic run (series filed call by
 * call, a verdict from fs_verdict_compute, a timeline, links, expectations)
 * turned into results.json and read back field by field; aborted runs with
 * and without a verdict; the atomic write.
 *
 * Unless a test says otherwise: 20 buckets of 100 ms; client->proxy 20 calls
 * per bucket, all good, none in bucket 0; proxy->botmod two links (10 and 5
 * calls per bucket) that fail from bucket 5 to the end; the fault acts on
 * proxy->botmod from 500 to 1000 ms (buckets 5..10); SLO 0.99 / 1 s /
 * 3 buckets / 300 ms grace. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "results.h"
#include "scenario.h"
#include "testutil.h"

#define NB  20
#define BMS 100

typedef struct {
    fs_slo_t slo;
    fs_series_t *link[2]; /* proxy[i]->botmod[i] */
    fs_series_t *pb, *cp; /* proxy->botmod (the links added up), client->proxy */
    uint8_t faulted[NB];  /* proxy->botmod */
    int heal_at;          /* first good bucket again on proxy->botmod; NB = never */
    int break_at;         /* first failing bucket; NB = nothing fails */
    fs_verdict_result_t v;
    fs_timeline_t *tl;
    fs_results_link_t links[2];
    fs_results_expect_t expect[2];
    fs_results_t r;
} fx_t;

/* calls per bucket, failing in [break_at, heal_at). */
static void fill(fs_series_t *s, uint32_t calls, int first, int break_at, int heal_at)
{
    for (int b = first; b < NB; b++) {
        uint64_t t = (uint64_t)b * BMS + 10;
        for (uint32_t k = 0; k < calls; k++) {
            fs_series_begin(s, t);
            if (b >= break_at && b < heal_at)
                fs_series_end(s, t, 2000, FS_OUT_ERROR);
            else
                fs_series_end(s, t, 3000 + k * 100, FS_OUT_OK);
        }
    }
}

static void fx_build(fx_t *fx)
{
    fs_verdict_input_t in[FS_IF_COUNT] = {{0}};

    fx->slo = (fs_slo_t){
        .success = 0.99, .latency_ms = 1000, .bucket_ms = BMS, .min_buckets = 3, .grace_ms = 300};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(fs_series_new(BMS, NB * BMS, 1000, &fx->link[i]), 0);
        fill(fx->link[i], i == 0 ? 10 : 5, 0, fx->break_at, fx->heal_at);
    }
    assert_int_equal(fs_series_new(BMS, NB * BMS, 1000, &fx->pb), 0);
    assert_int_equal(fs_series_add(fx->pb, fx->link[0]), 0);
    assert_int_equal(fs_series_add(fx->pb, fx->link[1]), 0);
    assert_int_equal(fs_series_new(BMS, NB * BMS, 1000, &fx->cp), 0);
    fill(fx->cp, 20, 1, NB, NB);
    for (int b = 5; b <= 10; b++)
        fx->faulted[b] = 1;
    in[FS_IF_PROXY_BOTMOD].series = fx->pb;
    in[FS_IF_PROXY_BOTMOD].faulted = fx->faulted;
    in[FS_IF_CLIENT_PROXY].series = fx->cp;
    assert_int_equal(fs_verdict_compute(&fx->slo, in, 500, 1000, &fx->v), 0);

    assert_int_equal(fs_timeline_new(&fx->tl), 0);
    /* Out of order, as the configstore's fetched events arrive. */
    assert_int_equal(fs_timeline_add(fx->tl, 1000, "fault.revert", "faults[0]", "reverted"), 0);
    assert_int_equal(fs_timeline_add(fx->tl, 500, "fault.apply", "faults[0]",
                                     "link.down \"proxy->botmod\" <all> & more\nsecond line"),
                     0);
    assert_int_equal(fs_timeline_add(fx->tl, -120, "process.start", "botmod[1]", "pid %d", 4242),
                     0);
    assert_int_equal(fs_timeline_add(fx->tl, 700, "rollout.stage", "configstore", "stage 2/3"), 0);
    assert_int_equal(fs_timeline_add(fx->tl, 500, "config.publish", "configstore", "tie, later"),
                     0);

    for (int i = 0; i < 2; i++) {
        snprintf(fx->links[i].name, sizeof(fx->links[i].name), "proxy[%d]->botmod[%d]", i, i);
        fx->links[i].iface = FS_IF_PROXY_BOTMOD;
        fx->links[i].from = i;
        fx->links[i].to = i;
        fx->links[i].series = fx->link[i];
    }
    snprintf(fx->expect[0].what, sizeof(fx->expect[0].what), "interfaces.proxy->botmod");
    snprintf(fx->expect[0].expected, sizeof(fx->expect[0].expected), "cascaded");
    snprintf(fx->expect[0].actual, sizeof(fx->expect[0].actual), "failed_small");
    fx->expect[0].ok = 0;
    snprintf(fx->expect[1].what, sizeof(fx->expect[1].what), "blast_radius.max");
    snprintf(fx->expect[1].expected, sizeof(fx->expect[1].expected), "<= 0.01");
    snprintf(fx->expect[1].actual, sizeof(fx->expect[1].actual), "0");
    fx->expect[1].ok = 1;

    fx->r = (fs_results_t){.scenario = "cf-test",
                           .title = "A \"quoted\" <title> & more",
                           .description = "line one\nline two",
                           .file = "scenarios/cf-test.json",
                           .posture = "legacy",
                           .seed = 42,
                           .time_scale = 0.5,
                           .started_unix_ms = 1763500000000ull,
                           .wall_ms = 4321,
                           .duration_ms = NB * BMS,
                           .nodes = 2,
                           .slo = &fx->slo,
                           .fault_start_ms = 500,
                           .fault_end_ms = 1000,
                           .verdict = &fx->v,
                           .links = fx->links,
                           .nlinks = 2,
                           .timeline = fx->tl,
                           .expect = fx->expect,
                           .nexpect = 2,
                           .bad_config_share = -1,
                           .load_sent = 7600,
                           .load_answered = 7599};
    fx->r.iface_series[FS_IF_PROXY_BOTMOD] = fx->pb;
    fx->r.iface_series[FS_IF_CLIENT_PROXY] = fx->cp;
}

static fx_t *fx_new(int break_at, int heal_at)
{
    fx_t *fx = calloc(1, sizeof(*fx));

    assert_non_null(fx);
    fx->break_at = break_at;
    fx->heal_at = heal_at;
    fx_build(fx);
    return fx;
}

static void fx_free(fx_t *fx)
{
    fs_verdict_result_free(&fx->v);
    fs_timeline_free(fx->tl);
    fs_series_free(fx->pb);
    fs_series_free(fx->cp);
    fs_series_free(fx->link[0]);
    fs_series_free(fx->link[1]);
    free(fx);
}

/* The document as a reader gets it: printed and parsed back. */
static cJSON *doc_of(const fs_results_t *r)
{
    cJSON *doc = NULL, *back;
    char *text;

    assert_int_equal(fs_results_json(r, &doc), 0);
    assert_non_null(doc);
    text = cJSON_Print(doc);
    assert_non_null(text);
    back = cJSON_Parse(text);
    assert_non_null(back);
    assert_true(cJSON_Compare(doc, back, 1));
    free(text);
    cJSON_Delete(doc);
    return back;
}

static cJSON *get(const cJSON *o, const char *k)
{
    cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

    if (it == NULL)
        fail_msg("missing key \"%s\"", k);
    return it;
}

static double num(const cJSON *o, const char *k)
{
    cJSON *it = get(o, k);

    assert_true(cJSON_IsNumber(it));
    return cJSON_GetNumberValue(it);
}

static const char *str(const cJSON *o, const char *k)
{
    cJSON *it = get(o, k);

    assert_true(cJSON_IsString(it));
    return cJSON_GetStringValue(it);
}

static void test_completed_never_recovered(void **state)
{
    fx_t *fx = fx_new(5, NB);
    cJSON *doc, *o, *pb, *cp, *arr, *it;
    const fs_verdict_result_t *v = &fx->v;
    int i;

    (void)state;
    /* The synthetic run is what the test is about. */
    assert_int_equal(v->iface[FS_IF_PROXY_BOTMOD].verdict, FS_VERDICT_FAILED_SMALL);
    assert_int_equal(v->iface[FS_IF_CLIENT_PROXY].verdict, FS_VERDICT_UNAFFECTED);
    assert_true(v->time_to_detect_ms >= 0);
    assert_int_equal(v->time_to_recover_ms, -2);

    doc = doc_of(&fx->r);
    assert_string_equal(str(doc, "schema"), "failsmall.results/1");
    o = get(doc, "scenario");
    assert_string_equal(str(o, "name"), "cf-test");
    assert_string_equal(str(o, "title"), "A \"quoted\" <title> & more");
    assert_string_equal(str(o, "description"), "line one\nline two");
    assert_string_equal(str(o, "file"), "scenarios/cf-test.json");
    assert_string_equal(str(doc, "posture"), "legacy");
    assert_int_equal(num(doc, "seed"), 42);
    assert_true(num(doc, "time_scale") == 0.5);
    assert_string_equal(str(doc, "status"), "completed");
    assert_true(cJSON_IsNull(get(doc, "abort_reason")));
    assert_true(num(doc, "started_unix_ms") == 1763500000000.0);
    assert_int_equal(num(doc, "wall_ms"), 4321);
    assert_int_equal(num(doc, "duration_ms"), NB * BMS);
    assert_int_equal(num(doc, "nodes"), 2);
    o = get(doc, "slo");
    assert_true(num(o, "success") == 0.99);
    assert_int_equal(num(o, "bucket_ms"), BMS);
    assert_int_equal(num(o, "min_buckets"), 3);
    o = get(doc, "fault_window");
    assert_int_equal(num(o, "start_ms"), 500);
    assert_int_equal(num(o, "end_ms"), 1000);
    assert_int_equal(num(o, "grace_end_ms"), 1300);
    o = get(doc, "load");
    assert_int_equal(num(o, "sent"), 7600);
    assert_int_equal(num(o, "answered"), 7599);

    /* Verdicts: the observed interfaces only. */
    o = get(doc, "verdicts");
    assert_true(cJSON_IsObject(o));
    assert_int_equal(cJSON_GetArraySize(o), 2);
    assert_string_equal(str(o, "proxy->botmod"), "failed_small");
    assert_string_equal(str(o, "client->proxy"), "unaffected");
    assert_true(fabs(num(doc, "blast_radius") - v->blast_radius) < 1e-4);
    assert_true(cJSON_IsNull(get(doc, "bad_config_share")));
    assert_int_equal(num(doc, "time_to_detect_ms"), v->time_to_detect_ms);
    assert_true(cJSON_IsNull(get(doc, "time_to_recover_ms")));
    assert_true(cJSON_IsFalse(get(doc, "recovered")));
    assert_true(num(doc, "degraded_share") == 0);
    arr = get(doc, "cascade_path");
    assert_int_equal(cJSON_GetArraySize(arr), v->cascade_len);
    assert_true(v->cascade_len >= 1);
    for (i = 0; i < v->cascade_len; i++)
        assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(arr, i)),
                            fs_iface_name(v->cascade_path[i]));

    o = get(doc, "interfaces");
    assert_int_equal(cJSON_GetArraySize(o), 2);
    pb = get(o, "proxy->botmod");
    assert_string_equal(str(pb, "verdict"), "failed_small");
    assert_true(cJSON_IsTrue(get(pb, "faulted")));
    assert_true(cJSON_IsTrue(get(pb, "broken")));
    assert_int_equal(num(pb, "first_broken_ms"), 500);
    it = get(pb, "totals");
    assert_int_equal(num(it, "calls"), 15 * NB);
    assert_int_equal(num(it, "good"), 15 * 5);
    assert_int_equal(num(it, "errors"), 15 * 15);
    assert_int_equal(num(it, "slow"), 0);
    it = get(pb, "window");
    assert_int_equal(num(it, "calls"), v->iface[FS_IF_PROXY_BOTMOD].calls);
    assert_int_equal(num(it, "failures"), v->iface[FS_IF_PROXY_BOTMOD].failures);
    it = get(pb, "buckets");
    arr = get(it, "health");
    assert_int_equal(cJSON_GetArraySize(arr), NB);
    assert_true(cJSON_GetNumberValue(cJSON_GetArrayItem(arr, 4)) == 1);
    assert_true(cJSON_GetNumberValue(cJSON_GetArrayItem(arr, 5)) == 0);
    arr = get(it, "calls");
    assert_int_equal(cJSON_GetArraySize(arr), NB);
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetArrayItem(arr, 0)), 15);
    arr = get(it, "broken");
    assert_int_equal(cJSON_GetArraySize(arr), NB);
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetArrayItem(arr, 4)), 0);
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetArrayItem(arr, 5)), 1);
    assert_int_equal(cJSON_GetArraySize(get(it, "p99_ms")), NB);

    /* Per link: names, instances, their own totals and buckets. */
    arr = get(pb, "links");
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    for (i = 0; i < 2; i++) {
        cJSON *l = cJSON_GetArrayItem(arr, i);
        char name[64];
        snprintf(name, sizeof(name), "proxy[%d]->botmod[%d]", i, i);
        assert_string_equal(str(l, "name"), name);
        assert_int_equal(num(l, "from"), i);
        assert_int_equal(num(l, "to"), i);
        assert_int_equal(num(get(l, "totals"), "calls"), (i == 0 ? 10 : 5) * NB);
        assert_int_equal(num(get(l, "totals"), "errors"), (i == 0 ? 10 : 5) * 15);
        assert_int_equal(cJSON_GetArraySize(get(get(l, "buckets"), "health")), NB);
        assert_null(cJSON_GetObjectItemCaseSensitive(get(l, "buckets"), "broken"));
    }

    cp = get(o, "client->proxy");
    assert_string_equal(str(cp, "verdict"), "unaffected");
    assert_true(cJSON_IsFalse(get(cp, "broken")));
    assert_true(cJSON_IsNull(get(cp, "first_broken_ms")));
    assert_int_equal(num(get(cp, "totals"), "calls"), 20 * (NB - 1));
    arr = get(get(cp, "buckets"), "health");
    assert_true(cJSON_IsNull(cJSON_GetArrayItem(arr, 0))); /* no calls: no health */
    assert_true(cJSON_GetNumberValue(cJSON_GetArrayItem(arr, 1)) == 1);
    assert_int_equal(cJSON_GetArraySize(get(cp, "links")), 0);
    assert_true(num(cp, "p50_ms") > 0);

    /* Events: sorted, ties in arrival order, strings intact. */
    arr = get(doc, "events");
    assert_int_equal(cJSON_GetArraySize(arr), 5);
    {
        static const int64_t t[] = {-120, 500, 500, 700, 1000};
        static const char *const kind[] = {"process.start", "fault.apply", "config.publish",
                                           "rollout.stage", "fault.revert"};
        for (i = 0; i < 5; i++) {
            cJSON *e = cJSON_GetArrayItem(arr, i);
            assert_int_equal(num(e, "t_ms"), t[i]);
            assert_string_equal(str(e, "kind"), kind[i]);
        }
        it = cJSON_GetArrayItem(arr, 1);
        assert_string_equal(str(it, "source"), "faults[0]");
        assert_string_equal(str(it, "what"),
                            "link.down \"proxy->botmod\" <all> & more\nsecond line");
        assert_string_equal(str(cJSON_GetArrayItem(arr, 0), "what"), "pid 4242");
    }

    arr = get(doc, "expectations");
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    it = cJSON_GetArrayItem(arr, 0);
    assert_string_equal(str(it, "what"), "interfaces.proxy->botmod");
    assert_string_equal(str(it, "expected"), "cascaded");
    assert_string_equal(str(it, "actual"), "failed_small");
    assert_true(cJSON_IsFalse(get(it, "ok")));
    it = cJSON_GetArrayItem(arr, 1);
    assert_string_equal(str(it, "expected"), "<= 0.01");
    assert_true(cJSON_IsTrue(get(it, "ok")));

    cJSON_Delete(doc);
    fx_free(fx);
}

static void test_recovered(void **state)
{
    fx_t *fx = fx_new(5, 10);
    cJSON *doc;

    (void)state;
    assert_true(fx->v.time_to_recover_ms >= 0);
    fx->r.bad_config_share = 0.25;
    doc = doc_of(&fx->r);
    assert_int_equal(num(doc, "time_to_detect_ms"), fx->v.time_to_detect_ms);
    assert_int_equal(num(doc, "time_to_recover_ms"), fx->v.time_to_recover_ms);
    assert_true(cJSON_IsTrue(get(doc, "recovered")));
    assert_true(num(doc, "bad_config_share") == 0.25);
    cJSON_Delete(doc);
    fx_free(fx);
}

static void test_nothing_broke(void **state)
{
    fx_t *fx = fx_new(NB, NB);
    cJSON *doc, *o;

    (void)state;
    assert_int_equal(fx->v.time_to_detect_ms, -1);
    fx->r.bad_config_share = 0;
    doc = doc_of(&fx->r);
    assert_true(cJSON_IsNull(get(doc, "time_to_detect_ms")));
    assert_true(cJSON_IsNull(get(doc, "time_to_recover_ms")));
    assert_true(cJSON_IsNull(get(doc, "recovered")));
    assert_true(num(doc, "blast_radius") == 0);
    assert_true(num(doc, "bad_config_share") == 0);
    /* Faulted but never broken: hit, and contained. */
    o = get(doc, "verdicts");
    assert_string_equal(str(o, "proxy->botmod"), "failed_small");
    assert_string_equal(str(o, "client->proxy"), "unaffected");
    o = get(get(doc, "interfaces"), "proxy->botmod");
    assert_true(cJSON_IsTrue(get(o, "faulted")));
    assert_true(cJSON_IsFalse(get(o, "broken")));
    assert_true(cJSON_IsNull(get(o, "first_broken_ms")));
    cJSON_Delete(doc);
    fx_free(fx);
}

/* Interrupted before the fleet was up: no series, no verdict, no timeline. */
static void test_aborted_before_load(void **state)
{
    fs_slo_t slo = {.success = 0.99, .latency_ms = 1000, .bucket_ms = 100, .min_buckets = 3};
    fs_results_t r = {.scenario = "cf-test",
                      .posture = "hardened",
                      .aborted = 1,
                      .abort_reason = "interrupted (SIGINT)",
                      .slo = &slo,
                      .bad_config_share = -1};
    cJSON *doc;
    static const char *const nulls[] = {"blast_radius", "time_to_detect_ms", "time_to_recover_ms",
                                        "recovered",    "degraded_share",    "bad_config_share"};

    (void)state;
    doc = doc_of(&r);
    assert_string_equal(str(doc, "schema"), FS_RESULTS_SCHEMA);
    assert_string_equal(str(doc, "status"), "aborted");
    assert_string_equal(str(doc, "abort_reason"), "interrupted (SIGINT)");
    assert_true(cJSON_IsNull(get(get(doc, "scenario"), "title")));
    assert_int_equal(cJSON_GetArraySize(get(doc, "verdicts")), 0);
    assert_true(cJSON_IsObject(get(doc, "verdicts")));
    assert_int_equal(cJSON_GetArraySize(get(doc, "interfaces")), 0);
    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
        assert_true(cJSON_IsNull(get(doc, nulls[i])));
    assert_int_equal(cJSON_GetArraySize(get(doc, "cascade_path")), 0);
    assert_true(cJSON_IsArray(get(doc, "events")));
    assert_int_equal(cJSON_GetArraySize(get(doc, "events")), 0);
    assert_int_equal(cJSON_GetArraySize(get(doc, "expectations")), 0);
    cJSON_Delete(doc);

    /* Without even an SLO (the scenario never loaded). */
    r.slo = NULL;
    doc = doc_of(&r);
    assert_true(cJSON_IsNull(get(doc, "slo")));
    assert_int_equal(num(get(doc, "fault_window"), "grace_end_ms"), 0);
    cJSON_Delete(doc);
}

/* Interrupted mid-load: series and a timeline, but no verdict. */
static void test_aborted_without_verdict(void **state)
{
    fx_t *fx = fx_new(5, NB);
    cJSON *doc, *pb;

    (void)state;
    fx->r.verdict = NULL;
    fx->r.aborted = 1;
    fx->r.abort_reason = NULL;
    doc = doc_of(&fx->r);
    assert_string_equal(str(doc, "status"), "aborted");
    assert_true(cJSON_IsNull(get(doc, "abort_reason")));
    assert_int_equal(cJSON_GetArraySize(get(doc, "verdicts")), 0);
    assert_true(cJSON_IsNull(get(doc, "blast_radius")));
    pb = get(get(doc, "interfaces"), "proxy->botmod");
    assert_true(cJSON_IsNull(get(pb, "verdict")));
    assert_true(cJSON_IsFalse(get(pb, "broken")));
    assert_true(cJSON_IsNull(get(pb, "first_broken_ms")));
    assert_int_equal(num(get(pb, "totals"), "calls"), 15 * NB);
    assert_null(cJSON_GetObjectItemCaseSensitive(get(pb, "buckets"), "broken"));
    assert_int_equal(cJSON_GetArraySize(get(pb, "links")), 2);
    assert_int_equal(cJSON_GetArraySize(get(doc, "events")), 5);
    cJSON_Delete(doc);
    fx_free(fx);
}

/* Seeds are below 10^15 (scenario.h): the file must give back the exact
 * value, which cJSON prints exactly up to 15 digits. */
static void test_seed_exact(void **state)
{
    fs_results_t r = {.scenario = "s", .posture = "legacy", .bad_config_share = -1};
    cJSON *doc;
    char *text;

    (void)state;
    r.seed = FS_SCENARIO_MAX_SEED;
    doc = doc_of(&r);
    text = cJSON_PrintUnformatted(get(doc, "seed"));
    assert_string_equal(text, "999999999999999");
    free(text);
    cJSON_Delete(doc);
}

static int count_entries(const char *dir, int *tmp)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    *tmp = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        *tmp += strstr(e->d_name, ".tmp") != NULL;
    }
    closedir(d);
    return n;
}

static cJSON *read_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    cJSON *doc;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    doc = cJSON_ParseWithLength(buf, (size_t)n);
    free(buf);
    return doc;
}

static void test_write(void **state)
{
    fx_t *fx = fx_new(5, NB);
    const char *tmpdir = getenv("TMPDIR");
    char dir[256], path[320], err[512];
    cJSON *want = NULL, *got;
    int tmp;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/fs-results-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/results.json", dir);

    /* Over an existing (stale) file. */
    {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs("stale, and not JSON", f);
        fclose(f);
    }
    err[0] = '\0';
    assert_int_equal(fs_results_write(&fx->r, path, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    got = read_json(path);
    assert_non_null(got);
    assert_int_equal(fs_results_json(&fx->r, &want), 0);
    assert_true(cJSON_Compare(want, got, 1));
    cJSON_Delete(got);
    assert_int_equal(count_entries(dir, &tmp), 1);
    assert_int_equal(tmp, 0);

    /* The aborted partial result replaces it whole. */
    fx->r.aborted = 1;
    fx->r.abort_reason = "interrupted";
    fx->r.verdict = NULL;
    assert_int_equal(fs_results_write(&fx->r, path, err, sizeof(err)), 0);
    got = read_json(path);
    assert_non_null(got);
    assert_string_equal(str(got, "status"), "aborted");
    cJSON_Delete(got);
    assert_int_equal(count_entries(dir, &tmp), 1);
    assert_int_equal(tmp, 0);

    /* A directory that is not there: an error naming the path. */
    snprintf(path, sizeof(path), "%s/missing/results.json", dir);
    err[0] = '\0';
    assert_int_equal(fs_results_write(&fx->r, path, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, path));
    assert_int_equal(count_entries(dir, &tmp), 1);

    cJSON_Delete(want);
    tu_rmtree(dir);
    fx_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_completed_never_recovered),
        cmocka_unit_test(test_recovered),
        cmocka_unit_test(test_nothing_broke),
        cmocka_unit_test(test_aborted_before_load),
        cmocka_unit_test(test_aborted_without_verdict),
        cmocka_unit_test(test_seed_exact),
        cmocka_unit_test(test_write),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
