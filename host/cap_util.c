/* What the capture backends share (frame differencing, paced waits): below the front end
 * (cap.c) and the backends, so that neither includes the other back. */
#include "cap_backend.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "sasae/common.h"

int cap_diff_blocks(const uint8_t *prev, const uint8_t *cur, int w, int h, int stride,
                    struct sasae_dirty *dirty)
{
    int changed = 0;
    for (int by = 0; by < h; by += 16) {
        int bh = h - by < 16 ? h - by : 16;
        int run = -1;
        for (int bx = 0; bx < w + 16; bx += 16) { /* one step past the edge ends the last run */
            bool diff = false;
            if (bx < w) {
                int bw = w - bx < 16 ? w - bx : 16;
                for (int y = by; y < by + bh && !diff; y++) {
                    size_t off = (size_t)y * (size_t)stride + (size_t)bx * 4;
                    diff = memcmp(prev + off, cur + off, (size_t)bw * 4) != 0;
                }
            }
            if (diff) {
                changed++;
                if (run < 0)
                    run = bx;
            } else if (run >= 0) {
                sasae_dirty_add(dirty, (struct sasae_rect){run, by, bx - run, bh}, w, h);
                run = -1;
            }
        }
    }
    return changed;
}

size_t cap_hash_count(int w, int h)
{
    return (size_t)((w + 15) / 16) * (size_t)((h + 15) / 16);
}

static inline uint64_t hash_mix(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}

/* One block row by row; four lanes so the multiplies do not wait on each other. */
static uint64_t hash_block(uint64_t seed, const uint8_t *p, int bw, int bh, int stride)
{
    uint64_t l[4] = {seed, seed ^ 0x243f6a8885a308d3ull, seed ^ 0x13198a2e03707344ull,
                     seed ^ 0xa4093822299f31d0ull};
    for (int y = 0; y < bh; y++, p += stride) {
        if (bw == 16) {
            uint64_t v[8];
            memcpy(v, p, sizeof v);
            for (int i = 0; i < 8; i++)
                l[i & 3] = hash_mix(l[i & 3], v[i]);
        } else {
            for (int x = 0; x < bw; x++) {
                uint32_t px;
                memcpy(&px, p + 4 * x, 4);
                l[x & 3] = hash_mix(l[x & 3], px);
            }
        }
    }
    return hash_mix(hash_mix(hash_mix(l[0], l[1]), l[2]), l[3]);
}

int cap_hash_blocks(uint64_t *hashes, uint64_t seed, const uint8_t *cur, int w, int h, int stride,
                    bool all_dirty, struct sasae_dirty *dirty)
{
    int changed = 0;
    uint64_t *hp = hashes;
    for (int by = 0; by < h; by += 16) {
        int bh = h - by < 16 ? h - by : 16;
        int run = -1;
        for (int bx = 0; bx < w + 16; bx += 16) { /* one step past the edge ends the last run */
            bool diff = false;
            if (bx < w) {
                int bw = w - bx < 16 ? w - bx : 16;
                uint64_t v = hash_block(seed, cur + (size_t)by * (size_t)stride + (size_t)bx * 4,
                                        bw, bh, stride);
                diff = all_dirty || v != *hp;
                *hp++ = v;
            }
            if (diff) {
                changed++;
                if (run < 0)
                    run = bx;
            } else if (run >= 0) {
                sasae_dirty_add(dirty, (struct sasae_rect){run, by, bx - run, bh}, w, h);
                run = -1;
            }
        }
    }
    return changed;
}

int cap_sleep_until(uint64_t deadline_ns, int timeout_ms)
{
    uint64_t now = sasae_mono_ns();
    if (now >= deadline_ns)
        return 1;
    uint64_t d = deadline_ns - now;
    uint64_t lim = (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000000ull;
    int reached = d <= lim;
    if (!reached)
        d = lim;
    struct timespec ts = {(time_t)(d / 1000000000ull), (long)(d % 1000000000ull)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    return reached;
}
