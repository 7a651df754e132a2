/* Login requests checked before anything acts on them: the POST /login
 * body, bearer tokens, and secrets compared in constant time. Pure: no I/O. */
#ifndef FS_LOGIN_H
#define FS_LOGIN_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "sessions.h"

#define FS_LOGIN_BODY_MAX      (64u << 10) /* a login body is a few hundred bytes */
#define FS_LOGIN_SECRET_MAX    256         /* password and break-glass token */
#define FS_LOGIN_CHALLENGE_MAX 256

typedef struct {
    char user[FS_SESSION_USER_MAX + 1];
    char password[FS_LOGIN_SECRET_MAX + 1];
    char challenge[FS_LOGIN_CHALLENGE_MAX + 1];
    char break_glass[FS_LOGIN_SECRET_MAX + 1];
    int has_break_glass;
} fs_login_req_t;

/* Parses a login body {"user","password","challenge"[,"break_glass"]}: user
 * 1..64 bytes without control characters, the others strings of bounded
 * length. Returns 0, -E2BIG (body over FS_LOGIN_BODY_MAX) or -EINVAL with err
 * naming the JSON path ("$.user: expected a string"). */
int fs_login_parse(const char *body, size_t len, fs_login_req_t *out, char *err, size_t errlen);

/* 1 when given equals expected. Time depends on the length of given only, so
 * a guesser learns nothing about expected from how long a refusal takes. */
int fs_login_secret_equal(const char *expected, const char *given);

/* The session id of an "Authorization: Bearer ID" header value, copied into
 * id. Returns 0, or -ENOENT when header is NULL, not Bearer or malformed. */
int fs_login_bearer(const char *header, char id[FS_SESSION_ID_LEN + 1]);

/* Internal, shared with ops.c: parses a request body of at most
 * FS_LOGIN_BODY_MAX bytes that must be a JSON object, and reads string
 * member key (min..max bytes) into dst. Same return codes as above;
 * fs__login_string returns -ENOENT for an absent optional member. */
int fs__login_parse_object(const char *body, size_t len, cJSON **out, char *err, size_t errlen);
int fs__login_string(const cJSON *obj, const char *key, int required, size_t min, size_t max,
                     char *dst, char *err, size_t errlen);

#endif
