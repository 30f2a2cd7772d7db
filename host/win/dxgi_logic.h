/* The decisions of the DXGI Desktop Duplication backend, without OS calls (so they are
 * unit-tested on Linux): what an HRESULT means for capture, and the dirty rectangles a
 * frame's move and dirty rectangles add up to. Private to host/win/cap_dxgi.c and tests. */
#ifndef SASAE_HOST_DXGI_LOGIC_H
#define SASAE_HOST_DXGI_LOGIC_H

#include <stdint.h>

#include "sasae/host.h"

/* HRESULTs the backend acts on (values from the Windows SDK). */
#define DXGI_HR_OK 0x00000000u
#define DXGI_HR_E_NOTIMPL 0x80004001u
#define DXGI_HR_E_ACCESSDENIED 0x80070005u
#define DXGI_HR_E_OUTOFMEMORY 0x8007000Eu
#define DXGI_HR_INVALID_CALL 0x887A0001u
#define DXGI_HR_UNSUPPORTED 0x887A0004u
#define DXGI_HR_DEVICE_REMOVED 0x887A0005u
#define DXGI_HR_NOT_CURRENTLY_AVAILABLE 0x887A0022u
#define DXGI_HR_ACCESS_LOST 0x887A0026u
#define DXGI_HR_WAIT_TIMEOUT 0x887A0027u
#define DXGI_HR_SESSION_DISCONNECTED 0x887A0028u

enum dxgi_outcome {
    DXGI_GO = 0,    /* success: use the frame */
    DXGI_NO_CHANGE, /* nothing new this time (the wait timed out) */
    DXGI_PAUSE,     /* the desktop went away (secure desktop, lock screen, mode change,
                       session disconnected): release, report no change, recreate later */
    DXGI_FALL_BACK, /* duplication cannot work here: use the next backend (GDI) */
};

/* What an HRESULT from DuplicateOutput (opening = 1) or from AcquireNextFrame and the calls
 * after it (opening = 0) means. At opening, anything but success falls back (Wine returns
 * E_NOTIMPL; too many duplicating programs give NOT_CURRENTLY_AVAILABLE; a remote session
 * gives UNSUPPORTED), except a desktop that is switched away at that moment, which also
 * falls back rather than leave the customer waiting. While capturing, lost access pauses. */
enum dxgi_outcome dxgi_classify(uint32_t hr, int opening);
const char *dxgi_hr_name(uint32_t hr);

struct dxgi_rect {
    int32_t left, top, right, bottom;
};
struct dxgi_move {
    int32_t src_x, src_y; /* source point */
    struct dxgi_rect dst; /* destination rectangle */
};

/* Adds to d what changed in a frame: every move's destination (the OS moved those pixels
 * there) and every dirty rectangle, clipped to width x height and aligned to the 16-px grid
 * (sasae_dirty_add). Returns the number of rectangles taken (empty or inverted ones are
 * skipped). */
int dxgi_frame_dirty(const struct dxgi_move *moves, int nmoves, const struct dxgi_rect *dirty,
                     int ndirty, int width, int height, struct sasae_dirty *d);

#endif
