/* Unit tests for the operator's tool model (viewer/core/tools.c): choosing a tool toggles
 * it, leaving the pointer hides the hand, a tool change ends the stroke being drawn, the
 * pen's and highlighter's widths, undo and clear go out, control granted puts the pointer
 * away, the session's end drops the stroke silently, tick flushes what the throttles hold. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "sasae/tools.h"

#define MS 1000000ull

/* Everything the model sent, in order. */
enum kind { K_PEN, K_UNDO, K_CLEAR, K_POINTER };
struct msg {
    enum kind kind;
    uint32_t id;
    int n, width;
    bool final, visible;
    int32_t x, y; /* pointer position, or a piece's last point */
};
static struct msg got[256];
static int ngot;

static void push(struct msg m)
{
    cr_assert_lt(ngot, 256);
    got[ngot++] = m;
}
static void on_pen(void *u, uint32_t id, const int32_t *xy, int n, bool final, int width)
{
    cr_assert_eq(u, got);
    push((struct msg){K_PEN, id, n, width, final, false, xy[2 * (n - 1)], xy[2 * (n - 1) + 1]});
}
static void on_undo(void *u, uint32_t id)
{
    cr_assert_eq(u, got);
    push((struct msg){.kind = K_UNDO, .id = id});
}
static void on_clear(void *u)
{
    cr_assert_eq(u, got);
    push((struct msg){.kind = K_CLEAR});
}
static void on_pointer(void *u, int32_t x, int32_t y, bool visible)
{
    cr_assert_eq(u, got);
    push((struct msg){.kind = K_POINTER, .visible = visible, .x = x, .y = y});
}

static struct sasae_tools *tools_new(void)
{
    struct sasae_tools *t = malloc(sizeof *t);
    cr_assert_not_null(t);
    struct sasae_tools_out out = {got, on_pen, on_undo, on_clear, on_pointer};
    sasae_tools_init(t, &out);
    ngot = 0;
    return t;
}

Test(viewer_tools, starts_with_the_pointer_and_nothing_to_undo)
{
    struct sasae_tools *t = tools_new();
    cr_assert_eq(t->tool, SASAE_TOOL_POINTER);
    cr_assert_not(sasae_tools_draws(t));
    cr_assert_not(sasae_tools_drawing(t));
    cr_assert_not(sasae_tools_can_undo(t));
    cr_assert_eq(sasae_tools_undo(t), 0);
    cr_assert_eq(ngot, 0);
    free(t);
}

Test(viewer_tools, choosing_the_tool_that_is_on_puts_it_away)
{
    struct sasae_tools *t = tools_new();
    sasae_tools_select(t, SASAE_TOOL_PEN, 0);
    cr_assert_eq(t->tool, SASAE_TOOL_PEN);
    cr_assert(sasae_tools_draws(t));
    sasae_tools_select(t, SASAE_TOOL_HIGHLIGHTER, 0);
    cr_assert_eq(t->tool, SASAE_TOOL_HIGHLIGHTER);
    cr_assert(sasae_tools_draws(t));
    sasae_tools_select(t, SASAE_TOOL_HIGHLIGHTER, 0);
    cr_assert_eq(t->tool, SASAE_TOOL_NONE);
    cr_assert_not(sasae_tools_draws(t));
    cr_assert_eq(ngot, 0, "the hand was never shown: nothing to hide");
    free(t);
}

Test(viewer_tools, leaving_the_pointer_hides_the_hand_once)
{
    struct sasae_tools *t = tools_new();
    sasae_tools_point(t, 100, 200, true, 1 * MS);
    cr_assert_eq(ngot, 1);
    cr_assert(got[0].kind == K_POINTER && got[0].visible && got[0].x == 100 && got[0].y == 200);
    sasae_tools_select(t, SASAE_TOOL_PEN, 2 * MS);
    cr_assert_eq(ngot, 2);
    cr_assert(got[1].kind == K_POINTER && !got[1].visible && got[1].x == 100 && got[1].y == 200);
    /* back to the pointer and away again without a move: already hidden */
    sasae_tools_select(t, SASAE_TOOL_POINTER, 3 * MS);
    sasae_tools_select(t, SASAE_TOOL_HIGHLIGHTER, 4 * MS);
    cr_assert_eq(ngot, 2);
    free(t);
}

Test(viewer_tools, choosing_the_pointer_again_hides_the_hand_at_once)
{
    struct sasae_tools *t = tools_new();
    sasae_tools_point(t, 100, 200, true, 1 * MS);
    sasae_tools_point(t, 110, 210, true, 2 * MS); /* held by the throttle */
    cr_assert_eq(ngot, 1);
    sasae_tools_select(t, SASAE_TOOL_POINTER, 3 * MS);
    cr_assert_eq(t->tool, SASAE_TOOL_NONE);
    cr_assert_eq(ngot, 2, "turning the pointer off must hide the hand");
    cr_assert(got[1].kind == K_POINTER && !got[1].visible);
    sasae_tools_tick(t, 500 * MS); /* the held position must not show the hand again */
    cr_assert_eq(ngot, 2);
    free(t);
}

