#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs_service.h"

#define MAX_STEPS 8

/* libfiu keeps the remote-control pipe paths in pointers that the next
 * fiu_rc_fifo() call overwrites: harmless in a service, which calls it once,
 * but this test calls it twice. LeakSanitizer reads this hook at exit. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfiu.so\n";
}

/* stderr goes to a tmpfile between these two calls so log lines can be read. */
static FILE *cap_file;
static int cap_saved = -1;

static void cap_start(void)
{
    fflush(stderr);
    cap_file = tmpfile();
    assert_non_null(cap_file);
    cap_saved = dup(STDERR_FILENO);
    assert_true(cap_saved >= 0);
    assert_int_equal(dup2(fileno(cap_file), STDERR_FILENO), STDERR_FILENO);
}

static char *cap_end(void)
{
    static char buf[8192];
    size_t n;

    fflush(stderr);
    dup2(cap_saved, STDERR_FILENO);
    close(cap_saved);
    rewind(cap_file);
    n = fread(buf, 1, sizeof(buf) - 1, cap_file);
    buf[n] = '\0';
    fclose(cap_file);
    return buf;
}

typedef struct {
    const char *method, *target;
    int status;  /* what came back */
    char *body;  /* copy of the response body */
    char *ctype; /* copy of Content-Type */
} step_t;

typedef struct {
    uv_loop_t loop;
    fs_service_t *svc;
    fs_http_client_t *client;
    uv_timer_t finish, watchdog;
    step_t steps[MAX_STEPS];
    int nsteps, next;
    int handled; /* requests that reached the service's handler */
    int stopped; /* on_stop calls */
    int timed_out;
    int use_signal;
} ctx_t;

static void handler_cb(fs_http_req_t *req, void *data)
{
    ctx_t *t = data;
    const char *path = fs_http_req_path(req);

    t->handled++;
    if (strcmp(path, "/hello") == 0)
        fs_http_respond(req, 200, "text/plain", NULL, "hi\n", 3);
    else if (strcmp(path, "/fail") == 0)
        fs_http_respond(req, 503, "application/json", NULL, "{\"error\":\"down\"}", 16);
    else
        fs_http_respond(req, 404, "application/json", NULL, "{\"error\":\"not found\"}", 21);
}

static void on_stop_cb(void *data)
{
    ctx_t *t = data;

    t->stopped++;
    fs_http_client_close(t->client);
    uv_close((uv_handle_t *)&t->watchdog, NULL);
}

static void finish_cb(uv_timer_t *h)
{
    ctx_t *t = h->data;

    uv_close((uv_handle_t *)&t->finish, NULL);
    if (t->use_signal) {
        assert_int_equal(uv_kill(getpid(), SIGTERM), 0);
        return;
    }
    fs_service_stop(t->svc);
    fs_service_stop(t->svc); /* idempotent */
}

static void watchdog_cb(uv_timer_t *h)
{
    ctx_t *t = h->data;

    t->timed_out = 1;
    if (!uv_is_closing((uv_handle_t *)&t->finish))
        uv_close((uv_handle_t *)&t->finish, NULL);
    fs_service_stop(t->svc);
}

static void send_next(ctx_t *t);

static void response_cb(int status, const fs_http_resp_t *resp, void *data)
{
    ctx_t *t = data;
    step_t *st = &t->steps[t->next];

    st->status = status;
    if (resp) {
        size_t len;
        const char *body = fs_http_resp_body(resp, &len);
        const char *ctype = fs_http_resp_header(resp, "Content-Type");

        st->body = strdup(body ? body : "");
        st->ctype = strdup(ctype ? ctype : "");
    }
    if (status < 0)
        return; /* cancelled by the stop: go no further */
    t->next++;
    send_next(t);
}

static void send_next(ctx_t *t)
{
    fs_http_call_t call = {0};

    if (t->next == t->nsteps) {
        /* Stop from a fresh callback, not from inside the client's. */
        uv_timer_start(&t->finish, finish_cb, 0, 0);
        return;
    }
    call.method = t->steps[t->next].method;
    call.target = t->steps[t->next].target;
    call.timeout_ms = 2000;
    assert_int_equal(fs_http_client_request(t->client, &call, response_cb, t), 0);
}

static void ctx_add(ctx_t *t, const char *method, const char *target)
{
    assert_true(t->nsteps < MAX_STEPS);
    t->steps[t->nsteps].method = method;
    t->steps[t->nsteps].target = target;
    t->steps[t->nsteps].status = -1000;
    t->nsteps++;
}

/* Starts the service, runs every step in order, stops (directly or by
 * SIGTERM) and checks that the loop drained. Returns the captured stderr. */
