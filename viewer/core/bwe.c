/* Receiver-side bandwidth estimate from back-to-back chunk arrivals and one-way delay. */
#include "sasae/viewer.h"

#include <string.h>

void sasae_bwe_init(struct sasae_bwe *b)
{
    memset(b, 0, sizeof *b);
    b->interval_us = 500000;
    b->base_window_us = 10000000;
    b->min_busy_us = 50000;
    b->overuse_ms = 80;
    b->normal_ms = 25;
    b->max_kbps = 50000;
    b->cur_min_delay_us = INT64_MAX;
}

/* Smallest one-way delay in the remembered intervals and the current one. */
static int64_t baseline(const struct sasae_bwe *b, uint64_t now_us)
{
    int64_t m = b->cur_min_delay_us;
    for (unsigned i = 0; i < b->nhist; i++)
        if (now_us - b->hist[i].t_us <= b->base_window_us && b->hist[i].min_delay_us < m)
            m = b->hist[i].min_delay_us;
    return m;
}

static uint32_t clamp_kbps(const struct sasae_bwe *b, double kbps)
{
    if (kbps < 100)
        return 100;
    return kbps > b->max_kbps ? b->max_kbps : (uint32_t)kbps;
}

static void close_interval(struct sasae_bwe *b, uint64_t now_us)
{
    uint64_t span = now_us - b->cur_start_us;
    bool sampled = false;
    /* enough time to measure a slow link, or enough bytes (three chunks) on a fast one */
    if (b->busy_us >= b->min_busy_us || (b->busy_us > 0 && b->busy_bytes >= 3 * 16384)) {
        b->busy_kbps = clamp_kbps(b, (double)b->busy_bytes * 8000.0 / (double)b->busy_us);
        b->busy_bytes = 0;
        b->busy_us = 0;
        sampled = true;
    }
    if (b->cur_chunks > 0 && span > 0) {
        int64_t base = baseline(b, now_us);
        /* Remember this interval's minimum delay (drop the oldest when full). */
        if (b->nhist == SASAE_BWE_HISTORY) {
            memmove(&b->hist[0], &b->hist[1], sizeof b->hist[0] * (SASAE_BWE_HISTORY - 1));
            b->nhist--;
        }
        b->hist[b->nhist].t_us = now_us;
        b->hist[b->nhist].min_delay_us = b->cur_min_delay_us;
        b->nhist++;

        int64_t queue_us = b->cur_delay_sum_us / b->cur_chunks - base;
        double rate_kbps = (double)b->cur_bytes * 8000.0 / (double)span;
        bool calm = !b->cur_busy && queue_us <= (int64_t)b->normal_ms * 1000;
        if (queue_us > (int64_t)b->overuse_ms * 1000 && b->busy_kbps > 0) {
            /* the link is overused: report what it delivered lately, never more */
            b->estimate_kbps = b->busy_kbps;
        } else if (sampled) {
            /* a full link without a standing queue: the sender may rely on what it delivered
             * (a lower sample, e.g. with some idle time inside a gap, cuts only once queueing
             * shows that the sender really is above the link) */
            if (b->busy_kbps > b->estimate_kbps)
                b->estimate_kbps = b->busy_kbps;
        } else if (calm && b->prev_calm) {
            /* sender-limited: never lower, let a sender that follows us probe upwards, but
             * not past a delivery rate measured while the link was full. Two calm intervals
             * in a row, because a lone chunk closing an interval may have spent most of the
             * interval before it on the link. */
            uint32_t grow = clamp_kbps(b, rate_kbps * 1.5);
            if (b->busy_kbps && grow > b->busy_kbps)
                grow = b->busy_kbps;
            if (grow > b->estimate_kbps)
                b->estimate_kbps = grow;
        }
        b->prev_calm = calm;
    } else if (sampled) {
        if (b->busy_kbps > b->estimate_kbps)
            b->estimate_kbps = b->busy_kbps;
        b->prev_calm = false;
    } else {
        b->prev_calm = false; /* nothing arrived: no evidence either way */
    }
    b->cur_start_us = now_us;
    b->cur_chunks = 0;
    b->cur_busy = false;
    b->cur_bytes = 0;
    b->cur_delay_sum_us = 0;
    b->cur_min_delay_us = INT64_MAX;
}

bool sasae_bwe_tick(struct sasae_bwe *b, uint64_t now_us)
{
    if (b->cur_start_us == 0) {
        b->cur_start_us = now_us;
        return false;
    }
    if (now_us < b->cur_start_us || now_us - b->cur_start_us < b->interval_us)
        return false;
    close_interval(b, now_us);
    return true;
}

bool sasae_bwe_chunk(struct sasae_bwe *b, uint64_t recv_us, uint64_t capture_us,
                     uint32_t chunk_offset, uint32_t bytes)
{
    if (b->cur_start_us == 0)
        b->cur_start_us = recv_us;
    int64_t d = (int64_t)(recv_us - capture_us);
    b->cur_chunks++;
    b->cur_bytes += bytes;
    b->cur_delay_sum_us += d;
    if (d < b->cur_min_delay_us)
        b->cur_min_delay_us = d;
    if (b->last_recv_us && recv_us >= b->last_recv_us) {
        uint64_t gap = recv_us - b->last_recv_us;
        int64_t queue_us = d - baseline(b, recv_us);
        /* The sender had this chunk while the previous one was still arriving: the link
         * was busy for the whole gap, so bytes/gap is what it delivers. */
        if (chunk_offset > 0 || (queue_us > 0 && (uint64_t)queue_us >= gap)) {
            b->busy_bytes += bytes;
            b->busy_us += gap;
            b->cur_busy = true;
        }
    }
    b->last_recv_us = recv_us;
    /* a chunk complete at recv_us crossed the link before it: it belongs to the interval
     * that ends now, so it is counted before the interval closes */
    return sasae_bwe_tick(b, recv_us);
}
