/* A strict check of JSON text written by hand, ahead of cJSON.
 *
 * cJSON takes more than RFC 8259 allows (raw control characters in strings,
 * "01", "+1", ".5", bytes that are not UTF-8), decodes "\u0000" and a bad
 * "\u" escape into a NUL that silently cuts a string short, reports some
 * errors one byte late and says only "syntax error". fs_jtext_check says
 * what is wrong and at which byte, and bounds the nesting far below
 * cJSON's recursion limit. */
#ifndef FS_JSONTEXT_H
#define FS_JSONTEXT_H

#include <stddef.h>
#include <stdint.h>

#define FS_JTEXT_DEPTH_MAX 256 /* the most max_depth may be */

/* Checks that buf[0, len) is exactly one JSON value by RFC 8259 (whitespace
 * around it allowed), valid UTF-8 throughout, without "\u0000" or unpaired
 * surrogates in strings, and with at most max_depth (1..FS_JTEXT_DEPTH_MAX)
 * arrays and objects nested in one another. Returns 0; -ENODATA when buf
 * holds nothing but whitespace; or -EINVAL with *off set to the offending
 * byte and what filled ("trailing comma before '}'"). */
int fs_jtext_check(const char *buf, size_t len, unsigned max_depth, size_t *off, char *what,
                   size_t whatlen);

/* The length (2..4) of the well-formed UTF-8 sequence of a code point
 * above U+007F at s[0, n), its code point in *cp; or 0: no overlong forms,
 * no surrogates, nothing above U+10FFFF. Stops at the first byte that is
 * not a continuation, so a NUL-terminated s may be given n = 4. */
size_t fs_jtext_utf8(const unsigned char *s, size_t n, uint32_t *cp);

#endif
