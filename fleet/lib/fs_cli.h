/* Command-line conventions shared by every fleet service: the common flags,
 * value parsers that reject junk instead of reading it as 0, and exit code 2
 * with a message naming the flag on bad input. */
#ifndef FS_CLI_H
#define FS_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include "fs_posture.h"

#define FS_VERSION    "0.1.0"
#define FS_EXIT_USAGE 2

/* The flags every service takes. */
typedef struct {
    const char *listen;   /* --listen 127.0.0.1:PORT (required) */
    fs_posture_t posture; /* --posture legacy|hardened (default legacy) */
    const char *node;     /* --node ID (services that are per edge node) */
    const char *fiu_fifo; /* --fiu-fifo BASE: libfiu remote control */
    int verbose;          /* --verbose: debug logs */
    /* Not a flag: where the logs go, NULL = stderr. In-process users (the
     * fuzzers) start a service per input and keep their stderr for the
     * sanitizers' reports. */
    FILE *log_out;
} fs_cli_common_t;

/* getopt_long codes of the common flags; service flags use 'a'..'z' or
 * values from FS_OPT_SERVICE up. */
enum {
    FS_OPT_LISTEN = 1000,
    FS_OPT_POSTURE,
    FS_OPT_NODE,
    FS_OPT_FIU_FIFO,
    FS_OPT_VERBOSE,
    FS_OPT_HELP,
    FS_OPT_VERSION,
    FS_OPT_SERVICE = 1100,
};

/* struct option entries for the common flags, to put first in a service's
 * table (--node is listed for every service; those without nodes ignore it). */
#define FS_CLI_COMMON_OPTIONS                                                                      \
    {"listen", required_argument, NULL, FS_OPT_LISTEN},                                            \
        {"posture", required_argument, NULL, FS_OPT_POSTURE},                                      \
        {"node", required_argument, NULL, FS_OPT_NODE},                                            \
        {"fiu-fifo", required_argument, NULL, FS_OPT_FIU_FIFO},                                    \
        {"verbose", no_argument, NULL, FS_OPT_VERBOSE}, {"help", no_argument, NULL, FS_OPT_HELP},  \
    {                                                                                              \
        "version", no_argument, NULL, FS_OPT_VERSION                                               \
    }

/* Help text for the common flags, to append to a service's usage. */
#define FS_CLI_COMMON_HELP                                                                         \
    "  --listen 127.0.0.1:PORT   address to serve on (loopback only; port 0 = any)\n"              \
    "  --posture legacy|hardened default for every posture knob (default legacy)\n"                \
    "  --node ID                 edge node id (letters, digits, '-', '_')\n"                       \
    "  --fiu-fifo BASE           libfiu remote control at BASE-<pid>.in/.out\n"                    \
    "  --verbose                 debug logs\n"                                                     \
    "  --help, --version\n"

/* A service's own flags, from fs_cli_parse: returns 1 when it took opt, 0
 * when opt is not its own, or -EINVAL after printing an error with
 * fs_cli_error. arg is the flag's value (NULL for flags without one). */
typedef int (*fs_cli_option_cb)(const char *prog, int opt, const char *arg, void *data);

/* Runs getopt_long over argv with opts (the service's table, starting with
 * FS_CLI_COMMON_OPTIONS): answers --help (usage) and --version, hands the
 * common flags to fs_cli_common_option and every other flag to service_cb
 * (may be NULL), rejects unknown flags and stray arguments, then runs
 * fs_cli_common_check. Returns 0 to go on, 1 when --help or --version was
 * answered, or -EINVAL after printing an error that names the flag. */
int fs_cli_parse(int argc, char **argv, const char *prog, const char *usage,
                 const struct option *opts, int needs_node, fs_cli_common_t *cli,
                 fs_cli_option_cb service_cb, void *data);

/* Handles a common option code. Returns 1 when handled, 0 when opt is not a
 * common option, or -EINVAL after printing an error naming the flag. */
int fs_cli_common_option(const char *prog, int opt, const char *arg, fs_cli_common_t *c);

/* Checks what must hold after parsing (--listen given and loopback, --node
 * well formed). Prints the error and returns -EINVAL when it does not. */
int fs_cli_common_check(const char *prog, const fs_cli_common_t *c, int needs_node);

/* Whole-string unsigned integer in [0, max]. Returns 0 or -EINVAL. */
int fs_cli_uint(const char *s, unsigned long max, unsigned long *out);

/* Whole-string finite number in [min, max]. Returns 0 or -EINVAL. */
int fs_cli_double(const char *s, double min, double max, double *out);

/* A flag's whole-string integer in [min, max] into *out; otherwise prints
 * "PROG: --FLAG: expected MIN..MAX, got 'ARG'" and returns -EINVAL. */
int fs_cli_range(const char *prog, const char *flag, const char *arg, unsigned long min,
                 unsigned long max, unsigned long *out);

/* A flag's loopback address (fs_addr_parse) into *out; otherwise prints
 * the error naming the flag ("required" when arg is NULL) and returns
 * -EINVAL. */
int fs_cli_addr(const char *prog, const char *flag, const char *arg, struct sockaddr_storage *out);

/* on/off, yes/no, true/false, 1/0. Returns 0 or -EINVAL. */
int fs_cli_bool(const char *s, int *out);

/* One of the NULL-terminated choices; *out gets its index. 0 or -EINVAL. */
int fs_cli_choice(const char *s, const char *const *choices, int *out);

/* Prints "PROG: --FLAG: MESSAGE" and a --help hint on stderr; returns -EINVAL
 * so callers can `return fs_cli_error(...)`. */
int fs_cli_error(const char *prog, const char *flag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
