#include "dashboard_int.h"

#include <errno.h>
#include <fcntl.h>
#include <fiu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

static const char *const dep_names[DEP_COUNT] = {"botmod", "configstore"};
static const char *const dep_points[DEP_COUNT] = {"dashboard/challenge/call",
                                                  "dashboard/configstore/call"};

/* ---- answers ---- */

void fs__dash_reply_json(fs_http_req_t *req, int status, const char *extra, cJSON *obj)
{
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;

    cJSON_Delete(obj);
    if (text == NULL) {
        fs_http_respondf(req, 500, JSON_TYPE, NULL, "{\"error\":\"out of memory\"}");
        return;
    }
    fs_http_respond(req, status, JSON_TYPE, extra, text, strlen(text));
    cJSON_free(text);
}

cJSON *fs__dash_error_obj(const char *msg)
{
    cJSON *o = cJSON_CreateObject();

    if (o && !cJSON_AddStringToObject(o, "error", msg)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

void fs__dash_reply_error(fs_http_req_t *req, int status, const char *extra, const char *msg)
{
    fs__dash_reply_json(req, status, extra, fs__dash_error_obj(msg));
}

fs__dash_call_t *fs__dash_call_new(fs_dashboard_t *d, fs_http_req_t *req)
{
    fs__dash_call_t *c = calloc(1, sizeof(*c));

    if (c == NULL) {
        fs__dash_reply_error(req, 500, NULL, "out of memory");
        return NULL;
    }
    c->d = d;
    c->req = req;
    snprintf(c->peer, sizeof(c->peer), "%s", fs_http_req_peer(req));
    return c;
}

/* Called right after c->req was answered. */
void fs__dash_call_release(fs__dash_call_t *c)
{
    if (c->holds_killswitch)
        c->d->killswitch_busy = 0;
    /* the password is a secret; do not leave it lying in freed memory */
    explicit_bzero(&c->login, sizeof(c->login));
    free(c);
}

void fs__dash_call_finish(fs__dash_call_t *c, int status, const char *extra, cJSON *obj)
{
    fs__dash_reply_json(c->req, status, extra, obj);
    fs__dash_call_release(c);
}

void fs__dash_call_fail(fs__dash_call_t *c, int status, const char *extra, const char *msg)
{
    fs__dash_call_finish(c, status, extra, fs__dash_error_obj(msg));
}

/* ---- dependency calls ---- */

static void dep_count(fs_dashboard_t *d, int dep, int status)
{
    if (status == -ECANCELED) /* our own stop, not the dependency's doing */
        return;
    fs_dep_count(&d->deps[dep], fs_dep_classify(status));
}

static void dep_cb(int status, const fs_http_resp_t *resp, void *data)
{
    fs__dash_call_t *c = data;

    c->d->pending--;
    dep_count(c->d, c->dep, status);
    c->done(c, status, resp);
}

void fs__dash_dep_call(fs__dash_call_t *c, int dep, const char *method, const char *target,
                       const char *headers, const char *body, size_t len, fs__dash_done_cb done)
{
    fs_dashboard_t *d = c->d;
    fs_http_call_t call = {.method = method,
                           .target = target,
                           .headers = headers,
                           .body = body,
                           .body_len = len,
                           .timeout_ms = d->deadline_ms[dep]};
    int rc;

    c->dep = dep;
    c->done = done;
    if (d->stopped || d->clients[dep] == NULL) {
        done(c, -ECANCELED, NULL);
        return;
    }
    if (fiu_fail(dep_points[dep])) {
        dep_count(d, dep, -ECONNRESET);
        done(c, -ECONNRESET, NULL);
        return;
    }
    rc = fs_http_client_request(d->clients[dep], &call, dep_cb, c);
    if (rc < 0) {
        dep_count(d, dep, rc);
        done(c, rc, NULL);
        return;
    }
    d->pending++;
}

const char *fs__dash_dep_failure(int status, char *buf, size_t len)
{
    switch (status) {
    case -ETIMEDOUT:
        return "timeout";
    case -ECONNREFUSED:
        return "refused";
    case -ECANCELED:
        return "cancelled";
    case -ECONNRESET:
        return "reset";
    case -EPROTO:
        return "bad-response";
    default:
        if (status < 0)
            return "error";
        snprintf(buf, len, "status-%d", status);
        return buf;
    }
}

void fs__dash_configstore_failed(fs__dash_call_t *c, int status)
{
    char why[64];

    if (status == -ECANCELED) {
        fs__dash_call_fail(c, 503, NULL, "shutting down");
        return;
    }
    fs_log(c->d->log, FS_LOG_WARN, "configstore_unavailable", "reason=%s",
           fs__dash_dep_failure(status, why, sizeof(why)));
    if (status == -ETIMEDOUT)
        fs__dash_call_fail(c, 504, NULL, "configstore timed out");
    else
        fs__dash_call_fail(c, 502, NULL, "configstore unavailable");
}

static void handle_cb(fs_http_req_t *req, void *data)
{
    static const char rollback[] = "/ops/rollback/";
    fs_dashboard_t *d = data;
    const char *path = fs_http_req_path(req);

    if (path == NULL)
        fs__dash_reply_error(req, 404, NULL, "not found");
    else if (strcmp(path, "/login") == 0)
        fs__dash_login(d, req);
    else if (strcmp(path, "/ops/killswitch") == 0)
        fs__dash_killswitch(d, req);
    else if (strncmp(path, rollback, sizeof(rollback) - 1) == 0)
        fs__dash_rollback(d, req, path + sizeof(rollback) - 1);
    else
        fs__dash_reply_error(req, 404, NULL, "not found");
}

/* ---- life cycle ---- */

static void stop_cb(void *data)
{
    fs_dashboard_t *d = data;

    d->stopped = 1;
    for (int i = 0; i < DEP_COUNT; i++) {
        fs_http_client_t *client = d->clients[i];

        /* Cleared first: the cancelled calls' callbacks run from inside
         * fs_http_client_close() and must not start new calls on it. */
        d->clients[i] = NULL;
        if (client)
            fs_http_client_close(client);
    }
}

static int read_seed(uint8_t seed[32])
{
    size_t got = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    while (got < 32) {
        ssize_t n = read(fd, seed + got, 32 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    return got == 32 ? 0 : -EIO;
}

static void copy_addr(struct sockaddr_storage *dst, const struct sockaddr *src)
{
    size_t n =
        src->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

    memset(dst, 0, sizeof(*dst));
    memcpy(dst, src, n);
}

static int check_config(const fs_dashboard_config_t *cfg, char *err, size_t errlen)
{
    if (cfg->botmod == NULL || cfg->configstore == NULL)
        snprintf(err, errlen, "botmod and configstore addresses are required");
    else if (cfg->break_glass_token == NULL || cfg->break_glass_token[0] == '\0' ||
             strlen(cfg->break_glass_token) > FS_LOGIN_SECRET_MAX)
        snprintf(err, errlen, "break-glass token: expected 1..%d bytes", FS_LOGIN_SECRET_MAX);
    else if (cfg->password == NULL || strlen(cfg->password) > FS_LOGIN_SECRET_MAX)
        snprintf(err, errlen, "password: expected at most %d bytes", FS_LOGIN_SECRET_MAX);
    else if (cfg->session_ttl_ms == 0)
        snprintf(err, errlen, "session ttl: expected more than 0 ms");
    else if (cfg->challenge_deadline_ms > FS_DASHBOARD_DEADLINE_MAX ||
             cfg->configstore_deadline_ms > FS_DASHBOARD_DEADLINE_MAX)
        snprintf(err, errlen, "deadlines: expected at most %d ms", FS_DASHBOARD_DEADLINE_MAX);
    else if (cfg->max_sessions > FS_SESSIONS_MAX)
        snprintf(err, errlen, "sessions: expected at most %u", FS_SESSIONS_MAX);
    else
        return 0;
    return -EINVAL;
}

static void create_metrics(fs_dashboard_t *d)
{
    fs_metrics_t *m = fs_service_metrics(d->svc);

    /* Created up front so every series reads 0 rather than being absent; the
     * dashboard never retries, which is worth showing as a 0 too. */
    for (int i = 0; i < DEP_COUNT; i++)
        fs_dep_init(&d->deps[i], m, dep_names[i]);
    d->break_glass_logins = fs_service_fallbacks(d->svc, "break_glass");
}

int fs_dashboard_new(uv_loop_t *loop, const fs_cli_common_t *cli, const fs_dashboard_config_t *cfg,
                     fs_dashboard_t **out, char *err, size_t errlen)
{
    fs_service_config_t scfg = {.name = "dashboard", .cli = cli, .handler = handle_cb};
    fs_dashboard_t *d = NULL;
    uint8_t seed[32];
    int rc, seeded;

    *out = NULL;
    rc = check_config(cfg, err, errlen);
    if (rc < 0)
        return rc;
    rc = -ENOMEM;
    d = calloc(1, sizeof(*d));
    if (d == NULL)
        goto fail;
    d->loop = loop;
    d->break_glass = cfg->break_glass != 0;
    snprintf(d->token, sizeof(d->token), "%s", cfg->break_glass_token);
    snprintf(d->password, sizeof(d->password), "%s", cfg->password);
    d->deadline_ms[DEP_BOTMOD] = cfg->challenge_deadline_ms;
    d->deadline_ms[DEP_CONFIGSTORE] = cfg->configstore_deadline_ms;
    copy_addr(&d->addrs[DEP_BOTMOD], cfg->botmod);
    copy_addr(&d->addrs[DEP_CONFIGSTORE], cfg->configstore);

    if (cfg->session_seed)
        memcpy(seed, cfg->session_seed, sizeof(seed));
    seeded = cfg->session_seed != NULL || read_seed(seed) == 0;
    if (!seeded) {
        /* Without /dev/urandom (e.g. an injected I/O fault) logins must
         * still work: fall back to clock and pid, and say so below. */
        uint64_t mix[4] = {uv_hrtime(), (uint64_t)getpid(), (uint64_t)(uintptr_t)d,
                           0x9e3779b97f4a7c15ull};
        memcpy(seed, mix, sizeof(seed));
    }
    rc = fs_sessions_new(cfg->max_sessions ? cfg->max_sessions : FS_DASHBOARD_DEFAULT_SESSIONS,
                         cfg->session_ttl_ms, seed, &d->sessions);
    explicit_bzero(seed, sizeof(seed));
    if (rc < 0)
        goto fail;
    for (int i = 0; i < DEP_COUNT; i++) {
        rc = fs_http_client_new(loop, (const struct sockaddr *)&d->addrs[i], &d->clients[i]);
        if (rc < 0)
            goto fail;
    }
    scfg.data = d;
    rc = fs_service_new(loop, &scfg, &d->svc, err, errlen);
    if (rc < 0)
        goto fail_quiet;
    d->log = fs_service_log(d->svc);
    create_metrics(d);
    fs_service_on_stop(d->svc, stop_cb, d);
    if (!seeded)
        fs_log(d->log, FS_LOG_WARN, "weak_session_seed", "reason=\"cannot read /dev/urandom\"");
    *out = d;
    return 0;

fail:
    snprintf(err, errlen, "out of memory");
fail_quiet:
    if (d) {
        stop_cb(d);
        fs_sessions_free(d->sessions);
        explicit_bzero(d, sizeof(*d));
        free(d);
    }
    return rc;
}

fs_service_t *fs_dashboard_service(fs_dashboard_t *d)
{
    return d->svc;
}

size_t fs_dashboard_pending(const fs_dashboard_t *d)
{
    return d->pending;
}

void fs_dashboard_free(fs_dashboard_t *d)
{
    if (d == NULL)
        return;
    fs_service_free(d->svc);
    fs_sessions_free(d->sessions);
    explicit_bzero(d, sizeof(*d));
    free(d);
}
