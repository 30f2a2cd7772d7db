/* X11 capture: the root window (or one XRandR monitor) into a MIT-SHM image, driven by
 * XDamage so only changed regions are read; the cursor is read separately with XFixes. */
#include "../cap_backend.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <X11/extensions/Xdamage.h>
#include <X11/extensions/Xfixes.h>
#include <X11/extensions/Xrandr.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "sasae/common.h"

struct x11cap {
    Display *dpy;
    Window root;
    XShmSegmentInfo shm;
    bool shm_attached;
    XImage *img;
    Pixmap pix; /* shared-memory pixmap over img's memory; 0 = copy whole frames */
    GC gc;
    int damage_ev, fixes_ev;
    Damage damage;
    XserverRegion region;
    bool damaged, first;
    bool cursor_dirty;
    struct sasae_cursor cur; /* last reported */
    bool cur_valid;
};

static int copy_area(struct sasae_cap *c, struct x11cap *x, const struct sasae_dirty *d)
{
    if (x->pix) {
        for (int i = 0; i < d->n; i++) {
            const struct sasae_rect *r = &d->r[i];
            XCopyArea(x->dpy, x->root, x->pix, x->gc, c->origin_x + r->x, c->origin_y + r->y,
                      (unsigned)r->w, (unsigned)r->h, r->x, r->y);
        }
        /* the copy must be finished before the pixels are read */
        XSync(x->dpy, False);
        return 0;
    }
    if (!XShmGetImage(x->dpy, x->root, x->img, c->origin_x, c->origin_y, AllPlanes))
        return -EIO;
    return 0;
}

static void drain(struct x11cap *x)
{
    while (XPending(x->dpy)) {
        XEvent ev;
        XNextEvent(x->dpy, &ev);
        if (ev.type == x->damage_ev + XDamageNotify)
            x->damaged = true;
        else if (ev.type == x->fixes_ev + XFixesCursorNotify)
            x->cursor_dirty = true;
    }
}

static int x11_grab(struct sasae_cap *c, struct sasae_dirty *dirty, struct sasae_frame *f)
{
    struct x11cap *x = c->impl;
    struct sasae_dirty d = {0};
    drain(x);
    f->width = c->width;
    f->height = c->height;
    f->stride = x->img->bytes_per_line;
    f->bgra = (const uint8_t *)x->img->data;
    f->capture_us = sasae_wall_us();
    if (x->first) {
        sasae_dirty_add(&d, (struct sasae_rect){0, 0, c->width, c->height}, c->width, c->height);
        /* clear pending damage: everything is read now */
        XDamageSubtract(x->dpy, x->damage, None, None);
        x->first = false;
        x->damaged = false;
    } else {
        if (!x->damaged)
            return 0; /* no round trip at all for an unchanged screen */
        x->damaged = false;
        XDamageSubtract(x->dpy, x->damage, None, x->region);
        int n = 0;
        XRectangle *rs = XFixesFetchRegion(x->dpy, x->region, &n);
        for (int i = 0; rs && i < n; i++)
            sasae_dirty_add(&d,
                            (struct sasae_rect){rs[i].x - c->origin_x, rs[i].y - c->origin_y,
                                                rs[i].width, rs[i].height},
                            c->width, c->height);
        if (rs)
            XFree(rs);
        if (d.n == 0)
            return 0; /* damage elsewhere (another monitor) */
    }
    int rc = copy_area(c, x, &d);
    if (rc < 0)
        return rc;
    sasae_dirty_merge(dirty, &d, c->width, c->height);
    return 1;
}

static int x11_wait(struct sasae_cap *c, int timeout_ms)
{
    struct x11cap *x = c->impl;
    if (x->first || x->damaged)
        return 1;
    drain(x);
    if (x->damaged)
        return 1;
    struct pollfd p = {ConnectionNumber(x->dpy), POLLIN, 0};
    int r = poll(&p, 1, timeout_ms);
    if (r < 0)
        return errno == EINTR ? 0 : -errno;
    if (r > 0 && (p.revents & (POLLERR | POLLHUP)))
        return -EPIPE;
    drain(x);
    return x->damaged ? 1 : 0;
}

