#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../fleet/dashboard/sessions.h"

static const uint8_t seed_a[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
static const uint8_t seed_b[32] = {42};

static fs_sessions_t *table(size_t cap, uint64_t ttl, const uint8_t *seed)
{
    fs_sessions_t *t = NULL;

    assert_int_equal(fs_sessions_new(cap, ttl, seed, &t), 0);
    assert_non_null(t);
    return t;
}

static void test_create_lookup(void **state)
{
    fs_sessions_t *t = table(8, 1000, seed_a);
    const fs_session_t *s, *found;
    char id1[FS_SESSION_ID_LEN + 1], id2[FS_SESSION_ID_LEN + 1];

    (void)state;
    assert_int_equal(fs_sessions_create(t, "alice", 0, 100, &s), 0);
    assert_int_equal(strlen(s->id), FS_SESSION_ID_LEN);
    assert_int_equal(strspn(s->id, "0123456789abcdef"), FS_SESSION_ID_LEN);
    assert_string_equal(s->user, "alice");
    assert_int_equal(s->break_glass, 0);
    memcpy(id1, s->id, sizeof(id1));

    assert_int_equal(fs_sessions_create(t, "bob", 1, 150, &s), 0);
    memcpy(id2, s->id, sizeof(id2));
    assert_string_not_equal(id1, id2);
    assert_int_equal(fs_sessions_count(t), 2);

    assert_int_equal(fs_sessions_lookup(t, id1, 200, &found), 0);
    assert_string_equal(found->user, "alice");
    assert_int_equal(found->created_ms, 100);
    assert_int_equal(fs_sessions_lookup(t, id2, 200, &found), 0);
    assert_string_equal(found->user, "bob");
    assert_int_equal(found->break_glass, 1);

    /* one character off, too short, absent */
    id1[0] = id1[0] == 'a' ? 'b' : 'a';
    assert_int_equal(fs_sessions_lookup(t, id1, 200, &found), -ENOENT);
    assert_null(found);
    assert_int_equal(fs_sessions_lookup(t, "abc", 200, &found), -ENOENT);
    assert_int_equal(fs_sessions_lookup(t, NULL, 200, &found), -ENOENT);
    assert_int_equal(fs_sessions_lookup(t, "", 200, &found), -ENOENT);
    fs_sessions_free(t);
}

static void test_expiry(void **state)
{
    fs_sessions_t *t = table(8, 1000, seed_a);
    const fs_session_t *s, *found;
    char id[FS_SESSION_ID_LEN + 1];

    (void)state;
    assert_int_equal(fs_sessions_create(t, "alice", 0, 5000, &s), 0);
    memcpy(id, s->id, sizeof(id));
    assert_int_equal(fs_sessions_lookup(t, id, 5999, &found), 0);
    assert_int_equal(fs_sessions_lookup(t, id, 6000, &found), -ENOENT);
    assert_int_equal(fs_sessions_lookup(t, id, 99999, &found), -ENOENT);
    /* a clock that went backwards does not revive or extend anything */
    assert_int_equal(fs_sessions_lookup(t, id, 4000, &found), -ENOENT);

    /* expired sessions are dropped by the next create */
    assert_int_equal(fs_sessions_create(t, "bob", 0, 5500, &s), 0);
    assert_int_equal(fs_sessions_count(t), 2);
    assert_int_equal(fs_sessions_create(t, "carol", 0, 7000, &s), 0);
    assert_int_equal(fs_sessions_count(t), 1);
    fs_sessions_free(t);
}

static void test_eviction(void **state)
{
    fs_sessions_t *t = table(2, 100000, seed_a);
    const fs_session_t *s, *found;
    char a[FS_SESSION_ID_LEN + 1], b[FS_SESSION_ID_LEN + 1], c[FS_SESSION_ID_LEN + 1];

    (void)state;
    assert_int_equal(fs_sessions_create(t, "a", 0, 1, &s), 0);
    memcpy(a, s->id, sizeof(a));
    assert_int_equal(fs_sessions_create(t, "b", 0, 2, &s), 0);
    memcpy(b, s->id, sizeof(b));
    assert_int_equal(fs_sessions_create(t, "c", 0, 3, &s), 0);
    memcpy(c, s->id, sizeof(c));
    assert_int_equal(fs_sessions_count(t), 2);
    assert_int_equal(fs_sessions_lookup(t, a, 10, &found), -ENOENT);
    assert_int_equal(fs_sessions_lookup(t, b, 10, &found), 0);
    assert_string_equal(found->user, "b");
    assert_int_equal(fs_sessions_lookup(t, c, 10, &found), 0);
    assert_string_equal(found->user, "c");
    fs_sessions_free(t);
}

/* Many rounds through a small ring: the hash chains must stay consistent
 * as slots are reused. */
static void test_churn(void **state)
{
    enum { CAP = 64, ROUNDS = 5000 };
    static char ids[ROUNDS][FS_SESSION_ID_LEN + 1];
    fs_sessions_t *t = table(CAP, 1u << 30, seed_b);
    const fs_session_t *s, *found;
    char user[16];

    (void)state;
    for (int i = 0; i < ROUNDS; i++) {
        snprintf(user, sizeof(user), "u%d", i);
        assert_int_equal(fs_sessions_create(t, user, 0, (uint64_t)i, &s), 0);
        memcpy(ids[i], s->id, sizeof(ids[i]));
    }
    assert_int_equal(fs_sessions_count(t), CAP);
    for (int i = 0; i < ROUNDS; i++) {
        int rc = fs_sessions_lookup(t, ids[i], ROUNDS, &found);
        if (i < ROUNDS - CAP) {
            assert_int_equal(rc, -ENOENT);
        } else {
            assert_int_equal(rc, 0);
            snprintf(user, sizeof(user), "u%d", i);
            assert_string_equal(found->user, user);
        }
    }
    fs_sessions_free(t);
}

static void test_seed(void **state)
{
    fs_sessions_t *t1 = table(4, 1000, seed_a), *t2 = table(4, 1000, seed_a);
    fs_sessions_t *t3 = table(4, 1000, seed_b);
    const fs_session_t *s1, *s2, *s3;

    (void)state;
    assert_int_equal(fs_sessions_create(t1, "x", 0, 0, &s1), 0);
    assert_int_equal(fs_sessions_create(t2, "x", 0, 0, &s2), 0);
    assert_int_equal(fs_sessions_create(t3, "x", 0, 0, &s3), 0);
    assert_string_equal(s1->id, s2->id);
    assert_string_not_equal(s1->id, s3->id);
    fs_sessions_free(t1);
    fs_sessions_free(t2);
    fs_sessions_free(t3);
}

static void test_bad_args(void **state)
{
    fs_sessions_t *t = NULL;
    const fs_session_t *s;
    char longuser[FS_SESSION_USER_MAX + 2];

    (void)state;
    assert_int_equal(fs_sessions_new(0, 1000, seed_a, &t), -EINVAL);
    assert_null(t);
    assert_int_equal(fs_sessions_new(4, 0, seed_a, &t), -EINVAL);
    assert_int_equal(fs_sessions_new(FS_SESSIONS_MAX + 1, 1000, seed_a, &t), -EINVAL);
    assert_int_equal(fs_sessions_new(4, 1000, NULL, &t), -EINVAL);

    t = table(4, 1000, seed_a);
    memset(longuser, 'u', sizeof(longuser) - 1);
    longuser[sizeof(longuser) - 1] = '\0';
    assert_int_equal(fs_sessions_create(t, longuser, 0, 0, &s), -EINVAL);
    assert_null(s);
    longuser[FS_SESSION_USER_MAX] = '\0';
    assert_int_equal(fs_sessions_create(t, longuser, 0, 0, &s), 0);
    assert_int_equal(fs_sessions_create(t, "", 0, 0, &s), -EINVAL);
    assert_int_equal(fs_sessions_create(t, NULL, 0, 0, &s), -EINVAL);
    assert_int_equal(fs_sessions_count(t), 1);
    fs_sessions_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_lookup), cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_eviction),      cmocka_unit_test(test_churn),
        cmocka_unit_test(test_seed),          cmocka_unit_test(test_bad_args),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
