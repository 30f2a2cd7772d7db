/* The annotation overlay on Windows: the operator's red pen strokes and pointing hand
 * on the customer's real screen, in a layered, topmost, click-through tool window
 * (WS_EX_LAYERED | WS_EX_TRANSPARENT | WS_EX_TOPMOST | WS_EX_TOOLWINDOW | WS_EX_NOACTIVATE)
 * drawn with UpdateLayeredWindow and per-pixel alpha: only the drawing covers the desktop,
 * and every click reaches the window beneath. It is excluded from nothing: the operator
 * sees in the video what the customer sees. One thread owns the window and its message loop
 * and redraws at most SASAE_OVERLAY_FPS times a second; callers only change the drawing in
 * memory and wake it with a message. */
#include "ink.h"
#include "sasae/common.h"
#include "sasae/host.h"
#include "sasae/marker.h"
#include "sasae/strokes.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <windows.h>

/* the same limits as the X11 overlay */
#define WM_OVERLAY_WAKE (WM_APP + 1)
/* pixels examined per redraw above which strokes are drawn by GDI (fast, not antialiased):
 * a few tens of ms of the overlay's thread at most */
#define AA_BUDGET (8L * 1000 * 1000)
/* how long suspend/hide wait for the window to be hidden */
#define SYNC_WAIT_S 2

struct sasae_overlay {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    HWND win;
    HDC mem;
    HBITMAP dib, old;
    uint32_t *px; /* the DIB: premultiplied BGRA, top-down, w * h */
    int w, h, ox, oy;
    bool shown;
    RECT painted;        /* where the DIB may hold non-zero pixels (empty: nowhere) */
    struct host_ink ink; /* the strokes */
    struct sasae_marker_motion motion;
    struct sasae_marker_pose drawn; /* the hand as last drawn */
    uint32_t *hand;                 /* its picture, premultiplied ARGB at full alpha */
    int hand_w, hand_h, hand_hx, hand_hy;
    bool dirty, suspended, stop;
    bool woken; /* a wake message is on its way: no need for another */
    unsigned long redraws;
    LARGE_INTEGER last, freq; /* time of the last redraw, for the rate limit */
    RECT keep[SASAE_OVERLAY_MAX_KEEPOUT];
    int nkeep;
    unsigned sync_want, sync_done; /* a caller waits until the window shows the state */
    bool started, failed;
    char err[160];
    pthread_t thread;
};

static int64_t now_ms(void)
{
    return (int64_t)(sasae_mono_ns() / 1000000u);
}

static bool pose_differs(const struct sasae_marker_pose *a, const struct sasae_marker_pose *b)
{
    return a->shown != b->shown || a->x != b->x || a->y != b->y || a->alpha != b->alpha;
}

#define PEN_COLORREF                                                                               \
    RGB((SASAE_OVERLAY_RED >> 16) & 0xff, (SASAE_OVERLAY_RED >> 8) & 0xff, SASAE_OVERLAY_RED & 0xff)

static void grow(RECT *r, long x0, long y0, long x1, long y1)
{
    if (IsRectEmpty(r)) {
        *r = (RECT){x0, y0, x1, y1};
        return;
    }
    r->left = x0 < r->left ? x0 : r->left;
    r->top = y0 < r->top ? y0 : r->top;
    r->right = x1 > r->right ? x1 : r->right;
    r->bottom = y1 > r->bottom ? y1 : r->bottom;
}

/* Where the current drawing lies, clipped to the window (o->mu held). */
static RECT drawing_bounds(const struct sasae_overlay *o)
{
    RECT b = {0, 0, 0, 0};
    for (int i = 0; i < o->ink.ns; i++) {
        const struct host_ink_stroke *s = &o->ink.s[i];
        long r = s->width / 2 + 2; /* round caps and the single-point dot */
        for (int k = 0; k < s->n; k++) {
            long x = s->xy[2 * k], y = s->xy[2 * k + 1];
            grow(&b, x - r, y - r, x + r + 1, y + r + 1);
        }
    }
    if (o->drawn.shown)
        grow(&b, o->drawn.x - o->hand_hx, o->drawn.y - o->hand_hy,
             o->drawn.x - o->hand_hx + o->hand_w, o->drawn.y - o->hand_hy + o->hand_h);
    RECT all = {0, 0, o->w, o->h}, c;
    if (!IntersectRect(&c, &b, &all))
        SetRectEmpty(&c);
    return c;
}

