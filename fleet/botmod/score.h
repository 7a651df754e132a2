/* Bot scoring (docs/PROTOCOL.md, botmod): a request becomes a handful of
 * tokens, each feature whose name equals a token takes its weight off 99,
 * and a small hash of the request breaks ties so that equal-looking clients
 * do not all land on one score. Pure: the same request and table always
 * give the same score. */
#ifndef FS_SCORE_H
#define FS_SCORE_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "features.h"

#define FS_SCORE_MAX 99

/* The fields of POST /v1/score (and of the challenge). Strings may be NULL
 * (absent); they point into whatever the caller parsed them from. */
typedef struct {
    const char *ua;
    const char *ip;
    const char *method;
    const char *path;
    int accept_language; /* the client sent Accept-Language */
    int cookie;          /* the client sent a cookie */
} fs_score_req_t;

#define FS_SCORE_TOKENS    5
#define FS_SCORE_TOKEN_MAX FS_FEATURES_NAME_MAX /* bytes; longer tokens cannot match */

/* The tokens of r: ua:<product>, method:<METHOD>, path:<segment>, and
 * lang:missing / cookie:missing when those are absent. A token too long to
 * match any feature name comes out as "". Returns how many were written. */
int fs_score_tokens(const fs_score_req_t *r, char tokens[FS_SCORE_TOKENS][FS_SCORE_TOKEN_MAX + 1]);

/* 32-bit FNV-1a of "ua|ip|path" (absent fields count as ""). */
unsigned fs_score_hash(const fs_score_req_t *r);

/* Score of r against t: 99 − Σ round(100 × weight) over matching features
 * (duplicates count every time) − hash mod 4, clamped to 0..99. */
int fs_score(const fs_features_t *t, const fs_score_req_t *r);

/* Fills out from the JSON object obj: strings for ua, ip, method, path and
 * booleans for accept_language, cookie; every field optional, null is
 * absent, unknown fields ignored. out's strings point into obj. Returns 0 or
 * -EINVAL with the JSON path in err. */
int fs_score_req_from_json(const cJSON *obj, fs_score_req_t *out, char *err, size_t errlen);

#endif
