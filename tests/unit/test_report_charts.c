/* Unit tests for reports/charts.c and reports/gnuplot.c: the .dat columns
 * and .gp scripts of the fixtures in tests/fixtures (html-escape.json: 20
 * buckets of 100 ms, bucket 0 empty, client->proxy broken in buckets 8..13,
 * a fault from 500 to 1500 ms; html-empty.json: nothing at all); without
 * gnuplot on PATH (return 1, a warning, the files still there); with the
 * real gnuplot (SVG and PNG); with a gnuplot that fails half way (no picture
 * left). Everything happens
 * in a fresh directory under $TMPDIR. */
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

#include "charts.h"
#include "report.h"
#include "testutil.h"

typedef struct {
    char dir[256];
    char *old_path;
    cJSON *doc;
} fx_t;

static char *file_in(const char *dir, const char *name)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return tu_slurp(path, NULL);
}

static int exists(const char *dir, const char *name)
{
    char path[512];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return stat(path, &st) == 0 && st.st_size > 0;
}

static int setup(void **state)
{
    const char *path = getenv("PATH");
    fx_t *fx = calloc(1, sizeof(*fx));

    if (fx == NULL)
        return -1;
    if (tu_mkdtemp(fx->dir, sizeof(fx->dir), "fs-charts") != 0) {
        free(fx);
        return -1;
    }
    fx->old_path = strdup(path ? path : "/usr/bin:/bin");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;

    setenv("PATH", fx->old_path, 1);
    free(fx->old_path);
    cJSON_Delete(fx->doc);
    tu_rmtree(fx->dir);
    free(fx);
    return 0;
}

/* A PATH holding only an empty folder: no gnuplot anywhere. */
static void no_gnuplot(fx_t *fx)
{
    char bin[320];

    snprintf(bin, sizeof(bin), "%s/emptybin", fx->dir);
    assert_int_equal(mkdir(bin, 0755), 0);
    setenv("PATH", bin, 1);
}

static int have_gnuplot(void)
{
    char path[4096];
    return fs__report_gnuplot_find(path, sizeof(path)) == 0;
}

static int count_lines(const char *text, const char *prefix_not)
{
    int n = 0;

    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        if (strncmp(p, prefix_not, strlen(prefix_not)) != 0)
            n++;
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    return n;
}

static void test_without_gnuplot(void **state)
{
    fx_t *fx = *state;
    char dir[320], warn[512];
    char *dat, *gp, *users;

    fx->doc = tu_fixture("tests/fixtures/html-escape.json");
    no_gnuplot(fx);
    snprintf(dir, sizeof(dir), "%s/legacy/charts", fx->dir);
    warn[0] = '\0';
    assert_int_equal(fs_report_charts(fx->doc, dir, warn, sizeof(warn)), 1);
    assert_non_null(strstr(warn, "gnuplot not found"));
    assert_null(strchr(warn, '\n'));
    assert_true(exists(dir, "health.dat"));
    assert_true(exists(dir, "health.gp"));
    assert_true(exists(dir, "users.dat"));
    assert_true(exists(dir, "users.gp"));
    assert_false(exists(dir, "health.svg"));
    assert_false(exists(dir, "health.png"));

    dat = file_in(dir, "health.dat");
    assert_non_null(dat);
    /* Five interfaces carried traffic (dashboard->configstore did not):
     * t_s, five health columns, five broken columns; 20 rows. */
    assert_non_null(strstr(dat, "# t_s client->proxy user->dashboard proxy->botmod "
                                "proxy->\"origin\"<&_x> botmod->configstore client->proxy"));
    assert_null(strstr(dat, "dashboard->configstore"));
    assert_int_equal(count_lines(dat, "#"), 20);
    assert_non_null(strstr(dat, "\n0.000 NaN NaN NaN NaN NaN 0 0 0 0 0\n"));
    assert_non_null(strstr(dat, "\n0.100 1.0000 1.0000 1.0000 1.0000 1.0000 0 0 0 0 0\n"));
    /* Bucket 8: client->proxy broken and failing, proxy->botmod too. */
    assert_non_null(strstr(dat, "\n0.800 0.0000 1.0000 0.0000 1.0000 1.0000 1 0 1 0 0\n"));
    assert_non_null(strstr(dat, "\n1.400 1.0000 1.0000 1.0000 1.0000 1.0000 0 0 0 0 0\n"));

    gp = file_in(dir, "health.gp");
    assert_non_null(gp);
    assert_non_null(strstr(gp, "set output 'health.svg'"));
    assert_non_null(strstr(gp, "set output 'health.png'"));
    assert_non_null(strstr(gp, "noenhanced"));
    /* The fault window from fault.apply/fault.revert, then the grace. */
    assert_non_null(strstr(gp, "set object rect from 0.500, graph 0 to 1.500, graph 1"));
    assert_non_null(strstr(gp, "set object rect from 1.500, graph 0 to 1.800, graph 1"));
    /* Events marked: the exit, the rollback, the abort; not the start. */
    assert_non_null(strstr(gp, "set arrow from 0.650, graph 0 to 0.650, graph 1 nohead"));
    assert_non_null(strstr(gp, "set arrow from 0.900, graph 0 to 0.900, graph 1 nohead"));
    assert_non_null(strstr(gp, "set arrow from 1.900, graph 0"));
    assert_null(strstr(gp, "set arrow from 0.000, graph 0"));
    /* The quoted name reaches gnuplot as one string. */
    assert_non_null(strstr(gp, "'proxy->\"origin\"<&_x>'"));
    assert_non_null(strstr(gp, "'health.dat' using 1:(4 + 0.8 * column(2))"));

    users = file_in(dir, "users.dat");
    assert_non_null(users);
    assert_int_equal(count_lines(users, "#"), 20);
    /* Empty bucket 0: no health, no latency (0 cannot go on a log axis). */
    assert_non_null(strstr(users, "\n0.000 NaN NaN NaN NaN NaN NaN\n"));
    assert_non_null(strstr(users, "\n0.100 1.0000 1.0000 1.500 10.000 1.500 10.000\n"));
    free(dat);
    free(gp);
    free(users);
}

