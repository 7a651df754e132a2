/* Unit tests for reports/html.c, html_graph.c, html_svg.c and suite.c:
 * report.html of the flagship fixtures (verdict table, graph, inlined
 * charts, nothing external), of a fixture full of markup characters and of
 * an empty aborted run; what the SVG inliner refuses; index.html and
 * summary.md of a suite, also rebuilt from a folder of run folders.
 * Everything happens in a fresh directory under $TMPDIR.
 *
 * With FS_REPORT_OUT=/some/dir/report.html set, the flagship test writes its
 * report (and charts) there and keeps them: tests/e2e/report_browser.sh
 * opens that page in a browser. */
#include <errno.h>
#include <ftw.h>
#include <libgen.h>
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

#include "atomic.h"
#include "charts.h"
#include "report.h"
#include "testutil.h"

typedef struct {
    char dir[256];
    cJSON *docs[4];
    char *text;
} fx_t;

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));

    if (fx == NULL)
        return -1;
    if (tu_mkdtemp(fx->dir, sizeof(fx->dir), "fs-html") != 0) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;

    for (size_t i = 0; i < 4; i++)
        cJSON_Delete(fx->docs[i]);
    free(fx->text);
    tu_rmtree(fx->dir);
    free(fx);
    return 0;
}

static int count(const char *text, const char *what)
{
    int n = 0;

    for (const char *p = text; (p = strstr(p, what)) != NULL; p++)
        n++;
    return n;
}

/* A page that is self-contained: nothing fetched, nothing run. */
static void check_self_contained(const char *html)
{
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<SCRIPT"));
    assert_null(strstr(html, "http://"));
    assert_null(strstr(html, "https://"));
    assert_null(strstr(html, " src="));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "@import"));
    assert_null(strstr(html, "<?xml"));
    assert_null(strstr(html, "<!DOCTYPE svg"));
    assert_int_equal(count(html, "<!DOCTYPE html>"), 1);
    assert_int_equal(count(html, "<html"), 1);
    assert_int_equal(count(html, "</html>"), 1);
    assert_int_equal(count(html, "<svg"), count(html, "</svg>"));
}

/* The fixture's blast radius as the reports print it: the flagship
 * fixtures are real runs, and may be refreshed. */
static const char *blast(const cJSON *doc, char *buf, size_t len)
{
    const cJSON *v = cJSON_GetObjectItem(doc, "blast_radius");

    assert_true(cJSON_IsNumber(v));
    snprintf(buf, len, "%.2f %%", v->valuedouble * 100);
    return buf;
}

static void write_report(fx_t *fx, size_t n, const char *base, const char *out)
{
    char err[512] = "";

    assert_int_equal(fs_report_html((const cJSON *const *)fx->docs, n, base, out, err, sizeof(err)),
                     0);
    assert_string_equal(err, "");
    free(fx->text);
    fx->text = tu_slurp(out, NULL);
    assert_non_null(fx->text);
}

