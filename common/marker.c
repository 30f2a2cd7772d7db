/* The pointing hand as a handful of round-ended strokes ("capsules") in a 100-unit design
 * box, painted back to front, each as an outline band then its fill: where a later finger
 * overlaps an earlier one its outline separates them, as in a drawn hand. Distances give
 * antialiased edges at any size and a soft shadow, from one description. */
#include "sasae/marker.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>

/* a capsule: the segment (x0,y0)-(x1,y1) widened by r, in design units */
struct capsule {
    float x0, y0, x1, y1, r;
};

/* Back to front. The index finger points straight up; its tip (top of the fill) is the hot
 * spot. The box is 100 units high before PAD. */
static const struct capsule k_hand[] = {
    {33, 74, 49, 76, 19},   /* palm */
    {39, 49, 41, 55, 9},    /* middle finger, folded */
    {54, 53, 55, 58, 8},    /* ring finger */
    {66, 58, 66, 63, 7},    /* little finger */
    {22, 10, 22, 62, 8.5f}, /* index finger */
    {17, 76, 40, 67, 8},    /* thumb, across the palm */
};
#define NCAPS ((int)(sizeof k_hand / sizeof k_hand[0]))
#define PAD 5.0f       /* units around the shape: outline and shadow */
#define BOX_W 88.0f    /* design width (incl. pads and shadow) */
#define BOX_H 112.0f   /* design height (incl. pads and shadow) */
#define OUTLINE 2.6f   /* units; at least 2 px */
#define SHADOW_DX 3.0f /* units, down and right */
#define SHADOW_DY 3.5f
#define SHADOW_BLUR 3.0f
#define SHADOW_A 0.45f
#define TIP_X 22.0f
#define TIP_Y (10.0f - 8.5f)

int sasae_marker_height_for(int screen_h)
{
    long h = (long)screen_h * 45 / 1000;
    return h < SASAE_MARKER_MIN_PX   ? SASAE_MARKER_MIN_PX
           : h > SASAE_MARKER_MAX_PX ? SASAE_MARKER_MAX_PX
                                     : (int)h;
}

static int clamp_height(int height)
{
    return height < SASAE_MARKER_MIN_PX   ? SASAE_MARKER_MIN_PX
           : height > SASAE_MARKER_MAX_PX ? SASAE_MARKER_MAX_PX
                                          : height;
}

void sasae_marker_geometry(int height, int *w, int *h, int *hot_x, int *hot_y)
{
    float k = (float)clamp_height(height) / 100.0f;
    *w = (int)ceilf(BOX_W * k);
    *h = (int)ceilf(BOX_H * k);
    *hot_x = (int)lroundf((PAD + TIP_X) * k);
    *hot_y = (int)lroundf((PAD + TIP_Y) * k);
}

/* distance from (px, py) to the capsule's surface (negative inside) */
static float cap_dist(const struct capsule *c, float px, float py)
{
    float dx = c->x1 - c->x0, dy = c->y1 - c->y0;
    float l2 = dx * dx + dy * dy;
    float t = l2 > 0 ? ((px - c->x0) * dx + (py - c->y0) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    float ex = px - (c->x0 + t * dx), ey = py - (c->y0 + t * dy);
    return sqrtf(ex * ex + ey * ey) - c->r;
}

/* coverage of a pixel by the region "distance < edge", distance in pixels: a one-pixel
 * ramp across the edge */
static float cover(float d_px)
{
    float c = 0.5f - d_px;
    return c < 0 ? 0 : c > 1 ? 1 : c;
}

/* premultiplied "over": colour (0xRRGGBB) with coverage a over the accumulated pixel */
static void over(float acc[4], uint32_t rgb, float a)
{
    float r = (float)((rgb >> 16) & 0xff) / 255.0f, g = (float)((rgb >> 8) & 0xff) / 255.0f,
          b = (float)(rgb & 0xff) / 255.0f;
    acc[0] = a + acc[0] * (1 - a);
    acc[1] = r * a + acc[1] * (1 - a);
    acc[2] = g * a + acc[2] * (1 - a);
    acc[3] = b * a + acc[3] * (1 - a);
}

int sasae_marker_render(uint32_t *px, int w, int h, int height, unsigned alpha)
{
    int gw, gh, hx, hy;
    sasae_marker_geometry(height, &gw, &gh, &hx, &hy);
    if (!px || w != gw || h != gh)
        return -EINVAL;
    float k = (float)clamp_height(height) / 100.0f; /* pixels per unit */
    float ow = OUTLINE * k < 2.0f ? 2.0f / k : OUTLINE;
    float fa = (float)(alpha > 255 ? 255 : alpha) / 255.0f;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            /* the pixel's centre in design units */
            float ux = ((float)x + 0.5f) / k - PAD, uy = ((float)y + 0.5f) / k - PAD;
            float acc[4] = {0, 0, 0, 0}; /* a, r, g, b premultiplied */
            float sd = 1e9f;
            for (int i = 0; i < NCAPS; i++) {
                float d = cap_dist(&k_hand[i], ux - SHADOW_DX, uy - SHADOW_DY) - ow;
                sd = d < sd ? d : sd;
            }
            /* soft shadow: fades from SHADOW_A inside to 0 over 2 * SHADOW_BLUR */
            float s = 0.5f - sd / (2 * SHADOW_BLUR);
            s = s < 0 ? 0 : s > 1 ? 1 : s;
            if (s > 0)
                over(acc, 0x000000, s * SHADOW_A);
            for (int i = 0; i < NCAPS; i++) {
                float d = cap_dist(&k_hand[i], ux, uy);
                float co = cover((d - ow) * k);
                if (co <= 0)
                    continue;
                over(acc, SASAE_MARKER_OUTLINE, co);
                float cf = cover(d * k);
                if (cf > 0)
                    over(acc, SASAE_MARKER_FILL, cf);
            }
            uint32_t a = (uint32_t)lroundf(acc[0] * fa * 255.0f);
            uint32_t r = (uint32_t)lroundf(acc[1] * fa * 255.0f);
            uint32_t g = (uint32_t)lroundf(acc[2] * fa * 255.0f);
            uint32_t b = (uint32_t)lroundf(acc[3] * fa * 255.0f);
            px[(size_t)y * (size_t)w + (size_t)x] = a << 24 | r << 16 | g << 8 | b;
        }
    }
    return 0;
}

