/* The charts are gnuplot scripts over plain data files that stay beside the
 * pictures: the numbers can be checked, the style changed and the picture
 * rebuilt without failsmall. Each script renders itself twice, to SVG for
 * report.html and to PNG for everything else. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "charts.h"
#include "report_util.h"

#define FS_CHART_MAX_ARROWS 400
#define FS_CHART_MAX_FAULTS 64
#define FS_CHART_MAX_SERIES 16

/* Fixed colours per interface, so every chart and the dependency graph in
 * report.html agree on which line is which. */
static const struct {
    const char *iface, *colour;
} fs__chart_colours[] = {
    {"client->proxy", "#d62728"},      {"user->dashboard", "#9467bd"},
    {"proxy->botmod", "#ff7f0e"},      {"proxy->origin", "#2ca02c"},
    {"proxy->configstore", "#17becf"}, {"botmod->configstore", "#1f77b4"},
    {"dashboard->botmod", "#8c564b"},  {"dashboard->configstore", "#7f7f7f"},
};
static const char *const fs__chart_spare[] = {"#e377c2", "#bcbd22", "#393b79", "#637939"};
static const char *const fs__chart_posture_colours[] = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd"};

/* Which events a chart marks, in what colour, under which legend entry. */
static const struct {
    const char *kind, *colour, *label;
} fs__chart_marks[] = {
    {"process.exited", "#b03a2e", "process exit"},
    {"process.crash_loop", "#b03a2e", "process exit"},
    {"fault.signal", "#b03a2e", "process exit"},
    {"rollout.rolled_back", "#1e8449", "rollback"},
    {"rollout.rollback", "#1e8449", "rollback"},
    {"rollout.stage", "#2471a3", "rollout stage"},
    {"config.publish", "#7d3c98", "config publish"},
    {"config.publish_failed", "#7d3c98", "config publish"},
    {"fault.error", "#000000", "harness error"},
    {"run.abort", "#000000", "harness error"},
    {"run.error", "#000000", "harness error"},
};
#define FS_CHART_NMARKS (sizeof(fs__chart_marks) / sizeof(fs__chart_marks[0]))

typedef struct {
    double from_s, to_s;
} fs__chart_span_t;

/* A gnuplot single-quoted string: '' stands for a quote; control
 * characters would end the command, so they go. */
static void fs__chart_quote(fs__report_buf_t *b, const char *s)
{
    fs__report_buf_puts(b, "'");
    for (; s && *s; s++) {
        if (*s == '\'')
            fs__report_buf_puts(b, "''");
        else if ((unsigned char)*s >= 0x20 && *s != 0x7f)
            fs__report_buf_add(b, s, 1);
    }
    fs__report_buf_puts(b, "'");
}

static const char *fs__chart_colour(const char *iface, size_t *spare)
{
    for (size_t i = 0; i < sizeof(fs__chart_colours) / sizeof(fs__chart_colours[0]); i++) {
        if (strcmp(fs__chart_colours[i].iface, iface) == 0)
            return fs__chart_colours[i].colour;
    }
    return fs__chart_spare[(*spare)++ % (sizeof(fs__chart_spare) / sizeof(fs__chart_spare[0]))];
}

/* A column name for a .dat comment line: one word, printable. */
static void fs__chart_word(fs__report_buf_t *b, const char *s)
{
    fs__report_buf_puts(b, " ");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        fs__report_buf_add(b, c <= 0x20 || c == 0x7f ? "_" : s, 1);
    }
}

/* One .dat cell: buckets[field][i], or NaN when it holds no number. */
static void fs__chart_cell(fs__report_buf_t *b, const cJSON *buckets, const char *field, size_t i,
                           const char *fmt)
{
    double v;

    fs__report_buf_puts(b, " ");
    if (fs__report_bucket(buckets, field, i, &v) == 0)
        fs__report_buf_printf(b, fmt, v);
    else
        fs__report_buf_puts(b, "NaN");
}

static double fs__chart_bucket_s(const cJSON *doc)
{
    double ms = 100;
    const cJSON *slo = cJSON_GetObjectItemCaseSensitive(doc, "slo");

    if (fs__report_num(slo, "bucket_ms", &ms) != 0 || ms <= 0 || ms > 3600000)
        ms = 100;
    return ms / 1000.0;
}

