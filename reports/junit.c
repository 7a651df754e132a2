/* junit.xml for CI: a scenario × posture is a test suite, each expectation
 * a test case, so a CI page lists exactly what the scenario promised and
 * which promise broke. The format is the Ant/Jenkins one every reader
 * (Jenkins, GitLab, GitHub actions, Azure) accepts; tests/junit.xsd pins
 * it. */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "xml.h"

typedef struct {
    int tests, failures, errors, skipped;
    double time_s;
} fs__junit_count_t;

/* A string member, or NULL for anything else (results may be edited). */
static const char *fs__junit_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A finite number member into *out; 0 when present, -1 otherwise. */
static int fs__junit_num(const cJSON *o, const char *key, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return -1;
    *out = v->valuedouble;
    return 0;
}

/* A run a stop condition ended was judged on what it measured: its
 * expectations (among them "aborted") are the test cases, and an
 * unexpected stop fails that one. */
static int fs__junit_completed(const cJSON *doc)
{
    return fs__report_judged_run(doc);
}

/* An expectation the harness could not judge (the run stopped before its
 * value existed) is skipped, not failed: CI shows it as not run. */
static int fs__junit_judged(const cJSON *doc, const cJSON *x)
{
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(x, "ok");
    if (!cJSON_IsBool(ok))
        return 0;
    return fs__junit_completed(doc) || fs__junit_str(x, "actual") != NULL;
}

static double fs__junit_time(const cJSON *doc)
{
    double ms;
    if (fs__junit_num(doc, "wall_ms", &ms) < 0 || ms < 0 || ms > 1e12)
        return 0;
    return ms / 1000.0;
}

static void fs__junit_count(const cJSON *doc, fs__junit_count_t *c)
{
    const cJSON *xs = cJSON_GetObjectItemCaseSensitive(doc, "expectations");
    const cJSON *x;
    int n = 0;

    memset(c, 0, sizeof(*c));
    c->time_s = fs__junit_time(doc);
    if (!fs__junit_completed(doc)) {
        c->tests++;
        c->errors++;
    }
    if (cJSON_IsArray(xs)) {
        cJSON_ArrayForEach(x, xs)
        {
            n++;
            if (!fs__junit_judged(doc, x))
                c->skipped++;
            else if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "ok")))
                c->failures++;
        }
    }
    c->tests += n;
    if (c->tests == 0)
        c->tests = 1; /* "run completed" */
}

static void fs__junit_property(fs__report_buf_t *b, const char *name, const char *value)
{
    fs__report_buf_puts(b, "      <property name=\"");
    fs_xml_escape(b, name);
    fs__report_buf_puts(b, "\" value=\"");
    fs_xml_escape(b, value);
    fs__report_buf_puts(b, "\"/>\n");
}

static void fs__junit_properties(fs__report_buf_t *b, const cJSON *doc, const char *scenario,
                                 const char *posture)
{
    char num[64];
    double v;

    fs__report_buf_puts(b, "    <properties>\n");
    fs__junit_property(b, "scenario", scenario);
    fs__junit_property(b, "posture", posture);
    if (fs__junit_str(doc, "status") != NULL)
        fs__junit_property(b, "status", fs__junit_str(doc, "status"));
    if (fs__junit_str(doc, "abort_reason") != NULL)
        fs__junit_property(b, "abort_reason", fs__junit_str(doc, "abort_reason"));
    if (fs__junit_num(doc, "seed", &v) == 0) {
        snprintf(num, sizeof(num), "%.0f", v);
        fs__junit_property(b, "seed", num);
    }
    if (fs__junit_num(doc, "time_scale", &v) == 0) {
        snprintf(num, sizeof(num), "%g", v);
        fs__junit_property(b, "time_scale", num);
    }
    if (fs__junit_num(doc, "blast_radius", &v) == 0) {
        snprintf(num, sizeof(num), "%.4f", v);
        fs__junit_property(b, "blast_radius", num);
    }
    fs__report_buf_puts(b, "    </properties>\n");
}

/* "expected …, actual …; cascade path: a -> b; blast radius 0.9214": what
 * a person needs to see in the CI page without opening the report. */
static void fs__junit_detail(fs__report_buf_t *b, const cJSON *doc, const char *expected,
                             const char *actual)
{
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(doc, "cascade_path"), *p;
    int i = 0;
    double v;

    fs__report_buf_puts(b, "expected ");
    fs_xml_escape(b, expected ? expected : "(none)");
    fs__report_buf_puts(b, ", actual ");
    fs_xml_escape(b, actual ? actual : "(none)");
    fs__report_buf_puts(b, "; cascade path: ");
    if (cJSON_IsArray(path)) {
        cJSON_ArrayForEach(p, path)
        {
            if (!cJSON_IsString(p))
                continue;
            if (i++ > 0)
                fs__report_buf_puts(b, " -&gt; ");
            fs_xml_escape(b, p->valuestring);
        }
    }
    if (i == 0)
        fs__report_buf_puts(b, "none");
    if (fs__junit_num(doc, "blast_radius", &v) == 0)
        fs__report_buf_printf(b, "; blast radius %.4f", v);
    else
        fs__report_buf_puts(b, "; blast radius n/a");
    if (fs__report_stopped(doc) && fs__junit_str(doc, "abort_reason") != NULL) {
        fs__report_buf_puts(b, "; stopped early: ");
        fs_xml_escape(b, fs__junit_str(doc, "abort_reason"));
    }
}

static void fs__junit_case_open(fs__report_buf_t *b, const char *classname, const char *name,
                                double time_s)
{
    fs__report_buf_puts(b, "    <testcase classname=\"");
    fs__report_buf_puts(b, classname); /* escaped already */
    fs__report_buf_puts(b, "\" name=\"");
    fs_xml_escape(b, name);
    fs__report_buf_printf(b, "\" time=\"%.3f\"", time_s);
}

