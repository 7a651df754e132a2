/* Internal helpers shared by the report writers: a growing text buffer
 * whose allocation failure is sticky (checked once, at write time), and
 * type-checked reads of results.json documents, which may come
 * from anywhere (`failsmall report DIR`) and so are never trusted. */
#ifndef FS_REPORT_UTIL_H
#define FS_REPORT_UTIL_H

#include <stddef.h>
#include <cjson/cJSON.h>

typedef struct {
    char *p;
    size_t len, cap;
    int oom; /* an append failed: the content is incomplete */
} fs__report_buf_t;

/* Appends n bytes; on allocation failure sets oom and drops them. */
void fs__report_buf_add(fs__report_buf_t *b, const char *s, size_t n);
/* Appends the string s; NULL appends nothing. */
void fs__report_buf_puts(fs__report_buf_t *b, const char *s);
void fs__report_buf_printf(fs__report_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* U+FFFD, what a byte that is not UTF-8 becomes in every report. */
#define FS__REPORT_REPLACEMENT "\xef\xbf\xbd"

/* Appends s escaped for HTML text and attribute values; control characters
 * other than tab and newline are dropped, bytes that are not UTF-8 become
 * U+FFFD. NULL appends nothing. */
void fs__report_buf_html(fs__report_buf_t *b, const char *s);

/* Writes the buffer atomically to path: 0, -ENOMEM when an append failed,
 * or fs_atomic_write's code, with err. */
int fs__report_buf_write(const fs__report_buf_t *b, const char *path, char *err, size_t errlen);

void fs__report_buf_free(fs__report_buf_t *b);

/* obj[key] when it is a string, else NULL. */
const char *fs__report_str(const cJSON *obj, const char *key);

/* obj[key] when it is a finite number: 0 and *out; else 1. */
int fs__report_num(const cJSON *obj, const char *key, double *out);

/* How many buckets an interface's `buckets` holds: the length of its
 * columns (`{"health": [...], ...}`) or of an array of bucket objects. */
size_t fs__report_nbuckets(const cJSON *buckets);

/* Bucket i's field: 0 and *out when it is a finite number; 1 otherwise
 * (null, missing, past the end). */
int fs__report_bucket(const cJSON *buckets, const char *field, size_t i, double *out);

/* Whether a posture name is safe as a folder name (letters, digits, '-',
 * '_', 1..64 bytes): reports only read files under names that pass. */
int fs__report_safe_name(const char *name);

/* How many of a document's expectations held, of how many. */
void fs__report_held(const cJSON *doc, int *held, int *total);

/* 1 when doc's run was stopped by a stop condition ($.abort_if): status
 * "aborted" and an "aborted_by" object. Such a run was judged on what it
 * measured up to then, like a completed one. */
int fs__report_stopped(const cJSON *doc);

/* 1 when doc's run ended before its planned end, by a stop condition or an
 * interrupt (status "aborted"): a recovery it did not show may simply not
 * have had the time. */
int fs__report_ended_early(const cJSON *doc);

/* 1 when doc's expectations were all judged: the run completed or a stop
 * condition stopped it. */
int fs__report_judged_run(const cJSON *doc);

/* The run's status for a table cell: "completed", "stopped by
 * abort_if[0]", "aborted", or "unknown"; returns buf. */
const char *fs__report_status(const cJSON *doc, char *buf, size_t len);

/* The stop conditions of $.abort_if as results.json lists them (an array,
 * possibly empty), or NULL. */
const cJSON *fs__report_stops(const cJSON *doc);

/* A stop condition in words: "blast radius above 0.3 for 1.0 s (window
 * 1.0 s)"; returns buf. */
const char *fs__report_stop_text(const cJSON *cond, char *buf, size_t len);

/* What a condition reached in one run: "peak 0.9951, tripped", "peak 0",
 * "not reached" (the run ended before the first fault); returns buf. */
const char *fs__report_stop_peak(const cJSON *cond, char *buf, size_t len);

/* Appends a share (0..1) as a percentage, "92.66 %", or "–" when v is not a
 * number. */
void fs__report_buf_share(fs__report_buf_t *b, const cJSON *v);

/* Appends a duration in ms as "850 ms" or "1.60 s", or "–". */
void fs__report_buf_ms(fs__report_buf_t *b, const cJSON *v);

/* Reads a whole file of at most max bytes into a NUL-terminated buffer:
 * 0, or a negative errno code (-EFBIG when larger). */
int fs__report_read_file(const char *path, size_t max, char **out, size_t *len);

#endif