static const cJSON *fs__chart_buckets(const cJSON *doc, const char *iface)
{
    const cJSON *ifs = cJSON_GetObjectItemCaseSensitive(doc, "interfaces");

    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ifs, iface),
                                            "buckets");
}

/* Buckets beyond a day of 1 ms buckets are not a run failsmall made. */
static size_t fs__chart_cap(size_t n)
{
    return n > 86400000 ? 86400000 : n;
}

/* One past the last bucket with calls: the trailing empty buckets (the
 * series run past the load to catch late answers) would only squeeze the
 * picture. */
static size_t fs__chart_used(const cJSON *buckets)
{
    size_t n = fs__chart_cap(fs__report_nbuckets(buckets));
    double calls;

    while (n > 0 && (fs__report_bucket(buckets, "calls", n - 1, &calls) != 0 || calls <= 0))
        n--;
    return n;
}

/* The x axis: the load's duration, or as far as calls go. */
static double fs__chart_xmax(const cJSON *doc, size_t used)
{
    double dur = 0, x = (double)used * fs__chart_bucket_s(doc);

    if (fs__report_num(doc, "duration_ms", &dur) == 0 && dur / 1000.0 > x && dur < 864e5)
        x = dur / 1000.0;
    return x > 0 ? x : 1;
}

/* Fault windows from fault.apply/fault.revert pairs (by source); a fault
 * never reverted lasts to the end; without such events, the document's
 * fault_window. */
static size_t fs__chart_faults(const cJSON *doc, double xmax, fs__chart_span_t *out)
{
    const char *open_src[FS_CHART_MAX_FAULTS];
    size_t n = 0;
    double t, a, e;
    const cJSON *ev, *fw;

    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(doc, "events"))
    {
        const char *kind = fs__report_str(ev, "kind"), *src = fs__report_str(ev, "source");

        if (kind == NULL || fs__report_num(ev, "t_ms", &t) != 0)
            continue;
        src = src ? src : "";
        if (strcmp(kind, "fault.apply") == 0 && n < FS_CHART_MAX_FAULTS) {
            open_src[n] = src;
            out[n].from_s = t / 1000.0;
            out[n++].to_s = -1;
        } else if (strcmp(kind, "fault.revert") == 0) {
            for (size_t i = 0; i < n; i++) {
                if (out[i].to_s < 0 && strcmp(open_src[i], src) == 0) {
                    out[i].to_s = t / 1000.0;
                    break;
                }
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (out[i].to_s < 0)
            out[i].to_s = xmax;
    }
    fw = cJSON_GetObjectItemCaseSensitive(doc, "fault_window");
    if (n == 0 && fs__report_num(fw, "start_ms", &a) == 0) {
        out[0].from_s = a / 1000.0;
        out[0].to_s = fs__report_num(fw, "end_ms", &e) == 0 ? e / 1000.0 : xmax;
        n = 1;
    }
    return n;
}

/* Terminal, ranges and the shaded fault windows (and grace period): what
 * every chart shares. Returns whether a fault window was drawn. */
static int fs__chart_head(fs__report_buf_t *gp, const char *name, const char *title,
                          const cJSON *doc, double xmax, int height)
{
    fs__chart_span_t spans[FS_CHART_MAX_FAULTS];
    size_t nspans = doc ? fs__chart_faults(doc, xmax, spans) : 0;
    const cJSON *fw = cJSON_GetObjectItemCaseSensitive(doc, "fault_window");
    double end, grace;
    int drawn = 0;

    fs__report_buf_printf(gp,
                          "# failsmall chart; re-render with `gnuplot %s.gp` in this folder.\n"
                          "# Data: %s.dat (one row per bucket; NaN = no calls).\n"
                          "set terminal svg size 900,%d fixed noenhanced font 'sans,13' "
                          "background '#ffffff'\n"
                          "set output '%s.svg'\n",
                          name, name, height, name);
    fs__report_buf_puts(gp, "set title ");
    fs__chart_quote(gp, title);
    fs__report_buf_printf(gp,
                          " noenhanced\n"
                          "set xlabel 'run time (s)'\n"
                          "set xrange [0:%.3f]\n"
                          "set border 3\nset tics nomirror\n"
                          "set key outside below center horizontal noenhanced samplen 2 "
                          "width 1\n",
                          xmax);
    for (size_t i = 0; i < nspans; i++) {
        double a = spans[i].from_s < 0 ? 0 : spans[i].from_s;
        double b = spans[i].to_s > xmax ? xmax : spans[i].to_s;
        if (b <= a)
            continue;
        fs__report_buf_printf(gp,
                              "set object rect from %.3f, graph 0 to %.3f, graph 1 behind "
                              "fc rgb '#d5d8dc' fs solid 0.6 noborder\n",
                              a, b);
        drawn = 1;
    }
    if (fs__report_num(fw, "end_ms", &end) == 0 &&
        fs__report_num(fw, "grace_end_ms", &grace) == 0 && grace > end && end >= 0 &&
        end / 1000.0 < xmax)
        fs__report_buf_printf(gp,
                              "set object rect from %.3f, graph 0 to %.3f, graph 1 behind "
                              "fc rgb '#eaecee' fs solid 0.6 noborder\n",
                              end / 1000.0, grace / 1000.0 > xmax ? xmax : grace / 1000.0);
    return drawn;
}

/* Thin vertical lines at the events that explain a chart; returns which
 * legend entries (fs__chart_marks indexes) were used, as bits. */
static unsigned fs__chart_events(fs__report_buf_t *gp, const cJSON *doc, double xmax)
{
    const cJSON *ev;
    unsigned used = 0, arrows = 0;
    double t;

    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(doc, "events"))
    {
        const char *kind = fs__report_str(ev, "kind");

        if (kind == NULL || fs__report_num(ev, "t_ms", &t) != 0 || t < 0 || t / 1000.0 > xmax)
            continue;
        for (size_t m = 0; m < FS_CHART_NMARKS && arrows < FS_CHART_MAX_ARROWS; m++) {
            if (strcmp(kind, fs__chart_marks[m].kind) != 0)
                continue;
            fs__report_buf_printf(gp,
                                  "set arrow from %.3f, graph 0 to %.3f, graph 1 nohead "
                                  "lc rgb '%s' lw 0.8 dt 3 front\n",
                                  t / 1000.0, t / 1000.0, fs__chart_marks[m].colour);
            used |= 1u << m;
            arrows++;
        }
    }
    return used;
}

