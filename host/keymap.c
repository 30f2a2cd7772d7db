/* X11 keysym to PC keyboard key tables for the Windows injector (see keymap.h). */
#include "keymap.h"

#include <stddef.h>

/* Keys at the same place on every keyboard. vk: Windows virtual key, for injectors that
 * read it rather than the scan code (Wine) when the live layout cannot name one. */
static const struct {
    uint32_t keysym;
    uint16_t scan;
    uint8_t ext, by_vk, vk;
} keys[] = {
    /* editing and control */
    {0xff08, 0x0e, 0, 0, 0x08}, /* BackSpace */
    {0xff09, 0x0f, 0, 0, 0x09}, /* Tab */
    {0xff0d, 0x1c, 0, 0, 0x0d}, /* Return */
    {0xff1b, 0x01, 0, 0, 0x1b}, /* Escape */
    /* Pause's make code is the E1 1D 45 sequence, which SendInput cannot express */
    {0xff13, 0x45, 0, 1, 0x13}, /* Pause */
    {0xff6b, 0x46, 1, 0, 0x03}, /* Break (Ctrl+Pause) */
    {0xff14, 0x46, 0, 0, 0x91}, /* Scroll_Lock */
    {0xff61, 0x37, 1, 0, 0x2c}, /* Print */
    {0xff63, 0x52, 1, 0, 0x2d}, /* Insert */
    {0xffff, 0x53, 1, 0, 0x2e}, /* Delete */
    {0xff67, 0x5d, 1, 0, 0x5d}, /* Menu */
    /* navigation */
    {0xff50, 0x47, 1, 0, 0x24}, /* Home */
    {0xff51, 0x4b, 1, 0, 0x25}, /* Left */
    {0xff52, 0x48, 1, 0, 0x26}, /* Up */
    {0xff53, 0x4d, 1, 0, 0x27}, /* Right */
    {0xff54, 0x50, 1, 0, 0x28}, /* Down */
    {0xff55, 0x49, 1, 0, 0x21}, /* Prior */
    {0xff56, 0x51, 1, 0, 0x22}, /* Next */
    {0xff57, 0x4f, 1, 0, 0x23}, /* End */
    /* modifiers */
    {0xffe1, 0x2a, 0, 0, 0xa0}, /* Shift_L */
    {0xffe2, 0x36, 0, 0, 0xa1}, /* Shift_R */
    {0xffe3, 0x1d, 0, 0, 0xa2}, /* Control_L */
    {0xffe4, 0x1d, 1, 0, 0xa3}, /* Control_R */
    {0xffe5, 0x3a, 0, 0, 0x14}, /* Caps_Lock */
    {0xffe9, 0x38, 0, 0, 0xa4}, /* Alt_L */
    {0xffea, 0x38, 1, 0, 0xa5}, /* Alt_R */
    {0xfe03, 0x38, 1, 0, 0xa5}, /* ISO_Level3_Shift (AltGr) */
    {0xffeb, 0x5b, 1, 0, 0x5b}, /* Super_L */
    {0xffec, 0x5c, 1, 0, 0x5c}, /* Super_R */
    /* scan 45 alone is Pause to Windows; Num Lock is the extended virtual key */
    {0xff7f, 0x45, 1, 1, 0x90}, /* Num_Lock */
    /* keypad */
    {0xff8d, 0x1c, 1, 0, 0x0d}, /* KP_Enter */
    {0xffaa, 0x37, 0, 0, 0x6a}, /* KP_Multiply */
    {0xffab, 0x4e, 0, 0, 0x6b}, /* KP_Add */
    {0xffad, 0x4a, 0, 0, 0x6d}, /* KP_Subtract */
    {0xffae, 0x53, 0, 0, 0x6e}, /* KP_Decimal */
    {0xffaf, 0x35, 1, 0, 0x6f}, /* KP_Divide */
    {0xffb0, 0x52, 0, 0, 0x60}, /* KP_0 */
    {0xffb1, 0x4f, 0, 0, 0x61},
    {0xffb2, 0x50, 0, 0, 0x62},
    {0xffb3, 0x51, 0, 0, 0x63},
    {0xffb4, 0x4b, 0, 0, 0x64},
    {0xffb5, 0x4c, 0, 0, 0x65},
    {0xffb6, 0x4d, 0, 0, 0x66},
    {0xffb7, 0x47, 0, 0, 0x67},
    {0xffb8, 0x48, 0, 0, 0x68},
    {0xffb9, 0x49, 0, 0, 0x69}, /* KP_9 */
    {0xff95, 0x47, 0, 0, 0x24}, /* KP_Home (Num Lock off) */
    {0xff96, 0x4b, 0, 0, 0x25}, /* KP_Left */
    {0xff97, 0x48, 0, 0, 0x26}, /* KP_Up */
    {0xff98, 0x4d, 0, 0, 0x27}, /* KP_Right */
    {0xff99, 0x50, 0, 0, 0x28}, /* KP_Down */
    {0xff9a, 0x49, 0, 0, 0x21}, /* KP_Prior */
    {0xff9b, 0x51, 0, 0, 0x22}, /* KP_Next */
    {0xff9c, 0x4f, 0, 0, 0x23}, /* KP_End */
    {0xff9d, 0x4c, 0, 0, 0x0c}, /* KP_Begin */
    {0xff9e, 0x52, 0, 0, 0x2d}, /* KP_Insert */
    {0xff9f, 0x53, 0, 0, 0x2e}, /* KP_Delete */
    /* Japanese (JIS) keyboard keys, virtual keys as the Japanese layout names them */
    {0xff2a, 0x29, 0, 0, 0xf3}, /* Zenkaku_Hankaku 半角/全角 */
    {0xff21, 0x29, 0, 0, 0x19}, /* Kanji (Alt+半角/全角) */
    {0xff23, 0x79, 0, 0, 0x1c}, /* Henkan 変換 */
    {0xff22, 0x7b, 0, 0, 0x1d}, /* Muhenkan 無変換 */
    {0xff27, 0x70, 0, 0, 0xf2}, /* Hiragana_Katakana カタカナ/ひらがな */
    {0xff25, 0x70, 0, 0, 0xf2}, /* Hiragana */
    {0xff26, 0x70, 0, 0, 0xf2}, /* Katakana */
    {0xff30, 0x3a, 0, 0, 0xf0}, /* Eisu_toggle 英数 (the Caps Lock key) */
    {0x00a5, 0x7d, 0, 0, 0xdc}, /* yen: the ¥ key (Shift: |) */
    {0x04db, 0x73, 0, 0, 0xe2}, /* kana_RO: the ろ key (\, Shift: _) */
};

