/* The key table of the window's text cache: which font, colour and text each kept texture
 * holds, and which one to give up (least recently used) when all slots are taken. */
#include <string.h>

#include "sasae/viewer.h"

void sasae_tcache_init(struct sasae_tcache *c)
{
    memset(c, 0, sizeof *c);
}

static bool keyable(const char *text)
{
    return text && strnlen(text, SASAE_TCACHE_TEXT) < SASAE_TCACHE_TEXT;
}

int sasae_tcache_find(struct sasae_tcache *c, const void *font, uint32_t rgba, const char *text)
{
    if (!keyable(text))
        return -1;
    for (int i = 0; i < SASAE_TCACHE_SLOTS; i++) {
        struct sasae_tcache_slot *s = &c->s[i];
        if (s->used && s->font == font && s->rgba == rgba && strcmp(s->text, text) == 0) {
            s->last_use = ++c->clock;
            return i;
        }
    }
    return -1;
}

int sasae_tcache_find_any(const struct sasae_tcache *c, const void *font, const char *text)
{
    if (!keyable(text))
        return -1;
    for (int i = 0; i < SASAE_TCACHE_SLOTS; i++) {
        const struct sasae_tcache_slot *s = &c->s[i];
        if (s->used && s->font == font && strcmp(s->text, text) == 0)
            return i;
    }
    return -1;
}

int sasae_tcache_claim(struct sasae_tcache *c, const void *font, uint32_t rgba, const char *text,
                       bool *evicted)
{
    *evicted = false;
    if (!keyable(text))
        return -1;
    int pick = -1;
    for (int i = 0; i < SASAE_TCACHE_SLOTS; i++) {
        if (!c->s[i].used) {
            pick = i;
            break;
        }
        if (pick < 0 || c->s[i].last_use < c->s[pick].last_use)
            pick = i;
    }
    struct sasae_tcache_slot *s = &c->s[pick];
    *evicted = s->used;
    s->used = true;
    s->font = font;
    s->rgba = rgba;
    s->w = s->h = 0;
    s->last_use = ++c->clock;
    strcpy(s->text, text);
    return pick;
}

void sasae_tcache_drop(struct sasae_tcache *c, int i)
{
    if (i >= 0 && i < SASAE_TCACHE_SLOTS)
        c->s[i].used = false;
}
