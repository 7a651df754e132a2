/* Internal chart helpers: the comparison chart (fs_report_charts renders
 * one posture's charts; this one puts every posture of a scenario on the
 * same axes). */
#ifndef FS_REPORT_CHARTS_H
#define FS_REPORT_CHARTS_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* compare.dat + compare.gp in dir (DIR/charts), rendered to compare.svg and
 * compare.png: client->proxy (solid) and user->dashboard (dashed) health of
 * each of the n documents on one plot, the first one's fault windows
 * shaded. Returns as fs_report_charts: 0, 1 without gnuplot (warn says so),
 * or a negative code with warn. */
int fs__report_charts_compare(const cJSON *const *docs, size_t n, const char *dir, char *warn,
                              size_t warnlen);

/* Looks gnuplot up on PATH: 0 with its path in out, or -ENOENT. */
int fs__report_gnuplot_find(char *out, size_t len);

/* Runs `gnuplot script` in dir (the script names its outputs relative to
 * it), at most 60 s. Returns 0, or a negative code with warn quoting the
 * first line gnuplot printed. */
int fs__report_gnuplot_run(const char *gnuplot, const char *dir, const char *script, char *warn,
                           size_t warnlen);

#endif