static void zero_rect(struct sasae_overlay *o, const RECT *r)
{
    for (long y = r->top; y < r->bottom; y++)
        memset(o->px + (size_t)y * (size_t)o->w + r->left, 0, (size_t)(r->right - r->left) * 4);
}

/* Draws the strokes antialiased when their cost fits AA_BUDGET (o->mu held). Returns false
 * when it did not draw (too much: the caller uses GDI). */
static bool paint_aa(struct sasae_overlay *o, const RECT *clip)
{
    long cost = 0;
    for (int i = 0; i < o->ink.ns && cost <= AA_BUDGET; i++) {
        const struct host_ink_stroke *s = &o->ink.s[i];
        long r = s->width / 2 + 2;
        for (int k = 0; k < s->n; k++) {
            /* each segment's box, clipped as the drawing will be */
            const int32_t *a = &s->xy[2 * (k > 0 ? k - 1 : 0)], *b = &s->xy[2 * k];
            long x0 = (a[0] < b[0] ? a[0] : b[0]) - r, x1 = (a[0] > b[0] ? a[0] : b[0]) + r + 1;
            long y0 = (a[1] < b[1] ? a[1] : b[1]) - r, y1 = (a[1] > b[1] ? a[1] : b[1]) + r + 1;
            x0 = x0 < clip->left ? clip->left : x0;
            y0 = y0 < clip->top ? clip->top : y0;
            x1 = x1 > clip->right ? clip->right : x1;
            y1 = y1 > clip->bottom ? clip->bottom : y1;
            if (x1 > x0 && y1 > y0)
                cost += (x1 - x0) * (y1 - y0);
        }
    }
    if (cost > AA_BUDGET)
        return false;
    struct sasae_strokes_clip c = {clip->left, clip->top, clip->right, clip->bottom};
    for (int i = 0; i < o->ink.ns; i++) {
        const struct host_ink_stroke *s = &o->ink.s[i];
        /* in pieces of 256 points that overlap by one, so the joins stay whole */
        for (int at = 0; at < s->n; at += 255) {
            int m = s->n - at < 256 ? s->n - at : 256;
            sasae_strokes_draw(o->px, o->w, &c, s->xy + 2 * at, m, s->width, SASAE_OVERLAY_RED);
            if (m < 256)
                break;
        }
    }
    return true;
}

/* Draws the strokes with GDI (o->mu held). */
static void paint(struct sasae_overlay *o)
{
    LOGBRUSH lb = {BS_SOLID, PEN_COLORREF, 0};
    HBRUSH red = CreateSolidBrush(PEN_COLORREF);
    POINT pt[256];
    for (int i = 0; i < o->ink.ns; i++) {
        const struct host_ink_stroke *s = &o->ink.s[i];
        HPEN pen = ExtCreatePen(PS_GEOMETRIC | PS_SOLID | PS_ENDCAP_ROUND | PS_JOIN_ROUND,
                                (DWORD)s->width, &lb, 0, NULL);
        HGDIOBJ op = SelectObject(o->mem, pen);
        if (s->n == 1) {
            HGDIOBJ ob = SelectObject(o->mem, red);
            SelectObject(o->mem, GetStockObject(NULL_PEN));
            int r = s->width / 2 + 1;
            Ellipse(o->mem, s->xy[0] - r, s->xy[1] - r, s->xy[0] + r + 1, s->xy[1] + r + 1);
            SelectObject(o->mem, ob);
        } else {
            /* GDI's points are LONGs: in pieces that overlap by one point */
            for (int at = 0; at < s->n - 1; at += 255) {
                int m = s->n - at < 256 ? s->n - at : 256;
                for (int k = 0; k < m; k++)
                    pt[k] = (POINT){s->xy[2 * (at + k)], s->xy[2 * (at + k) + 1]};
                Polyline(o->mem, pt, m);
            }
        }
        SelectObject(o->mem, op);
        DeleteObject(pen);
    }
    DeleteObject(red);
    GdiFlush();
}