static int x11_cursor(struct sasae_cap *c, struct sasae_cursor *out)
{
    struct x11cap *x = c->impl;
    bool changed = false;
    drain(x);
    if (x->cursor_dirty || !x->cur_valid) {
        XFixesCursorImage *ci = XFixesGetCursorImage(x->dpy);
        if (ci && ci->width > 0 && ci->height > 0 && ci->width <= 256 && ci->height <= 256) {
            size_t n = (size_t)ci->width * ci->height;
            uint8_t *px = malloc(n * 4);
            if (px) {
                for (size_t i = 0; i < n; i++) {
                    /* XFixes gives 32-bit ARGB in an unsigned long per pixel */
                    uint32_t v = (uint32_t)ci->pixels[i];
                    px[i * 4 + 0] = (uint8_t)v;
                    px[i * 4 + 1] = (uint8_t)(v >> 8);
                    px[i * 4 + 2] = (uint8_t)(v >> 16);
                    px[i * 4 + 3] = (uint8_t)(v >> 24);
                }
                free(x->cur.bgra);
                x->cur.bgra = px;
                x->cur.w = ci->width;
                x->cur.h = ci->height;
                x->cur.hot_x = ci->xhot < ci->width ? ci->xhot : 0;
                x->cur.hot_y = ci->yhot < ci->height ? ci->yhot : 0;
                x->cur.serial = (uint32_t)ci->cursor_serial;
                changed = true;
            }
        }
        if (ci)
            XFree(ci);
        x->cursor_dirty = false;
    }
    Window rw, cw;
    int rx = 0, ry = 0, wx, wy;
    unsigned mask;
    XQueryPointer(x->dpy, x->root, &rw, &cw, &rx, &ry, &wx, &wy, &mask);
    int px = rx - c->origin_x, py = ry - c->origin_y;
    bool vis = px >= 0 && py >= 0 && px < c->width && py < c->height;
    if (!vis)
        px = py = 0; /* off the shared area: where exactly is not shared either */
    if (!x->cur_valid || px != x->cur.x || py != x->cur.y || vis != x->cur.visible)
        changed = true;
    x->cur.x = px;
    x->cur.y = py;
    x->cur.visible = vis;
    x->cur_valid = true;
    *out = x->cur;
    return changed ? 1 : 0;
}

static void x11_free(struct sasae_cap *c)
{
    struct x11cap *x = c->impl;
    if (!x)
        return;
    if (x->dpy) {
        if (x->damage)
            XDamageDestroy(x->dpy, x->damage);
        if (x->region)
            XFixesDestroyRegion(x->dpy, x->region);
        if (x->gc)
            XFreeGC(x->dpy, x->gc);
        if (x->pix)
            XFreePixmap(x->dpy, x->pix);
        if (x->shm_attached)
            XShmDetach(x->dpy, &x->shm);
        if (x->img) {
            x->img->data = NULL;
            XDestroyImage(x->img);
        }
        XSync(x->dpy, False);
        XCloseDisplay(x->dpy);
    }
    if (x->shm.shmaddr && x->shm.shmaddr != (char *)-1)
        shmdt(x->shm.shmaddr);
    free(x->cur.bgra);
    free(x);
}

static const struct cap_ops x11_ops = {x11_grab, x11_wait, x11_cursor, x11_free};

