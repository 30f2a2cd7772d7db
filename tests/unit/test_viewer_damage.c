/* Unit tests for the damage list (what a frame changed, for the window's partial upload) and
 * the software-GL check that picks SDL's software renderer. */
#include <criterion/criterion.h>

#include "sasae/viewer.h"

static bool covers(const struct sasae_damage *d, int x, int y)
{
    if (d->full)
        return true;
    for (int i = 0; i < d->n; i++) {
        const int *r = d->rects[i];
        if (x >= r[0] && x < r[0] + r[2] && y >= r[1] && y < r[1] + r[3])
            return true;
    }
    return false;
}

Test(viewer_damage, empty_until_added)
{
    struct sasae_damage d;
    sasae_damage_reset(&d);
    cr_assert(!d.full);
    cr_assert_eq(d.n, 0);
    sasae_damage_add(&d, 10, 10, 0, 5); /* empty: nothing */
    sasae_damage_add(&d, 10, 10, 5, -1);
    cr_assert_eq(d.n, 0);
    cr_assert(!covers(&d, 10, 10));
}

Test(viewer_damage, row_of_tiles_joins)
{
    /* three 128x64 tiles side by side in one tile row, then one below the first */
    struct sasae_damage d;
    sasae_damage_reset(&d);
    sasae_damage_add(&d, 256, 64, 128, 64);
    sasae_damage_add(&d, 384, 64, 128, 64);
    sasae_damage_add(&d, 512, 64, 128, 64);
    cr_assert_eq(d.n, 1);
    cr_assert_eq(d.rects[0][0], 256);
    cr_assert_eq(d.rects[0][2], 384);
    cr_assert_eq(d.rects[0][3], 64);
    sasae_damage_add(&d, 256, 128, 128, 64); /* not the same columns as the joined row */
    cr_assert_eq(d.n, 2);
    cr_assert(covers(&d, 300, 150));
    cr_assert(!covers(&d, 500, 150));
    cr_assert(!covers(&d, 100, 64));
}

Test(viewer_damage, column_joins)
{
    struct sasae_damage d;
    sasae_damage_reset(&d);
    sasae_damage_add(&d, 0, 0, 64, 64);
    sasae_damage_add(&d, 0, 64, 64, 64);
    cr_assert_eq(d.n, 1);
    cr_assert_eq(d.rects[0][3], 128);
}

Test(viewer_damage, too_many_pieces_become_one_box)
{
    /* scattered tiles (a checkerboard): nothing joins; past the limit one box holds all */
    struct sasae_damage d;
    sasae_damage_reset(&d);
    int k = 0;
    for (int ty = 0; ty < 16; ty++)
        for (int tx = 0; tx < 16; tx++)
            if ((tx + ty) % 2 == 0) {
                sasae_damage_add(&d, tx * 64, ty * 64, 64, 64);
                k++;
            }
    cr_assert_gt(k, SASAE_DAMAGE_MAX);
    cr_assert_leq(d.n, SASAE_DAMAGE_MAX);
    for (int ty = 0; ty < 16; ty++)
        for (int tx = 0; tx < 16; tx++)
            if ((tx + ty) % 2 == 0)
                cr_assert(covers(&d, tx * 64 + 32, ty * 64 + 32), "tile %d,%d left out", tx, ty);
}

Test(viewer_damage, full_stays_full)
{
    struct sasae_damage d;
    sasae_damage_reset(&d);
    sasae_damage_add(&d, 0, 0, 16, 16);
    sasae_damage_all(&d);
    sasae_damage_add(&d, 0, 0, 16, 16);
    cr_assert(d.full);
    cr_assert_eq(d.n, 0);
    sasae_damage_reset(&d);
    cr_assert(!d.full);
}

Test(viewer_gfx, software_gl_drivers)
{
    cr_assert(sasae_gfx_gl_is_software("llvmpipe (LLVM 15.0.6, 256 bits)"));
    cr_assert(sasae_gfx_gl_is_software("softpipe"));
    cr_assert(sasae_gfx_gl_is_software("Mesa Offscreen / Software Rasterizer"));
    cr_assert(sasae_gfx_gl_is_software("GDI Generic"));
    cr_assert(!sasae_gfx_gl_is_software("Mesa Intel(R) UHD Graphics 620 (KBL GT2)"));
    cr_assert(!sasae_gfx_gl_is_software("NVIDIA GeForce RTX 3060/PCIe/SSE2"));
    cr_assert(!sasae_gfx_gl_is_software("AMD Radeon RX 6600 (navi23, LLVM 15.0.6, DRM 3.49)"));
    cr_assert(!sasae_gfx_gl_is_software(NULL));
}
