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
 * With TYPIST_PAGE=web in the environment the scrolled document is a web page instead:
 * anti-aliased proportional text (DejaVu Sans through SDL2_ttf, blended onto white), a bold
 * heading every 12 lines and every 5th line a blue link, 22-px lines; the rows that come in
 * are rendered into an image and put with XPutImage, as a browser's compositor shows them.
 * `typist COUNT PERIOD_MS drag [PX]` drags a window instead: a ~1000x700 window of text (an
 * override-redirect top-level with a title bar, its picture the window's background pixmap,
 * so the X server repaints it with no help) is mapped, and every period it moves PX pixels
 * across (default 12) and PX/2 down, bouncing off the screen's edges, by XMoveWindow as a
 * window manager does while a person drags: its content moves and the desktop behind it (the
 * root's background) is exposed. The time printed is taken before the move. The window stays
 * TYPIST_HOLD_MS milliseconds (default 0) after the last move, then goes with typist.
 * With TYPIST_MONO=1 in the environment each line also carries the CLOCK_MONOTONIC time of
 * the same moment (`REAL_US MONO_US`), for bench/glass_to_glass.sh, whose window poller
 * stamps with that clock.
 * With TYPIST_CELLS=1 instead, each line gives the rectangle the change touched (x, y, w, h,
 * tab-separated after the time: the glyph's cell, the rows that come in at the bottom, or the
 * strip of the dragged window's leading edge that now covers the desktop),
 * so bench/peers can check that an update matched to it covers it. */
#include <SDL2/SDL_ttf.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
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

/* A document's line k: words of a length drawn from k, as log output looks. */
static int doc_line(int k, int cols, char *buf, int size)
{
    static const char text[] = "The quick brown fox jumps over the lazy dog; 0123456789. ";
    unsigned seed = (unsigned)k * 2654435761u + 1;
    int len = (int)((seed = seed * 1103515245u + 12345u) >> 16) % cols;
    for (int j = 0; j < len && j < size; j++) {
        seed = seed * 1103515245u + 12345u;
        buf[j] = text[(seed >> 16) % (sizeof text - 1)];
    }
    return len < size ? len : size;
}

static void sleep_ms(int ms)
{
    struct timespec d = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&d, NULL);
}

/* TYPIST_PAGE=web: the page's fonts and the band image new rows are rendered into. */
struct web {
    TTF_Font *body, *head;
    SDL_Surface *band; /* w x h, ARGB8888: the X server's 24-bit TrueColor layout */
};

#define WEB_LINE 22
#define WEB_FONT_DIR "/usr/share/fonts/truetype/dejavu/"

static int web_open(struct web *wp, int w, int h)
{
    if (TTF_Init() != 0)
        return -1;
    wp->body = TTF_OpenFont(WEB_FONT_DIR "DejaVuSans.ttf", 14);
    wp->head = TTF_OpenFont(WEB_FONT_DIR "DejaVuSans-Bold.ttf", 18);
    wp->band = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!wp->body || !wp->head || !wp->band) {
        fprintf(stderr, "typist: web page: %s (fonts-dejavu-core)\n", TTF_GetError());
        return -1;
    }
    return 0;
}

static void web_close(struct web *wp)
{
    if (wp->band)
        SDL_FreeSurface(wp->band);
    if (wp->body)
        TTF_CloseFont(wp->body);
    if (wp->head)
        TTF_CloseFont(wp->head);
    TTF_Quit();
}

/* Puts the page's rows [top, top + rows) (document coordinates) at screen row y. */
static void web_draw(struct web *wp, Display *dpy, Window root, GC gc, int top, int rows, int y)
{
    int w = wp->band->w;
    SDL_Rect all = {0, 0, w, rows};
    SDL_FillRect(wp->band, &all, 0xffffffffu);
    for (int k = top / WEB_LINE; k * WEB_LINE < top + rows; k++) {
        char buf[256];
        int heading = k % 12 == 0, link = !heading && k % 5 == 2;
        int len = doc_line(k + 7, heading ? 40 : 150, buf, (int)sizeof buf - 1);
        if (len == 0 || k % 12 == 11)
            continue; /* a paragraph's end */
        buf[len] = 0;
        SDL_Color fg = heading ? (SDL_Color){32, 33, 36, 255}
                       : link  ? (SDL_Color){26, 13, 171, 255}
                               : (SDL_Color){60, 64, 67, 255};
        SDL_Surface *t = TTF_RenderUTF8_Blended(heading ? wp->head : wp->body, buf, fg);
        if (!t)
            continue;
        SDL_Rect at = {48, k * WEB_LINE - top + 3, 0, 0};
        SDL_BlitSurface(t, NULL, wp->band, &at);
        SDL_FreeSurface(t);
    }
    XImage *img =
        XCreateImage(dpy, DefaultVisual(dpy, DefaultScreen(dpy)), 24, ZPixmap, 0,
                     (char *)wp->band->pixels, (unsigned)w, (unsigned)rows, 32, wp->band->pitch);
    if (!img)
        return;
    XPutImage(dpy, root, gc, img, 0, 0, 0, y, (unsigned)w, (unsigned)rows);
    img->data = NULL; /* the surface's pixels */
    XDestroyImage(img);
}

