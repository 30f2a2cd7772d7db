/* Line breaking for the UI's English and Japanese text (pure: no SDL, no fonts). */
#include "sasae/linebreak.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Decodes the UTF-8 character at s[i] (i < n); returns its length (1 for a stray byte). */
static size_t utf8_next(const char *s, size_t n, size_t i, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s + i;
    uint32_t c = u[0];
    if (c >= 0xf0 && i + 4 <= n)
        *cp = (c & 0x07) << 18 | (uint32_t)(u[1] & 0x3f) << 12 | (uint32_t)(u[2] & 0x3f) << 6 |
              (u[3] & 0x3f);
    else if (c >= 0xe0 && c < 0xf0 && i + 3 <= n)
        *cp = (c & 0x0f) << 12 | (uint32_t)(u[1] & 0x3f) << 6 | (u[2] & 0x3f);
    else if (c >= 0xc0 && c < 0xe0 && i + 2 <= n)
        *cp = (c & 0x1f) << 6 | (u[1] & 0x3f);
    else {
        *cp = c; /* ASCII, or a stray or truncated byte: one byte on its own */
        return 1;
    }
    return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
}

/* Ideographs, kana, CJK punctuation and full-width forms: text that breaks between any two
 * characters. */
static bool is_cjk(uint32_t c)
{
    return (c >= 0x3000 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) ||
           (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) ||
           (c >= 0xff00 && c <= 0xffef) || (c >= 0x31f0 && c <= 0x31ff);
}

static bool is_katakana(uint32_t c)
{
    return (c >= 0x30a1 && c <= 0x30fa) || c == 0x30fc || (c >= 0x31f0 && c <= 0x31ff) ||
           (c >= 0xff66 && c <= 0xff9f);
}

/* Characters that must not start a line (gyoto kinsoku): small kana, the long-vowel mark,
 * iteration marks, closing brackets and punctuation. */
static bool no_start(uint32_t c)
{
    static const uint32_t set[] = {
        0x3041, 0x3043, 0x3045, 0x3047, 0x3049, 0x3063, 0x3083, 0x3085, 0x3087, 0x308e,
        0x3095, 0x3096, 0x30a1, 0x30a3, 0x30a5, 0x30a7, 0x30a9, 0x30c3, 0x30e3, 0x30e5,
        0x30e7, 0x30ee, 0x30f5, 0x30f6, 0x30fc, 0x309d, 0x309e, 0x30fd, 0x30fe, 0x3005,
        0x3001, 0x3002, 0xff0c, 0xff0e, 0xff09, 0x300d, 0x300f, 0x3011, 0x3015, 0x3009,
        0x300b, 0x30fb, 0xff1a, 0xff1b, 0xff01, 0xff1f, 0xff5d, 0xff3d, ')',    ']',
        '}',    ',',    '.',    ':',    ';',    '!',    '?',
    };
    if (c >= 0x31f0 && c <= 0x31ff) /* small katakana extension */
        return true;
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        if (set[i] == c)
            return true;
    return false;
}

/* Characters that must not end a line (gyomatsu kinsoku): opening brackets. */
static bool no_end(uint32_t c)
{
    return c == 0x300c || c == 0x300e || c == 0x3010 || c == 0x3014 || c == 0x3008 || c == 0x300a ||
           c == 0xff08 || c == 0xff3b || c == 0xff5b || c == '(' || c == '[' || c == '{';
}

size_t sasae_linebreak(const char *text, size_t len, int maxw, sasae_linebreak_width width,
                       void *ctx, size_t *skip)
{
    *skip = 0;
    if (len == 0)
        return 0;
    if (width(ctx, text, len) <= maxw)
        return len;
    /* the longest prefix of whole characters that fits; at least one character */
    size_t fit = 0;
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        size_t next = i + utf8_next(text, len, i, &cp);
        if (fit > 0 && width(ctx, text, next) > maxw)
            break;
        fit = next;
        i = next;
    }
    /* the best break at or before fit: a space, else a boundary the Japanese rules allow
     * outside a katakana word, else one inside a katakana word */
    size_t best_space = 0, best_cjk = 0, best_kata = 0;
    uint32_t prev = 0;
    bool have_prev = false;
    for (size_t i = 0; i < len && i <= fit;) {
        size_t clen = utf8_next(text, len, i, &cp);
        if (cp == ' ' && i > 0)
            best_space = i;
        else if (have_prev && i > 0 && prev != ' ' && (is_cjk(prev) || is_cjk(cp)) &&
                 !no_start(cp) && !no_end(prev)) {
            if (is_katakana(prev) && is_katakana(cp))
                best_kata = i;
            else
                best_cjk = i;
        }
        prev = cp;
        have_prev = true;
        i += clen;
    }
    size_t cut = best_space > best_cjk ? best_space : best_cjk;
    if (cut == 0)
        cut = best_kata;
    if (cut == 0)
        cut = fit; /* one unbreakable word longer than the line */
    size_t s = cut;
    while (s < len && text[s] == ' ')
        s++;
    *skip = s - cut;
    /* trailing spaces before the break are not drawn either */
    while (cut > 1 && text[cut - 1] == ' ')
        cut--, (*skip)++;
    return cut;
}
