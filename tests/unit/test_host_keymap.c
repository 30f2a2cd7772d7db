/* Tests for host/keymap.c: X11 keysyms to PC keys (scan code, E0, virtual key) for the
 * Windows injector, on US and Japanese (JIS) keyboards. */
#include <criterion/criterion.h>
#include <string.h>

#include "keymap.h"

static struct keymap_pos key(uint32_t ks)
{
    struct keymap_pos p = {0};
    cr_assert(keymap_key(ks, &p), "keysym %#x is no key", ks);
    return p;
}

static struct keymap_pos ch(uint32_t ks, enum keymap_layout l)
{
    struct keymap_pos p = {0};
    cr_assert(keymap_char(ks, l, &p), "keysym %#x has no key on layout %d", ks, (int)l);
    return p;
}

static void expect_char(uint32_t ks, enum keymap_layout l, uint16_t scan, bool shift, uint8_t vk)
{
    struct keymap_pos p = ch(ks, l);
    cr_expect_eq(p.scan, scan, "'%c' on %d: scan %#x, want %#x", (int)ks, (int)l, p.scan, scan);
    cr_expect_eq(p.shift, shift, "'%c' on %d: shift %d", (int)ks, (int)l, p.shift);
    cr_expect_eq(p.vk, vk, "'%c' on %d: vk %#x, want %#x", (int)ks, (int)l, p.vk, vk);
    cr_expect_not(p.extended);
    cr_expect_not(p.by_vk);
}

Test(keymap, letters_same_on_both_layouts)
{
    for (int l = KEYMAP_US; l <= KEYMAP_JIS; l++) {
        expect_char('q', l, 0x10, false, 'Q');
        expect_char('P', l, 0x19, true, 'P');
        expect_char('a', l, 0x1e, false, 'A');
        expect_char('l', l, 0x26, false, 'L');
        expect_char('z', l, 0x2c, false, 'Z');
        expect_char('M', l, 0x32, true, 'M');
        expect_char('1', l, 0x02, false, '1');
        expect_char('0', l, 0x0b, false, '0');
        expect_char(' ', l, 0x39, false, 0x20);
    }
}

Test(keymap, punctuation_us)
{
    expect_char('@', KEYMAP_US, 0x03, true, '2');
    expect_char('`', KEYMAP_US, 0x29, false, 0xc0);
    expect_char('~', KEYMAP_US, 0x29, true, 0xc0);
    expect_char('\\', KEYMAP_US, 0x2b, false, 0xdc);
    expect_char('|', KEYMAP_US, 0x2b, true, 0xdc);
    expect_char('_', KEYMAP_US, 0x0c, true, 0xbd);
    expect_char(':', KEYMAP_US, 0x27, true, 0xba);
    expect_char('\'', KEYMAP_US, 0x28, false, 0xde);
    expect_char('^', KEYMAP_US, 0x07, true, '6');
    expect_char('=', KEYMAP_US, 0x0d, false, 0xbb);
}

Test(keymap, punctuation_jis)
{
    expect_char('@', KEYMAP_JIS, 0x1a, false, 0xc0);
    expect_char('`', KEYMAP_JIS, 0x1a, true, 0xc0);
    expect_char('^', KEYMAP_JIS, 0x0d, false, 0xde);
    expect_char('~', KEYMAP_JIS, 0x0d, true, 0xde);
    expect_char('=', KEYMAP_JIS, 0x0c, true, 0xbd);
    expect_char(':', KEYMAP_JIS, 0x28, false, 0xba);
    expect_char('*', KEYMAP_JIS, 0x28, true, 0xba);
    expect_char(';', KEYMAP_JIS, 0x27, false, 0xbb);
    expect_char('+', KEYMAP_JIS, 0x27, true, 0xbb);
    expect_char('[', KEYMAP_JIS, 0x1b, false, 0xdb);
    expect_char(']', KEYMAP_JIS, 0x2b, false, 0xdd);
    expect_char('"', KEYMAP_JIS, 0x03, true, '2');
    expect_char('\'', KEYMAP_JIS, 0x08, true, '7');
    /* backslash is the ろ key, so Shift+\ is _ as on the operator's JIS keyboard */
    expect_char('\\', KEYMAP_JIS, 0x73, false, 0xe2);
    expect_char('_', KEYMAP_JIS, 0x73, true, 0xe2);
    expect_char('|', KEYMAP_JIS, 0x7d, true, 0xdc);
}

/* Every printable ASCII character has exactly one key (+ Shift) on each layout, and no key
 * (+ Shift) types two of them. */
Test(keymap, ascii_is_a_bijection_on_each_layout)
{
    for (int l = KEYMAP_US; l <= KEYMAP_JIS; l++) {
        static uint8_t seen[0x80][2];
        memset(seen, 0, sizeof seen);
        for (uint32_t c = 0x20; c <= 0x7e; c++) {
            struct keymap_pos p = ch(c, l);
            cr_assert_lt(p.scan, 0x80, "'%c': scan %#x", (int)c, p.scan);
            cr_assert_eq(seen[p.scan][p.shift], 0, "layout %d: '%c' and '%c' share scan %#x%s", l,
                         seen[p.scan][p.shift], (int)c, p.scan, p.shift ? "+Shift" : "");
            seen[p.scan][p.shift] = (uint8_t)c;
            cr_assert_neq(p.vk, 0, "'%c' has no virtual key", (int)c);
        }
    }
}

