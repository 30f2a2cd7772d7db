/* Unit tests for the annotation overlay under a private Xvfb: strokes and the pointing
 * marker appear on the real screen (as the capture sees it), clicks go through to the
 * window below, clear and hide remove them. */
#include <criterion/criterion.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XTest.h>
#include <errno.h>
#include <time.h>

#include "sasae/host.h"
#include "sasae/marker.h"
#include "xvfb_helper.h"

static struct xvfb xv;

static void xsetup(void)
{
    cr_assert_eq(xvfb_start(&xv, "640x480x24"), 0, "cannot start Xvfb");
}

static void xteardown(void)
{
    xvfb_stop(&xv);
}

static uint32_t screen_px(Display *dpy, int x, int y)
{
    XSync(dpy, False);
    XImage *img = XGetImage(dpy, DefaultRootWindow(dpy), x, y, 1, 1, AllPlanes, ZPixmap);
    uint32_t v = (uint32_t)XGetPixel(img, 0, 0) & 0xffffffu;
    XDestroyImage(img);
    return v;
}

/* Polls until the pixel has the wanted value (the overlay draws on its own connection). */
static bool px_becomes(Display *dpy, int x, int y, uint32_t want)
{
    for (int i = 0; i < 100; i++) {
        if (screen_px(dpy, x, y) == want)
            return true;
        usleep(10000);
    }
    return false;
}

Test(host_overlay, strokes_marker_clickthrough_clear, .init = xsetup, .fini = xteardown)
{
    char err[256];
    Display *dpy = XOpenDisplay(xv.name);
    cr_assert(dpy);
    /* a grey window that counts clicks, under the overlay */
    XSetWindowAttributes a = {
        .override_redirect = True, .background_pixel = 0x808080, .event_mask = ButtonPressMask};
    Window below =
        XCreateWindow(dpy, DefaultRootWindow(dpy), 0, 0, 640, 480, 0, CopyFromParent, InputOutput,
                      CopyFromParent, CWOverrideRedirect | CWBackPixel | CWEventMask, &a);
    XMapWindow(dpy, below);
    XSync(dpy, False);
    cr_assert(px_becomes(dpy, 200, 100, 0x808080));

    struct sasae_overlay *o = sasae_overlay_open(xv.name, 0, 0, 640, 480, err, sizeof err);
    cr_assert(o, "%s", err);
    /* nothing drawn yet: the overlay shows nothing */
    cr_assert_eq(screen_px(dpy, 200, 100), 0x808080u);
    int32_t line[] = {100, 100, 300, 100};
    cr_assert_eq(sasae_overlay_stroke(o, 1, line, 2, 0xff0000ffu, 6), 0);
    cr_assert(px_becomes(dpy, 200, 100, SASAE_OVERLAY_RED), "stroke not visible: %06x",
              screen_px(dpy, 200, 100));
    cr_assert_eq(screen_px(dpy, 200, 110), 0x808080u, "only the stroke is shown");
    cr_assert_eq(screen_px(dpy, 200, 300), 0x808080u);

    /* a click exactly on the stroke reaches the window below */
    XTestFakeMotionEvent(dpy, -1, 200, 100, CurrentTime);
    XTestFakeButtonEvent(dpy, 1, True, CurrentTime);
    XTestFakeButtonEvent(dpy, 1, False, CurrentTime);
    XSync(dpy, False);
    XEvent ev;
    bool got = false;
    for (int i = 0; i < 100 && !got; i++) {
        got = XCheckWindowEvent(dpy, below, ButtonPressMask, &ev);
        if (!got)
            usleep(10000);
    }
    cr_assert(got, "click did not go through the overlay");

    /* the pointing hand (common/marker.c): yellow, fingertip at the point */
    sasae_overlay_pointer(o, 400, 250, true);
    cr_assert(px_becomes(dpy, 400, 262, SASAE_MARKER_FILL), "hand not visible: %06x",
              screen_px(dpy, 400, 262));
    cr_assert_eq(screen_px(dpy, 400, 240), 0x808080u, "the fingertip is not at the point");
    /* it moves (gliding) without leaving a trail */
    sasae_overlay_pointer(o, 200, 300, true);
    cr_assert(px_becomes(dpy, 200, 312, SASAE_MARKER_FILL), "hand did not move: %06x",
              screen_px(dpy, 200, 312));
    cr_assert(px_becomes(dpy, 400, 262, 0x808080), "trail left at the old place");
    sasae_overlay_pointer(o, 200, 300, false);
    cr_assert(px_becomes(dpy, 200, 312, 0x808080), "hand not hidden");

    /* continuation of the same stroke, then clear */
    int32_t more[] = {300, 100, 300, 200};
    cr_assert_eq(sasae_overlay_stroke(o, 1, more, 2, 0xff0000ffu, 6), 0);
    cr_assert(px_becomes(dpy, 300, 150, SASAE_OVERLAY_RED));
    sasae_overlay_clear(o);
    cr_assert(px_becomes(dpy, 200, 100, 0x808080), "clear left the stroke");
    cr_assert(px_becomes(dpy, 300, 150, 0x808080));

    /* undo removes only the stroke named */
    int32_t l2[] = {100, 200, 300, 200}, l3[] = {100, 250, 300, 250};
    cr_assert_eq(sasae_overlay_stroke(o, 7, l2, 2, 0xff0000ffu, 6), 0);
    cr_assert_eq(sasae_overlay_stroke(o, 8, l3, 2, 0xff0000ffu, 6), 0);
    cr_assert(px_becomes(dpy, 200, 250, SASAE_OVERLAY_RED));
    cr_assert(px_becomes(dpy, 200, 200, SASAE_OVERLAY_RED));
    cr_assert_eq(sasae_overlay_undo(o, 8), 0);
    cr_assert(px_becomes(dpy, 200, 250, 0x808080), "undo left the stroke");
    cr_assert_eq(screen_px(dpy, 200, 200), SASAE_OVERLAY_RED, "undo removed another stroke");
    cr_assert_eq(sasae_overlay_undo(o, 8), -ENOENT);
    cr_assert_eq(sasae_overlay_undo(o, 7), 0);
    cr_assert(px_becomes(dpy, 200, 200, 0x808080));

    /* bad input */
    cr_assert_eq(sasae_overlay_stroke(o, 2, line, 0, 0xff0000ffu, 6), -EINVAL);
    cr_assert_eq(sasae_overlay_stroke(o, 2, line, 2, 0xff0000ffu, 0), -EINVAL);
    cr_assert_eq(sasae_overlay_stroke(o, 2, line, 2, 0xff0000ffu, 65), -EINVAL);
    int32_t far[] = {-2000000000, 5, 2000000000, 5};
    cr_assert_eq(sasae_overlay_stroke(o, 3, far, 2, 0xff0000ffu, 4), 0);
    cr_assert(px_becomes(dpy, 320, 5, SASAE_OVERLAY_RED), "clamped stroke crosses the screen");

    /* many strokes stay within the budget */
    for (uint32_t id = 10; id < 600; id++) {
        int32_t p[] = {(int32_t)id % 640, 400, (int32_t)id % 640, 410};
        sasae_overlay_stroke(o, id, p, 2, 0xff0000ffu, 2);
    }
    sasae_overlay_hide(o);
    cr_assert(px_becomes(dpy, 320, 5, 0x808080));
    sasae_overlay_free(o);
    XCloseDisplay(dpy);
}

