/* typist: types on an X display the way the typing benchmark needs it timed. Every period it
 * draws the next character of a sentence in the next cell of a line (the X server's "fixed"
 * font, black on white, as a terminal shows it) on the root window and prints the wall-clock time
 * (CLOCK_REALTIME, microseconds: the clock the host stamps captures with) taken just before
 * the drawing request, so no capture can show the change earlier; it then waits until the
 * X server has done it (XSync). The source side of "source change to decoded at the
 * viewer".
 * `typist COUNT PERIOD_MS scroll [PX]` scrolls instead: the screen is filled with text
 * lines, and every period the text moves up PX rows (default one line, as a terminal under
 * fast output; a few pixels is a browser's smooth scroll) by an XCopyArea of the whole
 * screen (what a terminal's own scroll is) and the rows that come in are drawn; the time
 * printed is taken before the copy.
 * With TYPIST_MONO=1 in the environment each line also carries the CLOCK_MONOTONIC time of
 * the same moment (`REAL_US MONO_US`), for bench/glass_to_glass.sh, whose window poller
 * stamps with that clock.
 * With TYPIST_CELLS=1 instead, each line gives the rectangle the change touched (x, y, w, h,
 * tab-separated after the time: the glyph's cell, or the rows that come in at the bottom),
 * so bench/peers can check that an update matched to it covers it. */
#include <X11/Xlib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* One event's line: when, on the clock(s) asked for. */
static void print_time(uint64_t real, uint64_t mono, int with_mono)
{
    if (with_mono)
        printf("%" PRIu64 " %" PRIu64 "\n", real, mono);
    else
        printf("%" PRIu64 "\n", real);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5 || (argc >= 4 && strcmp(argv[3], "scroll"))) {
        fprintf(stderr, "usage: typist COUNT PERIOD_MS [scroll [PX]]   (DISPLAY: the screen)\n");
        return 2;
    }
    int scroll = argc >= 4, scroll_px = argc == 5 ? atoi(argv[4]) : 0;
    int count = atoi(argv[1]), period_ms = atoi(argv[2]);
    const char *m = getenv("TYPIST_MONO");
    int with_mono = m && !strcmp(m, "1");
    Display *dpy = XOpenDisplay(NULL);
    if (!dpy || count < 1 || period_ms < 1) {
        fprintf(stderr, "typist: %s\n", dpy ? "bad arguments" : "cannot open the display");
        return 1;
    }
    const char *cells_env = getenv("TYPIST_CELLS");
    int cells = cells_env && !strcmp(cells_env, "1");
    int scr = DefaultScreen(dpy);
    Window root = RootWindow(dpy, scr);
    GC gc = XCreateGC(dpy, root, 0, NULL);
    XFontStruct *font = XLoadQueryFont(dpy, "fixed");
    if (!font) {
        fprintf(stderr, "typist: no \"fixed\" font on this X server\n");
        return 1;
    }
    XSetFont(dpy, gc, font->fid);
    XSetForeground(dpy, gc, BlackPixel(dpy, scr));
    XSetBackground(dpy, gc, WhitePixel(dpy, scr));
    int cw = font->max_bounds.width, ch = font->ascent + font->descent;
    int w = DisplayWidth(dpy, scr), h = DisplayHeight(dpy, scr);
    int per_line = (w / 2) / cw;
    static const char text[] = "The quick brown fox jumps over the lazy dog; 0123456789. ";
    if (scroll) {
        /* The document: line k is words of a length drawn from k, as log output looks. */
        int cols = w / cw, step = scroll_px > 0 ? scroll_px : ch, pos = 0;
        XSetForeground(dpy, gc, WhitePixel(dpy, scr));
        XFillRectangle(dpy, root, gc, 0, 0, (unsigned)w, (unsigned)h);
        XSetForeground(dpy, gc, BlackPixel(dpy, scr));
        for (int i = -1; i < count; i++) {
            uint64_t t = wall_us(), tm = mono_us();
            int band = i < 0 ? h : step; /* rows [h - band, h) get new text */
            if (i >= 0) {
                pos += step;
                XCopyArea(dpy, root, root, gc, 0, step, (unsigned)w, (unsigned)(h - step), 0, 0);
            }
            XRectangle clip = {0, (short)(h - band), (unsigned short)w, (unsigned short)band};
            XSetClipRectangles(dpy, gc, 0, 0, &clip, 1, Unsorted);
            XSetForeground(dpy, gc, WhitePixel(dpy, scr));
            XFillRectangle(dpy, root, gc, 0, h - band, (unsigned)w, (unsigned)band);
            XSetForeground(dpy, gc, BlackPixel(dpy, scr));
            for (int k = (pos + h - band) / ch; k * ch < pos + h; k++) {
                char buf[1024];
                unsigned seed = (unsigned)k * 2654435761u + 1;
                int len = (int)((seed = seed * 1103515245u + 12345u) >> 16) % cols;
                for (int j = 0; j < len && j < (int)sizeof buf; j++) {
                    seed = seed * 1103515245u + 12345u;
                    buf[j] = text[(seed >> 16) % (sizeof text - 1)];
                }
                XDrawImageString(dpy, root, gc, 0, k * ch - pos + font->ascent, buf,
                                 len < (int)sizeof buf ? len : (int)sizeof buf);
            }
            XSetClipMask(dpy, gc, None);
            XSync(dpy, False);
            if (i < 0) {
                sleep(6); /* the full page reaches the viewer (seconds on a slow link) */
                continue;
            }
            if (cells) {
                printf("%" PRIu64 "\t0\t%d\t%d\t%d\n", t, h - step, w, step);
                fflush(stdout);
            } else {
                print_time(t, tm, with_mono);
            }
            struct timespec d = {period_ms / 1000, (long)(period_ms % 1000) * 1000000L};
            nanosleep(&d, NULL);
        }
        count = 0;
    }
    for (int i = 0; i < count; i++) {
        int x = w / 4 + (i % per_line) * cw, y = h / 3 + ((i / per_line) % 20) * ch;
        uint64_t t = wall_us(), tm = mono_us();
        XDrawImageString(dpy, root, gc, x, y + font->ascent, &text[i % (sizeof text - 1)], 1);
        XSync(dpy, False);
        if (cells) {
            printf("%" PRIu64 "\t%d\t%d\t%d\t%d\n", t, x, y, cw, ch);
            fflush(stdout);
        } else {
            print_time(t, tm, with_mono);
        }
        struct timespec d = {period_ms / 1000, (long)(period_ms % 1000) * 1000000L};
        nanosleep(&d, NULL);
    }
    XFreeFont(dpy, font);
    XFreeGC(dpy, gc);
    XCloseDisplay(dpy);
    return 0;
}
