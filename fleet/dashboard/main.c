/* fs-dashboard: command line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dashboard.h"
#include "fs_addr.h"
#include "fs_cli.h"
#include "login.h"

#define TTL_MAX 86400000ul /* a day */

enum {
    OPT_BOTMOD = FS_OPT_SERVICE,
    OPT_CONFIGSTORE,
    OPT_BREAK_GLASS,
    OPT_TOKEN,
    OPT_CHALLENGE_DEADLINE,
    OPT_CONFIGSTORE_DEADLINE,
    OPT_PASSWORD,
    OPT_TTL,
};

static const char usage[] =
    "usage: fs-dashboard --listen A --botmod A --configstore A [options]\n"
    "\n"
    "Operator login (challenge verified by botmod) and operator actions\n"
    "(rollback, killswitch) through configstore.\n"
    "\n"
    "  --botmod 127.0.0.1:PORT   botmod, for POST /v1/challenge/verify (required)\n"
    "  --configstore 127.0.0.1:PORT\n"
    "                            configstore, for rollback and killswitch (required)\n"
    "  --break-glass on|off      log in with a pre-provisioned token while the\n"
    "                            challenge service is down or rejects the login\n"
    "                            (legacy off, hardened on)\n"
    "  --break-glass-token T     that token (default " FS_DASHBOARD_DEFAULT_TOKEN ")\n"
    "  --challenge-deadline-ms N deadline of a botmod call, 0 = none\n"
    "                            (legacy 0, hardened 500)\n"
    "  --configstore-deadline-ms N\n"
    "                            deadline of a configstore call, 0 = none\n"
    "                            (legacy 0, hardened 2000)\n"
    "  --password P              password every user shares (default " FS_DASHBOARD_DEFAULT_PASSWORD
    ")\n"
    "  --session-ttl-ms N        session lifetime (default 600000)\n" FS_CLI_COMMON_HELP;

typedef struct {
    const char *botmod, *configstore;
    int break_glass;                   /* -1 = posture default */
    long challenge_ms, configstore_ms; /* -1 = posture default */
    fs_dashboard_config_t cfg;
} opts_t;

static int option_cb(const char *prog, int opt, const char *arg, void *data)
{
    opts_t *o = data;
    unsigned long v;
    size_t n = arg ? strlen(arg) : 0;

    switch (opt) {
    case OPT_BOTMOD:
        o->botmod = arg;
        return 1;
    case OPT_CONFIGSTORE:
        o->configstore = arg;
        return 1;
    case OPT_BREAK_GLASS:
        if (fs_cli_bool(arg, &o->break_glass) < 0)
            return fs_cli_error(prog, "break-glass", "expected on or off, got '%s'", arg);
        return 1;
    case OPT_TOKEN:
        if (n == 0 || n > FS_LOGIN_SECRET_MAX)
            return fs_cli_error(prog, "break-glass-token", "expected 1..%d bytes",
                                FS_LOGIN_SECRET_MAX);
        o->cfg.break_glass_token = arg;
        return 1;
    case OPT_PASSWORD:
        if (n == 0 || n > FS_LOGIN_SECRET_MAX)
            return fs_cli_error(prog, "password", "expected 1..%d bytes", FS_LOGIN_SECRET_MAX);
        o->cfg.password = arg;
        return 1;
    case OPT_CHALLENGE_DEADLINE:
        if (fs_cli_range(prog, "challenge-deadline-ms", arg, 0, FS_DASHBOARD_DEADLINE_MAX, &v) < 0)
            return -EINVAL;
        o->challenge_ms = (long)v;
        return 1;
    case OPT_CONFIGSTORE_DEADLINE:
        if (fs_cli_range(prog, "configstore-deadline-ms", arg, 0, FS_DASHBOARD_DEADLINE_MAX, &v) <
            0)
            return -EINVAL;
        o->configstore_ms = (long)v;
        return 1;
    case OPT_TTL:
        if (fs_cli_range(prog, "session-ttl-ms", arg, 1, TTL_MAX, &v) < 0)
            return -EINVAL;
        o->cfg.session_ttl_ms = v;
        return 1;
    default:
        return 0;
    }
}

int main(int argc, char **argv)
{
    static const struct option table[] = {
        FS_CLI_COMMON_OPTIONS,
        {"botmod", required_argument, NULL, OPT_BOTMOD},
        {"configstore", required_argument, NULL, OPT_CONFIGSTORE},
        {"break-glass", required_argument, NULL, OPT_BREAK_GLASS},
        {"break-glass-token", required_argument, NULL, OPT_TOKEN},
        {"challenge-deadline-ms", required_argument, NULL, OPT_CHALLENGE_DEADLINE},
        {"configstore-deadline-ms", required_argument, NULL, OPT_CONFIGSTORE_DEADLINE},
        {"password", required_argument, NULL, OPT_PASSWORD},
        {"session-ttl-ms", required_argument, NULL, OPT_TTL},
        {NULL, 0, NULL, 0},
    };
    const char *prog = "fs-dashboard";
    fs_cli_common_t cli = {.posture = FS_POSTURE_LEGACY};
    opts_t o = {.break_glass = -1, .challenge_ms = -1, .configstore_ms = -1};
    struct sockaddr_storage botmod, configstore;
    fs_dashboard_t *dash = NULL;
    uv_loop_t loop;
    char err[256];
    int rc, hardened;

    o.cfg.break_glass_token = FS_DASHBOARD_DEFAULT_TOKEN;
    o.cfg.password = FS_DASHBOARD_DEFAULT_PASSWORD;
    o.cfg.session_ttl_ms = FS_DASHBOARD_DEFAULT_TTL_MS;
    rc = fs_cli_parse(argc, argv, prog, usage, table, 0, &cli, option_cb, &o);
    if (rc != 0)
        return rc > 0 ? 0 : FS_EXIT_USAGE;
    if (fs_cli_addr(prog, "botmod", o.botmod, &botmod) < 0 ||
        fs_cli_addr(prog, "configstore", o.configstore, &configstore) < 0)
        return FS_EXIT_USAGE;

    /* Flags given win over the posture's defaults, in whatever order. */
    hardened = cli.posture == FS_POSTURE_HARDENED;
    o.cfg.botmod = (const struct sockaddr *)&botmod;
    o.cfg.configstore = (const struct sockaddr *)&configstore;
    o.cfg.break_glass = o.break_glass >= 0 ? o.break_glass : hardened;
    o.cfg.challenge_deadline_ms = o.challenge_ms >= 0 ? (uint64_t)o.challenge_ms
                                  : hardened          ? 500
                                                      : 0;
    o.cfg.configstore_deadline_ms = o.configstore_ms >= 0 ? (uint64_t)o.configstore_ms
                                    : hardened            ? 2000
                                                          : 0;

    if (uv_loop_init(&loop) != 0) {
        fprintf(stderr, "%s: cannot create the event loop\n", prog);
        return 1;
    }
    rc = fs_dashboard_new(&loop, &cli, &o.cfg, &dash, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return 1;
    }
    fs_service_run(fs_dashboard_service(dash));
    fs_dashboard_free(dash);
    uv_loop_close(&loop);
    return 0;
}
