/* Tests for viewer/app/keys.c: the SDL key events of US and Japanese (JIS) keyboards, as SDL
 * reports them on X11 and on Windows, to the keysyms sent; and through host/keymap.c, the key
 * a Windows host then presses: the operator's physical key, by its scan code. */
#include <SDL_keycode.h>
#include <SDL_scancode.h>
#include <criterion/criterion.h>

#include "keymap.h"
#include "keys.h"

/* What SDL's keycode is for a key that types no character (X11's 変換, 半角/全角...). */
#define NOCHAR(sc) ((int32_t)SDL_SCANCODE_TO_KEYCODE(sc))

/* One key event as a platform's SDL reports it. */
struct ev {
    const char *what;
    int scancode;
    int32_t keycode;
    bool jis;
    uint32_t keysym;   /* what the viewer must send */
    uint16_t jis_scan; /* the key a JIS Windows host must press (set 1), 0: not checked */
    uint16_t us_scan;  /* the key a US Windows host must press, 0: not checked */
};

static const struct ev jis_keys[] = {
    /* X11, Japanese layout (xkb jp): the keys without a character get NOCHAR keycodes */
    {"X11 半角/全角", SDL_SCANCODE_GRAVE, NOCHAR(SDL_SCANCODE_GRAVE), true, 0xff2a, 0x29, 0x29},
    {"X11 ろ", SDL_SCANCODE_INTERNATIONAL1, '\\', true, 0x5c, 0x73, 0x2b},
    /* xkb's jp layout types \ with the ¥ key too */
    {"X11 ¥", SDL_SCANCODE_INTERNATIONAL3, '\\', true, 0xa5, 0x7d, 0x7d},
    {"X11 ¥ (a layout with XK_yen)", SDL_SCANCODE_INTERNATIONAL3, 0xa5, true, 0xa5, 0x7d, 0x7d},
    {"X11 変換", SDL_SCANCODE_INTERNATIONAL4, NOCHAR(SDL_SCANCODE_INTERNATIONAL4), true, 0xff23,
     0x79, 0x79},
    {"X11 無変換", SDL_SCANCODE_INTERNATIONAL5, NOCHAR(SDL_SCANCODE_INTERNATIONAL5), true, 0xff22,
     0x7b, 0x7b},
    {"X11 カタカナ/ひらがな", SDL_SCANCODE_INTERNATIONAL2, NOCHAR(SDL_SCANCODE_INTERNATIONAL2),
     true, 0xff27, 0x70, 0x70},
    /* Windows, Japanese layout: SDL keeps "`" for 半角/全角, and ¥ and ろ both type '\' */
    {"Windows 半角/全角", SDL_SCANCODE_GRAVE, '`', true, 0xff2a, 0x29, 0x29},
    {"Windows ろ", SDL_SCANCODE_INTERNATIONAL1, '\\', true, 0x5c, 0x73, 0x2b},
    {"Windows ¥", SDL_SCANCODE_INTERNATIONAL3, '\\', true, 0xa5, 0x7d, 0x7d},
    {"Windows 変換", SDL_SCANCODE_INTERNATIONAL4, NOCHAR(SDL_SCANCODE_INTERNATIONAL4), true, 0xff23,
     0x79, 0x79},
    {"Windows 無変換", SDL_SCANCODE_INTERNATIONAL5, NOCHAR(SDL_SCANCODE_INTERNATIONAL5), true,
     0xff22, 0x7b, 0x7b},
    {"Windows カタカナ/ひらがな", SDL_SCANCODE_INTERNATIONAL2, NOCHAR(SDL_SCANCODE_INTERNATIONAL2),
     true, 0xff27, 0x70, 0x70},
    /* a JIS keyboard under a US layout still has its extra keys */
    {"US layout, JIS ¥ key", SDL_SCANCODE_INTERNATIONAL3, NOCHAR(SDL_SCANCODE_INTERNATIONAL3),
     false, 0xa5, 0x7d, 0x7d},
    {"US layout, JIS ろ key", SDL_SCANCODE_INTERNATIONAL1, NOCHAR(SDL_SCANCODE_INTERNATIONAL1),
     false, 0x5c, 0x73, 0x2b},
    /* the JIS characters elsewhere go by what they type: @ right of P, : right of ; */
    {"JIS @", SDL_SCANCODE_LEFTBRACKET, '@', true, '@', 0x1a, 0x03},
    {"JIS :", SDL_SCANCODE_APOSTROPHE, ':', true, ':', 0x28, 0x27},
    {"JIS ^", SDL_SCANCODE_EQUALS, '^', true, '^', 0x0d, 0x07},
    /* Mac JIS and LANG keys */
    {"かな (LANG1)", SDL_SCANCODE_LANG1, NOCHAR(SDL_SCANCODE_LANG1), true, 0xff27, 0x70, 0},
    {"英数 (LANG2)", SDL_SCANCODE_LANG2, NOCHAR(SDL_SCANCODE_LANG2), true, 0xff30, 0x3a, 0},
    {"カタカナ (LANG3)", SDL_SCANCODE_LANG3, NOCHAR(SDL_SCANCODE_LANG3), true, 0xff26, 0x70, 0},
    {"ひらがな (LANG4)", SDL_SCANCODE_LANG4, NOCHAR(SDL_SCANCODE_LANG4), true, 0xff25, 0x70, 0},
    {"半角/全角 (LANG5)", SDL_SCANCODE_LANG5, NOCHAR(SDL_SCANCODE_LANG5), true, 0xff2a, 0x29, 0},
};

