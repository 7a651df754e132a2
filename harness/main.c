/* failsmall: run, validate and list scenarios. Exit codes: 0 every
 * expectation held, 1 some did not, 2 bad input or harness failure, 130
 * interrupted (partial results written). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "janitor.h"
#include "report.h"
#include "run.h"
#include "scenario.h"
#include "table.h"

#define FS_VERSION "0.1.0"

enum { EXIT_PASS = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

typedef struct {
    char **files;
    size_t nfiles, cap;
} fs__files_t;

typedef struct {
    uv_loop_t loop;
    uv_async_t wake; /* a SIGINT or SIGTERM arrived */
    fs_janitor_t *janitor;
    fs_run_t *current;
    int interrupts;
    int colour;
} fs__main_t;

static void usage_main(FILE *out)
{
    fprintf(out, "usage: failsmall COMMAND [OPTIONS] ...\n\n"
                 "commands:\n"
                 "  run SCENARIO.json|DIR...   run scenarios and judge every interface\n"
                 "  validate SCENARIO.json...  check scenarios without running them\n"
                 "  list [DIR]                 the scenarios in DIR (default scenarios/)\n"
                 "  report DIR                 rebuild a run folder's reports from its results\n\n"
                 "failsmall COMMAND --help for a command's options; --version.\n"
                 "Exit: 0 every expectation held, 1 some did not, 2 bad input or harness\n"
                 "failure, 130 interrupted.\n");
}

static void usage_run(FILE *out)
{
    fprintf(out,
            "usage: failsmall run SCENARIO.json|DIR... [options]\n\n"
            "  --posture legacy|hardened|all  postures to run (default all the scenario lists)\n"
            "  --seed N                       override the scenario's seed\n"
            "  --time-scale X                 stretch (>1) or compress (<1) every time\n"
            "  --out DIR                      results folder (default runs/<scenario>); with\n"
            "                                 several scenarios, the folder of their folders,\n"
            "                                 DIR/<scenario> (default runs)\n"
            "  --max-config-bytes N           refuse scenarios whose faults publish a config\n"
            "                                 larger than N bytes (1048576..16777216, the\n"
            "                                 default: the most configstore takes)\n"
            "  --help\n\n"
            "Writes DIR/<posture>/results.json and DIR/<posture>/logs/ for each posture;\n"
            "several scenarios also get a suite index, DIR/index.html and DIR/summary.md.\n");
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "failsmall: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'failsmall --help'.\n");
    return EXIT_USAGE;
}

/* --max-config-bytes N: a whole number of bytes within the caps. 0, or
 * -EXIT_USAGE once the usage error is printed. */
static int parse_config_cap(const char *arg, fs_scenario_opts_t *so)
{
    char *end;

    errno = 0;
    so->max_config_bytes = strtoull(arg, &end, 10);
    if (errno || *arg < '0' || *arg > '9' || *end != '\0' ||
        so->max_config_bytes < FS_INJ_CONFIG_CAP_MIN ||
        so->max_config_bytes > FS_INJ_CONFIG_CAP_MAX)
        return -usage_error("--max-config-bytes: \"%s\": expected a number of bytes from "
                            "1048576 (1 MiB) to 16777216 (16 MiB)",
                            arg);
    return 0;
}

/* ---- scenario files ---- */

static int files_add(fs__files_t *f, const char *path)
{
    if (f->nfiles == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        char **p = realloc(f->files, cap * sizeof(*p));
        if (p == NULL)
            return -ENOMEM;
        f->files = p;
        f->cap = cap;
    }
    if ((f->files[f->nfiles] = strdup(path)) == NULL)
        return -ENOMEM;
    f->nfiles++;
    return 0;
}

