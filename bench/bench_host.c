/* Host capture benchmark under a private Xvfb (1920x1080): cost of one damage-driven X11
 * grab for an unchanged screen, a typing-sized change, and a full-screen change, plus the
 * grab + VP9 encode of a typing-sized change (the host's per-keystroke work). Prints
 * medians; never pass/fail. */
#include <X11/Xlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/unit/xvfb_helper.h"
#include "sasae/common.h"
#include "sasae/host.h"
#include "sasae/video.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return v[n / 2];
}

#define N 200

int main(void)
{
    struct xvfb xv;
    if (xvfb_start(&xv, "1920x1080x24") != 0) {
        fprintf(stderr, "cannot start Xvfb\n");
        return 1;
    }
    char err[256];
    struct sasae_cap_opts o = {.source = "x11", .display = xv.name, .monitor = -1};
    struct sasae_cap *c = sasae_cap_open(&o, err, sizeof err);
    Display *dpy = XOpenDisplay(xv.name);
    if (!c || !dpy) {
        fprintf(stderr, "capture: %s\n", err);
        xvfb_stop(&xv);
        return 1;
    }
    Window root = DefaultRootWindow(dpy);
    GC gc = XCreateGC(dpy, root, 0, NULL);
    XSetSubwindowMode(dpy, gc, IncludeInferiors);
    struct sasae_frame f;
    struct sasae_dirty d = {0};
    double t[N];
    uint64_t t0 = sasae_mono_ns();
    sasae_cap_grab(c, &d, &f);
    double first = (double)(sasae_mono_ns() - t0) / 1e6;

    for (int i = 0; i < N; i++) {
        memset(&d, 0, sizeof d);
        t0 = sasae_mono_ns();
        sasae_cap_grab(c, &d, &f);
        t[i] = (double)(sasae_mono_ns() - t0) / 1e6;
    }
    double idle = median(t, N);

    /* typing: a 10x20 glyph changes, wait for its damage, then time the grab */
    sasae_video_config vc;
    sasae_video_config_default(&vc, 1920, 1080);
    sasae_venc *enc = NULL;
    sasae_venc_new(&vc, &enc);
    size_t cap = sasae_venc_max_payload(enc);
    uint8_t *out = malloc(cap);
    size_t len;
    sasae_video_frame vf = {f.bgra, f.stride, NULL, 0, 0};
    sasae_venc_encode(enc, &vf, SASAE_VENC_KEYFRAME, out, cap, &len);
    double enc_ms[N], bytes[N];
    for (int i = 0; i < N; i++) {
        XSetForeground(dpy, gc, (unsigned long)(0x101010 * (i % 15)));
        XFillRectangle(dpy, root, gc, 100 + (i % 100) * 12, 500, 10, 20);
        XSync(dpy, False);
        memset(&d, 0, sizeof d);
        while (sasae_cap_wait(c, 100) == 0)
            ;
        t0 = sasae_mono_ns();
        sasae_cap_grab(c, &d, &f);
        t[i] = (double)(sasae_mono_ns() - t0) / 1e6;
        sasae_video_rect r[SASAE_DIRTY_MAX];
        for (int k = 0; k < d.n; k++)
            r[k] = (sasae_video_rect){d.r[k].x, d.r[k].y, d.r[k].w, d.r[k].h};
        vf = (sasae_video_frame){f.bgra, f.stride, r, (size_t)d.n, (int64_t)(i + 1) * 33333};
        uint64_t e0 = sasae_mono_ns();
        sasae_venc_encode(enc, &vf, 0, out, cap, &len);
        enc_ms[i] = (double)(sasae_mono_ns() - e0) / 1e6;
        bytes[i] = (double)len;
    }
    double typing = median(t, N), typing_enc = median(enc_ms, N), typing_bytes = median(bytes, N);

    /* full-screen change */
    long area = 0;
    for (int i = 0; i < 50; i++) {
        XSetForeground(dpy, gc, (unsigned long)(0x030507 * i));
        XFillRectangle(dpy, root, gc, 0, 0, 1920, 1080);
        XSync(dpy, False);
        memset(&d, 0, sizeof d);
        while (sasae_cap_wait(c, 100) == 0)
            ;
        t0 = sasae_mono_ns();
        sasae_cap_grab(c, &d, &f);
        t[i] = (double)(sasae_mono_ns() - t0) / 1e6;
        area += sasae_dirty_area(&d);
    }
    double full = median(t, 50);

    printf("host capture, X11 XShm + XDamage, 1920x1080 Xvfb (medians)\n");
    printf("| case | grab ms |\n| --- | --- |\n");
    printf("| first grab (whole screen) | %.3f |\n", first);
    printf("| unchanged screen | %.4f |\n", idle);
    printf("| typing-sized change (10x20) | %.3f |\n", typing);
    printf("| full-screen change | %.3f |\n", full);
    printf("(full-screen case: %.0f%% of the screen reported dirty on average)\n",
           100.0 * (double)area / 50 / (1920.0 * 1080));
    printf("typing change through the encoder: grab %.3f ms + VP9 encode %.3f ms, %.0f bytes\n",
           typing, typing_enc, typing_bytes);
    free(out);
    sasae_venc_free(enc);
    XFreeGC(dpy, gc);
    XCloseDisplay(dpy);
    sasae_cap_free(c);
    xvfb_stop(&xv);
    return 0;
}
