/* The annotation overlay: the operator's red pen strokes and pointing hand drawn on
 * the customer's real screen in an override-redirect window that is shaped (XShape) to
 * the drawing and click-through (XFixes empty input region). On a composited desktop (a
 * compositing manager runs when the overlay opens) the window is 32-bit ARGB instead and
 * drawn antialiased with XRender (overlay_argb.c). Plain Xlib: SDL cannot make
 * shaped click-through windows. Callers only change the drawing in memory; a small thread
 * redraws at most SASAE_OVERLAY_FPS times a second, so a pen flood cannot load the X server
 * or hold the caller (the session lock) in X round trips. */
#include "ink.h"
#include "overlay_argb.h"
#include "sasae/common.h"
#include "sasae/host.h"
#include "sasae/marker.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/Xfixes.h>
#include <X11/extensions/shape.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sasae_overlay {
    pthread_mutex_t mu;
    Display *dpy;
    Window win;
    Pixmap content; /* window background: the server repaints from it on expose */
    Pixmap mask;    /* depth 1: the window's bounding shape */
    GC gc, mgc;
    int w, h;
    bool mapped;
    struct host_ink ink; /* the strokes; each one's `drawn` counts points in the pixmaps */
    struct sasae_marker_motion motion;
    struct sasae_marker_pose drawn;                /* the hand as last drawn */
    int hand_h, hand_w, hand_hh, hand_hx, hand_hy; /* hand height, picture size, hot spot */
    uint32_t *hand;                                /* the picture, premultiplied ARGB, full alpha */
    Pixmap hand_pix, hand_mask; /* its colours and its one-bit shape at hand_alpha */
    unsigned hand_alpha;
    int ox, oy; /* window origin on the screen */
    bool dirty, suspended, stop;
    unsigned long redraws;
    bool full; /* the next redraw starts from an empty mask (something was removed or moved) */
    XRectangle keep[SASAE_OVERLAY_MAX_KEEPOUT];
    int nkeep;
    pthread_t thread;
    bool thread_started;
    bool argb; /* composited: per-pixel alpha, no bounding shape */
    struct ovl_argb ar;
    Colormap cmap;
};

static int64_t now_ms(void)
{
    return (int64_t)(sasae_mono_ns() / 1000000u);
}

/* The hand's pixmaps at alpha (o->mu held): the colours un-premultiplied, the shape dithered
 * (a shaped window has one bit per pixel: the edges, shadow and fade become a pattern). */
static void hand_build(struct sasae_overlay *o, unsigned alpha)
{
    if (o->hand_pix && o->hand_alpha == alpha)
        return;
    int w = o->hand_w, h = o->hand_h, depth = DefaultDepth(o->dpy, DefaultScreen(o->dpy));
    if (!o->hand_pix) {
        o->hand_pix = XCreatePixmap(o->dpy, o->win, (unsigned)w, (unsigned)h, (unsigned)depth);
        o->hand_mask = XCreatePixmap(o->dpy, o->win, (unsigned)w, (unsigned)h, 1);
    }
    uint32_t *rgb = malloc(sizeof *rgb * (size_t)w * (size_t)h);
    int bpl = (w + 7) / 8;
    char *bits = calloc((size_t)bpl * (size_t)h, 1);
    if (!rgb || !bits) {
        free(rgb);
        free(bits);
        return;
    }
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint32_t p = o->hand[(size_t)y * (size_t)w + (size_t)x];
            unsigned a = p >> 24, c[3];
            for (int k = 0; k < 3; k++)
                c[k] = a ? ((p >> (16 - 8 * k)) & 0xff) * 255 / a : 0;
            rgb[(size_t)y * (size_t)w + (size_t)x] = c[0] << 16 | c[1] << 8 | c[2];
            if (sasae_marker_mask_bit(a * alpha / 255, x, y))
                bits[y * bpl + x / 8] |= (char)(1 << (x % 8));
        }
    }
    XImage *img =
        XCreateImage(o->dpy, DefaultVisual(o->dpy, DefaultScreen(o->dpy)), (unsigned)depth, ZPixmap,
                     0, (char *)rgb, (unsigned)w, (unsigned)h, 32, 0);
    if (img) {
        XPutImage(o->dpy, o->hand_pix, o->gc, img, 0, 0, 0, 0, (unsigned)w, (unsigned)h);
        XDestroyImage(img); /* frees rgb */
    } else {
        free(rgb);
    }
    Pixmap m = XCreateBitmapFromData(o->dpy, o->win, bits, (unsigned)w, (unsigned)h);
    free(bits);
    XSetFunction(o->dpy, o->mgc, GXcopy);
    XCopyArea(o->dpy, m, o->hand_mask, o->mgc, 0, 0, (unsigned)w, (unsigned)h, 0, 0);
    XFreePixmap(o->dpy, m);
    o->hand_alpha = alpha;
}