static void files_free(fs__files_t *f)
{
    for (size_t i = 0; i < f->nfiles; i++)
        free(f->files[i]);
    free(f->files);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory stands for the *.json scenarios in it, in name order. */
static int files_expand(fs__files_t *f, const char *path)
{
    struct stat st;
    struct dirent *de;
    size_t first = f->nfiles;
    DIR *d;

    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return files_add(f, path);
    if ((d = opendir(path)) == NULL)
        return -errno;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        char full[PATH_MAX];
        if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0 ||
            strcmp(de->d_name, "scenario.schema.json") == 0)
            continue;
        snprintf(full, sizeof(full), "%s/%s", path, de->d_name);
        if (files_add(f, full) < 0) {
            closedir(d);
            return -ENOMEM;
        }
    }
    closedir(d);
    qsort(f->files + first, f->nfiles - first, sizeof(*f->files), cmp_str);
    return 0;
}

/* Loads every file; prints each error. Returns the number that failed. */
static int load_all(const fs__files_t *f, const fs_scenario_opts_t *opts, fs_scenario_t **sc)
{
    char err[1024];
    int bad = 0;

    for (size_t i = 0; i < f->nfiles; i++) {
        err[0] = '\0';
        if (fs_scenario_load(f->files[i], opts, &sc[i], err, sizeof(err)) < 0) {
            fprintf(stderr, "failsmall: %s\n", err);
            sc[i] = NULL;
            bad++;
        }
    }
    return bad;
}

/* ---- run ---- */

/* The one piece of global state: a signal handler has nowhere else to look
 * for the loop it must wake. */
static uv_async_t *volatile signal_wake;
static volatile sig_atomic_t signal_first;

