/* Dirty rectangle sets: damage expanded to the encoder's 16-pixel macroblock grid, merged
 * so that the set stays small and its rectangles never overlap. */
#include "sasae/host.h"

#define GRID 16

static int align_down(int v)
{
    return v < 0 ? 0 : v / GRID * GRID;
}

static int align_up(int v, int limit)
{
    int a = (v + GRID - 1) / GRID * GRID;
    return a > limit ? limit : a;
}

static bool touches(const struct sasae_rect *a, const struct sasae_rect *b)
{
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

static struct sasae_rect bbox(const struct sasae_rect *a, const struct sasae_rect *b)
{
    int x0 = a->x < b->x ? a->x : b->x;
    int y0 = a->y < b->y ? a->y : b->y;
    int x1 = a->x + a->w > b->x + b->w ? a->x + a->w : b->x + b->w;
    int y1 = a->y + a->h > b->y + b->h ? a->y + a->h : b->y + b->h;
    return (struct sasae_rect){x0, y0, x1 - x0, y1 - y0};
}

void sasae_dirty_add(struct sasae_dirty *d, struct sasae_rect r, int width, int height)
{
    if (r.w <= 0 || r.h <= 0 || width <= 0 || height <= 0)
        return;
    /* 64-bit edges: damage from a hostile or buggy source must not overflow */
    long x1 = (long)r.x + r.w, y1 = (long)r.y + r.h;
    if (x1 <= 0 || y1 <= 0 || r.x >= width || r.y >= height)
        return;
    int ax = align_down(r.x), ay = align_down(r.y);
    int bx = align_up(x1 > width ? width : (int)x1, width);
    int by = align_up(y1 > height ? height : (int)y1, height);
    struct sasae_rect n = {ax, ay, bx - ax, by - ay};
    if (n.w <= 0 || n.h <= 0)
        return;
    /* Absorb every rectangle n touches; a grown n may touch earlier ones, so repeat. */
    bool merged = true;
    while (merged) {
        merged = false;
        for (int i = 0; i < d->n; i++) {
            if (touches(&n, &d->r[i])) {
                n = bbox(&n, &d->r[i]);
                d->r[i] = d->r[--d->n];
                merged = true;
                break;
            }
        }
    }
    if (d->n == SASAE_DIRTY_MAX) {
        for (int i = 0; i < d->n; i++)
            n = bbox(&n, &d->r[i]);
        d->n = 0;
    }
    d->r[d->n++] = n;
}

void sasae_dirty_merge(struct sasae_dirty *d, const struct sasae_dirty *src, int width, int height)
{
    for (int i = 0; i < src->n; i++)
        sasae_dirty_add(d, src->r[i], width, height);
}

long sasae_dirty_area(const struct sasae_dirty *d)
{
    long a = 0;
    for (int i = 0; i < d->n; i++)
        a += (long)d->r[i].w * d->r[i].h;
    return a;
}