/* Draws the hand at its pose over whatever is drawn (o->mu held). */
static void hand_draw(struct sasae_overlay *o, const struct sasae_marker_pose *p)
{
    if (o->argb) {
        ovl_argb_hand(&o->ar, o->dpy, p->x - o->hand_hx, p->y - o->hand_hy, o->hand_w, o->hand_h,
                      p->alpha >= 255 ? 255 : p->alpha);
        return;
    }
    /* the fade in 16 steps: each step rebuilds the pixmaps */
    hand_build(o, p->alpha >= 255 ? 255 : p->alpha & ~15u);
    int x0 = p->x - o->hand_hx, y0 = p->y - o->hand_hy;
    XSetClipMask(o->dpy, o->gc, o->hand_mask);
    XSetClipOrigin(o->dpy, o->gc, x0, y0);
    XCopyArea(o->dpy, o->hand_pix, o->content, o->gc, 0, 0, (unsigned)o->hand_w,
              (unsigned)o->hand_h, x0, y0);
    XSetClipMask(o->dpy, o->gc, None);
    XSetFunction(o->dpy, o->mgc, GXor);
    XCopyArea(o->dpy, o->hand_mask, o->mask, o->mgc, 0, 0, (unsigned)o->hand_w, (unsigned)o->hand_h,
              x0, y0);
    XSetFunction(o->dpy, o->mgc, GXcopy);
}

/* Draws stroke s from its point `from` on, into the picture and the shape, in pieces of
 * X's 16-bit points (the store clamps coordinates to what they hold); each piece starts at
 * the previous one's last point so the line stays joined. */
static void draw_lines(struct sasae_overlay *o, const struct host_ink_stroke *s, int from)
{
    XPoint pt[256];
    for (int at = from; at < s->n - 1; at += 255) {
        int m = s->n - at < 256 ? s->n - at : 256;
        for (int k = 0; k < m; k++) {
            pt[k].x = (short)s->xy[2 * (at + k)];
            pt[k].y = (short)s->xy[2 * (at + k) + 1];
        }
        XDrawLines(o->dpy, o->content, o->gc, pt, m, CoordModeOrigin);
        XDrawLines(o->dpy, o->mask, o->mgc, pt, m, CoordModeOrigin);
    }
}

/* Brings the window up to date. Incremental unless o->full: only the points added since the
 * last redraw are drawn, so a long stroke arriving point by point costs little. */
