/* typist: types on an X display the way the typing benchmark needs it timed. Every period it
 * draws the next character of a sentence in the next cell of a line (the X server's "fixed"
 * font, black on white, as a terminal shows it) on the root window and prints the wall-clock time
 * (CLOCK_REALTIME, microseconds: the clock the host stamps captures with) taken just before
 * the drawing request, so no capture can show the change earlier; it then waits until the
 * X server has done it (XSync). The source side of "source change to decoded at the
 * viewer". */
#include <X11/Xlib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: typist COUNT PERIOD_MS   (DISPLAY: the screen to type on)\n");
        return 2;
    }
    int count = atoi(argv[1]), period_ms = atoi(argv[2]);
    Display *dpy = XOpenDisplay(NULL);
    if (!dpy || count < 1 || period_ms < 1) {
        fprintf(stderr, "typist: %s\n", dpy ? "bad arguments" : "cannot open the display");
        return 1;
    }
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
    for (int i = 0; i < count; i++) {
        int x = w / 4 + (i % per_line) * cw, y = h / 3 + ((i / per_line) % 20) * ch;
        uint64_t t = wall_us();
        XDrawImageString(dpy, root, gc, x, y + font->ascent, &text[i % (sizeof text - 1)], 1);
        XSync(dpy, False);
        printf("%" PRIu64 "\n", t);
        fflush(stdout);
        struct timespec d = {period_ms / 1000, (long)(period_ms % 1000) * 1000000L};
        nanosleep(&d, NULL);
    }
    XFreeFont(dpy, font);
    XFreeGC(dpy, gc);
    XCloseDisplay(dpy);
    return 0;
}
