/* Per-frame log lines (timestamps, sizes, latency) and the rolling status-bar meter. */
#include "sasae/viewer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sasae_frame_log_header(void)
{
    return "#frame_id\tcapture_us\trecv_us\tshown_us\tdecode_ms\tbytes\tlatency_ms\twidth\theight"
           "\tflags\n";
}

int sasae_frame_log_line(const struct sasae_frame_rec *r, char *out, size_t cap)
{
    double lat_ms = ((double)(int64_t)(r->shown_us - r->capture_us)) / 1000.0;
    char flags[4] = "-";
    int n = 0;
    if (r->keyframe)
        flags[n++] = 'K';
    if (r->refresh)
        flags[n++] = 'R';
    if (r->decode_error)
        flags[n++] = 'E';
    if (n)
        flags[n] = '\0';
    return snprintf(out, cap,
                    "%" PRIu32 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%.3f\t%" PRIu32
                    "\t%.3f\t%u\t%u\t%s\n",
                    r->frame_id, r->capture_us, r->recv_us, r->shown_us, r->decode_us / 1000.0,
                    r->bytes, lat_ms, (unsigned)r->width, (unsigned)r->height, flags);
}

void sasae_meter_init(struct sasae_meter *m, uint64_t window_us)
{
    memset(m, 0, sizeof *m);
    m->window_us = window_us ? window_us : 1000000;
}

void sasae_meter_add(struct sasae_meter *m, uint64_t t_us, uint32_t bytes, int64_t latency_us,
                     uint32_t decode_us)
{
    unsigned i = (m->head + m->count) % SASAE_METER_SLOTS;
    if (m->count == SASAE_METER_SLOTS) {
        m->head = (m->head + 1) % SASAE_METER_SLOTS;
        i = (m->head + SASAE_METER_SLOTS - 1) % SASAE_METER_SLOTS;
    } else {
        m->count++;
    }
    if (latency_us > INT32_MAX)
        latency_us = INT32_MAX;
    if (latency_us < INT32_MIN)
        latency_us = INT32_MIN;
    m->slot[i].t_us = t_us;
    m->slot[i].bytes = bytes;
    m->slot[i].latency_us = (int32_t)latency_us;
    m->slot[i].decode_us = decode_us;
    m->total_frames++;
    m->total_bytes += bytes;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

void sasae_meter_get(const struct sasae_meter *m, uint64_t now_us, struct sasae_meter_stats *out)
{
    int32_t lat[SASAE_METER_SLOTS];
    unsigned n = 0;
    uint64_t bytes = 0, dec = 0;
    memset(out, 0, sizeof *out);
    for (unsigned k = 0; k < m->count; k++) {
        unsigned i = (m->head + k) % SASAE_METER_SLOTS;
        if (m->slot[i].t_us > now_us || now_us - m->slot[i].t_us >= m->window_us)
            continue;
        lat[n++] = m->slot[i].latency_us;
        bytes += m->slot[i].bytes;
        dec += m->slot[i].decode_us;
    }
    if (n == 0)
        return;
    double win_s = m->window_us / 1e6;
    out->fps = n / win_s;
    out->kbps = bytes * 8.0 / 1000.0 / win_s;
    qsort(lat, n, sizeof lat[0], cmp_i32);
    out->latency_ms = (n % 2 ? lat[n / 2] : (lat[n / 2 - 1] / 2.0 + lat[n / 2] / 2.0)) / 1000.0;
    out->latency_max_ms = lat[n - 1] / 1000.0;
    out->decode_ms = (double)dec / n / 1000.0;
}
