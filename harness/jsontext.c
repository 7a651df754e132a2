/* A strict JSON text check: one pass, no recursion, no allocation. Each
 * error names the first byte that cannot be right and says what was
 * expected there, in the words of someone fixing the file by hand. */
#include "jsontext.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fs_json.h"

typedef enum {
    FS__JT_VALUE,          /* a value: at the start, after ':' or after ',' in an array */
    FS__JT_VALUE_OR_CLOSE, /* after '[' */
    FS__JT_KEY,            /* after ',' in an object */
    FS__JT_KEY_OR_CLOSE,   /* after '{' */
    FS__JT_COLON,          /* after a key */
    FS__JT_NEXT,           /* after a value inside an array or object: ',' or its close */
    FS__JT_END             /* after the top-level value: only whitespace */
} fs__jt_state_t;

typedef struct {
    const unsigned char *s;
    size_t len;
    size_t *off;
    char *what;
    size_t whatlen;
} fs__jt_t;

static int fs__jt_fail(fs__jt_t *t, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fs__jt_fail(fs__jt_t *t, size_t off, const char *fmt, ...)
{
    va_list ap;

    *t->off = off;
    va_start(ap, fmt);
    vsnprintf(t->what, t->whatlen, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

size_t fs_jtext_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t need;
    uint32_t c, min;

    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        need = 2, c = s[0] & 0x1fu, min = 0x80;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        need = 3, c = s[0] & 0x0fu, min = 0x800;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        need = 4, c = s[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3fu);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return need;
}

/* What stands at s[i], for "got ...". */
static const char *fs__jt_show(const fs__jt_t *t, size_t i, char *buf, size_t len)
{
    uint32_t cp;
    unsigned char c;

    if (i >= t->len)
        return "the end of the file";
    c = t->s[i];
    if (c > 0x20 && c < 0x7f)
        snprintf(buf, len, "'%c'", c);
    else if (c == 0)
        snprintf(buf, len, "a NUL byte");
    else if (c < 0x80)
        snprintf(buf, len, "a control character (U+%04X)", c);
    else if (fs_jtext_utf8(t->s + i, t->len - i, &cp) == 0)
        snprintf(buf, len, "byte 0x%02x, which is not UTF-8", c);
    else if (cp == 0x201c || cp == 0x201d || cp == 0x2018 || cp == 0x2019)
        snprintf(buf, len, "a typographic quote (U+%04X); JSON quotes are plain \"", (unsigned)cp);
    else
        snprintf(buf, len, "U+%04X", (unsigned)cp);
    return buf;
}

static int fs__jt_hex4(const unsigned char *s, size_t n, uint32_t *out)
{
    uint32_t v = 0;

    if (n < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        unsigned char c = s[i];

        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* The escape at s[*i] ('\\'); advances *i past it. */
static int fs__jt_escape(fs__jt_t *t, size_t *i)
{
    const unsigned char *s = t->s;
    size_t at = *i, n = t->len;
    uint32_t cp, lo;
    char got[80];

    if (at + 1 >= n)
        return fs__jt_fail(t, n, "the file ends inside a string");
    if (strchr("\"\\/bfnrt", s[at + 1]) != NULL && s[at + 1] != '\0') {
        *i = at + 2;
        return 0;
    }
    if (s[at + 1] != 'u')
        return fs__jt_fail(t, at,
                           "invalid escape: a backslash followed by %s (JSON has \\\" \\\\ \\/ "
                           "\\b \\f \\n \\r \\t and \\uXXXX; write \\\\ for a backslash)",
                           fs__jt_show(t, at + 1, got, sizeof(got)));
    if (fs__jt_hex4(s + at + 2, n - at - 2, &cp) < 0)
        return fs__jt_fail(t, at, "invalid escape: \\u needs four hex digits");
    if (cp == 0)
        return fs__jt_fail(t, at, "\\u0000 is not allowed: a NUL would cut the string short");
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return fs__jt_fail(t, at, "\\u%04x is half of a surrogate pair without its first half",
                           (unsigned)cp);
    if (cp >= 0xd800 && cp <= 0xdbff) {
        if (at + 7 >= n || s[at + 6] != '\\' || s[at + 7] != 'u' ||
            fs__jt_hex4(s + at + 8, n - at - 8, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
            return fs__jt_fail(t, at,
                               "\\u%04x is half of a surrogate pair: a \\udc00..\\udfff must "
                               "follow it",
                               (unsigned)cp);
        *i = at + 12;
        return 0;
    }
    *i = at + 6;
    return 0;
}

/* The string whose opening quote is s[*i]; advances *i past its closing
 * quote. */
static int fs__jt_string(fs__jt_t *t, size_t *i)
{
    const unsigned char *s = t->s;
    size_t at = *i + 1, start = *i;
    uint32_t cp;
    int line, col;

    for (;;) {
        unsigned char c;
        size_t n;

        if (at >= t->len) {
            fs_json_position((const char *)s, start, &line, &col);
            return fs__jt_fail(t, t->len,
                               "the file ends inside the string that starts at line %d column %d",
                               line, col);
        }
        c = s[at];
        if (c == '"') {
            *i = at + 1;
            return 0;
        }
        if (c == '\\') {
            if (fs__jt_escape(t, &at) < 0)
                return -EINVAL;
            continue;
        }
        if (c == '\n' || c == '\r')
            return fs__jt_fail(t, at,
                               "missing closing quote: the line ends inside a string (write \\n "
                               "for a newline in one)");
        if (c == 0)
            return fs__jt_fail(t, at, "a NUL byte in a string (a NUL would cut it short)");
        if (c < 0x20)
            return fs__jt_fail(t, at,
                               "control character U+%04X in a string (write it as \\u%04x or "
                               "leave it out)",
                               c, c);
        if (c < 0x80) {
            at++;
            continue;
        }
        n = fs_jtext_utf8(s + at, t->len - at, &cp);
        if (n == 0)
            return fs__jt_fail(t, at, "byte 0x%02x in a string is not UTF-8", c);
        at += n;
    }
}

static int fs__jt_digit(const fs__jt_t *t, size_t i)
{
    return i < t->len && t->s[i] >= '0' && t->s[i] <= '9';
}

static int fs__jt_word_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The number at s[*i] ('-' or a digit); advances *i past it. */
static int fs__jt_number(fs__jt_t *t, size_t *i)
{
    size_t at = *i, start = *i;

    if (t->s[at] == '-')
        at++;
    if (!fs__jt_digit(t, at))
        return fs__jt_fail(t, at, "a '-' must be followed by digits");
    if (t->s[at] == '0' && fs__jt_digit(t, at + 1))
        return fs__jt_fail(t, start, "a number must not start with 0 (leading zeros are not JSON)");
    while (fs__jt_digit(t, at))
        at++;
    if (at < t->len && t->s[at] == '.') {
        at++;
        if (!fs__jt_digit(t, at))
            return fs__jt_fail(t, at, "a number needs digits after its decimal point");
        while (fs__jt_digit(t, at))
            at++;
    }
    if (at < t->len && (t->s[at] == 'e' || t->s[at] == 'E')) {
        at++;
        if (at < t->len && (t->s[at] == '+' || t->s[at] == '-'))
            at++;
        if (!fs__jt_digit(t, at))
            return fs__jt_fail(t, at, "a number needs digits in its exponent");
        while (fs__jt_digit(t, at))
            at++;
    }
    /* 3s, 10ms: a duration that lost its quotes. */
    if (at < t->len &&
        ((t->s[at] >= 'a' && t->s[at] <= 'z') || (t->s[at] >= 'A' && t->s[at] <= 'Z'))) {
        size_t end = at;

        static const char *const units[] = {"ms", "s", "m", "h", "us", "ns", "sec", "min", NULL};
        const char *hint = "";

        while (end < t->len && end - start < 32 && fs__jt_word_char(t->s[end]))
            end++;
        for (int u = 0; units[u]; u++) {
            if (strlen(units[u]) == end - at && memcmp(t->s + at, units[u], end - at) == 0)
                hint = " (a duration is a string in double quotes)";
        }
        return fs__jt_fail(t, start, "'%.*s' is not a number%s", (int)(end - start),
                           (const char *)t->s + start, hint);
    }
    *i = at;
    return 0;
}

/* A scalar at s[*i]: string, number, true, false or null. */
static int fs__jt_scalar(fs__jt_t *t, size_t *i)
{
    size_t at = *i, n = 0;
    unsigned char c = t->s[at];
    char got[80];

    if (c == '"')
        return fs__jt_string(t, i);
    if (c == '-' || (c >= '0' && c <= '9'))
        return fs__jt_number(t, i);
    if (c == '+' || c == '.')
        return fs__jt_fail(t, at, "a number starts with a digit or '-' (0.5, not .5 or +1)");
    if (c == '\'')
        return fs__jt_fail(t, at, "JSON strings take double quotes, not single ones");
    while (at + n < t->len && fs__jt_word_char(t->s[at + n]) && n < 32)
        n++;
    if (n == 0)
        return fs__jt_fail(t, at, "expected a value, got %s", fs__jt_show(t, at, got, sizeof(got)));
    if ((n == 4 && memcmp(t->s + at, "true", 4) == 0) ||
        (n == 5 && memcmp(t->s + at, "false", 5) == 0) ||
        (n == 4 && memcmp(t->s + at, "null", 4) == 0)) {
        *i = at + n;
        return 0;
    }
    return fs__jt_fail(t, at,
                       "'%.*s' is not a JSON value (strings take double quotes; the words are "
                       "true, false and null; there is no NaN or Infinity)",
                       (int)n, (const char *)t->s + at);
}

int fs_jtext_check(const char *buf, size_t len, unsigned max_depth, size_t *off, char *what,
                   size_t whatlen)
{
    fs__jt_t t = {(const unsigned char *)buf, len, off, what, whatlen};
    unsigned char stack[FS_JTEXT_DEPTH_MAX]; /* '{' or '[' per open container */
    fs__jt_state_t st = FS__JT_VALUE;
    unsigned depth = 0;
    size_t i = 0, comma = 0;
    char got[80];

    if (max_depth < 1 || max_depth > FS_JTEXT_DEPTH_MAX)
        return fs__jt_fail(&t, 0, "nesting limit %u out of range", max_depth);
    for (;;) {
        unsigned char c;

        while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
            i++;
        if (i == len) {
            if (st == FS__JT_END)
                return 0;
            if (depth == 0) /* nothing but whitespace */
                return -ENODATA;
            return fs__jt_fail(&t, i, "the file ends before the document does (%u %s still open)",
                               depth, depth == 1 ? "bracket is" : "brackets are");
        }
        c = t.s[i];
        if (c == '/')
            return fs__jt_fail(&t, i, "comments are not allowed in JSON");
        switch (st) {
        case FS__JT_END:
            return fs__jt_fail(&t, i, "trailing data after the document");
        case FS__JT_COLON:
            if (c != ':')
                return fs__jt_fail(&t, i, "expected ':' after the key, got %s",
                                   fs__jt_show(&t, i, got, sizeof(got)));
            i++;
            st = FS__JT_VALUE;
            continue;
        case FS__JT_NEXT:
            if (c == ',') {
                comma = i++;
                st = stack[depth - 1] == '{' ? FS__JT_KEY : FS__JT_VALUE;
                continue;
            }
            if (c == (stack[depth - 1] == '{' ? '}' : ']'))
                break; /* the close, below */
            return fs__jt_fail(&t, i, "expected ',' or '%c' after the value, got %s%s",
                               stack[depth - 1] == '{' ? '}' : ']',
                               fs__jt_show(&t, i, got, sizeof(got)),
                               c == '"' ? " (a missing comma?)" : "");
        case FS__JT_KEY:
        case FS__JT_KEY_OR_CLOSE:
            if (c == '}' && st == FS__JT_KEY_OR_CLOSE)
                break;
            if (c == '}')
                return fs__jt_fail(&t, comma, "trailing comma before '}'");
            if (c == '\'')
                return fs__jt_fail(&t, i, "a key takes double quotes, not single ones");
            if (c != '"')
                return fs__jt_fail(&t, i, "expected a key in double quotes, got %s",
                                   fs__jt_show(&t, i, got, sizeof(got)));
            if (fs__jt_string(&t, &i) < 0)
                return -EINVAL;
            st = FS__JT_COLON;
            continue;
        case FS__JT_VALUE:
        case FS__JT_VALUE_OR_CLOSE:
            if (c == ']' && st == FS__JT_VALUE_OR_CLOSE)
                break;
            if (c == ']' && depth > 0 && stack[depth - 1] == '[')
                return fs__jt_fail(&t, comma, "trailing comma before ']'");
            if (c == '{' || c == '[') {
                if (depth == max_depth)
                    return fs__jt_fail(&t, i, "nested deeper than %u levels", max_depth);
                stack[depth++] = c;
                st = c == '{' ? FS__JT_KEY_OR_CLOSE : FS__JT_VALUE_OR_CLOSE;
                i++;
                continue;
            }
            if (fs__jt_scalar(&t, &i) < 0)
                return -EINVAL;
            st = depth > 0 ? FS__JT_NEXT : FS__JT_END;
            continue;
        }
        /* c closes the innermost container. */
        depth--;
        i++;
        st = depth > 0 ? FS__JT_NEXT : FS__JT_END;
    }
}
