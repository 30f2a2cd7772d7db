/* Unit tests for the capture backends: synthetic (deterministic), file (y4m and raw BGRA)
 * and X11 under a private Xvfb (damage-driven: drawn pixels appear, an unchanged screen
 * reports nothing; cursor taken separately; XRandR monitor choice), and the block hashes
 * the Windows GDI backend diffs with. */
#include <criterion/criterion.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <errno.h>

#include "cap_backend.h"
#include "sasae/host.h"
#include "xvfb_helper.h"

static uint32_t px(const struct sasae_frame *f, int x, int y)
{
    return *(const uint32_t *)(f->bgra + (size_t)y * (size_t)f->stride + (size_t)x * 4) & 0xffffffu;
}

static bool covered(const struct sasae_dirty *d, int x, int y)
{
    for (int i = 0; i < d->n; i++)
        if (x >= d->r[i].x && x < d->r[i].x + d->r[i].w && y >= d->r[i].y &&
            y < d->r[i].y + d->r[i].h)
            return true;
    return false;
}

Test(host_cap, synthetic_is_deterministic_and_small_after_first)
{
    char err[256];
    struct sasae_cap_opts o = {.source = "synthetic", .width = 640, .height = 360};
    struct sasae_cap *a = sasae_cap_open(&o, err, sizeof err);
    struct sasae_cap *b = sasae_cap_open(&o, err, sizeof err);
    cr_assert(a && b, "%s", err);
    struct sasae_frame fa, fb;
    for (int i = 0; i < 6; i++) {
        struct sasae_dirty da = {0}, db = {0};
        cr_assert_eq(sasae_cap_grab(a, &da, &fa), 1);
        cr_assert_eq(sasae_cap_grab(b, &db, &fb), 1);
        if (i == 0)
            cr_assert_eq(sasae_dirty_area(&da), 640L * 360);
        else
            cr_assert_lt(sasae_dirty_area(&da), 640L * 360 / 4, "frame %d dirty area %ld", i,
                         sasae_dirty_area(&da));
        for (int k = 0; k < da.n; k++)
            cr_assert(da.r[k].x % 16 == 0 && da.r[k].y % 16 == 0);
    }
    for (int y = 0; y < 360; y++)
        cr_assert_eq(memcmp(fa.bgra + y * fa.stride, fb.bgra + y * fb.stride, 640 * 4), 0);
    struct sasae_cursor cur;
    cr_assert_eq(sasae_cap_cursor(a, &cur), -ENOTSUP);
    sasae_cap_free(a);
    sasae_cap_free(b);
}

/* Every pixel the synthetic source changed lies inside a reported dirty rectangle. */
Test(host_cap, synthetic_dirty_covers_changes)
{
    char err[256];
    struct sasae_cap_opts o = {.source = "synthetic", .width = 333, .height = 201};
    struct sasae_cap *c = sasae_cap_open(&o, err, sizeof err);
    cr_assert(c, "%s", err);
    struct sasae_frame f;
    struct sasae_dirty d = {0};
    sasae_cap_grab(c, &d, &f);
    uint8_t *prev = malloc((size_t)f.stride * 201);
    for (int i = 0; i < 40; i++) {
        memcpy(prev, f.bgra, (size_t)f.stride * 201);
        memset(&d, 0, sizeof d);
        sasae_cap_grab(c, &d, &f);
        for (int y = 0; y < 201; y++)
            for (int x = 0; x < 333; x++)
                if (memcmp(prev + y * f.stride + x * 4, f.bgra + y * f.stride + x * 4, 3))
                    cr_assert(covered(&d, x, y), "frame %d pixel %d,%d changed, not dirty", i, x,
                              y);
    }
    free(prev);
    sasae_cap_free(c);
}