static void test_quotes_in_names(void **state)
{
    fx_t *fx = *state;
    char dir[320], warn[512];
    char *gp, *dat;
    cJSON *it, *b;

    /* One interface named with a quote and a newline: the script must keep
     * it one string, the .dat header one line. */
    fx->doc = cJSON_Parse("{\"posture\":\"legacy\",\"duration_ms\":300,"
                          "\"slo\":{\"bucket_ms\":100},\"interfaces\":{}}");
    assert_non_null(fx->doc);
    it = cJSON_AddObjectToObject(cJSON_GetObjectItem(fx->doc, "interfaces"), "it's\na->b");
    assert_non_null(cJSON_AddObjectToObject(it, "totals"));
    cJSON_AddNumberToObject(cJSON_GetObjectItem(it, "totals"), "calls", 3);
    b = cJSON_AddArrayToObject(it, "buckets");
    for (int i = 0; i < 3; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "calls", 1);
        if (i == 1)
            cJSON_AddNullToObject(o, "health");
        else
            cJSON_AddNumberToObject(o, "health", 0.5);
        cJSON_AddItemToArray(b, o);
    }
    no_gnuplot(fx);
    snprintf(dir, sizeof(dir), "%s/charts", fx->dir);
    assert_int_equal(fs_report_charts(fx->doc, dir, warn, sizeof(warn)), 1);
    gp = file_in(dir, "health.gp");
    dat = file_in(dir, "health.dat");
    assert_non_null(gp);
    assert_non_null(dat);
    assert_non_null(strstr(gp, "'it''sa->b'"));
    assert_non_null(strstr(dat, "# t_s it's_a->b it's_a->b\n"));
    /* Buckets as an array of objects read as well as columns. */
    assert_non_null(strstr(dat, "\n0.000 0.5000 NaN\n0.100 NaN NaN\n0.200 0.5000 NaN\n"));
    free(gp);
    free(dat);
}

static void check_svg(const char *dir, const char *name)
{
    char file[64], *svg;
    size_t len;
    char path[512];
    static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    snprintf(path, sizeof(path), "%s/%s.svg", dir, name);
    svg = tu_slurp(path, &len);
    if (svg == NULL)
        fail_msg("%s was not rendered", path);
    assert_true(strncmp(svg, "<?xml", 5) == 0 || strncmp(svg, "<svg", 4) == 0);
    assert_non_null(strstr(svg, "<svg"));
    assert_non_null(strstr(svg, "</svg>"));
    free(svg);
    snprintf(file, sizeof(file), "%s.png", name);
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    svg = tu_slurp(path, &len);
    if (svg == NULL)
        fail_msg("%s was not rendered", path);
    assert_true(len > 8);
    assert_memory_equal(svg, png_magic, 8);
    free(svg);
}

