/* Unit tests for reports/junit.c (and the escaping in reports/xml.c): on
 * the results fixtures in tests/fixtures, junit.xml validates against
 * tests/junit.xsd with xmllint (which must be installed: `make deps`), its
 * counts match the expectations, names with markup characters read back
 * exactly, empty and aborted runs are reported, and nothing but the file is
 * left behind. Everything happens in a fresh directory under $TMPDIR. */
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
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "atomic.h"
#include "report.h"
#include "xml.h"
#include "testutil.h"

typedef struct {
    char dir[256];
    char out[512];
    cJSON *docs[8];
    size_t n;
} fx_t;

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));

    if (fx == NULL)
        return -1;
    if (tu_mkdtemp(fx->dir, sizeof(fx->dir), "fs-junit") != 0) {
        free(fx);
        return -1;
    }
    snprintf(fx->out, sizeof(fx->out), "%s/junit.xml", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;

    for (size_t i = 0; i < fx->n; i++)
        cJSON_Delete(fx->docs[i]);
    tu_rmtree(fx->dir);
    free(fx);
    return 0;
}

/* Loads tests/fixtures/results-<name>.json as the next document. */
static void load(fx_t *fx, const char *name)
{
    tu_load_results(fx->docs, &fx->n, 8, name);
}

static void write_junit(fx_t *fx)
{
    char err[512] = "";
    int rc = fs_report_junit((const cJSON *const *)fx->docs, fx->n, fx->out, err, sizeof(err));
    if (rc != 0)
        fail_msg("fs_report_junit: %d %s", rc, err);
}

static void need_xmllint(void)
{
    if (system("command -v xmllint >/dev/null 2>&1") != 0)
        fail_msg("xmllint is missing: install libxml2-utils (make deps)");
}

/* xmllint's verdict on file against tests/junit.xsd: its exit status, and
 * what it said in out (run through system() via popen, both streams). */
