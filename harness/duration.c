/* Durations are strict on purpose: a scenario that says "3" or "3 s" or
 * "1.5ms" is more likely wrong than meant, and a silent guess would move a
 * fault. */
#include "duration.h"

#include "jfield.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define FS_DURATION_FRAC_DIGITS 9

static int fs__duration_fail(const char *text, const char *why, char *err, size_t errlen)
{
    char q[40];

    snprintf(err, errlen, "\"%s\": %s", fs_jfield_quote(text, q, sizeof(q)), why);
    return -EINVAL;
}

int fs_duration_parse(const char *text, uint64_t *ms, char *err, size_t errlen)
{
    const char *p = text;
    uint64_t whole = 0, frac = 0, den = 1, mult;
    int frac_rest = 0;

    if (text == NULL)
        text = p = "";
    if (*p == '-')
        return fs__duration_fail(text, "negative durations are not allowed", err, errlen);
    if (*p < '0' || *p > '9')
        return fs__duration_fail(text, "not a duration (use ms, s or m)", err, errlen);
    for (; *p >= '0' && *p <= '9'; p++) {
        uint64_t d = (uint64_t)(*p - '0');

        if (whole > (FS_DURATION_MAX_MS - d) / 10)
            return fs__duration_fail(text, "too large", err, errlen);
        whole = whole * 10 + d;
    }
    if (*p == '.') {
        int digits = 0;

        for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
            if (digits < FS_DURATION_FRAC_DIGITS) {
                frac = frac * 10 + (uint64_t)(*p - '0');
                den *= 10;
            } else if (*p != '0') {
                frac_rest = 1;
            }
        }
        if (digits == 0)
            return fs__duration_fail(text, "not a duration (use ms, s or m)", err, errlen);
    }
    if (*p == '\0')
        return fs__duration_fail(text, "missing unit (use ms, s or m)", err, errlen);
    if (strcmp(p, "ms") == 0)
        mult = 1;
    else if (strcmp(p, "s") == 0)
        mult = 1000;
    else if (strcmp(p, "m") == 0)
        mult = 60000;
    else
        return fs__duration_fail(text, "not a duration (use ms, s or m)", err, errlen);
    /* frac < 10^9 and mult <= 60000: the product fits comfortably. */
    if (frac_rest || (frac * mult) % den != 0)
        return fs__duration_fail(text, "not a whole number of milliseconds", err, errlen);
    if (whole > (FS_DURATION_MAX_MS - frac * mult / den) / mult)
        return fs__duration_fail(text, "too large", err, errlen);
    *ms = whole * mult + frac * mult / den;
    return 0;
}

uint64_t fs_duration_scale(uint64_t ms, double scale)
{
    double v;

    if (ms == 0 || !(scale > 0))
        return 0;
    v = round((double)ms * scale);
    if (!(v < (double)FS_DURATION_MAX_MS))
        return FS_DURATION_MAX_MS;
    return v < 1 ? 1 : (uint64_t)v;
}

const char *fs_duration_format(uint64_t ms, char *buf, size_t len)
{
    char frac[8];
    int n;

    if (ms < 1000) {
        snprintf(buf, len, "%" PRIu64 "ms", ms);
    } else if (ms % 60000 == 0) {
        snprintf(buf, len, "%" PRIu64 "m", ms / 60000);
    } else if (ms % 1000 == 0) {
        snprintf(buf, len, "%" PRIu64 "s", ms / 1000);
    } else {
        n = snprintf(frac, sizeof(frac), "%03u", (unsigned)(ms % 1000));
        while (n > 0 && frac[n - 1] == '0')
            frac[--n] = '\0';
        snprintf(buf, len, "%" PRIu64 ".%ss", ms / 1000, frac);
    }
    return buf;
}
