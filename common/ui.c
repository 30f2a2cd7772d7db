/* The shared SDL2 toolkit: language from the locale, a CJK-capable font, text, buttons. */
#include "sasae/ui.h"

#include "sasae/common.h"

#include <SDL_ttf.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/linebreak.h"
#include "ui_plat.h"

struct sasae_font {
    TTF_Font *ttf;
};

sasae_font *sasae_font_open(int px)
{
    if (!TTF_WasInit() && TTF_Init() != 0)
        return NULL;
    sasae_font *f = calloc(1, sizeof *f);
    if (!f) {
        SDL_SetError("out of memory");
        return NULL;
    }
    const char *env = getenv("SASAE_FONT");
    if (env && *env)
        f->ttf = TTF_OpenFontIndex(env, px, 0);
    if (!f->ttf)
        f->ttf = ui_plat_font_open(px);
    if (!f->ttf) {
        free(f);
        SDL_SetError("no UI font found (%s)", ui_plat_font_hint());
        return NULL;
    }
    return f;
}

void sasae_font_free(sasae_font *font)
{
    if (!font)
        return;
    TTF_CloseFont(font->ttf);
    free(font);
}

int sasae_font_height(const sasae_font *font)
{
    return TTF_FontLineSkip(font->ttf);
}

int sasae_text_size(sasae_font *font, const char *utf8, int *w, int *h)
{
    return TTF_SizeUTF8(font->ttf, utf8, w, h) == 0 ? 0 : -1;
}

SDL_Texture *sasae_text_texture(SDL_Renderer *r, sasae_font *font, const char *utf8, SDL_Color fg,
                                int *w, int *h)
{
    if (!utf8 || !*utf8)
        return NULL;
    SDL_Surface *s = TTF_RenderUTF8_Blended(font->ttf, utf8, fg);
    if (!s)
        return NULL;
    SDL_Texture *t = SDL_CreateTextureFromSurface(r, s);
    if (t) {
        if (w)
            *w = s->w;
        if (h)
            *h = s->h;
    }
    SDL_FreeSurface(s);
    return t;
}

int sasae_text_draw(SDL_Renderer *r, sasae_font *font, const char *utf8, int x, int y, SDL_Color fg)
{
    if (!utf8 || !*utf8)
        return 0;
    int w = 0, h = 0;
    SDL_Texture *t = sasae_text_texture(r, font, utf8, fg, &w, &h);
    if (!t)
        return -1;
    SDL_Rect dst = {x, y, w, h};
    SDL_RenderCopy(r, t, NULL, &dst);
    SDL_DestroyTexture(t);
    return w;
}

/* sasae_linebreak's measure: the font's width of s[0..n) */
static int font_width(void *ctx, const char *s, size_t n)
{
    char buf[1024];
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, s, n);
    buf[n] = 0;
    int w = 0, h = 0;
    TTF_SizeUTF8(((sasae_font *)ctx)->ttf, buf, &w, &h);
    return w;
}

int sasae_text_draw_wrapped(SDL_Renderer *r, sasae_font *font, const char *utf8, int x, int y,
                            int maxw, int indent, SDL_Color fg)
{
    int used = 0, lh = sasae_font_height(font);
    size_t len = utf8 ? strlen(utf8) : 0, pos = 0;
    char line[1024];
    while (pos < len) {
        int lx = pos == 0 ? x : x + indent, lw = pos == 0 ? maxw : maxw - indent;
        size_t skip = 0;
        size_t n = sasae_linebreak(utf8 + pos, len - pos, lw, font_width, font, &skip);
        if (r) {
            size_t k = n < sizeof line ? n : sizeof line - 1;
            memcpy(line, utf8 + pos, k);
            line[k] = 0;
            sasae_text_draw(r, font, line, lx, y + used, fg);
        }
        used += lh;
        pos += n + skip;
    }
    return used;
}

static SDL_Color button_fill(const sasae_button *b)
{
    SDL_Color fill = b->fill;
    if (fill.a == 0)
        fill = b->is_default ? (SDL_Color){0x1f, 0x5f, 0xbf, 0xff}
                             : (SDL_Color){0xe0, 0xe0, 0xe0, 0xff};
    if (b->hover) {
        fill.r = (Uint8)(fill.r * 7 / 8);
        fill.g = (Uint8)(fill.g * 7 / 8);
        fill.b = (Uint8)(fill.b * 7 / 8);
    }
    return fill;
}

SDL_Color sasae_button_label_colour(const sasae_button *b)
{
    /* Light text on dark fills, dark text on light ones. */
    SDL_Color fill = button_fill(b);
    int luma = (fill.r * 299 + fill.g * 587 + fill.b * 114) / 1000;
    return luma < 140 ? (SDL_Color){0xff, 0xff, 0xff, 0xff} : (SDL_Color){0x10, 0x10, 0x10, 0xff};
}

void sasae_button_draw(SDL_Renderer *r, sasae_font *font, const sasae_button *b)
{
    SDL_Color fill = button_fill(b);
    SDL_SetRenderDrawColor(r, fill.r, fill.g, fill.b, 0xff);
    SDL_RenderFillRect(r, &b->rect);
    SDL_SetRenderDrawColor(r, 0x30, 0x30, 0x30, 0xff);
    SDL_RenderDrawRect(r, &b->rect);
    if (b->is_default) {
        /* A second outline marks the button Enter activates. */
        SDL_Rect inner = {b->rect.x + 2, b->rect.y + 2, b->rect.w - 4, b->rect.h - 4};
        SDL_SetRenderDrawColor(r, 0xff, 0xff, 0xff, 0xff);
        SDL_RenderDrawRect(r, &inner);
    }
    int w = 0, h = 0;
    SDL_Texture *t = sasae_text_texture(r, font, b->label, sasae_button_label_colour(b), &w, &h);
    if (!t)
        return;
    SDL_Rect dst = {b->rect.x + (b->rect.w - w) / 2, b->rect.y + (b->rect.h - h) / 2, w, h};
    SDL_RenderCopy(r, t, NULL, &dst);
    SDL_DestroyTexture(t);
}

bool sasae_button_hit(const sasae_button *b, int x, int y)
{
    SDL_Point p = {x, y};
    return SDL_PointInRect(&p, &b->rect);
}
