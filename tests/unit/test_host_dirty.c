/* Unit tests for dirty rectangle sets: 16-px grid, clipping, merging, overflow. */
#include <criterion/criterion.h>

#include "sasae/host.h"

Test(host_dirty, aligned_to_grid_and_clipped)
{
    struct sasae_dirty d = {0};
    sasae_dirty_add(&d, (struct sasae_rect){17, 5, 2, 2}, 100, 50);
    cr_assert_eq(d.n, 1);
    cr_assert_eq(d.r[0].x, 16);
    cr_assert_eq(d.r[0].y, 0);
    cr_assert_eq(d.r[0].w, 16);
    cr_assert_eq(d.r[0].h, 16);
    /* right/bottom edge clipped to the odd frame size */
    sasae_dirty_add(&d, (struct sasae_rect){95, 45, 20, 20}, 100, 50);
    cr_assert_eq(d.n, 2);
    cr_assert_eq(d.r[1].x, 80);
    cr_assert_eq(d.r[1].y, 32);
    cr_assert_eq(d.r[1].w, 20);
    cr_assert_eq(d.r[1].h, 18);
}

Test(host_dirty, outside_and_empty_ignored)
{
    struct sasae_dirty d = {0};
    sasae_dirty_add(&d, (struct sasae_rect){200, 0, 10, 10}, 100, 50);
    sasae_dirty_add(&d, (struct sasae_rect){-20, -20, 10, 10}, 100, 50);
    sasae_dirty_add(&d, (struct sasae_rect){0, 0, 0, 10}, 100, 50);
    sasae_dirty_add(&d, (struct sasae_rect){0x7fffff00, 0x7fffff00, 0x7fffffff, 5}, 100, 50);
    cr_assert_eq(d.n, 0);
    sasae_dirty_add(&d, (struct sasae_rect){-5, -5, 10, 10}, 100, 50);
    cr_assert_eq(d.n, 1);
    cr_assert_eq(d.r[0].x, 0);
    cr_assert_eq(d.r[0].w, 16);
}

Test(host_dirty, overlapping_merge_and_no_overlap_remains)
{
    struct sasae_dirty d = {0};
    sasae_dirty_add(&d, (struct sasae_rect){0, 0, 10, 10}, 1920, 1080);
    sasae_dirty_add(&d, (struct sasae_rect){100, 100, 10, 10}, 1920, 1080);
    cr_assert_eq(d.n, 2);
    /* a rectangle spanning both absorbs them */
    sasae_dirty_add(&d, (struct sasae_rect){5, 5, 100, 100}, 1920, 1080);
    cr_assert_eq(d.n, 1);
    cr_assert_eq(d.r[0].x, 0);
    cr_assert_eq(d.r[0].w, 112);
    cr_assert_eq(sasae_dirty_area(&d), 112L * 112);
}

Test(host_dirty, overflow_collapses_to_bounding_box)
{
    struct sasae_dirty d = {0};
    for (int i = 0; i < SASAE_DIRTY_MAX + 5; i++)
        sasae_dirty_add(&d, (struct sasae_rect){(i % 30) * 64, (i / 30) * 64, 4, 4}, 1920, 1080);
    cr_assert_leq(d.n, SASAE_DIRTY_MAX);
    /* every added point is still covered */
    for (int i = 0; i < SASAE_DIRTY_MAX + 5; i++) {
        int x = (i % 30) * 64, y = (i / 30) * 64, hit = 0;
        for (int k = 0; k < d.n; k++)
            hit |= x >= d.r[k].x && x < d.r[k].x + d.r[k].w && y >= d.r[k].y &&
                   y < d.r[k].y + d.r[k].h;
        cr_assert(hit, "point %d lost", i);
    }
}

Test(host_dirty, merge_sets)
{
    struct sasae_dirty a = {0}, b = {0};
    sasae_dirty_add(&a, (struct sasae_rect){0, 0, 16, 16}, 640, 480);
    sasae_dirty_add(&b, (struct sasae_rect){320, 240, 16, 16}, 640, 480);
    sasae_dirty_merge(&a, &b, 640, 480);
    cr_assert_eq(a.n, 2);
    cr_assert_eq(sasae_dirty_area(&a), 512);
}
