#include "table.h"

#include <stdlib.h>
#include <string.h>

#define RED    "\033[31m"
#define YELLOW "\033[33m"
#define GREEN  "\033[32m"
#define BOLD   "\033[1m"
#define RESET  "\033[0m"

static const char *fs__table_colour(fs_verdict_t v)
{
    return v == FS_VERDICT_CASCADED ? RED : v == FS_VERDICT_FAILED_SMALL ? YELLOW : GREEN;
}

/* The expectation on what, if the run checked one: 1 held, 0 did not,
 * -1 none. */
static int fs__table_expect(const fs_table_col_t *c, const char *what)
{
    for (size_t i = 0; i < c->nexpect; i++)
        if (strcmp(c->expect[i].what, what) == 0)
            return c->expect[i].ok;
    return -1;
}

static const char *fs__table_mark(int expect)
{
    return expect < 0 ? "  " : expect ? "ok" : "XX";
}

/* ms -1 is "nothing to measure", any other negative "never came": before
 * the planned end, that is "stopped" — the run did not wait for it. */
static void fs__table_ms(char *buf, size_t len, int64_t ms, int ended_early)
{
    if (ms == -1)
        snprintf(buf, len, "-");
    else if (ms < 0)
        snprintf(buf, len, ended_early ? "stopped" : "never");
    else
        snprintf(buf, len, "%lld ms", (long long)ms);
}

static void fs__table_iface_row(FILE *out, fs_iface_t f, const fs_table_col_t *cols, size_t ncols,
                                int colour)
{
    char what[96];

    snprintf(what, sizeof(what), "interfaces.%s", fs_iface_name(f));
    fprintf(out, "%-24s", fs_iface_name(f));
    for (size_t p = 0; p < ncols; p++) {
        const fs_verdict_result_t *v = cols[p].verdict;
        const char *mark = fs__table_mark(fs__table_expect(&cols[p], what));
        if (v == NULL)
            fprintf(out, "  %-18s", "(no verdict)");
        else if (!cols[p].observed[f]) /* no traffic: "unaffected" would be a guess */
            fprintf(out, "  %-13s %s  ", "-", mark);
        else
            fprintf(out, "  %s%-13s%s %s  ", colour ? fs__table_colour(v->iface[f].verdict) : "",
                    fs_verdict_name(v->iface[f].verdict), colour ? RESET : "", mark);
    }
    fputc('\n', out);
}

/* The posture's closing line: its cascade path and expectations, or why
 * there is nothing to judge; then why it ended early, if it did. */
static void fs__table_outcome(FILE *out, const fs_table_col_t *c)
{
    const fs_verdict_result_t *v = c->verdict;
    size_t held = 0;
    int x;

    if (c->error != NULL && v == NULL) {
        fprintf(out, "%-9s harness error: %s\n", c->posture,
                c->error[0] ? c->error : "(no reason given: see the logs)");
        return;
    }
    if (c->interrupted != NULL && v == NULL) {
        fprintf(out, "%-9s %s before any verdict\n", c->posture, c->interrupted);
        return;
    }
    for (size_t i = 0; i < c->nexpect; i++)
        held += c->expect[i].ok != 0;
    fprintf(out, "%-9s cascade path: ", c->posture);
    for (int i = 0; v && i < v->cascade_len; i++)
        fprintf(out, "%s%s", i ? " -> " : "", fs_iface_name(v->cascade_path[i]));
    if (v == NULL || v->cascade_len == 0)
        fprintf(out, "(none)");
    else if (v->cascade_len == 1)
        fprintf(out, " (contained)");
    fprintf(out, "; expectations %zu/%zu held", held, c->nexpect);
    if (c->interrupted != NULL)
        fprintf(out, "; %s: partial results", c->interrupted);
    if (c->error != NULL)
        fprintf(out, "; harness error: %s", c->error);
    fputc('\n', out);
    if (c->stopped != NULL) {
        x = fs__table_expect(c, "aborted");
        fprintf(out, "%-9s stopped early by %s%s\n", c->posture, c->stopped,
                x > 0    ? " (expected)"
                : x == 0 ? " (not expected)"
                         : "");
    }
}

/* Whether any column has numbers to show: without, the rows would be dashes. */
static int fs__table_any_verdict(const fs_table_col_t *cols, size_t ncols)
{
    for (size_t p = 0; p < ncols; p++)
        if (cols[p].verdict != NULL || (cols[p].error == NULL && cols[p].interrupted == NULL))
            return 1;
    return 0;
}

