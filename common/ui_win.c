/* The SDL2 toolkit's Windows part: the user's UI language, a font with Japanese glyphs from
 * the Windows fonts folder or, failing that, the one embedded in the exe. */
#include "sasae/ui.h"

#include <SDL_syswm.h>
#include <shlobj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <zlib.h>

#include "sasae/common.h"
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

/* Windows' own Japanese UI fonts, best first (file, face index in a collection). */
static const struct {
    const char *file;
    int index;
} win_fonts[] = {
    {"YuGothM.ttc", 0},  {"YuGothR.ttc", 0}, {"meiryo.ttc", 0},
    {"msgothic.ttc", 0}, {"YuGothB.ttc", 0},
};

static TTF_Font *open_windows_font(int px)
{
    char dir[MAX_PATH * 3] = "";
    wchar_t *w = NULL;
    if (SHGetKnownFolderPath(&FOLDERID_Fonts, 0, NULL, &w) == S_OK)
        WideCharToMultiByte(CP_UTF8, 0, w, -1, dir, sizeof dir, NULL, NULL);
    CoTaskMemFree(w);
    if (!dir[0]) {
        UINT n = GetWindowsDirectoryA(dir, MAX_PATH);
        if (n == 0 || n >= MAX_PATH)
            return NULL;
        strcat(dir, "\\Fonts");
    }
    for (size_t i = 0; i < sizeof win_fonts / sizeof win_fonts[0]; i++) {
        char path[sizeof dir + 32];
        snprintf(path, sizeof path, "%s\\%s", dir, win_fonts[i].file);
        if (GetFileAttributesA(path) == INVALID_FILE_ATTRIBUTES)
            continue;
        TTF_Font *f = TTF_OpenFontIndex(path, px, win_fonts[i].index);
        if (f && has_japanese(f)) {
            SASAE_DBG("ui", "font %s", path);
            return f;
        }
        if (f)
            TTF_CloseFont(f);
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