static void redraw(struct sasae_overlay *o)
{
    struct sasae_marker_pose pose = sasae_marker_motion_at(&o->motion, now_ms());
    if (pose.shown != o->drawn.shown || pose.x != o->drawn.x || pose.y != o->drawn.y ||
        pose.alpha != o->drawn.alpha)
        o->full = true; /* the old hand must go: no trail */
    o->drawn = pose;
    bool any = pose.shown || o->ink.ns > 0;
    o->redraws++;
    if (o->full && o->argb)
        ovl_argb_clear(&o->ar, o->dpy, 0, 0, o->w, o->h);
    if (o->full) {
        XSetForeground(o->dpy, o->mgc, 0);
        XFillRectangle(o->dpy, o->mask, o->mgc, 0, 0, (unsigned)o->w, (unsigned)o->h);
        for (int i = 0; i < o->ink.ns; i++)
            o->ink.s[i].drawn = 0;
        o->full = false;
    }
    XSetForeground(o->dpy, o->mgc, 1);
    for (int i = 0; i < o->ink.ns; i++) {
        struct host_ink_stroke *s = &o->ink.s[i];
        int from = s->drawn > 0 ? s->drawn - 1 : 0; /* joins the previous segment */
        if (s->drawn == s->n)
            continue;
        if (o->argb) {
            ovl_argb_stroke(&o->ar, o->dpy, s->xy, s->drawn, s->n, s->width);
            s->drawn = s->n;
            continue;
        }
        s->drawn = s->n;
        XSetForeground(o->dpy, o->gc, SASAE_OVERLAY_RED);
        XSetLineAttributes(o->dpy, o->gc, (unsigned)s->width, LineSolid, CapRound, JoinRound);
        XSetLineAttributes(o->dpy, o->mgc, (unsigned)s->width, LineSolid, CapRound, JoinRound);
        if (s->n == 1) {
            int r = s->width / 2 + 1;
            int x = s->xy[0] - r, y = s->xy[1] - r;
            XFillArc(o->dpy, o->content, o->gc, x, y, (unsigned)(2 * r), (unsigned)(2 * r), 0,
                     360 * 64);
            XFillArc(o->dpy, o->mask, o->mgc, x, y, (unsigned)(2 * r), (unsigned)(2 * r), 0,
                     360 * 64);
        } else {
            draw_lines(o, s, from);
        }
    }
    if (pose.shown)
        hand_draw(o, &pose);
    /* the session bar and prompts stay visible whatever is drawn over them */
    XSetForeground(o->dpy, o->mgc, 0);
    for (int i = 0; i < o->nkeep; i++) {
        if (o->argb) {
            ovl_argb_clear(&o->ar, o->dpy, o->keep[i].x, o->keep[i].y, o->keep[i].width,
                           o->keep[i].height);
            continue;
        }
        XFillRectangle(o->dpy, o->mask, o->mgc, o->keep[i].x, o->keep[i].y, o->keep[i].width,
                       o->keep[i].height);
    }
    if (!o->argb)
        XShapeCombineMask(o->dpy, o->win, ShapeBounding, 0, 0, o->mask, ShapeSet);
    o->dirty = false;
    if (any && !o->suspended) {
        XSetWindowBackgroundPixmap(o->dpy, o->win, o->content);
        if (!o->mapped) {
            XMapRaised(o->dpy, o->win);
            o->mapped = true;
        } else {
            XRaiseWindow(o->dpy, o->win);
        }
        XClearWindow(o->dpy, o->win);
    } else if (o->mapped) {
        XUnmapWindow(o->dpy, o->win);
        o->mapped = false;
    }
    XFlush(o->dpy);
}

static void *redraw_main(void *arg)
{
    struct sasae_overlay *o = arg;
    const struct timespec period = {0, 1000000000L / SASAE_OVERLAY_FPS};
    for (;;) {
        pthread_mutex_lock(&o->mu);
        bool stop = o->stop;
        if (!stop && !o->dirty) {
            /* the hand glides and fades without new messages */
            struct sasae_marker_pose p = sasae_marker_motion_at(&o->motion, now_ms());
            o->dirty = p.shown != o->drawn.shown || p.x != o->drawn.x || p.y != o->drawn.y ||
                       p.alpha != o->drawn.alpha;
        }
        if (!stop && o->dirty)
            redraw(o);
        pthread_mutex_unlock(&o->mu);
        if (stop)
            return NULL;
        nanosleep(&period, NULL);
    }
}

