/* What a capture backend is (the platform's screen backends, host/linux: x11; host/win:
 * dxgi, gdi; synthetic and file): the capture object it fills, its entry points, and the
 * helpers the backends share (cap_util.c). The front end (cap.c, the public sasae_cap_*)
 * includes this to reach the backends; nothing here is the front end's, so no backend
 * depends on it (tests/layering.sh). */
#ifndef SASAE_HOST_CAP_BACKEND_H
#define SASAE_HOST_CAP_BACKEND_H

#include "sasae/host.h"

struct cap_ops {
    int (*grab)(struct sasae_cap *c, struct sasae_dirty *dirty, struct sasae_frame *frame);
    int (*wait)(struct sasae_cap *c, int timeout_ms);
    int (*cursor)(struct sasae_cap *c, struct sasae_cursor *cur);
    void (*free)(struct sasae_cap *c);
};

struct sasae_cap {
    const struct cap_ops *ops;
    int width, height;
    int origin_x, origin_y;
    void *impl;
};

/* A screen backend of this platform. open fills c (ops, size, origin, impl) or returns a
 * negative errno with the reason in err. */
struct cap_backend {
    const char *name;
    int (*open)(struct sasae_cap *c, const struct sasae_cap_opts *o, char *err, size_t errlen);
};
/* The platform's screen backends in preference order, ending with {NULL, NULL}; "screen"
 * tries them in this order (defined in the platform's folder). */
extern const struct cap_backend cap_platform_backends[];
/* The platform's monitors (sasae_cap_monitors for the real screen; platform folder). */
int cap_platform_monitors(const struct sasae_cap_opts *o, struct sasae_monitor *out, int max);

int cap_synth_open(struct sasae_cap *c, const struct sasae_cap_opts *o, char *err, size_t errlen);
int cap_file_open(struct sasae_cap *c, const struct sasae_cap_opts *o, const char *path, char *err,
                  size_t errlen);

/* Shared by the backends (cap_util.c). */

/* Adds 16x16 blocks that differ between prev and cur (same geometry) to dirty, as runs per
 * block row. Returns the number of changed blocks. */
int cap_diff_blocks(const uint8_t *prev, const uint8_t *cur, int w, int h, int stride,
                    struct sasae_dirty *dirty);

/* Like cap_diff_blocks, against a 64-bit hash per 16x16 block instead of a copy of the
 * previous picture (8 bytes per block instead of 1 KiB): adds the blocks of cur whose hash
 * differs from hashes[] and stores the new hashes. hashes holds cap_hash_count(w, h) values;
 * all_dirty reports every block (the first picture). The hash is keyed with seed so a
 * picture cannot be crafted to collide. Returns the number of changed blocks. */
size_t cap_hash_count(int w, int h);
int cap_hash_blocks(uint64_t *hashes, uint64_t seed, const uint8_t *cur, int w, int h, int stride,
                    bool all_dirty, struct sasae_dirty *dirty);

/* Sleeps until mono time deadline_ns or timeout_ms, whichever is first; returns 1 if the
 * deadline was reached. */
int cap_sleep_until(uint64_t deadline_ns, int timeout_ms);

#endif
