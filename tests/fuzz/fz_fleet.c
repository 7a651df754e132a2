/* In-process fleet for the HTTP fuzz targets: see fz_fleet.h. */
#include "fz_fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "../../fleet/botmod/botmod.h"
#include "../../fleet/configstore/configstore.h"
#include "../../fleet/dashboard/dashboard.h"
#include "../../fleet/origin/origin.h"
#include "../../fleet/proxy/proxy.h"

/* Loop turns without an answer byte after the input went out before the
 * client hangs up (the server then closes too, as on any client that goes
 * away). Every upstream is on this loop and loopback delivers at once, so
 * a handful would do; timers (retry delays) are not waited for. */
#define FZ_QUIET_TURNS 64
#define FZ_BOUND_MS    2000 /* the whole exchange, whatever happens */
#define FZ_MAX_RUNNING 3    /* the service and its upstreams */

typedef struct {
    fz_service_t kind;
    void *obj; /* fs_origin_t, fs_botmod_t, ... */
    fs_service_t *svc;
} fz_running_t;

typedef struct {
    uv_loop_t loop;
    fs_cli_common_t cli;
    /* Bound but never listening: a connection to it is refused at once,
     * for the upstreams a target does not start. */
    uv_tcp_t refuser;
    struct sockaddr_storage refused;
    fz_running_t running[FZ_MAX_RUNNING];
    size_t n;
    /* The client that sends the input. */
    const uint8_t *out;
    size_t out_len;
    uv_tcp_t client;
    uv_connect_t connect;
    uv_write_t write;
    uv_idle_t idle;
    uv_timer_t bound;
    int written, closing, closed;
    unsigned quiet;
    char in[4096];
} fz_fleet_t;

static void fz_check(int rc, const char *what, const char *err)
{
    if (rc < 0) {
        fprintf(stderr, "fz_fleet: %s: %s (%d)\n", what, err ? err : uv_strerror(rc), rc);
        abort();
    }
}

static void fz_addr(fs_service_t *svc, struct sockaddr_storage *out)
{
    memset(out, 0, sizeof(*out));
    fz_check(uv_ip4_addr("127.0.0.1", fs_service_port(svc), (struct sockaddr_in *)out), "address",
             NULL);
}

static fs_service_t *fz_add(fz_fleet_t *f, fz_service_t kind, void *obj, fs_service_t *svc)
{
    f->running[f->n].kind = kind;
    f->running[f->n].obj = obj;
    f->running[f->n].svc = svc;
    f->n++;
    return svc;
}

static fs_service_t *fz_origin(fz_fleet_t *f)
{
    fs_origin_config_t cfg;
    fs_origin_t *o;
    char err[256] = "";

    fs_origin_config_default(&cfg, FS_POSTURE_HARDENED);
    fz_check(fs_origin_new(&f->loop, &f->cli, &cfg, &o, err, sizeof(err)), "origin", err);
    return fz_add(f, FZ_ORIGIN, o, fs_origin_service(o));
}

static fs_service_t *fz_configstore(fz_fleet_t *f)
{
    fs_configstore_config_t cfg = {.mode = fs_configstore_default_mode(FS_POSTURE_HARDENED)};
    fs_configstore_t *cs;
    char err[256] = "";

    fz_check(fs_configstore_new(&f->loop, &f->cli, &cfg, &cs, err, sizeof(err)), "configstore",
             err);
    return fz_add(f, FZ_CONFIGSTORE, cs, fs_configstore_service(cs));
}

/* Its configstore refuses: botmod serves with its built-in features. */
static fs_service_t *fz_botmod(fz_fleet_t *f)
{
    fs_botmod_config_t cfg = {
        .configstore = f->refused,
        .engine = FS_BOTMOD_ENGINE_NEW,
        .on_bad_config = fs_botmod_default_on_bad(FS_POSTURE_HARDENED, FS_BOTMOD_ENGINE_NEW),
        .poll_ms = FS_BOTMOD_POLL_MS,
        .config_timeout_ms = FS_BOTMOD_CONFIG_TIMEOUT_MS,
        .queue_timeout_ms = FS_BOTMOD_QUEUE_TIMEOUT_HARDENED,
    };
    fs_botmod_t *b;
    char err[256] = "";

    fz_check(fs_botmod_new(&f->loop, &f->cli, &cfg, &b, err, sizeof(err)), "botmod", err);
    return fz_add(f, FZ_BOTMOD, b, fs_botmod_service(b));
}

