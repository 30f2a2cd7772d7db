/* The --test-pattern debug source: a moving I420 pattern with a cursor and the operator's
 * pen drawn in, so the window's display path can be tested without a host. Never a
 * substitute for a session: the status bar labels it "TEST PATTERN (no host)". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sasae/common.h"
#include "vsource.h"

#define TP_SQUARE 64
#define TP_MAX_PEN 8192

struct tp {
    struct vsource base;
    int w, h, fps;
    uint8_t *planes[3];
    int strides[3];
    uint32_t n;
    uint64_t start_ns, next_ns;
    bool started;
    enum sasae_vsm_end end_reason;
    int end_after_ms;
    int32_t pen[TP_MAX_PEN][2];
    uint32_t pen_id[TP_MAX_PEN];
    int npen;
};

/* Quadrant colours (BT.601 limited range): red, green, blue, yellow. */
static const uint8_t quad[4][3] = {{81, 90, 240}, {145, 54, 34}, {41, 240, 110}, {210, 16, 146}};
static const uint8_t white[3] = {235, 128, 128};
static const uint8_t pen_red[3] = {81, 90, 240};

static void square_pos(int w, int h, uint32_t n, int *sx, int *sy)
{
    int rx = w - TP_SQUARE, ry = h - TP_SQUARE;
    *sx = rx > 0 ? (int)((n * 8u) % (unsigned)rx) & ~1 : 0;
    *sy = ry > 0 ? (int)((n * 4u) % (unsigned)ry) & ~1 : 0;
}

void vsource_test_pattern_pixel(int w, int h, uint32_t n, int x, int y, uint8_t yuv[3])
{
    int sx, sy;
    square_pos(w, h, n, &sx, &sy);
    if (x >= sx && x < sx + TP_SQUARE && y >= sy && y < sy + TP_SQUARE) {
        memcpy(yuv, white, 3);
        return;
    }
    int q = (x >= w / 2 ? 1 : 0) + (y >= h / 2 ? 2 : 0);
    memcpy(yuv, quad[q], 3);
}

static void fill_rect(struct tp *t, int x0, int y0, int x1, int y1, const uint8_t c[3])
{
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > t->w ? t->w : x1;
    y1 = y1 > t->h ? t->h : y1;
    if (x0 >= x1 || y0 >= y1)
        return;
    for (int y = y0; y < y1; y++)
        memset(t->planes[0] + (size_t)y * t->strides[0] + x0, c[0], (size_t)(x1 - x0));
    /* Chroma covers 2x2 luma pixels; rounding outwards keeps edges inside colour. */
    for (int y = y0 / 2; y < (y1 + 1) / 2; y++) {
        memset(t->planes[1] + (size_t)y * t->strides[1] + x0 / 2, c[1],
               (size_t)((x1 + 1) / 2 - x0 / 2));
        memset(t->planes[2] + (size_t)y * t->strides[2] + x0 / 2, c[2],
               (size_t)((x1 + 1) / 2 - x0 / 2));
    }
}

static void render(struct tp *t)
{
    int hw = t->w / 2, hh = t->h / 2;
    /* Quadrant boundaries are even in tests; odd sizes just get a blended chroma column. */
    fill_rect(t, 0, 0, hw, hh, quad[0]);
    fill_rect(t, hw, 0, t->w, hh, quad[1]);
    fill_rect(t, 0, hh, hw, t->h, quad[2]);
    fill_rect(t, hw, hh, t->w, t->h, quad[3]);
    int sx, sy;
    square_pos(t->w, t->h, t->n, &sx, &sy);
    fill_rect(t, sx, sy, sx + TP_SQUARE, sy + TP_SQUARE, white);
    for (int i = 0; i < t->npen; i++)
        fill_rect(t, t->pen[i][0] - 2, t->pen[i][1] - 2, t->pen[i][0] + 2, t->pen[i][1] + 2,
                  pen_red);
}

