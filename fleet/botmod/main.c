/* fs-botmod: command line. */
#include <stdio.h>
#include <stdlib.h>
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
    "                            legacy+old zero, hardened reject)\n" FS_CLI_COMMON_HELP;

static const char *const engines[] = {"new", "old", NULL};
static const char *const on_bad[] = {"panic", "zero", "reject", NULL};

/* Parses the command line into cli and cfg. Returns 0 to run, 1 when it
 * printed --help or --version, or -EINVAL after printing an error. */
static int parse(int argc, char **argv, fs_cli_common_t *cli, fs_botmod_config_t *cfg)
{
    static const struct option opts[] = {
        FS_CLI_COMMON_OPTIONS,
        {"configstore", required_argument, NULL, OPT_CONFIGSTORE},
        {"engine", required_argument, NULL, OPT_ENGINE},
        {"poll-ms", required_argument, NULL, OPT_POLL_MS},
        {"config-timeout-ms", required_argument, NULL, OPT_CONFIG_TIMEOUT_MS},
        {"on-bad-config", required_argument, NULL, OPT_ON_BAD_CONFIG},
        {NULL, 0, NULL, 0},
    };
    const char *prog = "fs-botmod", *configstore = NULL;
    int opt, rc, choice, on_bad_set = 0;
    char err[256];

    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        unsigned long v;

        switch (opt) {
        case FS_OPT_HELP:
            fputs(usage, stdout);
            return 1;
        case FS_OPT_VERSION:
            puts("fs-botmod failsmall " FS_VERSION);
            return 1;
        case OPT_CONFIGSTORE:
            configstore = optarg;
            break;
        case OPT_ENGINE:
            if (fs_cli_choice(optarg, engines, &choice) < 0)
                return fs_cli_error(prog, "engine", "expected new or old, got '%s'", optarg);
            cfg->engine = choice == 1 ? FS_BOTMOD_ENGINE_OLD : FS_BOTMOD_ENGINE_NEW;
            break;
        case OPT_POLL_MS:
            if (fs_cli_uint(optarg, POLL_MS_MAX, &v) < 0 || v == 0)
                return fs_cli_error(prog, "poll-ms", "expected 1..%lu, got '%s'", POLL_MS_MAX,
                                    optarg);
            cfg->poll_ms = v;
            break;
        case OPT_CONFIG_TIMEOUT_MS:
            if (fs_cli_uint(optarg, POLL_MS_MAX, &v) < 0)
                return fs_cli_error(prog, "config-timeout-ms", "expected 0..%lu, got '%s'",
                                    POLL_MS_MAX, optarg);
            cfg->config_timeout_ms = v;
            break;
        case OPT_ON_BAD_CONFIG:
            if (fs_cli_choice(optarg, on_bad, &choice) < 0)
                return fs_cli_error(prog, "on-bad-config",
                                    "expected panic, zero or reject, got '%s'", optarg);
            cfg->on_bad_config = choice == 0   ? FS_SCORER_PANIC
                                 : choice == 1 ? FS_SCORER_ZERO
                                               : FS_SCORER_REJECT;
            on_bad_set = 1;
            break;
        case '?':
            return fs_cli_error(prog, NULL, "%s: unknown flag or missing value", argv[optind - 1]);
        default:
            rc = fs_cli_common_option(prog, opt, optarg, cli);
            if (rc < 0)
                return rc;
            if (rc == 0)
                return fs_cli_error(prog, NULL, "%s: unknown flag", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return fs_cli_error(prog, NULL, "%s: unexpected argument", argv[optind]);
    if ((rc = fs_cli_common_check(prog, cli, 1)) < 0)
        return rc;
    if (configstore == NULL)
        return fs_cli_error(prog, "configstore", "required (e.g. --configstore 127.0.0.1:7000)");
    if (fs_addr_parse(configstore, &cfg->configstore, err, sizeof(err)) < 0)
        return fs_cli_error(prog, "configstore", "%s", err);
    /* The knob follows posture and engine unless set: both may come in
     * any order on the command line. */
    if (!on_bad_set)
        cfg->on_bad_config = fs_botmod_default_on_bad(cli->posture, cfg->engine);
    return 0;
}

int main(int argc, char **argv)
{
    fs_cli_common_t cli = {.posture = FS_POSTURE_LEGACY};
    fs_botmod_config_t cfg;
    fs_botmod_t *b = NULL;
    uv_loop_t loop;
    char err[256];
    int rc;

    memset(&cfg, 0, sizeof(cfg));
    cfg.engine = FS_BOTMOD_ENGINE_NEW;
    cfg.poll_ms = FS_BOTMOD_POLL_MS;
    cfg.config_timeout_ms = FS_BOTMOD_CONFIG_TIMEOUT_MS;
    rc = parse(argc, argv, &cli, &cfg);
    if (rc != 0)
        return rc > 0 ? 0 : FS_EXIT_USAGE;

    if (uv_loop_init(&loop) != 0) {
        fprintf(stderr, "fs-botmod: cannot create the event loop\n");
        return 1;
    }
    rc = fs_botmod_new(&loop, &cli, &cfg, &b, err, sizeof(err));
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