static void signal_defaults(void)
{
    struct sigaction sa = {.sa_handler = SIG_DFL};

    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Async-signal-safe only. The first SIGINT or SIGTERM wakes the loop to
 * stop the run cleanly and puts the default actions back, so that the next
 * one kills at once, whatever the harness is doing (a report being written
 * is not on the loop): the fleet dies with us (PR_SET_PDEATHSIG) and the
 * janitor sweeps what is left on disk. */
static void on_signal(int signum)
{
    uv_async_t *wake = signal_wake;

    signal_defaults();
    if (signal_first == 0)
        signal_first = signum;
    if (wake != NULL)
        uv_async_send(wake);
}

static void on_signal_wake_cb(uv_async_t *h)
{
    fs__main_t *m = h->data;
    int signum = signal_first;

    if (signum == 0 || m->interrupts > 0)
        return;
    m->interrupts = 1;
    fprintf(stderr,
            "\nfailsmall: %s: stopping, reverting faults and writing partial results "
            "(again to kill)\n",
            signum == SIGINT ? "interrupted" : "terminated");
    if (m->current != NULL)
        fs_run_abort(m->current,
                     signum == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)");
}

static void signals_catch(fs__main_t *m)
{
    struct sigaction sa = {.sa_handler = on_signal};

    uv_async_init(&m->loop, &m->wake, on_signal_wake_cb);
    m->wake.data = m;
    /* It must not keep the loop alive between runs. */
    uv_unref((uv_handle_t *)&m->wake);
    signal_wake = &m->wake;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void signals_release(fs__main_t *m)
{
    signal_defaults();
    signal_wake = NULL;
    uv_close((uv_handle_t *)&m->wake, NULL);
}

static void run_done_cb(fs_run_t *run, void *data)
{
    (void)run;
    (void)data;
}

/* Where fs-* and fs-exec live: beside this executable, installed or built. */
static int bin_dir(char *buf, size_t len)
{
    char self[PATH_MAX / 2], *slash, exec[PATH_MAX / 2 + 16];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

    if (n < 0)
        return -errno;
    self[n] = '\0';
    if ((slash = strrchr(self, '/')) != NULL)
        *slash = '\0';
    if (strlen(self) >= len)
        return -ENAMETOOLONG;
    memcpy(buf, self, strlen(self) + 1);
    snprintf(exec, sizeof(exec), "%s/fs-exec", self);
    return access(exec, X_OK) == 0 ? 0 : -ENOENT;
}

static const char *status_text(fs_run_status_t s)
{
    switch (s) {
    case FS_RUN_PASSED:
        return "every expectation held";
    case FS_RUN_FAILED:
        return "some expectations did not hold";
    case FS_RUN_ERROR:
        return "harness error";
    case FS_RUN_ABORTED:
        return "aborted";
    }
    return "?";
}

/* out_dir is the scenario's own folder; NULL for suite/<scenario name>. */
static int run_scenario(fs__main_t *m, const fs_scenario_t *sc, int only, fs_posture_t which,
                        const char *out_dir, const char *suite, const char *bins)
{
    fs_run_t *runs[FS_POSTURE_COUNT] = {0};
    fs_posture_t postures[FS_POSTURE_COUNT];
    size_t nruns = 0;
    char out[PATH_MAX / 2], dir[PATH_MAX / 2 + 16], err[1024];
    int worst = EXIT_PASS;

    if (out_dir != NULL)
        snprintf(out, sizeof(out), "%s", out_dir);
    else
        snprintf(out, sizeof(out), "%s/%s", suite, fs_scenario_name(sc));
    /* Reports and results are written whole through temporary files; the
     * janitor removes one left by a harness killed halfway. */
    fs_janitor_watch_temps(m->janitor, out, 3);
    for (size_t i = 0; i < fs_scenario_posture_count(sc) && m->interrupts == 0; i++) {
        fs_posture_t p = fs_scenario_posture(sc, i);
        fs_run_config_t cfg = {
            .scenario = sc, .posture = p, .out_dir = dir, .bin_dir = bins, .janitor = m->janitor};
        fs_run_t *run = NULL;
        int rc;

        if (only && p != which)
            continue;
        snprintf(dir, sizeof(dir), "%s/%s", out, fs_posture_name(p));
        printf("failsmall: %s [%s] seed %llu: running (%.1f s of load)...\n", fs_scenario_name(sc),
               fs_posture_name(p), (unsigned long long)fs_scenario_seed(sc),
               (double)fs_scenario_duration_ms(sc) / 1000);
        fflush(stdout);
        err[0] = '\0';
        rc = fs_run_start(&m->loop, &cfg, run_done_cb, m, &run, err, sizeof(err));
        m->current = run;
        uv_run(&m->loop, UV_RUN_DEFAULT);
        m->current = NULL;
        if (rc < 0) {
            fprintf(stderr, "failsmall: %s [%s]: %s\n", fs_scenario_name(sc), fs_posture_name(p),
                    err);
            fs_run_free(run);
            worst = EXIT_USAGE;
            continue;
        }
        printf("failsmall: %s [%s]: %s in %.1f s; results: %s\n", fs_scenario_name(sc),
               fs_posture_name(p), status_text(fs_run_status(run)),
               (double)fs_run_wall_ms(run) / 1000, fs_run_results_path(run));
        if (fs_run_status(run) == FS_RUN_ERROR)
            fprintf(stderr, "failsmall: %s [%s]: %s (logs in %s/logs)\n", fs_scenario_name(sc),
                    fs_posture_name(p), fs_run_error(run), dir);
        switch (fs_run_status(run)) {
        case FS_RUN_FAILED:
            if (worst == EXIT_PASS)
                worst = EXIT_FAIL;
            break;
        case FS_RUN_ERROR:
            worst = EXIT_USAGE;
            break;
        case FS_RUN_ABORTED:
            if (worst != EXIT_USAGE)
                worst = EXIT_INTERRUPTED;
            break;
        default:
            break;
        }
        postures[nruns] = p;
        runs[nruns++] = run;
    }
    if (nruns > 0) {
        char warn[512] = "";
        fs_table_print(stdout, sc, runs, postures, nruns, m->colour);
        err[0] = '\0';
        if (fs_report_build(out, FS_REPORT_ALL, err, sizeof(err), warn, sizeof(warn)) < 0) {
            fprintf(stderr, "failsmall: reports: %s\n", err);
            worst = EXIT_USAGE;
        } else {
            printf("\nreport: %s/report.html (also summary.md, junit.xml, <posture>/charts/)\n",
                   out);
        }
        if (warn[0] != '\0')
            fprintf(stderr, "failsmall: warning: %s\n", warn);
    }
    for (size_t i = 0; i < nruns; i++)
        fs_run_free(runs[i]);
    return worst;
}

/* Several scenarios in one run: DIR/index.html and DIR/summary.md. */
static int suite_pages(const char *dir, fs_scenario_t *const *sc, size_t n)
{
    const char **rel = calloc(n, sizeof(*rel));
    char err[1024];
    int rc;

    if (rel == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        rel[i] = fs_scenario_name(sc[i]);
    rc = fs_report_build_suite(dir, rel, n, err, sizeof(err));
    if (rc < 0)
        fprintf(stderr, "failsmall: suite report: %s\n", err);
    else
        printf("suite: %s/index.html, %s/summary.md\n", dir, dir);
    free(rel);
    return rc;
}

static int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    unsigned formats = FS_REPORT_ALL;
    char err[1024], warn[512] = "";
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'f': {
            char *list = strdup(optarg), *save = NULL;
            formats = 0;
            for (char *f = strtok_r(list, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
                if (strcmp(f, "html") == 0)
                    formats |= FS_REPORT_HTML;
                else if (strcmp(f, "md") == 0)
                    formats |= FS_REPORT_MD;
                else if (strcmp(f, "junit") == 0)
                    formats |= FS_REPORT_JUNIT;
                else {
                    free(list);
                    return usage_error("--format: \"%s\": expected html, md and/or junit", optarg);
                }
            }
            free(list);
            if (formats == 0)
                return usage_error("--format: \"%s\": expected html, md and/or junit", optarg);
            break;
        }
        case 'h':
            printf("usage: failsmall report DIR [--format html,md,junit]\n"
                   "Rebuilds DIR's reports from DIR/<posture>/results.json alone. A DIR\n"
                   "without them that holds run folders (DIR/<scenario>/<posture>/results.json)\n"
                   "gets its suite index, DIR/index.html and DIR/summary.md, rebuilt instead.\n");
            return EXIT_PASS;
        default:
            return usage_error("%s", "report: bad option");
        }
    }
    if (optind != argc - 1)
        return usage_error("%s", "report: give exactly one run folder");
    rc = fs_report_build(argv[optind], formats, err, sizeof(err), warn, sizeof(warn));
    if (warn[0] != '\0')
        fprintf(stderr, "failsmall: warning: %s\n", warn);
    if (rc == -ENOENT) {
        /* No results of its own: a folder of run folders, if anything. */
        if ((rc = fs_report_build_suite_dir(argv[optind], err, sizeof(err))) < 0) {
            fprintf(stderr, "failsmall: %s\n", err);
            return EXIT_USAGE;
        }
        printf("%s: suite index rebuilt over %d scenario folder%s: %s/index.html, "
               "%s/summary.md\n",
               argv[optind], rc, rc == 1 ? "" : "s", argv[optind], argv[optind]);
        return EXIT_PASS;
    }
    if (rc < 0) {
        fprintf(stderr, "failsmall: %s\n", err);
        return EXIT_USAGE;
    }
    printf("%s: reports rebuilt from %d results file%s\n", argv[optind], rc, rc == 1 ? "" : "s");
    return EXIT_PASS;
}

static int cmd_run(int argc, char **argv, int colour)
{
    static const struct option opts[] = {{"posture", required_argument, NULL, 'p'},
                                         {"seed", required_argument, NULL, 's'},
                                         {"time-scale", required_argument, NULL, 't'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"max-config-bytes", required_argument, NULL, 'c'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    fs_scenario_opts_t so = {.time_scale = 1};
    fs__files_t files = {0};
    fs_scenario_t **sc = NULL;
    fs__main_t m = {.colour = colour};
    fs_posture_t which = FS_POSTURE_LEGACY;
    const char *out = NULL, *suite = "runs";
    char bins[PATH_MAX / 2], err[512], *end;
    int only = 0, c, rc = EXIT_USAGE, worst = EXIT_PASS;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (strcmp(optarg, "all") == 0)
                only = 0;
            else if (fs_posture_parse(optarg, &which) == 0)
                only = 1;
            else
                return usage_error("--posture: \"%s\": expected legacy, hardened or all", optarg);
            break;
        case 's':
            errno = 0;
            so.seed = strtoull(optarg, &end, 10);
            if (errno || *optarg < '0' || *optarg > '9' || *end != '\0' ||
                so.seed > FS_SCENARIO_MAX_SEED)
                return usage_error("--seed: \"%s\": expected an integer from 0 to 10^15-1", optarg);
            so.has_seed = 1;
            break;
        case 't':
            errno = 0;
            so.time_scale = strtod(optarg, &end);
            if (errno || end == optarg || *end != '\0' || !(so.time_scale > 0) ||
                so.time_scale > 1000)
                return usage_error("--time-scale: \"%s\": expected a number in (0, 1000]", optarg);
            break;
        case 'o':
            out = optarg;
            break;
        case 'c':
            if (parse_config_cap(optarg, &so) < 0)
                return EXIT_USAGE;
            break;
        case 'h':
            usage_run(stdout);
            return EXIT_PASS;
        default:
            return usage_error("%s", "run: bad option");
        }
    }
    if (optind >= argc)
        return usage_error("%s", "run: no scenario given");
    if (bin_dir(bins, sizeof(bins)) < 0) {
        fprintf(stderr, "failsmall: fs-exec is missing beside the failsmall executable in %s\n",
                bins);
        return EXIT_USAGE;
    }
    for (int i = optind; i < argc; i++)
        if (files_expand(&files, argv[i]) < 0) {
            fprintf(stderr, "failsmall: %s: %s\n", argv[i], strerror(errno));
            goto out;
        }
    if (files.nfiles == 0) {
        fprintf(stderr, "failsmall: no scenarios found\n");
        goto out;
    }
    if ((sc = calloc(files.nfiles, sizeof(*sc))) == NULL || load_all(&files, &so, sc) > 0)
        goto out;
    /* One scenario: --out is its folder. Several: --out holds theirs. */
    if (files.nfiles > 1) {
        suite = out ? out : "runs";
        out = NULL;
    }
    /* Before the loop has a thread: the janitor is a fork. */
    if (fs_janitor_start(&m.janitor, err, sizeof(err)) < 0) {
        fprintf(stderr, "failsmall: %s\n", err);
        goto out;
    }
    if (files.nfiles > 1)
        fs_janitor_watch_temps(m.janitor, suite, 0);
    uv_loop_init(&m.loop);
    signals_catch(&m);
    for (size_t i = 0; i < files.nfiles && m.interrupts == 0; i++) {
        int r = run_scenario(&m, sc[i], only, which, out, suite, bins);
        if (r == EXIT_USAGE || (r > worst && worst != EXIT_USAGE))
            worst = r;
    }
    if (files.nfiles > 1 && suite_pages(suite, sc, files.nfiles) < 0)
        worst = EXIT_USAGE;
    signals_release(&m);
    uv_run(&m.loop, UV_RUN_DEFAULT);
    uv_loop_close(&m.loop);
    rc = m.interrupts ? EXIT_INTERRUPTED : worst;
out:
    fs_janitor_close(m.janitor);
    for (size_t i = 0; sc && i < files.nfiles; i++)
        fs_scenario_free(sc[i]);
    free(sc);
    files_free(&files);
    return rc;
}

static int cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {{"max-config-bytes", required_argument, NULL, 'c'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    fs_scenario_opts_t so = {.time_scale = 1};
    fs__files_t files = {0};
    fs_scenario_t **sc = NULL;
    int bad = 0, c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (parse_config_cap(optarg, &so) < 0)
                return EXIT_USAGE;
            break;
        case 'h':
            printf("usage: failsmall validate SCENARIO.json|DIR... [--max-config-bytes N]\n"
                   "Checks every scenario without running it; errors name the file, the JSON\n"
                   "path and, for syntax errors, line:column. Exit 0 when all are valid, 2\n"
                   "otherwise. --max-config-bytes as for run.\n");
            return EXIT_PASS;
        default:
            return usage_error("%s", "validate: bad option");
        }
    }
    if (optind >= argc)
        return usage_error("%s", "validate: no scenario given");
    for (int i = optind; i < argc; i++)
        if (files_expand(&files, argv[i]) < 0)
            bad++;
    if ((sc = calloc(files.nfiles + 1, sizeof(*sc))) == NULL) {
        files_free(&files);
        return EXIT_USAGE;
    }
    bad += load_all(&files, &so, sc);
    for (size_t i = 0; i < files.nfiles; i++) {
        if (sc[i] != NULL)
            printf("%s: ok (%s, %zu faults)\n", files.files[i], fs_scenario_name(sc[i]),
                   fs_scenario_fault_count(sc[i]));
        fs_scenario_free(sc[i]);
    }
    free(sc);
    files_free(&files);
    return bad ? EXIT_USAGE : EXIT_PASS;
}

