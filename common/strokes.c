/* Distance-to-segment coverage: a pixel's alpha is how much of it lies within width/2 of the
 * segment, approximated by a one-pixel ramp across the edge. */
#include "sasae/strokes.h"

#include <math.h>
#include <stddef.h>

static long seg_box(const int32_t *a, const int32_t *b, float r, int *x0, int *y0, int *x1, int *y1)
{
    float lx = (float)(a[0] < b[0] ? a[0] : b[0]), hx = (float)(a[0] > b[0] ? a[0] : b[0]);
    float ly = (float)(a[1] < b[1] ? a[1] : b[1]), hy = (float)(a[1] > b[1] ? a[1] : b[1]);
    *x0 = (int)floorf(lx - r - 1);
    *y0 = (int)floorf(ly - r - 1);
    *x1 = (int)ceilf(hx + r + 2);
    *y1 = (int)ceilf(hy + r + 2);
    return (long)(*x1 - *x0) * (long)(*y1 - *y0);
}

long sasae_strokes_cost(const int32_t *xy, int n, int width)
{
    long cost = 0;
    int x0, y0, x1, y1;
    for (int i = 0; i < n; i++) {
        const int32_t *a = &xy[2 * (i > 0 ? i - 1 : 0)], *b = &xy[2 * i];
        if (i == 0 && n > 1)
            continue;
        cost += seg_box(a, b, (float)width / 2, &x0, &y0, &x1, &y1);
    }
    return cost;
}

long sasae_strokes_draw(uint32_t *px, int w, const struct sasae_strokes_clip *clip,
                        const int32_t *xy, int n, int width, uint32_t rgb)
{
    if (!px || !clip || !xy || n < 1 || width < 1 || w < 1)
        return -1;
    float r = (float)width / 2;
    long examined = 0;
    unsigned cr = (rgb >> 16) & 0xff, cg = (rgb >> 8) & 0xff, cb = rgb & 0xff;
    for (int i = 0; i < n; i++) {
        if (i == 0 && n > 1)
            continue;
        const int32_t *a = &xy[2 * (i > 0 ? i - 1 : 0)], *b = &xy[2 * i];
        int x0, y0, x1, y1;
        seg_box(a, b, r, &x0, &y0, &x1, &y1);
        x0 = x0 < clip->x0 ? clip->x0 : x0;
        y0 = y0 < clip->y0 ? clip->y0 : y0;
        x1 = x1 > clip->x1 ? clip->x1 : x1;
        y1 = y1 > clip->y1 ? clip->y1 : y1;
        float ax = (float)a[0], ay = (float)a[1];
        float dx = (float)b[0] - ax, dy = (float)b[1] - ay, l2 = dx * dx + dy * dy;
        for (int y = y0; y < y1; y++) {
            uint32_t *row = px + (size_t)y * (size_t)w;
            float py = (float)y + 0.5f - ay;
            for (int x = x0; x < x1; x++) {
                float pxf = (float)x + 0.5f - ax;
                float t = l2 > 0 ? (pxf * dx + py * dy) / l2 : 0;
                t = t < 0 ? 0 : t > 1 ? 1 : t;
                float ex = pxf - t * dx, ey = py - t * dy;
                float c = r + 0.5f - sqrtf(ex * ex + ey * ey);
                examined++;
                if (c <= 0)
                    continue;
                unsigned al = c >= 1 ? 255u : (unsigned)(c * 255.0f + 0.5f);
                if (al <= row[x] >> 24)
                    continue;
                row[x] = (uint32_t)al << 24 | (cr * al / 255) << 16 | (cg * al / 255) << 8 |
                         (cb * al / 255);
            }
        }
    }
    return examined;
}
