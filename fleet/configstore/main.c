/* fs-configstore: command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configstore.h"
#include "fs_cli.h"

enum { OPT_ROLLOUT = FS_OPT_SERVICE, OPT_BAKE_MS, OPT_CANARY };

static const char usage[] =
    "usage: fs-configstore --listen 127.0.0.1:PORT [options]\n"
    "\n"
    "Versioned config keys with an instant or a staged, health-gated rollout.\n"
    "\n"
    "  --rollout instant|staged  how a new version spreads (default: instant when\n"
    "                            --posture legacy, staged when hardened)\n"
    "  --bake-ms N               how long each staged stage is held (default 1000)\n"
    "  --canary NODE             canary node of staged rollouts (default the first\n"
    "                            node in order)\n" FS_CLI_COMMON_HELP;

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        FS_CLI_COMMON_OPTIONS,
        {"rollout", required_argument, NULL, OPT_ROLLOUT},
        {"bake-ms", required_argument, NULL, OPT_BAKE_MS},
        {"canary", required_argument, NULL, OPT_CANARY},
        {NULL, 0, NULL, 0},
    };
    static const char *const modes[] = {"instant", "staged", NULL};
    const char *prog = "fs-configstore";
    fs_cli_common_t cli = {.posture = FS_POSTURE_LEGACY};
    fs_configstore_config_t cfg = {.bake_ms = FS_CONFIGSTORE_BAKE_MS};
    fs_configstore_t *cs = NULL;
    int opt, rc, mode = -1;
    uv_loop_t loop;
    char err[256];

    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        unsigned long v;

        switch (opt) {
        case FS_OPT_HELP:
            fputs(usage, stdout);
            return 0;
        case FS_OPT_VERSION:
            puts("fs-configstore failsmall " FS_VERSION);
            return 0;
        case OPT_ROLLOUT:
            if (fs_cli_choice(optarg, modes, &mode) < 0) {
                fs_cli_error(prog, "rollout", "expected instant or staged, got '%s'", optarg);
                return FS_EXIT_USAGE;
            }
            break;
        case OPT_BAKE_MS:
            if (fs_cli_uint(optarg, FS_CONFIGSTORE_BAKE_MAX, &v) < 0 || v == 0) {
                fs_cli_error(prog, "bake-ms", "expected 1..%d, got '%s'", FS_CONFIGSTORE_BAKE_MAX,
                             optarg);
                return FS_EXIT_USAGE;
            }
            cfg.bake_ms = v;
            break;
        case OPT_CANARY:
            if (!fs_rollout_node_valid(optarg)) {
                fs_cli_error(prog, "canary", "'%s': expected 1 to 32 letters, digits, '-' or '_'",
                             optarg);
                return FS_EXIT_USAGE;
            }
            cfg.canary = optarg;
            break;
        case '?':
            fs_cli_error(prog, NULL, "%s: unknown flag or missing value", argv[optind - 1]);
            return FS_EXIT_USAGE;
        default:
            rc = fs_cli_common_option(prog, opt, optarg, &cli);
            if (rc < 0)
                return FS_EXIT_USAGE;
            if (rc == 0) {
                fs_cli_error(prog, NULL, "%s: unknown flag", argv[optind - 1]);
                return FS_EXIT_USAGE;
            }
        }
    }
    if (optind < argc) {
        fs_cli_error(prog, NULL, "%s: unexpected argument", argv[optind]);
        return FS_EXIT_USAGE;
    }
    if (fs_cli_common_check(prog, &cli, 0) < 0)
        return FS_EXIT_USAGE;
    /* --rollout overrides what the posture implies. */
    cfg.mode = mode < 0    ? fs_configstore_default_mode(cli.posture)
               : mode == 1 ? FS_ROLLOUT_STAGED
                           : FS_ROLLOUT_INSTANT;

    if (uv_loop_init(&loop) != 0) {
        fprintf(stderr, "%s: cannot create the event loop\n", prog);
        return 1;
    }
    rc = fs_configstore_new(&loop, &cli, &cfg, &cs, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        /* Handles a failed start opened close on this run. */
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
        return 1;
    }
    fs_service_run(fs_configstore_service(cs));
    fs_configstore_free(cs);
    uv_loop_close(&loop);
    return 0;
}