/* The drag mode: see the comment at the top. */
static void drag(Display *dpy, GC gc, XFontStruct *font, int count, int period_ms, int px,
                 int cells, int with_mono)
{
    int scr = DefaultScreen(dpy);
    Window root = RootWindow(dpy, scr);
    int w = DisplayWidth(dpy, scr), h = DisplayHeight(dpy, scr);
    int ww = w * 52 / 100, wh = h * 65 / 100, title = 22; /* 998x702 on 1920x1080 */
    int cw = font->max_bounds.width, ch = font->ascent + font->descent;
    Pixmap pm =
        XCreatePixmap(dpy, root, (unsigned)ww, (unsigned)wh, (unsigned)DefaultDepth(dpy, scr));
    XSetForeground(dpy, gc, BlackPixel(dpy, scr));
    XFillRectangle(dpy, pm, gc, 0, 0, (unsigned)ww, (unsigned)wh); /* a 2 px frame */
    XSetForeground(dpy, gc, 0x3a3a3a);
    XFillRectangle(dpy, pm, gc, 2, 2, (unsigned)(ww - 4), (unsigned)(title - 2));
    XSetForeground(dpy, gc, WhitePixel(dpy, scr));
    XFillRectangle(dpy, pm, gc, 2, title, (unsigned)(ww - 4), (unsigned)(wh - title - 2));
    XDrawString(dpy, pm, gc, 8, 2 + font->ascent + 2, "typist - drag", 13);
    XSetForeground(dpy, gc, BlackPixel(dpy, scr));
    for (int k = 0; title + 2 + (k + 1) * ch <= wh - 2; k++) {
        char buf[512];
        int len = doc_line(k, (ww - 8) / cw, buf, (int)sizeof buf);
        XDrawImageString(dpy, pm, gc, 4, title + 2 + k * ch + font->ascent, buf, len);
    }
    XSetWindowAttributes a = {.background_pixmap = pm, .override_redirect = True};
    int x = w / 32, y = h / 32, dx = px, dy = px / 2 > 0 ? px / 2 : 1;
    Window win = XCreateWindow(dpy, root, x, y, (unsigned)ww, (unsigned)wh, 0, CopyFromParent,
                               InputOutput, CopyFromParent, CWBackPixmap | CWOverrideRedirect, &a);
    XMapRaised(dpy, win);
    XSync(dpy, False);
    sleep(6); /* the full picture reaches the viewer (seconds on a slow link) */
    for (int i = 0; i < count; i++) {
        if (x + dx < 0 || x + dx + ww > w)
            dx = -dx;
        if (y + dy < 0 || y + dy + wh > h)
            dy = -dy;
        uint64_t t = wall_us(), tm = mono_us();
        XMoveWindow(dpy, win, x + dx, y + dy);
        XSync(dpy, False);
        /* the leading edge: columns the window now covers that showed the desktop */
        int sx = dx > 0 ? x + ww : x + dx;
        x += dx;
        y += dy;
        if (cells) {
            printf("%" PRIu64 "\t%d\t%d\t%d\t%d\n", t, sx, y, dx > 0 ? dx : -dx, wh);
            fflush(stdout);
        } else {
            print_time(t, tm, with_mono);
        }
        sleep_ms(period_ms);
    }
    const char *hold = getenv("TYPIST_HOLD_MS");
    if (hold && atoi(hold) > 0)
        sleep_ms(atoi(hold));
    XDestroyWindow(dpy, win);
    XFreePixmap(dpy, pm);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5 ||
        (argc >= 4 && strcmp(argv[3], "scroll") && strcmp(argv[3], "drag"))) {
        fprintf(stderr,
                "usage: typist COUNT PERIOD_MS [scroll|drag [PX]]   (DISPLAY: the screen)\n");
        return 2;
    }
    int dragging = argc >= 4 && !strcmp(argv[3], "drag");
    int scroll = argc >= 4 && !dragging, scroll_px = argc == 5 ? atoi(argv[4]) : 0;
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
    if (dragging) {
        drag(dpy, gc, font, count, period_ms, scroll_px > 0 ? scroll_px : 12, cells, with_mono);
        count = 0;
    }
    if (scroll) {
        /* The document: line k is words of a length drawn from k, as log output looks. */
        int cols = w / cw, step = scroll_px > 0 ? scroll_px : ch, pos = 0;
        XSetForeground(dpy, gc, WhitePixel(dpy, scr));
        XFillRectangle(dpy, root, gc, 0, 0, (unsigned)w, (unsigned)h);
        XSetForeground(dpy, gc, BlackPixel(dpy, scr));
        const char *page = getenv("TYPIST_PAGE");
        struct web web = {0};
        int is_web = page && !strcmp(page, "web");
        if (is_web) {
            if (web_open(&web, w, h) != 0)
                return 1;
            step = scroll_px > 0 ? scroll_px : WEB_LINE;
        }
        for (int i = -1; i < count; i++) {
            uint64_t t = wall_us(), tm = mono_us();
            int band = i < 0 ? h : step; /* rows [h - band, h) get new text */
            if (i >= 0) {
                pos += step;
                XCopyArea(dpy, root, root, gc, 0, step, (unsigned)w, (unsigned)(h - step), 0, 0);
            }
            if (is_web) {
                web_draw(&web, dpy, root, gc, pos + h - band, band, h - band);
            } else {
                XRectangle clip = {0, (short)(h - band), (unsigned short)w, (unsigned short)band};
                XSetClipRectangles(dpy, gc, 0, 0, &clip, 1, Unsorted);
                XSetForeground(dpy, gc, WhitePixel(dpy, scr));
                XFillRectangle(dpy, root, gc, 0, h - band, (unsigned)w, (unsigned)band);
                XSetForeground(dpy, gc, BlackPixel(dpy, scr));
                for (int k = (pos + h - band) / ch; k * ch < pos + h; k++) {
                    char buf[1024];
                    int len = doc_line(k, cols, buf, (int)sizeof buf);
                    XDrawImageString(dpy, root, gc, 0, k * ch - pos + font->ascent, buf, len);
                }
                XSetClipMask(dpy, gc, None);
            }
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
        if (is_web)
            web_close(&web);
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
