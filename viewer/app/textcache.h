/* The window's text cache: texts drawn on every frame (toolbar labels, the status bar, the
 * chat) are rendered once and kept as textures until they change. Internal to sasae-viewer. */
#ifndef SASAE_VIEWER_TEXTCACHE_H
#define SASAE_VIEWER_TEXTCACHE_H

#include <SDL.h>

#include "sasae/ui.h"
#include "sasae/viewer.h"

struct vtext {
    SDL_Renderer *r;
    struct sasae_tcache keys;
    SDL_Texture *tex[SASAE_TCACHE_SLOTS]; /* slot for slot with keys (whose w, h are the
                                           * text's measured size, sasae_text_size) */
    int tex_w[SASAE_TCACHE_SLOTS], tex_h[SASAE_TCACHE_SLOTS]; /* the texture's size */
    unsigned long renders; /* texts rendered (not found kept), for tests */
};

/* Empty, drawing with r. */
void vtext_init(struct vtext *t, SDL_Renderer *r);
/* Destroys the kept textures; call before the renderer goes. */
void vtext_free(struct vtext *t);
/* Draws UTF-8 text with its top-left corner at (x, y) as sasae_text_draw does, from the kept
 * texture when there is one. Returns the width drawn, 0 for empty text, -1 on error. */
int vtext_draw(struct vtext *t, sasae_font *f, const char *text, int x, int y, SDL_Color fg);
/* The text's size as sasae_text_size gives it (from a kept texture when there is one). */
int vtext_size(struct vtext *t, sasae_font *f, const char *text, int *w, int *h);
/* Draws a button as sasae_button_draw does, its label from the cache. */
void vtext_button(struct vtext *t, sasae_font *f, const sasae_button *b);

#endif