static void test_with_gnuplot(void **state)
{
    fx_t *fx = *state;
    char dir[320], warn[512];
    cJSON *empty = tu_fixture("tests/fixtures/html-empty.json");
    const cJSON *docs[2];
    char *dat, *svg;

    if (!have_gnuplot()) {
        cJSON_Delete(empty);
        skip();
    }
    fx->doc = tu_fixture("tests/fixtures/html-escape.json");
    snprintf(dir, sizeof(dir), "%s/legacy/charts", fx->dir);
    warn[0] = '\0';
    assert_int_equal(fs_report_charts(fx->doc, dir, warn, sizeof(warn)), 0);
    assert_string_equal(warn, "");
    check_svg(dir, "health");
    check_svg(dir, "users");
    svg = file_in(dir, "health.svg");
    assert_non_null(svg);
    /* noenhanced: the underscore is text, not a subscript. */
    assert_non_null(strstr(svg, "&lt;&amp;_x"));
    free(svg);

    /* An empty run still renders (gnuplot stops on plots without data). */
    snprintf(dir, sizeof(dir), "%s/hardened/charts", fx->dir);
    assert_int_equal(fs_report_charts(empty, dir, warn, sizeof(warn)), 0);
    check_svg(dir, "health");
    check_svg(dir, "users");

    docs[0] = fx->doc;
    docs[1] = empty;
    snprintf(dir, sizeof(dir), "%s/charts", fx->dir);
    assert_int_equal(fs__report_charts_compare(docs, 2, dir, warn, sizeof(warn)), 0);
    check_svg(dir, "compare");
    dat = file_in(dir, "compare.dat");
    assert_non_null(dat);
    assert_non_null(strstr(dat, "# t_s legacy:client->proxy hardened:client->proxy "
                                "legacy:user->dashboard hardened:user->dashboard\n"));
    assert_non_null(strstr(dat, "\n0.800 0.0000 NaN 1.0000 NaN\n"));
    free(dat);
    cJSON_Delete(empty);
}

static void test_gnuplot_fails(void **state)
{
    fx_t *fx = *state;
    char bin[320], path[400], dir[320], warn[512];
    FILE *f;

    fx->doc = tu_fixture("tests/fixtures/html-escape.json");
    snprintf(bin, sizeof(bin), "%s/badbin", fx->dir);
    assert_int_equal(mkdir(bin, 0755), 0);
    snprintf(path, sizeof(path), "%s/gnuplot", bin);
    f = fopen(path, "w");
    assert_non_null(f);
    /* It dies half way through the picture. */
    fputs("#!/bin/sh\nprintf '<svg' > \"${1%.gp}.svg\"\necho \"line 3: boom in $1\" >&2\nexit 3\n",
          f);
    fclose(f);
    assert_int_equal(chmod(path, 0755), 0);
    setenv("PATH", bin, 1);
    snprintf(dir, sizeof(dir), "%s/charts", fx->dir);
    assert_int_equal(fs_report_charts(fx->doc, dir, warn, sizeof(warn)), -EIO);
    assert_non_null(strstr(warn, "exit 3"));
    assert_non_null(strstr(warn, "line 3: boom in health.gp"));
    /* The scripts stay for a person to run by hand; the half picture goes. */
    assert_true(exists(dir, "health.gp"));
    assert_true(exists(dir, "health.dat"));
    assert_false(exists(dir, "health.svg"));
}

static void test_unwritable_dir(void **state)
{
    fx_t *fx = *state;
    char dir[320], warn[512];
    FILE *f;

    fx->doc = tu_fixture("tests/fixtures/html-empty.json");
    /* A file where the folder should be. */
    snprintf(dir, sizeof(dir), "%s/plain", fx->dir);
    f = fopen(dir, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(dir, sizeof(dir), "%s/plain/charts", fx->dir);
    warn[0] = '\0';
    assert_true(fs_report_charts(fx->doc, dir, warn, sizeof(warn)) < 0);
    assert_non_null(strstr(warn, "plain"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_without_gnuplot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quotes_in_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_with_gnuplot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gnuplot_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_dir, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