/* The hand fades out by itself when the operator stops moving it. */
Test(host_overlay, hand_fades_when_idle, .init = xsetup, .fini = xteardown)
{
    char err[256];
    Display *dpy = XOpenDisplay(xv.name);
    cr_assert(dpy);
    XSetWindowAttributes a = {.override_redirect = True, .background_pixel = 0x808080};
    Window below = XCreateWindow(dpy, DefaultRootWindow(dpy), 0, 0, 640, 480, 0, CopyFromParent,
                                 InputOutput, CopyFromParent, CWOverrideRedirect | CWBackPixel, &a);
    XMapWindow(dpy, below);
    cr_assert(px_becomes(dpy, 300, 300, 0x808080));
    struct sasae_overlay *o = sasae_overlay_open(xv.name, 0, 0, 640, 480, err, sizeof err);
    cr_assert(o, "%s", err);
    sasae_overlay_pointer(o, 300, 300, true);
    cr_assert(px_becomes(dpy, 300, 312, SASAE_MARKER_FILL));
    usleep((SASAE_MARKER_IDLE_MS - 800) * 1000);
    cr_assert_eq(screen_px(dpy, 300, 312), SASAE_MARKER_FILL, "faded too early");
    cr_assert(px_becomes(dpy, 300, 312, 0x808080) || px_becomes(dpy, 300, 312, 0x808080),
              "the idle hand did not fade");
    sasae_overlay_free(o);
    XCloseDisplay(dpy);
}

/* What a prompt and the session bar need: the operator cannot paint other colours, cannot
 * cover the bar's rectangle, and the whole drawing vanishes while a prompt shows. */