Test(viewer_tools, control_granted_hides_the_hand_and_no_tick_shows_it)
{
    struct sasae_tools *t = tools_new();
    sasae_tools_point(t, 5, 6, true, 1 * MS);
    sasae_tools_point(t, 7, 8, true, 2 * MS); /* held by the throttle */
    sasae_tools_control_granted(t);
    cr_assert_eq(t->tool, SASAE_TOOL_NONE);
    cr_assert_eq(ngot, 2, "control granted must hide the hand");
    cr_assert(got[1].kind == K_POINTER && !got[1].visible);
    sasae_tools_tick(t, 500 * MS);
    cr_assert_eq(ngot, 2);
    free(t);
}

Test(viewer_tools, the_hand_follows_only_while_the_pointer_is_on)
{
    struct sasae_tools *t = tools_new();
    sasae_tools_select(t, SASAE_TOOL_PEN, 0);
    sasae_tools_point(t, 10, 10, true, 100 * MS);
    sasae_tools_tick(t, 500 * MS);
    cr_assert_eq(ngot, 0);
    free(t);
}

Test(viewer_tools, pointer_moves_are_throttled_and_tick_sends_the_last)
{
    struct sasae_tools *t = tools_new();
    sasae_tools_point(t, 1, 1, true, 1000 * MS);
    sasae_tools_point(t, 2, 2, true, 1001 * MS); /* within 33 ms: held */
    sasae_tools_point(t, 3, 3, true, 1002 * MS);
    cr_assert_eq(ngot, 1);
    sasae_tools_tick(t, 1010 * MS);
    cr_assert_eq(ngot, 1);
    sasae_tools_tick(t, 1000 * MS + SASAE_POINTER_NS);
    cr_assert_eq(ngot, 2);
    cr_assert(got[1].kind == K_POINTER && got[1].visible && got[1].x == 3 && got[1].y == 3);
    sasae_tools_point(t, 0, 0, false, 1034 * MS); /* leaving the picture hides at once */
    cr_assert_eq(ngot, 3);
    cr_assert(got[2].kind == K_POINTER && !got[2].visible);
    free(t);
}

Test(viewer_tools, pen_and_highlighter_draw_at_their_widths)
{
    struct sasae_tools *t = tools_new();
    sasae_tools_press(t, 5, 5, 0); /* the pointer does not draw */
    cr_assert_not(sasae_tools_drawing(t));
    sasae_tools_select(t, SASAE_TOOL_PEN, 0);
    sasae_tools_press(t, 5, 5, 0);
    cr_assert(sasae_tools_drawing(t));
    sasae_tools_drag(t, 6, 6, 1 * MS);
    sasae_tools_release(t, 7, 7, 2 * MS);
    cr_assert_not(sasae_tools_drawing(t));
    cr_assert_eq(ngot, 1);
    cr_assert(got[0].kind == K_PEN && got[0].final && got[0].n == 3 && got[0].id == 1);
    cr_assert_eq(got[0].width, SASAE_PEN_WIDTH);
    sasae_tools_select(t, SASAE_TOOL_HIGHLIGHTER, 3 * MS);
    sasae_tools_press(t, 1, 1, 4 * MS);
    sasae_tools_release(t, 9, 9, 5 * MS);
    cr_assert_eq(ngot, 2);
    cr_assert(got[1].kind == K_PEN && got[1].final && got[1].id == 2);
    cr_assert_eq(got[1].width, SASAE_PEN_WIDTH_HIGHLIGHTER);
    free(t);
}

Test(viewer_tools, a_tool_change_mid_stroke_ends_it_where_it_is)
{
    struct sasae_tools *t = tools_new();
    sasae_tools_select(t, SASAE_TOOL_PEN, 0);
    sasae_tools_press(t, 10, 20, 0);
    sasae_tools_drag(t, 30, 40, 1 * MS);
    cr_assert_not(sasae_tools_can_undo(t), "no undo while drawing");
    cr_assert_eq(sasae_tools_undo(t), 0);
    sasae_tools_select(t, SASAE_TOOL_HIGHLIGHTER, 2 * MS);
    cr_assert_not(sasae_tools_drawing(t));
    cr_assert_eq(t->tool, SASAE_TOOL_HIGHLIGHTER);
    cr_assert_eq(ngot, 1);
    cr_assert(got[0].kind == K_PEN && got[0].final && got[0].x == 30 && got[0].y == 40);
    cr_assert(sasae_tools_can_undo(t));
    free(t);
}