/* Composites the hand at its pose over the drawing (o->mu held): per-pixel alpha, so its
 * antialiased edges, shadow and fade show as they are. */
static void paint_hand(struct sasae_overlay *o, const RECT *clip)
{
    const struct sasae_marker_pose *p = &o->drawn;
    unsigned fa = p->alpha;
    int x0 = p->x - o->hand_hx, y0 = p->y - o->hand_hy;
    for (int y = 0; y < o->hand_h; y++) {
        long sy = y0 + y;
        if (sy < clip->top || sy >= clip->bottom)
            continue;
        uint32_t *row = o->px + (size_t)sy * (size_t)o->w;
        for (int x = 0; x < o->hand_w; x++) {
            long sx = x0 + x;
            if (sx < clip->left || sx >= clip->right)
                continue;
            uint32_t h = o->hand[(size_t)y * (size_t)o->hand_w + (size_t)x], d = row[sx], out = 0;
            unsigned a = (h >> 24) * fa / 255;
            if (!a)
                continue;
            for (int c = 0; c < 32; c += 8) {
                unsigned hc = ((h >> c) & 0xff) * fa / 255, dc = (d >> c) & 0xff;
                out |= (uint32_t)(hc + dc * (255 - a) / 255) << c;
            }
            row[sx] = out;
        }
    }
}

/* Brings the window up to date (o->mu held, on the overlay's thread). Only the part of the
 * DIB that held or holds the drawing is cleared, repainted and handed over. */
static void redraw(struct sasae_overlay *o)
{
    o->drawn = sasae_marker_motion_at(&o->motion, now_ms());
    bool any = o->drawn.shown || o->ink.ns > 0;
    o->redraws++;
    o->dirty = false;
    QueryPerformanceCounter(&o->last);
    if (!any || o->suspended) {
        if (o->shown)
            ShowWindow(o->win, SW_HIDE);
        o->shown = false;
        return;
    }
    RECT now = drawing_bounds(o), upd;
    UnionRect(&upd, &now, &o->painted);
    zero_rect(o, &upd);
    if (!paint_aa(o, &now)) {
        paint(o);
        /* GDI leaves alpha at 0: whatever was drawn becomes opaque (no colour used is black,
         * so a drawn pixel is never 0); opaque pixels are their own premultiplied value */
        for (long y = now.top; y < now.bottom; y++) {
            uint32_t *row = o->px + (size_t)y * (size_t)o->w;
            for (long x = now.left; x < now.right; x++)
                if (row[x])
                    row[x] |= 0xff000000u;
        }
    }
    if (o->drawn.shown)
        paint_hand(o, &now);
    /* the session bar and prompts stay visible whatever is drawn over them */
    for (int k = 0; k < o->nkeep; k++)
        zero_rect(o, &o->keep[k]);
    o->painted = now;
    POINT pos = {o->ox, o->oy}, src = {0, 0};
    SIZE size = {o->w, o->h};
    BLENDFUNCTION bf = {AC_SRC_OVER, 0, 255, AC_SRC_ALPHA};
    UPDATELAYEREDWINDOWINFO u = {.cbSize = sizeof u,
                                 .pptDst = &pos,
                                 .psize = &size,
                                 .hdcSrc = o->mem,
                                 .pptSrc = &src,
                                 .pblend = &bf,
                                 .dwFlags = ULW_ALPHA,
                                 .prcDirty = IsRectEmpty(&upd) ? NULL : &upd};
    if (!UpdateLayeredWindowIndirect(o->win, &u))
        UpdateLayeredWindow(o->win, NULL, &pos, &size, o->mem, &src, 0, &bf, ULW_ALPHA);
    if (!o->shown)
        ShowWindow(o->win, SW_SHOWNOACTIVATE);
    /* above windows that became topmost since (a prompt's own keep-out still applies) */
    SetWindowPos(o->win, HWND_TOPMOST, 0, 0, 0, 0,
                 SWP_NOMOVE | SWP_NOSIZE | SWP_NOACTIVATE | SWP_NOOWNERZORDER);
    o->shown = true;
}

