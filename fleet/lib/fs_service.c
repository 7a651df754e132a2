/* The run-time frame every fleet service shares: HTTP server with the probe
 * routes, request accounting, logging, libfiu remote control and stop on
 * SIGTERM/SIGINT. */
#include "fs_service.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <fiu.h>
#include <fiu-control.h>

#include "fs_addr.h"

struct fs_service_s {
    uv_loop_t *loop;
    char *name;
    char *node;
    fs_posture_t posture;
    fs_log_t log;
    fs_metrics_t *metrics;
    fs_http_server_t *server;
    /* Heap-allocated and freed by their close callback, so they never
     * outlive (or pin) the service struct. */
    uv_signal_t *sigterm, *sigint;
    fs_http_handler_cb handler;
    void *data;
    void (*on_stop)(void *data);
    void *on_stop_data;
    char *healthz; /* fixed body: nothing in it changes while running */
    fs_metric_t *requests, *errors, *duration;
    int port;
    int stopped;
};

/* Writes v as a Prometheus label value (escapes \, " and newline). */
static void fs__service_label(char *buf, size_t len, const char *key, const char *v)
{
    int w = snprintf(buf, len, "%s=\"", key);
    size_t n = w < 0 ? 0 : (size_t)w;

    if (n + 2 >= len) {
        buf[0] = '\0';
        return;
    }
    for (; *v && n + 4 < len; v++) {
        if (*v == '\\' || *v == '"') {
            buf[n++] = '\\';
            buf[n++] = *v;
        } else if (*v == '\n') {
            buf[n++] = '\\';
            buf[n++] = 'n';
        } else {
            buf[n++] = *v;
        }
    }
    buf[n++] = '"';
    buf[n] = '\0';
}

static int fs__service_is_probe(const char *path)
{
    return path && (strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0);
}

static void fs__service_observe_cb(const fs_http_req_t *req, int status, double seconds, void *data)
{
    fs_service_t *s = data;
    const char *path = fs_http_req_path(req);

    /* Probes arrive every few hundred ms from the harness: counting them
     * would dilute the error rate the verdicts are about. */
    if (fs__service_is_probe(path))
        return;
    fs_metric_add(s->requests, 1);
    if (status >= 500)
        fs_metric_add(s->errors, 1);
    fs_metric_observe(s->duration, seconds);
    if (s->log.min_level <= FS_LOG_DEBUG) {
        char qpath[256];

        fs_log(&s->log, FS_LOG_DEBUG, "request", "method=%s path=%s status=%d ms=%.3f",
               http_method_str(fs_http_req_method(req)), fs_log_quote(qpath, sizeof(qpath), path),
               status, seconds * 1e3);
    }
}

static void fs__service_probe(fs_service_t *s, fs_http_req_t *req, int metrics)
{
    static const char json[] = "application/json";
    char *body = NULL;
    size_t len = 0;

    if (fs_http_req_method(req) != HTTP_GET) {
        fs_http_respond(req, 405, json, "Allow: GET\r\n", "{\"error\":\"method not allowed\"}", 30);
        return;
    }
    if (!metrics) {
        fs_http_respond(req, 200, json, NULL, s->healthz, strlen(s->healthz));
        return;
    }
    if (fs_metrics_render(s->metrics, &body, &len) < 0) {
        fs_http_respond(req, 500, json, NULL, "{\"error\":\"out of memory\"}", 25);
        return;
    }
    fs_http_respond(req, 200, "text/plain; version=0.0.4", NULL, body, len);
    free(body);
}

static void fs__service_route_cb(fs_http_req_t *req, void *data)
{
    fs_service_t *s = data;
    const char *path = fs_http_req_path(req);

    if (path && strcmp(path, "/healthz") == 0)
        fs__service_probe(s, req, 0);
    else if (path && strcmp(path, "/metrics") == 0)
        fs__service_probe(s, req, 1);
    else if (s->handler)
        s->handler(req, s->data);
    else
        fs_http_respond(req, 404, "application/json", NULL, "{\"error\":\"not found\"}", 21);
}

static void fs__service_signal_cb(uv_signal_t *h, int signum)
{
    fs_service_t *s = h->data;

    fs_log(&s->log, FS_LOG_INFO, "signal", "signal=%s", signum == SIGTERM ? "SIGTERM" : "SIGINT");
    fs_service_stop(s);
}

static void fs__service_free_handle_cb(uv_handle_t *h)
{
    free(h);
}