static const struct ev us_keys[] = {
    {"US `", SDL_SCANCODE_GRAVE, '`', false, '`', 0, 0x29},
    {"US \\", SDL_SCANCODE_BACKSLASH, '\\', false, '\\', 0x73, 0x2b},
    {"US [", SDL_SCANCODE_LEFTBRACKET, '[', false, '[', 0x1b, 0x1a},
    {"US a", SDL_SCANCODE_A, 'a', false, 'a', 0x1e, 0x1e},
    {"US 1", SDL_SCANCODE_1, '1', false, '1', 0x02, 0x02},
    {"US space", SDL_SCANCODE_SPACE, ' ', false, ' ', 0x39, 0x39},
    {"Return", SDL_SCANCODE_RETURN, SDLK_RETURN, false, 0xff0d, 0x1c, 0x1c},
    {"Escape", SDL_SCANCODE_ESCAPE, SDLK_ESCAPE, true, 0xff1b, 0x01, 0x01},
    {"F1", SDL_SCANCODE_F1, SDLK_F1, false, 0xffbe, 0x3b, 0x3b},
    {"F12", SDL_SCANCODE_F12, SDLK_F12, true, 0xffc9, 0x58, 0x58},
    {"Left Shift", SDL_SCANCODE_LSHIFT, SDLK_LSHIFT, false, 0xffe1, 0x2a, 0x2a},
    {"Caps Lock", SDL_SCANCODE_CAPSLOCK, SDLK_CAPSLOCK, true, 0xffe5, 0x3a, 0x3a},
    {"Delete", SDL_SCANCODE_DELETE, SDLK_DELETE, false, 0xffff, 0x53, 0x53},
};

/* The key a Windows host presses for keysym on layout: its set-1 scan code, 0 if none. */
static uint16_t host_scan(uint32_t keysym, enum keymap_layout l)
{
    struct keymap_pos p = {0};
    if (keymap_key(keysym, &p) || keymap_char(keysym, l, &p))
        return p.scan;
    return 0;
}

static void check(const struct ev *e)
{
    uint32_t ks = vkeys_keysym(e->scancode, e->keycode, e->jis);
    cr_expect_eq(ks, e->keysym, "%s: keysym %#x, want %#x", e->what, ks, e->keysym);
    if (e->jis_scan) {
        uint16_t s = host_scan(ks, KEYMAP_JIS);
        cr_expect_eq(s, e->jis_scan, "%s on a JIS host: scan %#x, want %#x", e->what, s,
                     e->jis_scan);
    }
    if (e->us_scan) {
        uint16_t s = host_scan(ks, KEYMAP_US);
        cr_expect_eq(s, e->us_scan, "%s on a US host: scan %#x, want %#x", e->what, s, e->us_scan);
    }
}

Test(viewer_keys, japanese_keys_by_place)
{
    for (size_t i = 0; i < sizeof jis_keys / sizeof jis_keys[0]; i++)
        check(&jis_keys[i]);
}

Test(viewer_keys, us_keys_and_functions)
{
    for (size_t i = 0; i < sizeof us_keys / sizeof us_keys[0]; i++)
        check(&us_keys[i]);
}

/* The US "`" key stays "`" (a US operator types backquotes); only a JIS layout, or a layout
 * that gives the key no character, makes it 半角/全角. */
Test(viewer_keys, grave_depends_on_layout)
{
    cr_expect_eq(vkeys_keysym(SDL_SCANCODE_GRAVE, '`', false), '`');
    cr_expect_eq(vkeys_keysym(SDL_SCANCODE_GRAVE, '`', true), 0xff2a);
    cr_expect_eq(vkeys_keysym(SDL_SCANCODE_GRAVE, NOCHAR(SDL_SCANCODE_GRAVE), false), 0xff2a);
    /* a layout that puts another character there (German ^ is a dead key: no ASCII) */
    cr_expect_eq(vkeys_keysym(SDL_SCANCODE_GRAVE, '^', false), '^');
}

/* Keys with nothing to send: never a made-up keysym. */
Test(viewer_keys, unknown_keys_send_nothing)
{
    cr_expect_eq(vkeys_keysym(SDL_SCANCODE_F13, SDLK_F13, false), 0);
    cr_expect_eq(vkeys_keysym(SDL_SCANCODE_MUTE, SDLK_MUTE, true), 0);
    cr_expect_eq(vkeys_keysym(SDL_SCANCODE_UNKNOWN, 0, false), 0);
    cr_expect_eq(vkeys_keysym(SDL_SCANCODE_A, 0xe9 /* é: not ASCII */, false), 0);
}