static LRESULT CALLBACK overlay_wndproc(HWND h, UINT msg, WPARAM wp, LPARAM lp)
{
    if (msg == WM_NCHITTEST)
        return HTTRANSPARENT;
    if (msg == WM_MOUSEACTIVATE)
        return MA_NOACTIVATE;
    return DefWindowProcW(h, msg, wp, lp);
}

static bool setup(struct sasae_overlay *o)
{
    WNDCLASSW wc = {.lpfnWndProc = overlay_wndproc,
                    .hInstance = GetModuleHandleW(NULL),
                    .lpszClassName = L"sasae-overlay"};
    RegisterClassW(&wc); /* a second overlay reuses the class */
    o->win = CreateWindowExW(WS_EX_LAYERED | WS_EX_TRANSPARENT | WS_EX_TOPMOST | WS_EX_TOOLWINDOW |
                                 WS_EX_NOACTIVATE,
                             wc.lpszClassName, L"sasae overlay", WS_POPUP, o->ox, o->oy, o->w, o->h,
                             NULL, NULL, wc.hInstance, NULL);
    HDC screen = GetDC(NULL);
    o->mem = screen ? CreateCompatibleDC(screen) : NULL;
    if (screen)
        ReleaseDC(NULL, screen);
    BITMAPINFO bi = {.bmiHeader = {.biSize = sizeof(BITMAPINFOHEADER),
                                   .biWidth = o->w,
                                   .biHeight = -o->h,
                                   .biPlanes = 1,
                                   .biBitCount = 32,
                                   .biCompression = BI_RGB}};
    void *bits = NULL;
    o->dib = o->mem ? CreateDIBSection(o->mem, &bi, DIB_RGB_COLORS, &bits, NULL, 0) : NULL;
    if (!o->win || !o->dib || !bits) {
        snprintf(o->err, sizeof o->err, "overlay: cannot create its window (error %lu)",
                 GetLastError());
        return false;
    }
    o->px = bits; /* zero-filled by CreateDIBSection */
    o->old = SelectObject(o->mem, o->dib);
    return true;
}

/* Milliseconds until the rate limit allows the next redraw (0: now). */
static DWORD until_next(const struct sasae_overlay *o)
{
    LARGE_INTEGER now;
    QueryPerformanceCounter(&now);
    long long period = o->freq.QuadPart / SASAE_OVERLAY_FPS;
    long long left = o->last.QuadPart + period - now.QuadPart;
    return left <= 0 ? 0 : (DWORD)((left * 1000 + o->freq.QuadPart - 1) / o->freq.QuadPart);
}

static void *overlay_main(void *arg)
{
    struct sasae_overlay *o = arg;
    bool ok = setup(o);
    pthread_mutex_lock(&o->mu);
    o->started = true;
    o->failed = !ok;
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
    if (!ok)
        goto out;
    for (;;) {
        DWORD wait = INFINITE;
        pthread_mutex_lock(&o->mu);
        o->woken = false;
        bool stop = o->stop, sync = o->sync_done != o->sync_want;
        if (!stop && !o->dirty) {
            /* the hand glides and fades without new messages */
            struct sasae_marker_pose p = sasae_marker_motion_at(&o->motion, now_ms());
            o->dirty = pose_differs(&p, &o->drawn);
            if (!o->dirty && p.next_ms >= 0) {
                int64_t w = p.next_ms - now_ms();
                wait = w < 1 ? 1 : (DWORD)w;
            }
        }
        if (!stop && (sync || o->dirty)) {
            /* suspend and hide are not rate limited: a prompt is about to appear */
            wait = sync ? 0 : until_next(o);
            if (wait == 0) {
                redraw(o);
                /* while the hand glides or fades, look again at the next frame */
                wait = o->drawn.animating ? 1000 / SASAE_OVERLAY_FPS : INFINITE;
                if (!o->drawn.animating && o->drawn.next_ms >= 0) {
                    int64_t w = o->drawn.next_ms - now_ms();
                    wait = w < 1 ? 1 : (DWORD)w;
                }
            }
        }
        if (sync) {
            o->sync_done = o->sync_want;
            pthread_cond_broadcast(&o->cv);
        }
        pthread_mutex_unlock(&o->mu);
        if (stop)
            break;
        MsgWaitForMultipleObjects(0, NULL, FALSE, wait, QS_ALLINPUT);
        MSG m;
        while (PeekMessageW(&m, NULL, 0, 0, PM_REMOVE))
            DispatchMessageW(&m);
    }
out:
    if (o->win)
        DestroyWindow(o->win);
    return NULL;
}

