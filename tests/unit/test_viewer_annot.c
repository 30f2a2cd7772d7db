/* Unit tests for the operator's pen and pointer model (viewer/core/annot.c): pieces repeat
 * the previous piece's last point, batching by count and time, long strokes split under new
 * ids, undo takes back whole strokes (all their ids) newest first, the pointer throttle. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "sasae/annot.h"

#define MS 1000000ull

struct piece {
    uint32_t id;
    int n, width;
    bool final;
    int32_t first[2], last[2];
};
static struct piece got[512];
static int ngot;

static void rec(void *user, uint32_t id, const int32_t *xy, int n, bool final, int width)
{
    (void)user;
    cr_assert_lt(ngot, 512);
    cr_assert(n >= 1 && n <= SASAE_PEN_MAX_POINTS);
    got[ngot++] =
        (struct piece){id, n, width, final, {xy[0], xy[1]}, {xy[2 * (n - 1)], xy[2 * (n - 1) + 1]}};
}

static struct sasae_pen *pen_new(void)
{
    struct sasae_pen *p = malloc(sizeof *p);
    cr_assert_not_null(p);
    sasae_pen_init(p);
    ngot = 0;
    return p;
}

Test(viewer_annot, short_stroke_is_one_final_piece)
{
    struct sasae_pen *p = pen_new();
    sasae_pen_down(p, 10, 10, SASAE_PEN_WIDTH, 0, rec, NULL);
    sasae_pen_move(p, 11, 10, 1 * MS, rec, NULL);
    sasae_pen_move(p, 11, 10, 2 * MS, rec, NULL); /* a repeat: skipped */
    sasae_pen_move(p, 12, 11, 3 * MS, rec, NULL);
    cr_assert_eq(ngot, 0, "nothing before 64 points or 40 ms");
    sasae_pen_up(p, 13, 12, 4 * MS, rec, NULL);
    cr_assert_eq(ngot, 1);
    cr_assert_eq(got[0].id, 1u);
    cr_assert_eq(got[0].n, 4);
    cr_assert(got[0].final);
    cr_assert_eq(got[0].width, SASAE_PEN_WIDTH);
    cr_assert(got[0].last[0] == 13 && got[0].last[1] == 12);
    free(p);
}

Test(viewer_annot, pieces_by_count_and_time_join_up)
{
    struct sasae_pen *p = pen_new();
    sasae_pen_down(p, 0, 0, SASAE_PEN_WIDTH_HIGHLIGHTER, 0, rec, NULL);
    for (int i = 1; i < 64; i++)
        sasae_pen_move(p, i, 0, 1 * MS, rec, NULL);
    cr_assert_eq(ngot, 1, "64 points: one piece");
    cr_assert_eq(got[0].n, 64);
    cr_assert(!got[0].final);
    cr_assert_eq(got[0].width, SASAE_PEN_WIDTH_HIGHLIGHTER);
    sasae_pen_move(p, 100, 5, 2 * MS, rec, NULL);
    sasae_pen_tick(p, 30 * MS, rec, NULL);
    cr_assert_eq(ngot, 1, "not yet 40 ms since the last piece");
    sasae_pen_tick(p, 42 * MS, rec, NULL);
    cr_assert_eq(ngot, 2, "40 ms: what waits goes out");
    /* the piece starts at the previous piece's last point, so the host joins them */
    cr_assert(got[1].first[0] == 63 && got[1].first[1] == 0);
    cr_assert(got[1].last[0] == 100 && got[1].last[1] == 5);
    sasae_pen_up(p, 100, 5, 43 * MS, rec, NULL);
    cr_assert_eq(ngot, 3);
    cr_assert(got[2].final);
    cr_assert_eq(got[2].n, 1);
    free(p);
}

