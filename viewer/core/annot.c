/* The red pen's batching and undo history and the pointer's throttle (sasae/annot.h). */
#include "sasae/annot.h"

#include <string.h>

void sasae_pen_init(struct sasae_pen *p)
{
    memset(p, 0, sizeof *p);
    p->next_id = 1;
    p->width = SASAE_PEN_WIDTH;
}

static void flush(struct sasae_pen *p, bool final, uint64_t now_ns, sasae_pen_send_fn send,
                  void *user)
{
    /* each piece repeats the previous piece's last point so the host joins them */
    int from = p->sent > 0 ? p->sent - 1 : 0;
    int n = p->n - from;
    if (n <= 0 || (!final && p->n == p->sent))
        return;
    send(user, p->id, &p->pts[from][0], n, final, p->width);
    p->sent = p->n;
    p->last_ns = now_ns;
}

void sasae_pen_down(struct sasae_pen *p, int32_t x, int32_t y, int width, uint64_t now_ns,
                    sasae_pen_send_fn send, void *user)
{
    if (p->down)
        sasae_pen_up(p, p->pts[p->n - 1][0], p->pts[p->n - 1][1], now_ns, send, user);
    p->down = true;
    p->width = width < 1 ? 1 : width > 64 ? 64 : width;
    p->id = p->first_id = p->next_id++;
    p->n = p->sent = 0;
    p->last_ns = now_ns;
    sasae_pen_move(p, x, y, now_ns, send, user);
}

void sasae_pen_move(struct sasae_pen *p, int32_t x, int32_t y, uint64_t now_ns,
                    sasae_pen_send_fn send, void *user)
{
    if (!p->down)
        return;
    if (p->n > 0 && p->pts[p->n - 1][0] == x && p->pts[p->n - 1][1] == y)
        return;
    if (p->n == SASAE_PEN_MAX_POINTS) {
        /* a long stroke: close this id and continue under the next from the last point,
         * unless undo could no longer name all of its ids */
        if (p->next_id - p->first_id >= SASAE_PEN_UNDO_IDS)
            return;
        int32_t last[2] = {p->pts[p->n - 1][0], p->pts[p->n - 1][1]};
        flush(p, true, now_ns, send, user);
        p->id = p->next_id++;
        p->pts[0][0] = last[0];
        p->pts[0][1] = last[1];
        p->n = 1;
        p->sent = 0;
    }
    p->pts[p->n][0] = x;
    p->pts[p->n][1] = y;
    p->n++;
    if (p->n - p->sent >= SASAE_PEN_PIECE || now_ns - p->last_ns >= SASAE_PEN_FLUSH_NS)
        flush(p, false, now_ns, send, user);
}

void sasae_pen_up(struct sasae_pen *p, int32_t x, int32_t y, uint64_t now_ns,
                  sasae_pen_send_fn send, void *user)
{
    if (!p->down)
        return;
    sasae_pen_move(p, x, y, now_ns, send, user);
    flush(p, true, now_ns, send, user);
    p->down = false;
    p->n = p->sent = 0;
    if (p->nhist == SASAE_PEN_HISTORY) {
        memmove(&p->hist[0], &p->hist[1], sizeof p->hist[0] * (SASAE_PEN_HISTORY - 1));
        p->nhist--;
    }
    p->hist[p->nhist].first = p->first_id;
    p->hist[p->nhist].last = p->id;
    p->nhist++;
}

void sasae_pen_tick(struct sasae_pen *p, uint64_t now_ns, sasae_pen_send_fn send, void *user)
{
    if (p->down && p->n > p->sent && now_ns - p->last_ns >= SASAE_PEN_FLUSH_NS)
        flush(p, false, now_ns, send, user);
}

int sasae_pen_undo(struct sasae_pen *p, uint32_t *ids, int cap)
{
    if (p->down || p->nhist == 0)
        return 0;
    uint32_t first = p->hist[p->nhist - 1].first, last = p->hist[p->nhist - 1].last;
    if ((int64_t)last - first + 1 > cap)
        return 0;
    p->nhist--;
    int n = 0;
    for (uint32_t id = first; id != last + 1; id++)
        ids[n++] = id;
    return n;
}

void sasae_pen_reset(struct sasae_pen *p)
{
    p->down = false;
    p->n = p->sent = 0;
    p->nhist = 0;
}

bool sasae_pen_can_undo(const struct sasae_pen *p)
{
    return !p->down && p->nhist > 0;
}

bool sasae_pointer_move(struct sasae_pointer *p, int32_t x, int32_t y, bool inside, uint64_t now_ns)
{
    if (!inside && !p->visible && !p->pending)
        return false;
    if (inside) {
        p->x = x;
        p->y = y;
    }
    bool was = p->visible;
    p->visible = inside;
    p->pending = true;
    if (!inside || !was || now_ns - p->last_ns >= SASAE_POINTER_NS) {
        p->last_ns = now_ns;
        p->pending = false;
        return true;
    }
    return false;
}

bool sasae_pointer_tick(struct sasae_pointer *p, uint64_t now_ns)
{
    if (!p->pending || now_ns - p->last_ns < SASAE_POINTER_NS)
        return false;
    p->last_ns = now_ns;
    p->pending = false;
    return true;
}

bool sasae_pointer_hide(struct sasae_pointer *p)
{
    p->pending = false;
    if (!p->visible)
        return false;
    p->visible = false;
    return true;
}