/* Real botmod and origin behind it; its configstore refuses (no WAF rules). */
static fs_service_t *fz_proxy(fz_fleet_t *f)
{
    fs_proxy_config_t cfg;
    fs_proxy_t *p;
    char err[256] = "";

    fs_proxy_config_default(&cfg, FS_POSTURE_HARDENED);
    fz_addr(fz_botmod(f), &cfg.botmod);
    fz_addr(fz_origin(f), &cfg.origin);
    cfg.configstore = f->refused;
    cfg.seed = fs_proxy_seed(f->cli.node);
    fz_check(fs_proxy_new(&f->loop, &f->cli, &cfg, &p, err, sizeof(err)), "proxy", err);
    return fz_add(f, FZ_PROXY, p, fs_proxy_service(p));
}

/* Real botmod (challenges) and configstore (operator actions) behind it;
 * a fixed session seed so the ids it hands out are the same every run: the
 * first is 71ffdfa7153c34f7ef1439be2e08b219, which the seed
 * corpus/fuzz_http_dashboard/login-then-ops.http uses after its login. */
static fs_service_t *fz_dashboard(fz_fleet_t *f)
{
    static const uint8_t seed[32] = "failsmall-fuzz-session-seed-32b";
    struct sockaddr_storage bm, cs;
    fs_dashboard_config_t cfg = {
        .botmod = (const struct sockaddr *)&bm,
        .configstore = (const struct sockaddr *)&cs,
        .break_glass = 1,
        .break_glass_token = "fz-break-glass",
        .challenge_deadline_ms = 500,
        .configstore_deadline_ms = 2000,
        .password = "fz-password",
        .session_ttl_ms = FS_DASHBOARD_DEFAULT_TTL_MS,
        .session_seed = seed,
    };
    fs_dashboard_t *d;
    char err[256] = "";

    fz_addr(fz_botmod(f), &bm);
    fz_addr(fz_configstore(f), &cs);
    fz_check(fs_dashboard_new(&f->loop, &f->cli, &cfg, &d, err, sizeof(err)), "dashboard", err);
    return fz_add(f, FZ_DASHBOARD, d, fs_dashboard_service(d));
}

static void fz_free(fz_running_t *r)
{
    switch (r->kind) {
    case FZ_ORIGIN:
        fs_origin_free(r->obj);
        break;
    case FZ_CONFIGSTORE:
        fs_configstore_free(r->obj);
        break;
    case FZ_BOTMOD:
        fs_botmod_free(r->obj);
        break;
    case FZ_PROXY:
        fs_proxy_free(r->obj);
        break;
    case FZ_DASHBOARD:
        fs_dashboard_free(r->obj);
        break;
    }
}

static void fz_client_closed_cb(uv_handle_t *h)
{
    fz_fleet_t *f = h->data;

    f->closed = 1;
}

/* With a reset, never a FIN first: the side that closes first keeps a
 * TIME_WAIT socket, one per input, and tens of thousands of them slow
 * every bind on the machine. The server reads the reset as it reads an
 * EOF: the client has gone. */
static void fz_client_close(fz_fleet_t *f)
{
    if (!f->closing) {
        f->closing = 1;
        if (uv_tcp_close_reset(&f->client, fz_client_closed_cb) < 0)
            uv_close((uv_handle_t *)&f->client, fz_client_closed_cb);
    }
}

static void fz_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    fz_fleet_t *f = h->data;

    (void)suggested;
    *buf = uv_buf_init(f->in, sizeof(f->in));
}

/* Answers are read and dropped: the sanitizers judge the server, not us. */
static void fz_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    fz_fleet_t *f = s->data;

    (void)buf;
    if (nread > 0)
        f->quiet = 0;
    else if (nread < 0)
        fz_client_close(f);
}

static void fz_write_cb(uv_write_t *w, int status)
{
    fz_fleet_t *f = w->handle->data;

    f->written = 1;
    f->quiet = 0;
    if (status < 0)
        fz_client_close(f);
}