Test(host_overlay, red_only_keepout_and_suspend, .init = xsetup, .fini = xteardown)
{
    char err[256];
    Display *dpy = XOpenDisplay(xv.name);
    cr_assert(dpy);
    XSetWindowAttributes a = {.override_redirect = True, .background_pixel = 0x808080};
    Window below = XCreateWindow(dpy, DefaultRootWindow(dpy), 0, 0, 640, 480, 0, CopyFromParent,
                                 InputOutput, CopyFromParent, CWOverrideRedirect | CWBackPixel, &a);
    XMapWindow(dpy, below);
    cr_assert(px_becomes(dpy, 200, 100, 0x808080));
    /* overlay over a monitor at 40,20: keep-out rectangles are in screen coordinates */
    struct sasae_overlay *o = sasae_overlay_open(xv.name, 40, 20, 600, 460, err, sizeof err);
    cr_assert(o, "%s", err);
    int bar[] = {100, 20, 300, 60};
    sasae_overlay_keepout(o, bar, 1);
    /* a white stroke (fake label text) crossing the bar and the open screen */
    int32_t line[] = {0, 40, 500, 40, 500, 200};
    cr_assert_eq(sasae_overlay_stroke(o, 1, line, 3, 0xffffffffu, 8), 0);
    cr_assert(px_becomes(dpy, 40 + 500, 20 + 150, SASAE_OVERLAY_RED), "not red: %06x",
              screen_px(dpy, 540, 170));
    cr_assert(px_becomes(dpy, 40 + 20, 20 + 40, SASAE_OVERLAY_RED));
    cr_assert_eq(screen_px(dpy, 200, 60), 0x808080u, "the bar's rectangle was painted over");
    cr_assert_eq(screen_px(dpy, 398, 60), 0x808080u);
    cr_assert(px_becomes(dpy, 402, 60, SASAE_OVERLAY_RED), "outside the bar: drawn");
    /* a prompt: gone at once, and stays gone while more arrives */
    sasae_overlay_pointer(o, 300, 300, true);
    sasae_overlay_suspend(o, true);
    cr_assert_eq(screen_px(dpy, 540, 170), 0x808080u, "overlay over a prompt");
    int32_t more[] = {500, 200, 500, 400};
    cr_assert_eq(sasae_overlay_stroke(o, 1, more, 2, 0xff0000ffu, 8), 0);
    usleep(200000);
    cr_assert_eq(screen_px(dpy, 540, 170), 0x808080u, "redrawn while suspended");
    cr_assert_eq(screen_px(dpy, 540, 370), 0x808080u, "redrawn while suspended");
    sasae_overlay_suspend(o, false);
    cr_assert(px_becomes(dpy, 540, 370, SASAE_OVERLAY_RED), "not shown again");
    sasae_overlay_free(o);
    XCloseDisplay(dpy);
}

/* A pen flood (thousands of one-point messages) is drawn completely, but redrawn at most
 * SASAE_OVERLAY_FPS times a second. */
Test(host_overlay, flood_is_rate_limited, .init = xsetup, .fini = xteardown)
{
    char err[256];
    Display *dpy = XOpenDisplay(xv.name);
    cr_assert(dpy);
    struct sasae_overlay *o = sasae_overlay_open(xv.name, 0, 0, 640, 480, err, sizeof err);
    cr_assert(o, "%s", err);
    unsigned long r0 = sasae_overlay_redraws(o);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 3000; i++) {
        int32_t p[] = {10 + i / 6, 200};
        cr_assert_eq(sasae_overlay_stroke(o, 1, p, 1, 0xff0000ffu, 6), 0);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
    cr_assert(px_becomes(dpy, 10 + 2999 / 6, 200, SASAE_OVERLAY_RED), "end of the stroke missing");
    cr_assert(px_becomes(dpy, 10, 200, SASAE_OVERLAY_RED), "start of the stroke missing");
    cr_assert(px_becomes(dpy, 260, 200, SASAE_OVERLAY_RED), "middle of the stroke missing");
    clock_gettime(CLOCK_MONOTONIC, &b);
    double total_ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
    unsigned long n = sasae_overlay_redraws(o) - r0;
    cr_assert_leq(n, (unsigned long)(total_ms * SASAE_OVERLAY_FPS / 1000.0) + 3,
                  "%lu redraws in %.0f ms (3000 messages in %.0f ms)", n, total_ms, ms);
    sasae_overlay_free(o);
    XCloseDisplay(dpy);
}