Test(viewer_tools, undo_takes_back_the_newest_stroke_then_the_one_before)
{
    struct sasae_tools *t = tools_new();
    sasae_tools_select(t, SASAE_TOOL_PEN, 0);
    for (int s = 0; s < 2; s++) {
        sasae_tools_press(t, s, 0, 0);
        sasae_tools_release(t, s, 9, 1 * MS);
    }
    ngot = 0;
    cr_assert_eq(sasae_tools_undo(t), 1);
    cr_assert(ngot == 1 && got[0].kind == K_UNDO && got[0].id == 2);
    cr_assert_eq(sasae_tools_undo(t), 1);
    cr_assert(ngot == 2 && got[1].kind == K_UNDO && got[1].id == 1);
    cr_assert_not(sasae_tools_can_undo(t));
    cr_assert_eq(sasae_tools_undo(t), 0);
    cr_assert_eq(ngot, 2);
    free(t);
}

Test(viewer_tools, clear_goes_out_and_forgets_the_history)
{
    struct sasae_tools *t = tools_new();
    sasae_tools_select(t, SASAE_TOOL_PEN, 0);
    sasae_tools_press(t, 0, 0, 0);
    sasae_tools_release(t, 5, 5, 1 * MS);
    ngot = 0;
    sasae_tools_clear(t);
    cr_assert(ngot == 1 && got[0].kind == K_CLEAR);
    cr_assert_not(sasae_tools_can_undo(t));
    cr_assert_eq(sasae_tools_undo(t), 0);
    free(t);
}

Test(viewer_tools, control_granted_puts_only_the_pointer_away)
{
    struct sasae_tools *t = tools_new();
    sasae_tools_control_granted(t);
    cr_assert_eq(t->tool, SASAE_TOOL_NONE);
    sasae_tools_select(t, SASAE_TOOL_PEN, 0);
    sasae_tools_control_granted(t);
    cr_assert_eq(t->tool, SASAE_TOOL_PEN);
    cr_assert_eq(ngot, 0);
    free(t);
}

Test(viewer_tools, the_session_end_drops_the_stroke_without_sending)
{
    struct sasae_tools *t = tools_new();
    sasae_tools_select(t, SASAE_TOOL_PEN, 0);
    sasae_tools_press(t, 0, 0, 0);
    sasae_tools_release(t, 1, 1, 1 * MS);
    sasae_tools_press(t, 2, 2, 2 * MS);
    sasae_tools_drag(t, 3, 3, 3 * MS); /* waits for the 40 ms flush */
    ngot = 0;
    sasae_tools_session_ended(t);
    cr_assert_not(sasae_tools_drawing(t));
    cr_assert_not(sasae_tools_can_undo(t));
    sasae_tools_tick(t, 1000 * MS);
    sasae_tools_drag(t, 4, 4, 1001 * MS);
    sasae_tools_release(t, 5, 5, 1002 * MS);
    cr_assert_eq(ngot, 0);
    free(t);
}

Test(viewer_tools, nothing_is_sent_after_the_session_end)
{
    struct sasae_tools *t = tools_new();
    sasae_tools_point(t, 10, 10, true, 1 * MS);
    sasae_tools_point(t, 20, 20, true, 2 * MS); /* held by the throttle */
    ngot = 0;
    sasae_tools_session_ended(t);
    sasae_tools_tick(t, 500 * MS);
    sasae_tools_point(t, 30, 30, true, 600 * MS);
    sasae_tools_select(t, SASAE_TOOL_PEN, 700 * MS);
    sasae_tools_press(t, 0, 0, 800 * MS);
    sasae_tools_drag(t, 9, 9, 900 * MS);
    sasae_tools_release(t, 9, 9, 1000 * MS);
    cr_assert_eq(sasae_tools_undo(t), 0);
    sasae_tools_clear(t);
    sasae_tools_control_granted(t);
    cr_assert_eq(ngot, 0);
    free(t);
}

Test(viewer_tools, tick_sends_waiting_pen_points_after_the_flush_delay)
{
    struct sasae_tools *t = tools_new();
    sasae_tools_select(t, SASAE_TOOL_PEN, 0);
    sasae_tools_press(t, 0, 0, 1000 * MS);
    sasae_tools_drag(t, 1, 1, 1001 * MS);
    sasae_tools_tick(t, 1001 * MS + SASAE_PEN_FLUSH_NS / 2);
    cr_assert_eq(ngot, 0);
    sasae_tools_tick(t, 1000 * MS + SASAE_PEN_FLUSH_NS);
    cr_assert_eq(ngot, 1);
    cr_assert(got[0].kind == K_PEN && !got[0].final && got[0].n == 2 && got[0].x == 1);
    free(t);
}
