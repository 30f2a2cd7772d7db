/* The viewer's chat with the customer: the last messages both ways and the operator's input
 * line (F9 opens it; Enter sends, Escape closes; IME composition shown as it is typed).
 * Internal to sasae-viewer's window. */
#ifndef SASAE_VIEWER_CHAT_H
#define SASAE_VIEWER_CHAT_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

#include "sasae/ui.h"
#include "textcache.h"

#define VCHAT_MAX 1024 /* bytes of UTF-8 per message: the wire's CHAT limit */
#define VCHAT_LINES 4

struct vchat {
    struct {
        bool from_customer;
        char text[VCHAT_MAX + 1];
    } line[VCHAT_LINES];
    unsigned count; /* messages so far; line[count % VCHAT_LINES] is next */
    bool typing;
    char input[VCHAT_MAX + 1];
    size_t input_len;
    char editing[256];
};

/* Keeps a message (len <= VCHAT_MAX, UTF-8) for the panel. */
void vchat_add(struct vchat *c, bool from_customer, const char *text, size_t len);
/* Opens or closes the input line (text input on while open). */
void vchat_set_typing(struct vchat *c, bool on);
/* Handles a key or text event while typing: returns -1 if not taken, 0 if taken, or the
 * length of a message to send now (copied NUL-terminated to out, cap > VCHAT_MAX). */
int vchat_event(struct vchat *c, const SDL_Event *e, char *out, size_t cap);
/* Draws the panel (messages, and the input line while typing) with its bottom left at
 * (x, y_bottom), w wide; nothing if there is nothing to show. you/op label the senders. */
void vchat_draw(const struct vchat *c, struct vtext *t, sasae_font *f, int x, int y_bottom, int w,
                const char *you, const char *op, const char *hint);

#endif
