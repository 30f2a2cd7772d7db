/* The operator's annotation tools as pure logic (no SDL, no clock, no network): the red pen
 * (points batched into PEN_STROKE pieces, long strokes split, an undo history of whole
 * strokes) and the pointing hand (moves throttled to ~30 messages a second, the last one
 * always delivered). The window feeds them screen coordinates and the time, and sends what
 * they hand back through a callback. */
#ifndef SASAE_ANNOT_H
#define SASAE_ANNOT_H

#include <stdbool.h>
#include <stdint.h>

#define SASAE_PEN_MAX_POINTS 4096      /* per PEN_STROKE message and per stroke id */
#define SASAE_PEN_PIECE 64             /* a piece goes out every 64 new points ... */
#define SASAE_PEN_FLUSH_NS 40000000u   /* ... or 40 ms after the last one */
#define SASAE_PEN_HISTORY 256          /* strokes undo remembers (the host keeps 256) */
#define SASAE_PEN_UNDO_IDS 16          /* ids one drawn stroke may span (16 x 4096 points) */
#define SASAE_PEN_WIDTH 4              /* the red pen, pixels of the customer's screen */
#define SASAE_PEN_WIDTH_HIGHLIGHTER 24 /* the thick "highlighter" pen */
#define SASAE_POINTER_NS 33000000u     /* pointer messages at most ~30 a second */

/* Sends one piece of stroke `id`: n points (x, y pairs), final on the stroke's last piece. */
typedef void (*sasae_pen_send_fn)(void *user, uint32_t id, const int32_t *xy, int n, bool final,
                                  int width);

struct sasae_pen {
    bool down;
    int width;
    uint32_t next_id;  /* the id the next stroke gets */
    uint32_t id;       /* the stroke being drawn */
    uint32_t first_id; /* where the drawn stroke began (it may span ids) */
    int32_t pts[SASAE_PEN_MAX_POINTS][2];
    int n, sent;
    uint64_t last_ns; /* when the last piece went out */
    struct {
        uint32_t first, last;
    } hist[SASAE_PEN_HISTORY]; /* finished strokes, oldest first */
    int nhist;
};

/* Starts empty; the first stroke gets id 1. */
void sasae_pen_init(struct sasae_pen *p);
/* Pen pressed at screen point (x, y) with a width (1..64): a new stroke starts. */
void sasae_pen_down(struct sasae_pen *p, int32_t x, int32_t y, int width, uint64_t now_ns,
                    sasae_pen_send_fn send, void *user);
/* Pen moved: the point joins the stroke (repeats of the last point are skipped); a piece
 * goes out when SASAE_PEN_PIECE points wait or SASAE_PEN_FLUSH_NS passed. A stroke reaching
 * SASAE_PEN_MAX_POINTS is closed and continues under the next id from its last point. */
void sasae_pen_move(struct sasae_pen *p, int32_t x, int32_t y, uint64_t now_ns,
                    sasae_pen_send_fn send, void *user);
/* Pen released at (x, y): the rest goes out as the final piece; the stroke joins the undo
 * history. */
void sasae_pen_up(struct sasae_pen *p, int32_t x, int32_t y, uint64_t now_ns,
                  sasae_pen_send_fn send, void *user);
/* Time passed without movement: sends what waits once SASAE_PEN_FLUSH_NS passed. */
void sasae_pen_tick(struct sasae_pen *p, uint64_t now_ns, sasae_pen_send_fn send, void *user);
/* Undo: takes the last finished stroke off the history and writes the ids to remove (one
 * PEN_UNDO each) into ids[cap]. Returns how many (0: nothing to undo, or drawing now). */
int sasae_pen_undo(struct sasae_pen *p, uint32_t *ids, int cap);
/* Clear (or the session ended): the history is forgotten; a stroke being drawn is dropped
 * without sending more. */
void sasae_pen_reset(struct sasae_pen *p);
/* Whether undo has something to take back. */
bool sasae_pen_can_undo(const struct sasae_pen *p);

/* The pointing hand's messages. */
struct sasae_pointer {
    bool visible; /* as last sent */
    bool pending; /* a position waits for the throttle */
    int32_t x, y;
    uint64_t last_ns;
};

/* The operator's mouse at screen (x, y), inside the picture or not, at now_ns. Returns true
 * when a POINTER message with p->x, p->y, p->visible is to go out now: at most one per
 * SASAE_POINTER_NS, except leaving the picture (hidden at once). */
bool sasae_pointer_move(struct sasae_pointer *p, int32_t x, int32_t y, bool inside,
                        uint64_t now_ns);
/* Time passed: true when the throttled last position is to go out now. */
bool sasae_pointer_tick(struct sasae_pointer *p, uint64_t now_ns);
/* The tool changed away from the pointer: true when a "hidden" message is to go out. */
bool sasae_pointer_hide(struct sasae_pointer *p);

#endif
