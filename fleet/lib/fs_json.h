/* Parsing JSON that arrives from outside (configs, request bodies) with a
 * size cap and errors that say where: cJSON has neither. */
#ifndef FS_JSON_H
#define FS_JSON_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* Parses buf[0..len) into *out. Rejects empty input (-ENODATA), input over
 * max bytes (-E2BIG), and syntax errors or trailing garbage (-EINVAL, with
 * "line L column C" in err). On success the caller owns *out (cJSON_Delete). */
int fs_json_parse(const char *buf, size_t len, size_t max, cJSON **out, char *err, size_t errlen);

/* Turns byte offset off of buf into a 1-based line and column. */
void fs_json_position(const char *buf, size_t off, int *line, int *column);

/* Writes the JSON path of an array member, "$.features[3]", into buf. */
const char *fs_json_path_index(char *buf, size_t len, const char *parent, int index);

/* Writes the JSON path of an object member, "$.features[3].weight". */
const char *fs_json_path_key(char *buf, size_t len, const char *parent, const char *key);

#endif
