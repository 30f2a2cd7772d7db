/* The operator's pointing hand (指さし): its picture and how it moves. One pure module that the
 * host's overlays (X11 and Windows) and the viewer all draw from, so the customer and the
 * operator see the same hand. No I/O, no clocks: callers pass the time. */
#ifndef SASAE_MARKER_H
#define SASAE_MARKER_H

#include <stdbool.h>
#include <stdint.h>

/* Hand heights in pixels: the smallest, and the largest any screen gets. */
#define SASAE_MARKER_MIN_PX 64
#define SASAE_MARKER_MAX_PX 160
/* The hand's fill (0xRRGGBB): a yellow no desktop cursor uses, inside a near-black outline
 * and a soft shadow, so it shows on white, on black and on busy pictures. */
#define SASAE_MARKER_FILL 0xffd400u
#define SASAE_MARKER_OUTLINE 0x1a1a1au
/* Timing of the motion, in milliseconds. */
#define SASAE_MARKER_GLIDE_MS 60  /* a new position is reached in this time */
#define SASAE_MARKER_IDLE_MS 3000 /* without updates for this long the hand fades ... */
#define SASAE_MARKER_FADE_MS 600  /* ... over this long, then is gone */

/* The hand's height in pixels for a screen (or captured area) h pixels high: about 4.5 % of
 * it (97 px on a 2160-line 4K screen at 100 %), never below SASAE_MARKER_MIN_PX nor above
 * SASAE_MARKER_MAX_PX. */
int sasae_marker_height_for(int screen_h);

/* Geometry of the picture of a hand `height` pixels high (clamped to MIN..MAX): its size
 * w x h and the fingertip (hot spot) that sits on the pointed-at pixel. */
void sasae_marker_geometry(int height, int *w, int *h, int *hot_x, int *hot_y);

/* Draws the hand into px: w x h pixels (the geometry's w and h), row-major, premultiplied
 * ARGB 0xAARRGGBB, antialiased, with its shadow. alpha (0..255) scales the whole picture
 * (the fade). Every pixel of px is written. Returns 0, or -EINVAL if w/h do not match the
 * geometry of `height` or px is NULL. */
int sasae_marker_render(uint32_t *px, int w, int h, int height, unsigned alpha);

/* For displays with a one-bit window shape (the X11 overlay without a compositor): whether
 * the pixel at picture position (x, y) with premultiplied alpha a belongs to the shape. An
 * ordered 4x4 dither turns partial alpha (edges, shadow, fade) into a pattern whose density
 * is the alpha; fully opaque pixels are always in, transparent ones never. */
bool sasae_marker_mask_bit(unsigned a, int x, int y);

/* The marker's motion: updates arrive at most ~30 a second; the drawing glides from where the
 * hand is shown to the new position in SASAE_MARKER_GLIDE_MS (no trail: one hand at a time),
 * jumps when the hand was not showing, and fades out after SASAE_MARKER_IDLE_MS without an
 * update. */
struct sasae_marker_motion {
    bool visible;       /* the operator's last word: shown or hidden */
    int from_x, from_y; /* glide start */
    int to_x, to_y;     /* glide end: the last position received */
    int64_t t_move;     /* when the glide started (ms) */
    int64_t t_update;   /* the last update (ms), for the fade */
};

/* Where the hand is shown at `now_ms`. */
struct sasae_marker_pose {
    bool shown;      /* false: nothing to draw */
    int x, y;        /* fingertip position */
    unsigned alpha;  /* 0..255 */
    bool animating;  /* the pose will change without a new update: redraw again soon */
    int64_t next_ms; /* when the pose next changes by itself (now while animating; -1 never) */
};

/* An update from the operator at now_ms: the fingertip at (x, y), or hidden. */
void sasae_marker_motion_update(struct sasae_marker_motion *m, int x, int y, bool visible,
                                int64_t now_ms);
/* The pose at now_ms (times before the last update count as the last update). */
struct sasae_marker_pose sasae_marker_motion_at(const struct sasae_marker_motion *m,
                                                int64_t now_ms);

#endif
