/*
 * Showing stored values on a terminal. An id, a name or any other value
 * read from a list or the register is text a stranger may have written:
 * sent raw to a terminal, an escape sequence in it could move the cursor,
 * rewrite lines already shown or retitle the window. Every human-readable
 * line the command prints passes such values through here; CSV and JSON
 * outputs keep their own quoting and escaping.
 */
#ifndef CARTEL_TERM_H
#define CARTEL_TERM_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes s to fp for a terminal: bytes that could move the cursor, change
 * colours or rewrite the screen are shown escaped instead of sent. C0
 * controls and DEL become \xHH (tab and newline too: a value is one line),
 * C1 controls (U+0080..U+009F) become \u00HH, bytes that are not valid
 * UTF-8 become \xHH, and a backslash becomes \\ so that an escape cannot
 * be forged. Everything else, every script's letters included, is written
 * as it is. NULL writes nothing. Returns 0, or EOF when the write failed. */
int cartel_term_fputs(const char *s, FILE *fp);

/* The same escaping into a new malloc'd string, for printf-style output;
 * NULL for NULL or when out of memory. */
char *cartel_term_escape(const char *s);

#ifdef __cplusplus
}
#endif
#endif