static int validate(const char *file, char *out, size_t outlen)
{
    char xsd[1024], cmd[2600];
    size_t n;
    FILE *p;
    int st;

    need_xmllint();
    tu_repo_path(xsd, sizeof(xsd), "tests/junit.xsd");
    snprintf(cmd, sizeof(cmd), "xmllint --noout --schema '%s' '%s' 2>&1", xsd, file);
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fread(out, 1, outlen - 1, p);
    out[n] = '\0';
    st = pclose(p);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void assert_valid(const char *file)
{
    char out[8192];
    int rc = validate(file, out, sizeof(out));
    if (rc != 0) {
        char *text = tu_slurp(file, NULL);
        fail_msg("%s does not validate against tests/junit.xsd (xmllint %d): %s\n%s", file, rc, out,
                 text ? text : "(unreadable)");
    }
}

/* The value of an XPath expression over file, as xmllint prints it, without
 * its newline, in buf. The expression must not contain a single quote. */
static const char *xpath(const char *file, const char *expr, char *buf, size_t len)
{
    char cmd[2048];
    FILE *p;
    size_t n;

    need_xmllint();
    snprintf(cmd, sizeof(cmd), "xmllint --xpath '%s' '%s' 2>/dev/null", expr, file);
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fread(buf, 1, len - 1, p);
    pclose(p);
    buf[n] = '\0';
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    return buf;
}

static void assert_xpath(const char *file, const char *expr, const char *want)
{
    char got[4096];
    xpath(file, expr, got, sizeof(got));
    if (strcmp(got, want) != 0)
        fail_msg("%s: %s is \"%s\", want \"%s\"", file, expr, got, want);
}

/* The validator itself can fail: a test case without classname and a
 * failure without type are rejected, as is text that is not XML. */
static void test_schema_rejects(void **state)
{
    fx_t *fx = *state;
    char err[256], out[8192];
    static const char bad[] =
        "<?xml version=\"1.0\"?>\n<testsuites><testsuite name=\"s\" tests=\"1\" failures=\"1\" "
        "errors=\"0\" skipped=\"0\" time=\"1\"><testcase name=\"c\" time=\"0\">"
        "<failure message=\"m\">x</failure></testcase></testsuite></testsuites>\n";
    static const char notxml[] = "<testsuites name=\"a<b\"></testsuites>\n";

    assert_int_equal(fs_atomic_write(fx->out, bad, strlen(bad), err, sizeof(err)), 0);
    assert_int_not_equal(validate(fx->out, out, sizeof(out)), 0);
    assert_non_null(strstr(out, "classname"));
    assert_int_equal(fs_atomic_write(fx->out, notxml, strlen(notxml), err, sizeof(err)), 0);
    assert_int_not_equal(validate(fx->out, out, sizeof(out)), 0);
}

static void test_flagship_merged(void **state)
{
    fx_t *fx = *state;
    int tmp;

    load(fx, "flagship-legacy");
    load(fx, "flagship-hardened");
    write_junit(fx);
    assert_valid(fx->out);
    assert_xpath(fx->out, "string(/testsuites/@name)", "failsmall");
    assert_xpath(fx->out, "string(/testsuites/@tests)", "11");
    assert_xpath(fx->out, "string(/testsuites/@failures)", "0");
    assert_xpath(fx->out, "string(/testsuites/@errors)", "0");
    assert_xpath(fx->out, "count(//testsuite)", "2");
    assert_xpath(fx->out, "count(//testcase)", "11");
    assert_xpath(fx->out, "count(//failure)", "0");
    assert_xpath(fx->out, "string(//testsuite[1]/@name)",
                 "cf-2025-11-18-bot-feature-file [legacy]");
    assert_xpath(fx->out, "string(//testsuite[2]/@name)",
                 "cf-2025-11-18-bot-feature-file [hardened]");
    assert_xpath(fx->out, "string(//testsuite[1]/@tests)", "5");
    assert_xpath(fx->out, "string(//testsuite[2]/@tests)", "6");
    assert_xpath(fx->out, "string(//testsuite[1]/@time)", "14.407");
    assert_xpath(fx->out, "string(//testsuite[2]/testcase[2]/@name)", "interfaces.user->dashboard");
    assert_xpath(fx->out, "string(//testsuite[2]/testcase[2]/@classname)",
                 "failsmall.cf-2025-11-18-bot-feature-file.hardened");
    assert_xpath(fx->out, "string(//testsuite[1]/properties/property[@name=\"seed\"]/@value)",
                 "42");
    assert_xpath(fx->out,
                 "string(//testsuite[1]/properties/property[@name=\"blast_radius\"]/@value)",
                 "0.9214");
    assert_xpath(fx->out, "string(//testsuite[2]/properties/property[@name=\"posture\"]/@value)",
                 "hardened");
    assert_xpath(fx->out, "string(//testsuite[2]/properties/property[@name=\"time_scale\"]/@value)",
                 "1");
    /* Written whole: the file and nothing else. */
    assert_int_equal(tu_entries(fx->dir, &tmp), 1);
    assert_int_equal(tmp, 0);
}

/* One posture per file is the same call with n = 1. */
static void test_per_posture(void **state)
{
    fx_t *fx = *state;

    load(fx, "flagship-hardened");
    write_junit(fx);
    assert_valid(fx->out);
    assert_xpath(fx->out, "count(//testsuite)", "1");
    assert_xpath(fx->out, "string(/testsuites/@tests)", "6");
    assert_xpath(fx->out, "string(//testcase[6]/@name)", "blast_radius.max");
}

static void test_escaping_and_failures(void **state)
{
    fx_t *fx = *state;
    char *text;

    load(fx, "escape");
    write_junit(fx);
    assert_valid(fx->out);
    assert_xpath(fx->out, "string(/testsuites/@failures)", "2");
    assert_xpath(fx->out, "string(//testsuite/@failures)", "2");
    assert_xpath(fx->out, "string(//testsuite/@tests)", "6");
    assert_xpath(fx->out, "count(//failure)", "2");
    /* Read back by an XML parser, the names are what the results say. */
    assert_xpath(fx->out, "string(//testsuite/@name)", "esc<&\"_name [legacy]");
    assert_xpath(fx->out, "string(//testcase[6]/@name)", "interfaces.proxy->\"origin\"<&_x>");
    assert_xpath(fx->out, "string(//testcase[6]/@classname)", "failsmall.esc<&\"_name.legacy");
    assert_xpath(fx->out, "string(//testcase[6]/failure/@message)",
                 "expected unaffected, got cascaded");
    assert_xpath(fx->out, "string(//testcase[6]/failure/@type)", "expectation");
    assert_xpath(fx->out, "string(//testcase[6]/failure)",
                 "expected unaffected, actual cascaded; cascade path: botmod->configstore -> "
                 "proxy->\"origin\"<&_x> -> client->proxy; blast radius 0.9214");
    assert_xpath(fx->out, "string(//testcase[5]/failure/@message)", "expected >= 0.95, got 0.9214");
    assert_xpath(fx->out, "count(//testcase[1]/failure)", "0");
    /* And in the text, as entities. */
    text = tu_slurp(fx->out, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "<testsuite name=\"esc&lt;&amp;&quot;_name [legacy]\""));
    assert_null(strstr(text, "esc<"));
    free(text);
}