/* Legend entries for the shading and the event marks (NaN plots draw
 * nothing but a key line). */
static void fs__chart_legend(fs__report_buf_t *gp, unsigned used, int faults)
{
    if (faults)
        fs__report_buf_puts(gp, ", NaN with lines lw 8 lc rgb '#d5d8dc' title 'fault window'");
    for (size_t m = 0; m < FS_CHART_NMARKS; m++) {
        int first = 1;
        if (!(used & (1u << m)))
            continue;
        for (size_t k = 0; k < m; k++) {
            if ((used & (1u << k)) &&
                strcmp(fs__chart_marks[k].label, fs__chart_marks[m].label) == 0)
                first = 0;
        }
        if (first)
            fs__report_buf_printf(gp, ", NaN with lines lw 1.2 dt 3 lc rgb '%s' title '%s'",
                                  fs__chart_marks[m].colour, fs__chart_marks[m].label);
    }
}

/* The PNG twin: pngcairo when gnuplot has it, the plain png terminal
 * otherwise. */
static void fs__chart_tail(fs__report_buf_t *gp, const char *name, int height)
{
    fs__report_buf_printf(gp,
                          "set output\n"
                          "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
                          "    set terminal pngcairo size 900,%d noenhanced font 'sans,9' "
                          "background '#ffffff'\n"
                          "} else {\n"
                          "    set terminal png size 900,%d noenhanced background '#ffffff'\n"
                          "}\n"
                          "set output '%s.png'\n"
                          "replot\n"
                          "set output\n",
                          height, height, name);
}

static int fs__chart_write(const char *dir, const char *file, const fs__report_buf_t *b, char *warn,
                           size_t warnlen)
{
    char path[4096];

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path)) {
        snprintf(warn, warnlen, "%s: path too long", dir);
        return -ENAMETOOLONG;
    }
    return fs__report_buf_write(b, path, warn, warnlen);
}

