/* Unit tests for the shared UI toolkit: locale choice, Japanese and English text, buttons,
 * drawn with SDL's software renderer (no display needed). */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "sasae/ui.h"

Test(ui, lang_from_env)
{
    unsetenv("SASAE_LANG");
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    setenv("LANG", "ja_JP.UTF-8", 1);
    cr_assert_eq(sasae_ui_lang(), SASAE_LANG_JA);
    setenv("LANG", "en_US.UTF-8", 1);
    cr_assert_eq(sasae_ui_lang(), SASAE_LANG_EN);
    setenv("LC_ALL", "ja_JP.UTF-8", 1);
    cr_assert_eq(sasae_ui_lang(), SASAE_LANG_JA, "LC_ALL overrides LANG");
    setenv("SASAE_LANG", "en", 1);
    cr_assert_eq(sasae_ui_lang(), SASAE_LANG_EN, "SASAE_LANG overrides the locale");
    unsetenv("LC_ALL");
    unsetenv("LANG");
    unsetenv("SASAE_LANG");
    cr_assert_eq(sasae_ui_lang(), SASAE_LANG_EN);
}

/* Counts pixels of a surface that differ from the background colour. */
static int inked(SDL_Surface *s, Uint32 bg)
{
    int n = 0;
    for (int y = 0; y < s->h; y++) {
        const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels + y * s->pitch);
        for (int x = 0; x < s->w; x++)
            n += row[x] != bg;
    }
    return n;
}

static void render_text(const char *text, int *ink, int *w)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 400, 60, 32, SDL_PIXELFORMAT_ARGB8888);
    cr_assert_not_null(s);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    cr_assert_not_null(r, "%s", SDL_GetError());
    sasae_font *f = sasae_font_open(24);
    cr_assert_not_null(f, "%s", SDL_GetError());
    SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
    SDL_RenderClear(r);
    *w = sasae_text_draw(r, f, text, 4, 4, (SDL_Color){0, 0, 0, 255});
    SDL_RenderPresent(r);
    *ink = inked(s, SDL_MapRGB(s->format, 255, 255, 255));
    sasae_font_free(f);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

Test(ui, renders_english_and_japanese)
{
    int ink = 0, w = 0;
    render_text("End remote support", &ink, &w);
    cr_assert_gt(w, 100);
    cr_assert_gt(ink, 200);
    /* Japanese glyphs must be real glyphs, not the font's empty boxes: compare the ink
     * of two different strings of equal length. */
    int ink_a = 0, ink_b = 0, wa = 0, wb = 0;
    render_text("リモートサポートを終了", &ink_a, &wa);
    render_text("画面共有を許可しますか", &ink_b, &wb);
    cr_assert_gt(wa, 100);
    cr_assert_gt(ink_a, 300);
    cr_assert_neq(ink_a, ink_b, "distinct Japanese strings should draw distinct glyphs");
}

Test(ui, button_hit_and_draw)
{
    sasae_button b = {.rect = {10, 10, 100, 30}, .label = "Deny", .is_default = true};
    cr_assert(sasae_button_hit(&b, 10, 10));
    cr_assert(sasae_button_hit(&b, 109, 39));
    cr_assert_not(sasae_button_hit(&b, 110, 10));
    cr_assert_not(sasae_button_hit(&b, 50, 40));

    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 120, 50, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    sasae_font *f = sasae_font_open(16);
    cr_assert_not_null(f);
    SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
    SDL_RenderClear(r);
    sasae_button_draw(r, f, &b);
    SDL_RenderPresent(r);
    /* The default button's fill is blue in its middle-left area (away from the label). */
    Uint8 cr, cg, cb;
    Uint32 px = ((Uint32 *)((Uint8 *)s->pixels + 25 * s->pitch))[14];
    SDL_GetRGB(px, s->format, &cr, &cg, &cb);
    cr_assert_gt(cb, cr + 60, "default button is blue (r=%d g=%d b=%d)", cr, cg, cb);
    sasae_font_free(f);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}