static void write_y4m(const char *path, int w, int h, int frames)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    fprintf(f, "YUV4MPEG2 W%d H%d F25:1 Ip A1:1 C420jpeg\n", w, h);
    int cw = (w + 1) / 2, ch = (h + 1) / 2;
    for (int n = 0; n < frames; n++) {
        fprintf(f, "FRAME\n");
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                /* one 8x8 block near (40,20) brightens with n */
                fputc(x >= 40 && x < 48 && y >= 20 && y < 28 ? 60 + 60 * n : 30, f);
        for (int i = 0; i < 2 * cw * ch; i++)
            fputc(128, f);
    }
    fclose(f);
}

Test(host_cap, y4m_file_loops_and_diffs_blocks)
{
    char path[] = "/tmp/sasae-cap-XXXXXX.y4m";
    int fd = mkstemps(path, 4);
    cr_assert(fd >= 0);
    close(fd);
    write_y4m(path, 99, 51, 3);
    char src[300], err[256];
    snprintf(src, sizeof src, "file:%s", path);
    struct sasae_cap_opts o = {.source = src};
    struct sasae_cap *c = sasae_cap_open(&o, err, sizeof err);
    cr_assert(c, "%s", err);
    int w, h;
    sasae_cap_size(c, &w, &h);
    cr_assert_eq(w, 99);
    cr_assert_eq(h, 51);
    struct sasae_frame f;
    struct sasae_dirty d = {0};
    cr_assert_eq(sasae_cap_grab(c, &d, &f), 1);
    cr_assert_eq(sasae_dirty_area(&d), 99L * 51);
    uint32_t dark = px(&f, 0, 0), b0 = px(&f, 42, 22);
    for (int n = 1; n < 5; n++) {
        memset(&d, 0, sizeof d);
        cr_assert_eq(sasae_cap_grab(c, &d, &f), 1, "frame %d", n);
        cr_assert_eq(d.n, 1);
        cr_assert_eq(d.r[0].x, 32);
        cr_assert_eq(d.r[0].y, 16);
        cr_assert_eq(d.r[0].w, 16, "one 16-px block holds the 8x8 change");
        cr_assert_eq(px(&f, 0, 0), dark);
        if (n % 3 == 0)
            cr_assert_eq(px(&f, 42, 22), b0, "looped back to frame 0");
        else
            cr_assert_gt(px(&f, 42, 22) & 0xff, b0 & 0xff);
    }
    sasae_cap_free(c);
    unlink(path);
}

Test(host_cap, bad_sources_fail_clearly)
{
    char err[256] = "";
    struct sasae_cap_opts o = {.source = "file:/nonexistent/x.y4m"};
    cr_assert_null(sasae_cap_open(&o, err, sizeof err));
    cr_assert(strstr(err, "No such file"), "%s", err);
    char path[] = "/tmp/sasae-cap-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(write(fd, "hello world, not y4m", 20) == 20);
    close(fd);
    char src[300];
    snprintf(src, sizeof src, "file:%s", path);
    o.source = src;
    cr_assert_null(sasae_cap_open(&o, err, sizeof err));
    cr_assert(strstr(err, "--size"), "%s", err);
    /* raw with a size but shorter than one frame: opens, first grab fails */
    o.width = 64;
    o.height = 64;
    struct sasae_cap *c = sasae_cap_open(&o, err, sizeof err);
    cr_assert(c, "%s", err);
    struct sasae_dirty d = {0};
    struct sasae_frame f;
    cr_assert_eq(sasae_cap_grab(c, &d, &f), -EPIPE);
    sasae_cap_free(c);
    unlink(path);
    o.source = "webcam";
    cr_assert_null(sasae_cap_open(&o, err, sizeof err));
    cr_assert(strstr(err, "unknown capture source"), "%s", err);
    o.source = "synthetic";
    o.width = 9000;
    cr_assert_null(sasae_cap_open(&o, err, sizeof err));
}

static struct xvfb xv;

static void xsetup(void)
{
    cr_assert_eq(xvfb_start(&xv, "800x600x24"), 0, "cannot start Xvfb");
}

static void xteardown(void)
{
    xvfb_stop(&xv);
}