/* Per-interface health as swim lanes, one per interface that carried
 * traffic (entry interfaces on top): lines on one 0..1 axis hide each other
 * where they matter most, at 1.0. Buckets in a broken run are shaded. */
static void fs__chart_health(const cJSON *doc, fs__report_buf_t *dat, fs__report_buf_t *gp)
{
    const cJSON *ifs = cJSON_GetObjectItemCaseSensitive(doc, "interfaces"), *it;
    const cJSON *cols[FS_CHART_MAX_SERIES];
    const char *names[FS_CHART_MAX_SERIES];
    size_t ncols = 0, nb = 0, used = 0, spare = 0;
    double bs = fs__chart_bucket_s(doc), xmax;
    int height, faults;
    unsigned marks;

    cJSON_ArrayForEach(it, ifs)
    {
        double calls = 0;
        const cJSON *buckets = cJSON_GetObjectItemCaseSensitive(it, "buckets");
        size_t k = fs__chart_cap(fs__report_nbuckets(buckets)), u = fs__chart_used(buckets);

        if (it->string == NULL || ncols == FS_CHART_MAX_SERIES ||
            fs__report_num(cJSON_GetObjectItemCaseSensitive(it, "totals"), "calls", &calls) != 0 ||
            calls <= 0)
            continue;
        names[ncols] = it->string;
        cols[ncols++] = buckets;
        nb = k > nb ? k : nb;
        used = u > used ? u : used;
    }
    xmax = fs__chart_xmax(doc, used);
    fs__report_buf_puts(dat, "# t_s, then health (good / calls) of each interface, then "
                             "broken (1 inside a broken run)\n# t_s");
    for (int part = 0; part < 2; part++) {
        for (size_t c = 0; c < ncols; c++)
            fs__chart_word(dat, names[c]);
    }
    fs__report_buf_puts(dat, "\n");
    for (size_t i = 0; i < nb; i++) {
        fs__report_buf_printf(dat, "%.3f", (double)i * bs);
        for (size_t c = 0; c < ncols; c++)
            fs__chart_cell(dat, cols[c], "health", i, "%.4f");
        for (size_t c = 0; c < ncols; c++)
            fs__chart_cell(dat, cols[c], "broken", i, "%.0f");
        fs__report_buf_puts(dat, "\n");
    }

    height = 130 + 34 * (int)(ncols > 3 ? ncols : 3);
    faults = fs__chart_head(gp, "health", "Health per interface (good / calls per bucket)", doc,
                            xmax, height);
    fs__report_buf_printf(gp, "set yrange [-0.15:%zu]\nset ytics scale 0 (", ncols > 0 ? ncols : 1);
    /* Lane k (from the bottom) holds column c = ncols-1-k: 0 at k, 1.0 at
     * k+0.8. */
    for (size_t c = 0; c < ncols; c++) {
        fs__report_buf_puts(gp, c ? ", " : "");
        fs__chart_quote(gp, names[c]);
        fs__report_buf_printf(gp, " %.2f", (double)(ncols - 1 - c) + 0.4);
    }
    fs__report_buf_puts(gp, ")\n");
    for (size_t k = 0; k < ncols; k++)
        fs__report_buf_printf(gp,
                              "set arrow from graph 0, first %zu to graph 1, first %zu nohead "
                              "lc rgb '#bbbbbb' lw 0.5 back\n"
                              "set arrow from graph 0, first %zu.8 to graph 1, first %zu.8 "
                              "nohead lc rgb '#e5e5e5' lw 0.5 back\n",
                              k, k, k, k);
    if (ncols == 0)
        fs__report_buf_puts(gp, "set label 'no interface carried traffic' at graph 0.5, graph "
                                "0.5 center\n");
    marks = fs__chart_events(gp, doc, xmax);
    fs__report_buf_puts(gp, "plot NaN notitle");
    for (size_t c = 0; c < ncols && nb > 0; c++) {
        size_t k = ncols - 1 - c;
        fs__report_buf_printf(gp,
                              ", 'health.dat' using 1:(%zu):1:($1+%.3f):(%zu):(column(%zu) > 0 ? "
                              "%zu.9 : %zu) with boxxyerror fs solid 0.55 noborder "
                              "fc rgb '#f1948a' notitle",
                              k, bs, k, c + 2 + ncols, k, k);
        fs__report_buf_printf(gp,
                              ", 'health.dat' using 1:(%zu + 0.8 * column(%zu)) with steps lw 1.6 "
                              "lc rgb '%s' notitle",
                              k, c + 2, fs__chart_colour(names[c], &spare));
    }
    if (ncols > 0)
        fs__report_buf_puts(gp, ", NaN with lines lw 8 lc rgb '#f1948a' title 'broken run'");
    fs__chart_legend(gp, marks, faults);
    fs__report_buf_puts(gp, "\n");
    fs__chart_tail(gp, "health", height);
}

