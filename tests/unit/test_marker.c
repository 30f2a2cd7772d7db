/* Unit tests for the pointing hand: its size per screen, its picture (a fingertip hot spot,
 * an outline that shows on white and a fill that shows on black, the fade), the one-bit
 * dither and the motion (glide, jump on appearing, fade when idle). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "sasae/marker.h"

static uint32_t *render(int height, unsigned alpha, int *w, int *h, int *hx, int *hy)
{
    sasae_marker_geometry(height, w, h, hx, hy);
    uint32_t *px = malloc(sizeof *px * (size_t)(*w) * (size_t)(*h));
    cr_assert_not_null(px);
    cr_assert_eq(sasae_marker_render(px, *w, *h, height, alpha), 0);
    return px;
}

/* the pixel composited over a grey background level bg (0 black, 255 white) */
static void over_bg(uint32_t p, unsigned bg, unsigned rgb[3])
{
    unsigned a = p >> 24;
    for (int c = 0; c < 3; c++)
        rgb[c] = ((p >> (16 - 8 * c)) & 0xff) + bg * (255 - a) / 255;
}

Test(marker, height_per_screen)
{
    cr_assert_eq(sasae_marker_height_for(2160), 97); /* 4K at 100 %: three cursors high */
    cr_assert_eq(sasae_marker_height_for(1080), SASAE_MARKER_MIN_PX);
    cr_assert_eq(sasae_marker_height_for(100000), SASAE_MARKER_MAX_PX);
    cr_assert_eq(sasae_marker_height_for(0), SASAE_MARKER_MIN_PX);
}

Test(marker, fingertip_is_the_hot_spot)
{
    int w, h, hx, hy;
    uint32_t *px = render(97, 255, &w, &h, &hx, &hy);
    cr_assert_geq(h, 97);
    cr_assert_lt(w, h); /* a hand pointing up: taller than wide */
    /* two pixels below the tip: the opaque yellow fill */
    uint32_t p = px[(hy + 2) * w + hx];
    cr_assert_eq(p >> 24, 255u);
    cr_assert_eq(p & 0xffffffu, SASAE_MARKER_FILL, "got %08x", p);
    /* above the tip, past the outline: nothing (the hot spot is the top of the hand) */
    cr_assert_lt(px[(hy - 5 < 0 ? 0 : hy - 5) * w + hx] >> 24, 40u);
    /* a corner: transparent */
    cr_assert_eq(px[0], 0u);
    free(px);
}

Test(marker, shows_on_white_and_black)
{
    int w, h, hx, hy;
    uint32_t *px = render(97, 255, &w, &h, &hx, &hy);
    int dark_on_white = 0, bright_on_black = 0, opaque = 0, partial = 0;
    for (int i = 0; i < w * h; i++) {
        unsigned a = px[i] >> 24, on_white[3], on_black[3];
        over_bg(px[i], 255, on_white);
        over_bg(px[i], 0, on_black);
        if (on_white[0] + on_white[1] + on_white[2] < 150)
            dark_on_white++;
        if (on_black[0] > 200 && on_black[1] > 160)
            bright_on_black++;
        opaque += a == 255;
        partial += a > 0 && a < 255;
    }
    /* an outline at least 2 px around a ~100 px hand, and a large fill */
    cr_assert_gt(dark_on_white, 400, "outline pixels: %d", dark_on_white);
    cr_assert_gt(bright_on_black, 1500, "fill pixels: %d", bright_on_black);
    /* antialiased edges and a soft shadow */
    cr_assert_gt(partial, 300, "partial pixels: %d", partial);
    cr_assert_gt(opaque, 2000);
    free(px);
}

Test(marker, fades_with_alpha)
{
    int w, h, hx, hy;
    uint32_t *full = render(64, 255, &w, &h, &hx, &hy);
    uint32_t *half = render(64, 128, &w, &h, &hx, &hy);
    uint32_t *none = render(64, 0, &w, &h, &hx, &hy);
    for (int i = 0; i < w * h; i++) {
        cr_assert_leq(half[i] >> 24, 128u);
        cr_assert_eq(none[i], 0u);
        /* premultiplied: no channel above alpha */
        unsigned a = full[i] >> 24;
        cr_assert_leq((full[i] >> 16) & 0xff, a);
    }
    cr_assert_eq(half[(hy + 2) * w + hx] >> 24, 128u);
    free(full);
    free(half);
    free(none);
}

