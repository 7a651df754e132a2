/* Strict command-line parsing shared by the services: strtoul and friends
 * read "12x" as 12 and "" as 0, which turns a typo into a silently
 * different experiment; one getopt loop keeps every service's messages alike. */
#include "fs_cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fs_addr.h"

int fs_cli_uint(const char *s, unsigned long max, unsigned long *out)
{
    unsigned long v;
    char *end;

    /* strtoul alone would take "", " 1", "+1" and even "-1" (as ULONG_MAX). */
    if (s == NULL || *s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return -EINVAL;
    *out = v;
    return 0;
}

int fs_cli_range(const char *prog, const char *flag, const char *arg, unsigned long min,
                 unsigned long max, unsigned long *out)
{
    if (fs_cli_uint(arg, max, out) < 0 || *out < min)
        return fs_cli_error(prog, flag, "expected %lu..%lu, got '%s'", min, max, arg ? arg : "");
    return 0;
}

int fs_cli_addr(const char *prog, const char *flag, const char *arg, struct sockaddr_storage *out)
{
    char err[256];

    if (arg == NULL)
        return fs_cli_error(prog, flag, "required");
    if (fs_addr_parse(arg, out, err, sizeof(err)) < 0)
        return fs_cli_error(prog, flag, "%s", err);
    return 0;
}

int fs_cli_double(const char *s, double min, double max, double *out)
{
    double v;
    char *end;

    if (s == NULL || *s == '\0' || *s == ' ' || (*s >= '\t' && *s <= '\r'))
        return -EINVAL;
    errno = 0;
    v = strtod(s, &end);
    if (*end != '\0' || !isfinite(v) || (errno == ERANGE && fabs(v) > 1.0) || v < min || v > max)
        return -EINVAL;
    *out = v;
    return 0;
}

int fs_cli_bool(const char *s, int *out)
{
    static const char *const yes[] = {"on", "yes", "true", "1"};
    static const char *const no[] = {"off", "no", "false", "0"};

    if (s == NULL)
        return -EINVAL;
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -EINVAL;
}

int fs_cli_choice(const char *s, const char *const *choices, int *out)
{
    if (s == NULL)
        return -EINVAL;
    for (int i = 0; choices[i]; i++) {
        if (strcmp(s, choices[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    return -EINVAL;
}

int fs_cli_error(const char *prog, const char *flag, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* One fprintf so the message arrives in one piece on a shared stderr. */
    if (flag)
        fprintf(stderr, "%s: --%s: %s\nTry '%s --help'.\n", prog, flag, msg, prog);
    else
        fprintf(stderr, "%s: %s\nTry '%s --help'.\n", prog, msg, prog);
    return -EINVAL;
}

/* Node ids end up in logs, metrics labels and URLs: keep them plain. */
static int fs__cli_node_ok(const char *s)
{
    size_t n = 0;

    for (; s[n]; n++) {
        char c = s[n];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return n >= 1 && n <= 32;
}

int fs_cli_common_option(const char *prog, int opt, const char *arg, fs_cli_common_t *c)
{
    switch (opt) {
    case FS_OPT_LISTEN:
        c->listen = arg; /* checked by fs_cli_common_check once all flags are in */
        return 1;
    case FS_OPT_POSTURE:
        if (fs_posture_parse(arg, &c->posture) < 0)
            return fs_cli_error(prog, "posture", "expected legacy or hardened, got '%s'",
                                arg ? arg : "");
        return 1;
    case FS_OPT_NODE:
        if (arg == NULL || !fs__cli_node_ok(arg))
            return fs_cli_error(prog, "node", "'%s': expected 1 to 32 letters, digits, '-' or '_'",
                                arg ? arg : "");
        c->node = arg;
        return 1;
    case FS_OPT_FIU_FIFO:
        if (arg == NULL || *arg == '\0')
            return fs_cli_error(prog, "fiu-fifo", "expected a path prefix");
        c->fiu_fifo = arg;
        return 1;
    case FS_OPT_VERBOSE:
        c->verbose = 1;
        return 1;
    default:
        /* --help and --version included: fs_cli_parse answers those. */
        return 0;
    }
}

int fs_cli_common_check(const char *prog, const fs_cli_common_t *c, int needs_node)
{
    struct sockaddr_storage ss;
    char err[256];

    if (c->listen == NULL)
        return fs_cli_error(prog, "listen", "required (e.g. --listen 127.0.0.1:8080)");
    if (fs_addr_parse(c->listen, &ss, err, sizeof(err)) < 0)
        return fs_cli_error(prog, "listen", "%s", err);
    if (needs_node && c->node == NULL)
        return fs_cli_error(prog, "node", "required for this service");
    if (c->node && !fs__cli_node_ok(c->node))
        return fs_cli_error(prog, "node", "'%s': expected 1 to 32 letters, digits, '-' or '_'",
                            c->node);
    if (c->posture != FS_POSTURE_LEGACY && c->posture != FS_POSTURE_HARDENED)
        return fs_cli_error(prog, "posture", "expected legacy or hardened");
    return 0;
}

int fs_cli_parse(int argc, char **argv, const char *prog, const char *usage,
                 const struct option *opts, int needs_node, fs_cli_common_t *cli,
                 fs_cli_option_cb service_cb, void *data)
{
    int opt, rc;

    opterr = 0; /* getopt's own messages would not name the flag our way */
    optind = 0; /* full getopt reset, so a second parse (tests) starts afresh */
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == FS_OPT_HELP) {
            fputs(usage, stdout);
            return 1;
        }
        if (opt == FS_OPT_VERSION) {
            printf("%s failsmall " FS_VERSION "\n", prog);
            return 1;
        }
        if (opt == '?')
            return fs_cli_error(prog, NULL, "%s: unknown flag or missing value", argv[optind - 1]);
        rc = fs_cli_common_option(prog, opt, optarg, cli);
        if (rc == 0 && service_cb)
            rc = service_cb(prog, opt, optarg, data);
        if (rc < 0)
            return rc;
        /* A table entry nobody handles: a bug, but say which flag. */
        if (rc == 0)
            return fs_cli_error(prog, NULL, "%s: unknown flag", argv[optind - 1]);
    }
    if (optind < argc)
        return fs_cli_error(prog, NULL, "%s: unexpected argument", argv[optind]);
    return fs_cli_common_check(prog, cli, needs_node);
}
