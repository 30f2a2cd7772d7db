/* Window <-> remote-screen coordinate mapping for fit (letterbox) and 1:1 with scrolling. */
#include "sasae/viewer.h"

#include <math.h>

static bool has_screen(const struct sasae_view *v)
{
    return v->screen_w > 0 && v->screen_h > 0 && v->area_w > 0 && v->area_h > 0;
}

static int clampi(int x, int lo, int hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

void sasae_view_clamp(struct sasae_view *v)
{
    int mx = v->screen_w - v->area_w, my = v->screen_h - v->area_h;
    v->scroll_x = clampi(v->scroll_x, 0, mx > 0 ? mx : 0);
    v->scroll_y = clampi(v->scroll_y, 0, my > 0 ? my : 0);
}

void sasae_view_scroll(struct sasae_view *v, int dx, int dy)
{
    if (v->mode != SASAE_VIEW_1TO1)
        return;
    v->scroll_x += dx;
    v->scroll_y += dy;
    sasae_view_clamp(v);
}

/* One axis of the 1:1 layout: centred when the screen fits, else a scrolled window. */
static void axis_1to1(int screen, int area_pos, int area, int scroll, int *src, int *srclen,
                      int *dst, int *dstlen)
{
    if (screen <= area) {
        *src = 0;
        *srclen = screen;
        *dst = area_pos + (area - screen) / 2;
        *dstlen = screen;
    } else {
        *src = clampi(scroll, 0, screen - area);
        *srclen = area;
        *dst = area_pos;
        *dstlen = area;
    }
}

bool sasae_view_layout(const struct sasae_view *v, int src[4], int dst[4])
{
    if (!has_screen(v))
        return false;
    if (v->mode == SASAE_VIEW_1TO1) {
        axis_1to1(v->screen_w, v->area_x, v->area_w, v->scroll_x, &src[0], &src[2], &dst[0],
                  &dst[2]);
        axis_1to1(v->screen_h, v->area_y, v->area_h, v->scroll_y, &src[1], &src[3], &dst[1],
                  &dst[3]);
        return true;
    }
    double s = fmin((double)v->area_w / v->screen_w, (double)v->area_h / v->screen_h);
    int dw = (int)lround(v->screen_w * s), dh = (int)lround(v->screen_h * s);
    if (dw < 1)
        dw = 1;
    if (dh < 1)
        dh = 1;
    src[0] = src[1] = 0;
    src[2] = v->screen_w;
    src[3] = v->screen_h;
    dst[0] = v->area_x + (v->area_w - dw) / 2;
    dst[1] = v->area_y + (v->area_h - dh) / 2;
    dst[2] = dw;
    dst[3] = dh;
    return true;
}

double sasae_view_scale(const struct sasae_view *v)
{
    int src[4], dst[4];
    if (!sasae_view_layout(v, src, dst))
        return 1.0;
    return (double)dst[2] / src[2];
}

/* Maps window coordinate w on one axis through the window pixel's centre, so a pointer
 * lands on the screen pixel it is drawn over (and, when scaling down, maps back to the
 * same window pixel). */
static int axis_to_screen(int w, int src, int srclen, int dst, int dstlen, bool *inside)
{
    if (w < dst || w >= dst + dstlen)
        *inside = false;
    double s = src + ((double)w - dst + 0.5) * srclen / dstlen;
    return clampi((int)floor(s), src, src + srclen - 1);
}

bool sasae_view_to_screen(const struct sasae_view *v, int wx, int wy, int *sx, int *sy)
{
    int src[4], dst[4];
    if (!sasae_view_layout(v, src, dst)) {
        *sx = *sy = 0;
        return false;
    }
    bool inside = true;
    *sx = axis_to_screen(wx, src[0], src[2], dst[0], dst[2], &inside);
    *sy = axis_to_screen(wy, src[1], src[3], dst[1], dst[3], &inside);
    return inside;
}

void sasae_view_to_window(const struct sasae_view *v, int sx, int sy, int *wx, int *wy)
{
    int src[4], dst[4];
    if (!sasae_view_layout(v, src, dst)) {
        *wx = *wy = 0;
        return;
    }
    *wx = dst[0] + (int)floor((double)(sx - src[0]) * dst[2] / src[2]);
    *wy = dst[1] + (int)floor((double)(sy - src[1]) * dst[3] / src[3]);
}

int sasae_view_next_monitor(int count, int selected, bool all_ok)
{
    if (count < 1)
        return 0xff;
    if (selected == 0xff || selected < 0 || selected >= count)
        return 0; /* from all (or an unknown index) to the first monitor */
    if (selected + 1 < count)
        return selected + 1;
    return all_ok ? 0xff : 0;
}
