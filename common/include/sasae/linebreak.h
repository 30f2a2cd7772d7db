/* sasae linebreak: where to break the UI's English and Japanese text into lines. Pure: the
 * caller measures with its font. */
#ifndef SASAE_LINEBREAK_H
#define SASAE_LINEBREAK_H

#include <stddef.h>

/* Width in pixels of the UTF-8 bytes s[0..n) as one line. */
typedef int (*sasae_linebreak_width)(void *ctx, const char *s, size_t n);

/* How many bytes of text[0..len) go on a line no wider than maxw: at a space in English; in
 * Japanese between characters, but never before a small kana, the long-vowel mark or closing
 * punctuation, never after an opening bracket, and inside a katakana word only when nothing
 * else fits. At least one character, even one wider than maxw. *skip gets the number of
 * spaces after the line that the next line does not start with. Returns 0 for empty text. */
size_t sasae_linebreak(const char *text, size_t len, int maxw, sasae_linebreak_width width,
                       void *ctx, size_t *skip);

#endif