/* Waits (bounded) until the capture reports a change. */
static int grab_change(struct sasae_cap *c, struct sasae_dirty *d, struct sasae_frame *f)
{
    for (int i = 0; i < 50; i++) {
        sasae_cap_wait(c, 100);
        int r = sasae_cap_grab(c, d, f);
        if (r != 0)
            return r;
    }
    return 0;
}

Test(host_cap_x11, drawn_pixels_appear_and_idle_is_silent, .init = xsetup, .fini = xteardown)
{
    char err[256];
    struct sasae_cap_opts o = {.source = "x11", .display = xv.name, .monitor = -1};
    struct sasae_cap *c = sasae_cap_open(&o, err, sizeof err);
    cr_assert(c, "%s", err);
    int w, h;
    sasae_cap_size(c, &w, &h);
    cr_assert_eq(w, 800);
    cr_assert_eq(h, 600);
    struct sasae_frame f;
    struct sasae_dirty d = {0};
    cr_assert_eq(sasae_cap_grab(c, &d, &f), 1);
    cr_assert_eq(sasae_dirty_area(&d), 800L * 600);

    /* unchanged screen: no dirty rectangles, repeatedly */
    for (int i = 0; i < 5; i++) {
        memset(&d, 0, sizeof d);
        cr_assert_eq(sasae_cap_wait(c, 50), 0);
        cr_assert_eq(sasae_cap_grab(c, &d, &f), 0);
        cr_assert_eq(d.n, 0);
    }

    /* another X client maps a red window */
    Display *dpy = XOpenDisplay(xv.name);
    cr_assert(dpy);
    XSetWindowAttributes a = {.background_pixel = 0xff0000, .override_redirect = True};
    Window win = XCreateWindow(dpy, DefaultRootWindow(dpy), 200, 100, 50, 30, 0, CopyFromParent,
                               InputOutput, CopyFromParent, CWBackPixel | CWOverrideRedirect, &a);
    XMapWindow(dpy, win);
    XSync(dpy, False);
    memset(&d, 0, sizeof d);
    cr_assert_eq(grab_change(c, &d, &f), 1);
    cr_assert(covered(&d, 200, 100) && covered(&d, 249, 129));
    cr_assert_lt(sasae_dirty_area(&d), 800L * 600 / 4, "only the changed area");
    cr_assert_eq(px(&f, 225, 115), 0xff0000u, "red window captured: %06x", px(&f, 225, 115));
    cr_assert_neq(px(&f, 10, 10), 0xff0000u);

    /* a filled rectangle drawn with a GC on the root, outside the window */
    GC gc = XCreateGC(dpy, DefaultRootWindow(dpy), 0, NULL);
    XSetSubwindowMode(dpy, gc, IncludeInferiors);
    XSetForeground(dpy, gc, 0x00ff00);
    XFillRectangle(dpy, DefaultRootWindow(dpy), gc, 600, 500, 20, 20);
    XSync(dpy, False);
    memset(&d, 0, sizeof d);
    cr_assert_eq(grab_change(c, &d, &f), 1);
    cr_assert(covered(&d, 610, 510));
    cr_assert(!covered(&d, 225, 115), "window region not damaged again");
    cr_assert_eq(px(&f, 610, 510), 0x00ff00u);
    cr_assert_eq(px(&f, 225, 115), 0xff0000u);

    /* the cursor comes separately, with a shape and a position */
    struct sasae_cursor cur;
    cr_assert_geq(sasae_cap_cursor(c, &cur), 0);
    cr_assert_gt(cur.w, 0);
    cr_assert_gt(cur.h, 0);
    XWarpPointer(dpy, None, DefaultRootWindow(dpy), 0, 0, 0, 0, 321, 234);
    XSync(dpy, False);
    cr_assert_eq(sasae_cap_cursor(c, &cur), 1);
    cr_assert_eq(cur.x, 321);
    cr_assert_eq(cur.y, 234);
    cr_assert(cur.visible);
    cr_assert_eq(sasae_cap_cursor(c, &cur), 0, "unchanged cursor reports no change");
    XFreeGC(dpy, gc);
    XCloseDisplay(dpy);
    sasae_cap_free(c);
}