static char *ctx_run(ctx_t *t, fs_cli_common_t *cli, fs_http_handler_cb handler)
{
    fs_service_config_t cfg = {"testsvc", cli, handler, t};
    struct sockaddr_in upstream;
    char err[256] = "";
    char *log;

    assert_int_equal(uv_loop_init(&t->loop), 0);
    cap_start();
    assert_int_equal(fs_service_new(&t->loop, &cfg, &t->svc, err, sizeof(err)), 0);
    fs_service_on_stop(t->svc, on_stop_cb, t);
    assert_true(fs_service_port(t->svc) > 0);
    assert_ptr_equal(fs_service_loop(t->svc), &t->loop);
    assert_non_null(fs_service_metrics(t->svc));
    assert_string_equal(fs_service_log(t->svc)->service, "testsvc");

    assert_int_equal(uv_ip4_addr("127.0.0.1", fs_service_port(t->svc), &upstream), 0);
    assert_int_equal(fs_http_client_new(&t->loop, (const struct sockaddr *)&upstream, &t->client),
                     0);
    assert_int_equal(uv_timer_init(&t->loop, &t->finish), 0);
    assert_int_equal(uv_timer_init(&t->loop, &t->watchdog), 0);
    t->finish.data = t->watchdog.data = t;
    assert_int_equal(uv_timer_start(&t->watchdog, watchdog_cb, 5000, 0), 0);
    send_next(t);

    assert_int_equal(fs_service_run(t->svc), 0);
    log = cap_end();
    assert_int_equal(t->timed_out, 0);
    assert_int_equal(t->stopped, 1);
    assert_int_equal(t->next, t->nsteps);
    fs_service_free(t->svc);
    assert_int_equal(uv_loop_close(&t->loop), 0);
    return log;
}

static void ctx_free(ctx_t *t)
{
    for (int i = 0; i < t->nsteps; i++) {
        free(t->steps[i].body);
        free(t->steps[i].ctype);
    }
}

static void test_routes_and_metrics(void **state)
{
    fs_cli_common_t cli = {.listen = "127.0.0.1:0",
                           .posture = FS_POSTURE_HARDENED,
                           .node = "3",
                           .fiu_fifo = NULL,
                           .verbose = 0};
    ctx_t t = {0};
    char listening[64];
    char *log;

    (void)state;
    ctx_add(&t, "GET", "/hello");
    ctx_add(&t, "GET", "/fail");
    ctx_add(&t, "GET", "/healthz");
    ctx_add(&t, "POST", "/healthz");
    ctx_add(&t, "GET", "/healthz?x=1");
    ctx_add(&t, "GET", "/metrics");
    log = ctx_run(&t, &cli, handler_cb);

    assert_int_equal(t.steps[0].status, 200);
    assert_string_equal(t.steps[0].body, "hi\n");
    assert_int_equal(t.steps[1].status, 503);
    assert_int_equal(t.steps[2].status, 200);
    assert_string_equal(t.steps[2].body, "{\"status\":\"ok\",\"service\":\"testsvc\","
                                         "\"node\":\"3\",\"posture\":\"hardened\"}");
    assert_string_equal(t.steps[2].ctype, "application/json");
    assert_int_equal(t.steps[3].status, 405);
    assert_int_equal(t.steps[4].status, 200);
    /* Probes never reach the service's own handler. */
    assert_int_equal(t.handled, 2);

    assert_int_equal(t.steps[5].status, 200);
    assert_string_equal(t.steps[5].ctype, "text/plain; version=0.0.4");
    /* Probe traffic is not counted: two requests, one error. */
    assert_non_null(
        strstr(t.steps[5].body, "\nfailsmall_requests_total{service=\"testsvc\",node=\"3\"} 2\n"));
    assert_non_null(
        strstr(t.steps[5].body, "\nfailsmall_errors_total{service=\"testsvc\",node=\"3\"} 1\n"));
    assert_non_null(strstr(t.steps[5].body, "\nfailsmall_request_duration_seconds_count{"
                                            "service=\"testsvc\",node=\"3\"} 2\n"));
    assert_non_null(strstr(t.steps[5].body, "# TYPE failsmall_request_duration_seconds "
                                            "histogram\n"));

    snprintf(listening, sizeof(listening), " addr=127.0.0.1:%d posture=hardened", 0);
    assert_non_null(strstr(log, "svc=testsvc node=3 level=info event=listening addr=127.0.0.1:"));
    assert_null(strstr(log, listening)); /* the bound port, not 0 */
    assert_non_null(strstr(log, " event=stopping"));
    assert_non_null(strstr(log, " event=stopped"));
    assert_null(strstr(log, "level=debug")); /* not --verbose */
    ctx_free(&t);
}

