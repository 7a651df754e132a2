/* Unit tests for harness/timeline.c: out-of-order adds come back sorted and
 * stable for ties, late adds after a read re-sort, shift, printf formatting
 * of any length, growth past the first allocation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "timeline.h"

static fs_timeline_t *mk(void)
{
    fs_timeline_t *t = NULL;

    assert_int_equal(fs_timeline_new(&t), 0);
    assert_non_null(t);
    assert_int_equal(fs_timeline_len(t), 0);
    return t;
}

/* The what strings of t in order, joined by spaces. */
static void order(fs_timeline_t *t, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < fs_timeline_len(t); i++) {
        const fs_event_t *e = fs_timeline_at(t, i);
        assert_non_null(e);
        if (i > 0)
            strncat(buf, " ", len - strlen(buf) - 1);
        strncat(buf, e->what, len - strlen(buf) - 1);
    }
}

static void test_sorted_and_stable(void **state)
{
    fs_timeline_t *t = mk();
    char buf[256];

    (void)state;
    assert_int_equal(fs_timeline_add(t, 300, "k", "s", "a"), 0);
    assert_int_equal(fs_timeline_add(t, 100, "k", "s", "b"), 0);
    assert_int_equal(fs_timeline_add(t, 200, "k", "s", "c"), 0);
    assert_int_equal(fs_timeline_add(t, 100, "k", "s", "d"), 0); /* ties b: after it */
    assert_int_equal(fs_timeline_add(t, -50, "k", "s", "e"), 0); /* during start-up */
    assert_int_equal(fs_timeline_add(t, 100, "k", "s", "f"), 0);
    assert_int_equal(fs_timeline_len(t), 6);
    order(t, buf, sizeof(buf));
    assert_string_equal(buf, "e b d f c a");
    assert_int_equal(fs_timeline_at(t, 0)->t_ms, -50);
    assert_int_equal(fs_timeline_at(t, 5)->t_ms, 300);
    assert_null(fs_timeline_at(t, 6));

    /* A late event after a read: sorted again on the next read. */
    assert_int_equal(fs_timeline_add(t, 150, "k", "s", "g"), 0);
    assert_int_equal(fs_timeline_add(t, 100, "k", "s", "h"), 0);
    order(t, buf, sizeof(buf));
    assert_string_equal(buf, "e b d f h g c a");
    /* In-order appends keep it sorted. */
    assert_int_equal(fs_timeline_add(t, 300, "k", "s", "i"), 0);
    assert_int_equal(fs_timeline_add(t, 301, "k", "s", "j"), 0);
    order(t, buf, sizeof(buf));
    assert_string_equal(buf, "e b d f h g c a i j");
    fs_timeline_free(t);
}

static void test_fields_copied(void **state)
{
    fs_timeline_t *t = mk();
    char kind[16] = "fault.apply", source[16] = "botmod[2]";
    const fs_event_t *e;

    (void)state;
    assert_int_equal(fs_timeline_add(t, 7, kind, source, "%s", "x"), 0);
    strcpy(kind, "changed");
    strcpy(source, "changed");
    assert_int_equal(fs_timeline_add(t, 8, "process.exit", NULL, "no source"), 0);
    e = fs_timeline_at(t, 0);
    assert_int_equal(e->t_ms, 7);
    assert_string_equal(e->kind, "fault.apply");
    assert_string_equal(e->source, "botmod[2]");
    e = fs_timeline_at(t, 1);
    assert_string_equal(e->kind, "process.exit");
    assert_string_equal(e->source, "");
    assert_string_equal(e->what, "no source");
    fs_timeline_free(t);
}

static void test_shift(void **state)
{
    fs_timeline_t *t = mk();
    char buf[64];

    (void)state;
    assert_int_equal(fs_timeline_add(t, -200, "k", "s", "a"), 0);
    assert_int_equal(fs_timeline_add(t, -300, "k", "s", "b"), 0);
    assert_int_equal(fs_timeline_add(t, 0, "k", "s", "c"), 0);
    fs_timeline_shift(t, -1000);
    order(t, buf, sizeof(buf));
    assert_string_equal(buf, "b a c");
    assert_int_equal(fs_timeline_at(t, 0)->t_ms, -1300);
    assert_int_equal(fs_timeline_at(t, 1)->t_ms, -1200);
    assert_int_equal(fs_timeline_at(t, 2)->t_ms, -1000);
    fs_timeline_shift(t, 1250);
    assert_int_equal(fs_timeline_at(t, 0)->t_ms, -50);
    assert_int_equal(fs_timeline_at(t, 2)->t_ms, 250);
    /* Adds after a shift land on the shifted clock, sorted among them. */
    assert_int_equal(fs_timeline_add(t, 0, "k", "s", "d"), 0);
    order(t, buf, sizeof(buf));
    assert_string_equal(buf, "b d a c");
    fs_timeline_free(t);

    t = mk(); /* an empty timeline shifts and frees */
    fs_timeline_shift(t, 5);
    assert_null(fs_timeline_at(t, 0));
    fs_timeline_free(t);
    fs_timeline_free(NULL);
}

static void test_format(void **state)
{
    fs_timeline_t *t = mk();
    char *big = malloc(10001);

    (void)state;
    assert_non_null(big);
    memset(big, 'y', 10000);
    big[10000] = '\0';
    assert_int_equal(fs_timeline_add(t, 1, "k", "s", "%s=%d %.1f%% <%c>", "stage", 3, 12.34, '&'),
                     0);
    assert_int_equal(fs_timeline_add(t, 2, "k", "s", "[%s]", big), 0);
    assert_int_equal(fs_timeline_add(t, 3, "k", "s", "%s", ""), 0);
    assert_string_equal(fs_timeline_at(t, 0)->what, "stage=3 12.3% <&>");
    assert_int_equal(strlen(fs_timeline_at(t, 1)->what), 10002);
    assert_int_equal(fs_timeline_at(t, 1)->what[0], '[');
    assert_int_equal(fs_timeline_at(t, 1)->what[10001], ']');
    assert_string_equal(fs_timeline_at(t, 2)->what, "");
    free(big);
    fs_timeline_free(t);
}

static void test_growth(void **state)
{
    fs_timeline_t *t = mk();

    (void)state;
    /* Reversed: every add is out of order, past several reallocations. */
    for (int i = 999; i >= 0; i--)
        assert_int_equal(fs_timeline_add(t, i / 2, "k", "s", "%d", i), 0);
    assert_int_equal(fs_timeline_len(t), 1000);
    for (size_t i = 0; i < 1000; i++) {
        const fs_event_t *e = fs_timeline_at(t, i);
        /* Ties (i/2) keep arrival order: the larger i came first. */
        int want = (int)(i % 2 == 0 ? i + 1 : i - 1);
        assert_int_equal(e->t_ms, (int64_t)(i / 2));
        assert_int_equal(atoi(e->what), want);
    }
    fs_timeline_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorted_and_stable),
        cmocka_unit_test(test_fields_copied),
        cmocka_unit_test(test_shift),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_growth),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
