/* Unit tests for XTest input injection and system information, under a private Xvfb. */
#include <criterion/criterion.h>
#include <X11/Xlib.h>
#include <X11/keysym.h>
#include <errno.h>
#include <sys/utsname.h>

#include "sasae/host.h"
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

/* Waits (bounded) for the next event of one of the types on the window. */
static bool next_event(Display *dpy, long mask, XEvent *ev)
{
    for (int i = 0; i < 200; i++) {
        if (XCheckMaskEvent(dpy, mask, ev))
            return true;
        usleep(10000);
    }
    return false;
}

Test(host_inject, mouse_and_keys_reach_a_window, .init = xsetup, .fini = xteardown)
{
    char err[256];
    Display *dpy = XOpenDisplay(xv.name);
    cr_assert(dpy);
    XSetWindowAttributes a = {.override_redirect = True,
                              .event_mask = ButtonPressMask | ButtonReleaseMask | KeyPressMask |
                                            KeyReleaseMask | PointerMotionMask};
    Window w = XCreateWindow(dpy, DefaultRootWindow(dpy), 100, 100, 200, 200, 0, CopyFromParent,
                             InputOnly, CopyFromParent, CWOverrideRedirect | CWEventMask, &a);
    XMapRaised(dpy, w);
    XSync(dpy, False);
    /* origin offset as for a second monitor at +50+20 */
    struct sasae_inject *in = sasae_inject_open(xv.name, 50, 20, 400, 300, err, sizeof err);
    cr_assert(in, "%s", err);
    cr_assert_eq(sasae_inject_button(in, 100, 120, 1, true), 0);
    XEvent ev;
    cr_assert(next_event(dpy, ButtonPressMask, &ev), "no ButtonPress");
    cr_assert_eq(ev.xbutton.button, 1u);
    cr_assert_eq(ev.xbutton.x_root, 150);
    cr_assert_eq(ev.xbutton.y_root, 140);
    XSetInputFocus(dpy, w, RevertToParent, CurrentTime);
    XSync(dpy, False);
    cr_assert_eq(sasae_inject_key(in, XK_a, true), 0);
    cr_assert(next_event(dpy, KeyPressMask, &ev), "no KeyPress");
    cr_assert_eq(XLookupKeysym(&ev.xkey, 0), XK_a);
    /* taking control back releases what the operator held */
    sasae_inject_release_all(in);
    cr_assert(next_event(dpy, ButtonReleaseMask, &ev), "button left held");
    cr_assert(next_event(dpy, KeyReleaseMask, &ev), "key left held");
    cr_assert_eq(sasae_inject_wheel(in, 100, 120, 0, 2), 0);
    int ups = 0;
    while (ups < 2 && next_event(dpy, ButtonPressMask, &ev))
        ups += ev.xbutton.button == 4;
    cr_assert_eq(ups, 2);
    cr_assert_eq(sasae_inject_button(in, 0, 0, 0, true), -EINVAL);
    cr_assert_eq(sasae_inject_button(in, 0, 0, 12, true), -EINVAL);
    cr_assert_eq(sasae_inject_key(in, 0, true), -EINVAL);
    cr_assert_eq(sasae_inject_key(in, 0x7ffffff0, true), -EINVAL);
    /* absurd coordinates are clamped into the shared area (50,20 400x300), not passed on */
    cr_assert_eq(sasae_inject_move(in, 2147483647, -2147483647 - 1), 0);
    Window rw, cw;
    int rx, ry, wx, wy;
    unsigned m;
    for (int i = 0; i < 100; i++) {
        XQueryPointer(dpy, DefaultRootWindow(dpy), &rw, &cw, &rx, &ry, &wx, &wy, &m);
        if (rx == 449 && ry == 20)
            break;
        usleep(10000);
    }
    cr_assert_eq(rx, 449);
    cr_assert_eq(ry, 20);
    /* a click or wheel beyond the shared area (another monitor) is dropped */
    while (XPending(dpy))
        XNextEvent(dpy, &ev);
    cr_assert_eq(sasae_inject_button(in, 450, 10, 1, true), -ERANGE);
    cr_assert_eq(sasae_inject_button(in, -1, 10, 1, true), -ERANGE);
    cr_assert_eq(sasae_inject_wheel(in, 10, 300, 0, 1), -ERANGE);
    cr_assert_not(next_event(dpy, ButtonPressMask, &ev), "click outside the area injected");
    XSync(dpy, False);
    XQueryPointer(dpy, DefaultRootWindow(dpy), &rw, &cw, &rx, &ry, &wx, &wy, &m);
    cr_assert_eq(rx, 449, "pointer moved by a dropped click");
    /* ...but a release outside still releases (nothing left held) */
    cr_assert_eq(sasae_inject_button(in, 100, 120, 1, true), 0);
    cr_assert(next_event(dpy, ButtonPressMask, &ev));
    cr_assert_eq(sasae_inject_button(in, 5000, 120, 1, false), 0);
    cr_assert(next_event(dpy, ButtonReleaseMask, &ev), "release outside the area dropped");
    sasae_inject_free(in);
    XCloseDisplay(dpy);
}

