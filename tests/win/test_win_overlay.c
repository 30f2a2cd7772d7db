/* Windows test of the host's annotation overlay (host/win/overlay_win.c), run under Wine or
 * on Windows: opens the overlay over an area that covers a window of this program, draws,
 * and reads the real screen back (BitBlt from the desktop DC): the stroke is red and only the
 * stroke covers the window, a click under the stroke reaches the window (click-through),
 * keep-out rectangles stay unpainted, the pointing hand shows with its fingertip at the
 * point, suspend hides at once and keeps it hidden, clear keeps the hand, undo removes only
 * the stroke named, the idle hand fades, hide clears, the redraw rate is bounded. Exit 0 = pass;
 * one line per check. The screen changes asynchronously: checks poll up to POLL_MS. */
#include "sasae/host.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#define POLL_MS 2500
/* the overlay's area on the screen */
#define AX 100
#define AY 100
#define AW 800
#define AH 600
/* our window beneath it */
#define WX 200
#define WY 150
#define WW 500
#define WH 400
#define GREEN RGB(0, 160, 0)
#define RED RGB(255, 0, 0)
#define YELLOW RGB(255, 212, 0)

static int failures;
static HWND win;
static struct {
    UINT msg;
    int x, y;
    unsigned n;
} got;

static void check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s: ", ok ? "ok" : "FAIL");
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    if (!ok)
        failures++;
}

static LRESULT CALLBACK wndproc(HWND h, UINT msg, WPARAM wp, LPARAM lp)
{
    if (msg == WM_LBUTTONDOWN || msg == WM_LBUTTONUP) {
        got.msg = msg;
        got.x = (short)LOWORD(lp);
        got.y = (short)HIWORD(lp);
        got.n++;
        return 0;
    }
    return DefWindowProcW(h, msg, wp, lp);
}

static void pump(void)
{
    MSG m;
    while (PeekMessageW(&m, NULL, 0, 0, PM_REMOVE)) {
        TranslateMessage(&m);
        DispatchMessageW(&m);
    }
}

static void pump_for(DWORD ms)
{
    DWORD t0 = GetTickCount();
    while (GetTickCount() - t0 < ms) {
        pump();
        MsgWaitForMultipleObjects(0, NULL, FALSE, 10, QS_ALLINPUT);
    }
}

/* The screen as it is now, x0..x0+w, y0..y0+h, as COLORREFs (caller frees). */
static COLORREF *grab(int x0, int y0, int w, int h)
{
    HDC screen = GetDC(NULL), mem = CreateCompatibleDC(screen);
    BITMAPINFO bi = {.bmiHeader = {.biSize = sizeof(BITMAPINFOHEADER),
                                   .biWidth = w,
                                   .biHeight = -h,
                                   .biPlanes = 1,
                                   .biBitCount = 32,
                                   .biCompression = BI_RGB}};
    void *bits = NULL;
    HBITMAP dib = CreateDIBSection(mem, &bi, DIB_RGB_COLORS, &bits, NULL, 0);
    HGDIOBJ old = SelectObject(mem, dib);
    BitBlt(mem, 0, 0, w, h, screen, x0, y0, SRCCOPY | CAPTUREBLT);
    GdiFlush();
    COLORREF *out = malloc(sizeof *out * (size_t)w * (size_t)h);
    const uint8_t *p = bits;
    for (int i = 0; out && i < w * h; i++)
        out[i] = RGB(p[4 * i + 2], p[4 * i + 1], p[4 * i]);
    SelectObject(mem, old);
    DeleteObject(dib);
    DeleteDC(mem);
    ReleaseDC(NULL, screen);
    return out;
}

static COLORREF pixel(int x, int y)
{
    COLORREF *p = grab(x, y, 1, 1), c = p ? p[0] : CLR_INVALID;
    free(p);
    return c;
}

/* Polls until the screen pixel (x, y) is c; returns whether it became so. */
static bool pixel_becomes(int x, int y, COLORREF c)
{
    DWORD t0 = GetTickCount();
    for (;;) {
        pump();
        if (pixel(x, y) == c)
            return true;
        if (GetTickCount() - t0 > POLL_MS)
            return false;
        MsgWaitForMultipleObjects(0, NULL, FALSE, 20, QS_ALLINPUT);
    }
}

static const char *name(COLORREF c)
{
    static char buf[4][32];
    static int k;
    char *b = buf[k++ & 3];
    snprintf(b, 32, "#%02x%02x%02x", GetRValue(c), GetGValue(c), GetBValue(c));
    return b;
}

