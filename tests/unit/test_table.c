/* Unit tests for harness/table.c's printing core (fs__table_print_cols) on
 * hand-made verdicts: a row per interface, aligned columns, colour only when
 * asked, ok/XX against expectations, "never" for a recovery that never came,
 * the cascade path line. Printed into an open_memstream buffer. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "table.h"

typedef struct {
    fs_verdict_result_t legacy, hardened;
    fs_results_expect_t lx[3], hx[2];
    fs_table_col_t cols[3];
} fx_t;

static void expect(fs_results_expect_t *x, const char *what, int ok)
{
    memset(x, 0, sizeof(*x));
    snprintf(x->what, sizeof(x->what), "%s", what);
    x->ok = ok;
}

/* legacy: botmod->configstore faulted and cascading up to client->proxy,
 * never recovering; hardened: contained, recovered in 1200 ms; a third
 * column that made no verdict. dashboard->configstore is not observed. */
static void fx_init(fx_t *fx)
{
    memset(fx, 0, sizeof(*fx));
    fx->legacy.iface[FS_IF_BOTMOD_CONFIGSTORE].verdict = FS_VERDICT_CASCADED;
    fx->legacy.iface[FS_IF_PROXY_BOTMOD].verdict = FS_VERDICT_CASCADED;
    fx->legacy.iface[FS_IF_CLIENT_PROXY].verdict = FS_VERDICT_CASCADED;
    fx->legacy.iface[FS_IF_DASHBOARD_BOTMOD].verdict = FS_VERDICT_CASCADED;
    fx->legacy.blast_radius = 0.73216;
    fx->legacy.degraded_share = 0;
    fx->legacy.time_to_detect_ms = 300;
    fx->legacy.time_to_recover_ms = -2;
    fx->legacy.cascade_path[0] = FS_IF_BOTMOD_CONFIGSTORE;
    fx->legacy.cascade_path[1] = FS_IF_PROXY_BOTMOD;
    fx->legacy.cascade_path[2] = FS_IF_CLIENT_PROXY;
    fx->legacy.cascade_len = 3;

    fx->hardened.iface[FS_IF_BOTMOD_CONFIGSTORE].verdict = FS_VERDICT_FAILED_SMALL;
    fx->hardened.blast_radius = 0.001;
    fx->hardened.degraded_share = 0.25;
    fx->hardened.time_to_detect_ms = 100;
    fx->hardened.time_to_recover_ms = 1200;
    fx->hardened.cascade_path[0] = FS_IF_BOTMOD_CONFIGSTORE;
    fx->hardened.cascade_len = 1;

    expect(&fx->lx[0], "interfaces.proxy->botmod", 1);
    expect(&fx->lx[1], "interfaces.client->proxy", 1);
    expect(&fx->lx[2], "blast_radius.min", 0);
    expect(&fx->hx[0], "interfaces.client->proxy", 0);
    expect(&fx->hx[1], "time_to_recover.max", 1);

    fx->cols[0].posture = "legacy";
    fx->cols[0].verdict = &fx->legacy;
    fx->cols[0].expect = fx->lx;
    fx->cols[0].nexpect = 3;
    fx->cols[1].posture = "hardened";
    fx->cols[1].verdict = &fx->hardened;
    fx->cols[1].expect = fx->hx;
    fx->cols[1].nexpect = 2;
    fx->cols[2].posture = "aborted";
    for (int c = 0; c < 3; c++)
        for (int f = 0; f < FS_IF_COUNT; f++)
            fx->cols[c].observed[f] = f != FS_IF_DASHBOARD_CONFIGSTORE;
}

static char *print(const fx_t *fx, size_t ncols, int colour)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    fs__table_print_cols(f, "cf-bot", "The bot feature file", fx->cols, ncols, colour);
    assert_int_equal(fclose(f), 0);
    assert_non_null(buf);
    assert_int_equal(strlen(buf), len);
    return buf;
}

/* The line that starts with label (followed by a space), copied into line. */
static int row(const char *text, const char *label, char *line, size_t len)
{
    size_t n = strlen(label);

    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, label, n) == 0 && p[n] == ' ') {
            const char *end = strchr(p, '\n');
            size_t l = end ? (size_t)(end - p) : strlen(p);
            assert_true(l < len);
            memcpy(line, p, l);
            line[l] = '\0';
            return 1;
        }
    }
    return 0;
}

/* The cell of column c (0-based) in a plain (uncoloured) row. */
static void cell(const char *line, int c, char *out, size_t len)
{
    const char *p = line + 24 + 20 * c;

    assert_true(strlen(line) >= (size_t)(24 + 20 * (c + 1)) - 2);
    snprintf(out, len, "%.20s", p);
}