/* A latency cell: NaN unless positive (the log axis cannot show 0) and
 * below 10^9 ms (the axis range must stay finite); lo/hi collect the
 * range. */
static void fs__chart_latency(fs__report_buf_t *b, const cJSON *buckets, const char *field,
                              size_t i, double *lo, double *hi)
{
    double v;

    if (fs__report_bucket(buckets, field, i, &v) != 0 || v <= 0 || v > 1e9) {
        fs__report_buf_puts(b, " NaN");
        return;
    }
    fs__report_buf_printf(b, " %.3f", v);
    *lo = *lo == 0 || v < *lo ? v : *lo;
    *hi = v > *hi ? v : *hi;
}

/* What users felt: success of the two entry interfaces, and the proxy's
 * latency on a log-scaled second axis. */
static void fs__chart_users(const cJSON *doc, fs__report_buf_t *dat, fs__report_buf_t *gp)
{
    const cJSON *cp = fs__chart_buckets(doc, "client->proxy");
    const cJSON *ud = fs__chart_buckets(doc, "user->dashboard");
    size_t nb = fs__report_nbuckets(cp) > fs__report_nbuckets(ud) ? fs__report_nbuckets(cp)
                                                                  : fs__report_nbuckets(ud);
    size_t used = fs__chart_used(cp) > fs__chart_used(ud) ? fs__chart_used(cp) : fs__chart_used(ud);
    double bs = fs__chart_bucket_s(doc), xmax = fs__chart_xmax(doc, used), lo = 0, hi = 0;
    int faults;
    unsigned marks;

    nb = fs__chart_cap(nb);
    fs__report_buf_puts(dat, "# t_s client->proxy_health user->dashboard_health "
                             "client->proxy_p50_ms client->proxy_p99_ms "
                             "user->dashboard_p50_ms user->dashboard_p99_ms\n");
    for (size_t i = 0; i < nb; i++) {
        fs__report_buf_printf(dat, "%.3f", (double)i * bs);
        fs__chart_cell(dat, cp, "health", i, "%.4f");
        fs__chart_cell(dat, ud, "health", i, "%.4f");
        fs__chart_latency(dat, cp, "p50_ms", i, &lo, &hi);
        fs__chart_latency(dat, cp, "p99_ms", i, &lo, &hi);
        fs__chart_latency(dat, ud, "p50_ms", i, &lo, &hi);
        fs__chart_latency(dat, ud, "p99_ms", i, &lo, &hi);
        fs__report_buf_puts(dat, "\n");
    }

    faults = fs__chart_head(gp, "users", "What users felt: success and latency", doc, xmax, 360);
    /* A fixed latency range: gnuplot stops on an autoscaled log axis
     * without a single point. */
    if (lo <= 0)
        lo = 1, hi = 1000;
    fs__report_buf_printf(gp,
                          "set grid ytics lc rgb '#e5e5e5'\n"
                          "set ylabel 'success (good / calls)'\nset yrange [0:1.05]\n"
                          "set y2label 'latency (ms, log scale)'\nset logscale y2\n"
                          "set y2range [%.4g:%.4g]\nset y2tics\n",
                          lo / 2, hi * 2);
    marks = fs__chart_events(gp, doc, xmax);
    fs__report_buf_puts(gp, "plot NaN notitle");
    if (nb > 0)
        fs__report_buf_puts(
            gp, ", 'users.dat' using 1:4 axes x1y2 with lines lw 1 lc rgb '#85929e' title "
                "'client->proxy p50'"
                ", 'users.dat' using 1:5 axes x1y2 with lines lw 1 dt 2 lc rgb '#34495e' title "
                "'client->proxy p99'"
                ", 'users.dat' using 1:3 with steps lw 2 lc rgb '#9467bd' title "
                "'user->dashboard success'"
                ", 'users.dat' using 1:2 with steps lw 2 lc rgb '#d62728' title "
                "'client->proxy success'");
    fs__chart_legend(gp, marks, faults);
    fs__report_buf_puts(gp, "\n");
    fs__chart_tail(gp, "users", 360);
}

