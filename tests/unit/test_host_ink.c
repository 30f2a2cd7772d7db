/* The host's pen stroke store (host/ink.c), shared by the X11 and Windows overlays. */
#include <criterion/criterion.h>
#include <errno.h>

#include "ink.h"

static struct host_ink k;

static void fini(void)
{
    host_ink_clear(&k);
}

TestSuite(host_ink, .fini = fini);

Test(host_ink, points_join_their_stroke_and_are_clamped)
{
    int32_t a[] = {1, 2, 3, 4}, b[] = {-5000, 9000};
    cr_assert_eq(host_ink_add(&k, 7, a, 2, 4, 1000), 0);
    cr_assert_eq(host_ink_add(&k, 7, b, 1, 4, 1000), 0, "same id: the same stroke");
    cr_assert_eq(k.ns, 1);
    cr_assert_eq(k.s[0].n, 3);
    cr_assert_eq(k.total, 3);
    cr_assert_eq(k.s[0].xy[4], -1000, "x clamped to -lim");
    cr_assert_eq(k.s[0].xy[5], 2000, "y clamped to 2 * lim");
    cr_assert_eq(host_ink_add(&k, 8, a, 2, 24, 1000), 0);
    cr_assert_eq(k.ns, 2);
    cr_assert_eq(k.s[1].width, 24);
}

Test(host_ink, bad_input_changes_nothing)
{
    int32_t a[] = {1, 2};
    cr_assert_eq(host_ink_add(&k, 1, a, 0, 4, 100), -EINVAL);
    cr_assert_eq(host_ink_add(&k, 1, a, 1, 0, 100), -EINVAL);
    cr_assert_eq(host_ink_add(&k, 1, a, 1, 65, 100), -EINVAL);
    cr_assert_eq(host_ink_add(&k, 1, NULL, 1, 4, 100), -EINVAL);
    cr_assert_eq(host_ink_add(&k, 1, a, HOST_INK_POINT_BUDGET + 1, 4, 100), -EINVAL);
    cr_assert_eq(k.ns, 0);
}

Test(host_ink, undo_removes_only_that_stroke)
{
    int32_t a[] = {1, 2, 3, 4};
    for (uint32_t id = 1; id <= 3; id++)
        host_ink_add(&k, id, a, 2, 4, 100);
    cr_assert_eq(host_ink_undo(&k, 2), 0);
    cr_assert_eq(k.ns, 2);
    cr_assert_eq(k.s[0].id, 1);
    cr_assert_eq(k.s[1].id, 3);
    cr_assert_eq(k.total, 4);
    cr_assert_eq(host_ink_undo(&k, 2), -ENOENT, "already gone");
    host_ink_clear(&k);
    cr_assert_eq(k.ns, 0);
    cr_assert_eq(k.total, 0);
}

Test(host_ink, the_oldest_go_first_at_the_limits)
{
    int32_t a[] = {1, 2};
    for (uint32_t id = 0; id < HOST_INK_MAX_STROKES; id++)
        cr_assert_eq(host_ink_add(&k, id, a, 1, 4, 100), 0);
    cr_assert_eq(host_ink_add(&k, 999, a, 1, 4, 100), 1, "the 257th stroke drops the oldest");
    cr_assert_eq(k.ns, HOST_INK_MAX_STROKES);
    cr_assert_eq(k.s[0].id, 1);
    cr_assert_eq(k.s[k.ns - 1].id, 999);
    host_ink_clear(&k);
    static int32_t big[2 * 40000];
    cr_assert_eq(host_ink_add(&k, 1, big, 40000, 4, 100), 0);
    cr_assert_eq(host_ink_add(&k, 2, big, 40000, 4, 100), 1, "over the point budget");
    cr_assert_eq(k.ns, 1);
    cr_assert_eq(k.s[0].id, 2);
    cr_assert_eq(k.total, 40000);
}
