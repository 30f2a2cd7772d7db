/* Receiver-side bandwidth estimate from one-way delay trend and received rate (REMB-like). */
#include "sasae/viewer.h"

#include <string.h>

void sasae_bwe_init(struct sasae_bwe *b)
{
    memset(b, 0, sizeof *b);
    b->interval_us = 500000;
    b->base_window_us = 10000000;
    b->overuse_ms = 80;
    b->normal_ms = 25;
}

static int64_t baseline(const struct sasae_bwe *b, uint64_t now_us)
{
    int64_t m = INT64_MAX;
    for (unsigned i = 0; i < b->nhist; i++)
        if (now_us - b->hist[i].t_us <= b->base_window_us && b->hist[i].min_delay_us < m)
            m = b->hist[i].min_delay_us;
    return m;
}

static void close_interval(struct sasae_bwe *b, uint64_t now_us)
{
    uint64_t span = now_us - b->cur_start_us;
    if (b->cur_frames > 0 && span > 0) {
        /* Remember this interval's minimum delay (drop the oldest when full). */
        if (b->nhist == SASAE_BWE_HISTORY) {
            memmove(&b->hist[0], &b->hist[1], sizeof b->hist[0] * (SASAE_BWE_HISTORY - 1));
            b->nhist--;
        }
        b->hist[b->nhist].t_us = now_us;
        b->hist[b->nhist].min_delay_us = b->cur_min_delay_us;
        b->nhist++;

        int64_t base = baseline(b, now_us);
        int64_t mean = b->cur_delay_sum_us / b->cur_frames;
        int64_t queue_us = mean - base;
        double rate_kbps = (double)b->cur_bytes * 8.0 * 1000.0 / (double)span;
        if (queue_us > (int64_t)b->overuse_ms * 1000) {
            uint32_t r = rate_kbps < 100 ? 100 : (uint32_t)rate_kbps;
            if (b->estimate_kbps == 0 || r < b->estimate_kbps)
                b->estimate_kbps = r;
        } else if (queue_us <= (int64_t)b->normal_ms * 1000 && b->estimate_kbps > 0 &&
                   rate_kbps >= 0.5 * b->estimate_kbps) {
            uint64_t e = (uint64_t)b->estimate_kbps * 115 / 100 + 1;
            b->estimate_kbps = e > 1000000 ? 1000000 : (uint32_t)e;
        }
    }
    b->cur_start_us = now_us;
    b->cur_frames = 0;
    b->cur_bytes = 0;
    b->cur_delay_sum_us = 0;
    b->cur_min_delay_us = INT64_MAX;
}

bool sasae_bwe_tick(struct sasae_bwe *b, uint64_t now_us)
{
    if (b->cur_start_us == 0) {
        b->cur_start_us = now_us;
        b->cur_min_delay_us = INT64_MAX;
        return false;
    }
    if (now_us < b->cur_start_us || now_us - b->cur_start_us < b->interval_us)
        return false;
    close_interval(b, now_us);
    return true;
}

bool sasae_bwe_frame(struct sasae_bwe *b, uint64_t recv_us, uint64_t capture_us, uint32_t bytes)
{
    bool closed = sasae_bwe_tick(b, recv_us);
    int64_t d = (int64_t)(recv_us - capture_us);
    b->cur_frames++;
    b->cur_bytes += bytes;
    b->cur_delay_sum_us += d;
    if (d < b->cur_min_delay_us)
        b->cur_min_delay_us = d;
    return closed;
}