/* gnuplot writes the pictures itself, so they cannot go through
 * fs_atomic_write: after a failed (or killed) gnuplot whatever it left is
 * removed, a half-drawn picture must not pass for a chart; after a good one
 * the pictures and the directory are fsynced, as fs_atomic_write would.
 * Returns rc, or the fsync's error. */
static int fs__chart_settle(const char *dir, const char *name, int rc, char *warn, size_t warnlen)
{
    for (int k = 0; k < 2; k++) {
        char path[4096];
        int fd;

        snprintf(path, sizeof(path), "%s/%s.%s", dir, name, k ? "png" : "svg");
        if (rc < 0) {
            unlink(path);
            continue;
        }
        if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
            continue; /* not drawn: nothing to sync */
        if (fsync(fd) < 0) {
            rc = -errno;
            snprintf(warn, warnlen, "%s: fsync: %s", path, strerror(-rc));
        }
        close(fd);
    }
    if (rc == 0)
        rc = fs_fsync_dir(dir, warn, warnlen);
    return rc;
}

/* Writes name.dat and name.gp; renders them when gnuplot was found. */
static int fs__chart_emit(const char *dir, const char *name, fs__report_buf_t *dat,
                          fs__report_buf_t *gp, const char *gnuplot, char *warn, size_t warnlen)
{
    char file[64];
    int rc;

    snprintf(file, sizeof(file), "%s.dat", name);
    if ((rc = fs__chart_write(dir, file, dat, warn, warnlen)) < 0)
        return rc;
    snprintf(file, sizeof(file), "%s.gp", name);
    if ((rc = fs__chart_write(dir, file, gp, warn, warnlen)) < 0)
        return rc;
    /* Pictures of an earlier run must not pass for this one's. */
    for (int k = 0; k < 2; k++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s.%s", dir, name, k ? "png" : "svg");
        unlink(path);
    }
    if (gnuplot == NULL)
        return 0;
    rc = fs__report_gnuplot_run(gnuplot, dir, file, warn, warnlen);
    return fs__chart_settle(dir, name, rc, warn, warnlen);
}

static int fs__chart_begin(const char *dir, char *gnuplot, size_t len, char *warn, size_t warnlen)
{
    int rc = fs_mkdirs(dir, warn, warnlen);

    if (rc < 0)
        return rc;
    return fs__report_gnuplot_find(gnuplot, len) == 0 ? 0 : 1;
}

static void fs__chart_no_gnuplot(const char *dir, char *warn, size_t warnlen)
{
    snprintf(warn, warnlen,
             "gnuplot not found on PATH: charts not rendered (the .dat and .gp files are in %s)",
             dir);
}

int fs_report_charts(const cJSON *doc, const char *dir, char *warn, size_t warnlen)
{
    fs__report_buf_t dat = {0}, gp = {0};
    char gnuplot[4096];
    int have, rc;

    if (warnlen > 0)
        warn[0] = '\0';
    if ((rc = fs__chart_begin(dir, gnuplot, sizeof(gnuplot), warn, warnlen)) < 0)
        return rc;
    have = rc == 0;
    fs__chart_health(doc, &dat, &gp);
    if ((rc = fs__chart_emit(dir, "health", &dat, &gp, have ? gnuplot : NULL, warn, warnlen)) < 0)
        goto done;
    fs__report_buf_free(&dat);
    fs__report_buf_free(&gp);
    fs__chart_users(doc, &dat, &gp);
    if ((rc = fs__chart_emit(dir, "users", &dat, &gp, have ? gnuplot : NULL, warn, warnlen)) < 0)
        goto done;
    if (!have) {
        fs__chart_no_gnuplot(dir, warn, warnlen);
        rc = 1;
    }

done:
    fs__report_buf_free(&dat);
    fs__report_buf_free(&gp);
    return rc;
}

