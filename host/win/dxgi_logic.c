/* DXGI Desktop Duplication decisions without OS calls (see dxgi_logic.h). */
#include "dxgi_logic.h"

enum dxgi_outcome dxgi_classify(uint32_t hr, int opening)
{
    if (hr == DXGI_HR_OK)
        return DXGI_GO;
    if (opening)
        return DXGI_FALL_BACK;
    switch (hr) {
    case DXGI_HR_WAIT_TIMEOUT:
        return DXGI_NO_CHANGE;
    case DXGI_HR_ACCESS_LOST:
    case DXGI_HR_E_ACCESSDENIED:
    case DXGI_HR_SESSION_DISCONNECTED:
    case DXGI_HR_DEVICE_REMOVED:
    case DXGI_HR_INVALID_CALL: /* the duplication was released under us (mode change) */
        return DXGI_PAUSE;
    default:
        return DXGI_FALL_BACK;
    }
}

const char *dxgi_hr_name(uint32_t hr)
{
    switch (hr) {
    case DXGI_HR_OK:
        return "S_OK";
    case DXGI_HR_E_NOTIMPL:
        return "E_NOTIMPL";
    case DXGI_HR_E_ACCESSDENIED:
        return "E_ACCESSDENIED";
    case DXGI_HR_E_OUTOFMEMORY:
        return "E_OUTOFMEMORY";
    case DXGI_HR_INVALID_CALL:
        return "DXGI_ERROR_INVALID_CALL";
    case DXGI_HR_UNSUPPORTED:
        return "DXGI_ERROR_UNSUPPORTED";
    case DXGI_HR_DEVICE_REMOVED:
        return "DXGI_ERROR_DEVICE_REMOVED";
    case DXGI_HR_NOT_CURRENTLY_AVAILABLE:
        return "DXGI_ERROR_NOT_CURRENTLY_AVAILABLE";
    case DXGI_HR_ACCESS_LOST:
        return "DXGI_ERROR_ACCESS_LOST";
    case DXGI_HR_WAIT_TIMEOUT:
        return "DXGI_ERROR_WAIT_TIMEOUT";
    case DXGI_HR_SESSION_DISCONNECTED:
        return "DXGI_ERROR_SESSION_DISCONNECTED";
    default:
        return "unknown HRESULT";
    }
}

static int add(struct sasae_dirty *d, const struct dxgi_rect *r, int width, int height)
{
    if (r->right <= r->left || r->bottom <= r->top)
        return 0;
    sasae_dirty_add(d, (struct sasae_rect){r->left, r->top, r->right - r->left, r->bottom - r->top},
                    width, height);
    return 1;
}

int dxgi_frame_dirty(const struct dxgi_move *moves, int nmoves, const struct dxgi_rect *dirty,
                     int ndirty, int width, int height, struct sasae_dirty *d)
{
    int taken = 0;
    for (int i = 0; i < nmoves; i++)
        taken += add(d, &moves[i].dst, width, height);
    for (int i = 0; i < ndirty; i++)
        taken += add(d, &dirty[i], width, height);
    return taken;
}