void fs__table_print_cols(FILE *out, const char *name, const char *title,
                          const fs_table_col_t *cols, size_t ncols, int colour)
{
    char cell[64];

    fprintf(out, "\n%s%s%s - %s\n", colour ? BOLD : "", name, colour ? RESET : "",
            title ? title : name);
    if (ncols > 0 && !fs__table_any_verdict(cols, ncols)) {
        for (size_t p = 0; p < ncols; p++)
            fs__table_outcome(out, &cols[p]);
        return;
    }
    fprintf(out, "%-24s", "interface");
    for (size_t p = 0; p < ncols; p++)
        fprintf(out, "  %-18s", cols[p].posture);
    fputc('\n', out);
    for (int f = 0; f < FS_IF_COUNT; f++)
        fs__table_iface_row(out, (fs_iface_t)f, cols, ncols, colour);
    fprintf(out, "%-24s", "blast radius");
    for (size_t p = 0; p < ncols; p++) {
        const fs_verdict_result_t *v = cols[p].verdict;
        int x = fs__table_expect(&cols[p], "blast_radius.max");
        if (x < 0)
            x = fs__table_expect(&cols[p], "blast_radius.min");
        snprintf(cell, sizeof(cell), "%.4f", v ? v->blast_radius : 0.0);
        fprintf(out, "  %-13s %s  ", v ? cell : "-", fs__table_mark(x));
    }
    fputc('\n', out);
    fprintf(out, "%-24s", "time to detect");
    for (size_t p = 0; p < ncols; p++) {
        const fs_verdict_result_t *v = cols[p].verdict;
        fs__table_ms(cell, sizeof(cell), v ? v->time_to_detect_ms : -1,
                     cols[p].stopped || cols[p].interrupted);
        fprintf(out, "  %-13s %s  ", cell,
                fs__table_mark(fs__table_expect(&cols[p], "time_to_detect.max")));
    }
    fputc('\n', out);
    fprintf(out, "%-24s", "time to recover");
    for (size_t p = 0; p < ncols; p++) {
        const fs_verdict_result_t *v = cols[p].verdict;
        fs__table_ms(cell, sizeof(cell), v ? v->time_to_recover_ms : -1,
                     cols[p].stopped || cols[p].interrupted);
        fprintf(out, "  %-13s %s  ", cell,
                fs__table_mark(fs__table_expect(&cols[p], "time_to_recover.max")));
    }
    fputc('\n', out);
    fprintf(out, "%-24s", "degraded share");
    for (size_t p = 0; p < ncols; p++) {
        const fs_verdict_result_t *v = cols[p].verdict;
        snprintf(cell, sizeof(cell), "%.4f", v ? v->degraded_share : 0.0);
        fprintf(out, "  %-13s %s  ", v ? cell : "-",
                fs__table_mark(fs__table_expect(&cols[p], "degraded_share.max")));
    }
    fputc('\n', out);
    for (size_t p = 0; p < ncols; p++)
        fs__table_outcome(out, &cols[p]);
}

void fs_table_print(FILE *out, const fs_scenario_t *sc, fs_run_t *const *runs,
                    const fs_posture_t *postures, size_t nruns, int colour)
{
    fs_table_col_t *cols = calloc(nruns ? nruns : 1, sizeof(*cols));

    if (cols == NULL) {
        fprintf(out, "%s: (out of memory printing the verdict table)\n", fs_scenario_name(sc));
        return;
    }
    for (size_t p = 0; p < nruns; p++) {
        cols[p].posture = fs_posture_name(postures[p]);
        cols[p].verdict = fs_run_verdict(runs[p]);
        /* A run keeps its expectations in one array; fs_run_expect(run, 0)
         * is its start. */
        cols[p].nexpect = fs_run_expect_count(runs[p]);
        cols[p].expect = cols[p].nexpect ? fs_run_expect(runs[p], 0) : NULL;
        for (int f = 0; f < FS_IF_COUNT; f++)
            cols[p].observed[f] = fs_run_observed(runs[p], (fs_iface_t)f);
        if (fs_run_status(runs[p]) == FS_RUN_ERROR)
            cols[p].error = fs_run_error(runs[p]);
        if (fs_run_tripped(runs[p]) && fs_run_status(runs[p]) != FS_RUN_ABORTED)
            cols[p].stopped = fs_run_abort_reason(runs[p]);
        if (fs_run_status(runs[p]) == FS_RUN_ABORTED)
            cols[p].interrupted = fs_run_abort_reason(runs[p]);
    }
    fs__table_print_cols(out, fs_scenario_name(sc), fs_scenario_title(sc), cols, nruns, colour);
    free(cols);
}
