/* Unit tests for window <-> screen mapping: fit with letterbox, 1:1 centred and scrolled. */
#include <criterion/criterion.h>

#include "sasae/viewer.h"

static struct sasae_view mk(enum sasae_view_mode mode, int sw, int sh, int ax, int ay, int aw,
                            int ah)
{
    return (struct sasae_view){.mode = mode,
                               .screen_w = sw,
                               .screen_h = sh,
                               .area_x = ax,
                               .area_y = ay,
                               .area_w = aw,
                               .area_h = ah};
}

Test(viewer_view, fit_letterbox_wide_area)
{
    /* 1920x1080 screen in a 1000x1000 area below a 30 px bar: bars top and bottom. */
    struct sasae_view v = mk(SASAE_VIEW_FIT, 1920, 1080, 0, 30, 1000, 1000);
    int src[4], dst[4];
    cr_assert(sasae_view_layout(&v, src, dst));
    cr_assert_eq(dst[0], 0);
    cr_assert_eq(dst[2], 1000);
    cr_assert_eq(dst[3], 563); /* 1080 * 1000/1920 = 562.5, rounded */
    cr_assert_eq(dst[1], 30 + (1000 - 563) / 2);
    cr_assert_eq(src[2], 1920);
    cr_assert_eq(src[3], 1080);
    cr_assert_float_eq(sasae_view_scale(&v), 1000.0 / 1920, 1e-9);
}

Test(viewer_view, fit_pillarbox_tall_area_and_upscale)
{
    struct sasae_view v = mk(SASAE_VIEW_FIT, 1024, 768, 0, 0, 2000, 900);
    int src[4], dst[4];
    cr_assert(sasae_view_layout(&v, src, dst));
    cr_assert_eq(dst[3], 900);
    cr_assert_eq(dst[2], 1200); /* 1024 * 900/768 */
    cr_assert_eq(dst[0], 400);
}

Test(viewer_view, fit_maps_corners_and_centre)
{
    struct sasae_view v = mk(SASAE_VIEW_FIT, 1920, 1080, 0, 30, 960, 600);
    int src[4], dst[4], sx, sy;
    sasae_view_layout(&v, src, dst); /* scale 0.5: 960x540 at y = 30 + 30 */
    cr_assert_eq(dst[1], 60);
    /* Window pixel centres: the first shows screen pixels 0..1 (centre 1.0), the last
     * 1918..1919 (centre 1919.0). */
    cr_assert(sasae_view_to_screen(&v, dst[0], dst[1], &sx, &sy));
    cr_assert_eq(sx, 1);
    cr_assert_eq(sy, 1);
    cr_assert(sasae_view_to_screen(&v, dst[0] + dst[2] - 1, dst[1] + dst[3] - 1, &sx, &sy));
    cr_assert_eq(sx, 1919);
    cr_assert_eq(sy, 1079);
    cr_assert(sasae_view_to_screen(&v, 480, 60 + 270, &sx, &sy));
    cr_assert_eq(sx, 961);
    cr_assert_eq(sy, 541);
    /* In the letterbox bar: outside, clamped to the edge. */
    cr_assert_not(sasae_view_to_screen(&v, 100, 40, &sx, &sy));
    cr_assert_eq(sy, 0);
    cr_assert_eq(sx, 201);
    cr_assert(sasae_view_to_screen(&v, 100, 599, &sx, &sy), "last drawn row");
    cr_assert_not(sasae_view_to_screen(&v, 100, 600, &sx, &sy));
    cr_assert_eq(sy, 1079);
}

Test(viewer_view, fit_round_trip_every_pixel_small)
{
    /* Downscaled 3x: each window pixel maps into the screen and back to itself. */
    struct sasae_view v = mk(SASAE_VIEW_FIT, 300, 200, 7, 11, 100, 80);
    int src[4], dst[4];
    sasae_view_layout(&v, src, dst);
    for (int wy = dst[1]; wy < dst[1] + dst[3]; wy++)
        for (int wx = dst[0]; wx < dst[0] + dst[2]; wx++) {
            int sx, sy, bx, by;
            cr_assert(sasae_view_to_screen(&v, wx, wy, &sx, &sy));
            sasae_view_to_window(&v, sx, sy, &bx, &by);
            cr_assert_eq(bx, wx, "wx %d -> sx %d -> %d", wx, sx, bx);
            cr_assert_eq(by, wy, "wy %d -> sy %d -> %d", wy, sy, by);
        }
}

