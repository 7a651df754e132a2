/* Typed, path-naming access to the members of a JSON object, for loaders
 * that must reject every wrong type, range and unknown key with a message
 * such as "$.faults[2].ms: expected a whole number from 0 to 60000, got 1.5".
 *
 * Every getter looks up key in obj (whose JSON path is path) and returns 0
 * when it is present and valid (*out set), 1 when it is absent and not
 * required (*out untouched: preset the default), or -EINVAL with err filled
 * when it is absent but required or present but invalid. */
#ifndef FS_JFIELD_H
#define FS_JFIELD_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

/* Checks that obj is an object and that every member is named in allowed
 * (NULL-terminated) or extra (NULL-terminated, may be NULL), once. what
 * names the object in the message ("fleet takes nodes, ..."). */
int fs_jfield_check(const cJSON *obj, const char *path, const char *what,
                    const char *const *allowed, const char *const *extra, char *err, size_t errlen);

/* A number in [min, max]. */
int fs_jfield_number(const cJSON *obj, const char *path, const char *key, int required, double min,
                     double max, double *out, char *err, size_t errlen);

/* A whole number in [min, max] (max at most 2^53 - 1). */
int fs_jfield_uint(const cJSON *obj, const char *path, const char *key, int required, uint64_t min,
                   uint64_t max, uint64_t *out, char *err, size_t errlen);

/* A string of 1..maxlen bytes without control characters; *out points into
 * obj. */
int fs_jfield_string(const cJSON *obj, const char *path, const char *key, int required,
                     size_t maxlen, const char **out, char *err, size_t errlen);

/* One of names (NULL-terminated); *out is its index. */
int fs_jfield_enum(const cJSON *obj, const char *path, const char *key, int required,
                   const char *const *names, int *out, char *err, size_t errlen);

/* A duration string ("1.5s"), multiplied by scale (fs_duration_scale). */
int fs_jfield_duration(const cJSON *obj, const char *path, const char *key, int required,
                       double scale, uint64_t *out, char *err, size_t errlen);

/* The JSON type of item for messages: "a string", "an array", "null", ... */
const char *fs_jfield_type(const cJSON *item);

/* Writes "<path>.<key>: <message>" into err and returns -EINVAL. */
int fs_jfield_fail(char *err, size_t errlen, const char *path, const char *key, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));

/* A printable, bounded copy of untrusted text for a message, escaped as
 * in a JSON string so that it shows exactly what the file holds: quotes
 * and backslashes escaped, control characters and everything beyond ASCII
 * as \uXXXX (bytes that are not UTF-8 as '?'); more than 40 characters
 * (or than buf holds) end in "...". Returns buf. */
const char *fs_jfield_quote(const char *text, char *buf, size_t len);

#endif