static void set_state(struct tp *t, enum sasae_vsm_event ev, int arg)
{
    sasae_vsm_event(&t->base.sm, ev, arg);
    if (t->base.sink.state)
        t->base.sink.state(t->base.sink.user, &t->base.sm);
}

static int tp_pump(struct vsource *s, int timeout_ms)
{
    struct tp *t = (struct tp *)s;
    const struct vsink *k = &s->sink;
    if (s->sm.state == SASAE_VSM_ENDED)
        return -1;
    uint64_t now = sasae_mono_ns();
    if (!t->started) {
        t->started = true;
        t->start_ns = t->next_ns = now;
        set_state(t, SASAE_VSM_EV_CONNECTED, 0);
        set_state(t, SASAE_VSM_EV_PAIRED, 0);
        if (k->host_key)
            k->host_key(k->user, "TEST PATTERN — no host, no key");
        set_state(t, SASAE_VSM_EV_ESTABLISHED, 0);
        set_state(t, SASAE_VSM_EV_CONSENT, SASAE_WIRE_CONSENT_ALLOWED);
        if (k->sysinfo) {
            static const char info[] = "Source: sasae-viewer --test-pattern (debug)\n"
                                       "No host is connected.";
            k->sysinfo(k->user, info, sizeof info - 1);
        }
    }
    if (t->end_reason != SASAE_VSM_END_NONE &&
        now - t->start_ns >= (uint64_t)t->end_after_ms * 1000000ull) {
        s->sm.state = SASAE_VSM_ENDED;
        s->sm.end = t->end_reason;
        if (k->state)
            k->state(k->user, &s->sm);
        return -1;
    }
    if (now < t->next_ns) {
        uint64_t wait = t->next_ns - now;
        if (wait > (uint64_t)timeout_ms * 1000000ull)
            wait = (uint64_t)timeout_ms * 1000000ull;
        struct timespec ts = {(time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull)};
        nanosleep(&ts, NULL);
        now = sasae_mono_ns();
        if (now < t->next_ns)
            return 0;
    }
    t->next_ns += 1000000000ull / (uint64_t)t->fps;
    if (t->next_ns < now) /* fell behind: skip, never burst */
        t->next_ns = now;
    uint64_t cap = sasae_wall_us();
    render(t);
    struct vimage img = {.w = t->w, .h = t->h};
    for (int i = 0; i < 3; i++) {
        img.planes[i] = t->planes[i];
        img.strides[i] = t->strides[i];
    }
    struct vframe_info fi = {.frame_id = t->n,
                             .capture_us = cap,
                             .recv_us = sasae_wall_us(),
                             .keyframe = t->n == 0,
                             .bytes = (uint32_t)((size_t)t->w * t->h * 3 / 2)};
    fi.decoded_us = fi.recv_us;
    if (t->n == 0 && k->cursor_shape) {
        /* A 16x24 arrow: black outline, white inside, hotspot at the tip. */
        static uint8_t arrow[24][16][4];
        for (int y = 0; y < 24; y++)
            for (int x = 0; x < 16; x++) {
                bool in = x <= y * 2 / 3 && y < 22;
                bool edge = in && (x == 0 || x == y * 2 / 3 || y == 21);
                uint8_t v = edge ? 0 : 255;
                arrow[y][x][0] = arrow[y][x][1] = arrow[y][x][2] = v;
                arrow[y][x][3] = in ? 255 : 0;
            }
        k->cursor_shape(k->user, 16, 24, 0, 0, &arrow[0][0][0]);
    }
    if (k->cursor_pos) {
        int sx, sy;
        square_pos(t->w, t->h, t->n, &sx, &sy);
        k->cursor_pos(k->user, sx + TP_SQUARE / 2, sy + TP_SQUARE / 2, true);
    }
    if (k->frame)
        k->frame(k->user, &img, &fi);
    t->n++;
    return 0;
}