/* Wakes the overlay's thread after the drawing changed (o->mu held). */
static void wake(struct sasae_overlay *o)
{
    o->dirty = true;
    if (!o->woken) {
        o->woken = true;
        PostMessageW(o->win, WM_OVERLAY_WAKE, 0, 0);
    }
}

/* Has the overlay's thread show the current state now, and waits (bounded) until it has:
 * a prompt is about to appear, or the session ended (o->mu held). */
static void sync_now(struct sasae_overlay *o)
{
    unsigned want = ++o->sync_want;
    o->dirty = true;
    o->woken = true;
    PostMessageW(o->win, WM_OVERLAY_WAKE, 0, 0);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += SYNC_WAIT_S;
    while ((int)(o->sync_done - want) < 0 && !o->stop)
        if (pthread_cond_timedwait(&o->cv, &o->mu, &until) != 0)
            break;
}

struct sasae_overlay *sasae_overlay_open(const char *display, int x, int y, int w, int h, char *err,
                                         size_t errlen)
{
    (void)display;
    if (w < 1 || h < 1 || w > 16384 || h > 16384) {
        snprintf(err, errlen, "overlay: bad size %dx%d", w, h);
        return NULL;
    }
    struct sasae_overlay *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->cv, NULL);
    o->w = w;
    o->h = h;
    o->ox = x;
    o->oy = y;
    int hh = sasae_marker_height_for(h);
    sasae_marker_geometry(hh, &o->hand_w, &o->hand_h, &o->hand_hx, &o->hand_hy);
    o->hand = malloc(sizeof *o->hand * (size_t)o->hand_w * (size_t)o->hand_h);
    if (!o->hand || sasae_marker_render(o->hand, o->hand_w, o->hand_h, hh, 255) != 0) {
        snprintf(err, errlen, "out of memory");
        free(o->hand);
        pthread_cond_destroy(&o->cv);
        pthread_mutex_destroy(&o->mu);
        free(o);
        return NULL;
    }
    QueryPerformanceFrequency(&o->freq);
    if (pthread_create(&o->thread, NULL, overlay_main, o) != 0) {
        snprintf(err, errlen, "overlay: cannot start its thread");
        free(o->hand);
        pthread_cond_destroy(&o->cv);
        pthread_mutex_destroy(&o->mu);
        free(o);
        return NULL;
    }
    pthread_mutex_lock(&o->mu);
    while (!o->started)
        pthread_cond_wait(&o->cv, &o->mu);
    bool failed = o->failed;
    pthread_mutex_unlock(&o->mu);
    if (failed) {
        snprintf(err, errlen, "%s", o->err);
        sasae_overlay_free(o);
        return NULL;
    }
    return o;
}

void sasae_overlay_free(struct sasae_overlay *o)
{
    if (!o)
        return;
    pthread_mutex_lock(&o->mu);
    o->stop = true;
    if (o->win)
        PostMessageW(o->win, WM_OVERLAY_WAKE, 0, 0);
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
    pthread_join(o->thread, NULL);
    host_ink_clear(&o->ink);
    if (o->mem) {
        if (o->old)
            SelectObject(o->mem, o->old);
        DeleteDC(o->mem);
    }
    if (o->dib)
        DeleteObject(o->dib);
    free(o->hand);
    pthread_cond_destroy(&o->cv);
    pthread_mutex_destroy(&o->mu);
    free(o);
}

