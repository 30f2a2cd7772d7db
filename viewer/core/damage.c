/* The parts of the picture a frame changed (the tiles its payload carried), merged into a
 * few rectangles for the window's upload; and which GL drivers are software rasterizers. */
#include <string.h>

#include "sasae/viewer.h"

void sasae_damage_reset(struct sasae_damage *d)
{
    d->full = false;
    d->n = 0;
}

void sasae_damage_all(struct sasae_damage *d)
{
    d->full = true;
    d->n = 0;
}

/* b continues a on the same rows (to its right) or the same columns (below it). */
static bool joins(const int a[4], int x, int y, int w, int h)
{
    if (a[1] == y && a[3] == h && (a[0] + a[2] == x || x + w == a[0]))
        return true;
    return a[0] == x && a[2] == w && (a[1] + a[3] == y || y + h == a[1]);
}

static void unite(int a[4], int x, int y, int w, int h)
{
    int x1 = a[0] + a[2] > x + w ? a[0] + a[2] : x + w;
    int y1 = a[1] + a[3] > y + h ? a[1] + a[3] : y + h;
    a[0] = a[0] < x ? a[0] : x;
    a[1] = a[1] < y ? a[1] : y;
    a[2] = x1 - a[0];
    a[3] = y1 - a[1];
}

void sasae_damage_add(struct sasae_damage *d, int x, int y, int w, int h)
{
    if (d->full || w <= 0 || h <= 0)
        return;
    for (int i = d->n - 1; i >= 0; i--)
        if (joins(d->rects[i], x, y, w, h)) {
            unite(d->rects[i], x, y, w, h);
            return;
        }
    if (d->n < SASAE_DAMAGE_MAX) {
        int *r = d->rects[d->n++];
        r[0] = x, r[1] = y, r[2] = w, r[3] = h;
        return;
    }
    /* too many pieces: one rectangle around all of them */
    for (int i = 1; i < d->n; i++)
        unite(d->rects[0], d->rects[i][0], d->rects[i][1], d->rects[i][2], d->rects[i][3]);
    unite(d->rects[0], x, y, w, h);
    d->n = 1;
}

bool sasae_gfx_gl_is_software(const char *gl_renderer)
{
    static const char *const soft[] = {"llvmpipe",    "softpipe",
                                       "swrast",      "Software Rasterizer",
                                       "GDI Generic", "Microsoft Basic Render"};
    if (!gl_renderer)
        return false;
    for (size_t i = 0; i < sizeof soft / sizeof soft[0]; i++)
        if (strstr(gl_renderer, soft[i]))
            return true;
    return false;
}
