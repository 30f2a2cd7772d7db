/* The viewer's one key table: an SDL key event (scancode = the key's place on the operator's
 * keyboard, keycode = what the operator's layout makes of it) to the X11 keysym the KEY
 * message carries (docs/protocol.md). Pure: only SDL's constants, unit-tested on Linux. */
#ifndef SASAE_VIEWER_KEYS_H
#define SASAE_VIEWER_KEYS_H

#include <stdbool.h>
#include <stdint.h>

/* The keysym for a key, 0 when it has none (the key is not sent). scancode and keycode are
 * SDL_Scancode and SDL_Keycode values; jis: the operator's layout is Japanese (JIS 106/109,
 * vkeys_layout_jis). Keys that exist only on Japanese keyboards are named by their place,
 * whatever the layout says: 半角/全角 (the key left of 1 on JIS) Zenkaku_Hankaku, ろ (\ _)
 * backslash, ¥ (¥ |) yen, 変換 Henkan, 無変換 Muhenkan, カタカナ/ひらがな Hiragana_Katakana, and
 * the LANG keys of Mac and Korean keyboards (かな, 英数, カタカナ, ひらがな, 半角/全角).
 * Other keys by what they type (printable ASCII) or do (editing, navigation, F1..F12,
 * modifiers). */
uint32_t vkeys_keysym(int scancode, int32_t keycode, bool jis);

/* Whether the operator's current layout is Japanese: the key right of P types "@" (it types
 * "[" on US and most others). Reads SDL's keymap: call after the video subsystem is up. */
bool vkeys_layout_jis(void);

#endif
