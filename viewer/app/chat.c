/* The viewer's chat panel and input line (see chat.h). */
#include "chat.h"

#include <stdio.h>
#include <string.h>

void vchat_add(struct vchat *c, bool from_customer, const char *text, size_t len)
{
    if (len > VCHAT_MAX)
        len = VCHAT_MAX;
    unsigned i = c->count++ % VCHAT_LINES;
    c->line[i].from_customer = from_customer;
    memcpy(c->line[i].text, text, len);
    c->line[i].text[len] = 0;
    for (char *p = c->line[i].text; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' '; /* one line per message */
}

void vchat_set_typing(struct vchat *c, bool on)
{
    c->typing = on;
    c->editing[0] = 0;
    if (on)
        SDL_StartTextInput();
}

int vchat_event(struct vchat *c, const SDL_Event *e, char *out, size_t cap)
{
    if (!c->typing)
        return -1;
    switch (e->type) {
    case SDL_TEXTEDITING:
        snprintf(c->editing, sizeof c->editing, "%s", e->edit.text);
        return 0;
    case SDL_TEXTINPUT: {
        size_t n = strlen(e->text.text);
        if (c->input_len + n <= VCHAT_MAX) {
            memcpy(c->input + c->input_len, e->text.text, n + 1);
            c->input_len += n;
        }
        c->editing[0] = 0;
        return 0;
    }
    case SDL_KEYUP:
        return 0; /* nothing typed into the chat reaches the customer's PC */
    case SDL_KEYDOWN: {
        SDL_Keycode k = e->key.keysym.sym;
        if (c->editing[0])
            return 0; /* the IME owns the keys while it composes */
        if (k == SDLK_ESCAPE || k == SDLK_F9) {
            vchat_set_typing(c, false);
        } else if (k == SDLK_BACKSPACE) {
            while (c->input_len > 0 && ((unsigned char)c->input[--c->input_len] & 0xc0) == 0x80)
                ;
            c->input[c->input_len] = 0;
        } else if ((k == SDLK_RETURN || k == SDLK_KP_ENTER) && c->input_len && cap > c->input_len) {
            int n = (int)c->input_len;
            memcpy(out, c->input, c->input_len + 1);
            c->input_len = 0;
            c->input[0] = 0;
            return n;
        }
        return 0;
    }
    default:
        return -1;
    }
}

void vchat_draw(const struct vchat *c, struct vtext *t, sasae_font *f, int x, int y_bottom, int w,
                const char *you, const char *op, const char *hint)
{
    unsigned n = c->count < VCHAT_LINES ? c->count : VCHAT_LINES;
    if (!n && !c->typing)
        return;
    int lh = sasae_font_height(f) + 4;
    int h = lh * (int)n + (c->typing ? lh + 8 : 0) + 12;
    SDL_Rect box = {x, y_bottom - h, w, h};
    SDL_SetRenderDrawBlendMode(t->r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(t->r, 0x10, 0x10, 0x10, 0xd8);
    SDL_RenderFillRect(t->r, &box);
    SDL_SetRenderDrawBlendMode(t->r, SDL_BLENDMODE_NONE);
    int y = box.y + 6;
    for (unsigned i = 0; i < n; i++, y += lh) {
        unsigned k = (c->count - n + i) % VCHAT_LINES;
        char line[VCHAT_MAX + 64];
        snprintf(line, sizeof line, "%s: %s", c->line[k].from_customer ? op : you, c->line[k].text);
        vtext_draw(t, f, line, x + 10, y,
                   c->line[k].from_customer ? (SDL_Color){0x80, 0xd0, 0xff, 0xff}
                                            : (SDL_Color){0xe0, 0xe0, 0xe0, 0xff});
    }
    if (c->typing) {
        SDL_Rect in = {x + 6, y + 2, w - 12, lh + 2};
        SDL_SetRenderDrawColor(t->r, 0xff, 0xff, 0xff, 0xff);
        SDL_RenderFillRect(t->r, &in);
        char shown[VCHAT_MAX + 300];
        snprintf(shown, sizeof shown, "%s%s", c->input, c->editing);
        vtext_draw(t, f, shown[0] ? shown : hint, in.x + 6, in.y + 2,
                   shown[0] ? (SDL_Color){0x10, 0x10, 0x10, 0xff}
                            : (SDL_Color){0x80, 0x80, 0x80, 0xff});
        SDL_SetTextInputRect(&in);
    }
}