static void test_rows_and_alignment(void **state)
{
    fx_t fx;
    char line[512];
    char *out;

    (void)state;
    fx_init(&fx);
    out = print(&fx, 3, 0);
    assert_non_null(strstr(out, "cf-bot - The bot feature file\n"));
    assert_true(row(out, "interface", line, sizeof(line)));
    assert_non_null(strstr(line, "legacy"));
    assert_non_null(strstr(line, "hardened"));
    assert_non_null(strstr(line, "aborted"));
    /* Every interface has a row, every row the same width. */
    for (int f = 0; f < FS_IF_COUNT; f++) {
        assert_true(row(out, fs_iface_name((fs_iface_t)f), line, sizeof(line)));
        assert_int_equal(strlen(line), 24 + 3 * 20);
    }
    const char *rows[] = {"blast radius", "time to detect", "time to recover", "degraded share"};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        assert_true(row(out, rows[i], line, sizeof(line)));
        assert_int_equal(strlen(line), 24 + 3 * 20);
    }
    assert_null(strchr(out, '\033'));
    free(out);
}

static void test_cells(void **state)
{
    fx_t fx;
    char line[512], c[32];
    char *out;

    (void)state;
    fx_init(&fx);
    out = print(&fx, 3, 0);

    assert_true(row(out, "proxy->botmod", line, sizeof(line)));
    cell(line, 0, c, sizeof(c));
    assert_string_equal(c, "  cascaded      ok  ");
    cell(line, 1, c, sizeof(c));
    assert_string_equal(c, "  unaffected        ");
    cell(line, 2, c, sizeof(c));
    assert_string_equal(c, "  (no verdict)      ");

    assert_true(row(out, "client->proxy", line, sizeof(line)));
    cell(line, 0, c, sizeof(c));
    assert_string_equal(c, "  cascaded      ok  ");
    cell(line, 1, c, sizeof(c));
    assert_string_equal(c, "  unaffected    XX  ");

    assert_true(row(out, "botmod->configstore", line, sizeof(line)));
    cell(line, 1, c, sizeof(c));
    assert_string_equal(c, "  failed_small      ");

    /* Not observed: no verdict claimed. */
    assert_true(row(out, "dashboard->configstore", line, sizeof(line)));
    cell(line, 0, c, sizeof(c));
    assert_string_equal(c, "  -                 ");

    assert_true(row(out, "blast radius", line, sizeof(line)));
    cell(line, 0, c, sizeof(c));
    assert_string_equal(c, "  0.7322        XX  ");
    cell(line, 1, c, sizeof(c));
    assert_string_equal(c, "  0.0010            ");
    cell(line, 2, c, sizeof(c));
    assert_string_equal(c, "  -                 ");

    assert_true(row(out, "time to detect", line, sizeof(line)));
    cell(line, 0, c, sizeof(c));
    assert_string_equal(c, "  300 ms            ");
    cell(line, 2, c, sizeof(c));
    assert_string_equal(c, "  -                 ");

    assert_true(row(out, "time to recover", line, sizeof(line)));
    cell(line, 0, c, sizeof(c));
    assert_string_equal(c, "  never             ");
    cell(line, 1, c, sizeof(c));
    assert_string_equal(c, "  1200 ms       ok  ");

    assert_true(row(out, "degraded share", line, sizeof(line)));
    cell(line, 1, c, sizeof(c));
    assert_string_equal(c, "  0.2500            ");

    assert_non_null(strstr(out, "legacy    cascade path: botmod->configstore -> proxy->botmod -> "
                                "client->proxy; expectations 2/3 held\n"));
    assert_non_null(strstr(
        out, "hardened  cascade path: botmod->configstore (contained); expectations 1/2 held\n"));
    assert_non_null(strstr(out, "aborted   cascade path: (none); expectations 0/0 held\n"));
    free(out);
}

static void test_nothing_detected(void **state)
{
    fx_t fx;
    char line[512], c[32];
    char *out;

    (void)state;
    fx_init(&fx);
    fx.hardened.time_to_detect_ms = -1;
    fx.hardened.time_to_recover_ms = -1;
    fx.hardened.cascade_len = 0;
    out = print(&fx, 2, 0);
    assert_true(row(out, "time to recover", line, sizeof(line)));
    assert_int_equal(strlen(line), 24 + 2 * 20);
    cell(line, 1, c, sizeof(c));
    assert_string_equal(c, "  -             ok  ");
    assert_non_null(strstr(out, "hardened  cascade path: (none); expectations 1/2 held\n"));
    free(out);
}

