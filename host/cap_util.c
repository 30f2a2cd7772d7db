/* What the capture backends share (frame differencing, paced waits): below the front end
 * (cap.c) and the backends, so that neither includes the other back. */
#include "cap_impl.h"

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
        for (int bx = 0; bx <= w; bx += 16) {
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
