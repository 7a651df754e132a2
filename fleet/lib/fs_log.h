/* One-line structured logs (logfmt) on stderr, one line per event, so that a
 * supervisor capturing stderr can grep and parse them without a schema. */
#ifndef FS_LOG_H
#define FS_LOG_H

#include <stdio.h>

typedef enum { FS_LOG_DEBUG, FS_LOG_INFO, FS_LOG_WARN, FS_LOG_ERROR } fs_log_level_t;

typedef struct {
    const char *service; /* svc= field, e.g. "botmod" */
    const char *node;    /* node= field, omitted when NULL */
    FILE *out;           /* stderr when NULL */
    fs_log_level_t min_level;
} fs_log_t;

/* Writes `ts=... svc=... node=... level=... event=EVENT` followed by the
 * caller's key=value pairs from fmt (may be NULL), as one line, flushed. */
void fs_log(const fs_log_t *log, fs_log_level_t level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Copies s into buf as a logfmt value: quoted and escaped when it holds
 * spaces, quotes, '=' or control characters. Returns buf. */
const char *fs_log_quote(char *buf, size_t len, const char *s);

#endif