/* Character keys by layout: scan code, virtual key, character unshifted and with Shift (0:
 * none). Letters are the same on both and handled apart. */
struct charkey {
    uint8_t scan, vk;
    char plain, shifted;
};

static const struct charkey us_keys[] = {
    {0x29, 0xc0, '`', '~'},  {0x02, '1', '1', '!'},  {0x03, '2', '2', '@'},
    {0x04, '3', '3', '#'},   {0x05, '4', '4', '$'},  {0x06, '5', '5', '%'},
    {0x07, '6', '6', '^'},   {0x08, '7', '7', '&'},  {0x09, '8', '8', '*'},
    {0x0a, '9', '9', '('},   {0x0b, '0', '0', ')'},  {0x0c, 0xbd, '-', '_'},
    {0x0d, 0xbb, '=', '+'},  {0x1a, 0xdb, '[', '{'}, {0x1b, 0xdd, ']', '}'},
    {0x2b, 0xdc, '\\', '|'}, {0x27, 0xba, ';', ':'}, {0x28, 0xde, '\'', '"'},
    {0x33, 0xbc, ',', '<'},  {0x34, 0xbe, '.', '>'}, {0x35, 0xbf, '/', '?'},
    {0x39, 0x20, ' ', 0},
};

/* JIS: the ¥ key types a backslash too (shown as ¥ in Japanese fonts); backslash is left to
 * the ろ key so that Shift+\ gives _ as on the viewer's JIS keyboard, and ¥ is XK_yen. */
