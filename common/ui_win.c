/* The SDL2 toolkit's Windows part: the user's UI language, a font with Japanese glyphs from
 * the Windows fonts folder or, failing that, the one embedded in the exe. */
#include "sasae/ui.h"

#include <SDL_syswm.h>
#include <shlobj.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <zlib.h>

#include "sasae/common.h"
#include "sasae/win.h"
#include "ui_plat.h"

enum sasae_lang sasae_ui_lang(void)
{
    const char *v = getenv("SASAE_LANG");
    if (v && *v)
        return strncmp(v, "ja", 2) == 0 ? SASAE_LANG_JA : SASAE_LANG_EN;
    return PRIMARYLANGID(GetUserDefaultUILanguage()) == LANG_JAPANESE ? SASAE_LANG_JA
                                                                      : SASAE_LANG_EN;
}

/* A font is only good if it draws Japanese: "あ", "日" and the long-vowel mark. */
static bool has_japanese(TTF_Font *f)
{
    return TTF_GlyphIsProvided32(f, 0x3042) && TTF_GlyphIsProvided32(f, 0x65e5) &&
           TTF_GlyphIsProvided32(f, 0x30fc) && TTF_GlyphIsProvided32(f, 'A');
}

/* Windows' own Japanese fonts, best first: the file and the face wanted from it. A
 * collection holds several faces (msgothic.ttc: MS Gothic, whose Latin letters are
 * fixed-width, then MS UI Gothic, MS PGothic); the UI faces are chosen by family name, and
 * the first face is taken when the wanted one is not there. */
static const struct {
    const char *file;
    const char *family;
} win_fonts[] = {
    {"YuGothM.ttc", "Yu Gothic UI"}, /* Yu Gothic Medium, Yu Gothic UI Regular */
    {"meiryo.ttc", "Meiryo UI"},
    {"YuGothR.ttc", "Yu Gothic"},
    {"msgothic.ttc", "MS UI Gothic"},
};

/* The face of the file at path whose family is family, else its first face. */
static TTF_Font *open_face(const char *path, int px, const char *family)
{
    TTF_Font *f = TTF_OpenFontIndex(path, px, 0);
    long faces = f ? TTF_FontFaces(f) : 0;
    for (long i = 0; f && i < faces && i < 16; i++) {
        TTF_Font *g = i == 0 ? f : TTF_OpenFontIndex(path, px, i);
        const char *name = g ? TTF_FontFaceFamilyName(g) : NULL;
        if (name && strcmp(name, family) == 0) {
            if (g != f)
                TTF_CloseFont(f);
            return g;
        }
        if (g && g != f)
            TTF_CloseFont(g);
    }
    return f;
}

/* The Windows fonts folder as UTF-8 (SDL_ttf opens UTF-8 paths with the wide API). */
static bool fonts_dir(char *out, size_t cap)
{
    wchar_t *known = NULL, dir[MAX_PATH + 8];
    if (SHGetKnownFolderPath(&FOLDERID_Fonts, 0, NULL, &known) == S_OK &&
        wcslen(known) < MAX_PATH) {
        wcscpy(dir, known);
    } else {
        UINT n = GetWindowsDirectoryW(dir, MAX_PATH);
        if (n == 0 || n >= MAX_PATH) {
            CoTaskMemFree(known);
            return false;
        }
        wcscat(dir, L"\\Fonts");
    }
    CoTaskMemFree(known);
    return WideCharToMultiByte(CP_UTF8, 0, dir, -1, out, (int)cap, NULL, NULL) > 0;
}

