/* fs-proxy: command line. Knob flags are collected first and applied over
 * the posture's defaults after parsing, so their order against --posture
 * does not matter. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "fs_addr.h"
#include "fs_cli.h"
#include "proxy.h"

enum {
    OPT_BOTMOD = FS_OPT_SERVICE,
    OPT_ORIGIN,
    OPT_CONFIGSTORE,
    OPT_ENGINE,
    OPT_BOT_FAILURE,
    OPT_DEADLINE,
    OPT_ORIGIN_DEADLINE,
    OPT_ATTEMPT_TIMEOUT,
    OPT_RETRY_DELAY,
    OPT_RETRIES,
    OPT_MAX_RETRIES,
    OPT_RETRY_BUDGET,
    OPT_DEFAULT_SCORE,
    OPT_THRESHOLD,
    OPT_NIL_GUARD,
    OPT_POLL,
    OPT_SEED,
    OPT_END
};

#define NOPTS  (OPT_END - FS_OPT_SERVICE)
#define MAX_MS 600000ul
#define ARG(o) arg[(o)-FS_OPT_SERVICE]

static const char usage[] =
    "usage: fs-proxy --listen A --botmod A --origin A --configstore A --node ID [options]\n"
    "\n"
    "The edge proxy: scores each GET with botmod, blocks bots, applies the WAF\n"
    "rules from configstore (waf/rules), forwards to origin. Every address must\n"
    "be loopback. Knobs default by --posture (legacy / hardened).\n"
    "\n"
    "  --botmod A                bot module address\n"
    "  --origin A                origin address\n"
    "  --configstore A           configstore address (waf/rules is polled)\n"
    "  --engine new|old          WAF engine (default new)\n"
    "  --bot-failure closed|open botmod failed: 503, or default score marked degraded\n"
    "                            (closed / open)\n"
    "  --deadline-ms N           botmod deadline, retries included, 0 = none (0 / 200)\n"
    "  --origin-deadline-ms N    origin deadline, retries included, 0 = none (0 / 2000)\n"
    "  --attempt-timeout-ms N    timeout of each call, then retry; 0 = the deadline (0)\n"
    "  --retries immediate|budget  retry policy (immediate / budget)\n"
    "  --retry-delay-ms N        immediate: fixed wait before each retry (0)\n"
    "  --max-retries N           retries per call (3 / 2)\n"
    "  --retry-budget RATIO      budget mode: retries per call, 0..1 (0.1)\n"
    "  --default-score N         fail-open score, 0..99 (50)\n"
    "  --threshold N             scores below N are blocked, 0..100 (30)\n"
    "  --nil-guard on|off        old engine: skip a killswitched rule safely (off / on)\n"
    "  --poll-ms N               waf/rules poll interval (200)\n"
    "  --seed N                  jitter PRNG seed (default: from the node id)\n" FS_CLI_COMMON_HELP;

static int choice_flag(const char *prog, const char *flag, const char *arg,
                       const char *const *choices, int *out)
{
    if (fs_cli_choice(arg, choices, out) < 0)
        return fs_cli_error(prog, flag, "expected %s or %s, got '%s'", choices[0], choices[1], arg);
    return 0;
}

/* Applies the knob flags given (arg[i] for option FS_OPT_SERVICE + i) over
 * the posture defaults already in cfg. */
