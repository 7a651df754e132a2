/* Escaping for the report writers (into report_util's buffer): the
 * names, reasons and titles that come from results files. Those files may
 * have been edited by hand, so anything can be in them: markup characters,
 * control characters, bytes that are not UTF-8. Every writer's output must
 * still parse (XML) or render as written (Markdown). */
#ifndef FS_XML_H
#define FS_XML_H

#include <stddef.h>
#include <stdint.h>

#include "report_util.h"

/* Appends s escaped for XML 1.0 character data and attribute values alike:
 * & < > " ' as entities, tab/newline/CR as character references (so
 * attributes keep them), other control characters and U+FFFE/U+FFFF
 * dropped, bytes that are not UTF-8 as U+FFFD. NULL appends nothing. */
void fs_xml_escape(fs__report_buf_t *b, const char *s);

/* Appends s for Markdown (a GitHub PR comment, table cells included):
 * characters that would format, link, start math or end a cell get a
 * backslash, < and & become entities, control characters become spaces,
 * bytes that are not UTF-8 U+FFFD. */
void fs_xml_md_escape(fs__report_buf_t *b, const char *s);

/* Decodes one UTF-8 character at s (not at its NUL): stores the code point
 * in *cp and returns the bytes it took. An invalid, overlong, surrogate or
 * truncated sequence yields U+FFFD and takes 1 byte. */
size_t fs_xml_utf8_next(const char *s, uint32_t *cp);

#endif