bool sasae_marker_mask_bit(unsigned a, int x, int y)
{
    /* Bayer 4x4 thresholds, centred in 16 steps of the 0..255 range */
    static const unsigned char bayer[4][4] = {
        {0, 8, 2, 10}, {12, 4, 14, 6}, {3, 11, 1, 9}, {15, 7, 13, 5}};
    if (a >= 255)
        return true;
    if (a == 0)
        return false;
    unsigned t = (unsigned)bayer[(unsigned)y & 3][(unsigned)x & 3] * 16 + 8;
    return a > t;
}

void sasae_marker_motion_update(struct sasae_marker_motion *m, int x, int y, bool visible,
                                int64_t now_ms)
{
    struct sasae_marker_pose p = sasae_marker_motion_at(m, now_ms);
    if (visible && p.shown) {
        /* glide on from where the hand is drawn now */
        m->from_x = p.x;
        m->from_y = p.y;
    } else {
        /* appearing (or hidden): no glide from a stale place */
        m->from_x = x;
        m->from_y = y;
    }
    m->to_x = x;
    m->to_y = y;
    m->visible = visible;
    m->t_move = now_ms;
    m->t_update = now_ms;
}

struct sasae_marker_pose sasae_marker_motion_at(const struct sasae_marker_motion *m, int64_t now_ms)
{
    struct sasae_marker_pose p = {.next_ms = -1};
    if (!m->visible)
        return p;
    int64_t idle = now_ms - m->t_update;
    idle = idle < 0 ? 0 : idle;
    if (idle >= SASAE_MARKER_IDLE_MS + SASAE_MARKER_FADE_MS)
        return p;
    int64_t dt = now_ms - m->t_move;
    dt = dt < 0 ? 0 : dt;
    if (dt >= SASAE_MARKER_GLIDE_MS) {
        p.x = m->to_x;
        p.y = m->to_y;
    } else {
        /* ease-out: quick start, gentle arrival */
        double t = (double)dt / SASAE_MARKER_GLIDE_MS;
        double e = 1.0 - (1.0 - t) * (1.0 - t);
        p.x = m->from_x + (int)lround((m->to_x - m->from_x) * e);
        p.y = m->from_y + (int)lround((m->to_y - m->from_y) * e);
        p.animating = true;
    }
    p.shown = true;
    p.alpha = 255;
    if (idle > SASAE_MARKER_IDLE_MS) {
        int64_t f = idle - SASAE_MARKER_IDLE_MS;
        p.alpha = (unsigned)(255 - 255 * f / SASAE_MARKER_FADE_MS);
        p.animating = true;
    }
    /* still until the fade starts: the caller may sleep until then */
    p.next_ms = p.animating ? now_ms : m->t_update + SASAE_MARKER_IDLE_MS + 1;
    return p;
}
