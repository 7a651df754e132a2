/* fs-origin: command line. */
#include <errno.h>
#include <stdio.h>

#include "fs_cli.h"
#include "origin.h"

enum { OPT_LATENCY = FS_OPT_SERVICE, OPT_CAPACITY, OPT_QUEUE_TIMEOUT, OPT_END };

#define NOPTS  (OPT_END - FS_OPT_SERVICE)
#define ARG(o) arg[(o)-FS_OPT_SERVICE]

static const char usage[] =
    "usage: fs-origin --listen 127.0.0.1:PORT [options]\n"
    "\n"
    "The customer backend: any GET answers 200 \"origin ok\".\n"
    "\n"
    "  --latency-ms N            delay before each answer (default 0)\n"
    "  --capacity N              requests in service at once, 0 = unlimited (0);\n"
    "                            the rest queue and the latency is a service time\n"
    "  --queue-timeout-ms N      shed (503) what queued longer, 0 = never (0 / "
    "100)\n" FS_CLI_COMMON_HELP;

/* Keeps each flag's raw value: the posture, and so the defaults, are known
 * only once every flag has been read. */
static int option_cb(const char *prog, int opt, const char *optval, void *data)
{
    const char **arg = data;

    (void)prog;
    if (opt < FS_OPT_SERVICE || opt >= OPT_END)
        return 0;
    ARG(opt) = optval;
    return 1;
}

static int apply_flags(const char *prog, const char *const *arg, fs_origin_config_t *cfg)
{
    unsigned long v;

    if (ARG(OPT_LATENCY)) {
        if (fs_cli_range(prog, "latency-ms", ARG(OPT_LATENCY), 0, FS_ORIGIN_LATENCY_MAX, &v) < 0)
            return -1;
        cfg->latency_ms = v;
    }
    if (ARG(OPT_CAPACITY)) {
        if (fs_cli_range(prog, "capacity", ARG(OPT_CAPACITY), 0, FS_ORIGIN_CAPACITY_MAX, &v) < 0)
            return -1;
        cfg->capacity = v;
    }
    if (ARG(OPT_QUEUE_TIMEOUT)) {
        if (fs_cli_range(prog, "queue-timeout-ms", ARG(OPT_QUEUE_TIMEOUT), 0, FS_ORIGIN_LATENCY_MAX,
                         &v) < 0)
            return -1;
        cfg->queue_timeout_ms = v;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        FS_CLI_COMMON_OPTIONS,
        {"latency-ms", required_argument, NULL, OPT_LATENCY},
        {"capacity", required_argument, NULL, OPT_CAPACITY},
        {"queue-timeout-ms", required_argument, NULL, OPT_QUEUE_TIMEOUT},
        {NULL, 0, NULL, 0},
    };
    const char *prog = "fs-origin";
    fs_cli_common_t cli = {.posture = FS_POSTURE_LEGACY};
    const char *arg[NOPTS] = {0};
    fs_origin_config_t cfg;
    fs_origin_t *origin = NULL;
    uv_loop_t loop;
    char err[256];
    int rc;

    rc = fs_cli_parse(argc, argv, prog, usage, opts, 0, &cli, option_cb, arg);
    if (rc != 0)
        return rc > 0 ? 0 : FS_EXIT_USAGE;
    fs_origin_config_default(&cfg, cli.posture);
    if (apply_flags(prog, arg, &cfg) < 0)
        return FS_EXIT_USAGE;

    if (uv_loop_init(&loop) != 0) {
        fprintf(stderr, "%s: cannot create the event loop\n", prog);
        return 1;
    }
    rc = fs_origin_new(&loop, &cli, &cfg, &origin, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return 1;
    }
    fs_service_run(fs_origin_service(origin));
    fs_origin_free(origin);
    uv_loop_close(&loop);
    return 0;
}