Test(host_cap_x11, xsetroot_changes_whole_screen, .init = xsetup, .fini = xteardown)
{
    char err[256], cmd[128];
    struct sasae_cap_opts o = {.source = "x11", .display = xv.name, .monitor = 0};
    struct sasae_cap *c = sasae_cap_open(&o, err, sizeof err);
    cr_assert(c, "%s", err);
    struct sasae_frame f;
    struct sasae_dirty d = {0};
    sasae_cap_grab(c, &d, &f);
    snprintf(cmd, sizeof cmd, "DISPLAY=%s xsetroot -solid '#0000ff'", xv.name);
    cr_assert_eq(system(cmd), 0);
    memset(&d, 0, sizeof d);
    cr_assert_eq(grab_change(c, &d, &f), 1);
    cr_assert_eq(px(&f, 400, 300), 0x0000ffu, "%06x", px(&f, 400, 300));
    sasae_cap_free(c);
    o.monitor = 7;
    cr_assert_null(sasae_cap_open(&o, err, sizeof err));
    cr_assert(strstr(err, "monitor 7"), "%s", err);
}

Test(host_cap_x11, no_display_fails_clearly)
{
    char err[256];
    struct sasae_cap_opts o = {.source = "x11", .display = ":4999", .monitor = -1};
    cr_assert_null(sasae_cap_open(&o, err, sizeof err));
    cr_assert(strstr(err, "cannot open X display"), "%s", err);
}

/* --monitor: with two XRandR monitors side by side, monitor 1 captures only the right half,
 * in its own coordinates, and damage on the other monitor is not reported. */
Test(host_cap_x11, one_monitor_of_two, .init = xsetup, .fini = xteardown)
{
    char cmd[256], err[256];
    snprintf(cmd, sizeof cmd,
             "DISPLAY=%s xrandr --setmonitor L 400/1x600/1+0+0 none && "
             "DISPLAY=%s xrandr --setmonitor R 400/1x600/1+400+0 none",
             xv.name, xv.name);
    cr_assert_eq(system(cmd), 0, "xrandr --setmonitor");
    struct sasae_cap_opts o = {.source = "x11", .display = xv.name, .monitor = 1};
    struct sasae_cap *c = sasae_cap_open(&o, err, sizeof err);
    cr_assert(c, "%s", err);
    int w, h, ox, oy;
    sasae_cap_size(c, &w, &h);
    sasae_cap_origin(c, &ox, &oy);
    cr_assert_eq(w, 400);
    cr_assert_eq(h, 600);
    cr_assert_eq(ox, 400);
    cr_assert_eq(oy, 0);
    struct sasae_frame f;
    struct sasae_dirty d = {0};
    cr_assert_eq(sasae_cap_grab(c, &d, &f), 1);
    Display *dpy = XOpenDisplay(xv.name);
    GC gc = XCreateGC(dpy, DefaultRootWindow(dpy), 0, NULL);
    XSetForeground(dpy, gc, 0xff0000);
    XFillRectangle(dpy, DefaultRootWindow(dpy), gc, 100, 100, 30, 30); /* monitor 0 */
    XSync(dpy, False);
    memset(&d, 0, sizeof d);
    for (int i = 0; i < 10; i++) {
        sasae_cap_wait(c, 50);
        cr_assert_eq(sasae_cap_grab(c, &d, &f), 0, "damage on the other monitor reported");
    }
    XSetForeground(dpy, gc, 0x00ff00);
    XFillRectangle(dpy, DefaultRootWindow(dpy), gc, 500, 100, 30, 30); /* monitor 1 */
    XSync(dpy, False);
    memset(&d, 0, sizeof d);
    cr_assert_eq(grab_change(c, &d, &f), 1);
    cr_assert(covered(&d, 110, 110), "reported in monitor coordinates");
    cr_assert_eq(px(&f, 110, 110), 0x00ff00u);
    /* the pointer on the other monitor: not visible, and its position is not given away */
    XWarpPointer(dpy, None, DefaultRootWindow(dpy), 0, 0, 0, 0, 123, 321);
    XSync(dpy, False);
    struct sasae_cursor cur;
    cr_assert_geq(sasae_cap_cursor(c, &cur), 0);
    cr_assert_not(cur.visible);
    cr_assert_eq(cur.x, 0, "pointer x on an unshared monitor leaked: %d", cur.x);
    cr_assert_eq(cur.y, 0, "pointer y on an unshared monitor leaked: %d", cur.y);
    XWarpPointer(dpy, None, DefaultRootWindow(dpy), 0, 0, 0, 0, 450, 60);
    XSync(dpy, False);
    cr_assert_geq(sasae_cap_cursor(c, &cur), 0);
    cr_assert(cur.visible);
    cr_assert_eq(cur.x, 50);
    cr_assert_eq(cur.y, 60);
    XFreeGC(dpy, gc);
    XCloseDisplay(dpy);
    sasae_cap_free(c);
}

