/* Unit tests for reports/markdown.c (and the Markdown escaping in
 * reports/xml.c): summary.md of the results fixtures in tests/fixtures,
 * checked line by line: the verdict table of the flagship exactly, ✅/❌
 * only where an expectation exists, names with markup characters escaped,
 * the aborted notice, chart links for both link bases, and the file
 * written whole. Everything happens in a fresh directory under $TMPDIR. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
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

#include "report.h"
#include "xml.h"
#include "testutil.h"

typedef struct {
    char dir[256];
    char out[512];
    cJSON *docs[8];
    size_t n;
    char *text;
} fx_t;

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));

    if (fx == NULL)
        return -1;
    if (tu_mkdtemp(fx->dir, sizeof(fx->dir), "fs-md") != 0) {
        free(fx);
        return -1;
    }
    snprintf(fx->out, sizeof(fx->out), "%s/summary.md", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;

    for (size_t i = 0; i < fx->n; i++)
        cJSON_Delete(fx->docs[i]);
    free(fx->text);
    tu_rmtree(fx->dir);
    free(fx);
    return 0;
}

/* Loads tests/fixtures/results-<name>.json as the next document. */
static void load(fx_t *fx, const char *name)
{
    tu_load_results(fx->docs, &fx->n, 8, name);
}

/* Writes summary.md with link_base and reads it back into fx->text. */
static const char *write_md(fx_t *fx, const char *link_base)
{
    char err[512] = "";
    int rc = fs_report_markdown((const cJSON *const *)fx->docs, fx->n, link_base, fx->out, err,
                                sizeof(err));
    if (rc != 0)
        fail_msg("fs_report_markdown: %d %s", rc, err);
    free(fx->text);
    fx->text = tu_slurp(fx->out, NULL);
    assert_non_null(fx->text);
    return fx->text;
}