int fs__report_charts_compare(const cJSON *const *docs, size_t n, const char *dir, char *warn,
                              size_t warnlen)
{
    static const char *const entry[] = {"client->proxy", "user->dashboard"};
    fs__report_buf_t dat = {0}, gp = {0};
    char gnuplot[4096];
    size_t nb = 0, used = 0, col = 2;
    double xmax = 1, bs = n > 0 ? fs__chart_bucket_s(docs[0]) : 0.1;
    int have, faults, rc;

    if (warnlen > 0)
        warn[0] = '\0';
    if ((rc = fs__chart_begin(dir, gnuplot, sizeof(gnuplot), warn, warnlen)) < 0)
        return rc;
    have = rc == 0;
    n = n > FS_CHART_MAX_SERIES ? FS_CHART_MAX_SERIES : n;
    for (size_t d = 0; d < n; d++) {
        for (int e = 0; e < 2; e++) {
            const cJSON *b = fs__chart_buckets(docs[d], entry[e]);
            size_t k = fs__chart_cap(fs__report_nbuckets(b)), u = fs__chart_used(b);
            nb = k > nb ? k : nb;
            used = u > used ? u : used;
        }
    }
    for (size_t d = 0; d < n; d++) {
        double x = fs__chart_xmax(docs[d], used);
        xmax = x > xmax ? x : xmax;
    }

    fs__report_buf_puts(&dat, "# t_s, then health (good / calls) of each posture's\n# t_s");
    for (int e = 0; e < 2; e++) {
        for (size_t d = 0; d < n; d++) {
            const char *p = fs__report_str(docs[d], "posture");
            fs__report_buf_printf(&dat, " %s:%s", fs__report_safe_name(p) ? p : "posture",
                                  entry[e]);
        }
    }
    fs__report_buf_puts(&dat, "\n");
    for (size_t i = 0; i < nb; i++) {
        fs__report_buf_printf(&dat, "%.3f", (double)i * bs);
        for (int e = 0; e < 2; e++) {
            for (size_t d = 0; d < n; d++)
                fs__chart_cell(&dat, fs__chart_buckets(docs[d], entry[e]), "health", i, "%.4f");
        }
        fs__report_buf_puts(&dat, "\n");
    }

    faults = fs__chart_head(&gp, "compare", "User-facing success, postures on the same axes",
                            n > 0 ? docs[0] : NULL, xmax, 360);
    fs__report_buf_puts(&gp, "set grid ytics lc rgb '#e5e5e5'\n"
                             "set ylabel 'success (good / calls)'\nset yrange [0:1.05]\n"
                             "plot NaN notitle");
    for (int e = 0; e < 2 && nb > 0; e++) {
        for (size_t d = 0; d < n; d++, col++) {
            const char *p = fs__report_str(docs[d], "posture");
            char title[160];

            snprintf(title, sizeof(title), "%.64s %s", p ? p : "?", entry[e]);
            fs__report_buf_printf(&gp,
                                  ", 'compare.dat' using 1:%zu with steps lw %s dt %d "
                                  "lc rgb '%s' title ",
                                  col, e ? "1.2" : "2", e ? 2 : 1,
                                  fs__chart_posture_colours[d % 4]);
            fs__chart_quote(&gp, title);
        }
    }
    fs__chart_legend(&gp, 0, faults);
    fs__report_buf_puts(&gp, "\n");
    fs__chart_tail(&gp, "compare", 360);
    if ((rc = fs__chart_emit(dir, "compare", &dat, &gp, have ? gnuplot : NULL, warn, warnlen)) < 0)
        goto done;
    if (!have) {
        fs__chart_no_gnuplot(dir, warn, warnlen);
        rc = 1;
    }

done:
    fs__report_buf_free(&dat);
    fs__report_buf_free(&gp);
    return rc;
}
