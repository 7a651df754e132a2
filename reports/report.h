/* The reports people read and CI understands, built from results.json
 * documents alone (docs/RESULTS.md) so `failsmall report DIR` can rebuild
 * them later. Every writer writes its file atomically (harness/atomic.h).
 *
 * A "run set" is the results of one scenario's postures, in the order they
 * ran: docs[i] is a parsed DIR/<posture>/results.json. */
#ifndef FS_REPORT_H
#define FS_REPORT_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* junit.xml: one <testsuite> per document (scenario × posture), one
 * <testcase> per expectation, a <failure> saying expected vs actual and the
 * cascade path. Loads in the common CI readers (checked against a JUnit XSD
 * with xmllint in the tests). Returns 0 or a negative code with err. */
int fs_report_junit(const cJSON *const *docs, size_t n, const char *path, char *err, size_t errlen);

/* summary.md, to fit a pull-request comment: verdict table (interfaces ×
 * postures, ✅/❌ against expectations), blast radius, times, the cascade
 * path as a chain, links to the charts. Charts are linked as
 * LINK_BASE<posture>/charts/<chart>.svg: "" for a summary in DIR, "../" for
 * one in DIR/<posture>. */
int fs_report_markdown(const cJSON *const *docs, size_t n, const char *link_base, const char *path,
                       char *err, size_t errlen);

/* Charts of one posture into dir (DIR/<posture>/charts): .dat + .gp files
 * that stay (anyone can re-run or restyle them), rendered to .svg and .png by
 * running gnuplot. Returns 0; 1 when gnuplot is missing (the .dat/.gp files
 * are still written and warn says so); a negative code on error. */
int fs_report_charts(const cJSON *doc, const char *dir, char *warn, size_t warnlen);

/* report.html: one self-contained file (inline CSS and SVG, no scripts from
 * elsewhere): title and description, the verdict table, the cascade drawn
 * over the fleet's dependency graph, the timeline, the charts (SVG read from
 * each posture's charts folder under base_dir and inlined when present);
 * postures side by side. */
int fs_report_html(const cJSON *const *docs, size_t n, const char *base_dir, const char *path,
                   char *err, size_t errlen);

/* Several scenarios in one run: DIR/index.html linking each scenario's
 * report.html, and DIR/summary.md with one verdict line per scenario.
 * sets[i] is scenario i's run set (nsets[i] documents) and rel[i] its
 * folder relative to DIR. */
int fs_report_suite(const cJSON *const *const *sets, const size_t *nsets, const char *const *rel,
                    size_t nscenarios, const char *dir, char *err, size_t errlen);

/* Formats for fs_report_build. */
#define FS_REPORT_HTML  1u /* report.html (+ charts) */
#define FS_REPORT_MD    2u /* summary.md (+ charts) */
#define FS_REPORT_JUNIT 4u /* junit.xml */
#define FS_REPORT_ALL   (FS_REPORT_HTML | FS_REPORT_MD | FS_REPORT_JUNIT)

/* Rebuilds the reports of one scenario's run folder from its
 * DIR/<posture>/results.json files alone: per posture junit.xml,
 * summary.md and charts/; in DIR the merged junit.xml, summary.md, the
 * legacy-vs-hardened chart and report.html. Warnings (no gnuplot) go to
 * warn; returns the number of postures found (> 0), -ENOENT when DIR holds
 * no results, or another negative code with err. */
int fs_report_build(const char *dir, unsigned formats, char *err, size_t errlen, char *warn,
                    size_t warnlen);

/* The suite pages (fs_report_suite) for the scenario folders rel[i]
 * (relative to dir), from their results files. Returns 0 or a negative
 * code with err. */
int fs_report_build_suite(const char *dir, const char *const *rel, size_t n, char *err,
                          size_t errlen);

/* The suite pages for every run folder directly in dir (a folder with
 * some <posture>/results.json), in name order: what `failsmall run` writes
 * after several scenarios, rebuilt, or written for scenarios run by
 * separate processes (make suite). Returns the number of run folders
 * (> 0), -ENOENT when there is none, or another negative code with err. */
int fs_report_build_suite_dir(const char *dir, char *err, size_t errlen);

/* Parses one results.json; errors name the file (and line:column). */
int fs_report_load(const char *path, cJSON **out, char *err, size_t errlen);

/* The same from buf[0..len) (what fs_report_load runs on the file's
 * bytes); name is only used in messages. */
int fs_report_parse(const char *buf, size_t len, const char *name, cJSON **out, char *err,
                    size_t errlen);

#endif