/* text holds want as whole lines. */
static void assert_lines(const char *text, const char *want)
{
    const char *p = text;
    size_t n = strlen(want);

    for (; (p = strstr(p, want)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return;
    fail_msg("summary.md lacks the lines\n%s\n--- it says:\n%s", want, text);
}

static void assert_starts(const char *text, const char *want)
{
    if (strncmp(text, want, strlen(want)) != 0)
        fail_msg("summary.md should start with\n%s\n--- it says:\n%s", want, text);
}

static void assert_no_text(const char *text, const char *what)
{
    if (strstr(text, what) != NULL)
        fail_msg("summary.md should not contain \"%s\":\n%s", what, text);
}

static int count(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

static void test_flagship_table(void **state)
{
    fx_t *fx = *state;
    const char *md;

    load(fx, "flagship-legacy");
    load(fx, "flagship-hardened");
    md = write_md(fx, "");
    assert_starts(md, "### failsmall: Bot feature file grows past the module's 200-feature "
                      "limit\n\n");
    assert_lines(md, "Scenario cf-2025-11-18-bot-feature-file · seed 42 · time scale 1 · ✅ all "
                     "11 expectations held");
    /* Interfaces as rows, postures as columns; a mark only where the
     * scenario expected something of that interface in that posture. */
    assert_lines(md, "| interface | legacy | hardened |\n"
                     "|---|---|---|\n"
                     "| client->proxy | cascaded ✅ | unaffected ✅ |\n"
                     "| user->dashboard | cascaded | unaffected ✅ |\n"
                     "| proxy->botmod | cascaded ✅ | unaffected ✅ |\n"
                     "| proxy->origin | unaffected | unaffected |\n"
                     "| proxy->configstore | unaffected | unaffected |\n"
                     "| botmod->configstore | cascaded ✅ | failed\\_small ✅ |\n"
                     "| dashboard->botmod | cascaded ✅ | unaffected ✅ |\n"
                     "| dashboard->configstore | unaffected | unaffected |\n"
                     "| blast radius | 92.14% ✅ | 0.00% ✅ |\n"
                     "| bad config share | 100.00% | 25.00% |\n"
                     "| time to detect | 0 ms | — |\n"
                     "| time to recover | 1.7 s | — |\n"
                     "| degraded share | 0.00% | 0.00% |\n"
                     "| expectations held | 5/5 ✅ | 6/6 ✅ |");
    assert_lines(md, "**Cascade path**\n\n"
                     "- legacy: botmod->configstore → proxy->botmod → client->proxy\n"
                     "- hardened: contained at botmod->configstore");
    assert_lines(md, "- legacy: [health](legacy/charts/health.svg) · "
                     "[users](legacy/charts/users.svg)");
    assert_lines(md, "- hardened: [health](hardened/charts/health.svg) · "
                     "[users](hardened/charts/users.svg)");
    assert_int_equal(count(md, "❌"), 0);
    assert_int_equal(count(md, "✅"), 14);
    assert_no_text(md, "Not held");
    assert_no_text(md, "⚠️");
}

/* A summary inside DIR/<posture> links one level up. */
static void test_link_base(void **state)
{
    fx_t *fx = *state;
    const char *md;

    load(fx, "flagship-hardened");
    md = write_md(fx, "../");
    assert_lines(md, "- hardened: [health](../hardened/charts/health.svg) · "
                     "[users](../hardened/charts/users.svg)");
    assert_lines(md, "| interface | hardened |\n|---|---|");
    assert_lines(md, "| expectations held | 6/6 ✅ |");
    assert_no_text(md, "legacy");
}

static void test_escaping_and_failures(void **state)
{
    fx_t *fx = *state;
    const char *md;

    load(fx, "escape");
    md = write_md(fx, "");
    /* One heading line: the title's newline, tab and control character
     * became spaces; markup is shown, not rendered. */
    assert_lines(md, "### failsmall: Names with &lt;b>tags&lt;/b>, \"quotes\", a &amp; b, "
                     "snake\\_case \\| pipes second line  \\[link\\](x) \\*stars\\* \\`code\\` "
                     "\\$x\\$");
    assert_lines(md, "Scenario esc&lt;&amp;\"\\_name · seed 42 · time scale 1 · ❌ 2 of 6 "
                     "expectations not held");
    assert_lines(md, "| proxy->\"origin\"&lt;&amp;\\_x> | cascaded ❌ |");
    assert_lines(md, "| blast radius | 92.14% ❌ |");
    assert_lines(md, "| expectations held | 4/6 ❌ |");
    assert_lines(md, "- legacy: botmod->configstore → proxy->\"origin\"&lt;&amp;\\_x> → "
                     "client->proxy");
    assert_lines(md, "**Not held**\n\n"
                     "- legacy: blast\\_radius.min expected >= 0.95, got 0.9214\n"
                     "- legacy: interfaces.proxy->\"origin\"&lt;&amp;\\_x> expected unaffected, "
                     "got cascaded");
    assert_no_text(md, "<");
    assert_no_text(md, "\x01");
    assert_no_text(md, "\t");
}

/* Stopped by a stop condition: said at the top, judged like a completed
 * run, and the stop conditions' table with each posture's peak. */
static void test_stopped_run(void **state)
{
    fx_t *fx = *state;
    const char *md;

    load(fx, "stopped");
    load(fx, "stopped-unexpected");
    md = write_md(fx, "");
    assert_starts(md,
                  "### failsmall: Bot feature file grows past the module's 200-feature "
                  "limit\n\n> 🛑 **Stopped by a stop condition** (legacy): abort\\_if\\[0\\]: "
                  "blast radius 0.9951 above 0.3 for 1.0 s (since 3.2 s). Faults reverted");
    assert_int_equal(count(md, "Stopped by a stop condition"), 2);
    assert_int_equal(count(md, "Run aborted"), 0);
    assert_lines(md, "Scenario cf-2025-11-18-bot-feature-file · seed 42 · time scale 1 · ❌ 1 of 3 "
                     "expectations not held");
    assert_lines(md, "| condition | legacy | hardened |");
    assert_lines(md, "| `abort_if[0]` blast radius above 0.3 for 1.0 s (window 1.0 s) | peak "
                     "0.9951, tripped | peak 0.0100 |");
    assert_lines(md,
                 "| `abort_if[1]` processes down (botmod) above 2 | peak 1 | peak 3, tripped |");
    assert_lines(md, "- hardened: aborted expected false, got true");
    assert_non_null(strstr(md, "| time to recover | not recovered (run stopped) |"));
}

static void test_aborted_run(void **state)
{
    fx_t *fx = *state;
    const char *md;

    load(fx, "flagship-legacy");
    load(fx, "aborted");
    md = write_md(fx, "");
    /* Said at the top, before any number. */
    assert_starts(md, "### failsmall: Bot feature file grows past the module's 200-feature "
                      "limit\n\n> ⚠️ **Run aborted** (hardened): interrupted (SIGINT) after "
                      "4.2 s of load.");
    assert_int_equal(count(md, "Run aborted"), 1);
    /* Not judged is neither held nor broken. */
    assert_lines(md, "Scenario cf-2025-11-18-bot-feature-file · seed 42 · time scale 1 · ✅ all 5 "
                     "expectations held · 2 not judged");
    assert_lines(md, "| botmod->configstore | cascaded ✅ | — |");
    assert_lines(md, "| blast radius | 92.14% ✅ | — |");
    assert_lines(md, "| bad config share | 100.00% | 25.00% |");
    assert_lines(md, "| expectations held | 5/5 ✅ | 2 not judged |");
    assert_lines(md, "- hardened: —");
    assert_no_text(md, "❌");
}

static void test_empty_run(void **state)
{
    fx_t *fx = *state;
    const char *md;

    load(fx, "empty");
    md = write_md(fx, "");
    assert_lines(md, "### failsmall: A run with no interfaces and no expectations");
    assert_lines(md, "Scenario empty-run · seed 42 · time scale 1 · no expectations");
    assert_lines(md, "| interface | legacy |\n|---|---|\n| blast radius | — |");
    assert_lines(md, "| expectations held | none |");
    assert_lines(md, "- legacy: nothing broke");
    assert_int_equal(count(md, "✅") + count(md, "❌"), 0);
}

/* Results with members of the wrong type, a posture that is no path
 * segment, and nothing at all: still a summary, never a crash. */
static void test_hostile_and_none(void **state)
{
    fx_t *fx = *state;
    cJSON *doc = cJSON_CreateObject(), *xs, *x;
    const char *md;

    assert_non_null(doc);
    fx->docs[fx->n++] = doc;
    cJSON_AddNumberToObject(doc, "scenario", 3);
    cJSON_AddStringToObject(doc, "posture", "a b/(c)");
    cJSON_AddStringToObject(doc, "status", "completed");
    cJSON_AddStringToObject(doc, "verdicts", "x");
    cJSON_AddNumberToObject(doc, "blast_radius", 0.5);
    cJSON_AddFalseToObject(doc, "recovered");
    cJSON_AddNumberToObject(doc, "time_to_detect_ms", 2500);
    xs = cJSON_AddArrayToObject(doc, "expectations");
    cJSON_AddItemToArray(xs, cJSON_CreateNull());
    x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "what", "interfaces.a|b");
    cJSON_AddStringToObject(x, "actual", "cascaded");
    cJSON_AddFalseToObject(x, "ok");
    cJSON_AddItemToArray(xs, x);
    x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "what", "time_to_recover.max");
    cJSON_AddTrueToObject(x, "ok");
    cJSON_AddItemToArray(xs, x);
    md = write_md(fx, "");
    assert_lines(md, "### failsmall: no results");
    assert_lines(md, "| a\\|b | — ❌ |");
    assert_lines(md, "| blast radius | 50.00% |");
    assert_lines(md, "| time to detect | 2.5 s |");
    assert_lines(md, "| time to recover | not recovered ✅ |");
    assert_lines(md, "| expectations held | 1/2 ❌, 1 not judged |");
    assert_lines(md, "- a b/(c): [health](a%20b%2F%28c%29/charts/health.svg) · "
                     "[users](a%20b%2F%28c%29/charts/users.svg)");

    cJSON_Delete(doc);
    fx->n = 0;
    md = write_md(fx, "");
    assert_string_equal(md,
                        "### failsmall: no results\n\nScenario (unnamed) · no expectations\n\n");
}

static void test_md_escape_helper(void **state)
{
    fs__report_buf_t b = {0};

    (void)state;
    fs_xml_md_escape(&b, "a_b*c`d[e]f|g~h$i\\j<k&l>m#n\r\n\x01\xff!");
    assert_false(b.oom);
    assert_string_equal(b.p,
                        "a\\_b\\*c\\`d\\[e\\]f\\|g\\~h\\$i\\\\j&lt;k&amp;l>m#n   \xef\xbf\xbd!");
    fs__report_buf_free(&b);
}

/* Written whole, over the old file, with nothing left beside it; a path
 * that cannot be written is an error that names it. */
static void test_atomic_and_errors(void **state)
{
    fx_t *fx = *state;
    char p[600], err[512] = "";
    struct dirent *e;
    DIR *d;
    int n = 0;

    load(fx, "flagship-legacy");
    write_md(fx, "");
    write_md(fx, "../");
    assert_non_null(strstr(fx->text, "(../legacy/charts/users.svg)"));
    assert_null(strstr(fx->text, "(legacy/charts/users.svg)"));
    d = opendir(fx->dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            assert_string_equal(e->d_name, "summary.md");
            n++;
        }
    }
    closedir(d);
    assert_int_equal(n, 1);

    snprintf(p, sizeof(p), "%s/missing/summary.md", fx->dir);
    assert_int_equal(
        fs_report_markdown((const cJSON *const *)fx->docs, fx->n, "", p, err, sizeof(err)),
        -ENOENT);
    assert_non_null(strstr(err, p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_flagship_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_base, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaping_and_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aborted_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stopped_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_and_none, setup, teardown),
        cmocka_unit_test(test_md_escape_helper),
        cmocka_unit_test_setup_teardown(test_atomic_and_errors, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