static int cap_x11_open(struct sasae_cap *c, const struct sasae_cap_opts *o, char *err,
                        size_t errlen)
{
    int rc = -ENOTSUP, maj, min, ev, er;
    Bool pixmaps = False;
    struct x11cap *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    c->impl = x;
    c->ops = &x11_ops;
    x->dpy = XOpenDisplay(o->display);
    if (!x->dpy) {
        snprintf(err, errlen, "cannot open X display '%s'",
                 o->display ? o->display : (getenv("DISPLAY") ? getenv("DISPLAY") : ""));
        rc = -ENXIO;
        goto fail;
    }
    int scr = DefaultScreen(x->dpy);
    x->root = RootWindow(x->dpy, scr);
    if (!XShmQueryVersion(x->dpy, &maj, &min, &pixmaps)) {
        snprintf(err, errlen, "X server lacks MIT-SHM");
        goto fail;
    }
    if (!XDamageQueryExtension(x->dpy, &x->damage_ev, &er) ||
        !XFixesQueryExtension(x->dpy, &x->fixes_ev, &er)) {
        snprintf(err, errlen, "X server lacks DAMAGE or XFIXES");
        goto fail;
    }
    c->origin_x = c->origin_y = 0;
    c->width = DisplayWidth(x->dpy, scr);
    c->height = DisplayHeight(x->dpy, scr);
    if (o->monitor >= 0) {
        int n = 0;
        XRRMonitorInfo *m = NULL;
        if (XRRQueryExtension(x->dpy, &ev, &er))
            m = XRRGetMonitors(x->dpy, x->root, True, &n);
        if (!m || o->monitor >= n) {
            snprintf(err, errlen, "monitor %d not found (%d monitors)", o->monitor, n);
            if (m)
                XRRFreeMonitors(m);
            rc = -ENODEV;
            goto fail;
        }
        c->origin_x = m[o->monitor].x;
        c->origin_y = m[o->monitor].y;
        c->width = m[o->monitor].width;
        c->height = m[o->monitor].height;
        XRRFreeMonitors(m);
    }
    Visual *vis = DefaultVisual(x->dpy, scr);
    int depth = DefaultDepth(x->dpy, scr);
    x->img = XShmCreateImage(x->dpy, vis, (unsigned)depth, ZPixmap, NULL, &x->shm,
                             (unsigned)c->width, (unsigned)c->height);
    if (!x->img || x->img->bits_per_pixel != 32 || x->img->red_mask != 0xff0000 ||
        x->img->green_mask != 0xff00 || x->img->blue_mask != 0xff) {
        snprintf(err, errlen, "unsupported X visual (need 24/32-bit TrueColor, depth %d)", depth);
        goto fail;
    }
    x->shm.shmid =
        shmget(IPC_PRIVATE, (size_t)x->img->bytes_per_line * (size_t)c->height, IPC_CREAT | 0600);
    if (x->shm.shmid < 0) {
        rc = -errno;
        snprintf(err, errlen, "shmget: %s", strerror(errno));
        goto fail;
    }
    x->shm.shmaddr = x->img->data = shmat(x->shm.shmid, NULL, 0);
    if (x->shm.shmaddr == (char *)-1) {
        rc = -errno;
        snprintf(err, errlen, "shmat: %s", strerror(errno));
        shmctl(x->shm.shmid, IPC_RMID, NULL);
        goto fail;
    }
    x->shm.readOnly = False;
    if (!XShmAttach(x->dpy, &x->shm)) {
        snprintf(err, errlen, "XShmAttach failed");
        shmctl(x->shm.shmid, IPC_RMID, NULL);
        goto fail;
    }
    XSync(x->dpy, False);
    /* the segment goes away when both sides detach */
    shmctl(x->shm.shmid, IPC_RMID, NULL);
    x->shm_attached = true;
    if (pixmaps && XShmPixmapFormat(x->dpy) == ZPixmap) {
        x->pix = XShmCreatePixmap(x->dpy, x->root, x->shm.shmaddr, &x->shm, (unsigned)c->width,
                                  (unsigned)c->height, (unsigned)depth);
        XGCValues gv = {.subwindow_mode = IncludeInferiors};
        x->gc = XCreateGC(x->dpy, x->pix, GCSubwindowMode, &gv);
    }
    x->damage = XDamageCreate(x->dpy, x->root, XDamageReportNonEmpty);
    x->region = XFixesCreateRegion(x->dpy, NULL, 0);
    XFixesSelectCursorInput(x->dpy, x->root, XFixesDisplayCursorNotifyMask);
    XSync(x->dpy, False);
    x->first = true;
    SASAE_INFO("capture", "x11: %dx%d at +%d+%d, %s", c->width, c->height, c->origin_x, c->origin_y,
               x->pix ? "shm pixmap per dirty rect" : "full shm image");
    return 0;
fail:
    x11_free(c);
    c->impl = NULL;
    return rc;
}

int cap_platform_monitors(const struct sasae_cap_opts *o, struct sasae_monitor *out, int max)
{
    int ev, er, n = 0;
    Display *dpy = XOpenDisplay(o->display);
    if (!dpy)
        return -ENXIO;
    Window root = DefaultRootWindow(dpy);
    XRRMonitorInfo *m =
        XRRQueryExtension(dpy, &ev, &er) ? XRRGetMonitors(dpy, root, True, &n) : NULL;
    int got = 0;
    for (int i = 0; m && i < n && got < max; i++, got++) {
        struct sasae_monitor *d = &out[got];
        memset(d, 0, sizeof *d);
        d->x = m[i].x;
        d->y = m[i].y;
        d->w = m[i].width;
        d->h = m[i].height;
        d->primary = m[i].primary != 0;
        char *name = m[i].name ? XGetAtomName(dpy, m[i].name) : NULL;
        snprintf(d->name, sizeof d->name, "%s", name ? name : "");
        if (name)
            XFree(name);
    }
    if (m)
        XRRFreeMonitors(m);
    XCloseDisplay(dpy);
    return m ? got : -ENOTSUP;
}

const struct cap_backend cap_platform_backends[] = {
    {"x11", cap_x11_open},
    {NULL, NULL},
};