static void tp_pointer(struct vsource *s, int x, int y, bool visible)
{
    printf("pointer x=%d y=%d visible=%d\n", x, y, visible);
    fflush(stdout);
}

static void tp_pen(struct vsource *s, uint32_t stroke_id, const int32_t *xy, int npoints,
                   bool final, int width)
{
    struct tp *t = (struct tp *)s;
    for (int i = 0; i < npoints && t->npen < TP_MAX_PEN; i++) {
        t->pen[t->npen][0] = xy[2 * i];
        t->pen[t->npen][1] = xy[2 * i + 1];
        t->pen_id[t->npen] = stroke_id;
        t->npen++;
    }
    printf("pen stroke=%u points=%d final=%d width=%d first=%d,%d\n", stroke_id, npoints, final,
           width, npoints ? xy[0] : -1, npoints ? xy[1] : -1);
    fflush(stdout);
}

static void tp_pen_undo(struct vsource *s, uint32_t stroke_id)
{
    struct tp *t = (struct tp *)s;
    int k = 0;
    for (int i = 0; i < t->npen; i++) {
        if (t->pen_id[i] == stroke_id)
            continue;
        t->pen[k][0] = t->pen[i][0];
        t->pen[k][1] = t->pen[i][1];
        t->pen_id[k++] = t->pen_id[i];
    }
    printf("pen undo stroke=%u removed=%d\n", stroke_id, t->npen - k);
    fflush(stdout);
    t->npen = k;
}

static void tp_pen_clear(struct vsource *s)
{
    ((struct tp *)s)->npen = 0;
}

static void tp_control(struct vsource *s, bool want)
{
    if (!sasae_vsm_event(&s->sm, SASAE_VSM_EV_OP_CONTROL, want).ignored && s->sink.state)
        s->sink.state(s->sink.user, &s->sm);
}

static void tp_mouse(struct vsource *s, enum vmouse_kind kind, int x, int y, int button, bool down,
                     int dx, int dy)
{
}

static void tp_key(struct vsource *s, uint32_t keysym, bool down) {}

static void tp_end(struct vsource *s)
{
    sasae_vsm_event(&s->sm, SASAE_VSM_EV_OP_END, 0);
    if (s->sink.state)
        s->sink.state(s->sink.user, &s->sm);
}

static void tp_free(struct vsource *s)
{
    struct tp *t = (struct tp *)s;
    if (!t)
        return;
    for (int i = 0; i < 3; i++)
        free(t->planes[i]);
    free(t);
}

static const struct vsource_ops tp_ops = {
    .pump = tp_pump,
    .pointer = tp_pointer,
    .pen = tp_pen,
    .pen_undo = tp_pen_undo,
    .pen_clear = tp_pen_clear,
    .control = tp_control,
    .mouse = tp_mouse,
    .key = tp_key,
    .end = tp_end,
    .free = tp_free,
};

struct vsource *vsource_test_pattern_new(const struct vsink *sink, int w, int h, int fps,
                                         enum sasae_vsm_end end_reason, int end_after_ms)
{
    if (w < 2 || h < 2 || w > 8192 || h > 8192 || fps < 1 || fps > 240)
        return NULL;
    struct tp *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->base.ops = &tp_ops;
    t->base.sink = *sink;
    sasae_vsm_init(&t->base.sm);
    t->w = w;
    t->h = h;
    t->fps = fps;
    t->end_reason = end_reason;
    t->end_after_ms = end_after_ms;
    t->strides[0] = w;
    t->strides[1] = t->strides[2] = (w + 1) / 2;
    t->planes[0] = malloc((size_t)w * h);
    t->planes[1] = malloc((size_t)t->strides[1] * ((h + 1) / 2));
    t->planes[2] = malloc((size_t)t->strides[2] * ((h + 1) / 2));
    if (!t->planes[0] || !t->planes[1] || !t->planes[2]) {
        tp_free(&t->base);
        return NULL;
    }
    return &t->base;
}