static TTF_Font *open_windows_font(int px)
{
    char dir[MAX_PATH * 3];
    if (!fonts_dir(dir, sizeof dir))
        return NULL;
    for (size_t i = 0; i < sizeof win_fonts / sizeof win_fonts[0]; i++) {
        char path[sizeof dir + 32];
        snprintf(path, sizeof path, "%s\\%s", dir, win_fonts[i].file);
        wchar_t *w = sasae_win_wide(path);
        DWORD attr = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
        free(w);
        if (attr == INVALID_FILE_ATTRIBUTES)
            continue;
        TTF_Font *f = open_face(path, px, win_fonts[i].family);
        if (f && has_japanese(f)) {
            SASAE_DBG("ui", "font %s (%s)", path, TTF_FontFaceFamilyName(f));
            return f;
        }
        if (f)
            TTF_CloseFont(f);
        SASAE_DBG("ui", "font %s: no Japanese glyphs, not used", path);
    }
    return NULL;
}

/* The fallback font linked into the exe as the RCDATA resource SASAE_FONT, zlib-compressed
 * (host/win/make-font.py). Inflated once; fonts read it for the program's lifetime. */
static TTF_Font *open_embedded_font(int px)
{
    static uint8_t *font;
    static uLongf font_len;
    if (!font) {
        HRSRC r = FindResourceA(NULL, "SASAE_FONT", MAKEINTRESOURCEA(10) /* RT_RCDATA */);
        HGLOBAL g = r ? LoadResource(NULL, r) : NULL;
        const uint8_t *z = g ? LockResource(g) : NULL;
        DWORD zlen = r ? SizeofResource(NULL, r) : 0;
        if (!z || zlen == 0)
            return NULL;
        uLongf cap = 16u << 20, len = cap; /* the font is a few MB: 16 MiB bounds it */
        uint8_t *buf = malloc(cap);
        if (!buf || uncompress(buf, &len, z, zlen) != Z_OK) {
            free(buf);
            SASAE_WARN("ui", "the embedded font is damaged (%lu bytes)", (unsigned long)zlen);
            return NULL;
        }
        font = buf;
        font_len = len;
    }
    SDL_RWops *rw = SDL_RWFromConstMem(font, (int)font_len);
    TTF_Font *f = rw ? TTF_OpenFontIndexRW(rw, 1, px, 0) : NULL;
    if (f && !has_japanese(f)) {
        TTF_CloseFont(f);
        f = NULL;
    }
    return f;
}

TTF_Font *ui_plat_font_open(int px)
{
    TTF_Font *f = open_windows_font(px);
    return f ? f : open_embedded_font(px);
}

const char *ui_plat_font_hint(void)
{
    return "no Japanese font in the Windows fonts folder and none embedded in the program";
}

/* X11 only: on Windows SDL reports errors through return values. */
void sasae_ui_x11_errors_nonfatal(void) {}

void sasae_ui_set_title(SDL_Window *w, const char *utf8)
{
    /* SDL converts UTF-8 to the UTF-16 SetWindowTextW takes */
    SDL_SetWindowTitle(w, utf8);
}

void sasae_ui_make_bar(SDL_Window *w)
{
    SDL_SysWMinfo info;
    SDL_VERSION(&info.version);
    if (!w || !SDL_GetWindowWMInfo(w, &info) || info.subsystem != SDL_SYSWM_WINDOWS)
        return;
    HWND h = info.info.win.window;
    LONG_PTR style = GetWindowLongPtrW(h, GWL_STYLE);
    SetWindowLongPtrW(h, GWL_STYLE,
                      style & ~(LONG_PTR)(WS_MINIMIZEBOX | WS_MAXIMIZEBOX | WS_SYSMENU));
    SetWindowPos(h, NULL, 0, 0, 0, 0,
                 SWP_FRAMECHANGED | SWP_NOMOVE | SWP_NOSIZE | SWP_NOZORDER | SWP_NOACTIVATE);
}

void sasae_ui_show_inactive(SDL_Window *w)
{
    /* SDL then shows it with SW_SHOWNOACTIVATE */
    SDL_SetHint(SDL_HINT_WINDOW_NO_ACTIVATION_WHEN_SHOWN, "1");
    SDL_ShowWindow(w);
    SDL_SetHint(SDL_HINT_WINDOW_NO_ACTIVATION_WHEN_SHOWN, "0");
}
