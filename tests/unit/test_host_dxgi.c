/* Tests for host/win/dxgi_logic.c: the DXGI backend's decisions, checked on Linux (Wine has
 * no Desktop Duplication, so this is where its logic is exercised). */
#include <criterion/criterion.h>

#include "dxgi_logic.h"

Test(dxgi, opening_failures_fall_back_to_gdi)
{
    cr_assert_eq(dxgi_classify(DXGI_HR_OK, 1), DXGI_GO);
    /* Wine's stub, remote sessions, too many duplicating programs, a switched desktop */
    const uint32_t fall[] = {
        DXGI_HR_E_NOTIMPL,      DXGI_HR_UNSUPPORTED,          DXGI_HR_NOT_CURRENTLY_AVAILABLE,
        DXGI_HR_E_ACCESSDENIED, DXGI_HR_SESSION_DISCONNECTED, 0x80004005u /* E_FAIL */};
    for (size_t i = 0; i < sizeof fall / sizeof fall[0]; i++)
        cr_assert_eq(dxgi_classify(fall[i], 1), DXGI_FALL_BACK, "%s", dxgi_hr_name(fall[i]));
}

Test(dxgi, capturing_pauses_on_lost_access)
{
    cr_assert_eq(dxgi_classify(DXGI_HR_OK, 0), DXGI_GO);
    cr_assert_eq(dxgi_classify(DXGI_HR_WAIT_TIMEOUT, 0), DXGI_NO_CHANGE);
    const uint32_t pause[] = {DXGI_HR_ACCESS_LOST, DXGI_HR_E_ACCESSDENIED,
                              DXGI_HR_SESSION_DISCONNECTED, DXGI_HR_DEVICE_REMOVED,
                              DXGI_HR_INVALID_CALL};
    for (size_t i = 0; i < sizeof pause / sizeof pause[0]; i++)
        cr_assert_eq(dxgi_classify(pause[i], 0), DXGI_PAUSE, "%s", dxgi_hr_name(pause[i]));
    cr_assert_eq(dxgi_classify(DXGI_HR_E_OUTOFMEMORY, 0), DXGI_FALL_BACK);
    cr_assert_str_eq(dxgi_hr_name(DXGI_HR_ACCESS_LOST), "DXGI_ERROR_ACCESS_LOST");
}

Test(dxgi, moves_dirty_their_destination_and_rects_align)
{
    struct dxgi_move mv[] = {{0, 100, {0, 80, 1920, 1000}}}; /* a scroll up by 20 rows */
    struct dxgi_rect dr[] = {{0, 1000, 1920, 1080},          /* the new bottom lines */
                             {5, 5, 5, 9},                   /* empty: skipped */
                             {2000, 10, 2100, 20}};          /* off the screen: clipped away */
    struct sasae_dirty d = {0};
    int n = dxgi_frame_dirty(mv, 1, dr, 3, 1920, 1080, &d);
    cr_assert_eq(n, 3);
    /* 80..1000 aligned to 80..1008 (16-px grid), 1000..1080 merges with it */
    long area = sasae_dirty_area(&d);
    cr_assert_eq(area, 1920L * (1080 - 80), "area %ld", area);
    for (int i = 0; i < d.n; i++) {
        cr_assert_eq(d.r[i].x % 16, 0);
        cr_assert_eq(d.r[i].y % 16, 0);
        cr_assert_leq(d.r[i].x + d.r[i].w, 1920);
        cr_assert_leq(d.r[i].y + d.r[i].h, 1080);
    }
}

Test(dxgi, nothing_changed)
{
    struct sasae_dirty d = {0};
    cr_assert_eq(dxgi_frame_dirty(NULL, 0, NULL, 0, 800, 600, &d), 0);
    cr_assert_eq(d.n, 0);
}
