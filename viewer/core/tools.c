/* The operator's tool model (sasae/tools.h): the tool rules over the pen and pointer of
 * annot.c. */
#include "sasae/tools.h"

#include <string.h>

void sasae_tools_init(struct sasae_tools *t, const struct sasae_tools_out *out)
{
    memset(t, 0, sizeof *t);
    t->tool = SASAE_TOOL_POINTER;
    t->out = *out;
    sasae_pen_init(&t->pen);
}

/* The one way the tool changes: the hand goes from the customer's screen whenever the
 * pointer goes off, however that happens (another tool, the same tool again, control
 * granted), and the throttle's waiting position is dropped so a tick cannot show it again. */
static void set_tool(struct sasae_tools *t, enum sasae_tool tool)
{
    if (t->tool == SASAE_TOOL_POINTER && tool != SASAE_TOOL_POINTER && sasae_pointer_hide(&t->ptr))
        t->out.pointer(t->out.user, t->ptr.x, t->ptr.y, false);
    t->tool = tool;
}

void sasae_tools_select(struct sasae_tools *t, enum sasae_tool tool, uint64_t now_ns)
{
    if (t->ended)
        return;
    if (t->pen.down) /* the stroke ends where it is */
        sasae_pen_up(&t->pen, t->pen.pts[t->pen.n - 1][0], t->pen.pts[t->pen.n - 1][1], now_ns,
                     t->out.pen, t->out.user);
    set_tool(t, t->tool == tool ? SASAE_TOOL_NONE : tool);
}

bool sasae_tools_draws(const struct sasae_tools *t)
{
    return t->tool == SASAE_TOOL_PEN || t->tool == SASAE_TOOL_HIGHLIGHTER;
}

bool sasae_tools_drawing(const struct sasae_tools *t)
{
    return t->pen.down;
}

void sasae_tools_press(struct sasae_tools *t, int32_t x, int32_t y, uint64_t now_ns)
{
    if (t->ended)
        return;
    if (!sasae_tools_draws(t))
        return;
    int width = t->tool == SASAE_TOOL_HIGHLIGHTER ? SASAE_PEN_WIDTH_HIGHLIGHTER : SASAE_PEN_WIDTH;
    sasae_pen_down(&t->pen, x, y, width, now_ns, t->out.pen, t->out.user);
}

void sasae_tools_drag(struct sasae_tools *t, int32_t x, int32_t y, uint64_t now_ns)
{
    if (t->ended)
        return;
    sasae_pen_move(&t->pen, x, y, now_ns, t->out.pen, t->out.user);
}

void sasae_tools_release(struct sasae_tools *t, int32_t x, int32_t y, uint64_t now_ns)
{
    if (t->ended)
        return;
    sasae_pen_up(&t->pen, x, y, now_ns, t->out.pen, t->out.user);
}

void sasae_tools_point(struct sasae_tools *t, int32_t x, int32_t y, bool inside, uint64_t now_ns)
{
    if (t->ended)
        return;
    if (t->tool != SASAE_TOOL_POINTER)
        return;
    if (sasae_pointer_move(&t->ptr, x, y, inside, now_ns))
        t->out.pointer(t->out.user, t->ptr.x, t->ptr.y, t->ptr.visible);
}

int sasae_tools_undo(struct sasae_tools *t)
{
    if (t->ended)
        return 0;
    uint32_t ids[SASAE_PEN_UNDO_IDS];
    int n = sasae_pen_undo(&t->pen, ids, SASAE_PEN_UNDO_IDS);
    for (int i = 0; i < n; i++)
        t->out.pen_undo(t->out.user, ids[i]);
    return n;
}

void sasae_tools_clear(struct sasae_tools *t)
{
    if (t->ended)
        return;
    sasae_pen_reset(&t->pen);
    t->out.pen_clear(t->out.user);
}

bool sasae_tools_can_undo(const struct sasae_tools *t)
{
    return sasae_pen_can_undo(&t->pen);
}

void sasae_tools_tick(struct sasae_tools *t, uint64_t now_ns)
{
    if (t->ended)
        return;
    if (t->tool == SASAE_TOOL_POINTER && sasae_pointer_tick(&t->ptr, now_ns))
        t->out.pointer(t->out.user, t->ptr.x, t->ptr.y, t->ptr.visible);
    sasae_pen_tick(&t->pen, now_ns, t->out.pen, t->out.user);
}

void sasae_tools_control_granted(struct sasae_tools *t)
{
    if (t->ended)
        return;
    if (t->tool == SASAE_TOOL_POINTER)
        set_tool(t, SASAE_TOOL_NONE);
}

void sasae_tools_session_ended(struct sasae_tools *t)
{
    t->ended = true;
    sasae_pen_reset(&t->pen);
}