static void fs__junit_expectation(fs__report_buf_t *b, const cJSON *doc, const char *classname,
                                  const cJSON *x, int index)
{
    const char *what = fs__junit_str(x, "what");
    const char *expected = fs__junit_str(x, "expected"), *actual = fs__junit_str(x, "actual");
    char fallback[48];

    if (what == NULL) {
        snprintf(fallback, sizeof(fallback), "expectations[%d]", index);
        what = fallback;
    }
    fs__junit_case_open(b, classname, what, 0);
    if (!fs__junit_judged(doc, x)) {
        fs__report_buf_puts(b,
                            ">\n      <skipped message=\"not judged: the run did not complete\"/>\n"
                            "    </testcase>\n");
        return;
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "ok"))) {
        fs__report_buf_puts(b, "/>\n");
        return;
    }
    fs__report_buf_puts(b, ">\n      <failure message=\"expected ");
    fs_xml_escape(b, expected ? expected : "(none)");
    fs__report_buf_puts(b, ", got ");
    fs_xml_escape(b, actual ? actual : "(none)");
    fs__report_buf_puts(b, "\" type=\"expectation\">");
    fs__junit_detail(b, doc, expected, actual);
    fs__report_buf_puts(b, "</failure>\n    </testcase>\n");
}

static void fs__junit_suite(fs__report_buf_t *b, const cJSON *doc)
{
    const cJSON *scen = cJSON_GetObjectItemCaseSensitive(doc, "scenario");
    const cJSON *xs = cJSON_GetObjectItemCaseSensitive(doc, "expectations"), *x;
    const char *scenario = fs__junit_str(scen, "name");
    const char *posture = fs__junit_str(doc, "posture");
    fs__report_buf_t cls = {0};
    fs__junit_count_t c;
    double started;
    int i = 0;

    if (scenario == NULL)
        scenario = "scenario";
    if (posture == NULL)
        posture = "unknown";
    fs__junit_count(doc, &c);
    fs__report_buf_puts(&cls, "failsmall.");
    fs_xml_escape(&cls, scenario);
    fs__report_buf_puts(&cls, ".");
    fs_xml_escape(&cls, posture);
    if (cls.oom) {
        b->oom = 1;
        fs__report_buf_free(&cls);
        return;
    }

    fs__report_buf_puts(b, "  <testsuite name=\"");
    fs_xml_escape(b, scenario);
    fs__report_buf_puts(b, " [");
    fs_xml_escape(b, posture);
    fs__report_buf_printf(
        b, "]\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\"", c.tests,
        c.failures, c.errors, c.skipped, c.time_s);
    /* Ant's timestamp: UTC, no zone suffix. */
    if (fs__junit_num(doc, "started_unix_ms", &started) == 0 && started >= 0 && started < 1e15) {
        time_t t = (time_t)(started / 1000);
        struct tm tm;
        char ts[32];
        if (gmtime_r(&t, &tm) != NULL && strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm) > 0)
            fs__report_buf_printf(b, " timestamp=\"%s\"", ts);
    }
    fs__report_buf_puts(b, ">\n");
    fs__junit_properties(b, doc, scenario, posture);

    if (!fs__junit_completed(doc)) {
        const char *reason = fs__junit_str(doc, "abort_reason");
        const char *status = fs__junit_str(doc, "status");
        fs__junit_case_open(b, cls.p, "run", c.time_s);
        fs__report_buf_puts(b, ">\n      <error message=\"run ");
        fs_xml_escape(b, status ? status : "did not complete");
        fs__report_buf_puts(b, ": ");
        fs_xml_escape(b, reason ? reason : "no reason given");
        fs__report_buf_puts(b, "\" type=\"");
        fs_xml_escape(b, status ? status : "aborted");
        fs__report_buf_puts(b, "\">");
        fs_xml_escape(b, reason ? reason : "no reason given");
        fs__report_buf_puts(b, "</error>\n    </testcase>\n");
    }
    if (cJSON_IsArray(xs)) {
        cJSON_ArrayForEach(x, xs)
        {
            fs__junit_expectation(b, doc, cls.p, x, i++);
        }
    }
    if (i == 0 && fs__junit_completed(doc)) {
        fs__junit_case_open(b, cls.p, "run completed", c.time_s);
        fs__report_buf_puts(b, "/>\n");
    }
    fs__report_buf_puts(b, "  </testsuite>\n");
    fs__report_buf_free(&cls);
}

int fs_report_junit(const cJSON *const *docs, size_t n, const char *path, char *err, size_t errlen)
{
    fs__report_buf_t b = {0};
    fs__junit_count_t all = {0};
    int rc;

    for (size_t i = 0; i < n; i++) {
        fs__junit_count_t c;
        fs__junit_count(docs[i], &c);
        all.tests += c.tests;
        all.failures += c.failures;
        all.errors += c.errors;
        all.skipped += c.skipped;
        all.time_s += c.time_s;
    }
    fs__report_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fs__report_buf_printf(
        &b,
        "<testsuites name=\"failsmall\" tests=\"%d\" failures=\"%d\" errors=\"%d\" "
        "time=\"%.3f\">\n",
        all.tests, all.failures, all.errors, all.time_s);
    for (size_t i = 0; i < n; i++)
        fs__junit_suite(&b, docs[i]);
    fs__report_buf_puts(&b, "</testsuites>\n");
    rc = fs__report_buf_write(&b, path, err, errlen);
    fs__report_buf_free(&b);
    return rc;
}