static void test_standard_series(void **state)
{
    fs_cli_common_t cli = {.listen = "127.0.0.1:0",
                           .posture = FS_POSTURE_LEGACY,
                           .node = NULL,
                           .fiu_fifo = NULL,
                           .verbose = 1};
    fs_service_config_t cfg = {"botmod", &cli, handler_cb, NULL};
    fs_service_t *s;
    fs_metric_t *v, *r, *f;
    uv_loop_t loop;
    char err[256], *text;
    size_t len;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    cap_start();
    assert_int_equal(fs_service_new(&loop, &cfg, &s, err, sizeof(err)), 0);
    v = fs_service_config_version(s, "bot/features");
    r = fs_service_config_rejected(s, "bot/features");
    f = fs_service_fallbacks(s, "botmod-timeout");
    assert_non_null(v);
    assert_non_null(r);
    assert_non_null(f);
    assert_ptr_equal(fs_service_config_version(s, "bot/features"), v);
    assert_ptr_not_equal(fs_service_config_version(s, "waf/rules"), v);
    assert_ptr_not_equal(fs_service_fallbacks(s, "quote\"d"), f);
    fs_metric_set(v, 7);
    fs_metric_add(r, 1);
    assert_int_equal(fs_metrics_render(fs_service_metrics(s), &text, &len), 0);
    assert_non_null(
        strstr(text, "\nfailsmall_config_version{service=\"botmod\",key=\"bot/features\"} 7\n"));
    assert_non_null(strstr(text, "\nfailsmall_config_version{service=\"botmod\","
                                 "key=\"waf/rules\"} 0\n"));
    assert_non_null(strstr(text, "\nfailsmall_config_rejected_total{service=\"botmod\","
                                 "key=\"bot/features\"} 1\n"));
    assert_non_null(strstr(text, "\nfailsmall_fallbacks_total{service=\"botmod\","
                                 "reason=\"botmod-timeout\"} 0\n"));
    assert_non_null(strstr(text, "reason=\"quote\\\"d\"} 0\n"));
    assert_int_equal(fs_service_log(s)->min_level, FS_LOG_DEBUG);
    free(text);
    fs_service_stop(s);
    assert_int_equal(fs_service_run(s), 0);
    cap_end();
    fs_service_free(s);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* log_out (the fuzzers' /dev/null) takes every line stderr would get. */
static void test_log_out(void **state)
{
    fs_cli_common_t cli = {.listen = "127.0.0.1:0", .posture = FS_POSTURE_LEGACY, .verbose = 1};
    ctx_t t = {0};
    char buf[4096];
    size_t n;
    char *log;

    (void)state;
    cli.log_out = tmpfile();
    assert_non_null(cli.log_out);
    ctx_add(&t, "GET", "/nothing");
    log = ctx_run(&t, &cli, NULL);
    assert_int_equal(t.steps[0].status, 404);
    assert_null(strstr(log, "svc=testsvc"));
    rewind(cli.log_out);
    n = fread(buf, 1, sizeof(buf) - 1, cli.log_out);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "svc=testsvc level=info event=listening"));
    assert_non_null(strstr(buf, "event=request method=GET path=/nothing status=404"));
    fclose(cli.log_out);
    ctx_free(&t);
}

static void test_sigterm_stops(void **state)
{
    fs_cli_common_t cli = {.listen = "localhost:0",
                           .posture = FS_POSTURE_LEGACY,
                           .node = NULL,
                           .fiu_fifo = NULL,
                           .verbose = 1};
    ctx_t t = {0};
    char *log;

    (void)state;
    t.use_signal = 1;
    ctx_add(&t, "GET", "/healthz");
    ctx_add(&t, "GET", "/nothing");
    ctx_add(&t, "GET", "/metrics");
    log = ctx_run(&t, &cli, NULL);
    assert_string_equal(t.steps[0].body, "{\"status\":\"ok\",\"service\":\"testsvc\","
                                         "\"node\":null,\"posture\":\"legacy\"}");
    /* No handler: everything but the probes is 404. */
    assert_int_equal(t.steps[1].status, 404);
    assert_non_null(strstr(t.steps[2].body, "\nfailsmall_requests_total{service=\"testsvc\"} 1\n"));
    assert_non_null(strstr(log, " event=signal signal=SIGTERM\n"));
    assert_non_null(strstr(log, " event=stopping"));
    /* --verbose: requests are logged at debug level, probes are not. */
    assert_non_null(strstr(log, "level=debug event=request method=GET path=/nothing status=404"));
    assert_null(strstr(log, "path=/healthz"));
    ctx_free(&t);
}

