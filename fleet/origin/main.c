/* fs-origin: command line. */
#include <errno.h>
#include <stdio.h>

#include "fs_cli.h"
#include "origin.h"

enum { OPT_LATENCY = FS_OPT_SERVICE };

static const char usage[] =
    "usage: fs-origin --listen 127.0.0.1:PORT [options]\n"
    "\n"
    "The customer backend: any GET answers 200 \"origin ok\".\n"
    "\n"
    "  --latency-ms N            delay before each answer (default 0)\n" FS_CLI_COMMON_HELP;

static int option_cb(const char *prog, int opt, const char *arg, void *data)
{
    fs_origin_config_t *cfg = data;
    unsigned long v;

    if (opt != OPT_LATENCY)
        return 0;
    if (fs_cli_range(prog, "latency-ms", arg, 0, FS_ORIGIN_LATENCY_MAX, &v) < 0)
        return -EINVAL;
    cfg->latency_ms = v;
    return 1;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        FS_CLI_COMMON_OPTIONS,
        {"latency-ms", required_argument, NULL, OPT_LATENCY},
        {NULL, 0, NULL, 0},
    };
    const char *prog = "fs-origin";
    fs_cli_common_t cli = {.posture = FS_POSTURE_LEGACY};
    fs_origin_config_t cfg = {0};
    fs_origin_t *origin = NULL;
    uv_loop_t loop;
    char err[256];
    int rc;

    rc = fs_cli_parse(argc, argv, prog, usage, opts, 0, &cli, option_cb, &cfg);
    if (rc != 0)
        return rc > 0 ? 0 : FS_EXIT_USAGE;

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
