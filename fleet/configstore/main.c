/* fs-configstore: command line. */
#include <errno.h>
#include <stdio.h>

#include "configstore.h"
#include "fs_cli.h"

enum { OPT_ROLLOUT = FS_OPT_SERVICE, OPT_BAKE_MS, OPT_CANARY };

/* What the flags asked for; mode -1 = follow --posture, known only once
 * every flag is in. */
typedef struct {
    int mode;
    fs_configstore_config_t cfg;
} opts_t;

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

static int option_cb(const char *prog, int opt, const char *arg, void *data)
{
    static const char *const modes[] = {"instant", "staged", NULL};
    opts_t *o = data;
    unsigned long v;

    switch (opt) {
    case OPT_ROLLOUT:
        if (fs_cli_choice(arg, modes, &o->mode) < 0)
            return fs_cli_error(prog, "rollout", "expected instant or staged, got '%s'", arg);
        return 1;
    case OPT_BAKE_MS:
        if (fs_cli_range(prog, "bake-ms", arg, 1, FS_CONFIGSTORE_BAKE_MAX, &v) < 0)
            return -EINVAL;
        o->cfg.bake_ms = v;
        return 1;
    case OPT_CANARY:
        if (!fs_rollout_node_valid(arg))
            return fs_cli_error(prog, "canary",
                                "'%s': expected 1 to 32 letters, digits, '-' or '_'", arg);
        o->cfg.canary = arg;
        return 1;
    default:
        return 0;
    }
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        FS_CLI_COMMON_OPTIONS,
        {"rollout", required_argument, NULL, OPT_ROLLOUT},
        {"bake-ms", required_argument, NULL, OPT_BAKE_MS},
        {"canary", required_argument, NULL, OPT_CANARY},
        {NULL, 0, NULL, 0},
    };
    const char *prog = "fs-configstore";
    fs_cli_common_t cli = {.posture = FS_POSTURE_LEGACY};
    opts_t o = {.mode = -1, .cfg = {.bake_ms = FS_CONFIGSTORE_BAKE_MS}};
    fs_configstore_t *cs = NULL;
    uv_loop_t loop;
    char err[256];
    int rc;

    rc = fs_cli_parse(argc, argv, prog, usage, opts, 0, &cli, option_cb, &o);
    if (rc != 0)
        return rc > 0 ? 0 : FS_EXIT_USAGE;
    /* --rollout overrides what the posture implies. */
    o.cfg.mode = o.mode < 0    ? fs_configstore_default_mode(cli.posture)
                 : o.mode == 1 ? FS_ROLLOUT_STAGED
                               : FS_ROLLOUT_INSTANT;

    if (uv_loop_init(&loop) != 0) {
        fprintf(stderr, "%s: cannot create the event loop\n", prog);
        return 1;
    }
    rc = fs_configstore_new(&loop, &cli, &o.cfg, &cs, err, sizeof(err));
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
