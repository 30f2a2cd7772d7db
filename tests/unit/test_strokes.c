/* Unit tests for the antialiased pen strokes (common/strokes.c): solid core, a partial-alpha
 * edge, round caps, premultiplied colour, clipping, overlaps that never exceed one coverage. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "sasae/strokes.h"

#define W 100
#define H 60
static uint32_t px[W * H];

static unsigned alpha(int x, int y)
{
    return px[y * W + x] >> 24;
}

Test(strokes, line_has_a_solid_core_and_soft_edges)
{
    memset(px, 0, sizeof px);
    struct sasae_strokes_clip all = {0, 0, W, H};
    int32_t line[] = {10, 20, 60, 20};
    cr_assert_gt(sasae_strokes_draw(px, W, &all, line, 2, 9, 0xff0000), 0);
    for (int y = 16; y <= 23; y++)
        cr_assert_eq(px[y * W + 30], 0xffff0000u, "row %d: %08x", y, px[y * W + 30]);
    /* the rows at the edge are partly covered: antialiased */
    cr_assert(alpha(30, 15) > 60 && alpha(30, 15) < 200, "edge alpha %u", alpha(30, 15));
    cr_assert(alpha(30, 24) > 60 && alpha(30, 24) < 200, "edge alpha %u", alpha(30, 24));
    /* premultiplied: red equals alpha, no green or blue */
    uint32_t e = px[15 * W + 30];
    cr_assert_eq((e >> 16) & 0xff, e >> 24);
    cr_assert_eq(e & 0xffff, 0u);
    cr_assert_eq(alpha(30, 13), 0u);
    cr_assert_eq(alpha(30, 26), 0u);
    /* round caps reach width/2 beyond the ends, not further */
    cr_assert_eq(alpha(63, 20), 255u);
    cr_assert_eq(alpha(67, 20), 0u);
    cr_assert_eq(alpha(7, 20), 255u);
    cr_assert_eq(alpha(3, 20), 0u);
}

Test(strokes, overlaps_take_the_larger_coverage)
{
    memset(px, 0, sizeof px);
    struct sasae_strokes_clip all = {0, 0, W, H};
    int32_t zig[] = {10, 10, 50, 40, 10, 40, 50, 10}; /* crosses itself */
    sasae_strokes_draw(px, W, &all, zig, 4, 6, 0xff0000);
    sasae_strokes_draw(px, W, &all, zig, 4, 6, 0xff0000); /* drawn twice */
    uint32_t once[W * H];
    memcpy(once, px, sizeof px);
    memset(px, 0, sizeof px);
    sasae_strokes_draw(px, W, &all, zig, 4, 6, 0xff0000);
    cr_assert_arr_eq(px, once, sizeof px, "drawing again changed pixels");
    for (int i = 0; i < W * H; i++)
        cr_assert_leq((px[i] >> 16) & 0xff, px[i] >> 24);
}

Test(strokes, dot_and_clip)
{
    memset(px, 0, sizeof px);
    struct sasae_strokes_clip half = {0, 0, 50, H};
    int32_t dot[] = {50, 30};
    cr_assert_gt(sasae_strokes_draw(px, W, &half, dot, 1, 12, 0xff0000), 0);
    cr_assert_eq(alpha(47, 30), 255u, "a one-point stroke is a dot");
    for (int y = 0; y < H; y++)
        for (int x = 50; x < W; x++)
            cr_assert_eq(px[y * W + x], 0u, "drawn outside the clip at %d,%d", x, y);
    int32_t far[] = {-100000, 5, 100000, 5};
    struct sasae_strokes_clip all = {0, 0, W, H};
    cr_assert_gt(sasae_strokes_draw(px, W, &all, far, 2, 4, 0xff0000), 0);
    cr_assert_eq(alpha(70, 5), 255u);
    cr_assert_eq(sasae_strokes_draw(NULL, W, &all, far, 2, 4, 0xff0000), -1);
    cr_assert_eq(sasae_strokes_draw(px, W, &all, far, 0, 4, 0xff0000), -1);
    cr_assert_eq(sasae_strokes_draw(px, W, &all, far, 2, 0, 0xff0000), -1);
    /* the cost estimate grows with length and width */
    int32_t a[] = {0, 0, 100, 0};
    cr_assert_gt(sasae_strokes_cost(a, 2, 20), sasae_strokes_cost(a, 2, 2));
}
