/* Input injection with XTest: the operator's mouse and keys, only ever called by the host
 * when its state machine allows it. Remembers what it pressed so control can be taken
 * back without leaving a key or button stuck down. */
#include "sasae/host.h"

#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct sasae_inject {
    Display *dpy;
    int ox, oy;         /* origin of the area coordinates */
    int x0, y0, x1, y1; /* the area on the screen, end exclusive */
    uint16_t buttons;   /* bit b set: button b held */
    uint8_t keys[256];  /* keycode held */
};

struct sasae_inject *sasae_inject_open(const char *display, int x, int y, int w, int h, char *err,
                                       size_t errlen)
{
    int ev, er, maj, min;
    struct sasae_inject *in = calloc(1, sizeof *in);
    if (!in) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    in->dpy = XOpenDisplay(display);
    if (!in->dpy) {
        snprintf(err, errlen, "cannot open X display for input");
        free(in);
        return NULL;
    }
    if (!XTestQueryExtension(in->dpy, &ev, &er, &maj, &min)) {
        snprintf(err, errlen, "X server lacks XTEST: remote control impossible");
        XCloseDisplay(in->dpy);
        free(in);
        return NULL;
    }
    /* the area, clipped to the screen */
    int scw = DisplayWidth(in->dpy, DefaultScreen(in->dpy));
    int sch = DisplayHeight(in->dpy, DefaultScreen(in->dpy));
    int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int x1 = w > scw - x ? scw : x + w, y1 = h > sch - y ? sch : y + h;
    if (x1 <= x0 || y1 <= y0) {
        snprintf(err, errlen, "input area %dx%d+%d+%d is off the screen", w, h, x, y);
        XCloseDisplay(in->dpy);
        free(in);
        return NULL;
    }
    in->ox = x;
    in->oy = y;
    in->x0 = x0;
    in->y0 = y0;
    in->x1 = x1;
    in->y1 = y1;
    return in;
}

void sasae_inject_free(struct sasae_inject *in)
{
    if (!in)
        return;
    sasae_inject_release_all(in);
    XCloseDisplay(in->dpy);
    free(in);
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static bool inside(const struct sasae_inject *in, int x, int y)
{
    long ax = (long)x + in->ox, ay = (long)y + in->oy;
    return ax >= in->x0 && ax < in->x1 && ay >= in->y0 && ay < in->y1;
}

int sasae_inject_move(struct sasae_inject *in, int x, int y)
{
    /* saturating: coordinates come from the network; never leaves the shared area */
    long ax = (long)x + in->ox, ay = (long)y + in->oy;
    int cx = (int)(ax < in->x0 ? in->x0 : ax >= in->x1 ? in->x1 - 1 : ax);
    int cy = (int)(ay < in->y0 ? in->y0 : ay >= in->y1 ? in->y1 - 1 : ay);
    XTestFakeMotionEvent(in->dpy, -1, cx, cy, CurrentTime);
    XFlush(in->dpy);
    return 0;
}

int sasae_inject_button(struct sasae_inject *in, int x, int y, int button, bool down)
{
    if (button < 1 || button > 9)
        return -EINVAL;
    /* a press outside the shared area would land on an unshared monitor; a release is
     * clamped so that no button is ever left held */
    if (down && !inside(in, x, y))
        return -ERANGE;
    sasae_inject_move(in, x, y);
    XTestFakeButtonEvent(in->dpy, (unsigned)button, down, CurrentTime);
    if (down)
        in->buttons |= (uint16_t)(1u << button);
    else
        in->buttons &= (uint16_t) ~(1u << button);
    XFlush(in->dpy);
    return 0;
}

static void click(struct sasae_inject *in, unsigned b, int n)
{
    for (int i = 0; i < n; i++) {
        XTestFakeButtonEvent(in->dpy, b, True, CurrentTime);
        XTestFakeButtonEvent(in->dpy, b, False, CurrentTime);
    }
}

int sasae_inject_wheel(struct sasae_inject *in, int x, int y, int dx, int dy)
{
    if (!inside(in, x, y))
        return -ERANGE;
    sasae_inject_move(in, x, y);
    /* X11 wheel buttons: 4 up, 5 down, 6 left, 7 right; a burst is bounded */
    dx = clampi(dx, -20, 20);
    dy = clampi(dy, -20, 20);
    click(in, dy > 0 ? 4 : 5, dy > 0 ? dy : -dy);
    click(in, dx > 0 ? 7 : 6, dx > 0 ? dx : -dx);
    XFlush(in->dpy);
    return 0;
}

/* Whether the screen's pointer is inside the shared area now. */
static bool pointer_inside(struct sasae_inject *in)
{
    Window root, child;
    int rx, ry, wx, wy;
    unsigned mask;
    if (!XQueryPointer(in->dpy, DefaultRootWindow(in->dpy), &root, &child, &rx, &ry, &wx, &wy,
                       &mask))
        return false; /* on another screen */
    return rx >= in->x0 && rx < in->x1 && ry >= in->y0 && ry < in->y1;
}

int sasae_inject_key(struct sasae_inject *in, uint32_t keysym, bool down)
{
    if (keysym == 0 || keysym > 0x1fffffff)
        return -EINVAL;
    KeyCode kc = XKeysymToKeycode(in->dpy, (KeySym)keysym);
    if (kc == 0)
        return -EINVAL;
    if (!down && !in->keys[kc])
        return 0; /* never release what we did not press */
    if (down && !in->keys[kc] && !pointer_inside(in))
        return -ERANGE;
    XTestFakeKeyEvent(in->dpy, kc, down, CurrentTime);
    in->keys[kc] = down;
    XFlush(in->dpy);
    return 0;
}

void sasae_inject_release_all(struct sasae_inject *in)
{
    for (int k = 0; k < 256; k++)
        if (in->keys[k]) {
            XTestFakeKeyEvent(in->dpy, (unsigned)k, False, CurrentTime);
            in->keys[k] = 0;
        }
    for (unsigned b = 1; b <= 9; b++)
        if (in->buttons & (1u << b))
            XTestFakeButtonEvent(in->dpy, b, False, CurrentTime);
    in->buttons = 0;
    XFlush(in->dpy);
}