static void test_bad_listen(void **state)
{
    fs_cli_common_t cli = {.listen = "0.0.0.0:0",
                           .posture = FS_POSTURE_LEGACY,
                           .node = NULL,
                           .fiu_fifo = NULL,
                           .verbose = 0};
    fs_service_config_t cfg = {"origin", &cli, handler_cb, NULL};
    fs_service_t *s = (fs_service_t *)&cli;
    uv_loop_t loop;
    char err[256] = "";

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(fs_service_new(&loop, &cfg, &s, err, sizeof(err)), -EADDRNOTAVAIL);
    assert_null(s);
    assert_string_equal(err, "--listen: \"0.0.0.0:0\": not a loopback address (failsmall binds "
                             "and calls 127.0.0.0/8 and ::1 only)");
    cli.listen = "127.0.0.1";
    assert_int_equal(fs_service_new(&loop, &cfg, &s, err, sizeof(err)), -EINVAL);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_port_in_use(void **state)
{
    fs_cli_common_t cli = {.listen = "127.0.0.1:0",
                           .posture = FS_POSTURE_LEGACY,
                           .node = NULL,
                           .fiu_fifo = NULL,
                           .verbose = 0};
    fs_service_config_t cfg = {"origin", &cli, handler_cb, NULL};
    fs_service_t *a, *b = NULL;
    uv_loop_t loop;
    char err[256] = "", listen[64];

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    cap_start();
    assert_int_equal(fs_service_new(&loop, &cfg, &a, err, sizeof(err)), 0);
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", fs_service_port(a));
    cli.listen = listen;
    assert_int_equal(fs_service_new(&loop, &cfg, &b, err, sizeof(err)), UV_EADDRINUSE);
    assert_null(b);
    assert_non_null(strstr(err, "cannot listen on 127.0.0.1:"));
    fs_service_stop(a);
    /* The failed service's handles were closing; the run drains them too. */
    assert_int_equal(fs_service_run(a), 0);
    cap_end();
    fs_service_free(a);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_bad_fiu_fifo(void **state)
{
    fs_cli_common_t cli = {.listen = "127.0.0.1:0",
                           .posture = FS_POSTURE_LEGACY,
                           .node = NULL,
                           .fiu_fifo = "/nonexistent-dir/failsmall/fiu",
                           .verbose = 0};
    fs_service_config_t cfg = {"origin", &cli, handler_cb, NULL};
    fs_service_t *s = NULL;
    uv_loop_t loop;
    char err[256] = "";

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_true(fs_service_new(&loop, &cfg, &s, err, sizeof(err)) < 0);
    assert_null(s);
    assert_non_null(strstr(err, "--fiu-fifo /nonexistent-dir/failsmall/fiu: "));
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_fiu_fifo(void **state)
{
    char base[64], in[96], out[96];
    fs_cli_common_t cli = {.listen = "127.0.0.1:0",
                           .posture = FS_POSTURE_LEGACY,
                           .node = NULL,
                           .fiu_fifo = base,
                           .verbose = 0};
    fs_service_config_t cfg = {"origin", &cli, handler_cb, NULL};
    fs_service_t *s = NULL;
    uv_loop_t loop;
    char err[256] = "";

    (void)state;
    snprintf(base, sizeof(base), "/tmp/fs-test-service-%d", (int)getpid());
    snprintf(in, sizeof(in), "%s-%d.in", base, (int)getpid());
    snprintf(out, sizeof(out), "%s-%d.out", base, (int)getpid());
    assert_int_equal(uv_loop_init(&loop), 0);
    cap_start();
    assert_int_equal(fs_service_new(&loop, &cfg, &s, err, sizeof(err)), 0);
    /* libfiu's remote control made its pipes. */
    assert_int_equal(access(in, F_OK), 0);
    assert_int_equal(access(out, F_OK), 0);
    fs_service_stop(s);
    assert_int_equal(fs_service_run(s), 0);
    cap_end();
    fs_service_free(s);
    assert_int_equal(uv_loop_close(&loop), 0);
    unlink(in);
    unlink(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes_and_metrics), cmocka_unit_test(test_standard_series),
        cmocka_unit_test(test_sigterm_stops),      cmocka_unit_test(test_log_out),
        cmocka_unit_test(test_bad_listen),         cmocka_unit_test(test_port_in_use),
        cmocka_unit_test(test_bad_fiu_fifo),       cmocka_unit_test(test_fiu_fifo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
