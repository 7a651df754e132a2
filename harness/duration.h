/* Durations as scenarios write them: a decimal number with a unit, "100ms",
 * "3s", "1.5s", "2m". Milliseconds are the harness's unit of time. */
#ifndef FS_DURATION_H
#define FS_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Parses text ("250ms", "1.5s", "2m") into *ms. Units are ms, s and m; no
 * sign, spaces or exponent; the value must be a whole number of milliseconds
 * that fits in 53 bits (JSON's exact integers). Returns 0 or -EINVAL with a
 * message that quotes the text: "\"3q\": not a duration (use ms, s or m)". */
int fs_duration_parse(const char *text, uint64_t *ms, char *err, size_t errlen);

/* ms times scale, rounded to the nearest millisecond; a non-zero duration
 * never scales to 0 and the result saturates at FS_DURATION_MAX_MS. */
uint64_t fs_duration_scale(uint64_t ms, double scale);

/* Writes ms in the shortest exact notation that fs_duration_parse() reads
 * back ("1.5s", "250ms", "2m"); returns buf. */
const char *fs_duration_format(uint64_t ms, char *buf, size_t len);

#define FS_DURATION_MAX_MS ((UINT64_C(1) << 53) - 1)

#endif
