/* The overlay's drawing on a composited X desktop (private to overlay_x11.c): a 32-bit ARGB
 * window a compositing manager blends with what is below, drawn with XRender, so the pen's
 * edges and the hand's edges, shadow and fade are antialiased instead of a one-bit shape. */
#ifndef SASAE_HOST_OVERLAY_ARGB_H
#define SASAE_HOST_OVERLAY_ARGB_H

#include <X11/Xlib.h>
#include <X11/extensions/Xrender.h>
#include <stdint.h>

struct ovl_argb {
    Picture content, red, hand, fade;
    Pixmap hand_pix;
    unsigned fade_alpha;
};

/* The 32-bit visual to use if a compositing manager runs on screen (it owns
 * _NET_WM_CM_S<screen>) and the server has XRender; else NULL (draw shaped). */
Visual *ovl_argb_visual(Display *dpy, int screen);
/* Pictures for content (a depth-32 pixmap of vis) and the hand (hw x hh premultiplied ARGB);
 * gc is one of content's depth. 0 or -ENOMEM. */
int ovl_argb_init(struct ovl_argb *a, Display *dpy, Visual *vis, Pixmap content, GC gc,
                  const uint32_t *hand, int hw, int hh);
void ovl_argb_free(struct ovl_argb *a, Display *dpy);
/* Makes a rectangle of content transparent. */
void ovl_argb_clear(struct ovl_argb *a, Display *dpy, int x, int y, int w, int h);
/* Draws points from..n-1 of a stroke (xy: x,y pairs; each joined to the one before it) width
 * px wide, red, round joins and caps, antialiased. */
void ovl_argb_stroke(struct ovl_argb *a, Display *dpy, const int32_t *xy, int from, int n,
                     int width);
/* Draws the hand's picture (hw x hh) with its top left at x0,y0, faded to alpha (0..255). */
void ovl_argb_hand(struct ovl_argb *a, Display *dpy, int x0, int y0, int hw, int hh,
                   unsigned alpha);

#endif