/* A left click at screen (x, y) through SendInput, absolute over the virtual desktop. */
static void click(int x, int y)
{
    int vx = GetSystemMetrics(SM_XVIRTUALSCREEN), vy = GetSystemMetrics(SM_YVIRTUALSCREEN);
    int vw = GetSystemMetrics(SM_CXVIRTUALSCREEN), vh = GetSystemMetrics(SM_CYVIRTUALSCREEN);
    INPUT in[2] = {{.type = INPUT_MOUSE}, {.type = INPUT_MOUSE}};
    for (int i = 0; i < 2; i++) {
        in[i].mi.dx = (LONG)(((2LL * (x - vx) + 1) * 65536) / (2LL * vw));
        in[i].mi.dy = (LONG)(((2LL * (y - vy) + 1) * 65536) / (2LL * vh));
        in[i].mi.dwFlags = MOUSEEVENTF_ABSOLUTE | MOUSEEVENTF_VIRTUALDESK | MOUSEEVENTF_MOVE |
                           (i ? MOUSEEVENTF_LEFTUP : MOUSEEVENTF_LEFTDOWN);
    }
    SendInput(2, in, sizeof in[0]);
}

static HWND overlay_window(void)
{
    return FindWindowW(L"sasae-overlay", NULL);
}

/* Red pixels of the area outside rectangle keep (screen coordinates): the drawing must not
 * spill beyond what was drawn. */
static int red_outside(RECT keep)
{
    COLORREF *p = grab(AX, AY, AW, AH);
    int n = 0;
    for (int y = 0; p && y < AH; y++)
        for (int x = 0; x < AW; x++) {
            POINT pt = {AX + x, AY + y};
            if (p[y * AW + x] == RED && !PtInRect(&keep, pt))
                n++;
        }
    free(p);
    return n;
}

