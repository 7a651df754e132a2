/* Internal pieces of report.html, kept in their own files: the dependency
 * graph drawing and the inlining of gnuplot's SVG charts. */
#ifndef FS_REPORT_HTML_H
#define FS_REPORT_HTML_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "report_util.h"

/* Appends an inline <svg> of the fleet's dependency graph for one posture:
 * the eight service interfaces coloured by verdict (broken or cascaded red,
 * failed_small amber, unaffected grey), the cascade path thick and numbered
 * from the fault towards users. idx keeps the SVG's ids unique in a page. */
void fs__html_graph(fs__report_buf_t *b, const cJSON *doc, size_t idx);

/* Appends the SVG file at path as inline markup: prolog, doctype, comments
 * and namespace URLs dropped, ids prefixed with prefix (several charts share
 * gnuplot's ids). Returns 0, 1 when the file does not exist, or a negative
 * code when it cannot be read or holds what a self-contained page must not
 * (scripts, event handlers, external references); nothing is appended then. */
int fs__html_inline_svg(fs__report_buf_t *b, const char *path, const char *prefix);

#endif
