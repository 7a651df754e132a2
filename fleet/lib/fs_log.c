/* logfmt lines, each written with one write so that the lines of processes
 * sharing a pipe never interleave mid-line. */
#include "fs_log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FS_LOG_LINE 1024

static const char *const fs__log_levels[] = {"debug", "info", "warn", "error"};

/* Whether s must be quoted to read back as one logfmt value. */
static int fs__log_needs_quotes(const char *s)
{
    if (*s == '\0')
        return 1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7f)
            return 1;
    }
    return 0;
}

const char *fs_log_quote(char *buf, size_t len, const char *s)
{
    size_t n = 0;

    if (len == 0)
        return buf;
    if (s == NULL)
        s = "";
    if (!fs__log_needs_quotes(s)) {
        snprintf(buf, len, "%s", s);
        return buf;
    }
    /* Reserve room for the closing quote and the NUL so a truncated value
     * still parses as one quoted value. */
    if (len < 3) {
        buf[0] = '\0';
        return buf;
    }
    buf[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        size_t elen;

        switch (*p) {
        case '"':
            memcpy(esc, "\\\"", 3);
            break;
        case '\\':
            memcpy(esc, "\\\\", 3);
            break;
        case '\n':
            memcpy(esc, "\\n", 3);
            break;
        case '\r':
            memcpy(esc, "\\r", 3);
            break;
        case '\t':
            memcpy(esc, "\\t", 3);
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                snprintf(esc, sizeof(esc), "\\u%04x", *p);
            else
                esc[0] = (char)*p, esc[1] = '\0';
        }
        elen = strlen(esc);
        if (n + elen + 2 > len)
            break;
        memcpy(buf + n, esc, elen);
        n += elen;
    }
    buf[n++] = '"';
    buf[n] = '\0';
    return buf;
}

/* Appends printf output to the line, growing it on the heap only for the
 * rare line longer than the stack buffer. Returns 0 or -1 on ENOMEM. */
static int fs__log_vappend(char **line, size_t *cap, size_t *n, char *stackbuf, const char *fmt,
                           va_list ap)
{
    va_list ap2;
    int w;

    va_copy(ap2, ap);
    w = vsnprintf(*line + *n, *cap - *n, fmt, ap2);
    va_end(ap2);
    if (w < 0)
        return -1;
    if ((size_t)w >= *cap - *n) {
        size_t ncap = *n + (size_t)w + 2;
        char *p = *line == stackbuf ? malloc(ncap) : realloc(*line, ncap);

        if (p == NULL) {
            /* Keep the truncated text vsnprintf left: a cut line beats
             * none while malloc is failing. */
            *n = *cap - 1;
            return -1;
        }
        if (*line == stackbuf)
            memcpy(p, stackbuf, *n);
        *line = p;
        *cap = ncap;
        vsnprintf(*line + *n, *cap - *n, fmt, ap);
    }
    *n += (size_t)w;
    return 0;
}

static int fs__log_append(char **line, size_t *cap, size_t *n, char *stackbuf, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = fs__log_vappend(line, cap, n, stackbuf, fmt, ap);
    va_end(ap);
    return rc;
}

void fs_log(const fs_log_t *log, fs_log_level_t level, const char *event, const char *fmt, ...)
{
    char stackbuf[FS_LOG_LINE], ts[32], svc[96], node[96], ev[128];
    char *line = stackbuf;
    size_t cap = sizeof(stackbuf), n = 0;
    FILE *out;
    struct timespec now;
    struct tm tm;
    int lv = level < FS_LOG_DEBUG || level > FS_LOG_ERROR ? FS_LOG_ERROR : level;

    if (log == NULL || level < log->min_level)
        return;
    out = log->out ? log->out : stderr;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    if (fs__log_append(&line, &cap, &n, stackbuf, "ts=%s.%03ldZ svc=%s", ts, now.tv_nsec / 1000000L,
                       fs_log_quote(svc, sizeof(svc), log->service ? log->service : "-")) < 0)
        goto write;
    if (log->node && fs__log_append(&line, &cap, &n, stackbuf, " node=%s",
                                    fs_log_quote(node, sizeof(node), log->node)) < 0)
        goto write;
    if (fs__log_append(&line, &cap, &n, stackbuf, " level=%s event=%s", fs__log_levels[lv],
                       fs_log_quote(ev, sizeof(ev), event ? event : "-")) < 0)
        goto write;
    if (fmt && *fmt) {
        va_list ap;

        va_start(ap, fmt);
        if (fs__log_append(&line, &cap, &n, stackbuf, " ") == 0)
            fs__log_vappend(&line, &cap, &n, stackbuf, fmt, ap);
        va_end(ap);
    }
write:
    /* A stray newline from a caller's value would split the event in two for
     * every reader downstream. */
    for (size_t i = 0; i < n; i++) {
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    }
    if (n + 1 >= cap)
        n = cap - 2;
    line[n++] = '\n';
    fwrite(line, 1, n, out);
    fflush(out);
    if (line != stackbuf)
        free(line);
}