static void fs__service_close_signal(uv_signal_t **sig)
{
    if (*sig) {
        uv_close((uv_handle_t *)*sig, fs__service_free_handle_cb);
        *sig = NULL;
    }
}

static int fs__service_signal_init(fs_service_t *s, uv_signal_t **out)
{
    uv_signal_t *h = malloc(sizeof(*h));
    int rc;

    if (h == NULL)
        return UV_ENOMEM;
    rc = uv_signal_init(s->loop, h);
    if (rc < 0) {
        free(h);
        return rc;
    }
    h->data = s;
    *out = h;
    return 0;
}

static char *fs__service_healthz(const fs_service_t *s)
{
    cJSON *o = cJSON_CreateObject();
    char *text = NULL;

    if (o == NULL)
        return NULL;
    if (!cJSON_AddStringToObject(o, "status", "ok") ||
        !cJSON_AddStringToObject(o, "service", s->name) ||
        !(s->node ? cJSON_AddStringToObject(o, "node", s->node)
                  : cJSON_AddNullToObject(o, "node")) ||
        !cJSON_AddStringToObject(o, "posture", fs_posture_name(s->posture)))
        goto out;
    text = cJSON_PrintUnformatted(o);
out:
    cJSON_Delete(o);
    return text;
}

static int fs__service_metrics(fs_service_t *s)
{
    char cl[256], svc[96], node[96];

    fs__service_label(svc, sizeof(svc), "service", s->name);
    if (s->node) {
        fs__service_label(node, sizeof(node), "node", s->node);
        snprintf(cl, sizeof(cl), "%s,%s", svc, node);
    } else {
        snprintf(cl, sizeof(cl), "%s", svc);
    }
    if (fs_metrics_new(cl, &s->metrics) < 0)
        return -ENOMEM;
    s->requests = fs_metrics_series(s->metrics, FS_METRIC_COUNTER, "failsmall_requests_total",
                                    "Requests served, probes excluded.", NULL);
    s->errors = fs_metrics_series(s->metrics, FS_METRIC_COUNTER, "failsmall_errors_total",
                                  "Requests answered with a status of 500 or more.", NULL);
    s->duration =
        fs_metrics_series(s->metrics, FS_METRIC_HISTOGRAM, "failsmall_request_duration_seconds",
                          "Time from a complete request to its answer written.", NULL);
    return s->requests && s->errors && s->duration ? 0 : -ENOMEM;
}

int fs_service_new(uv_loop_t *loop, const fs_service_config_t *cfg, fs_service_t **out, char *err,
                   size_t errlen)
{
    const fs_cli_common_t *cli = cfg->cli;
    struct sockaddr_storage addr, bound;
    char where[FS_ADDR_STRLEN], msg[256];
    fs_service_t *s = NULL;
    int rc;

    *out = NULL;
    rc = fs_addr_parse(cli->listen, &addr, msg, sizeof(msg));
    if (rc < 0) {
        snprintf(err, errlen, "--listen: %s", msg);
        return rc;
    }
    /* A write to a socket the peer has closed must fail with EPIPE, not
     * kill the service with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);

    rc = -ENOMEM;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        goto fail;
    s->loop = loop;
    s->posture = cli->posture;
    s->handler = cfg->handler;
    s->data = cfg->data;
    s->name = strdup(cfg->name ? cfg->name : "service");
    if (s->name == NULL || (cli->node && (s->node = strdup(cli->node)) == NULL))
        goto fail;
    s->log.service = s->name;
    s->log.node = s->node;
    s->log.out = cli->log_out;
    s->log.min_level = cli->verbose ? FS_LOG_DEBUG : FS_LOG_INFO;
    if ((s->healthz = fs__service_healthz(s)) == NULL || fs__service_metrics(s) < 0)
        goto fail;

    if (fiu_init(0) != 0) {
        snprintf(err, errlen, "libfiu: fiu_init failed");
        rc = -EIO;
        goto fail_quiet;
    }
    if (cli->fiu_fifo && fiu_rc_fifo(cli->fiu_fifo) != 0) {
        rc = errno ? -errno : -EIO;
        snprintf(err, errlen, "--fiu-fifo %s: cannot set up libfiu remote control: %s",
                 cli->fiu_fifo, strerror(-rc));
        goto fail_quiet;
    }

    /* Signals first: failing after the server started would leave a
     * listener to drain; failing here leaves only handles that close. */
    if ((rc = fs__service_signal_init(s, &s->sigterm)) < 0 ||
        (rc = fs__service_signal_init(s, &s->sigint)) < 0) {
        snprintf(err, errlen, "signal handler: %s", uv_strerror(rc));
        goto fail_quiet;
    }
    rc = fs_http_server_start(loop, (const struct sockaddr *)&addr, fs__service_route_cb, s,
                              &s->server);
    if (rc < 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", cli->listen, uv_strerror(rc));
        goto fail_quiet;
    }
    fs_http_server_set_observer(s->server, fs__service_observe_cb, s);
    if ((rc = uv_signal_start(s->sigterm, fs__service_signal_cb, SIGTERM)) < 0 ||
        (rc = uv_signal_start(s->sigint, fs__service_signal_cb, SIGINT)) < 0) {
        snprintf(err, errlen, "signal handler: %s", uv_strerror(rc));
        goto fail_quiet;
    }
    if ((rc = fs_http_server_addr(s->server, &bound)) < 0 ||
        (rc = fs_addr_format((const struct sockaddr *)&bound, where, sizeof(where))) < 0) {
        snprintf(err, errlen, "cannot read the bound address: %s", strerror(-rc));
        goto fail_quiet;
    }
    s->port = fs_addr_port((const struct sockaddr *)&bound);
    fs_log(&s->log, FS_LOG_INFO, "listening", "addr=%s posture=%s", where,
           fs_posture_name(s->posture));
    *out = s;
    return 0;

fail:
    snprintf(err, errlen, "out of memory");
fail_quiet:
    if (s) {
        /* Closing handles finish on the next loop run; they free themselves. */
        fs__service_close_signal(&s->sigterm);
        fs__service_close_signal(&s->sigint);
        if (s->server) {
            fs_http_server_set_observer(s->server, NULL, NULL);
            fs_http_server_close(s->server);
        }
        s->stopped = 1;
        fs_service_free(s);
    }
    return rc;
}

