/* The window's text cache: SDL textures of rendered texts, slot for slot with the key table
 * of viewer/core/tcache.c. A text is rendered (SDL_ttf, a new texture) only when it is not
 * kept: the toolbar and status bar cost a few copies per frame instead of a dozen renders. */
#include "textcache.h"

#include <string.h>

void vtext_init(struct vtext *t, SDL_Renderer *r)
{
    memset(t, 0, sizeof *t);
    t->r = r;
    sasae_tcache_init(&t->keys);
}

void vtext_free(struct vtext *t)
{
    for (int i = 0; i < SASAE_TCACHE_SLOTS; i++)
        if (t->tex[i])
            SDL_DestroyTexture(t->tex[i]);
    vtext_init(t, t->r);
}

static uint32_t rgba(SDL_Color c)
{
    return (uint32_t)c.r << 24 | (uint32_t)c.g << 16 | (uint32_t)c.b << 8 | c.a;
}

/* The kept slot of text, rendered now if it is not kept; -1 when it cannot be kept. */
static int kept(struct vtext *t, sasae_font *f, const char *text, SDL_Color fg)
{
    int i = sasae_tcache_find(&t->keys, f, rgba(fg), text);
    if (i >= 0)
        return i;
    bool evicted;
    i = sasae_tcache_claim(&t->keys, f, rgba(fg), text, &evicted);
    if (i < 0)
        return -1;
    if (evicted && t->tex[i]) {
        SDL_DestroyTexture(t->tex[i]);
        t->tex[i] = NULL;
    }
    t->tex[i] = sasae_text_texture(t->r, f, text, fg, &t->tex_w[i], &t->tex_h[i]);
    t->renders++;
    if (!t->tex[i] || sasae_text_size(f, text, &t->keys.s[i].w, &t->keys.s[i].h) != 0) {
        if (t->tex[i])
            SDL_DestroyTexture(t->tex[i]);
        t->tex[i] = NULL;
        sasae_tcache_drop(&t->keys, i);
        return -1;
    }
    return i;
}

int vtext_draw(struct vtext *t, sasae_font *f, const char *text, int x, int y, SDL_Color fg)
{
    if (!text || !*text)
        return 0;
    int i = kept(t, f, text, fg);
    if (i < 0) /* too long to keep: drawn the plain way */
        return sasae_text_draw(t->r, f, text, x, y, fg);
    SDL_Rect dst = {x, y, t->tex_w[i], t->tex_h[i]};
    SDL_RenderCopy(t->r, t->tex[i], NULL, &dst);
    return dst.w;
}

int vtext_size(struct vtext *t, sasae_font *f, const char *text, int *w, int *h)
{
    int i = text && *text ? sasae_tcache_find_any(&t->keys, f, text) : -1;
    if (i < 0)
        return sasae_text_size(f, text ? text : "", w, h);
    *w = t->keys.s[i].w;
    *h = t->keys.s[i].h;
    return 0;
}

void vtext_button(struct vtext *t, sasae_font *f, const sasae_button *b)
{
    int i = b->label && *b->label ? kept(t, f, b->label, sasae_button_label_colour(b)) : -1;
    if (i < 0) { /* no label, or one too long to keep */
        sasae_button_draw(t->r, f, b);
        return;
    }
    sasae_button chrome = *b;
    chrome.label = NULL;
    sasae_button_draw(t->r, f, &chrome);
    int w = t->tex_w[i], h = t->tex_h[i];
    SDL_Rect dst = {b->rect.x + (b->rect.w - w) / 2, b->rect.y + (b->rect.h - h) / 2, w, h};
    SDL_RenderCopy(t->r, t->tex[i], NULL, &dst);
}
