/* ink.c: the host's store of pen strokes (see ink.h). */
#include "ink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void drop(struct host_ink *k, int i)
{
    k->total -= k->s[i].n;
    free(k->s[i].xy);
    memmove(&k->s[i], &k->s[i + 1], sizeof k->s[0] * (size_t)(k->ns - i - 1));
    k->ns--;
}

static int32_t clamp(int32_t v, int lim)
{
    return v < -lim ? -lim : v > 2 * lim ? 2 * lim : v;
}

int host_ink_add(struct host_ink *k, uint32_t id, const int32_t *xy, int n, int width, int lim)
{
    if (!k || !xy || n < 1 || n > HOST_INK_POINT_BUDGET || width < 1 || width > 64)
        return -EINVAL;
    int dropped = 0;
    struct host_ink_stroke *s = k->ns > 0 && k->s[k->ns - 1].id == id ? &k->s[k->ns - 1] : NULL;
    if (!s) {
        if (k->ns == HOST_INK_MAX_STROKES) {
            drop(k, 0);
            dropped = 1;
        }
        s = &k->s[k->ns++];
        memset(s, 0, sizeof *s);
        s->id = id;
    }
    s->width = width;
    if (s->n + n > s->cap) {
        int cap = s->cap ? s->cap : 64;
        while (cap < s->n + n)
            cap *= 2;
        int32_t *p = realloc(s->xy, sizeof *p * 2 * (size_t)cap);
        if (!p) {
            if (s->n == 0) /* a new stroke whose points could not be stored: not kept */
                k->ns--;
            return -ENOMEM;
        }
        s->xy = p;
        s->cap = cap;
    }
    for (int i = 0; i < 2 * n; i++)
        s->xy[2 * s->n + i] = clamp(xy[i], lim);
    s->n += n;
    k->total += n;
    while (k->total > HOST_INK_POINT_BUDGET && k->ns > 1) {
        drop(k, 0);
        dropped = 1;
    }
    return dropped;
}

int host_ink_undo(struct host_ink *k, uint32_t id)
{
    for (int i = k->ns - 1; i >= 0; i--)
        if (k->s[i].id == id) {
            drop(k, i);
            return 0;
        }
    return -ENOENT;
}

void host_ink_clear(struct host_ink *k)
{
    for (int i = 0; i < k->ns; i++)
        free(k->s[i].xy);
    k->ns = 0;
    k->total = 0;
}
