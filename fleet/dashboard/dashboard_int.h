/* Internal to fleet/dashboard: the dashboard's state and the helpers its
 * route files (dashboard_login.c, dashboard_ops.c) share. */
#ifndef FS_DASHBOARD_INT_H
#define FS_DASHBOARD_INT_H

#include <cjson/cJSON.h>

#include "dashboard.h"
#include "fs_addr.h"
#include "fs_dep.h"
#include "fs_http.h"
#include "fs_log.h"
#include "fs_metrics.h"
#include "login.h"
#include "ops.h"
#include "sessions.h"

#define JSON_TYPE   "application/json"
#define JSON_HEADER "Content-Type: application/json\r\n"
#define WAF_KEY     "waf/rules"

enum { DEP_BOTMOD, DEP_CONFIGSTORE, DEP_COUNT };

struct fs_dashboard_s {
    fs_service_t *svc;
    uv_loop_t *loop;
    const fs_log_t *log;
    struct sockaddr_storage addrs[DEP_COUNT];
    fs_http_client_t *clients[DEP_COUNT];
    uint64_t deadline_ms[DEP_COUNT];
    fs_sessions_t *sessions;
    int break_glass;
    char token[FS_LOGIN_SECRET_MAX + 1];
    char password[FS_LOGIN_SECRET_MAX + 1];
    fs_dep_t deps[DEP_COUNT];
    fs_metric_t *break_glass_logins;
    size_t pending;
    int killswitch_busy; /* one read-modify-write of waf/rules at a time */
    int stopped;
};

typedef struct fs__dash_call_s fs__dash_call_t;
typedef void (*fs__dash_done_cb)(fs__dash_call_t *c, int status, const fs_http_resp_t *resp);

/* A request waiting on a dependency. It owns req until it answers it, and
 * is freed right after: every path ends in fs__dash_call_release(). */
struct fs__dash_call_s {
    fs_dashboard_t *d;
    fs_http_req_t *req;
    int dep;
    fs__dash_done_cb done;
    int holds_killswitch;
    char peer[FS_ADDR_STRLEN];
    char user[FS_SESSION_USER_MAX + 1]; /* the operator, for the audit log */
    fs_login_req_t login;
    char key[FS_OPS_KEY_MAX + 1];
    char rule[FS_OPS_RULE_MAX + 1];
};

/* Answers req with obj printed and deleted; a NULL obj (it could not be
 * built) is answered 500. */
void fs__dash_reply_json(fs_http_req_t *req, int status, const char *extra, cJSON *obj);

/* {"error":msg}, or NULL when out of memory. */
cJSON *fs__dash_error_obj(const char *msg);

/* Answers req with {"error":msg}. */
void fs__dash_reply_error(fs_http_req_t *req, int status, const char *extra, const char *msg);

/* A call context for req; answers 500 and returns NULL when out of memory. */
fs__dash_call_t *fs__dash_call_new(fs_dashboard_t *d, fs_http_req_t *req);

/* Frees c once c->req has been answered. */
void fs__dash_call_release(fs__dash_call_t *c);

/* Answers c->req with obj (see fs__dash_reply_json) and frees c. */
void fs__dash_call_finish(fs__dash_call_t *c, int status, const char *extra, cJSON *obj);

/* Answers c->req with {"error":msg} and frees c. */
void fs__dash_call_fail(fs__dash_call_t *c, int status, const char *extra, const char *msg);

/* Calls dependency dep (DEP_*), counting the outcome. done fires exactly
 * once, possibly before this returns (stopped, injected failure, request
 * not sent), so callers must not touch c after. */
void fs__dash_dep_call(fs__dash_call_t *c, int dep, const char *method, const char *target,
                       const char *headers, const char *body, size_t len, fs__dash_done_cb done);

/* A short word for a failed call's status, for logs ("timeout"). */
const char *fs__dash_dep_failure(int status, char *buf, size_t len);

/* Answers a configstore call that got no HTTP answer: 503 when cancelled
 * by a stop, 504 on its deadline, else 502. Frees c. */
void fs__dash_configstore_failed(fs__dash_call_t *c, int status);

/* Route handlers. */
void fs__dash_login(fs_dashboard_t *d, fs_http_req_t *req);
void fs__dash_rollback(fs_dashboard_t *d, fs_http_req_t *req, const char *key);
void fs__dash_killswitch(fs_dashboard_t *d, fs_http_req_t *req);

#endif
