/* The viewer's key table (keys.h). */
#include "keys.h"

#include <SDL_keyboard.h>
#include <SDL_keycode.h>
#include <SDL_scancode.h>

/* Keysyms of the Japanese and LANG keys (X11 keysymdef.h) */
enum {
    XK_BACKSLASH = 0x005c,
    XK_YEN = 0x00a5,
    XK_MUHENKAN = 0xff22,
    XK_HENKAN = 0xff23,
    XK_HIRAGANA = 0xff25,
    XK_KATAKANA = 0xff26,
    XK_HIRAGANA_KATAKANA = 0xff27,
    XK_ZENKAKU_HANKAKU = 0xff2a,
    XK_EISU_TOGGLE = 0xff30,
};

/* Keys known by their place: SDL reports them by scancode on X11 (evdev) and Windows alike,
 * while their keycodes differ by platform and layout (Windows gives both ¥ and ろ the
 * keycode '\\'; X11 gives 変換 and the others no character at all). */
static uint32_t by_place(int scancode)
{
    switch (scancode) {
    case SDL_SCANCODE_INTERNATIONAL1: /* ろ: \ and, with Shift, _ on a JIS host */
        return XK_BACKSLASH;
    case SDL_SCANCODE_INTERNATIONAL2: /* カタカナ/ひらがな (ローマ字) */
        return XK_HIRAGANA_KATAKANA;
    case SDL_SCANCODE_INTERNATIONAL3: /* ¥ (Shift: |) */
        return XK_YEN;
    case SDL_SCANCODE_INTERNATIONAL4: /* 変換 */
        return XK_HENKAN;
    case SDL_SCANCODE_INTERNATIONAL5: /* 無変換 */
        return XK_MUHENKAN;
    case SDL_SCANCODE_LANG1: /* Mac JIS かな (Korean 한/영): kana input on */
        return XK_HIRAGANA_KATAKANA;
    case SDL_SCANCODE_LANG2: /* Mac JIS 英数 (Korean 한자): alphanumeric input */
        return XK_EISU_TOGGLE;
    case SDL_SCANCODE_LANG3:
        return XK_KATAKANA;
    case SDL_SCANCODE_LANG4:
        return XK_HIRAGANA;
    case SDL_SCANCODE_LANG5: /* a separate 半角/全角 key (evdev KEY_ZENKAKUHANKAKU) */
        return XK_ZENKAKU_HANKAKU;
    }
    return 0;
}

/* Keys known by what they do, the same on every layout. */
static uint32_t by_function(int32_t k)
{
    if (k >= SDLK_F1 && k <= SDLK_F12)
        return 0xffbe + (uint32_t)(k - SDLK_F1);
    switch (k) {
    case SDLK_RETURN:
        return 0xff0d;
    case SDLK_KP_ENTER:
        return 0xff8d;
    case SDLK_BACKSPACE:
        return 0xff08;
    case SDLK_TAB:
        return 0xff09;
    case SDLK_ESCAPE:
        return 0xff1b;
    case SDLK_DELETE:
        return 0xffff;
    case SDLK_HOME:
        return 0xff50;
    case SDLK_LEFT:
        return 0xff51;
    case SDLK_UP:
        return 0xff52;
    case SDLK_RIGHT:
        return 0xff53;
    case SDLK_DOWN:
        return 0xff54;
    case SDLK_PAGEUP:
        return 0xff55;
    case SDLK_PAGEDOWN:
        return 0xff56;
    case SDLK_END:
        return 0xff57;
    case SDLK_INSERT:
        return 0xff63;
    case SDLK_LSHIFT:
        return 0xffe1;
    case SDLK_RSHIFT:
        return 0xffe2;
    case SDLK_LCTRL:
        return 0xffe3;
    case SDLK_RCTRL:
        return 0xffe4;
    case SDLK_CAPSLOCK:
        return 0xffe5;
    case SDLK_LALT:
        return 0xffe9;
    case SDLK_RALT:
        return 0xffea;
    case SDLK_LGUI:
        return 0xffeb;
    case SDLK_RGUI:
        return 0xffec;
    case SDLK_MENU:
        return 0xff67;
    case SDLK_PRINTSCREEN:
        return 0xff61;
    case SDLK_PAUSE:
        return 0xff13;
    }
    return 0;
}

uint32_t vkeys_keysym(int scancode, int32_t keycode, bool jis)
{
    uint32_t ks = by_place(scancode);
    if (ks)
        return ks;
    /* The key left of 1 is 半角/全角 on a JIS keyboard. X11's Japanese layout gives it no
     * character (SDL's keycode is then the scancode's); Windows' keeps the US "`" for it. */
    if (scancode == SDL_SCANCODE_GRAVE && (jis || (keycode & SDLK_SCANCODE_MASK)))
        return XK_ZENKAKU_HANKAKU;
    /* printable ASCII keycodes equal their Latin-1 keysyms */
    if (keycode >= 0x20 && keycode <= 0x7e)
        return (uint32_t)keycode;
    return by_function(keycode);
}

bool vkeys_layout_jis(void)
{
    return SDL_GetKeyFromScancode(SDL_SCANCODE_LEFTBRACKET) == SDLK_AT;
}
