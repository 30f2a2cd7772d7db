/* Tests for host/win/keymap.c: X11 keysyms to PC scan codes for the Windows injector. */
#include <criterion/criterion.h>

#include "keymap.h"

static struct keymap_scan scan(uint32_t ks)
{
    struct keymap_scan s = {0, false};
    cr_assert(host_keymap_scan(ks, &s), "keysym %#x has no key", ks);
    return s;
}

Test(keymap, letters_digits_both_cases)
{
    cr_assert_eq(scan('q').scan, 0x10);
    cr_assert_eq(scan('P').scan, 0x19);
    cr_assert_eq(scan('a').scan, 0x1e);
    cr_assert_eq(scan('l').scan, 0x26);
    cr_assert_eq(scan('z').scan, 0x2c);
    cr_assert_eq(scan('M').scan, 0x32);
    cr_assert_eq(scan('1').scan, 0x02);
    cr_assert_eq(scan('0').scan, 0x0b);
    cr_assert_not(scan('a').extended);
}

Test(keymap, japanese_keys)
{
    cr_assert_eq(scan(0xff2a).scan, 0x29); /* 半角/全角 */
    cr_assert_eq(scan(0xff23).scan, 0x79); /* 変換 */
    cr_assert_eq(scan(0xff22).scan, 0x7b); /* 無変換 */
    cr_assert_eq(scan(0xff27).scan, 0x70); /* カタカナ/ひらがな */
    cr_assert_eq(scan(0x00a5).scan, 0x7d); /* ¥ */
    cr_assert_eq(scan(0x04db).scan, 0x73); /* ろ */
}

Test(keymap, us_only_and_navigation)
{
    cr_assert_eq(scan('`').scan, 0x29);
    cr_assert_eq(scan('\\').scan, 0x2b);
    cr_assert_eq(scan('@').scan, 0x03);
    struct keymap_scan s = scan(0xff53); /* Right */
    cr_assert_eq(s.scan, 0x4d);
    cr_assert(s.extended);
    cr_assert(scan(0xffe4).extended);      /* Control_R */
    cr_assert_not(scan(0xffe3).extended);  /* Control_L */
    cr_assert_eq(scan(0xffbe).scan, 0x3b); /* F1 */
    cr_assert_eq(scan(0xffc7).scan, 0x44); /* F10 */
    cr_assert_eq(scan(0xffc9).scan, 0x58); /* F12 */
    cr_assert_eq(scan(0xffb5).scan, 0x4c); /* KP_5 */
    cr_assert(scan(0xff8d).extended);      /* KP_Enter */
}

Test(keymap, unknown_and_chars)
{
    struct keymap_scan s;
    cr_assert_not(host_keymap_scan(0xfe50, &s)); /* dead_grave */
    cr_assert_not(host_keymap_scan(0x1000, &s));
    cr_assert_eq(host_keymap_char('a'), 'a');
    cr_assert_eq(host_keymap_char(0xa5), 0xa5);
    cr_assert_eq(host_keymap_char(0x01003042), 0x3042); /* あ */
    cr_assert_eq(host_keymap_char(0xff0d), 0);
}
