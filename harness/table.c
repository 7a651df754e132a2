#include "table.h"

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
static int fs__table_expect(const fs_run_t *run, const char *what)
{
    for (size_t i = 0; i < fs_run_expect_count(run); i++) {
        const fs_results_expect_t *x = fs_run_expect(run, i);
        if (strcmp(x->what, what) == 0)
            return x->ok;
    }
    return -1;
}

static const char *fs__table_mark(int expect)
{
    return expect < 0 ? "  " : expect ? "ok" : "XX";
}

static void fs__table_ms(char *buf, size_t len, int64_t ms)
{
    if (ms == -1)
        snprintf(buf, len, "-");
    else if (ms < 0)
        snprintf(buf, len, "never");
    else
        snprintf(buf, len, "%lld ms", (long long)ms);
}

void fs_table_print(FILE *out, const fs_scenario_t *sc, fs_run_t *const *runs,
                    const fs_posture_t *postures, size_t nruns, int colour)
{
    char cell[64], what[96];

    fprintf(out, "\n%s%s%s - %s\n", colour ? BOLD : "", fs_scenario_name(sc), colour ? RESET : "",
            fs_scenario_title(sc));
    fprintf(out, "%-24s", "interface");
    for (size_t p = 0; p < nruns; p++)
        fprintf(out, "  %-18s", fs_posture_name(postures[p]));
    fputc('\n', out);
    for (int f = 0; f < FS_IF_COUNT; f++) {
        fprintf(out, "%-24s", fs_iface_name((fs_iface_t)f));
        for (size_t p = 0; p < nruns; p++) {
            const fs_verdict_result_t *v = fs_run_verdict(runs[p]);
            int x;
            snprintf(what, sizeof(what), "interfaces.%s", fs_iface_name((fs_iface_t)f));
            x = fs__table_expect(runs[p], what);
            if (v == NULL) {
                fprintf(out, "  %-18s", "(no verdict)");
                continue;
            }
            fprintf(out, "  %s%-13s%s %s  ", colour ? fs__table_colour(v->iface[f].verdict) : "",
                    fs_verdict_name(v->iface[f].verdict), colour ? RESET : "", fs__table_mark(x));
        }
        fputc('\n', out);
    }
    fprintf(out, "%-24s", "blast radius");
    for (size_t p = 0; p < nruns; p++) {
        const fs_verdict_result_t *v = fs_run_verdict(runs[p]);
        int x = fs__table_expect(runs[p], "blast_radius.max");
        if (x < 0)
            x = fs__table_expect(runs[p], "blast_radius.min");
        snprintf(cell, sizeof(cell), "%.4f", v ? v->blast_radius : 0.0);
        fprintf(out, "  %-13s %s  ", v ? cell : "-", fs__table_mark(x));
    }
    fputc('\n', out);
    fprintf(out, "%-24s", "time to detect");
    for (size_t p = 0; p < nruns; p++) {
        const fs_verdict_result_t *v = fs_run_verdict(runs[p]);
        fs__table_ms(cell, sizeof(cell), v ? v->time_to_detect_ms : -1);
        fprintf(out, "  %-13s %s  ", cell,
                fs__table_mark(fs__table_expect(runs[p], "time_to_detect.max")));
    }
    fputc('\n', out);
    fprintf(out, "%-24s", "time to recover");
    for (size_t p = 0; p < nruns; p++) {
        const fs_verdict_result_t *v = fs_run_verdict(runs[p]);
        fs__table_ms(cell, sizeof(cell), v ? v->time_to_recover_ms : -1);
        fprintf(out, "  %-13s %s  ", cell,
                fs__table_mark(fs__table_expect(runs[p], "time_to_recover.max")));
    }
    fputc('\n', out);
    fprintf(out, "%-24s", "degraded share");
    for (size_t p = 0; p < nruns; p++) {
        const fs_verdict_result_t *v = fs_run_verdict(runs[p]);
        snprintf(cell, sizeof(cell), "%.4f", v ? v->degraded_share : 0.0);
        fprintf(out, "  %-13s %s  ", v ? cell : "-",
                fs__table_mark(fs__table_expect(runs[p], "degraded_share.max")));
    }
    fputc('\n', out);
    for (size_t p = 0; p < nruns; p++) {
        const fs_verdict_result_t *v = fs_run_verdict(runs[p]);
        size_t held = 0, n = fs_run_expect_count(runs[p]);
        for (size_t i = 0; i < n; i++)
            held += fs_run_expect(runs[p], i)->ok;
        fprintf(out, "%-9s cascade path: ", fs_posture_name(postures[p]));
        for (int i = 0; v && i < v->cascade_len; i++)
            fprintf(out, "%s%s", i ? " -> " : "", fs_iface_name(v->cascade_path[i]));
        if (v == NULL || v->cascade_len == 0)
            fprintf(out, "(none)");
        else if (v->cascade_len == 1)
            fprintf(out, " (contained)");
        fprintf(out, "; expectations %zu/%zu held\n", held, n);
    }
}
