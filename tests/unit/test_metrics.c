#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_metrics.h"

static int count(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static char *render(fs_metrics_t *m)
{
    char *text;
    size_t len;

    assert_int_equal(fs_metrics_render(m, &text, &len), 0);
    assert_int_equal(len, strlen(text));
    return text;
}

static void test_counter_gauge(void **state)
{
    fs_metrics_t *m;
    fs_metric_t *a, *b, *g;
    char *text;

    (void)state;
    assert_int_equal(fs_metrics_new("service=\"botmod\",node=\"1\"", &m), 0);
    a = fs_metrics_series(m, FS_METRIC_COUNTER, "failsmall_fallbacks_total", "Fallbacks.",
                          "reason=\"a\"");
    g = fs_metrics_series(m, FS_METRIC_GAUGE, "failsmall_config_version", "Version.",
                          "key=\"bot/features\"");
    b = fs_metrics_series(m, FS_METRIC_COUNTER, "failsmall_fallbacks_total", "Fallbacks.",
                          "reason=\"b\"");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(g);
    assert_ptr_equal(
        fs_metrics_series(m, FS_METRIC_COUNTER, "failsmall_fallbacks_total", "x", "reason=\"a\""),
        a);
    /* Same name, other kind: refused. */
    assert_null(fs_metrics_series(m, FS_METRIC_GAUGE, "failsmall_fallbacks_total", "x", NULL));
    assert_null(fs_metrics_series(m, FS_METRIC_GAUGE, "bad name", "x", NULL));
    assert_null(fs_metrics_series(m, FS_METRIC_GAUGE, "9lives", "x", NULL));

    fs_metric_add(a, 1);
    fs_metric_add(a, 2);
    fs_metric_add(a, -5); /* counters never go down */
    fs_metric_add(a, NAN);
    fs_metric_set(a, 100); /* not a gauge */
    fs_metric_set(g, 7);
    fs_metric_add(g, -2);
    fs_metric_add(NULL, 1);
    fs_metric_set(NULL, 1);
    fs_metric_observe(NULL, 1);
    assert_true(fs_metric_value(a) == 3);
    assert_true(fs_metric_value(g) == 5);

    text = render(m);
    assert_int_equal(count(text, "# HELP failsmall_fallbacks_total Fallbacks.\n"), 1);
    assert_int_equal(count(text, "# TYPE failsmall_fallbacks_total counter\n"), 1);
    assert_int_equal(count(text, "# TYPE failsmall_config_version gauge\n"), 1);
    assert_non_null(strstr(text, "failsmall_fallbacks_total{service=\"botmod\",node=\"1\","
                                 "reason=\"a\"} 3\n"
                                 "failsmall_fallbacks_total{service=\"botmod\",node=\"1\","
                                 "reason=\"b\"} 0\n"));
    assert_non_null(strstr(text, "failsmall_config_version{service=\"botmod\",node=\"1\","
                                 "key=\"bot/features\"} 5\n"));
    /* Grouped by name in registration order. */
    assert_true(strstr(text, "# TYPE failsmall_fallbacks_total") <
                strstr(text, "# TYPE failsmall_config_version"));
    free(text);
    fs_metrics_free(m);
}

static void test_no_labels_and_numbers(void **state)
{
    fs_metrics_t *m;
    fs_metric_t *g;
    char *text;

    (void)state;
    assert_int_equal(fs_metrics_new(NULL, &m), 0);
    g = fs_metrics_series(m, FS_METRIC_GAUGE, "g", "line1\nback\\slash", NULL);
    assert_ptr_equal(fs_metrics_series(m, FS_METRIC_GAUGE, "g", NULL, ""), g);

    fs_metric_set(g, 1e15);
    text = render(m);
    assert_non_null(strstr(text, "# HELP g line1\\nback\\\\slash\n"));
    assert_non_null(strstr(text, "\ng 1000000000000000\n"));
    free(text);

    fs_metric_set(g, 0.1);
    text = render(m);
    assert_non_null(strstr(text, "\ng 0.1\n"));
    free(text);

    fs_metric_set(g, -2.5e-7);
    text = render(m);
    assert_non_null(strstr(text, "\ng -2.5e-07\n"));
    free(text);

    fs_metric_set(g, INFINITY);
    text = render(m);
    assert_non_null(strstr(text, "\ng +Inf\n"));
    free(text);
    fs_metrics_free(m);
}

static void test_histogram(void **state)
{
    fs_metrics_t *m;
    fs_metric_t *h;
    char *text;

    (void)state;
    assert_int_equal(fs_metrics_new("service=\"proxy\"", &m), 0);
    h = fs_metrics_series(m, FS_METRIC_HISTOGRAM, "lat_seconds", "Latency.", "dep=\"origin\"");
    assert_non_null(h);
    fs_metric_observe(h, 0.0005); /* le 0.001 */
    fs_metric_observe(h, 0.001);  /* le 0.001: bounds are inclusive */
    fs_metric_observe(h, 0.003);  /* le 0.005 */
    fs_metric_observe(h, 0.3);    /* le 0.5 */
    fs_metric_observe(h, 60);     /* +Inf only */
    fs_metric_observe(h, NAN);    /* ignored */
    assert_true(fs_metric_value(h) == 5);

    text = render(m);
    assert_int_equal(count(text, "# TYPE lat_seconds histogram\n"), 1);
    assert_int_equal(count(text, "lat_seconds_bucket{"), 14);
    assert_non_null(
        strstr(text, "lat_seconds_bucket{service=\"proxy\",dep=\"origin\",le=\"0.001\"} 2\n"
                     "lat_seconds_bucket{service=\"proxy\",dep=\"origin\",le=\"0.0025\"} 2\n"
                     "lat_seconds_bucket{service=\"proxy\",dep=\"origin\",le=\"0.005\"} 3\n"));
    assert_non_null(strstr(text,
                           "lat_seconds_bucket{service=\"proxy\",dep=\"origin\",le=\"0.25\"} 3\n"
                           "lat_seconds_bucket{service=\"proxy\",dep=\"origin\",le=\"0.5\"} 4\n"));
    assert_non_null(strstr(text,
                           "lat_seconds_bucket{service=\"proxy\",dep=\"origin\",le=\"10\"} 4\n"
                           "lat_seconds_bucket{service=\"proxy\",dep=\"origin\",le=\"+Inf\"} 5\n"
                           "lat_seconds_sum{service=\"proxy\",dep=\"origin\"} 60.3045\n"
                           "lat_seconds_count{service=\"proxy\",dep=\"origin\"} 5\n"));
    free(text);
    fs_metrics_free(m);
}

static void test_empty_registry(void **state)
{
    fs_metrics_t *m;
    char *text;

    (void)state;
    assert_int_equal(fs_metrics_new("", &m), 0);
    text = render(m);
    assert_string_equal(text, "");
    free(text);
    fs_metrics_free(m);
    fs_metrics_free(NULL);
}

static void test_many_series(void **state)
{
    fs_metrics_t *m;
    char labels[32], *text;

    (void)state;
    assert_int_equal(fs_metrics_new("service=\"x\"", &m), 0);
    for (int i = 0; i < 200; i++) {
        snprintf(labels, sizeof(labels), "i=\"%d\"", i);
        fs_metric_add(fs_metrics_series(m, FS_METRIC_COUNTER, "c_total", "C.", labels), i);
    }
    text = render(m); /* well past the initial render buffer */
    assert_int_equal(count(text, "c_total{"), 200);
    assert_non_null(strstr(text, "c_total{service=\"x\",i=\"199\"} 199\n"));
    free(text);
    fs_metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_gauge), cmocka_unit_test(test_no_labels_and_numbers),
        cmocka_unit_test(test_histogram),     cmocka_unit_test(test_empty_registry),
        cmocka_unit_test(test_many_series),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