void sasae_overlay_pointer(struct sasae_overlay *o, int x, int y, bool visible)
{
    pthread_mutex_lock(&o->mu);
    sasae_marker_motion_update(&o->motion, x, y,
                               visible && x >= 0 && y >= 0 && x < o->w && y < o->h, now_ms());
    wake(o);
    pthread_mutex_unlock(&o->mu);
}

int sasae_overlay_stroke(struct sasae_overlay *o, uint32_t id, const int32_t *xy, int n,
                         uint32_t rgba, int width)
{
    (void)rgba; /* always red on the host: see SASAE_OVERLAY_RED */
    pthread_mutex_lock(&o->mu);
    int lim = o->w > o->h ? o->w : o->h;
    int rc = host_ink_add(&o->ink, id, xy, n, width, lim > 10000 ? 10000 : lim);
    if (rc >= 0)
        wake(o);
    pthread_mutex_unlock(&o->mu);
    return rc < 0 ? rc : 0;
}

void sasae_overlay_clear(struct sasae_overlay *o)
{
    pthread_mutex_lock(&o->mu);
    host_ink_clear(&o->ink);
    wake(o);
    pthread_mutex_unlock(&o->mu);
}

int sasae_overlay_undo(struct sasae_overlay *o, uint32_t id)
{
    pthread_mutex_lock(&o->mu);
    int rc = host_ink_undo(&o->ink, id);
    if (rc == 0)
        wake(o);
    pthread_mutex_unlock(&o->mu);
    return rc;
}

void sasae_overlay_hide(struct sasae_overlay *o)
{
    pthread_mutex_lock(&o->mu);
    host_ink_clear(&o->ink);
    o->motion.visible = false;
    sync_now(o);
    pthread_mutex_unlock(&o->mu);
}

void sasae_overlay_suspend(struct sasae_overlay *o, bool on)
{
    pthread_mutex_lock(&o->mu);
    o->suspended = on;
    if (on)
        sync_now(o); /* at once, not at the next redraw: the prompt is about to be shown */
    else
        wake(o);
    pthread_mutex_unlock(&o->mu);
}

void sasae_overlay_keepout(struct sasae_overlay *o, const int *xywh, int n)
{
    RECT k[SASAE_OVERLAY_MAX_KEEPOUT];
    int m = 0;
    n = n < 0 ? 0 : n > SASAE_OVERLAY_MAX_KEEPOUT ? SASAE_OVERLAY_MAX_KEEPOUT : n;
    pthread_mutex_lock(&o->mu);
    for (int i = 0; i < n; i++) {
        /* to window coordinates, clipped to the window */
        long x0 = (long)xywh[4 * i] - o->ox, y0 = (long)xywh[4 * i + 1] - o->oy;
        long x1 = x0 + xywh[4 * i + 2], y1 = y0 + xywh[4 * i + 3];
        x0 = x0 < 0 ? 0 : x0;
        y0 = y0 < 0 ? 0 : y0;
        x1 = x1 > o->w ? o->w : x1;
        y1 = y1 > o->h ? o->h : y1;
        if (x1 <= x0 || y1 <= y0)
            continue;
        k[m++] = (RECT){x0, y0, x1, y1};
    }
    if (m != o->nkeep || memcmp(k, o->keep, sizeof k[0] * (size_t)m) != 0) {
        memcpy(o->keep, k, sizeof k[0] * (size_t)m);
        o->nkeep = m;
        wake(o);
    }
    pthread_mutex_unlock(&o->mu);
}

unsigned long sasae_overlay_redraws(struct sasae_overlay *o)
{
    pthread_mutex_lock(&o->mu);
    unsigned long n = o->redraws;
    pthread_mutex_unlock(&o->mu);
    return n;
}
