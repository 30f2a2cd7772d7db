/* Windows capture: the bootstrap list (DXGI Desktop Duplication, then GDI), the capture area
 * and the cursor shared by both backends. */
#include "cap_win.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct cap_backend cap_platform_backends[] = {
    {"dxgi", cap_dxgi_open},
    {"gdi", cap_gdi_open},
    {NULL, NULL},
};

struct mon_find {
    int want, seen;
    HMONITOR found;
    RECT rect;
};

static BOOL CALLBACK mon_enum(HMONITOR m, HDC dc, LPRECT r, LPARAM lp)
{
    struct mon_find *f = (struct mon_find *)lp;
    if (f->seen++ == f->want) {
        f->found = m;
        f->rect = *r;
        return FALSE;
    }
    return TRUE;
}

HMONITOR win_monitor_handle(int index)
{
    struct mon_find f = {.want = index};
    EnumDisplayMonitors(NULL, NULL, mon_enum, (LPARAM)&f);
    return f.found;
}

struct mon_list {
    struct sasae_monitor *out;
    int max, n;
};

static BOOL CALLBACK mon_list_enum(HMONITOR m, HDC dc, LPRECT r, LPARAM lp)
{
    struct mon_list *l = (struct mon_list *)lp;
    if (l->n >= l->max)
        return FALSE;
    struct sasae_monitor *d = &l->out[l->n++];
    memset(d, 0, sizeof *d);
    d->x = r->left;
    d->y = r->top;
    d->w = r->right - r->left;
    d->h = r->bottom - r->top;
    MONITORINFOEXA mi = {.cbSize = sizeof mi};
    if (GetMonitorInfoA(m, (MONITORINFO *)&mi)) {
        d->primary = (mi.dwFlags & MONITORINFOF_PRIMARY) != 0;
        snprintf(d->name, sizeof d->name, "%s", mi.szDevice);
    }
    return TRUE;
}

int cap_platform_monitors(const struct sasae_cap_opts *o, struct sasae_monitor *out, int max)
{
    (void)o;
    struct mon_list l = {out, max, 0};
    if (!EnumDisplayMonitors(NULL, NULL, mon_list_enum, (LPARAM)&l) && l.n == 0)
        return -ENODEV;
    return l.n;
}

int win_capture_area(int monitor, RECT *area, char *err, size_t errlen)
{
    if (monitor < 0) {
        area->left = GetSystemMetrics(SM_XVIRTUALSCREEN);
        area->top = GetSystemMetrics(SM_YVIRTUALSCREEN);
        area->right = area->left + GetSystemMetrics(SM_CXVIRTUALSCREEN);
        area->bottom = area->top + GetSystemMetrics(SM_CYVIRTUALSCREEN);
    } else {
        struct mon_find f = {.want = monitor};
        EnumDisplayMonitors(NULL, NULL, mon_enum, (LPARAM)&f);
        if (!f.found) {
            snprintf(err, errlen, "no monitor %d (this computer has %d)", monitor, f.seen);
            return -1;
        }
        *area = f.rect;
    }
    int w = area->right - area->left, h = area->bottom - area->top;
    if (w < 16 || h < 16 || w > 16384 || h > 16384) {
        snprintf(err, errlen, "unusable screen size %dx%d", w, h);
        return -1;
    }
    return 0;
}

/* Converts a cursor to BGRA with alpha. Colour cursors: their colour bitmap (alpha from
 * the bitmap, or from the AND mask when the bitmap has none); monochrome cursors: the AND
 * and XOR masks (screen-inverting pixels are drawn black, as most remote tools do). */