struct sasae_overlay *sasae_overlay_open(const char *display, int x, int y, int w, int h, char *err,
                                         size_t errlen)
{
    int ev, er;
    if (w < 1 || h < 1 || w > 16384 || h > 16384) {
        snprintf(err, errlen, "overlay: bad size %dx%d", w, h);
        return NULL;
    }
    struct sasae_overlay *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&o->mu, NULL);
    o->w = w;
    o->h = h;
    o->ox = x;
    o->oy = y;
    o->full = true;
    o->dpy = XOpenDisplay(display);
    if (!o->dpy) {
        snprintf(err, errlen, "overlay: cannot open X display");
        goto fail;
    }
    if (!XShapeQueryExtension(o->dpy, &ev, &er) || !XFixesQueryExtension(o->dpy, &ev, &er)) {
        snprintf(err, errlen, "overlay: X server lacks SHAPE or XFIXES");
        goto fail;
    }
    Window root = DefaultRootWindow(o->dpy);
    int depth = DefaultDepth(o->dpy, DefaultScreen(o->dpy));
    Visual *vis = ovl_argb_visual(o->dpy, DefaultScreen(o->dpy));
    XSetWindowAttributes a = {.override_redirect = True, .background_pixel = 0};
    if (vis) {
        o->argb = true;
        depth = 32;
        o->cmap = XCreateColormap(o->dpy, root, vis, AllocNone);
        a.colormap = o->cmap;
        a.border_pixel = 0;
        o->win =
            XCreateWindow(o->dpy, root, x, y, (unsigned)w, (unsigned)h, 0, 32, InputOutput, vis,
                          CWOverrideRedirect | CWBackPixel | CWBorderPixel | CWColormap, &a);
    } else {
        o->win = XCreateWindow(o->dpy, root, x, y, (unsigned)w, (unsigned)h, 0, CopyFromParent,
                               InputOutput, CopyFromParent, CWOverrideRedirect | CWBackPixel, &a);
    }
    SASAE_INFO("overlay", "%s",
               o->argb ? "composited desktop: per-pixel alpha, antialiased"
                       : "no compositor: a shaped window (one bit per pixel)");
    XStoreName(o->dpy, o->win, "sasae overlay");
    /* click-through: an empty input shape lets every click reach the window below */
    XserverRegion none = XFixesCreateRegion(o->dpy, NULL, 0);
    XFixesSetWindowShapeRegion(o->dpy, o->win, ShapeInput, 0, 0, none);
    XFixesDestroyRegion(o->dpy, none);
    o->content = XCreatePixmap(o->dpy, o->win, (unsigned)w, (unsigned)h, (unsigned)depth);
    o->mask = XCreatePixmap(o->dpy, o->win, (unsigned)w, (unsigned)h, 1);
    o->gc = XCreateGC(o->dpy, o->content, 0, NULL);
    o->mgc = XCreateGC(o->dpy, o->mask, 0, NULL);
    o->hand_hh = sasae_marker_height_for(h);
    sasae_marker_geometry(o->hand_hh, &o->hand_w, &o->hand_h, &o->hand_hx, &o->hand_hy);
    o->hand = malloc(sizeof *o->hand * (size_t)o->hand_w * (size_t)o->hand_h);
    if (!o->hand || sasae_marker_render(o->hand, o->hand_w, o->hand_h, o->hand_hh, 255) != 0 ||
        (o->argb &&
         ovl_argb_init(&o->ar, o->dpy, vis, o->content, o->gc, o->hand, o->hand_w, o->hand_h))) {
        snprintf(err, errlen, "overlay: out of memory");
        goto fail;
    }
    redraw(o);
    XSync(o->dpy, False);
    if (pthread_create(&o->thread, NULL, redraw_main, o) != 0) {
        snprintf(err, errlen, "overlay: cannot start its thread");
        goto fail;
    }
    o->thread_started = true;
    return o;
fail:
    sasae_overlay_free(o);
    return NULL;
}

void sasae_overlay_free(struct sasae_overlay *o)
{
    if (!o)
        return;
    if (o->thread_started) {
        pthread_mutex_lock(&o->mu);
        o->stop = true;
        pthread_mutex_unlock(&o->mu);
        pthread_join(o->thread, NULL);
    }
    host_ink_clear(&o->ink);
    if (o->dpy) {
        if (o->gc)
            XFreeGC(o->dpy, o->gc);
        if (o->mgc)
            XFreeGC(o->dpy, o->mgc);
        if (o->content)
            XFreePixmap(o->dpy, o->content);
        if (o->mask)
            XFreePixmap(o->dpy, o->mask);
        if (o->hand_pix)
            XFreePixmap(o->dpy, o->hand_pix);
        if (o->hand_mask)
            XFreePixmap(o->dpy, o->hand_mask);
        ovl_argb_free(&o->ar, o->dpy);
        if (o->win)
            XDestroyWindow(o->dpy, o->win);
        if (o->cmap)
            XFreeColormap(o->dpy, o->cmap);
        XCloseDisplay(o->dpy);
    }
    free(o->hand);
    pthread_mutex_destroy(&o->mu);
    free(o);
}

