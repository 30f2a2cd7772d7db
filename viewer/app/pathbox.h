/* The viewer's "Send file…" prompt: a one-line path entry at the bottom of the window (SDL2
 * 2.26 has no file picker, and a helper program would not be there on every desktop). Typed
 * or pasted (Ctrl+V); Enter sends, Escape closes; a leading "~/" is the home folder.
 * Internal to sasae-viewer's window. */
#ifndef SASAE_VIEWER_PATHBOX_H
#define SASAE_VIEWER_PATHBOX_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

#include "sasae/ui.h"
#include "textcache.h"

#define VPATH_MAX 1024

struct vpathbox {
    bool open;
    char input[VPATH_MAX + 1];
    size_t len;
    char editing[256];
};

/* Opens the prompt, empty (text input on). */
void vpathbox_open(struct vpathbox *p);
void vpathbox_close(struct vpathbox *p);
/* A key or text event while open: -1 not taken, 0 taken, 1 a path to send now (written to
 * out, NUL-terminated, "~/" expanded; the prompt closes). */
int vpathbox_event(struct vpathbox *p, const SDL_Event *e, char *out, size_t cap);
/* Draws the prompt (label, then the entry) across the window above y_bottom. */
void vpathbox_draw(const struct vpathbox *p, struct vtext *t, sasae_font *f, int x, int y_bottom,
                   int w, const char *label, const char *hint);

#endif