/* Key presses stay inside what is shared: with the real pointer on a monitor that is not
 * shared (the customer moved it there, where another window may have the focus) a press is
 * dropped; back inside it goes out; the release of a key pressed inside always goes out. */
Test(host_inject, keys_only_while_the_pointer_is_in_the_shared_area, .init = xsetup,
     .fini = xteardown)
{
    char err[256];
    Display *dpy = XOpenDisplay(xv.name);
    cr_assert(dpy);
    XSetWindowAttributes a = {.override_redirect = True,
                              .event_mask = KeyPressMask | KeyReleaseMask};
    Window w = XCreateWindow(dpy, DefaultRootWindow(dpy), 0, 0, 640, 480, 0, CopyFromParent,
                             InputOnly, CopyFromParent, CWOverrideRedirect | CWEventMask, &a);
    XMapRaised(dpy, w);
    XSync(dpy, False);
    XSetInputFocus(dpy, w, RevertToParent, CurrentTime);
    /* the shared monitor is the left half */
    struct sasae_inject *in = sasae_inject_open(xv.name, 0, 0, 320, 480, err, sizeof err);
    cr_assert(in, "%s", err);
    XEvent ev;
    XWarpPointer(dpy, None, DefaultRootWindow(dpy), 0, 0, 0, 0, 500, 200); /* the other one */
    XSync(dpy, False);
    cr_assert_eq(sasae_inject_key(in, XK_b, true), -ERANGE);
    cr_assert_not(next_event(dpy, KeyPressMask, &ev), "key pressed with the pointer outside");
    XWarpPointer(dpy, None, DefaultRootWindow(dpy), 0, 0, 0, 0, 100, 200);
    XSync(dpy, False);
    cr_assert_eq(sasae_inject_key(in, XK_b, true), 0);
    cr_assert(next_event(dpy, KeyPressMask, &ev), "no KeyPress inside the area");
    XWarpPointer(dpy, None, DefaultRootWindow(dpy), 0, 0, 0, 0, 600, 10);
    XSync(dpy, False);
    cr_assert_eq(sasae_inject_key(in, XK_b, false), 0);
    cr_assert(next_event(dpy, KeyReleaseMask, &ev), "the release of a held key was dropped");
    sasae_inject_free(in);
    XCloseDisplay(dpy);
}

Test(host_sysinfo, report_has_the_facts, .init = xsetup, .fini = xteardown)
{
    char buf[8192];
    size_t n = sasae_sysinfo_collect(buf, sizeof buf, xv.name);
    cr_assert_eq(n, strlen(buf));
    struct utsname u;
    uname(&u);
    cr_assert(strstr(buf, u.release), "%s", buf);
    char want[300];
    /* only what the consent prompt lists: no computer name, no home folder */
    cr_assert_null(strstr(buf, "hostname="), "%s", buf);
    cr_assert_null(strstr(buf, "disk_home"), "%s", buf);
    snprintf(want, sizeof want, "cores=%ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    cr_assert(strstr(buf, want), "%s", buf);
    cr_assert(strstr(buf, "os="), "%s", buf);
    cr_assert(strstr(buf, "cpu="), "%s", buf);
    cr_assert(strstr(buf, "memory_mb="), "%s", buf);
    cr_assert(strstr(buf, "disk=/ "), "%s", buf);
    cr_assert(strstr(buf, "screen=640x480\n"), "%s", buf);
    cr_assert(strstr(buf, "display=0 "), "%s", buf);
    /* a short buffer keeps whole lines only */
    char small[40];
    n = sasae_sysinfo_collect(small, sizeof small, xv.name);
    cr_assert_lt(n, sizeof small);
    cr_assert(n == 0 || small[n - 1] == '\n');
    cr_assert_eq(sasae_sysinfo_collect(small, 0, NULL), 0u);
}

Test(host_sysinfo, no_display)
{
    char buf[4096];
    sasae_sysinfo_collect(buf, sizeof buf, ":4998");
    cr_assert(strstr(buf, "displays=0"), "%s", buf);
}