static int apply_flags(const char *prog, const char *const *arg, fs_proxy_config_t *cfg)
{
    static const char *const engines[] = {"new", "old", NULL};
    static const char *const failures[] = {"closed", "open", NULL};
    static const char *const retries[] = {"immediate", "budget", NULL};
    unsigned long v;
    int i;

    if (fs_cli_addr(prog, "botmod", ARG(OPT_BOTMOD), &cfg->botmod) < 0 ||
        fs_cli_addr(prog, "origin", ARG(OPT_ORIGIN), &cfg->origin) < 0 ||
        fs_cli_addr(prog, "configstore", ARG(OPT_CONFIGSTORE), &cfg->configstore) < 0)
        return -1;
    if (ARG(OPT_ENGINE)) {
        if (choice_flag(prog, "engine", ARG(OPT_ENGINE), engines, &i) < 0)
            return -1;
        cfg->engine = i ? FS_WAF_ENGINE_OLD : FS_WAF_ENGINE_NEW;
    }
    if (ARG(OPT_BOT_FAILURE)) {
        if (choice_flag(prog, "bot-failure", ARG(OPT_BOT_FAILURE), failures, &i) < 0)
            return -1;
        cfg->bot_fail_open = i;
    }
    if (ARG(OPT_RETRIES)) {
        if (choice_flag(prog, "retries", ARG(OPT_RETRIES), retries, &i) < 0)
            return -1;
        cfg->retries = i ? FS_RETRY_BUDGET : FS_RETRY_IMMEDIATE;
    }
    if (ARG(OPT_NIL_GUARD) && fs_cli_bool(ARG(OPT_NIL_GUARD), &cfg->nil_guard) < 0)
        return fs_cli_error(prog, "nil-guard", "expected on or off, got '%s'", ARG(OPT_NIL_GUARD));
    if (ARG(OPT_RETRY_BUDGET) && fs_cli_double(ARG(OPT_RETRY_BUDGET), 0, 1, &cfg->retry_budget) < 0)
        return fs_cli_error(prog, "retry-budget", "expected a ratio in 0..1, got '%s'",
                            ARG(OPT_RETRY_BUDGET));
    if (ARG(OPT_DEADLINE)) {
        if (fs_cli_range(prog, "deadline-ms", ARG(OPT_DEADLINE), 0, MAX_MS, &v) < 0)
            return -1;
        cfg->deadline_ms = v;
    }
    if (ARG(OPT_ORIGIN_DEADLINE)) {
        if (fs_cli_range(prog, "origin-deadline-ms", ARG(OPT_ORIGIN_DEADLINE), 0, MAX_MS, &v) < 0)
            return -1;
        cfg->origin_deadline_ms = v;
    }
    if (ARG(OPT_ATTEMPT_TIMEOUT)) {
        if (fs_cli_range(prog, "attempt-timeout-ms", ARG(OPT_ATTEMPT_TIMEOUT), 0, MAX_MS, &v) < 0)
            return -1;
        cfg->attempt_timeout_ms = v;
    }
    if (ARG(OPT_RETRY_DELAY)) {
        if (fs_cli_range(prog, "retry-delay-ms", ARG(OPT_RETRY_DELAY), 0, MAX_MS, &v) < 0)
            return -1;
        cfg->retry_delay_ms = v;
    }
    if (ARG(OPT_MAX_RETRIES)) {
        if (fs_cli_range(prog, "max-retries", ARG(OPT_MAX_RETRIES), 0, 100, &v) < 0)
            return -1;
        cfg->max_retries = (unsigned)v;
    }
    if (ARG(OPT_DEFAULT_SCORE)) {
        if (fs_cli_range(prog, "default-score", ARG(OPT_DEFAULT_SCORE), 0, 99, &v) < 0)
            return -1;
        cfg->default_score = (unsigned)v;
    }
    if (ARG(OPT_THRESHOLD)) {
        if (fs_cli_range(prog, "threshold", ARG(OPT_THRESHOLD), 0, 100, &v) < 0)
            return -1;
        cfg->threshold = (unsigned)v;
    }
    if (ARG(OPT_POLL)) {
        if (fs_cli_range(prog, "poll-ms", ARG(OPT_POLL), 1, MAX_MS, &v) < 0)
            return -1;
        cfg->poll_ms = v;
    }
    if (ARG(OPT_SEED)) {
        if (fs_cli_range(prog, "seed", ARG(OPT_SEED), 0, ULONG_MAX, &v) < 0)
            return -1;
        cfg->seed = v;
    }
    return 0;
}

/* Keeps each knob's raw value for apply_flags: data is the arg array. */
static int option_cb(const char *prog, int opt, const char *optval, void *data)
{
    const char **arg = data;

    (void)prog;
    if (opt < FS_OPT_SERVICE || opt >= OPT_END)
        return 0;
    ARG(opt) = optval;
    return 1;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        FS_CLI_COMMON_OPTIONS,
        {"botmod", required_argument, NULL, OPT_BOTMOD},
        {"origin", required_argument, NULL, OPT_ORIGIN},
        {"configstore", required_argument, NULL, OPT_CONFIGSTORE},
        {"engine", required_argument, NULL, OPT_ENGINE},
        {"bot-failure", required_argument, NULL, OPT_BOT_FAILURE},
        {"deadline-ms", required_argument, NULL, OPT_DEADLINE},
        {"origin-deadline-ms", required_argument, NULL, OPT_ORIGIN_DEADLINE},
        {"attempt-timeout-ms", required_argument, NULL, OPT_ATTEMPT_TIMEOUT},
        {"retry-delay-ms", required_argument, NULL, OPT_RETRY_DELAY},
        {"retries", required_argument, NULL, OPT_RETRIES},
        {"max-retries", required_argument, NULL, OPT_MAX_RETRIES},
        {"retry-budget", required_argument, NULL, OPT_RETRY_BUDGET},
        {"default-score", required_argument, NULL, OPT_DEFAULT_SCORE},
        {"threshold", required_argument, NULL, OPT_THRESHOLD},
        {"nil-guard", required_argument, NULL, OPT_NIL_GUARD},
        {"poll-ms", required_argument, NULL, OPT_POLL},
        {"seed", required_argument, NULL, OPT_SEED},
        {NULL, 0, NULL, 0},
    };
    const char *prog = "fs-proxy";
    const char *arg[NOPTS] = {0};
    fs_cli_common_t cli = {.posture = FS_POSTURE_LEGACY};
    fs_proxy_config_t cfg;
    fs_proxy_t *proxy = NULL;
    uv_loop_t loop;
    char err[256];
    int rc;

    rc = fs_cli_parse(argc, argv, prog, usage, opts, 1, &cli, option_cb, arg);
    if (rc != 0)
        return rc > 0 ? 0 : FS_EXIT_USAGE;
    fs_proxy_config_default(&cfg, cli.posture);
    cfg.seed = fs_proxy_seed(cli.node);
    if (apply_flags(prog, arg, &cfg) < 0)
        return FS_EXIT_USAGE;

    if (uv_loop_init(&loop) != 0) {
        fprintf(stderr, "%s: cannot create the event loop\n", prog);
        return 1;
    }
    rc = fs_proxy_new(&loop, &cli, &cfg, &proxy, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
        return 1;
    }
    fs_service_run(fs_proxy_service(proxy));
    fs_proxy_free(proxy);
    uv_loop_close(&loop);
    return 0;
}
