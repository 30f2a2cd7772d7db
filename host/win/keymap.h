/* X11 keysyms (what the viewer sends) to PC keyboard scan codes (set 1, what Windows'
 * SendInput takes), without OS calls so it is unit-tested on Linux. Private to
 * host/win/inject_win.c and tests. */
#ifndef SASAE_HOST_KEYMAP_H
#define SASAE_HOST_KEYMAP_H

#include <stdbool.h>
#include <stdint.h>

struct keymap_scan {
    uint16_t scan;
    bool extended; /* E0-prefixed: arrows, navigation block, right Ctrl/Alt, Windows keys */
};

/* The key a keysym names by position: function, editing, navigation, modifier and keypad
 * keys, the Japanese (JIS) keys 半角/全角, 変換, 無変換, カタカナ/ひらがな, ¥ and ろ, and for
 * characters the key that types them on a US keyboard (letters and digits sit on the same
 * keys on JIS keyboards). Returns true and fills out, or false for keysyms without one. */
bool host_keymap_scan(uint32_t keysym, struct keymap_scan *out);

/* The Unicode character a keysym types (Latin-1 keysyms and the 0x01000000 + code point
 * range), or 0 for keys that type none. */
uint32_t host_keymap_char(uint32_t keysym);

#endif
