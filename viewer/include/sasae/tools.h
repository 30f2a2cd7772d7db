/* The operator's tools as one pure model (no SDL, no clock, no network): which tool is on
 * (the pointing hand, the pen, the highlighter or none), the pen and pointer of
 * sasae/annot.h under it, and the rules between them, so the window only maps its events
 * to screen coordinates and sends what comes out:
 * - choosing the tool that is on puts it away (no tool);
 * - the pointer going off, however (another tool, the pointer chosen again, control
 *   granted), hides the hand on the customer's screen at once, and no later tick shows it;
 * - a tool change in the middle of a stroke ends the stroke where it is;
 * - control granted puts the pointer away (plain mouse use then goes to the customer);
 * - the session's end drops the stroke being drawn and the undo history, sending nothing,
 *   and nothing is sent after it (the window keeps feeding events to the end screen).
 * Time is passed in; what is to be sent goes out through struct sasae_tools_out. */
#ifndef SASAE_TOOLS_H
#define SASAE_TOOLS_H

#include <stdbool.h>
#include <stdint.h>

#include "sasae/annot.h"

enum sasae_tool { SASAE_TOOL_NONE, SASAE_TOOL_POINTER, SASAE_TOOL_PEN, SASAE_TOOL_HIGHLIGHTER };

/* Where the model's messages go (all set; user is passed back to each). */
struct sasae_tools_out {
    void *user;
    sasae_pen_send_fn pen; /* one piece of a stroke (PEN_STROKE) */
    void (*pen_undo)(void *user, uint32_t stroke_id);
    void (*pen_clear)(void *user);
    void (*pointer)(void *user, int32_t x, int32_t y, bool visible);
};

struct sasae_tools {
    enum sasae_tool tool;
    struct sasae_pen pen;     /* read only outside tools.c (the window previews the stroke) */
    struct sasae_pointer ptr; /* read only outside tools.c */
    struct sasae_tools_out out;
    bool ended; /* the session ended: every call is ignored */
};

/* Starts with the pointer on, no stroke and nothing to undo; out is copied. */
void sasae_tools_init(struct sasae_tools *t, const struct sasae_tools_out *out);
/* The operator chose tool (a toolbar button or its key): on, or off if it was on already.
 * Ends a stroke being drawn and hides the hand when the pointer goes off. */
void sasae_tools_select(struct sasae_tools *t, enum sasae_tool tool, uint64_t now_ns);
/* Whether a press in the picture starts a stroke (the pen or the highlighter is on). */
bool sasae_tools_draws(const struct sasae_tools *t);
/* Whether a stroke is being drawn (presses, drags and releases belong to it). */
bool sasae_tools_drawing(const struct sasae_tools *t);
/* The mouse pressed at screen point (x, y): a stroke starts at the tool's width. Nothing
 * unless sasae_tools_draws(). */
void sasae_tools_press(struct sasae_tools *t, int32_t x, int32_t y, uint64_t now_ns);
/* The mouse dragged to (x, y) during a stroke: the point joins it (batched; annot.h). */
void sasae_tools_drag(struct sasae_tools *t, int32_t x, int32_t y, uint64_t now_ns);
/* The mouse released at (x, y): the stroke ends and joins the undo history. */
void sasae_tools_release(struct sasae_tools *t, int32_t x, int32_t y, uint64_t now_ns);
/* The mouse at screen (x, y), inside the picture or not, while the pointer is on: the hand
 * follows (throttled; annot.h). Nothing with another tool. */
void sasae_tools_point(struct sasae_tools *t, int32_t x, int32_t y, bool inside, uint64_t now_ns);
/* Takes back the last finished stroke (one pen_undo per id it was sent under). Returns how
 * many ids were sent (0: nothing to undo, or a stroke is being drawn). */
int sasae_tools_undo(struct sasae_tools *t);
/* Clears every stroke on the customer's screen and forgets the undo history. */
void sasae_tools_clear(struct sasae_tools *t);
/* Whether undo has something to take back (the toolbar greys the button otherwise). */
bool sasae_tools_can_undo(const struct sasae_tools *t);
/* Time passed without input: the throttled pointer position (only while the pointer is on)
 * and the waiting pen points go out once their delays passed. */
void sasae_tools_tick(struct sasae_tools *t, uint64_t now_ns);
/* The customer granted control: the pointer is put away and the hand hidden (other tools
 * stay). */
void sasae_tools_control_granted(struct sasae_tools *t);
/* The session ended: the stroke and history are dropped, nothing more is sent (every later
 * call does nothing). */
void sasae_tools_session_ended(struct sasae_tools *t);

#endif
