/* HTTP/1.1 over libuv, parsed by http-parser: a keep-alive server whose
 * handlers may answer asynchronously, and a keep-alive client pool per
 * upstream with an optional per-call deadline. */
#ifndef FS_HTTP_H
#define FS_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include <http_parser.h>

#define FS_HTTP_MAX_BODY    (16u << 20) /* larger request bodies get 413 */
#define FS_HTTP_MAX_HEADERS 64

/* ---- server ---- */

typedef struct fs_http_server_s fs_http_server_t;
typedef struct fs_http_req_s fs_http_req_t;

/* Called once per complete request. The handler must answer it exactly once
 * with fs_http_respond(), now or from a later callback; req stays valid until
 * then even if the client has gone away. Requests on one connection are
 * handled one at a time (pipelined ones wait). */
typedef void (*fs_http_handler_cb)(fs_http_req_t *req, void *data);

/* Called after each response is written or dropped, for accounting. */
typedef void (*fs_http_observe_cb)(const fs_http_req_t *req, int status, double seconds,
                                   void *data);

/* Binds addr (port 0 = any free port), listens, and serves on loop.
 * Returns 0 or a negative libuv error code (UV_EADDRNOTAVAIL: addr is not
 * loopback, fs_addr_is_loopback); after a failure the loop must run once
 * more (to release a closed handle) before uv_loop_close(). */
int fs_http_server_start(uv_loop_t *loop, const struct sockaddr *addr, fs_http_handler_cb handler,
                         void *data, fs_http_server_t **out);

/* The address actually bound (resolves port 0). */
int fs_http_server_addr(const fs_http_server_t *s, struct sockaddr_storage *out);

void fs_http_server_set_observer(fs_http_server_t *s, fs_http_observe_cb cb, void *data);

/* Stops accepting: the listening socket closes, so new connections are
 * refused, while connections already open go on being served. Returns 0
 * (also when already paused) or -EINVAL once the server is closing. */
int fs_http_server_pause(fs_http_server_t *s);

/* Listens again on the address and port bound at start. Returns 0 (also when
 * not paused) or a negative libuv error code (the port was taken meanwhile:
 * the server stays paused and the call may be repeated). */
int fs_http_server_resume(fs_http_server_t *s);

/* Connections accepted since start, for tests (keep-alive reuse) and metrics. */
uint64_t fs_http_server_accepted(const fs_http_server_t *s);

/* Stops listening and closes every connection; requests still pending stay
 * valid and their fs_http_respond() becomes a no-op. The server is freed once
 * all its handles have closed and no request is pending. */
void fs_http_server_close(fs_http_server_t *s);

enum http_method fs_http_req_method(const fs_http_req_t *r);
const char *fs_http_req_path(const fs_http_req_t *r);  /* without the query */
const char *fs_http_req_query(const fs_http_req_t *r); /* after '?', "" if none */

/* Copies the value of query parameter name (not %-decoded) into buf.
 * Returns 0, -ENOENT when absent or -ENOSPC when it does not fit. */
int fs_http_req_query_param(const fs_http_req_t *r, const char *name, char *buf, size_t len);

/* Value of header name (case-insensitive), or NULL. */
const char *fs_http_req_header(const fs_http_req_t *r, const char *name);

/* The request's headers in arrival order, repeated names included: count,
 * then name and value of header i (either pointer may be NULL). header_at
 * returns 0 or -ERANGE past the end. The strings live as long as r. */
size_t fs_http_req_header_count(const fs_http_req_t *r);
int fs_http_req_header_at(const fs_http_req_t *r, size_t i, const char **name, const char **value);

/* The body, NUL-terminated (len excludes the NUL); "" when there is none. */
const char *fs_http_req_body(const fs_http_req_t *r, size_t *len);

/* Peer address as "HOST:PORT", or "" once the connection has gone. */
const char *fs_http_req_peer(const fs_http_req_t *r);

/* Answers req and releases it. extra_headers is NULL or "Name: value\r\n"
 * lines. Returns 0, or -ENOTCONN when the client had gone (req is released
 * all the same). */
int fs_http_respond(fs_http_req_t *req, int status, const char *content_type,
                    const char *extra_headers, const char *body, size_t len);

/* Releases req without answering it and closes its connection: with reset,
 * abortively (the peer reads ECONNRESET), else with a plain FIN (the peer
 * reads EOF). Not observed. Returns 0, or -ENOTCONN when the client had gone
 * (req is released all the same). */
int fs_http_req_abort(fs_http_req_t *req, int reset);

/* fs_http_respond() with a body built by printf. */
int fs_http_respondf(fs_http_req_t *req, int status, const char *content_type,
                     const char *extra_headers, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Standard reason phrase for status ("OK", "Not Found", ...). */
const char *fs_http_status_text(int status);

/* ---- client ---- */

typedef struct fs_http_client_s fs_http_client_t;
typedef struct fs_http_resp_s fs_http_resp_t;

typedef struct {
    const char *method;  /* "GET", "POST", ... */
    const char *target;  /* "/v1/score?x=1" */
    const char *headers; /* NULL or "Name: value\r\n" lines */
    const char *body;
    size_t body_len;
    uint64_t timeout_ms; /* deadline for the whole exchange; 0 = none */
} fs_http_call_t;

/* Fires exactly once per request. status is the HTTP status, or a negative
 * errno-style code: -ETIMEDOUT (deadline), -ECONNREFUSED, -ECONNRESET (closed
 * before a full response), -EPROTO (unparseable response) or -ECANCELED
 * (client closed). resp is NULL when status < 0 and valid only during the
 * call. */
typedef void (*fs_http_client_cb)(int status, const fs_http_resp_t *resp, void *data);

/* A pool of keep-alive connections to one upstream. Returns 0, -EINVAL,
 * -EADDRNOTAVAIL (upstream is not loopback) or -ENOMEM. */
int fs_http_client_new(uv_loop_t *loop, const struct sockaddr *upstream, fs_http_client_t **out);

/* Sends call (copied; the caller's buffers may go at once) on an idle
 * connection or a new one. Returns 0 (cb will fire) or a negative code
 * (cb will not fire). */
int fs_http_client_request(fs_http_client_t *c, const fs_http_call_t *call, fs_http_client_cb cb,
                           void *data);

const char *fs_http_resp_header(const fs_http_resp_t *r, const char *name);
const char *fs_http_resp_body(const fs_http_resp_t *r, size_t *len); /* NUL-terminated */

/* The response's headers in arrival order, as for requests. */
size_t fs_http_resp_header_count(const fs_http_resp_t *r);
int fs_http_resp_header_at(const fs_http_resp_t *r, size_t i, const char **name,
                           const char **value);

/* Requests in flight, for tests and metrics. */
size_t fs_http_client_pending(const fs_http_client_t *c);

/* Fails every pending request with -ECANCELED (callbacks fire from here),
 * closes every connection and frees c once its handles have closed. */
void fs_http_client_close(fs_http_client_t *c);

#endif