Test(keymap, japanese_keys)
{
    cr_assert_eq(key(0xff2a).scan, 0x29); /* 半角/全角 */
    cr_assert_eq(key(0xff23).scan, 0x79); /* 変換 */
    cr_assert_eq(key(0xff23).vk, 0x1c);   /* VK_CONVERT */
    cr_assert_eq(key(0xff22).scan, 0x7b); /* 無変換 */
    cr_assert_eq(key(0xff22).vk, 0x1d);   /* VK_NONCONVERT */
    cr_assert_eq(key(0xff27).scan, 0x70); /* カタカナ/ひらがな */
    cr_assert_eq(key(0x00a5).scan, 0x7d); /* ¥ */
    cr_assert_eq(key(0x04db).scan, 0x73); /* ろ */
    cr_assert_eq(key(0xff30).scan, 0x3a); /* 英数 */
    for (uint32_t ks = 0xff21; ks <= 0xff2a; ks++) {
        struct keymap_pos p;
        if (keymap_key(ks, &p))
            cr_assert_not(p.extended, "JIS key %#x is not E0", ks);
    }
}

Test(keymap, navigation_modifiers_function_keypad)
{
    struct keymap_pos p = key(0xff53); /* Right */
    cr_assert_eq(p.scan, 0x4d);
    cr_assert(p.extended);
    cr_assert_eq(p.vk, 0x27);
    cr_assert(key(0xffe4).extended);     /* Control_R */
    cr_assert_not(key(0xffe3).extended); /* Control_L */
    cr_assert(key(0xffea).extended);     /* Alt_R */
    cr_assert(key(0xffeb).extended);     /* Super_L */
    cr_assert_eq(key(0xffe2).scan, 0x36);
    cr_assert_not(key(0xffe2).extended);  /* Shift_R is not E0 */
    cr_assert_eq(key(0xffbe).scan, 0x3b); /* F1 */
    cr_assert_eq(key(0xffbe).vk, 0x70);
    cr_assert_eq(key(0xffc7).scan, 0x44); /* F10 */
    cr_assert_eq(key(0xffc8).scan, 0x57); /* F11 */
    cr_assert_eq(key(0xffc9).scan, 0x58); /* F12 */
    cr_assert_eq(key(0xffca).scan, 0x64); /* F13 */
    cr_assert_eq(key(0xffd5).scan, 0x76); /* F24 */
    cr_assert_eq(key(0xffd5).vk, 0x87);
    cr_assert_eq(key(0xffb5).scan, 0x4c); /* KP_5 */
    cr_assert_not(key(0xffb7).extended);  /* KP_7 shares Home's scan code without E0 */
    cr_assert(key(0xff50).extended);      /* Home */
    cr_assert(key(0xff8d).extended);      /* KP_Enter */
    cr_assert(key(0xffaf).extended);      /* KP_Divide */
    cr_assert(key(0xff61).extended);      /* Print */
}

Test(keymap, pause_and_num_lock_go_by_virtual_key)
{
    struct keymap_pos p = key(0xff13);
    cr_assert(p.by_vk);
    cr_assert_eq(p.vk, 0x13);
    cr_assert_not(p.extended);
    p = key(0xff7f);
    cr_assert(p.by_vk);
    cr_assert_eq(p.vk, 0x90);
    cr_assert(p.extended);
}

Test(keymap, chars_are_not_keys_and_keys_are_not_chars)
{
    struct keymap_pos p;
    for (uint32_t c = 0x20; c <= 0x7e; c++)
        cr_assert_not(keymap_key(c, &p), "'%c' is a character", (int)c);
    cr_assert_not(keymap_char(0xff0d, KEYMAP_US, &p));
    cr_assert_not(keymap_char(0xa5, KEYMAP_JIS, &p)); /* ¥ is a key, not ASCII */
    cr_assert_not(keymap_char(0x01003042, KEYMAP_JIS, &p));
}

Test(keymap, unknown)
{
    struct keymap_pos p;
    cr_assert_not(keymap_key(0xfe50, &p)); /* dead_grave */
    cr_assert_not(keymap_key(0x1000, &p));
    cr_assert_not(keymap_key(0, &p));
    cr_assert_not(keymap_char(0, KEYMAP_US, &p));
    cr_assert_not(keymap_char(0x7f, KEYMAP_US, &p));
}

Test(keymap, unicode)
{
    cr_assert_eq(keymap_unicode('a'), 'a');
    cr_assert_eq(keymap_unicode(0xa5), 0xa5);
    cr_assert_eq(keymap_unicode(0xe9), 0xe9);          /* é */
    cr_assert_eq(keymap_unicode(0x01003042), 0x3042);  /* あ */
    cr_assert_eq(keymap_unicode(0x0101f600), 0x1f600); /* beyond the BMP */
    cr_assert_eq(keymap_unicode(0xff0d), 0);           /* Return */
    cr_assert_eq(keymap_unicode(0x04db), 0);           /* kana_RO: legacy keysym */
    cr_assert_eq(keymap_unicode(0x7f), 0);
}