Test(marker, refuses_a_wrong_buffer)
{
    int w, h, hx, hy;
    sasae_marker_geometry(97, &w, &h, &hx, &hy);
    uint32_t one = 0;
    cr_assert_eq(sasae_marker_render(&one, 1, 1, 97, 255), -EINVAL);
    cr_assert_eq(sasae_marker_render(NULL, w, h, 97, 255), -EINVAL);
    /* sizes beyond the limits are clamped, not refused */
    int w2, h2;
    sasae_marker_geometry(10, &w2, &h2, &hx, &hy);
    sasae_marker_geometry(SASAE_MARKER_MIN_PX, &w, &h, &hx, &hy);
    cr_assert_eq(w2, w);
    cr_assert_eq(h2, h);
}

Test(marker, dither_density_is_the_alpha)
{
    for (unsigned a = 0; a <= 255; a += 17) {
        int in = 0;
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
                in += sasae_marker_mask_bit(a, x + 8, y + 4);
        int want = (int)((a * 16 + 127) / 255);
        cr_assert(abs(in - want) <= 1, "alpha %u: %d of 16 in, want about %d", a, in, want);
    }
    cr_assert(sasae_marker_mask_bit(255, 3, 3));
    cr_assert(!sasae_marker_mask_bit(0, 0, 0));
}

Test(marker, glides_to_a_new_position)
{
    struct sasae_marker_motion m = {0};
    sasae_marker_motion_update(&m, 100, 100, true, 1000);
    struct sasae_marker_pose p = sasae_marker_motion_at(&m, 1000);
    /* appearing: at once where the operator points, no glide from elsewhere */
    cr_assert(p.shown);
    cr_assert_eq(p.x, 100);
    cr_assert_eq(p.alpha, 255u);
    sasae_marker_motion_update(&m, 200, 300, true, 1033);
    p = sasae_marker_motion_at(&m, 1033 + SASAE_MARKER_GLIDE_MS / 2);
    cr_assert(p.animating);
    cr_assert(p.x > 100 && p.x < 200, "x %d", p.x);
    cr_assert(p.y > 100 && p.y < 300, "y %d", p.y);
    p = sasae_marker_motion_at(&m, 1033 + SASAE_MARKER_GLIDE_MS);
    cr_assert_eq(p.x, 200);
    cr_assert_eq(p.y, 300);
    cr_assert(!p.animating);
    cr_assert_eq(p.next_ms, 1033 + SASAE_MARKER_IDLE_MS + 1);
    /* a new update mid-glide continues from the drawn position (no jump back) */
    sasae_marker_motion_update(&m, 0, 0, true, 2000);
    sasae_marker_motion_update(&m, 400, 0, true, 2010);
    p = sasae_marker_motion_at(&m, 2010);
    cr_assert(p.x > 0 && p.x < 400, "x %d", p.x);
}

Test(marker, fades_when_idle_and_hides)
{
    struct sasae_marker_motion m = {0};
    cr_assert(!sasae_marker_motion_at(&m, 0).shown);
    sasae_marker_motion_update(&m, 10, 20, true, 0);
    cr_assert_eq(sasae_marker_motion_at(&m, SASAE_MARKER_IDLE_MS).alpha, 255u);
    struct sasae_marker_pose p =
        sasae_marker_motion_at(&m, SASAE_MARKER_IDLE_MS + SASAE_MARKER_FADE_MS / 2);
    cr_assert(p.shown);
    cr_assert(p.animating);
    cr_assert(p.alpha > 100 && p.alpha < 155, "alpha %u", p.alpha);
    cr_assert(!sasae_marker_motion_at(&m, SASAE_MARKER_IDLE_MS + SASAE_MARKER_FADE_MS).shown);
    /* after fading, a new update shows it at once where it is sent, fully opaque */
    sasae_marker_motion_update(&m, 500, 20, true, 10000);
    p = sasae_marker_motion_at(&m, 10000);
    cr_assert_eq(p.x, 500);
    cr_assert_eq(p.alpha, 255u);
    /* hidden by the operator */
    sasae_marker_motion_update(&m, 500, 20, false, 10010);
    cr_assert(!sasae_marker_motion_at(&m, 10010).shown);
    cr_assert_eq(sasae_marker_motion_at(&m, 10010).next_ms, -1);
}