static int cmd_list(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "scenarios";
    fs_scenario_opts_t so = {.time_scale = 1};
    fs__files_t files = {0};
    char err[1024];
    int bad = 0;

    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        printf("usage: failsmall list [DIR]\nOne line per scenario in DIR (default scenarios/): "
               "name, title, fault kinds.\n");
        return EXIT_PASS;
    }
    if (files_expand(&files, dir) < 0) {
        fprintf(stderr, "failsmall: %s: %s\n", dir, strerror(errno));
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < files.nfiles; i++) {
        fs_scenario_t *sc;
        if (fs_scenario_load(files.files[i], &so, &sc, err, sizeof(err)) < 0) {
            fprintf(stderr, "failsmall: %s\n", err);
            bad++;
            continue;
        }
        printf("%-36s %s [", fs_scenario_name(sc), fs_scenario_title(sc));
        for (size_t f = 0; f < fs_scenario_fault_count(sc); f++) {
            const char *kind = fs_scenario_fault(sc, f)->ops->kind;
            int seen = 0;
            for (size_t g = 0; g < f; g++)
                seen |= strcmp(fs_scenario_fault(sc, g)->ops->kind, kind) == 0;
            if (!seen)
                printf("%s%s", f ? " " : "", kind);
        }
        printf("]\n");
        fs_scenario_free(sc);
    }
    files_free(&files);
    return bad ? EXIT_USAGE : EXIT_PASS;
}

int main(int argc, char **argv)
{
    struct rlimit core = {0, 0};
    int colour = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;

    /* A crashing fleet process must not litter the run folder with cores. */
    setrlimit(RLIMIT_CORE, &core);
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage_main(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage_main(stdout);
        return EXIT_PASS;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("failsmall %s\n", FS_VERSION);
        return EXIT_PASS;
    }
    if (strcmp(argv[1], "run") == 0)
        return cmd_run(argc - 1, argv + 1, colour);
    if (strcmp(argv[1], "validate") == 0)
        return cmd_validate(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return cmd_list(argc - 1, argv + 1);
    if (strcmp(argv[1], "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    return usage_error("unknown command \"%s\"", argv[1]);
}