static const struct charkey jis_keys[] = {
    {0x02, '1', '1', '!'},  {0x03, '2', '2', '"'},   {0x04, '3', '3', '#'},  {0x05, '4', '4', '$'},
    {0x06, '5', '5', '%'},  {0x07, '6', '6', '&'},   {0x08, '7', '7', '\''}, {0x09, '8', '8', '('},
    {0x0a, '9', '9', ')'},  {0x0b, '0', '0', 0},     {0x0c, 0xbd, '-', '='}, {0x0d, 0xde, '^', '~'},
    {0x7d, 0xdc, 0, '|'},   {0x1a, 0xc0, '@', '`'},  {0x1b, 0xdb, '[', '{'}, {0x27, 0xbb, ';', '+'},
    {0x28, 0xba, ':', '*'}, {0x2b, 0xdd, ']', '}'},  {0x33, 0xbc, ',', '<'}, {0x34, 0xbe, '.', '>'},
    {0x35, 0xbf, '/', '?'}, {0x73, 0xe2, '\\', '_'}, {0x39, 0x20, ' ', 0},
};

/* Letters by row, as on the keyboard, and each row's first scan code. */
static const char *const letter_rows[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
static const uint8_t letter_first[] = {0x10, 0x1e, 0x2c};

bool keymap_key(uint32_t keysym, struct keymap_pos *out)
{
    if (keysym >= 0xffbe && keysym <= 0xffd5) { /* F1..F24 */
        static const uint8_t fscan[24] = {0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42,
                                          0x43, 0x44, 0x57, 0x58, 0x64, 0x65, 0x66, 0x67,
                                          0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x76};
        unsigned n = keysym - 0xffbe;
        *out = (struct keymap_pos){.scan = fscan[n], .vk = (uint8_t)(0x70 + n)};
        return true;
    }
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (keys[i].keysym == keysym) {
            *out = (struct keymap_pos){.scan = keys[i].scan,
                                       .extended = keys[i].ext != 0,
                                       .by_vk = keys[i].by_vk != 0,
                                       .vk = keys[i].vk};
            return true;
        }
    return false;
}

bool keymap_char(uint32_t keysym, enum keymap_layout layout, struct keymap_pos *out)
{
    if (keysym < 0x20 || keysym > 0x7e)
        return false;
    bool upper = keysym >= 'A' && keysym <= 'Z';
    uint32_t k = upper ? keysym + ('a' - 'A') : keysym;
    if (k >= 'a' && k <= 'z') {
        for (int r = 0; r < 3; r++)
            for (int i = 0; letter_rows[r][i]; i++)
                if ((uint32_t)letter_rows[r][i] == k) {
                    *out = (struct keymap_pos){.scan = (uint16_t)(letter_first[r] + i),
                                               .shift = upper,
                                               .vk = (uint8_t)(k - 'a' + 'A')};
                    return true;
                }
        return false;
    }
    const struct charkey *t = layout == KEYMAP_JIS ? jis_keys : us_keys;
    size_t n = layout == KEYMAP_JIS ? sizeof jis_keys / sizeof jis_keys[0]
                                    : sizeof us_keys / sizeof us_keys[0];
    for (size_t i = 0; i < n; i++)
        if ((uint32_t)(unsigned char)t[i].plain == keysym ||
            (uint32_t)(unsigned char)t[i].shifted == keysym) {
            *out = (struct keymap_pos){.scan = t[i].scan,
                                       .shift = (uint32_t)(unsigned char)t[i].plain != keysym,
                                       .vk = t[i].vk};
            return true;
        }
    return false;
}

uint32_t keymap_unicode(uint32_t keysym)
{
    if ((keysym >= 0x20 && keysym <= 0x7e) || (keysym >= 0xa0 && keysym <= 0xff))
        return keysym;
    if (keysym >= 0x01000100 && keysym <= 0x0110ffff)
        return keysym - 0x01000000;
    return 0;
}
