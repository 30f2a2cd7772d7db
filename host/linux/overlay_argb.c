/* The overlay's antialiased drawing on a composited desktop (see overlay_argb.h). */
#include "overlay_argb.h"

#include <X11/Xutil.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/host.h"

Visual *ovl_argb_visual(Display *dpy, int screen)
{
    char name[32];
    snprintf(name, sizeof name, "_NET_WM_CM_S%d", screen);
    if (XGetSelectionOwner(dpy, XInternAtom(dpy, name, False)) == None)
        return NULL; /* without a compositor a 32-bit window's alpha is ignored */
    int ev, er;
    XVisualInfo vi;
    if (!XRenderQueryExtension(dpy, &ev, &er) || !XMatchVisualInfo(dpy, screen, 32, TrueColor, &vi))
        return NULL;
    XRenderPictFormat *f = XRenderFindVisualFormat(dpy, vi.visual);
    return f && f->type == PictTypeDirect && f->direct.alphaMask ? vi.visual : NULL;
}

int ovl_argb_init(struct ovl_argb *a, Display *dpy, Visual *vis, Pixmap content, GC gc,
                  const uint32_t *hand, int hw, int hh)
{
    XRenderPictFormat *argb = XRenderFindStandardFormat(dpy, PictStandardARGB32);
    memset(a, 0, sizeof *a);
    a->content = XRenderCreatePicture(dpy, content, argb, 0, NULL);
    XRenderColor red = {(unsigned short)((SASAE_OVERLAY_RED >> 16 & 0xff) * 257),
                        (unsigned short)((SASAE_OVERLAY_RED >> 8 & 0xff) * 257),
                        (unsigned short)((SASAE_OVERLAY_RED & 0xff) * 257), 0xffff};
    a->red = XRenderCreateSolidFill(dpy, &red);
    /* the hand: already premultiplied ARGB, as Render takes it */
    char *copy = malloc(sizeof *hand * (size_t)hw * (size_t)hh);
    if (!copy)
        return -ENOMEM;
    memcpy(copy, hand, sizeof *hand * (size_t)hw * (size_t)hh);
    XImage *img = XCreateImage(dpy, vis, 32, ZPixmap, 0, copy, (unsigned)hw, (unsigned)hh, 32, 0);
    if (!img) {
        free(copy);
        return -ENOMEM;
    }
    a->hand_pix = XCreatePixmap(dpy, DefaultRootWindow(dpy), (unsigned)hw, (unsigned)hh, 32);
    XPutImage(dpy, a->hand_pix, gc, img, 0, 0, 0, 0, (unsigned)hw, (unsigned)hh);
    XDestroyImage(img); /* frees copy */
    a->hand = XRenderCreatePicture(dpy, a->hand_pix, argb, 0, NULL);
    return 0;
}

void ovl_argb_free(struct ovl_argb *a, Display *dpy)
{
    Picture p[] = {a->content, a->red, a->hand, a->fade};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
        if (p[i])
            XRenderFreePicture(dpy, p[i]);
    if (a->hand_pix)
        XFreePixmap(dpy, a->hand_pix);
    memset(a, 0, sizeof *a);
}

void ovl_argb_clear(struct ovl_argb *a, Display *dpy, int x, int y, int w, int h)
{
    XRenderColor none = {0, 0, 0, 0};
    XRenderFillRectangle(dpy, PictOpSrc, a->content, &none, x, y, (unsigned)w, (unsigned)h);
}

#define DISC_SEG 16
#define BATCH 64 /* points per request: segments and discs, as triangles */

static XPointFixed fx(double x, double y)
{
    return (XPointFixed){XDoubleToFixed(x), XDoubleToFixed(y)};
}

/* A disc (a 16-gon) and the quad from (x0,y0) to (x1,y1), half r wide, as triangles. */
static int piece(XTriangle *t, double x0, double y0, double x1, double y1, double r, bool seg)
{
    int n = 0;
    for (int i = 0; i < DISC_SEG; i++) {
        double a0 = 2 * M_PI * i / DISC_SEG, a1 = 2 * M_PI * (i + 1) / DISC_SEG;
        t[n++] = (XTriangle){fx(x1, y1), fx(x1 + r * cos(a0), y1 + r * sin(a0)),
                             fx(x1 + r * cos(a1), y1 + r * sin(a1))};
    }
    double dx = x1 - x0, dy = y1 - y0, l = sqrt(dx * dx + dy * dy);
    if (!seg || l < 0.01)
        return n;
    double nx = -dy / l * r, ny = dx / l * r;
    XPointFixed a = fx(x0 + nx, y0 + ny), b = fx(x1 + nx, y1 + ny), c = fx(x1 - nx, y1 - ny),
                d = fx(x0 - nx, y0 - ny);
    t[n++] = (XTriangle){a, b, c};
    t[n++] = (XTriangle){a, c, d};
    return n;
}

void ovl_argb_stroke(struct ovl_argb *a, Display *dpy, const int32_t *xy, int from, int n,
                     int width)
{
    XTriangle t[BATCH * (DISC_SEG + 2)];
    XRenderPictFormat *a8 = XRenderFindStandardFormat(dpy, PictStandardA8);
    double r = width / 2.0 < 0.75 ? 0.75 : width / 2.0;
    int nt = 0;
    for (int i = from; i < n; i++) {
        double x1 = xy[2 * i] + 0.5, y1 = xy[2 * i + 1] + 0.5;
        double x0 = i > 0 ? xy[2 * i - 2] + 0.5 : x1, y0 = i > 0 ? xy[2 * i - 1] + 0.5 : y1;
        nt += piece(t + nt, x0, y0, x1, y1, r, i > 0);
        if (nt > (BATCH - 1) * (DISC_SEG + 2) || i == n - 1) {
            /* one mask for the batch (the triangles add up in it), composited once */
            XRenderCompositeTriangles(dpy, PictOpOver, a->red, a->content, a8, 0, 0, t, nt);
            nt = 0;
        }
    }
}

void ovl_argb_hand(struct ovl_argb *a, Display *dpy, int x0, int y0, int hw, int hh, unsigned alpha)
{
    if (!a->fade || a->fade_alpha != alpha) {
        if (a->fade)
            XRenderFreePicture(dpy, a->fade);
        XRenderColor c = {0, 0, 0, (unsigned short)(alpha > 255 ? 0xffff : alpha * 257)};
        a->fade = XRenderCreateSolidFill(dpy, &c);
        a->fade_alpha = alpha;
    }
    XRenderComposite(dpy, PictOpOver, a->hand, a->fade, a->content, 0, 0, 0, 0, x0, y0,
                     (unsigned)hw, (unsigned)hh);
}