static bool cursor_bgra(HCURSOR hc, struct sasae_cursor *cur)
{
    ICONINFO ii;
    if (!GetIconInfo(hc, &ii))
        return false;
    bool ok = false;
    BITMAP bm;
    HDC dc = GetDC(NULL);
    uint8_t *mask = NULL, *color = NULL, *px = NULL;
    if (!GetObject(ii.hbmMask, sizeof bm, &bm))
        goto out;
    int w = bm.bmWidth, h = ii.hbmColor ? bm.bmHeight : bm.bmHeight / 2;
    if (w <= 0 || h <= 0 || w > 256 || h > 256)
        goto out;
    BITMAPINFO bi = {.bmiHeader = {.biSize = sizeof(BITMAPINFOHEADER),
                                   .biWidth = w,
                                   .biHeight = -(ii.hbmColor ? h : 2 * h),
                                   .biPlanes = 1,
                                   .biBitCount = 32,
                                   .biCompression = BI_RGB}};
    size_t n = (size_t)w * (size_t)h;
    mask = malloc(n * 4 * 2);
    px = malloc(n * 4);
    if (!mask || !px)
        goto out;
    if (!GetDIBits(dc, ii.hbmMask, 0, (UINT)(ii.hbmColor ? h : 2 * h), mask, &bi, DIB_RGB_COLORS))
        goto out;
    if (ii.hbmColor) {
        color = malloc(n * 4);
        bi.bmiHeader.biHeight = -h;
        if (!color || !GetDIBits(dc, ii.hbmColor, 0, (UINT)h, color, &bi, DIB_RGB_COLORS))
            goto out;
        bool has_alpha = false;
        for (size_t i = 0; i < n && !has_alpha; i++)
            has_alpha = color[i * 4 + 3] != 0;
        for (size_t i = 0; i < n; i++) {
            memcpy(px + i * 4, color + i * 4, 3);
            px[i * 4 + 3] = has_alpha ? color[i * 4 + 3] : (mask[i * 4] ? 0 : 0xff);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            bool and_bit = mask[i * 4] != 0, xor_bit = mask[(n + i) * 4] != 0;
            uint8_t v = (!and_bit && xor_bit) ? 0xff : 0;
            px[i * 4 + 0] = px[i * 4 + 1] = px[i * 4 + 2] = v;
            px[i * 4 + 3] = (and_bit && !xor_bit) ? 0 : 0xff;
        }
    }
    free(cur->bgra);
    cur->bgra = px;
    px = NULL;
    cur->w = w;
    cur->h = h;
    cur->hot_x = (int)ii.xHotspot < w ? (int)ii.xHotspot : 0;
    cur->hot_y = (int)ii.yHotspot < h ? (int)ii.yHotspot : 0;
    ok = true;
out:
    if (dc)
        ReleaseDC(NULL, dc);
    free(mask);
    free(color);
    free(px);
    DeleteObject(ii.hbmMask);
    if (ii.hbmColor)
        DeleteObject(ii.hbmColor);
    return ok;
}

int win_cursor_read(struct win_cursor *wc, const struct sasae_cap *c, struct sasae_cursor *out)
{
    CURSORINFO ci = {.cbSize = sizeof ci};
    bool changed = false;
    if (!GetCursorInfo(&ci)) {
        ci.flags = 0;
        ci.hCursor = NULL;
    }
    if (ci.hCursor && ci.hCursor != wc->shown && cursor_bgra(ci.hCursor, &wc->cur)) {
        wc->shown = ci.hCursor;
        wc->cur.serial = ++wc->serial;
        changed = true;
    }
    int x = ci.ptScreenPos.x - c->origin_x, y = ci.ptScreenPos.y - c->origin_y;
    bool vis = (ci.flags & CURSOR_SHOWING) && wc->cur.bgra && x >= 0 && y >= 0 && x < c->width &&
               y < c->height;
    if (!vis)
        x = y = 0; /* off the shared area: where exactly is not shared either */
    if (!wc->valid || x != wc->cur.x || y != wc->cur.y || vis != wc->cur.visible)
        changed = true;
    wc->cur.x = x;
    wc->cur.y = y;
    wc->cur.visible = vis;
    wc->valid = true;
    *out = wc->cur;
    return changed ? 1 : 0;
}

void win_cursor_free(struct win_cursor *wc)
{
    free(wc->cur.bgra);
    wc->cur.bgra = NULL;
}