void sasae_overlay_pointer(struct sasae_overlay *o, int x, int y, bool visible)
{
    pthread_mutex_lock(&o->mu);
    sasae_marker_motion_update(&o->motion, x, y,
                               visible && x >= 0 && y >= 0 && x < o->w && y < o->h, now_ms());
    o->dirty = true;
    pthread_mutex_unlock(&o->mu);
}

int sasae_overlay_stroke(struct sasae_overlay *o, uint32_t id, const int32_t *xy, int n,
                         uint32_t rgba, int width)
{
    (void)rgba; /* always red on the host: see SASAE_OVERLAY_RED */
    pthread_mutex_lock(&o->mu);
    int lim = o->w > o->h ? o->w : o->h;
    int rc = host_ink_add(&o->ink, id, xy, n, width, lim > 10000 ? 10000 : lim);
    if (rc > 0)
        o->full = true; /* an older stroke went: redraw what is left */
    if (rc >= 0)
        o->dirty = true;
    pthread_mutex_unlock(&o->mu);
    return rc < 0 ? rc : 0;
}

void sasae_overlay_clear(struct sasae_overlay *o)
{
    pthread_mutex_lock(&o->mu);
    host_ink_clear(&o->ink);
    o->dirty = o->full = true;
    pthread_mutex_unlock(&o->mu);
}

int sasae_overlay_undo(struct sasae_overlay *o, uint32_t id)
{
    pthread_mutex_lock(&o->mu);
    int rc = host_ink_undo(&o->ink, id);
    if (rc == 0)
        o->dirty = o->full = true;
    pthread_mutex_unlock(&o->mu);
    return rc;
}

void sasae_overlay_hide(struct sasae_overlay *o)
{
    pthread_mutex_lock(&o->mu);
    host_ink_clear(&o->ink);
    o->motion.visible = false;
    o->full = true;
    redraw(o);
    XSync(o->dpy, False);
    pthread_mutex_unlock(&o->mu);
}

void sasae_overlay_suspend(struct sasae_overlay *o, bool on)
{
    pthread_mutex_lock(&o->mu);
    o->suspended = on;
    if (on) {
        /* at once, not at the next redraw: the prompt is about to be shown */
        redraw(o);
        XSync(o->dpy, False);
    } else {
        o->dirty = true;
    }
    pthread_mutex_unlock(&o->mu);
}

void sasae_overlay_keepout(struct sasae_overlay *o, const int *xywh, int n)
{
    XRectangle k[SASAE_OVERLAY_MAX_KEEPOUT];
    int m = 0;
    n = n < 0 ? 0 : n > SASAE_OVERLAY_MAX_KEEPOUT ? SASAE_OVERLAY_MAX_KEEPOUT : n;
    pthread_mutex_lock(&o->mu);
    for (int i = 0; i < n; i++) {
        /* to window coordinates, clipped to the window */
        long x0 = (long)xywh[4 * i] - o->ox, y0 = (long)xywh[4 * i + 1] - o->oy;
        long x1 = x0 + xywh[4 * i + 2], y1 = y0 + xywh[4 * i + 3];
        x0 = x0 < 0 ? 0 : x0;
        y0 = y0 < 0 ? 0 : y0;
        x1 = x1 > o->w ? o->w : x1;
        y1 = y1 > o->h ? o->h : y1;
        if (x1 <= x0 || y1 <= y0)
            continue;
        k[m++] = (XRectangle){(short)x0, (short)y0, (unsigned short)(x1 - x0),
                              (unsigned short)(y1 - y0)};
    }
    if (m != o->nkeep || memcmp(k, o->keep, sizeof k[0] * (size_t)m) != 0) {
        memcpy(o->keep, k, sizeof k[0] * (size_t)m);
        o->nkeep = m;
        o->dirty = o->full = true;
    }
    pthread_mutex_unlock(&o->mu);
}

unsigned long sasae_overlay_redraws(struct sasae_overlay *o)
{
    pthread_mutex_lock(&o->mu);
    unsigned long n = o->redraws;
    pthread_mutex_unlock(&o->mu);
    return n;
}