static void test_colour(void **state)
{
    fx_t fx;
    char line[512];
    char *out;

    (void)state;
    fx_init(&fx);
    out = print(&fx, 3, 1);
    assert_non_null(strstr(out, "\033[1mcf-bot\033[0m - The bot feature file"));
    assert_true(row(out, "proxy->botmod", line, sizeof(line)));
    assert_non_null(strstr(line, "\033[31mcascaded     \033[0m ok"));
    assert_non_null(strstr(line, "\033[32munaffected   \033[0m"));
    assert_true(row(out, "botmod->configstore", line, sizeof(line)));
    assert_non_null(strstr(line, "\033[33mfailed_small \033[0m"));
    /* Plain numbers stay plain. */
    assert_true(row(out, "blast radius", line, sizeof(line)));
    assert_null(strchr(line, '\033'));
    free(out);
}

static void test_no_columns(void **state)
{
    fx_t fx;
    char *out;

    (void)state;
    fx_init(&fx);
    out = print(&fx, 0, 0);
    assert_non_null(strstr(out, "\ninterface"));
    assert_null(strstr(out, "cascade path"));
    free(out);
}

/* A run the harness could not make says why, instead of a table of
 * dashes and "expectations 0/0 held". */
static void test_harness_error(void **state)
{
    fx_t fx;
    char line[512], c[32];
    char *out;

    (void)state;
    fx_init(&fx);
    fx.cols[0] = fx.cols[2];
    fx.cols[0].posture = "legacy";
    fx.cols[0].error = "the fleet did not start: fs-botmod[0] exited with status 2";
    out = print(&fx, 1, 0);
    assert_non_null(strstr(
        out,
        "legacy    harness error: the fleet did not start: fs-botmod[0] exited with status 2\n"));
    assert_null(strstr(out, "expectations 0/0"));
    assert_null(strstr(out, "(no verdict)"));
    assert_false(row(out, "proxy->botmod", line, sizeof(line)));
    free(out);

    /* Beside a posture that ran: its rows stay, the failed one says why. */
    fx_init(&fx);
    fx.cols[2].error = "";
    out = print(&fx, 3, 0);
    assert_true(row(out, "proxy->botmod", line, sizeof(line)));
    cell(line, 0, c, sizeof(c));
    assert_string_equal(c, "  cascaded      ok  ");
    assert_non_null(strstr(out, "aborted   harness error: (no reason given: see the logs)\n"));
    assert_null(strstr(out, "expectations 0/0"));
    free(out);
}

static void test_interrupted_and_stopped(void **state)
{
    fx_t fx;
    fs_results_expect_t stop;
    char *out, line[512], c[64];

    (void)state;
    fx_init(&fx);
    fx.cols[0].interrupted = "interrupted (SIGINT)";
    fx.cols[2].interrupted = "interrupted (SIGINT)";
    out = print(&fx, 3, 0);
    assert_non_null(strstr(out, "client->proxy; expectations 2/3 held; interrupted (SIGINT): "
                                "partial results\n"));
    assert_non_null(strstr(out, "aborted   interrupted (SIGINT) before any verdict\n"));
    /* Not "never": the run did not wait for a recovery. */
    assert_true(row(out, "time to recover", line, sizeof(line)));
    cell(line, 0, c, sizeof(c));
    assert_string_equal(c, "  stopped           ");
    cell(line, 1, c, sizeof(c));
    assert_string_equal(c, "  1200 ms       ok  ");
    free(out);

    /* Stopped by a stop condition: said on its own line, against "aborted". */
    fx_init(&fx);
    fx.cols[0].stopped = "abort_if[0]: blast radius 0.9951 above 0.3 for 1.0 s (since 3.2 s)";
    fx.cols[1].stopped = "abort_if[1]: processes down 2 above 1 for 0.0 s (since 4.0 s)";
    fx.lx[2] = (fs_results_expect_t){.what = "aborted", .ok = 1};
    stop = (fs_results_expect_t){.what = "aborted", .ok = 0};
    fx.cols[1].expect = &stop;
    fx.cols[1].nexpect = 1;
    out = print(&fx, 2, 0);
    assert_non_null(strstr(out, "legacy    stopped early by abort_if[0]: blast radius 0.9951 above "
                                "0.3 for 1.0 s (since 3.2 s) (expected)\n"));
    assert_non_null(strstr(out, "hardened  stopped early by abort_if[1]: processes down 2 above 1 "
                                "for 0.0 s (since 4.0 s) (not expected)\n"));
    assert_true(row(out, "time to recover", line, sizeof(line)));
    cell(line, 0, c, sizeof(c));
    assert_string_equal(c, "  stopped           ");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_and_alignment),
        cmocka_unit_test(test_cells),
        cmocka_unit_test(test_nothing_detected),
        cmocka_unit_test(test_colour),
        cmocka_unit_test(test_no_columns),
        cmocka_unit_test(test_harness_error),
        cmocka_unit_test(test_interrupted_and_stopped),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
