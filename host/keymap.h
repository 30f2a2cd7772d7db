/* X11 keysyms (what the viewer sends) to PC keyboard keys for the Windows injector: scan code
 * (set 1), E0 flag and virtual key, by position on US (101/104) and Japanese (JIS 106/109)
 * keyboards. Pure, no OS calls, so it is unit-tested on Linux. */
#ifndef SASAE_HOST_KEYMAP_H
#define SASAE_HOST_KEYMAP_H

#include <stdbool.h>
#include <stdint.h>

/* The keyboards whose character positions the table knows. */
enum keymap_layout {
    KEYMAP_US = 0,  /* US 101/104 */
    KEYMAP_JIS = 1, /* Japanese 106/109 */
};

struct keymap_pos {
    uint16_t scan; /* set 1 make code, without the E0 prefix */
    bool extended; /* E0-prefixed: arrows, navigation block, right Ctrl/Alt, Windows keys */
    bool by_vk;    /* no usable scan code (Pause, Num Lock): inject the virtual key */
    bool shift;    /* characters: Shift types it on this layout (the injector does not add it) */
    uint8_t vk;    /* Windows virtual key of the key (on that layout for characters) */
};

/* Keys named by their function rather than a character, at the same place on every
 * keyboard: editing, navigation, function keys F1..F24, modifiers, keypad, and the JIS keys
 * 半角/全角, 変換, 無変換, カタカナ/ひらがな, 英数, ¥ (XK_yen) and ろ (XK_kana_RO). Returns true
 * and fills out, or false when keysym is not such a key (characters among them). */
bool keymap_key(uint32_t keysym, struct keymap_pos *out);

/* The key that types printable ASCII keysym (0x20..0x7e, letters of either case) on layout,
 * unshifted or with Shift (out->shift). On JIS, backslash is the ろ key (Shift: _) and
 * the ¥ key is XK_yen (Shift: |). False for other keysyms. */
bool keymap_char(uint32_t keysym, enum keymap_layout layout, struct keymap_pos *out);

/* The Unicode character a keysym types: Latin-1 keysyms and the 0x01000000 + code point
 * range; 0 for keysyms that type none (function keys, legacy non-Latin keysyms). */
uint32_t keymap_unicode(uint32_t keysym);

#endif