static void fz_idle_cb(uv_idle_t *h)
{
    fz_fleet_t *f = h->data;

    if (f->written && ++f->quiet >= FZ_QUIET_TURNS)
        fz_client_close(f);
}

static void fz_bound_cb(uv_timer_t *t)
{
    fz_client_close(t->data);
}

static void fz_connect_cb(uv_connect_t *req, int status)
{
    fz_fleet_t *f = req->handle->data;
    uv_buf_t b = uv_buf_init((char *)f->out, (unsigned)f->out_len);

    if (status < 0 || uv_read_start((uv_stream_t *)&f->client, fz_alloc_cb, fz_read_cb) < 0 ||
        uv_write(&f->write, (uv_stream_t *)&f->client, &b, 1, fz_write_cb) < 0)
        fz_client_close(f);
}

/* Sends data to svc and runs the loop until the connection is closed. */
static void fz_exchange(fz_fleet_t *f, fs_service_t *svc, const uint8_t *data, size_t size)
{
    struct sockaddr_storage addr;

    fz_addr(svc, &addr);
    fz_check(uv_tcp_init(&f->loop, &f->client), "client", NULL);
    f->client.data = f;
    f->out = data;
    f->out_len = size;
    fz_check(uv_tcp_connect(&f->connect, &f->client, (struct sockaddr *)&addr, fz_connect_cb),
             "connect", NULL);
    fz_check(uv_idle_start(&f->idle, fz_idle_cb), "idle", NULL);
    fz_check(uv_timer_start(&f->bound, fz_bound_cb, FZ_BOUND_MS, 0), "timer", NULL);
    while (!f->closed)
        uv_run(&f->loop, UV_RUN_ONCE);
    uv_idle_stop(&f->idle);
    uv_timer_stop(&f->bound);
}

static void fz_init(fz_fleet_t *f)
{
    struct sockaddr_in any;
    int len = sizeof(f->refused);

    memset(f, 0, sizeof(*f));
    fz_check(uv_loop_init(&f->loop), "loop", NULL);
    f->cli.listen = "127.0.0.1:0";
    f->cli.posture = FS_POSTURE_HARDENED;
    f->cli.node = "0";
    f->cli.log_out = fopen("/dev/null", "w");
    if (f->cli.log_out == NULL)
        fz_check(-1, "/dev/null", "cannot open");
    fz_check(uv_tcp_init(&f->loop, &f->refuser), "refuser", NULL);
    fz_check(uv_ip4_addr("127.0.0.1", 0, &any), "refuser", NULL);
    fz_check(uv_tcp_bind(&f->refuser, (struct sockaddr *)&any, 0), "refuser", NULL);
    fz_check(uv_tcp_getsockname(&f->refuser, (struct sockaddr *)&f->refused, &len), "refuser",
             NULL);
    fz_check(uv_idle_init(&f->loop, &f->idle), "idle", NULL);
    fz_check(uv_timer_init(&f->loop, &f->bound), "timer", NULL);
    f->idle.data = f->bound.data = f;
}

static void fz_teardown(fz_fleet_t *f)
{
    for (size_t i = 0; i < f->n; i++)
        fs_service_stop(f->running[i].svc);
    uv_close((uv_handle_t *)&f->refuser, NULL);
    uv_close((uv_handle_t *)&f->idle, NULL);
    uv_close((uv_handle_t *)&f->bound, NULL);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    for (size_t i = f->n; i-- > 0;)
        fz_free(&f->running[i]);
    fz_check(uv_loop_close(&f->loop), "loop still has handles", NULL);
    fclose(f->cli.log_out);
}

void fz_fleet_serve(fz_service_t svc, const uint8_t *data, size_t size)
{
    static fs_service_t *(*const start[])(fz_fleet_t *) = {
        [FZ_ORIGIN] = fz_origin, [FZ_CONFIGSTORE] = fz_configstore, [FZ_BOTMOD] = fz_botmod,
        [FZ_PROXY] = fz_proxy,   [FZ_DASHBOARD] = fz_dashboard,
    };
    fz_fleet_t *f = malloc(sizeof(*f));

    if (f == NULL)
        fz_check(-1, "fleet", "out of memory");
    fz_init(f);
    fz_exchange(f, start[svc](f), data, size);
    fz_teardown(f);
    free(f);
}
