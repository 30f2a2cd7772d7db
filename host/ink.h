/* ink.h: the red pen's strokes as the host keeps them for its overlay (private to host/).
 * One store for both overlays (X11 and Windows): the operator's points per stroke, with the
 * limits that keep a flood of pen messages from taking the customer's memory. Pure: no
 * locking (the overlay holds its lock) and no drawing. */
#ifndef SASAE_HOST_INK_H
#define SASAE_HOST_INK_H

#include <stdint.h>

#define HOST_INK_MAX_STROKES 256
#define HOST_INK_POINT_BUDGET 65536 /* points kept over all strokes */

struct host_ink_stroke {
    uint32_t id;
    int width;
    int n, cap;
    int drawn;   /* points the overlay has already drawn (its own bookkeeping) */
    int32_t *xy; /* n points as x, y pairs */
};

struct host_ink {
    struct host_ink_stroke s[HOST_INK_MAX_STROKES]; /* oldest first */
    int ns, total;
};

/* Appends n points (x, y pairs, each clamped to [-lim, 2 * lim] so that far-away points
 * stay representable for the drawing API) to stroke id: the newest stroke if it has that
 * id, else a new one. The oldest strokes go when 256 are kept or more than the point
 * budget. Returns 1 if an older stroke was dropped (what was drawn must be redrawn), 0,
 * -EINVAL (n outside 1..budget, width outside 1..64) or -ENOMEM (nothing added). */
int host_ink_add(struct host_ink *k, uint32_t id, const int32_t *xy, int n, int width, int lim);

/* Removes stroke id (the newest with that id). 0, or -ENOENT when there is none. */
int host_ink_undo(struct host_ink *k, uint32_t id);

/* Removes every stroke and frees their points. */
void host_ink_clear(struct host_ink *k);

#endif
