/* GDI screen capture (the fallback when DXGI Desktop Duplication cannot start): BitBlt from
 * the desktop DC with CAPTUREBLT into a top-down 32-bpp DIB section, over the whole virtual
 * screen or one monitor, then a 16x16 block diff so only changed blocks are reported. The
 * diff keeps a hash per block, not a copy of the last picture, and the screen is read in
 * bands: under Wine each BitBlt from the screen goes through an X image of its size, and
 * glibc keeps the largest such buffers (two whole screens, 17 MB at 1080p, before bands). The
 * cursor travels as shape + position (GetCursorInfo, GetIconInfo), never painted into the picture.
 * A desktop switch (UAC secure desktop, lock screen) makes BitBlt fail: capture pauses (no change
 * reported) and resumes by itself. */
#include "cap_win.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/common.h"

#define TAG "cap"
/* rows per BitBlt: 0.5 MB at 1920 wide */
#define GDI_BAND 64

struct gdicap {
    HDC screen, mem;
    HBITMAP dib, old;
    uint8_t *bits;  /* the DIB's pixels, BGRA top-down: the reported picture */
    uint64_t *hash; /* per 16x16 block, of the last reported picture */
    uint64_t seed;  /* keys the block hashes */
    bool first, paused;
    uint64_t next_ns, period_ns;
    struct win_cursor cursor;
};

static int gdi_grab(struct sasae_cap *c, struct sasae_dirty *dirty, struct sasae_frame *f)
{
    struct gdicap *g = c->impl;
    uint64_t now = sasae_mono_ns();
    if (g->next_ns <= now)
        g->next_ns = now + g->period_ns;
    int stride = c->width * 4;
    f->width = c->width;
    f->height = c->height;
    f->stride = stride;
    f->bgra = g->bits;
    f->capture_us = sasae_wall_us();
    bool ok = true;
    for (int y = 0; ok && y < c->height; y += GDI_BAND) {
        int bh = c->height - y < GDI_BAND ? c->height - y : GDI_BAND;
        ok = BitBlt(g->mem, 0, y, c->width, bh, g->screen, c->origin_x, c->origin_y + y,
                    SRCCOPY | CAPTUREBLT);
    }
    if (!ok) {
        /* what a failed read left in the DIB is reported in full once reading works again */
        g->first = true;
        if (!g->paused)
            SASAE_WARN(TAG,
                       "the desktop cannot be read (secure desktop or lock screen?): "
                       "capture paused (error %lu)",
                       GetLastError());
        g->paused = true;
        return 0;
    }
    GdiFlush(); /* the DIB's memory holds the pixels only after GDI's batch is flushed */
    if (g->paused) {
        SASAE_INFO(TAG, "the desktop is readable again: capture resumed");
        g->paused = false;
    }
    struct sasae_dirty d = {0};
    if (cap_hash_blocks(g->hash, g->seed, g->bits, c->width, c->height, stride, g->first, &d) == 0)
        return 0;
    g->first = false;
    sasae_dirty_merge(dirty, &d, c->width, c->height);
    return 1;
}

static int gdi_wait(struct sasae_cap *c, int timeout_ms)
{
    struct gdicap *g = c->impl;
    if (g->first)
        return 1;
    return cap_sleep_until(g->next_ns, timeout_ms);
}

static int gdi_cursor(struct sasae_cap *c, struct sasae_cursor *out)
{
    struct gdicap *g = c->impl;
    return win_cursor_read(&g->cursor, c, out);
}

static void gdi_free(struct sasae_cap *c)
{
    struct gdicap *g = c->impl;
    if (!g)
        return;
    if (g->mem) {
        if (g->old)
            SelectObject(g->mem, g->old);
        DeleteDC(g->mem);
    }
    if (g->dib)
        DeleteObject(g->dib);
    if (g->screen)
        ReleaseDC(NULL, g->screen);
    win_cursor_free(&g->cursor);
    free(g->hash);
    free(g);
    c->impl = NULL;
}

static const struct cap_ops gdi_ops = {gdi_grab, gdi_wait, gdi_cursor, gdi_free};

int cap_gdi_open(struct sasae_cap *c, const struct sasae_cap_opts *o, char *err, size_t errlen)
{
    RECT area;
    if (win_capture_area(o->monitor, &area, err, errlen) != 0)
        return -ENODEV;
    struct gdicap *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    c->impl = g;
    c->ops = &gdi_ops;
    c->origin_x = area.left;
    c->origin_y = area.top;
    c->width = area.right - area.left;
    c->height = area.bottom - area.top;
    g->first = true;
    g->period_ns = 1000000000ull / (uint64_t)(o->fps > 0 ? o->fps : 30);
    g->screen = GetDC(NULL);
    g->mem = g->screen ? CreateCompatibleDC(g->screen) : NULL;
    BITMAPINFO bi = {.bmiHeader = {.biSize = sizeof(BITMAPINFOHEADER),
                                   .biWidth = c->width,
                                   .biHeight = -c->height, /* top-down */
                                   .biPlanes = 1,
                                   .biBitCount = 32,
                                   .biCompression = BI_RGB}};
    void *bits = NULL;
    g->dib = g->mem ? CreateDIBSection(g->mem, &bi, DIB_RGB_COLORS, &bits, NULL, 0) : NULL;
    g->hash = calloc(cap_hash_count(c->width, c->height), sizeof *g->hash);
    g->seed = (uint64_t)sasae_mono_ns() ^ ((uint64_t)GetCurrentProcessId() << 32) ^
              (uint64_t)(uintptr_t)g;
    if (!g->dib || !bits || !g->hash) {
        snprintf(err, errlen, "GDI: cannot set up a %dx%d capture bitmap (error %lu)", c->width,
                 c->height, GetLastError());
        gdi_free(c);
        return -ENOMEM;
    }
    g->bits = bits;
    g->old = SelectObject(g->mem, g->dib);
    SASAE_INFO(TAG, "GDI capture of %dx%d at %d,%d", c->width, c->height, c->origin_x, c->origin_y);
    return 0;
}