Test(viewer_annot, long_stroke_splits_and_undoes_whole)
{
    struct sasae_pen *p = pen_new();
    sasae_pen_down(p, 0, 0, 4, 0, rec, NULL); /* stroke 1 */
    sasae_pen_up(p, 1, 1, 0, rec, NULL);
    sasae_pen_down(p, 0, 0, 4, 0, rec, NULL); /* stroke 2: 5000 points */
    for (int i = 1; i < 5000; i++)
        sasae_pen_move(p, i % 1000, i / 1000, 0, rec, NULL);
    sasae_pen_up(p, 999, 999, 0, rec, NULL);
    /* it went out as id 2 (4096 points, final) and id 3 from the last point on */
    bool two_final = false, three = false;
    for (int i = 0; i < ngot; i++) {
        two_final |= got[i].id == 2 && got[i].final;
        three |= got[i].id == 3;
    }
    cr_assert(two_final && three);
    uint32_t ids[SASAE_PEN_UNDO_IDS];
    cr_assert(sasae_pen_can_undo(p));
    int n = sasae_pen_undo(p, ids, SASAE_PEN_UNDO_IDS);
    cr_assert_eq(n, 2, "undo takes back the whole drawn stroke");
    cr_assert(ids[0] == 2 && ids[1] == 3);
    n = sasae_pen_undo(p, ids, SASAE_PEN_UNDO_IDS);
    cr_assert(n == 1 && ids[0] == 1, "then the one before");
    cr_assert_eq(sasae_pen_undo(p, ids, SASAE_PEN_UNDO_IDS), 0);
    cr_assert(!sasae_pen_can_undo(p));
    /* ids are never reused: a new stroke is 4 */
    ngot = 0;
    sasae_pen_down(p, 5, 5, 4, 0, rec, NULL);
    sasae_pen_up(p, 6, 6, 0, rec, NULL);
    cr_assert_eq(got[0].id, 4u);
    free(p);
}

Test(viewer_annot, undo_waits_for_the_pen_and_clear_forgets)
{
    struct sasae_pen *p = pen_new();
    uint32_t ids[4];
    sasae_pen_down(p, 0, 0, 4, 0, rec, NULL);
    sasae_pen_up(p, 3, 3, 0, rec, NULL);
    sasae_pen_down(p, 0, 0, 4, 0, rec, NULL);
    cr_assert_eq(sasae_pen_undo(p, ids, 4), 0, "no undo while drawing");
    sasae_pen_reset(p); /* clear, or End while drawing */
    int before = ngot;
    sasae_pen_move(p, 9, 9, 100 * MS, rec, NULL);
    sasae_pen_up(p, 9, 9, 100 * MS, rec, NULL);
    sasae_pen_tick(p, 200 * MS, rec, NULL);
    cr_assert_eq(ngot, before, "a dropped stroke sends nothing more");
    cr_assert_eq(sasae_pen_undo(p, ids, 4), 0, "clear forgot the history");
    free(p);
}

Test(viewer_annot, history_keeps_the_newest)
{
    struct sasae_pen *p = pen_new();
    uint32_t ids[4];
    for (int i = 0; i < SASAE_PEN_HISTORY + 10; i++) {
        sasae_pen_down(p, i, 0, 4, 0, rec, NULL);
        sasae_pen_up(p, i, 1, 0, rec, NULL);
    }
    int n = 0;
    uint32_t lastid = 0;
    while (sasae_pen_undo(p, ids, 4) == 1) {
        if (n == 0)
            lastid = ids[0];
        n++;
    }
    cr_assert_eq(n, SASAE_PEN_HISTORY);
    cr_assert_eq(lastid, (uint32_t)SASAE_PEN_HISTORY + 10);
    free(p);
}

Test(viewer_annot, pointer_throttle)
{
    struct sasae_pointer ptr = {0};
    cr_assert(!sasae_pointer_move(&ptr, 5, 5, false, 0), "outside and hidden: nothing");
    cr_assert(sasae_pointer_move(&ptr, 10, 20, true, 1 * MS), "appearing: at once");
    cr_assert(ptr.visible && ptr.x == 10 && ptr.y == 20);
    cr_assert(!sasae_pointer_move(&ptr, 11, 20, true, 5 * MS), "throttled");
    cr_assert(!sasae_pointer_move(&ptr, 12, 21, true, 10 * MS));
    cr_assert(!sasae_pointer_tick(&ptr, 20 * MS));
    cr_assert(sasae_pointer_tick(&ptr, 35 * MS), "the last position goes out");
    cr_assert(ptr.x == 12 && ptr.y == 21);
    cr_assert(!sasae_pointer_tick(&ptr, 80 * MS), "once");
    cr_assert(sasae_pointer_move(&ptr, 13, 21, true, 80 * MS), "33 ms later: at once");
    cr_assert(sasae_pointer_move(&ptr, 0, 0, false, 81 * MS), "leaving: hidden at once");
    cr_assert(!ptr.visible);
    cr_assert(ptr.x == 13 && ptr.y == 21, "hidden where it was");
    cr_assert(!sasae_pointer_hide(&ptr), "already hidden");
    sasae_pointer_move(&ptr, 40, 40, true, 200 * MS);
    cr_assert(sasae_pointer_hide(&ptr), "tool change hides it");
}
