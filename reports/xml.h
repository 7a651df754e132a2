/* Text for the report writers: a growing buffer, and escaping for the
 * names, reasons and titles that come from results files. Those files may
 * have been edited by hand, so anything can be in them: markup characters,
 * control characters, bytes that are not UTF-8. Every writer's output must
 * still parse (XML) or render as written (Markdown). */
#ifndef FS_XML_H
#define FS_XML_H

#include <stddef.h>
#include <stdint.h>

/* A NUL-terminated text that grows as it is appended to. An allocation
 * failure sets oom and turns later appends into no-ops, so writers check
 * once at the end. Zero-initialise it; fs_xml_buf_free releases it. */
typedef struct {
    char *buf;
    size_t len, cap;
    int oom;
} fs_xml_buf_t;

/* Appends n bytes of s. */
void fs_xml_put(fs_xml_buf_t *b, const char *s, size_t n);

/* Appends the string s (nothing when NULL). */
void fs_xml_puts(fs_xml_buf_t *b, const char *s);

/* Appends printf-formatted text; the caller escapes what goes into it. */
void fs_xml_printf(fs_xml_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends s escaped for XML 1.0 character data and attribute values alike:
 * & < > " ' as entities, tab/newline/CR as character references (so
 * attributes keep them), other control characters and U+FFFE/U+FFFF
 * dropped, bytes that are not UTF-8 as U+FFFD. NULL appends nothing. */
void fs_xml_escape(fs_xml_buf_t *b, const char *s);

/* Appends s for Markdown (a GitHub PR comment, table cells included):
 * characters that would format, link, start math or end a cell get a
 * backslash, < and & become entities, control characters become spaces,
 * bytes that are not UTF-8 U+FFFD. */
void fs_xml_md_escape(fs_xml_buf_t *b, const char *s);

/* Decodes one UTF-8 character at s (not at its NUL): stores the code point
 * in *cp and returns the bytes it took. An invalid, overlong, surrogate or
 * truncated sequence yields U+FFFD and takes 1 byte. */
size_t fs_xml_utf8_next(const char *s, uint32_t *cp);

/* Writes the text to path atomically (harness/atomic.h) and frees the
 * buffer either way. Returns 0 or a negative code with err naming path. */
int fs_xml_buf_write(fs_xml_buf_t *b, const char *path, char *err, size_t errlen);

/* Releases the buffer; it can be used again (empty) afterwards. */
void fs_xml_buf_free(fs_xml_buf_t *b);

#endif
