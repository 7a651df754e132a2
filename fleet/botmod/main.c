/* fs-botmod: command line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "botmod.h"
#include "fs_addr.h"
#include "fs_cli.h"

enum {
    OPT_CONFIGSTORE = FS_OPT_SERVICE,
    OPT_ENGINE,
    OPT_POLL_MS,
    OPT_CONFIG_TIMEOUT_MS,
    OPT_ON_BAD_CONFIG,
    OPT_CAPACITY,
    OPT_SERVICE_MS,
    OPT_QUEUE_TIMEOUT_MS,
};

#define POLL_MS_MAX 3600000ul /* an hour: anything slower is a typo */

static const char usage[] =
    "usage: fs-botmod --listen 127.0.0.1:PORT --configstore 127.0.0.1:PORT --node ID [options]\n"
    "\n"
    "Bot scoring (POST /v1/score) and login-challenge verification\n"
    "(POST /v1/challenge/verify) for one edge node, with the bot/features file\n"
    "polled from configstore into a preallocated table of 200 features.\n"
    "\n"
    "  --configstore HOST:PORT   configstore to poll (loopback only; required)\n"
    "  --engine new|old          engine generation (default new)\n"
    "  --poll-ms N               poll interval, 1.."
    "3600000 (default 200)\n"
    "  --config-timeout-ms N     deadline per fetch/report, 0 = none (default 1000)\n"
    "  --on-bad-config panic|zero|reject\n"
    "                            on a bad feature file: abort, score everyone 0, or\n"
    "                            keep the last good table (default: legacy+new panic,\n"
    "                            legacy+old zero, hardened reject)\n"
    "  --capacity N              scores in service at once, 0 = unlimited (0)\n"
    "  --service-ms N            each score's service time (0)\n"
    "  --queue-timeout-ms N      shed (503) what queued longer, 0 = never (0 / "
    "50)\n" FS_CLI_COMMON_HELP;

/* What the flags asked for; the address and --on-bad-config's default are
 * settled once every flag is in. */
typedef struct {
    const char *configstore;
    int on_bad_set, queue_timeout_set;
    fs_botmod_config_t cfg;
} opts_t;

static int option_cb(const char *prog, int opt, const char *arg, void *data)
{
    static const char *const engines[] = {"new", "old", NULL};
    static const char *const on_bad[] = {"panic", "zero", "reject", NULL};
    opts_t *o = data;
    unsigned long v;
    int choice;

    switch (opt) {
    case OPT_CONFIGSTORE:
        o->configstore = arg;
        return 1;
    case OPT_ENGINE:
        if (fs_cli_choice(arg, engines, &choice) < 0)
            return fs_cli_error(prog, "engine", "expected new or old, got '%s'", arg);
        o->cfg.engine = choice == 1 ? FS_BOTMOD_ENGINE_OLD : FS_BOTMOD_ENGINE_NEW;
        return 1;
    case OPT_POLL_MS:
        if (fs_cli_range(prog, "poll-ms", arg, 1, POLL_MS_MAX, &v) < 0)
            return -EINVAL;
        o->cfg.poll_ms = v;
        return 1;
    case OPT_CONFIG_TIMEOUT_MS:
        if (fs_cli_range(prog, "config-timeout-ms", arg, 0, POLL_MS_MAX, &v) < 0)
            return -EINVAL;
        o->cfg.config_timeout_ms = v;
        return 1;
    case OPT_ON_BAD_CONFIG:
        if (fs_cli_choice(arg, on_bad, &choice) < 0)
            return fs_cli_error(prog, "on-bad-config", "expected panic, zero or reject, got '%s'",
                                arg);
        o->cfg.on_bad_config = choice == 0   ? FS_SCORER_PANIC
                               : choice == 1 ? FS_SCORER_ZERO
                                             : FS_SCORER_REJECT;
        o->on_bad_set = 1;
        return 1;
    case OPT_CAPACITY:
        if (fs_cli_range(prog, "capacity", arg, 0, 100000, &v) < 0)
            return -EINVAL;
        o->cfg.capacity = v;
        return 1;
    case OPT_SERVICE_MS:
        if (fs_cli_range(prog, "service-ms", arg, 0, POLL_MS_MAX, &v) < 0)
            return -EINVAL;
        o->cfg.service_ms = v;
        return 1;
    case OPT_QUEUE_TIMEOUT_MS:
        if (fs_cli_range(prog, "queue-timeout-ms", arg, 0, POLL_MS_MAX, &v) < 0)
            return -EINVAL;
        o->cfg.queue_timeout_ms = v;
        o->queue_timeout_set = 1;
        return 1;
    default:
        return 0;
    }
}