int main(void)
{
    HINSTANCE hi = GetModuleHandleW(NULL);
    WNDCLASSW wc = {.lpfnWndProc = wndproc,
                    .hInstance = hi,
                    .hCursor = LoadCursor(NULL, IDC_ARROW),
                    .hbrBackground = CreateSolidBrush(GREEN),
                    .lpszClassName = L"sasae-test-overlay-bg"};
    RegisterClassW(&wc);
    win = CreateWindowExW(0, wc.lpszClassName, L"beneath the overlay", WS_POPUP | WS_VISIBLE, WX,
                          WY, WW, WH, NULL, NULL, hi, NULL);
    SetForegroundWindow(win);
    UpdateWindow(win);
    check(win != NULL && pixel_becomes(WX + 150, WY + 100, GREEN),
          "a green window of our own at %dx%d+%d+%d", WW, WH, WX, WY);

    char err[160] = "";
    struct sasae_overlay *o = sasae_overlay_open("ignored", AX, AY, AW, AH, err, sizeof err);
    check(o != NULL, "overlay open over %dx%d+%d+%d %s", AW, AH, AX, AY, err);
    if (!o)
        return 1;
    HWND ow = overlay_window();
    LONG ex = ow ? GetWindowLongW(ow, GWL_EXSTYLE) : 0, st = ow ? GetWindowLongW(ow, GWL_STYLE) : 0;
    LONG want_ex =
        WS_EX_LAYERED | WS_EX_TRANSPARENT | WS_EX_TOPMOST | WS_EX_TOOLWINDOW | WS_EX_NOACTIVATE;
    check(ow && (ex & want_ex) == want_ex && (st & WS_POPUP),
          "its window: layered, transparent, topmost, tool window, no-activate, popup "
          "(ex-style %#lx)",
          (unsigned long)ex);
    check(ow && !IsWindowVisible(ow), "nothing drawn: the window is hidden");
    RECT r;
    check(ow && GetWindowRect(ow, &r) && r.left == AX && r.top == AY && r.right == AX + AW &&
              r.bottom == AY + AH,
          "it covers the area");

    /* a horizontal stroke across our window, 9 px wide, sent in blue: drawn red */
    int32_t line[] = {150, 150, 300, 150, 450, 150};
    check(sasae_overlay_stroke(o, 1, line, 3, 0x0000ffffu, 9) == 0, "stroke accepted");
    int sy = AY + 150; /* its screen row */
    bool ok = pixel_becomes(AX + 300, sy, RED);
    check(ok, "the stroke shows in red at %d,%d (%s)", AX + 300, sy, name(pixel(AX + 300, sy)));
    check(pixel(AX + 300, sy - 3) == RED && pixel(AX + 300, sy + 3) == RED,
          "... 9 px wide: 3 px above and below are red");
    check(pixel(AX + 300, sy - 8) == GREEN && pixel(AX + 300, sy + 8) == GREEN,
          "... 8 px above and below: our window shows through (%s, %s)",
          name(pixel(AX + 300, sy - 8)), name(pixel(AX + 300, sy + 8)));
    check(pixel(AX + 500, sy) == GREEN, "... beyond its end: our window (%s)",
          name(pixel(AX + 500, sy)));
    /* antialiased: the rows at its edges are partly covered, drawn between red and what is
     * beneath (half coverage: neither the pen's red nor our green) */
    COLORREF edge = pixel(AX + 300, sy - 5);
    check(edge != RED && edge != GREEN && GetRValue(edge) > 0x40,
          "... its edge is antialiased (%s half a pixel out)", name(edge));
    RECT around = {AX + 150 - 6, sy - 6, AX + 450 + 7, sy + 7};
    int spill = red_outside(around);
    check(spill == 0, "no red anywhere else in the area (%d px)", spill);
    check(ow && IsWindowVisible(ow), "the window is shown");

    /* click-through: a click on the stroke lands in our window beneath */
    POINT at = {AX + 300, sy};
    check(WindowFromPoint(at) == win, "WindowFromPoint under the stroke is our window");
    memset(&got, 0, sizeof got);
    click(at.x, at.y);
    DWORD t0 = GetTickCount();
    while (got.msg != WM_LBUTTONUP && GetTickCount() - t0 < POLL_MS) {
        pump();
        MsgWaitForMultipleObjects(0, NULL, FALSE, 10, QS_ALLINPUT);
    }
    check(got.n == 2 && got.x == at.x - WX && got.y == at.y - WY,
          "a click on the stroke reached our window at client %d,%d (want %ld,%ld, %u messages)",
          got.x, got.y, at.x - WX, at.y - WY, got.n);

    /* keep-out: a rectangle over the middle of the stroke is never painted */
    int keep[4] = {AX + 250, sy - 20, 100, 40};
    sasae_overlay_keepout(o, keep, 1);
    check(pixel_becomes(AX + 300, sy, GREEN), "keep-out: the stroke is cut out of %dx%d+%d+%d",
          keep[2], keep[3], keep[0], keep[1]);
    check(pixel(AX + 200, sy) == RED && pixel(AX + 400, sy) == RED,
          "... and shows on both sides of it");
    sasae_overlay_keepout(o, NULL, 0);
    check(pixel_becomes(AX + 300, sy, RED), "keep-out removed: the stroke is whole again");

    /* the pointing hand, fingertip at area (500, 300): yellow just below, nothing above */
    sasae_overlay_pointer(o, 500, 300, true);
    int mx = AX + 500, my = AY + 300 + 12;
    ok = pixel_becomes(mx, my, YELLOW);
    check(ok, "the hand shows (yellow at %d,%d: %s)", mx, my, name(pixel(mx, my)));
    check(pixel(AX + 500, AY + 300 - 6) == GREEN, "... its fingertip is at the point (%s above)",
          name(pixel(AX + 500, AY + 300 - 6)));

    /* suspend: hidden when the call returns, stays hidden while drawing goes on */
    sasae_overlay_suspend(o, true);
    check(ow && !IsWindowVisible(ow), "suspend: the window is hidden when the call returns");
    check(pixel_becomes(AX + 300, sy, GREEN) && pixel_becomes(mx, my, GREEN),
          "suspend: stroke and marker gone from the screen");
    int32_t more[] = {100, 400, 600, 400};
    sasae_overlay_stroke(o, 2, more, 2, 0, 5);
    sasae_overlay_pointer(o, 520, 300, true);
    pump_for(400);
    check(ow && !IsWindowVisible(ow) && pixel(AX + 300, AY + 400) != RED,
          "suspended: new strokes stay hidden");
    sasae_overlay_suspend(o, false);
    check(pixel_becomes(AX + 300, sy, RED) && pixel_becomes(AX + 300, AY + 400, RED),
          "suspend off: both strokes show again");

    /* the hand moved to 520 while suspended: shown there, not at 500 (no trail) */
    sasae_overlay_pointer(o, 520, 300, true);
    check(pixel_becomes(AX + 520, AY + 312, YELLOW), "the hand glided to its new place");
    check(pixel(AX + 500 - 14, AY + 312) == GREEN, "... and left no trail (%s)",
          name(pixel(AX + 500 - 14, AY + 312)));

    /* clear: strokes go, the hand stays */
    sasae_overlay_clear(o);
    check(pixel_becomes(AX + 300, sy, GREEN) && pixel_becomes(AX + 300, AY + 400, GREEN),
          "clear: strokes gone");
    check(pixel(AX + 520, AY + 312) == YELLOW, "clear: the hand stays");

    /* undo: only the stroke named goes */
    int32_t u1[] = {150, 380, 450, 380}, u2[] = {150, 420, 450, 420};
    sasae_overlay_stroke(o, 20, u1, 2, 0, 7);
    sasae_overlay_stroke(o, 21, u2, 2, 0, 7);
    check(pixel_becomes(AX + 300, AY + 380, RED) && pixel_becomes(AX + 300, AY + 420, RED),
          "two strokes drawn");
    check(sasae_overlay_undo(o, 21) == 0, "undo of the last stroke: 0");
    check(pixel_becomes(AX + 300, AY + 420, GREEN) && pixel(AX + 300, AY + 380) == RED,
          "undo: the last stroke gone, the one before stays");
    check(sasae_overlay_undo(o, 21) == -ENOENT, "undo of a stroke not there: -ENOENT");

    /* the idle hand fades out by itself */
    ok = pixel_becomes(AX + 520, AY + 312, GREEN) || pixel_becomes(AX + 520, AY + 312, GREEN);
    check(ok, "the idle hand faded (%s)", name(pixel(AX + 520, AY + 312)));

    /* hide: everything gone at once, and nothing comes back */
    sasae_overlay_stroke(o, 3, line, 3, 0, 9);
    check(pixel_becomes(AX + 300, sy, RED), "a new stroke shows");
    sasae_overlay_hide(o);
    check(ow && !IsWindowVisible(ow), "hide: the window is hidden when the call returns");
    check(pixel_becomes(AX + 300, sy, GREEN) && pixel_becomes(AX + 520, AY + 312, GREEN),
          "hide: stroke and marker gone from the screen");
    pump_for(300);
    check(ow && !IsWindowVisible(ow) && pixel(AX + 300, sy) == GREEN,
          "hide: strokes and marker were removed, not just hidden");

    /* a single point is a dot; the oldest strokes go beyond the stroke limit */
    int32_t dot[] = {300, 380};
    sasae_overlay_stroke(o, 10, dot, 1, 0, 12);
    check(pixel_becomes(AX + 300, AY + 380, RED), "a one-point stroke is a dot");
    for (uint32_t id = 11; id < 11 + 256; id++) {
        int32_t p[] = {(int32_t)(10 + (id % 50)), 20};
        sasae_overlay_stroke(o, id, p, 1, 0, 1);
    }
    check(pixel_becomes(AX + 300, AY + 380, GREEN), "256 newer strokes: the oldest is dropped");

    /* bad arguments */
    check(sasae_overlay_stroke(o, 1, NULL, 1, 0, 3) == -EINVAL &&
              sasae_overlay_stroke(o, 1, line, 0, 0, 3) == -EINVAL &&
              sasae_overlay_stroke(o, 1, line, 1, 0, 0) == -EINVAL &&
              sasae_overlay_stroke(o, 1, line, 1, 0, 65) == -EINVAL,
          "no points, no width or width 65: -EINVAL");
    int32_t distant[] = {-2000000000, 2000000000, 2000000000, -2000000000};
    check(sasae_overlay_stroke(o, 500, distant, 2, 0, 64) == 0, "far-away points are accepted");

    /* rate limit: a flood of points costs at most SASAE_OVERLAY_FPS redraws a second */
    sasae_overlay_clear(o);
    pump_for(200);
    unsigned long r0 = sasae_overlay_redraws(o);
    DWORD f0 = GetTickCount();
    int calls = 0;
    while (GetTickCount() - f0 < 1000) {
        int32_t p[] = {50 + calls % 700, 50 + (calls / 700) % 500};
        sasae_overlay_stroke(o, 600, p, 1, 0, 3);
        calls++;
        if (calls % 50 == 0)
            Sleep(1);
    }
    DWORD el = GetTickCount() - f0;
    pump_for(200);
    unsigned long dr = sasae_overlay_redraws(o) - r0;
    unsigned long limit = (unsigned long)(SASAE_OVERLAY_FPS * (el + 200) / 1000 + 2);
    check(dr >= 1 && dr <= limit, "%d stroke calls in %lu ms: %lu redraws (at most %lu)", calls,
          (unsigned long)el, dr, limit);
    check(pixel_becomes(AX + 300, AY + 50, RED), "the flood is drawn");

    sasae_overlay_free(o);
    pump_for(100);
    check(overlay_window() == NULL && pixel(AX + 300, AY + 50) == GREEN,
          "free: the window is gone");

    o = sasae_overlay_open(NULL, 0, 0, 0, 10, err, sizeof err);
    check(o == NULL, "a 0-wide area is refused: %s", err);
    DestroyWindow(win);
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
