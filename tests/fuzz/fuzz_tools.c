/* libFuzzer target: random sequences of the operator's tool events (sasae_tools_*: select,
 * press, drag, release, pointer moves, undo, clear, tick, control granted, the session's
 * end) with the window's gating (drag and release only during a stroke), and the rules of
 * sasae/tools.h checked on every message against a model kept here from the events and the
 * messages alone:
 * - nothing is sent after the session's end;
 * - no "hand visible" message while the pointer tool is off, and after every event the hand
 *   is hidden on the customer's screen unless the pointer is on;
 * - stroke ids increase: a new stroke's id is above every id sent before, and no piece
 *   follows a stroke's final piece;
 * - undo names only a stroke that was sent whole and not yet undone or cleared.
 * Input: 4 bytes per event: event, x, y, time step (0..255 ms). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/tools.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

#define MAX_IDS 65536u

enum stroke_state { S_UNKNOWN, S_OPEN, S_FINISHED, S_GONE };

struct model {
    bool ended;
    enum sasae_tool tool; /* what the tool should be, from the events alone */
    bool hand_shown;      /* what the customer's screen shows, from the messages */
    uint32_t max_id;
    uint8_t stroke[MAX_IDS];
};

static void on_pen(void *u, uint32_t id, const int32_t *xy, int n, bool final, int width)
{
    struct model *m = u;
    (void)xy;
    CHECK(!m->ended);
    CHECK(n > 0 && n <= SASAE_PEN_MAX_POINTS);
    CHECK(width == SASAE_PEN_WIDTH || width == SASAE_PEN_WIDTH_HIGHLIGHTER);
    CHECK(id > 0 && id < MAX_IDS);
    if (m->stroke[id] == S_UNKNOWN) { /* a new stroke: above every id before */
        CHECK(id > m->max_id);
        m->max_id = id;
    } else {
        CHECK(m->stroke[id] == S_OPEN);
    }
    m->stroke[id] = final ? S_FINISHED : S_OPEN;
}

static void on_undo(void *u, uint32_t id)
{
    struct model *m = u;
    CHECK(!m->ended);
    CHECK(id < MAX_IDS && m->stroke[id] == S_FINISHED);
    m->stroke[id] = S_GONE;
}

static void on_clear(void *u)
{
    struct model *m = u;
    CHECK(!m->ended);
    for (uint32_t id = 1; id <= m->max_id; id++)
        if (m->stroke[id] != S_UNKNOWN)
            m->stroke[id] = S_GONE;
}

static void on_pointer(void *u, int32_t x, int32_t y, bool visible)
{
    struct model *m = u;
    (void)x;
    (void)y;
    CHECK(!m->ended);
    CHECK(!visible || m->tool == SASAE_TOOL_POINTER);
    m->hand_shown = visible;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    struct model *m = calloc(1, sizeof *m);
    struct sasae_tools *t = malloc(sizeof *t);
    if (!m || !t)
        abort();
    struct sasae_tools_out out = {m, on_pen, on_undo, on_clear, on_pointer};
    sasae_tools_init(t, &out);
    m->tool = SASAE_TOOL_POINTER;
    uint64_t now = 1000000000ull;
    for (size_t i = 0; i + 4 <= n; i += 4) {
        int32_t x = d[i + 1] * 8, y = d[i + 2] * 8;
        now += (uint64_t)d[i + 3] * 1000000ull;
        switch (d[i] % 12) {
        case 0:
        case 1: { /* the toolbar's three tools (or their keys) */
            enum sasae_tool tool = (enum sasae_tool)(SASAE_TOOL_POINTER + d[i + 1] % 3);
            if (!m->ended)
                m->tool = m->tool == tool ? SASAE_TOOL_NONE : tool;
            sasae_tools_select(t, tool, now);
            break;
        }
        case 2:
            if (sasae_tools_draws(t))
                sasae_tools_press(t, x, y, now);
            break;
        case 3:
        case 4:
            if (sasae_tools_drawing(t))
                sasae_tools_drag(t, x, y, now);
            break;
        case 5:
            if (sasae_tools_drawing(t))
                sasae_tools_release(t, x, y, now);
            break;
        case 6:
        case 7:
            sasae_tools_point(t, x, y, d[i + 3] % 8 != 0, now);
            break;
        case 8: {
            int k = sasae_tools_undo(t);
            CHECK(k >= 0 && k <= SASAE_PEN_UNDO_IDS);
            break;
        }
        case 9:
            if (d[i + 1] % 4 == 0) /* rarer: it forgets everything */
                sasae_tools_clear(t);
            else
                sasae_tools_tick(t, now);
            break;
        case 10:
            if (!m->ended && m->tool == SASAE_TOOL_POINTER)
                m->tool = SASAE_TOOL_NONE;
            sasae_tools_control_granted(t);
            break;
        case 11:
            if (d[i + 1] % 8 == 0) { /* rarer: the rest only checks that nothing goes out */
                sasae_tools_session_ended(t);
                m->ended = true;
            } else {
                sasae_tools_tick(t, now);
            }
            break;
        }
        if (!m->ended) {
            CHECK(t->tool == m->tool);
            CHECK(m->tool == SASAE_TOOL_POINTER || !m->hand_shown);
            CHECK(sasae_tools_draws(t) ==
                  (m->tool == SASAE_TOOL_PEN || m->tool == SASAE_TOOL_HIGHLIGHTER));
            CHECK(!sasae_tools_drawing(t) || sasae_tools_draws(t));
        }
    }
    free(t);
    free(m);
    return 0;
}