/* A 100x40 picture (blocks at the right and bottom edges are partial, as on a 1366x768
 * screen): the first call reports everything, an unchanged picture nothing, one changed
 * pixel exactly its block, in any of the 16 columns of a block and in the alpha byte. */
Test(host_cap, block_hashes_find_each_changed_pixel)
{
    enum { W = 100, H = 40, S = W * 4 };
    static uint8_t img[H * S];
    for (size_t i = 0; i < sizeof img; i++)
        img[i] = (uint8_t)(i * 7 + i / 13);
    size_t n = cap_hash_count(W, H);
    cr_assert_eq(n, 7 * 3);
    uint64_t *hash = calloc(n, sizeof *hash);
    struct sasae_dirty d = {0};
    cr_assert_eq(cap_hash_blocks(hash, 42, img, W, H, S, true, &d), 21);
    cr_assert_eq(sasae_dirty_area(&d), W * H);
    d.n = 0;
    cr_assert_eq(cap_hash_blocks(hash, 42, img, W, H, S, false, &d), 0);
    cr_assert_eq(d.n, 0);
    for (int y = 0; y < H; y += 3) {
        for (int x = 0; x < W; x += 5) {
            for (int byte = 0; byte < 4; byte++) {
                img[y * S + x * 4 + byte] ^= 0x01;
                d.n = 0;
                cr_assert_eq(cap_hash_blocks(hash, 42, img, W, H, S, false, &d), 1,
                             "pixel %d,%d byte %d", x, y, byte);
                cr_assert(covered(&d, x, y));
                cr_assert_eq(d.r[0].x, x / 16 * 16);
                cr_assert_eq(d.r[0].y, y / 16 * 16);
                cr_assert_leq(sasae_dirty_area(&d), 16 * 16);
            }
        }
    }
    /* two pixels swapped within a block still change its hash */
    uint32_t a, b;
    memcpy(&a, img, 4);
    memcpy(&b, img + 4, 4);
    memcpy(img, &b, 4);
    memcpy(img + 4, &a, 4);
    d.n = 0;
    cr_assert_eq(cap_hash_blocks(hash, 42, img, W, H, S, false, &d), 1);
    free(hash);
}

/* The copy-based diff on a width that is not a multiple of 16: a change in the partial
 * right-hand block is reported (a run reaching the edge was dropped before). */
Test(host_cap, block_diff_reports_the_partial_right_edge)
{
    enum { W = 100, H = 20, S = W * 4 };
    static uint8_t a[H * S], b[H * S];
    b[5 * S + 99 * 4] = 1;
    struct sasae_dirty d = {0};
    cr_assert_eq(cap_diff_blocks(a, b, W, H, S, &d), 1);
    cr_assert(covered(&d, 99, 5));
    uint64_t hash[7 * 2] = {0};
    d.n = 0;
    cap_hash_blocks(hash, 1, a, W, H, S, true, &d);
    d.n = 0;
    cr_assert_eq(cap_hash_blocks(hash, 1, b, W, H, S, false, &d), 1);
    cr_assert(covered(&d, 99, 5));
}