static void test_empty_run(void **state)
{
    fx_t *fx = *state;

    load(fx, "empty");
    write_junit(fx);
    assert_valid(fx->out);
    assert_xpath(fx->out, "string(/testsuites/@tests)", "1");
    assert_xpath(fx->out, "count(//testcase)", "1");
    assert_xpath(fx->out, "string(//testcase/@name)", "run completed");
    assert_xpath(fx->out, "count(//testcase/*)", "0");
    assert_xpath(fx->out, "count(//property[@name=\"blast_radius\"])", "0");
}

static void test_aborted_run(void **state)
{
    fx_t *fx = *state;

    load(fx, "aborted");
    write_junit(fx);
    assert_valid(fx->out);
    assert_xpath(fx->out, "string(/testsuites/@errors)", "1");
    assert_xpath(fx->out, "string(/testsuites/@failures)", "0");
    assert_xpath(fx->out, "string(//testsuite/@tests)", "3");
    assert_xpath(fx->out, "string(//testsuite/@skipped)", "2");
    assert_xpath(fx->out, "string(//testcase[1]/@name)", "run");
    assert_xpath(fx->out, "string(//testcase[1]/@time)", "4.650");
    assert_xpath(fx->out, "string(//testcase[1]/error/@type)", "aborted");
    assert_xpath(fx->out, "string(//testcase[1]/error/@message)",
                 "run aborted: interrupted (SIGINT) after 4.2 s of load");
    assert_xpath(fx->out, "string(//testcase[1]/error)",
                 "interrupted (SIGINT) after 4.2 s of load");
    assert_xpath(fx->out, "count(//testcase/skipped)", "2");
    assert_xpath(fx->out, "string(//testcase[3]/@name)", "blast_radius.max");
    assert_xpath(fx->out, "string(//property[@name=\"status\"]/@value)", "aborted");
}

/* A run a stop condition ended is judged, not an error: the "aborted"
 * expectation passes when the stop was expected and fails when not. */
static void test_stopped_run(void **state)
{
    fx_t *fx = *state;

    load(fx, "stopped");
    load(fx, "stopped-unexpected");
    write_junit(fx);
    assert_valid(fx->out);
    assert_xpath(fx->out, "string(/testsuites/@errors)", "0");
    assert_xpath(fx->out, "string(/testsuites/@failures)", "1");
    assert_xpath(fx->out, "count(//testcase[@name=\"run\"])", "0");
    assert_xpath(fx->out, "count(//skipped)", "0");
    assert_xpath(fx->out, "string(//testsuite[1]/@tests)", "2");
    assert_xpath(fx->out, "count(//testsuite[1]//failure)", "0");
    assert_xpath(fx->out, "string(//testsuite[2]/testcase[1]/@name)", "aborted");
    assert_xpath(fx->out, "string(//testsuite[2]/testcase[1]/failure/@message)",
                 "expected false, got true");
    assert_xpath(fx->out,
                 "contains(//testsuite[2]/testcase[1]/failure, \"stopped early: abort_if[1]: "
                 "processes down (botmod) 3 above 2 for 0.0 s (since 5.0 s)\")",
                 "true");
    assert_xpath(fx->out, "string(//testsuite[1]//property[@name=\"abort_reason\"]/@value)",
                 "abort_if[0]: blast radius 0.9951 above 0.3 for 1.0 s (since 3.2 s)");
}

/* Every fixture in one file: the totals add up. */
static void test_all_merged(void **state)
{
    fx_t *fx = *state;

    load(fx, "flagship-legacy");
    load(fx, "flagship-hardened");
    load(fx, "escape");
    load(fx, "empty");
    load(fx, "aborted");
    write_junit(fx);
    assert_valid(fx->out);
    assert_xpath(fx->out, "count(//testsuite)", "5");
    assert_xpath(fx->out, "string(/testsuites/@tests)", "21");
    assert_xpath(fx->out, "count(//testcase)", "21");
    assert_xpath(fx->out, "string(/testsuites/@failures)", "2");
    assert_xpath(fx->out, "string(/testsuites/@errors)", "1");
}