static void test_flagship(void **state)
{
    fx_t *fx = *state;
    const char *keep = getenv("FS_REPORT_OUT");
    char base[512], out[512], dir[600], warn[512], copy[512];
    const char *row;
    char buf[64];
    int charts = 1;

    fx->docs[0] = tu_fixture("tests/fixtures/results-flagship-legacy.json");
    fx->docs[1] = tu_fixture("tests/fixtures/results-flagship-hardened.json");
    if (keep && *keep) {
        snprintf(out, sizeof(out), "%s", keep);
        snprintf(copy, sizeof(copy), "%s", keep);
        snprintf(base, sizeof(base), "%s", dirname(copy));
        assert_int_equal(fs_mkdirs(base, warn, sizeof(warn)), 0);
    } else {
        snprintf(base, sizeof(base), "%s", fx->dir);
        snprintf(out, sizeof(out), "%s/report.html", fx->dir);
    }
    for (int d = 0; d < 2; d++) {
        snprintf(dir, sizeof(dir), "%s/%s/charts", base, d ? "hardened" : "legacy");
        int rc = fs_report_charts(fx->docs[d], dir, warn, sizeof(warn));
        assert_true(rc == 0 || rc == 1);
        charts = charts && rc == 0;
    }
    snprintf(dir, sizeof(dir), "%s/charts", base);
    assert_true(
        fs__report_charts_compare((const cJSON *const *)fx->docs, 2, dir, warn, sizeof(warn)) >= 0);
    write_report(fx, 2, base, out);
    check_self_contained(fx->text);

    assert_non_null(strstr(fx->text, "<meta charset=\"utf-8\">"));
    assert_non_null(strstr(fx->text, "<h1>Bot feature file grows past the module&#39;s "
                                     "200-feature limit</h1>"));
    /* The verdict table: interfaces × postures, with expectation marks. */
    assert_non_null(strstr(fx->text, "<table class=\"verdicts\" id=\"verdict-table\">"));
    assert_non_null(strstr(fx->text, "<th>interface</th><th>legacy</th><th>hardened</th>"));
    row = strstr(fx->text, "<tr><th>botmod-&gt;configstore</th>");
    assert_non_null(row);
    assert_true(strncmp(row,
                        "<tr><th>botmod-&gt;configstore</th><td><span class=\"v v-cascaded\">"
                        "cascaded</span><span class=\"mark ok\" title=\"expected cascaded\">"
                        "\xe2\x9c\x93</span></td><td><span class=\"v v-failed_small\">"
                        "failed_small</span><span class=\"mark ok\"",
                        200) == 0);
    assert_int_equal(count(fx->text, "<span class=\"mark bad\" title="), 0);
    assert_non_null(strstr(fx->text, "every expectation held (11 / 11)"));
    assert_non_null(strstr(fx->text, blast(fx->docs[0], buf, sizeof(buf))));
    /* The graphs: the legacy cascade numbered 1..3, the hardened one
     * contained at step 1 in amber. */
    assert_int_equal(count(fx->text, "<svg class=\"graph\""), 2);
    assert_int_equal(count(fx->text, "class=\"edge e-red cascade\""), 3);
    assert_int_equal(count(fx->text, "class=\"edge e-amber cascade\""), 1);
    assert_non_null(strstr(fx->text, "client-&gt;proxy: cascaded \xe2\x80\x94 cascade step 3"));
    /* Two postures side by side, timelines with styled kinds. */
    assert_non_null(strstr(fx->text, "grid-template-columns:repeat(2,minmax(0,1fr))"));
    assert_non_null(strstr(fx->text, "<tr class=\"ev-fault\">"));
    assert_non_null(strstr(fx->text, "<tr class=\"ev-revert\">"));
    assert_non_null(strstr(fx->text, "<tr class=\"ev-crash\">"));
    assert_non_null(strstr(fx->text, "<tr class=\"ev-rollback\">"));
    if (charts) {
        /* 2 graphs + health and users per posture + the comparison, ids
         * made unique per chart. */
        assert_int_equal(count(fx->text, "<svg"), 7);
        assert_non_null(strstr(fx->text, "id=\"c0health-gnuplot_canvas\""));
        assert_non_null(strstr(fx->text, "id=\"c1users-gnuplot_canvas\""));
        assert_non_null(strstr(fx->text, "id=\"cmp-gnuplot_canvas\""));
        assert_non_null(strstr(fx->text, "xlink:href='#c0health-gpPt"));
        assert_null(strstr(fx->text, "xmlns"));
        assert_null(strstr(fx->text, "not rendered"));
    } else {
        assert_non_null(strstr(fx->text, "legacy/charts/health.svg: not rendered"));
    }
}