/* Parses the command line into cli and o->cfg. Returns 0 to run, 1 when it
 * printed --help or --version, or -EINVAL after printing an error. */
static int parse(int argc, char **argv, fs_cli_common_t *cli, opts_t *o)
{
    static const struct option opts[] = {
        FS_CLI_COMMON_OPTIONS,
        {"configstore", required_argument, NULL, OPT_CONFIGSTORE},
        {"engine", required_argument, NULL, OPT_ENGINE},
        {"poll-ms", required_argument, NULL, OPT_POLL_MS},
        {"config-timeout-ms", required_argument, NULL, OPT_CONFIG_TIMEOUT_MS},
        {"on-bad-config", required_argument, NULL, OPT_ON_BAD_CONFIG},
        {"capacity", required_argument, NULL, OPT_CAPACITY},
        {"service-ms", required_argument, NULL, OPT_SERVICE_MS},
        {"queue-timeout-ms", required_argument, NULL, OPT_QUEUE_TIMEOUT_MS},
        {NULL, 0, NULL, 0},
    };
    const char *prog = "fs-botmod";
    int rc;

    rc = fs_cli_parse(argc, argv, prog, usage, opts, 1, cli, option_cb, o);
    if (rc != 0)
        return rc;
    if (o->configstore == NULL)
        return fs_cli_error(prog, "configstore", "required (e.g. --configstore 127.0.0.1:7000)");
    if (fs_cli_addr(prog, "configstore", o->configstore, &o->cfg.configstore) < 0)
        return -EINVAL;
    /* The knob follows posture and engine unless set: both may come in
     * any order on the command line. */
    if (!o->on_bad_set)
        o->cfg.on_bad_config = fs_botmod_default_on_bad(cli->posture, o->cfg.engine);
    if (!o->queue_timeout_set)
        o->cfg.queue_timeout_ms =
            cli->posture == FS_POSTURE_HARDENED ? FS_BOTMOD_QUEUE_TIMEOUT_HARDENED : 0;
    return 0;
}

int main(int argc, char **argv)
{
    fs_cli_common_t cli = {.posture = FS_POSTURE_LEGACY};
    opts_t o;
    fs_botmod_t *b = NULL;
    uv_loop_t loop;
    char err[256];
    int rc;

    memset(&o, 0, sizeof(o));
    o.cfg.engine = FS_BOTMOD_ENGINE_NEW;
    o.cfg.poll_ms = FS_BOTMOD_POLL_MS;
    o.cfg.config_timeout_ms = FS_BOTMOD_CONFIG_TIMEOUT_MS;
    rc = parse(argc, argv, &cli, &o);
    if (rc != 0)
        return rc > 0 ? 0 : FS_EXIT_USAGE;

    if (uv_loop_init(&loop) != 0) {
        fprintf(stderr, "fs-botmod: cannot create the event loop\n");
        return 1;
    }
    rc = fs_botmod_new(&loop, &cli, &o.cfg, &b, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "fs-botmod: %s\n", err);
        uv_run(&loop, UV_RUN_DEFAULT); /* lets the handles of a partial start close */
        uv_loop_close(&loop);
        return 1;
    }
    fs_service_run(fs_botmod_service(b));
    fs_botmod_free(b);
    uv_loop_close(&loop);
    return 0;
}