/* Nothing to report is still a valid file. */
static void test_no_documents(void **state)
{
    fx_t *fx = *state;

    write_junit(fx);
    assert_valid(fx->out);
    assert_xpath(fx->out, "string(/testsuites/@tests)", "0");
    assert_xpath(fx->out, "count(//testsuite)", "0");
}

/* Control characters, bytes that are not UTF-8, "]]>" and members of the
 * wrong type: the file is still valid XML and says what it can. */
static void test_hostile_document(void **state)
{
    fx_t *fx = *state;
    cJSON *doc = cJSON_CreateObject(), *scen, *xs, *x;

    assert_non_null(doc);
    fx->docs[fx->n++] = doc;
    scen = cJSON_AddObjectToObject(doc, "scenario");
    cJSON_AddStringToObject(scen, "name",
                            "a\x01"
                            "b\tc\nd]]>e\xff\xc0\xaf\xed\xa0\x80\xef\xbf\xbf");
    cJSON_AddNumberToObject(doc, "posture", 7);
    cJSON_AddStringToObject(doc, "status", "completed");
    cJSON_AddStringToObject(doc, "wall_ms", "soon");
    cJSON_AddStringToObject(doc, "cascade_path", "x");
    xs = cJSON_AddArrayToObject(doc, "expectations");
    cJSON_AddItemToArray(xs, cJSON_CreateNumber(3));
    x = cJSON_CreateObject();
    cJSON_AddNumberToObject(x, "what", 1);
    cJSON_AddFalseToObject(x, "ok");
    cJSON_AddItemToArray(xs, x);
    write_junit(fx);
    assert_valid(fx->out);
    assert_xpath(fx->out, "string(//testsuite/@name)",
                 "ab\tc\nd]]>e\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                 "\xef\xbf\xbd [unknown]");
    assert_xpath(fx->out, "string(//testsuite/@tests)", "2");
    assert_xpath(fx->out, "string(//testsuite/@failures)", "1");
    assert_xpath(fx->out, "string(//testsuite/@skipped)", "1");
    assert_xpath(fx->out, "string(//testcase[1]/@name)", "expectations[0]");
    assert_xpath(fx->out, "string(//testcase[2]/failure/@message)", "expected (none), got (none)");
    assert_xpath(fx->out, "string(//testcase[2]/failure)",
                 "expected (none), actual (none); cascade path: none; blast radius n/a");
}

static void test_escape_helper(void **state)
{
    fs__report_buf_t b = {0};
    uint32_t cp;

    (void)state;
    fs_xml_escape(&b, "<a href=\"x\">&'</a>\t\r\n\x01\x7f\xc2\x85ok");
    assert_false(b.oom);
    assert_string_equal(b.p, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;&#9;&#13;&#10;ok");
    fs__report_buf_free(&b);
    fs_xml_escape(
        &b, "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80 \xef\xbf\xbe|\xf4\x90\x80\x80|\xe2\x86");
    assert_string_equal(b.p, "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80 |\xef\xbf\xbd\xef\xbf\xbd"
                             "\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd");
    fs__report_buf_free(&b);
    fs_xml_escape(&b, NULL);
    assert_null(b.p);
    assert_int_equal(fs_xml_utf8_next("\xe2\x86\x92", &cp), 3);
    assert_int_equal(cp, 0x2192);
    assert_int_equal(fs_xml_utf8_next("\xe0\x80\x80", &cp), 1); /* overlong */
    assert_int_equal(cp, 0xfffd);
    fs__report_buf_printf(&b, "%d-%s", 42, "x");
    assert_string_equal(b.p, "42-x");
    assert_int_equal(b.len, 4);
    fs__report_buf_free(&b);
}

static void test_write_error(void **state)
{
    fx_t *fx = *state;
    char p[600], err[512] = "";

    load(fx, "empty");
    snprintf(p, sizeof(p), "%s/missing/junit.xml", fx->dir);
    assert_int_equal(fs_report_junit((const cJSON *const *)fx->docs, fx->n, p, err, sizeof(err)),
                     -ENOENT);
    assert_non_null(strstr(err, p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flagship_merged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_per_posture, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaping_and_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aborted_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stopped_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_merged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_document, setup, teardown),
        cmocka_unit_test(test_escape_helper),
        cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
