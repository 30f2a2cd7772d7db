/* Synthetic capture source: a deterministic animated "desktop" (static text-like content,
 * a bouncing box, a ticking counter and a line being typed) for tests and benchmarks
 * without a display. Frame n depends only on n. */
#include "cap_backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/common.h"

#define BOX 64

struct synth {
    uint8_t *bg;  /* desktop without the box */
    uint8_t *img; /* what is shown */
    int stride;
    uint64_t n; /* frames produced */
    uint64_t period_ns, next_ns;
    int box_x, box_y; /* where the box was drawn last */
};

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static void fill(uint8_t *buf, int stride, int x, int y, int w, int h, uint32_t bgra)
{
    for (int j = y; j < y + h; j++) {
        uint32_t *row = (uint32_t *)(buf + (size_t)j * (size_t)stride);
        for (int i = x; i < x + w; i++)
            row[i] = bgra;
    }
}

static void copy_rect(uint8_t *dst, const uint8_t *src, int stride, int x, int y, int w, int h)
{
    for (int j = y; j < y + h; j++)
        memcpy(dst + (size_t)j * (size_t)stride + (size_t)x * 4,
               src + (size_t)j * (size_t)stride + (size_t)x * 4, (size_t)w * 4);
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void draw_desktop(struct sasae_cap *c, struct synth *s)
{
    int w = c->width, h = c->height;
    for (int y = 0; y < h; y++) {
        uint32_t *row = (uint32_t *)(s->bg + (size_t)y * (size_t)s->stride);
        uint32_t shade = (uint32_t)(0x30 + (y * 0x40) / (h > 1 ? h : 1));
        for (int x = 0; x < w; x++)
            row[x] = 0xff000000u | (shade << 16) | (0x50u << 8) | 0x70u; /* B,G,R in memory */
    }
    /* a "window" with lines of glyph-like blocks */
    int wx = w / 10, wy = h / 8, ww = w * 6 / 10, wh = h * 6 / 10;
    fill(s->bg, s->stride, wx, wy, ww, wh, 0xfff4f4f4u);
    fill(s->bg, s->stride, wx, wy, ww, clampi(24, 1, wh), 0xff805020u);
    uint32_t seed = 12345;
    for (int ly = wy + 40; ly + 12 < wy + wh - 40; ly += 18)
        for (int lx = wx + 10; lx + 8 < wx + ww - 10; lx += 9)
            if (lcg(&seed) % 5)
                fill(s->bg, s->stride, lx, ly, 7, 11, 0xff202020u);
}

/* The typing line: one more glyph per frame at the bottom of the window, wrapping. */
static struct sasae_rect type_glyph(struct sasae_cap *c, struct synth *s)
{
    int wx = c->width / 10, wy = c->height / 8, ww = c->width * 6 / 10, wh = c->height * 6 / 10;
    int per_line = (ww - 20) / 9;
    if (per_line < 1 || wh < 40)
        return (struct sasae_rect){0, 0, 0, 0};
    int col = (int)(s->n % (uint64_t)per_line);
    int x = wx + 10 + col * 9, y = wy + wh - 30;
    if (col == 0) {
        fill(s->bg, s->stride, wx + 10, y, per_line * 9, 11, 0xfff4f4f4u);
        return (struct sasae_rect){wx + 10, y, per_line * 9, 11};
    }
    fill(s->bg, s->stride, x, y, 7, 11, 0xff0000c0u);
    return (struct sasae_rect){x, y, 7, 11};
}

static void box_pos(struct sasae_cap *c, uint64_t n, int *x, int *y)
{
    int rx = c->width > BOX ? c->width - BOX : 1, ry = c->height > BOX ? c->height - BOX : 1;
    uint64_t px = (n * 7) % (uint64_t)(2 * rx), py = (n * 5) % (uint64_t)(2 * ry);
    *x = (int)(px < (uint64_t)rx ? px : (uint64_t)(2 * rx) - px);
    *y = (int)(py < (uint64_t)ry ? py : (uint64_t)(2 * ry) - py);
    *x = clampi(*x, 0, c->width - 1);
    *y = clampi(*y, 0, c->height - 1);
}

static int synth_grab(struct sasae_cap *c, struct sasae_dirty *dirty, struct sasae_frame *f)
{
    struct synth *s = c->impl;
    int w = c->width, h = c->height;
    if (s->n == 0) {
        draw_desktop(c, s);
        memcpy(s->img, s->bg, (size_t)s->stride * (size_t)h);
        sasae_dirty_add(dirty, (struct sasae_rect){0, 0, w, h}, w, h);
        s->box_x = -1;
    } else {
        struct sasae_rect g = type_glyph(c, s);
        copy_rect(s->img, s->bg, s->stride, g.x, g.y, g.w, g.h);
        sasae_dirty_add(dirty, g, w, h);
        if (s->box_x >= 0) {
            int bw = w - s->box_x < BOX ? w - s->box_x : BOX;
            int bh = h - s->box_y < BOX ? h - s->box_y : BOX;
            copy_rect(s->img, s->bg, s->stride, s->box_x, s->box_y, bw, bh);
            sasae_dirty_add(dirty, (struct sasae_rect){s->box_x, s->box_y, bw, bh}, w, h);
        }
    }
    int bx, by;
    box_pos(c, s->n, &bx, &by);
    int bw = w - bx < BOX ? w - bx : BOX, bh = h - by < BOX ? h - by : BOX;
    uint32_t col = 0xff000000u | (uint32_t)((s->n * 40) & 0xff) << 8 | 0xe0u << 16 | 0x20u;
    fill(s->img, s->stride, bx, by, bw, bh, col);
    sasae_dirty_add(dirty, (struct sasae_rect){bx, by, bw, bh}, w, h);
    s->box_x = bx;
    s->box_y = by;
    /* counter: 16 cells in the top-right corner showing n in binary */
    int cw = w >= 16 * 8 ? 8 : 1;
    for (int b = 0; b < 16 && (b + 1) * cw <= w; b++) {
        uint32_t on = (s->n >> b) & 1 ? 0xff00ff00u : 0xff003000u;
        fill(s->img, s->stride, w - (b + 1) * cw, 0, cw, h < 8 ? h : 8, on);
    }
    sasae_dirty_add(dirty, (struct sasae_rect){w - 16 * cw, 0, 16 * cw, 8}, w, h);
    s->n++;
    f->width = w;
    f->height = h;
    f->stride = s->stride;
    f->bgra = s->img;
    f->capture_us = sasae_wall_us();
    return 1;
}

static int synth_wait(struct sasae_cap *c, int timeout_ms)
{
    struct synth *s = c->impl;
    uint64_t now = sasae_mono_ns();
    if (s->next_ns == 0 || s->next_ns + 10 * s->period_ns < now)
        s->next_ns = now; /* first call, or we fell far behind: do not burst */
    int r = cap_sleep_until(s->next_ns, timeout_ms);
    if (r)
        s->next_ns += s->period_ns;
    return r;
}

static void synth_free(struct sasae_cap *c)
{
    struct synth *s = c->impl;
    if (!s)
        return;
    free(s->bg);
    free(s->img);
    free(s);
}

static const struct cap_ops synth_ops = {synth_grab, synth_wait, NULL, synth_free};

int cap_synth_open(struct sasae_cap *c, const struct sasae_cap_opts *o, char *err, size_t errlen)
{
    int w = o->width ? o->width : 1280, h = o->height ? o->height : 720;
    if (w < 1 || h < 1 || w > 8192 || h > 8192) {
        snprintf(err, errlen, "synthetic source: size %dx%d out of range 1..8192", w, h);
        return -EINVAL;
    }
    struct synth *s = calloc(1, sizeof *s);
    if (!s)
        goto oom;
    s->stride = w * 4;
    s->bg = malloc((size_t)s->stride * (size_t)h);
    s->img = malloc((size_t)s->stride * (size_t)h);
    if (!s->bg || !s->img)
        goto oom;
    s->period_ns = 1000000000ull / (uint64_t)(o->fps > 0 ? o->fps : 30);
    c->ops = &synth_ops;
    c->width = w;
    c->height = h;
    c->impl = s;
    return 0;
oom:
    if (s) {
        free(s->bg);
        free(s->img);
        free(s);
    }
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
}