uv_loop_t *fs_service_loop(fs_service_t *s)
{
    return s->loop;
}

const fs_log_t *fs_service_log(const fs_service_t *s)
{
    return &s->log;
}

fs_metrics_t *fs_service_metrics(fs_service_t *s)
{
    return s->metrics;
}

int fs_service_port(const fs_service_t *s)
{
    return s->port;
}

void fs_service_on_stop(fs_service_t *s, void (*cb)(void *data), void *data)
{
    s->on_stop = cb;
    s->on_stop_data = data;
}

int fs_service_run(fs_service_t *s)
{
    uv_run(s->loop, UV_RUN_DEFAULT);
    fs_log(&s->log, FS_LOG_INFO, "stopped", NULL);
    return 0;
}

void fs_service_stop(fs_service_t *s)
{
    if (s == NULL || s->stopped)
        return;
    s->stopped = 1;
    fs_log(&s->log, FS_LOG_INFO, "stopping", NULL);
    fs__service_close_signal(&s->sigterm);
    fs__service_close_signal(&s->sigint);
    if (s->server) {
        fs_http_server_close(s->server);
        s->server = NULL;
    }
    if (s->on_stop)
        s->on_stop(s->on_stop_data);
}

void fs_service_free(fs_service_t *s)
{
    if (s == NULL)
        return;
    fs_metrics_free(s->metrics);
    free(s->healthz);
    free(s->node);
    free(s->name);
    free(s);
}

static fs_metric_t *fs__service_keyed(fs_service_t *s, fs_metric_kind_t kind, const char *name,
                                      const char *help, const char *label, const char *value)
{
    char labels[320];

    fs__service_label(labels, sizeof(labels), label, value ? value : "");
    return fs_metrics_series(s->metrics, kind, name, help, labels);
}

fs_metric_t *fs_service_config_version(fs_service_t *s, const char *key)
{
    return fs__service_keyed(s, FS_METRIC_GAUGE, "failsmall_config_version",
                             "Version of the config in use, per key (0 = none yet).", "key", key);
}

fs_metric_t *fs_service_config_rejected(fs_service_t *s, const char *key)
{
    return fs__service_keyed(s, FS_METRIC_COUNTER, "failsmall_config_rejected_total",
                             "Config versions rejected as invalid, per key.", "key", key);
}

fs_metric_t *fs_service_fallbacks(fs_service_t *s, const char *reason)
{
    return fs__service_keyed(s, FS_METRIC_COUNTER, "failsmall_fallbacks_total",
                             "Requests served with a fallback, per reason.", "reason", reason);
}
