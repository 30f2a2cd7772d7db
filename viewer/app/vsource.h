/* The seam between the viewer's front ends (SDL window, headless) and its session sources
 * (the network session; the --test-pattern debug source). Internal to sasae-viewer. */
#ifndef SASAE_VIEWER_VSOURCE_H
#define SASAE_VIEWER_VSOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/filesend.h"
#include "sasae/viewer.h"

/* A decoded picture: I420 planes borrowed from the decoder, valid during the callback. */
struct vimage {
    int w, h;
    const uint8_t *planes[3];
    int strides[3];
    const struct sasae_damage *damage; /* what this frame changed; NULL: all of it */
};

/* Facts about one received frame, filled by the source. */
struct vframe_info {
    uint32_t frame_id;
    uint64_t capture_us; /* host wall clock at capture */
    uint64_t recv_us;    /* our wall clock when the last chunk arrived */
    uint64_t decoded_us; /* our wall clock after decode */
    uint32_t decode_us;
    uint32_t bytes;
    bool keyframe;
    bool refresh; /* a top-off or keep-alive: the host saw no change on the screen */
};

/* The customer's monitors as the host's MONITOR_LIST gives them. selected: 0..count-1, or
 * 0xff for all of them as one picture (offered only when all_ok). */
#define VMONITORS_MAX 16
struct vmonitors {
    int count, selected;
    bool all_ok;
    struct {
        int x, y, w, h;
        bool primary;
        char name[33];
    } mon[VMONITORS_MAX];
};

/* What a source tells its front end. Called on the thread that calls vsource_pump(), except
 * wake(), which any thread may call to make the front end call vsource_pump() soon. */
struct vsink {
    void *user;
    void (*wake)(void *user);
    /* State or control changed; sm is the source's state machine (read only). */
    void (*state)(void *user, const struct sasae_vsm *sm);
    /* The handshake completed: the fingerprint of the device key the host signed it with.
     * The signature proves only that the peer holds this key; nothing authenticates the key
     * as the customer's PC, so it is shown for the operator to compare with the one on the
     * customer's session bar, never called "verified". */
    void (*host_key)(void *user, const char *host_fingerprint);
    /* A decoded frame to show now. */
    void (*frame)(void *user, const struct vimage *img, const struct vframe_info *fi);
    /* A frame failed to decode (a keyframe has been requested). */
    void (*decode_error)(void *user, const struct vframe_info *fi, const char *why);
    void (*cursor_shape)(void *user, int w, int h, int hot_x, int hot_y, const uint8_t *bgra);
    void (*cursor_pos)(void *user, int x, int y, bool visible);
    /* System information text from the host (UTF-8, not NUL-terminated). */
    void (*sysinfo)(void *user, const char *text, size_t len);
    /* The host's monitor list, after consent and after each switch (may be NULL). */
    void (*monitors)(void *user, const struct vmonitors *list);
    /* The customer's clipboard text the operator asked for (UTF-8, not NUL-terminated); may
     * be NULL. */
    void (*clipboard)(void *user, const char *text, size_t len);
    /* A chat message from the customer (UTF-8, not NUL-terminated); may be NULL. */
    void (*chat)(void *user, const char *text, size_t len);
    /* The file being sent changed state or progressed (may be NULL). */
    void (*file)(void *user, const struct sasae_filesend *fs);
    /* The link's quality as the viewer measures it, every estimate (twice a second while
     * frames arrive): the bandwidth estimate from frame arrivals (kbit/s; what the host is
     * told to send at most). May be NULL. */
    void (*link)(void *user, uint32_t estimate_kbps);
};

/* Operator input forwarded when control is granted. */
enum vmouse_kind { VMOUSE_MOVE = 1, VMOUSE_BUTTON = 2, VMOUSE_WHEEL = 3 };

struct vsource;
struct vsource_ops {
    /* Processes everything pending, waiting up to timeout_ms (0 = poll) for something to
     * arrive. Returns 0, or -1 when the session has ended and nothing more will come. */
    int (*pump)(struct vsource *s, int timeout_ms);
    void (*pointer)(struct vsource *s, int x, int y, bool visible);
    /* Points in screen pixels (x, y pairs). final closes the stroke. width 1..64 pixels. */
    void (*pen)(struct vsource *s, uint32_t stroke_id, const int32_t *xy, int npoints, bool final,
                int width);
    /* Removes stroke stroke_id (the operator's undo); nothing if the host cannot. */
    void (*pen_undo)(struct vsource *s, uint32_t stroke_id);
    void (*pen_clear)(struct vsource *s);
    void (*control)(struct vsource *s, bool want);
    void (*mouse)(struct vsource *s, enum vmouse_kind kind, int x, int y, int button, bool down,
                  int wheel_dx, int wheel_dy);
    void (*key)(struct vsource *s, uint32_t keysym, bool down);
    /* Shares monitor `index` of the host's list (0xff all) instead; nothing if the host
     * cannot switch. May be NULL (sources without monitors). */
    void (*monitor)(struct vsource *s, int index);
    /* The clipboard, only while control is granted (else nothing is sent; may be NULL for
     * sources without one): put text on the customer's clipboard (0 = sent, negative errno:
     * -EPERM without control, -ENOTSUP if the host has no clipboard, -E2BIG over 64 KiB,
     * -EILSEQ not UTF-8), or ask for the customer's (the answer comes to sink.clipboard). */
    int (*clipboard_send)(struct vsource *s, const char *text, size_t len);
    int (*clipboard_request)(struct vsource *s);
    /* A chat message to the customer (UTF-8, 1..1024 bytes), only after consent: 0 sent,
     * -EPERM not viewing, -ENOTSUP the host has no chat, -EINVAL bad text. May be NULL. */
    int (*chat)(struct vsource *s, const char *text, size_t len);
    /* Offers the file at path to the customer (only while viewing a host that takes files;
     * one at a time): 0, or a negative errno with err saying why. NULL: no files. */
    int (*send_file)(struct vsource *s, const char *path, char *err, size_t errlen);
    /* Stops the file being sent (may be NULL). */
    void (*cancel_file)(struct vsource *s);
    /* Operator pressed End: sends END, closes, wipes keys. */
    void (*end)(struct vsource *s);
    void (*free)(struct vsource *s);
};

struct vsource {
    const struct vsource_ops *ops;
    struct vsink sink;
    struct sasae_vsm sm;
};

/* A clearly-labelled debug source: a moving I420 test pattern of w x h at fps, with a
 * cursor, so the display path can be exercised without a host. end_reason (NONE = never)
 * ends the session after end_after_ms. */
struct vsource *vsource_test_pattern_new(const struct vsink *sink, int w, int h, int fps,
                                         enum sasae_vsm_end end_reason, int end_after_ms);

/* Test pattern content, shared with tests: the colour of screen pixel (x, y) of frame n as
 * Y, U, V. Quadrant colours are fixed; a 64x64 white square moves along the diagonal. */
void vsource_test_pattern_pixel(int w, int h, uint32_t n, int x, int y, uint8_t yuv[3]);

#endif
