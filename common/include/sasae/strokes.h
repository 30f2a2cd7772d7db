/* Antialiased red-pen strokes into a premultiplied ARGB buffer: for overlays that have
 * per-pixel alpha (the Windows layered window). Pure; unit-tested on Linux. */
#ifndef SASAE_STROKES_H
#define SASAE_STROKES_H

#include <stdint.h>

/* A rectangle of the buffer (x0, y0 inclusive; x1, y1 exclusive). */
struct sasae_strokes_clip {
    int x0, y0, x1, y1;
};

/* Draws the polyline xy (n points as x, y pairs; one point is a dot) `width` pixels wide
 * with round caps and joins, in colour rgb (0xRRGGBB), into px (w pixels per row,
 * premultiplied ARGB), only inside clip. Edges get a one-pixel coverage ramp. Pixels
 * combine by the larger coverage, so overlapping segments and strokes of the same colour
 * never darken or double up. Returns the number of pixels examined (cost), or -1 for bad
 * arguments. */
long sasae_strokes_draw(uint32_t *px, int w, const struct sasae_strokes_clip *clip,
                        const int32_t *xy, int n, int width, uint32_t rgb);

/* The pixels sasae_strokes_draw would examine for this polyline (to choose a cheaper path
 * for huge drawings). */
long sasae_strokes_cost(const int32_t *xy, int n, int width);

#endif
