/* X11 keysym to scan code table (see keymap.h). */
#include "keymap.h"

#include <stddef.h>

#define E 1 /* extended (E0) */

static const struct {
    uint32_t keysym;
    uint16_t scan;
    uint8_t ext;
} table[] = {
    /* editing and control */
    {0xff08, 0x0e, 0}, /* BackSpace */
    {0xff09, 0x0f, 0}, /* Tab */
    {0xff0d, 0x1c, 0}, /* Return */
    {0xff1b, 0x01, 0}, /* Escape */
    {0xff13, 0x45, 0}, /* Pause (sent as VK_PAUSE by the injector) */
    {0xff14, 0x46, 0}, /* Scroll_Lock */
    {0xff61, 0x37, E}, /* Print */
    {0xff63, 0x52, E}, /* Insert */
    {0xffff, 0x53, E}, /* Delete */
    {0xff67, 0x5d, E}, /* Menu */
    /* navigation */
    {0xff50, 0x47, E}, /* Home */
    {0xff51, 0x4b, E}, /* Left */
    {0xff52, 0x48, E}, /* Up */
    {0xff53, 0x4d, E}, /* Right */
    {0xff54, 0x50, E}, /* Down */
    {0xff55, 0x49, E}, /* Prior */
    {0xff56, 0x51, E}, /* Next */
    {0xff57, 0x4f, E}, /* End */
    /* modifiers */
    {0xffe1, 0x2a, 0}, /* Shift_L */
    {0xffe2, 0x36, 0}, /* Shift_R */
    {0xffe3, 0x1d, 0}, /* Control_L */
    {0xffe4, 0x1d, E}, /* Control_R */
    {0xffe5, 0x3a, 0}, /* Caps_Lock */
    {0xffe9, 0x38, 0}, /* Alt_L */
    {0xffea, 0x38, E}, /* Alt_R */
    {0xffeb, 0x5b, E}, /* Super_L */
    {0xffec, 0x5c, E}, /* Super_R */
    {0xff7f, 0x45, 0}, /* Num_Lock */
    /* keypad */
    {0xff8d, 0x1c, E}, /* KP_Enter */
    {0xffaa, 0x37, 0}, /* KP_Multiply */
    {0xffab, 0x4e, 0}, /* KP_Add */
    {0xffad, 0x4a, 0}, /* KP_Subtract */
    {0xffae, 0x53, 0}, /* KP_Decimal */
    {0xffaf, 0x35, E}, /* KP_Divide */
    {0xffb0, 0x52, 0},
    {0xffb1, 0x4f, 0},
    {0xffb2, 0x50, 0},
    {0xffb3, 0x51, 0},
    {0xffb4, 0x4b, 0},
    {0xffb5, 0x4c, 0},
    {0xffb6, 0x4d, 0},
    {0xffb7, 0x47, 0},
    {0xffb8, 0x48, 0},
    {0xffb9, 0x49, 0},
    /* Japanese (JIS) keyboard keys */
    {0xff2a, 0x29, 0}, /* Zenkaku_Hankaku 半角/全角 */
    {0xff23, 0x79, 0}, /* Henkan 変換 */
    {0xff22, 0x7b, 0}, /* Muhenkan 無変換 */
    {0xff27, 0x70, 0}, /* Hiragana_Katakana カタカナ/ひらがな */
    {0x00a5, 0x7d, 0}, /* yen ¥ */
    {0x04db, 0x73, 0}, /* kana_RO: the ろ key (backslash/underscore on JIS) */
    /* US-layout punctuation, unshifted and shifted */
    {' ', 0x39, 0},
    {'-', 0x0c, 0},
    {'_', 0x0c, 0},
    {'=', 0x0d, 0},
    {'+', 0x0d, 0},
    {'[', 0x1a, 0},
    {'{', 0x1a, 0},
    {']', 0x1b, 0},
    {'}', 0x1b, 0},
    {';', 0x27, 0},
    {':', 0x27, 0},
    {'\'', 0x28, 0},
    {'"', 0x28, 0},
    {'`', 0x29, 0},
    {'~', 0x29, 0},
    {'\\', 0x2b, 0},
    {'|', 0x2b, 0},
    {',', 0x33, 0},
    {'<', 0x33, 0},
    {'.', 0x34, 0},
    {'>', 0x34, 0},
    {'/', 0x35, 0},
    {'?', 0x35, 0},
    {'!', 0x02, 0},
    {'@', 0x03, 0},
    {'#', 0x04, 0},
    {'$', 0x05, 0},
    {'%', 0x06, 0},
    {'^', 0x07, 0},
    {'&', 0x08, 0},
    {'*', 0x09, 0},
    {'(', 0x0a, 0},
    {')', 0x0b, 0},
};

/* Letters by row, as on the keyboard. */
static const char row_q[] = "qwertyuiop", row_a[] = "asdfghjkl", row_z[] = "zxcvbnm";

bool host_keymap_scan(uint32_t keysym, struct keymap_scan *out)
{
    uint32_t k = keysym;
    if (k >= 'A' && k <= 'Z')
        k += 'a' - 'A';
    if (k >= 'a' && k <= 'z') {
        const char *rows[] = {row_q, row_a, row_z};
        const uint16_t first[] = {0x10, 0x1e, 0x2c};
        for (int r = 0; r < 3; r++)
            for (int i = 0; rows[r][i]; i++)
                if ((uint32_t)rows[r][i] == k) {
                    *out = (struct keymap_scan){(uint16_t)(first[r] + i), false};
                    return true;
                }
    }
    if (k >= '1' && k <= '9') {
        *out = (struct keymap_scan){(uint16_t)(0x02 + (k - '1')), false};
        return true;
    }
    if (k == '0') {
        *out = (struct keymap_scan){0x0b, false};
        return true;
    }
    if (k >= 0xffbe && k <= 0xffc7) { /* F1..F10 */
        *out = (struct keymap_scan){(uint16_t)(0x3b + (k - 0xffbe)), false};
        return true;
    }
    if (k == 0xffc8 || k == 0xffc9) { /* F11, F12 */
        *out = (struct keymap_scan){(uint16_t)(k == 0xffc8 ? 0x57 : 0x58), false};
        return true;
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].keysym == k) {
            *out = (struct keymap_scan){table[i].scan, table[i].ext != 0};
            return true;
        }
    return false;
}

uint32_t host_keymap_char(uint32_t keysym)
{
    if ((keysym >= 0x20 && keysym <= 0x7e) || (keysym >= 0xa0 && keysym <= 0xff))
        return keysym;
    if (keysym >= 0x01000100 && keysym <= 0x0110ffff)
        return keysym - 0x01000000;
    return 0;
}
