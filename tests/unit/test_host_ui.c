/* Unit tests for the customer UI's shared logic (no display): answers given together. */
#include <criterion/criterion.h>

#include "ui.h"

Test(host_ui, a_stop_wins_over_an_allow_in_the_same_batch)
{
    enum host_ui_answer allows[] = {HOST_UI_ALLOW, HOST_UI_CONTROL_ALLOW};
    enum host_ui_answer stops[] = {HOST_UI_DENY, HOST_UI_CONTROL_DENY, HOST_UI_WINDOW_CLOSE,
                                   HOST_UI_END, HOST_UI_STOP_CONTROL};
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 5; j++) {
            cr_assert_eq(host_ui_answer_merge(allows[i], stops[j]), stops[j], "%s then %s",
                         host_ui_answer_str(allows[i]), host_ui_answer_str(stops[j]));
            cr_assert_eq(host_ui_answer_merge(stops[j], allows[i]), stops[j], "%s then %s",
                         host_ui_answer_str(stops[j]), host_ui_answer_str(allows[i]));
        }
    cr_assert_eq(host_ui_answer_merge(HOST_UI_DENY, HOST_UI_END), HOST_UI_END);
    cr_assert_eq(host_ui_answer_merge(HOST_UI_WINDOW_CLOSE, HOST_UI_CONTROL_DENY),
                 HOST_UI_WINDOW_CLOSE);
    cr_assert_eq(host_ui_answer_merge(HOST_UI_STOP_CONTROL, HOST_UI_CONTROL_DENY),
                 HOST_UI_CONTROL_DENY);
    cr_assert_eq(host_ui_answer_merge(HOST_UI_NONE, HOST_UI_ALLOW), HOST_UI_ALLOW);
    cr_assert_eq(host_ui_answer_merge(HOST_UI_ALLOW, HOST_UI_NONE), HOST_UI_ALLOW);
    cr_assert_eq(host_ui_answer_merge(HOST_UI_NONE, HOST_UI_NONE), HOST_UI_NONE);
}
