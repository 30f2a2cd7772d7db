/* Unit tests of the UI's line breaking: English at spaces, Japanese by the usual rules
 * (kinsoku: no small kana, long-vowel mark or closing punctuation at a line start, no
 * opening bracket at a line end, katakana words kept whole where they can be). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/linebreak.h"

/* A monospaced fake font: 10 px per ASCII byte, 20 px per other character. */
static int width(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    int w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80)
            w += 10;
        else if (c >= 0xc0)
            w += 20;
    }
    return w;
}

/* Breaks text into lines of at most maxw, joined with '/'. */
static void lines(const char *text, int maxw, char *out, size_t outlen)
{
    size_t len = strlen(text), pos = 0;
    out[0] = 0;
    while (pos < len) {
        size_t skip = 0;
        size_t n = sasae_linebreak(text + pos, len - pos, maxw, width, NULL, &skip);
        cr_assert(n > 0, "no progress at %zu", pos);
        cr_assert(n + skip <= len - pos);
        if (out[0])
            strncat(out, "/", outlen - strlen(out) - 1);
        strncat(out, text + pos, n < outlen - strlen(out) - 1 ? n : outlen - strlen(out) - 1);
        pos += n + skip;
    }
}

#define EXPECT(text, maxw, want)                                                                   \
    do {                                                                                           \
        char got[512];                                                                             \
        lines(text, maxw, got, sizeof got);                                                        \
        cr_assert_str_eq(got, want, "'%s' at %d px: got '%s'", text, maxw, got);                   \
    } while (0)

Test(linebreak, english_at_spaces)
{
    EXPECT("Read this code to the operator.", 100, "Read this/code to/the/operator.");
    EXPECT("fits", 100, "fits");
    EXPECT("", 100, "");
    EXPECT("a  b", 20, "a/b");
}

Test(linebreak, long_word_is_cut_not_lost)
{
    EXPECT("abcdefghij", 40, "abcd/efgh/ij");
    EXPECT("x", 1, "x"); /* one character wider than the line still goes out */
}

Test(linebreak, katakana_word_kept_whole)
{
    /* the defect: "デ / ィスプレイ" */
    EXPECT("あいうディスプレイ", 120, "あいう/ディスプレイ");
    EXPECT("画面とディスプレイの情報", 140, "画面と/ディスプレイの/情報");
}

Test(linebreak, no_small_kana_or_long_vowel_at_line_start)
{
    EXPECT("コピーする", 60, "コピー/する");
    /* a katakana word longer than the line: broken inside, but not before ッ or ー */
    EXPECT("ネットワークアダプター", 80, "ネット/ワークア/ダプター");
}

Test(linebreak, punctuation_rules)
{
    EXPECT("はい。そうです", 40, "は/い。/そう/です");
    EXPECT("これは「許可」です", 80, "これは/「許可」/です");
    EXPECT("許可、拒否", 40, "許/可、/拒否");
}

Test(linebreak, mixed_english_and_japanese)
{
    EXPECT("Windows の設定を開く", 140, "Windows の設定/を開く");
    EXPECT("「許可」を押すまで何も共有されません。", 200,
           "「許可」を押すまで何/も共有されません。");
    EXPECT("「許可」を押すまで何も共有されません。", 160,
           "「許可」を押すま/で何も共有されま/せん。");
}

Test(linebreak, broken_utf8_makes_progress)
{
    const char bad[] = "\xe3\x81\xff\xc0 abc \xe3";
    size_t len = sizeof bad - 1, pos = 0;
    int steps = 0;
    while (pos < len) {
        size_t skip = 0;
        size_t n = sasae_linebreak(bad + pos, len - pos, 15, width, NULL, &skip);
        cr_assert(n > 0 && n + skip <= len - pos);
        pos += n + skip;
        cr_assert(++steps < 50);
    }
}

Test(linebreak, random_text_always_progresses_within_bounds)
{
    static const char *const parts[] = {"a", " ", "ア", "ー", "ッ", "。", "「", "漢", "\xe3"};
    srand(7);
    for (int round = 0; round < 2000; round++) {
        char t[128] = "";
        int k = rand() % 20;
        for (int i = 0; i < k; i++)
            strcat(t, parts[rand() % 9]);
        size_t len = strlen(t), pos = 0;
        int maxw = 1 + rand() % 100;
        while (pos < len) {
            size_t skip = 0;
            size_t n = sasae_linebreak(t + pos, len - pos, maxw, width, NULL, &skip);
            cr_assert(n > 0 && n + skip <= len - pos, "round %d", round);
            pos += n + skip;
        }
    }
}