Test(viewer_view, one_to_one_centred_when_small)
{
    struct sasae_view v = mk(SASAE_VIEW_1TO1, 640, 480, 0, 30, 1000, 800);
    int src[4], dst[4], sx, sy;
    sasae_view_layout(&v, src, dst);
    cr_assert_eq(dst[0], 180);
    cr_assert_eq(dst[1], 30 + 160);
    cr_assert_eq(dst[2], 640);
    cr_assert_eq(dst[3], 480);
    cr_assert(sasae_view_to_screen(&v, 180 + 10, 190 + 20, &sx, &sy));
    cr_assert_eq(sx, 10);
    cr_assert_eq(sy, 20);
    cr_assert_float_eq(sasae_view_scale(&v), 1.0, 1e-9);
    sasae_view_scroll(&v, 100, 100); /* nothing to scroll */
    cr_assert_eq(v.scroll_x, 0);
    cr_assert_eq(v.scroll_y, 0);
}

Test(viewer_view, one_to_one_scroll_and_clamp)
{
    struct sasae_view v = mk(SASAE_VIEW_1TO1, 4096, 2160, 0, 30, 1280, 690);
    int src[4], dst[4], sx, sy, wx, wy;
    sasae_view_scroll(&v, 1000, 500);
    sasae_view_layout(&v, src, dst);
    cr_assert_eq(src[0], 1000);
    cr_assert_eq(src[1], 500);
    cr_assert_eq(src[2], 1280);
    cr_assert_eq(dst[1], 30);
    cr_assert(sasae_view_to_screen(&v, 5, 35, &sx, &sy));
    cr_assert_eq(sx, 1005);
    cr_assert_eq(sy, 505);
    sasae_view_to_window(&v, 1005, 505, &wx, &wy);
    cr_assert_eq(wx, 5);
    cr_assert_eq(wy, 35);
    sasae_view_scroll(&v, 100000, 100000);
    cr_assert_eq(v.scroll_x, 4096 - 1280);
    cr_assert_eq(v.scroll_y, 2160 - 690);
    sasae_view_scroll(&v, -100000, -5);
    cr_assert_eq(v.scroll_x, 0);
    cr_assert_eq(v.scroll_y, 2160 - 690 - 5);
    /* FIT ignores scrolling. */
    v.mode = SASAE_VIEW_FIT;
    sasae_view_scroll(&v, 10, 10);
    cr_assert_eq(v.scroll_x, 0);
}

Test(viewer_view, no_screen_or_area)
{
    struct sasae_view v = mk(SASAE_VIEW_FIT, 0, 0, 0, 0, 800, 600);
    int src[4], dst[4], sx, sy;
    cr_assert_not(sasae_view_layout(&v, src, dst));
    cr_assert_not(sasae_view_to_screen(&v, 1, 1, &sx, &sy));
    v = mk(SASAE_VIEW_FIT, 800, 600, 0, 0, 0, 0);
    cr_assert_not(sasae_view_layout(&v, src, dst));
}

Test(viewer_view, odd_sizes_tiny_area)
{
    struct sasae_view v = mk(SASAE_VIEW_FIT, 4095, 3, 0, 0, 10, 10);
    int src[4], dst[4], sx, sy;
    cr_assert(sasae_view_layout(&v, src, dst));
    cr_assert_geq(dst[3], 1);
    cr_assert(sasae_view_to_screen(&v, 9, dst[1], &sx, &sy));
    cr_assert_lt(sx, 4095);
    cr_assert_lt(sy, 3);
}

Test(viewer_view, monitor_cycle)
{
    /* all -> 0 -> 1 -> 2 -> all */
    cr_assert_eq(sasae_view_next_monitor(3, 0xff, true), 0);
    cr_assert_eq(sasae_view_next_monitor(3, 0, true), 1);
    cr_assert_eq(sasae_view_next_monitor(3, 2, true), 0xff);
    /* without "all": around the monitors only */
    cr_assert_eq(sasae_view_next_monitor(3, 2, false), 0);
    cr_assert_eq(sasae_view_next_monitor(1, 0, false), 0);
    cr_assert_eq(sasae_view_next_monitor(1, 0, true), 0xff);
    /* an index the list does not hold starts again at the first */
    cr_assert_eq(sasae_view_next_monitor(2, 7, true), 0);
    cr_assert_eq(sasae_view_next_monitor(0, 0xff, true), 0xff);
}
