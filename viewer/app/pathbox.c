/* The "Send file…" path prompt (see pathbox.h). */
#include "pathbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vpathbox_open(struct vpathbox *p)
{
    p->open = true;
    p->len = 0;
    p->input[0] = p->editing[0] = 0;
    SDL_StartTextInput();
}

void vpathbox_close(struct vpathbox *p)
{
    p->open = false;
    p->editing[0] = 0;
}

static void append(struct vpathbox *p, const char *s)
{
    for (; *s; s++) {
        if (*s == '\n' || *s == '\r')
            continue; /* a pasted path ends at its line */
        if (p->len >= VPATH_MAX)
            return;
        p->input[p->len++] = *s;
    }
    p->input[p->len] = 0;
}

static int submit(struct vpathbox *p, char *out, size_t cap)
{
    const char *home = getenv("HOME");
    int n = p->input[0] == '~' && p->input[1] == '/' && home && *home
                ? snprintf(out, cap, "%s%s", home, p->input + 1)
                : snprintf(out, cap, "%s", p->input);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    vpathbox_close(p);
    return 1;
}

int vpathbox_event(struct vpathbox *p, const SDL_Event *e, char *out, size_t cap)
{
    if (!p->open)
        return -1;
    switch (e->type) {
    case SDL_TEXTEDITING:
        snprintf(p->editing, sizeof p->editing, "%s", e->edit.text);
        return 0;
    case SDL_TEXTINPUT:
        append(p, e->text.text);
        p->editing[0] = 0;
        return 0;
    case SDL_KEYUP:
        return 0; /* nothing typed here reaches the customer's PC */
    case SDL_KEYDOWN: {
        SDL_Keycode k = e->key.keysym.sym;
        if (p->editing[0])
            return 0; /* the IME owns the keys while it composes */
        if (k == SDLK_ESCAPE) {
            vpathbox_close(p);
        } else if (k == SDLK_BACKSPACE) {
            while (p->len > 0 && ((unsigned char)p->input[--p->len] & 0xc0) == 0x80)
                ;
            p->input[p->len] = 0;
        } else if (k == SDLK_v && (e->key.keysym.mod & KMOD_CTRL)) {
            char *clip = SDL_GetClipboardText();
            if (clip)
                append(p, clip);
            SDL_free(clip);
        } else if (k == SDLK_u && (e->key.keysym.mod & KMOD_CTRL)) {
            p->len = 0;
            p->input[0] = 0;
        } else if ((k == SDLK_RETURN || k == SDLK_KP_ENTER) && p->len) {
            return submit(p, out, cap);
        }
        return 0;
    }
    default:
        return -1;
    }
}

void vpathbox_draw(const struct vpathbox *p, struct vtext *t, sasae_font *f, int x, int y_bottom,
                   int w, const char *label, const char *hint)
{
    if (!p->open)
        return;
    int lh = sasae_font_height(f) + 4;
    SDL_Rect box = {x, y_bottom - lh - 14, w, lh + 14};
    SDL_SetRenderDrawColor(t->r, 0x20, 0x30, 0x48, 0xff);
    SDL_RenderFillRect(t->r, &box);
    int lw = vtext_draw(t, f, label, x + 10, box.y + 7, (SDL_Color){0xff, 0xff, 0xff, 0xff});
    int ix = x + 10 + (lw > 0 ? lw : 0) + 10;
    SDL_Rect in = {ix, box.y + 5, x + w - ix - 8, lh + 2};
    SDL_SetRenderDrawColor(t->r, 0xff, 0xff, 0xff, 0xff);
    SDL_RenderFillRect(t->r, &in);
    char shown[VPATH_MAX + 300];
    snprintf(shown, sizeof shown, "%s%s", p->input, p->editing);
    int tw = 0, th = 0;
    vtext_size(t, f, shown, &tw, &th);
    /* a long path shows its end (the file name), as entries scroll */
    int tx = tw > in.w - 12 ? in.x + in.w - 6 - tw : in.x + 6;
    SDL_RenderSetClipRect(t->r, &in);
    vtext_draw(t, f, shown[0] ? shown : hint, tx, in.y + 2,
               shown[0] ? (SDL_Color){0x10, 0x10, 0x10, 0xff}
                        : (SDL_Color){0x80, 0x80, 0x80, 0xff});
    SDL_RenderSetClipRect(t->r, NULL);
    SDL_SetTextInputRect(&in);
}