static void test_escaping(void **state)
{
    fx_t *fx = *state;
    char out[512];

    fx->docs[0] = tu_fixture("tests/fixtures/html-escape.json");
    snprintf(out, sizeof(out), "%s/report.html", fx->dir);
    write_report(fx, 1, fx->dir, out);
    check_self_contained(fx->text);

    assert_null(strstr(fx->text, "esc<&"));
    assert_null(strstr(fx->text, "<b>"));
    assert_null(strstr(fx->text, "<Ctrl-C>"));
    assert_non_null(strstr(fx->text, "<code>esc&lt;&amp;&quot;_name</code>"));
    assert_non_null(strstr(fx->text, "<h1>Title &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; "
                                     "snake_case</h1>"));
    assert_non_null(strstr(fx->text, "Desc with &lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                                     "it&#39;s &quot;fine&quot;"));
    assert_non_null(strstr(fx->text, "<tr><th>proxy-&gt;&quot;origin&quot;&lt;&amp;_x&gt;</th>"));
    assert_non_null(strstr(fx->text, "publish &lt;features&gt; &amp; &quot;more&quot;"));
    /* The aborted banner and the failed expectations. */
    assert_non_null(strstr(fx->text, "<div class=\"banner\">legacy: the run was aborted "
                                     "(interrupted &lt;Ctrl-C&gt; &amp; &quot;stopped&quot;); "
                                     "its results are partial.</div>"));
    assert_non_null(strstr(fx->text, "2 of 3 expectations failed; a run did not complete"));
    assert_int_equal(count(fx->text, "<span class=\"mark bad\" title=\"expected "), 2);
    assert_non_null(strstr(fx->text, "expected &lt;= 0.01"));
    /* Interrupted while broken: it did not wait for a recovery... */
    assert_non_null(strstr(fx->text, "<strong>no</strong>: still broken when the run was stopped"));
    /* No gnuplot output here: the charts say so instead. */
    assert_non_null(strstr(fx->text, "legacy/charts/health.svg: not rendered"));
    /* ...while a run that went to its planned end had all the time it had. */
    cJSON_ReplaceItemInObjectCaseSensitive(fx->docs[0], "status", cJSON_CreateString("completed"));
    write_report(fx, 1, fx->dir, out);
    assert_non_null(strstr(fx->text, "<strong>no</strong>: still broken at the end"));
}

static void test_empty_and_none(void **state)
{
    fx_t *fx = *state;
    char out[512];

    fx->docs[0] = tu_fixture("tests/fixtures/html-empty.json");
    snprintf(out, sizeof(out), "%s/report.html", fx->dir);
    write_report(fx, 1, fx->dir, out);
    check_self_contained(fx->text);
    assert_non_null(strstr(fx->text, "id=\"verdict-table\""));
    assert_non_null(strstr(fx->text, "no interface verdicts"));
    assert_non_null(strstr(fx->text, "<p class=\"note\">no events</p>"));
    assert_non_null(strstr(fx->text, "hardened: the run was aborted (the fleet did not start)"));
    assert_non_null(strstr(fx->text, "grid-template-columns:repeat(1,"));

    write_report(fx, 0, fx->dir, out);
    check_self_contained(fx->text);
    assert_non_null(strstr(fx->text, "no results"));

    /* A missing folder: an error naming the file, nothing written. */
    snprintf(out, sizeof(out), "%s/missing/report.html", fx->dir);
    {
        char err[512] = "";
        assert_int_equal(fs_report_html(NULL, 0, fx->dir, out, err, sizeof(err)), -ENOENT);
        assert_non_null(strstr(err, "missing/report.html"));
    }
}

static void put(const char *dir, const char *rel, const char *text)
{
    char path[600], err[256];

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    assert_int_equal(fs_atomic_write(path, text, strlen(text), err, sizeof(err)), 0);
}

static void test_svg_inlining(void **state)
{
    fx_t *fx = *state;
    char out[512], charts[512], err[256];
    static const char good[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"  standalone=\"no\"?>\n"
        "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x.dtd\">\n"
        "<svg \n width=\"900\" height=\"320\"\n viewBox=\"0 0 900 320\"\n"
        " xmlns=\"http://www.w3.org/2000/svg\"\n"
        " xmlns:xlink=\"http://www.w3.org/1999/xlink\"\n>\n<!-- a comment -->"
        "<g id=\"gnuplot_canvas\"><defs><path id='gpPt0' d='M0,0'/></defs>"
        "<use xlink:href='#gpPt0'/><rect filter='url(#textbox)'/></g></svg>\n";

    fx->docs[0] = cJSON_Parse("{\"posture\":\"legacy\",\"status\":\"completed\"}");
    fx->docs[1] = cJSON_Parse("{\"posture\":\"../hardened\",\"status\":\"completed\"}");
    assert_non_null(fx->docs[0]);
    assert_non_null(fx->docs[1]);
    snprintf(charts, sizeof(charts), "%s/legacy/charts", fx->dir);
    assert_int_equal(fs_mkdirs(charts, err, sizeof(err)), 0);
    snprintf(out, sizeof(out), "%s/report.html", fx->dir);

    put(fx->dir, "legacy/charts/health.svg", good);
    put(fx->dir, "legacy/charts/users.svg", "<svg><script>alert(1)</script></svg>");
    write_report(fx, 2, fx->dir, out);
    check_self_contained(fx->text);
    assert_non_null(strstr(fx->text, "<svg \n width=\"900\" height=\"320\"\n viewBox=\"0 0 "
                                     "900 320\"\n\n\n>\n<g id=\"c0health-gnuplot_canvas\">"
                                     "<defs><path id='c0health-gpPt0' d='M0,0'/></defs>"
                                     "<use xlink:href='#c0health-gpPt0'/>"
                                     "<rect filter='url(#c0health-textbox)'/></g></svg>"));
    assert_null(strstr(fx->text, "a comment"));
    assert_non_null(strstr(fx->text, "legacy/charts/users.svg: left out"));
    /* A posture that is not a plain folder name is never read from. */
    assert_non_null(strstr(fx->text, "no charts: the posture name is not a plain folder name"));

    /* Event handlers, external references and non-SVG files are refused. */
    put(fx->dir, "legacy/charts/health.svg", "<svg onload=\"x()\"></svg>");
    put(fx->dir, "legacy/charts/users.svg",
        "<svg><use xlink:href=\"https://example.org/a.svg#x\"/></svg>");
    write_report(fx, 1, fx->dir, out);
    check_self_contained(fx->text);
    assert_non_null(strstr(fx->text, "legacy/charts/health.svg: left out"));
    assert_non_null(strstr(fx->text, "legacy/charts/users.svg: left out"));
    put(fx->dir, "legacy/charts/health.svg", "not an svg at all");
    put(fx->dir, "legacy/charts/users.svg", "<svg><rect style=\"fill:url(data:x)\"/></svg>");
    write_report(fx, 1, fx->dir, out);
    assert_non_null(strstr(fx->text, "legacy/charts/health.svg: left out"));
    assert_non_null(strstr(fx->text, "legacy/charts/users.svg: left out"));
    assert_int_equal(count(fx->text, "<svg"), 1); /* the graph */
}

/* A run a stop condition ended: its own banner, the stop conditions'
 * table, its status, and in the suite index a stop that was expected is
 * no failure. */
static void test_stopped(void **state)
{
    fx_t *fx = *state;
    const cJSON *a[2];
    const cJSON *const *sets[1] = {a};
    size_t nsets[1] = {2};
    const char *rel[1] = {"stops"};
    char out[512], err[512] = "";
    char *md;

    fx->docs[0] = tu_fixture("tests/fixtures/results-stopped.json");
    fx->docs[1] = tu_fixture("tests/fixtures/results-stopped-unexpected.json");
    snprintf(out, sizeof(out), "%s/report.html", fx->dir);
    write_report(fx, 2, fx->dir, out);
    check_self_contained(fx->text);
    assert_non_null(strstr(fx->text, "<div class=\"banner\" id=\"stopped\">legacy: stopped early "
                                     "by a stop condition: abort_if[0]: blast radius 0.9951 above "
                                     "0.3 for 1.0 s (since 3.2 s). Every fault was reverted"));
    assert_int_equal(count(fx->text, "id=\"stopped\""), 2);
    assert_null(strstr(fx->text, "its results are partial"));
    assert_non_null(strstr(fx->text, "1 of 3 expectations failed</p>"));
    assert_non_null(strstr(fx->text, "<h2>Stop conditions</h2>"));
    assert_non_null(strstr(fx->text, "<tr><th><code>abort_if[0]</code> blast radius above 0.3 for "
                                     "1.0 s (window 1.0 s)</th><td><span class=\"v v-cascaded\">"
                                     "peak 0.9951, tripped</span></td><td><span class=\"v "
                                     "v-unaffected\">peak 0.0100</span></td></tr>"));
    assert_non_null(strstr(fx->text, "processes down (botmod) above 2</th><td><span class=\"v "
                                     "v-unaffected\">peak 1</span></td><td><span class=\"v "
                                     "v-cascaded\">peak 3, tripped</span>"));
    assert_non_null(strstr(fx->text, "<span class=\"status aborted\">stopped by abort_if[0]"));
    /* Not "at the end": the stop came first. */
    assert_non_null(strstr(fx->text, "<strong>no</strong>: still broken when the run was stopped"));
    assert_null(strstr(fx->text, "still broken at the end"));

    a[0] = fx->docs[0];
    a[1] = fx->docs[1];
    assert_int_equal(fs_report_suite(sets, nsets, rel, 1, fx->dir, err, sizeof(err)), 0);
    free(fx->text);
    snprintf(out, sizeof(out), "%s/index.html", fx->dir);
    fx->text = tu_slurp(out, NULL);
    assert_non_null(fx->text);
    assert_non_null(strstr(fx->text, "<strong>legacy</strong>: <span class=\"ok\">2/2 held</span> "
                                     "\xc2\xb7 <span class=\"ok\">stopped by abort_if[0]</span>"));
    assert_non_null(strstr(fx->text, "<span class=\"bad\">0/1 held</span> \xc2\xb7 <span "
                                     "class=\"bad\">stopped by abort_if[1]</span>"));
    snprintf(out, sizeof(out), "%s/summary.md", fx->dir);
    md = tu_slurp(out, NULL);
    assert_non_null(md);
    assert_non_null(strstr(md, "| legacy | stopped by abort\\_if\\[0\\] | \xe2\x9c\x85 2/2 |"));
    free(md);
}

static void test_suite(void **state)
{
    fx_t *fx = *state;
    const cJSON *a[2], *b[1];
    const cJSON *const *sets[3];
    size_t nsets[3] = {2, 1, 0};
    const char *rel[3] = {"cf-flagship", "esc <dir>&\"x\"", "gone"};
    char err[512] = "", path[512], line[512], buf[64];
    char *md;

    fx->docs[0] = tu_fixture("tests/fixtures/results-flagship-legacy.json");
    fx->docs[1] = tu_fixture("tests/fixtures/results-flagship-hardened.json");
    fx->docs[2] = tu_fixture("tests/fixtures/html-escape.json");
    a[0] = fx->docs[0];
    a[1] = fx->docs[1];
    b[0] = fx->docs[2];
    sets[0] = a;
    sets[1] = b;
    sets[2] = NULL;
    assert_int_equal(fs_report_suite(sets, nsets, rel, 3, fx->dir, err, sizeof(err)), 0);
    assert_string_equal(err, "");

    snprintf(path, sizeof(path), "%s/index.html", fx->dir);
    fx->text = tu_slurp(path, NULL);
    assert_non_null(fx->text);
    check_self_contained(fx->text);
    assert_non_null(strstr(fx->text, "<h1>failsmall: 3 scenarios</h1>"));
    assert_non_null(strstr(fx->text, "<p class=\"bad\">some expectations failed</p>"));
    assert_non_null(strstr(fx->text, "<a href=\"cf-flagship/report.html\"><code>"
                                     "cf-2025-11-18-bot-feature-file</code></a>"));
    assert_non_null(strstr(fx->text, "<a href=\"esc%20%3Cdir%3E%26%22x%22/report.html\">"
                                     "<code>esc&lt;&amp;&quot;_name</code></a>"));
    snprintf(line, sizeof(line),
             "<strong>legacy</strong>: <span class=\"ok\">5/5 held</span> \xc2\xb7 blast "
             "radius %s \xc2\xb7 cascade <code>botmod-&gt;configstore \xe2\x86\x92 "
             "proxy-&gt;botmod \xe2\x86\x92 client-&gt;proxy</code>",
             blast(fx->docs[0], buf, sizeof(buf)));
    assert_non_null(strstr(fx->text, line));
    assert_non_null(strstr(fx->text, "<strong>hardened</strong>: <span class=\"ok\">6/6 held"));
    assert_non_null(strstr(fx->text, "<span class=\"bad\">1/3 held</span> \xc2\xb7 "
                                     "<span class=\"bad\">aborted</span>"));
    assert_non_null(strstr(fx->text, "no results"));

    snprintf(path, sizeof(path), "%s/summary.md", fx->dir);
    md = tu_slurp(path, NULL);
    assert_non_null(md);
    assert_non_null(strstr(md, "| scenario | posture | status | expectations held | "
                               "blast radius |\n|---|---|---|---|---|\n"));
    snprintf(line, sizeof(line),
             "| [cf-2025-11-18-bot-feature-file](cf-flagship/report.html) | legacy | "
             "completed | \xe2\x9c\x85 5/5 | %s |\n",
             blast(fx->docs[0], buf, sizeof(buf)));
    assert_non_null(strstr(md, line));
    assert_non_null(strstr(md, "| hardened | completed | \xe2\x9c\x85 6/6 | 0.00 % |\n"));
    assert_non_null(strstr(md, "| [esc\\<\\&\"\\_name](esc%20%3Cdir%3E%26%22x%22/report.html) "
                               "| legacy | aborted | \xe2\x9d\x8c 1/3 | 25.00 % |\n"));
    assert_non_null(strstr(md, "| gone | \xe2\x80\x93 | no results |"));
    /* One line per scenario × posture (and one for the empty scenario). */
    assert_int_equal(count(md, "\n| ["), 3);
    free(md);
}

/* Bytes that are not UTF-8 in a results file (found by fuzz_report) become
 * U+FFFD in report.html and in the suite's pages instead of being copied
 * raw into files that say they are UTF-8; valid characters stay. */
static void test_not_utf8(void **state)
{
    fx_t *fx = *state;
    static const char bad_title[] = "caf\xc3\xa9 \xff\xfe t\xc3(x \xe2\x82";
    static const char good_title[] =
        "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd t\xef\xbf\xbd(x \xef\xbf\xbd";
    const cJSON *set[1];
    const cJSON *const *sets[1] = {set};
    size_t nsets[1] = {1};
    const char *rel[1] = {"run"};
    char out[512], err[512] = "";
    cJSON *sc;
    char *md;

    fx->docs[0] = tu_fixture("tests/fixtures/html-empty.json");
    sc = cJSON_GetObjectItem(fx->docs[0], "scenario");
    cJSON_ReplaceItemInObject(sc, "title", cJSON_CreateString(bad_title));
    cJSON_ReplaceItemInObject(sc, "name", cJSON_CreateString("n\x80me"));
    cJSON_ReplaceItemInObject(fx->docs[0], "status", cJSON_CreateString("ab\xc0\xafrted"));
    snprintf(out, sizeof(out), "%s/report.html", fx->dir);
    write_report(fx, 1, fx->dir, out);
    assert_non_null(strstr(fx->text, good_title));
    assert_null(strchr(fx->text, '\xff'));
    assert_null(strstr(fx->text, "\xc0\xaf"));

    set[0] = fx->docs[0];
    assert_int_equal(fs_report_suite(sets, nsets, rel, 1, fx->dir, err, sizeof(err)), 0);
    snprintf(out, sizeof(out), "%s/summary.md", fx->dir);
    md = tu_slurp(out, NULL);
    assert_non_null(md);
    assert_non_null(strstr(md, "n\xef\xbf\xbdme"));
    assert_non_null(strstr(md, "ab\xef\xbf\xbd\xef\xbf\xbdrted"));
    assert_null(strstr(md, "n\x80me"));
    free(md);
    snprintf(out, sizeof(out), "%s/index.html", fx->dir);
    free(fx->text);
    fx->text = tu_slurp(out, NULL);
    assert_non_null(fx->text);
    assert_non_null(strstr(fx->text, "n\xef\xbf\xbdme"));
    assert_null(strstr(fx->text, "n\x80me"));
}

/* copy REL (a fixture) to dir/to, creating its folders. */
static void put_fixture(const char *dir, const char *to, const char *rel)
{
    char src[600], path[600], err[256];
    char *text;
    size_t len = 0;

    tu_repo_path(src, sizeof(src), rel);
    assert_non_null(text = tu_slurp(src, &len));
    snprintf(path, sizeof(path), "%s/%s", dir, to);
    *strrchr(path, '/') = '\0';
    assert_int_equal(fs_mkdirs(path, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/%s", dir, to);
    assert_int_equal(fs_atomic_write(path, text, len, err, sizeof(err)), 0);
    free(text);
}

/* A folder of run folders (what `make suite` leaves): every folder with a
 * <posture>/results.json is a scenario, in name order; anything else is
 * skipped; no run folder at all is -ENOENT; a broken results file names
 * itself. */
static void test_suite_dir(void **state)
{
    fx_t *fx = *state;
    char err[512] = "", path[512], sub[600];
    const char *a, *b;

    assert_int_equal(fs_report_build_suite_dir(fx->dir, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "no <posture>/results.json here, nor in any folder in it"));
    put(fx->dir, "loose.json", "{}");
    snprintf(sub, sizeof(sub), "%s/notes", fx->dir);
    assert_int_equal(fs_mkdirs(sub, err, sizeof(err)), 0);
    put(fx->dir, "notes/legacy", "not a folder");
    assert_int_equal(fs_report_build_suite_dir(fx->dir, err, sizeof(err)), -ENOENT);

    put_fixture(fx->dir, "zz-second/legacy/results.json",
                "tests/fixtures/results-flagship-legacy.json");
    put_fixture(fx->dir, "zz-second/hardened/results.json",
                "tests/fixtures/results-flagship-hardened.json");
    put_fixture(fx->dir, "aa-first/hardened/results.json", "tests/fixtures/html-escape.json");
    err[0] = '\0';
    assert_int_equal(fs_report_build_suite_dir(fx->dir, err, sizeof(err)), 2);
    assert_string_equal(err, "");
    snprintf(path, sizeof(path), "%s/index.html", fx->dir);
    fx->text = tu_slurp(path, NULL);
    assert_non_null(fx->text);
    assert_non_null(strstr(fx->text, "<h1>failsmall: 2 scenarios</h1>"));
    assert_non_null(a = strstr(fx->text, "<a href=\"aa-first/report.html\">"));
    assert_non_null(b = strstr(fx->text, "<a href=\"zz-second/report.html\">"));
    assert_true(a < b);
    assert_null(strstr(fx->text, "notes/report.html"));
    snprintf(path, sizeof(path), "%s/summary.md", fx->dir);
    assert_int_equal(access(path, R_OK), 0);

    put(fx->dir, "zz-second/legacy/results.json", "{\"schema\": 1");
    assert_true(fs_report_build_suite_dir(fx->dir, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "zz-second/legacy/results.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_flagship, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stopped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_svg_inlining, setup, teardown),
        cmocka_unit_test_setup_teardown(test_suite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_suite_dir, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
