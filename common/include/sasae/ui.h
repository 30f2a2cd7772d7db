/* sasae ui: the small SDL2 toolkit shared by the host's customer UI and the operator's
 * viewer: language choice, one font that covers English and Japanese, text and buttons. */
#ifndef SASAE_UI_H
#define SASAE_UI_H

#include <SDL.h>
#include <stdbool.h>

enum sasae_lang {
    SASAE_LANG_EN = 0,
    SASAE_LANG_JA = 1,
};

/* The UI language: $SASAE_LANG, else on Linux the first set of $LC_ALL, $LC_MESSAGES,
 * $LANG, on Windows the user's UI language (GetUserDefaultUILanguage); a value starting
 * with "ja" (Japanese) means Japanese, anything else English. */
enum sasae_lang sasae_ui_lang(void);

/* Installs the process's one Xlib error handler (Xlib has one per process): X protocol errors
 * (SDL addressing a window it has just destroyed: BadWindow on X_SendEvent; a window gone
 * under the host's capture or overlay) are logged instead of ending the process, which is
 * Xlib's default. Idempotent; call it before any Xlib use or after SDL_Init. Nothing on
 * Windows. */
void sasae_ui_x11_errors_nonfatal(void);

/* Sets a window's title from UTF-8 so that every window manager shows it in any language and
 * locale. (SDL alone, in a process whose locale is not UTF-8, writes the bytes as a Latin-1
 * WM_NAME and no _NET_WM_NAME: "sasae \u00e2\u0080\u0094" instead of a dash.) */
void sasae_ui_set_title(SDL_Window *w, const char *utf8);

/* Makes w, created with SDL_WINDOW_HIDDEN and not yet shown, a bar the window manager offers
 * no minimise, maximise or close for (X11: a dock window; Windows: a frame without those
 * buttons), so the customer cannot lose its End button. Window systems can still hide it
 * (Win+D, xdotool windowminimize): the caller restores it when SDL reports it minimised. */
void sasae_ui_make_bar(SDL_Window *w);

/* Shows w, created with SDL_WINDOW_HIDDEN, without giving it the keyboard focus (X11:
 * _NET_WM_USER_TIME 0, which tells the window manager not to focus it on map; Windows:
 * SW_SHOWNOACTIVATE): keys the customer or the operator is typing elsewhere stay there. A
 * click on it focuses it as usual. */
void sasae_ui_show_inactive(SDL_Window *w);

typedef struct sasae_font sasae_font;

/* Opens the UI font at a pixel size: $SASAE_FONT if set, else on Linux Noto Sans CJK
 * (Latin and Japanese, Debian fonts-noto-cjk), else DejaVu Sans; on Windows Yu Gothic,
 * Meiryo or MS Gothic from the Windows fonts folder, else the font embedded in the exe. Initialises
 * SDL_ttf on first use. Returns NULL (reason in SDL_GetError) when no font can be opened. */
sasae_font *sasae_font_open(int px);

/* Closes a font from sasae_font_open; NULL is a no-op. */
void sasae_font_free(sasae_font *font);

/* Line height of the font in pixels. */
int sasae_font_height(const sasae_font *font);

/* Renders UTF-8 text into a new texture the caller owns (SDL_DestroyTexture); stores its
 * size in *w and *h when not NULL. Returns NULL on error (SDL_GetError) or empty text. */
SDL_Texture *sasae_text_texture(SDL_Renderer *r, sasae_font *font, const char *utf8, SDL_Color fg,
                                int *w, int *h);

/* Draws UTF-8 text with its top-left corner at (x, y). Returns the width drawn, 0 for
 * empty text, -1 on error. */
int sasae_text_draw(SDL_Renderer *r, sasae_font *font, const char *utf8, int x, int y,
                    SDL_Color fg);

/* Draws UTF-8 text wrapped to lines no wider than maxw (at spaces in English; in Japanese
 * between characters by the usual rules: see sasae/linebreak.h), lines after the first
 * indented by indent px. With r NULL it only measures. Returns the height used. */
int sasae_text_draw_wrapped(SDL_Renderer *r, sasae_font *font, const char *utf8, int x, int y,
                            int maxw, int indent, SDL_Color fg);

/* Width and height the text would take, without drawing it. Returns 0 or -1 on error. */
int sasae_text_size(sasae_font *font, const char *utf8, int *w, int *h);

/* A push button: the default button is drawn emphasised and answers Enter. */
typedef struct sasae_button {
    SDL_Rect rect;
    const char *label; /* UTF-8, not owned */
    bool is_default;
    bool hover;
    SDL_Color fill; /* background; {0,0,0,0} picks the standard grey/blue */
} sasae_button;

/* Draws the button with its label centred (a NULL label: the button alone). */
void sasae_button_draw(SDL_Renderer *r, sasae_font *font, const sasae_button *b);

/* The colour sasae_button_draw gives b's label: light on dark fills, dark on light ones. */
SDL_Color sasae_button_label_colour(const sasae_button *b);

/* True when window point (x, y) lies inside the button. */
bool sasae_button_hit(const sasae_button *b, int x, int y);

#endif
