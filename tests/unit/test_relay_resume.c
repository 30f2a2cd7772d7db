/* The relay's resume table: one host and one viewer presentation of a ticket are matched,
 * within the window, once; anything else waits, expires or is refused. */
#include <criterion/criterion.h>
#include <string.h>

#include "resume.h"

static uint8_t T1[RELAY_RESUME_TICKET_LEN] = {1, 2, 3}, T2[RELAY_RESUME_TICKET_LEN] = {9};
static int H, V, X; /* stand-ins for connections */

Test(relay_resume, host_then_viewer_match_once)
{
    struct relay_resume *t = relay_resume_new(60000, 0);
    void *peer = &X;
    cr_assert_eq(relay_resume_present(t, T1, RELAY_RESUME_HOST, &H, 1000, &peer),
                 RELAY_RESUME_WAITING);
    cr_assert_null(peer);
    /* a different ticket does not match */
    cr_assert_eq(relay_resume_present(t, T2, RELAY_RESUME_VIEWER, &V, 2000, &peer),
                 RELAY_RESUME_WAITING);
    relay_resume_forget(t, &V);
    cr_assert_eq(relay_resume_present(t, T1, RELAY_RESUME_VIEWER, &V, 2000, &peer),
                 RELAY_RESUME_MATCHED);
    cr_assert_eq(peer, &H);
    /* used: neither side (nor anyone else with the ticket) can pair on it again */
    cr_assert_eq(relay_resume_present(t, T1, RELAY_RESUME_VIEWER, &X, 3000, &peer),
                 RELAY_RESUME_E_USED);
    cr_assert_eq(relay_resume_present(t, T1, RELAY_RESUME_HOST, &X, 3000, &peer),
                 RELAY_RESUME_E_USED);
    /* after the window the used ticket is dropped */
    void *gone[4];
    cr_assert_eq(relay_resume_expire(t, 61001, gone, 4), 0);
    cr_assert_eq(relay_resume_count(t), 0);
    relay_resume_free(t);
}

Test(relay_resume, same_side_twice_refused)
{
    struct relay_resume *t = relay_resume_new(60000, 0);
    void *peer;
    cr_assert_eq(relay_resume_present(t, T1, RELAY_RESUME_VIEWER, &V, 0, &peer),
                 RELAY_RESUME_WAITING);
    cr_assert_eq(relay_resume_present(t, T1, RELAY_RESUME_VIEWER, &X, 10, &peer),
                 RELAY_RESUME_E_USED);
    cr_assert_eq(relay_resume_present(t, T1, RELAY_RESUME_HOST, &H, 20, &peer),
                 RELAY_RESUME_MATCHED);
    cr_assert_eq(peer, &V);
    relay_resume_free(t);
}

Test(relay_resume, window_expires_waiting_side)
{
    struct relay_resume *t = relay_resume_new(5000, 0);
    void *peer, *gone[4];
    cr_assert_eq(relay_resume_present(t, T1, RELAY_RESUME_HOST, &H, 100, &peer),
                 RELAY_RESUME_WAITING);
    cr_assert_eq(relay_resume_expire(t, 5099, gone, 4), 0);
    /* the other side arriving after the window does not pair with the stale one */
    cr_assert_eq(relay_resume_present(t, T1, RELAY_RESUME_VIEWER, &V, 5100, &peer),
                 RELAY_RESUME_E_USED);
    cr_assert_eq(relay_resume_expire(t, 5100, gone, 4), 1);
    cr_assert_eq(gone[0], &H);
    cr_assert_eq(relay_resume_count(t), 0);
    relay_resume_free(t);
}

Test(relay_resume, full_and_bad_args)
{
    struct relay_resume *t = relay_resume_new(60000, 2);
    void *peer;
    uint8_t k[RELAY_RESUME_TICKET_LEN] = {0};
    for (int i = 0; i < 2; i++) {
        k[0] = (uint8_t)i;
        cr_assert_eq(relay_resume_present(t, k, RELAY_RESUME_HOST, &H, 0, &peer),
                     RELAY_RESUME_WAITING);
    }
    k[0] = 7;
    cr_assert_eq(relay_resume_present(t, k, RELAY_RESUME_HOST, &H, 0, &peer), RELAY_RESUME_E_FULL);
    cr_assert_eq(relay_resume_present(t, k, (enum relay_resume_role)5, &H, 0, &peer),
                 RELAY_RESUME_E_ARG);
    cr_assert_eq(relay_resume_present(t, NULL, RELAY_RESUME_HOST, &H, 0, &peer),
                 RELAY_RESUME_E_ARG);
    relay_resume_free(t);
}
