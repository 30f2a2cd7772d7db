/* DXGI Desktop Duplication capture (Windows 8 and later): the OS hands over each new desktop
 * frame with its dirty and move rectangles, so only those regions are copied from the GPU
 * (CopySubresourceRegion into a staging texture, then Map). One output (monitor) is
 * duplicated: the chosen one, or the only one; a whole desktop over several monitors is
 * left to GDI. Lost access (secure desktop, lock screen, mode change) pauses capture until
 * the duplication can be made again. The decisions are in dxgi_logic.c (unit-tested). */
#define COBJMACROS
#include "cap_win.h"
#include "platform.h"

#include <d3d11.h>
#include <dxgi1_2.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dxgi_logic.h"
#include "sasae/common.h"

#define TAG "cap"
#define MAX_RECTS 512

struct dxgicap {
    ID3D11Device *dev;
    ID3D11DeviceContext *ctx;
    IDXGIOutput1 *out;
    IDXGIOutputDuplication *dup;
    ID3D11Texture2D *staging;
    uint8_t *frame; /* the reported picture, BGRA */
    bool first, paused;
    uint64_t next_ns, period_ns, retry_ns;
    struct win_cursor cursor;
    void *rects; /* MAX_RECTS move + dirty rectangles from the OS */
};

static void release_dup(struct dxgicap *x)
{
    if (x->dup) {
        IDXGIOutputDuplication_Release(x->dup);
        x->dup = NULL;
    }
}

static HRESULT make_dup(struct dxgicap *x)
{
    release_dup(x);
    return IDXGIOutput1_DuplicateOutput(x->out, (IUnknown *)x->dev, &x->dup);
}

/* Copies rectangles of the OS frame into our picture through the staging texture. */
static int copy_rects(struct sasae_cap *c, struct dxgicap *x, ID3D11Texture2D *tex,
                      const struct sasae_dirty *d)
{
    for (int i = 0; i < d->n; i++) {
        const struct sasae_rect *r = &d->r[i];
        D3D11_BOX box = {(UINT)r->x, (UINT)r->y, 0, (UINT)(r->x + r->w), (UINT)(r->y + r->h), 1};
        ID3D11DeviceContext_CopySubresourceRegion(x->ctx, (ID3D11Resource *)x->staging, 0,
                                                  (UINT)r->x, (UINT)r->y, 0, (ID3D11Resource *)tex,
                                                  0, &box);
    }
    D3D11_MAPPED_SUBRESOURCE m;
    HRESULT hr =
        ID3D11DeviceContext_Map(x->ctx, (ID3D11Resource *)x->staging, 0, D3D11_MAP_READ, 0, &m);
    if (FAILED(hr))
        return -EIO;
    size_t stride = (size_t)c->width * 4;
    for (int i = 0; i < d->n; i++) {
        const struct sasae_rect *r = &d->r[i];
        for (int y = r->y; y < r->y + r->h; y++)
            memcpy(x->frame + (size_t)y * stride + (size_t)r->x * 4,
                   (const uint8_t *)m.pData + (size_t)y * m.RowPitch + (size_t)r->x * 4,
                   (size_t)r->w * 4);
    }
    ID3D11DeviceContext_Unmap(x->ctx, (ID3D11Resource *)x->staging, 0);
    return 0;
}

static int dxgi_grab(struct sasae_cap *c, struct sasae_dirty *dirty, struct sasae_frame *f)
{
    struct dxgicap *x = c->impl;
    uint64_t now = sasae_mono_ns();
    if (x->next_ns <= now)
        x->next_ns = now + x->period_ns;
    f->width = c->width;
    f->height = c->height;
    f->stride = c->width * 4;
    f->bgra = x->frame;
    f->capture_us = sasae_wall_us();
    if (!x->dup) {
        if (now < x->retry_ns)
            return 0;
        HRESULT hr = make_dup(x);
        if (FAILED(hr)) {
            x->retry_ns = now + 1000000000ull; /* try again in a second */
            return 0;
        }
        SASAE_INFO(TAG, "desktop duplication restored: capture resumed");
        x->paused = false;
        x->first = true;
    }
    DXGI_OUTDUPL_FRAME_INFO fi;
    IDXGIResource *res = NULL;
    HRESULT hr = IDXGIOutputDuplication_AcquireNextFrame(x->dup, 0, &fi, &res);
    enum dxgi_outcome oc = dxgi_classify((uint32_t)hr, 0);
    if (oc == DXGI_NO_CHANGE)
        return 0;
    if (oc == DXGI_PAUSE) {
        if (!x->paused)
            SASAE_WARN(TAG,
                       "desktop duplication lost (%s: secure desktop, lock screen or mode "
                       "change): capture paused",
                       dxgi_hr_name((uint32_t)hr));
        x->paused = true;
        release_dup(x);
        x->retry_ns = now;
        return 0;
    }
    if (oc != DXGI_GO) {
        SASAE_ERR(TAG, "desktop duplication failed: %s (%#lx)", dxgi_hr_name((uint32_t)hr),
                  (unsigned long)hr);
        return -EIO;
    }
    int rc = 0;
    ID3D11Texture2D *tex = NULL;
    struct sasae_dirty d = {0};
    if (fi.LastPresentTime.QuadPart == 0)
        goto release; /* only the mouse moved: the cursor travels separately */
    if (FAILED(IDXGIResource_QueryInterface(res, &IID_ID3D11Texture2D, (void **)&tex))) {
        rc = -EIO;
        goto release;
    }
    if (x->first) {
        sasae_dirty_add(&d, (struct sasae_rect){0, 0, c->width, c->height}, c->width, c->height);
        x->first = false;
    } else {
        UINT bytes = 0;
        struct dxgi_move mv[MAX_RECTS];
        struct dxgi_rect dr[MAX_RECTS];
        int nmv = 0, ndr = 0;
        DXGI_OUTDUPL_MOVE_RECT *om = x->rects;
        hr = IDXGIOutputDuplication_GetFrameMoveRects(x->dup, MAX_RECTS * sizeof *om, om, &bytes);
        if (SUCCEEDED(hr)) {
            nmv = (int)(bytes / sizeof *om);
            for (int i = 0; i < nmv; i++)
                mv[i] =
                    (struct dxgi_move){om[i].SourcePoint.x,
                                       om[i].SourcePoint.y,
                                       {om[i].DestinationRect.left, om[i].DestinationRect.top,
                                        om[i].DestinationRect.right, om[i].DestinationRect.bottom}};
        }
        RECT *od = x->rects;
        if (SUCCEEDED(hr))
            hr = IDXGIOutputDuplication_GetFrameDirtyRects(x->dup, MAX_RECTS * sizeof *od, od,
                                                           &bytes);
        if (SUCCEEDED(hr)) {
            ndr = (int)(bytes / sizeof *od);
            for (int i = 0; i < ndr; i++)
                dr[i] = (struct dxgi_rect){od[i].left, od[i].top, od[i].right, od[i].bottom};
            dxgi_frame_dirty(mv, nmv, dr, ndr, c->width, c->height, &d);
        } else {
            /* more rectangles than room (or none given): take the whole frame */
            sasae_dirty_add(&d, (struct sasae_rect){0, 0, c->width, c->height}, c->width,
                            c->height);
        }
    }
    if (d.n > 0 && (rc = copy_rects(c, x, tex, &d)) == 0) {
        sasae_dirty_merge(dirty, &d, c->width, c->height);
        rc = 1;
    }
release:
    if (tex)
        ID3D11Texture2D_Release(tex);
    if (res)
        IDXGIResource_Release(res);
    IDXGIOutputDuplication_ReleaseFrame(x->dup);
    return rc;
}

static int dxgi_wait(struct sasae_cap *c, int timeout_ms)
{
    struct dxgicap *x = c->impl;
    if (x->first)
        return 1;
    return cap_sleep_until(x->next_ns, timeout_ms);
}

static int dxgi_cursor(struct sasae_cap *c, struct sasae_cursor *out)
{
    struct dxgicap *x = c->impl;
    return win_cursor_read(&x->cursor, c, out);
}

static void dxgi_free(struct sasae_cap *c)
{
    struct dxgicap *x = c->impl;
    if (!x)
        return;
    release_dup(x);
    if (x->staging)
        ID3D11Texture2D_Release(x->staging);
    if (x->out)
        IDXGIOutput1_Release(x->out);
    if (x->ctx)
        ID3D11DeviceContext_Release(x->ctx);
    if (x->dev)
        ID3D11Device_Release(x->dev);
    win_cursor_free(&x->cursor);
    free(x->frame);
    free(x->rects);
    free(x);
    c->impl = NULL;
}

static const struct cap_ops dxgi_ops = {dxgi_grab, dxgi_wait, dxgi_cursor, dxgi_free};

/* The output whose desktop rectangle is exactly area, or NULL. */
static IDXGIOutput1 *find_output(ID3D11Device *dev, const RECT *area)
{
    IDXGIDevice *dd = NULL;
    IDXGIAdapter *ad = NULL;
    IDXGIOutput1 *found = NULL;
    if (FAILED(ID3D11Device_QueryInterface(dev, &IID_IDXGIDevice, (void **)&dd)) ||
        FAILED(IDXGIDevice_GetAdapter(dd, &ad)))
        goto out;
    IDXGIOutput *o = NULL;
    for (UINT i = 0; !found && IDXGIAdapter_EnumOutputs(ad, i, &o) == S_OK; i++) {
        DXGI_OUTPUT_DESC desc;
        if (SUCCEEDED(IDXGIOutput_GetDesc(o, &desc)) && desc.AttachedToDesktop &&
            EqualRect(&desc.DesktopCoordinates, area))
            IDXGIOutput_QueryInterface(o, &IID_IDXGIOutput1, (void **)&found);
        IDXGIOutput_Release(o);
    }
out:
    if (ad)
        IDXGIAdapter_Release(ad);
    if (dd)
        IDXGIDevice_Release(dd);
    return found;
}

unsigned long cap_dxgi_probe_child(int monitor)
{
    char err[256];
    RECT area;
    if (win_capture_area(monitor, &area, err, sizeof err) != 0)
        return DXGI_PROBE_NOT_ONE_MONITOR;
    struct dxgicap x = {0};
    HRESULT hr = D3D11CreateDevice(NULL, D3D_DRIVER_TYPE_HARDWARE, NULL, 0, NULL, 0,
                                   D3D11_SDK_VERSION, &x.dev, NULL, &x.ctx);
    unsigned long rc = (unsigned long)hr;
    if (SUCCEEDED(hr)) {
        x.out = find_output(x.dev, &area);
        rc = x.out ? (unsigned long)make_dup(&x) : DXGI_PROBE_NOT_ONE_MONITOR;
        if (x.out && dxgi_classify((uint32_t)rc, 1) == DXGI_GO)
            rc = 0;
    }
    release_dup(&x);
    if (x.out)
        IDXGIOutput1_Release(x.out);
    if (x.ctx)
        ID3D11DeviceContext_Release(x.ctx);
    if (x.dev)
        ID3D11Device_Release(x.dev);
    return rc;
}

/* platform.h: the one helper run of the Windows host is this check */
bool host_plat_helper_run(int argc, char **argv, int *rc)
{
    if (argc != 3 || strcmp(argv[1], "--dxgi-probe") != 0)
        return false;
    /* the exit code carries the HRESULT (0 = desktop duplication works) */
    *rc = (int)cap_dxgi_probe_child(atoi(argv[2]));
    return true;
}

/* Runs the DXGI check in a child process of this exe, so that a machine without desktop
 * duplication never loads a Direct3D driver into the host (under Wine a failed attempt left
 * 88 MB of software OpenGL behind). Returns 0 when DXGI works, else the child's code. */
static unsigned long probe_in_child(int monitor)
{
    wchar_t exe[MAX_PATH], cmd[MAX_PATH + 64];
    DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        return (unsigned long)E_FAIL;
    swprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\" --dxgi-probe %d", exe, monitor);
    STARTUPINFOW si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    if (!CreateProcessW(exe, cmd, NULL, NULL, FALSE, CREATE_NO_WINDOW, NULL, NULL, &si, &pi))
        return (unsigned long)HRESULT_FROM_WIN32(GetLastError());
    DWORD code = (DWORD)E_FAIL;
    if (WaitForSingleObject(pi.hProcess, 10000) != WAIT_OBJECT_0) {
        TerminateProcess(pi.hProcess, 1);
        code = (DWORD)HRESULT_FROM_WIN32(ERROR_TIMEOUT);
    } else {
        GetExitCodeProcess(pi.hProcess, &code);
    }
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return code;
}

int cap_dxgi_open(struct sasae_cap *c, const struct sasae_cap_opts *o, char *err, size_t errlen)
{
    RECT area;
    if (win_capture_area(o->monitor, &area, err, errlen) != 0)
        return -ENODEV;
    unsigned long probe = probe_in_child(o->monitor);
    if (probe == DXGI_PROBE_NOT_ONE_MONITOR) {
        snprintf(err, errlen,
                 "the shared area is not one monitor of the graphics adapter "
                 "(several monitors: GDI captures them together)");
        return -ENODEV;
    }
    if (probe != 0) {
        snprintf(err, errlen,
                 "desktop duplication unavailable: %s (%#lx, checked in a child "
                 "process)",
                 dxgi_hr_name((uint32_t)probe), probe);
        return -ENODEV;
    }
    struct dxgicap *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    c->impl = x;
    c->ops = &dxgi_ops;
    c->origin_x = area.left;
    c->origin_y = area.top;
    c->width = area.right - area.left;
    c->height = area.bottom - area.top;
    x->first = true;
    x->period_ns = 1000000000ull / (uint64_t)(o->fps > 0 ? o->fps : 30);
    HRESULT hr = D3D11CreateDevice(NULL, D3D_DRIVER_TYPE_HARDWARE, NULL, 0, NULL, 0,
                                   D3D11_SDK_VERSION, &x->dev, NULL, &x->ctx);
    if (FAILED(hr)) {
        snprintf(err, errlen, "no Direct3D 11 device (%#lx)", (unsigned long)hr);
        goto fail;
    }
    x->out = find_output(x->dev, &area);
    if (!x->out) {
        snprintf(err, errlen,
                 "the shared area is not one monitor of the graphics adapter "
                 "(several monitors: GDI captures them together)");
        goto fail;
    }
    hr = make_dup(x);
    if (dxgi_classify((uint32_t)hr, 1) != DXGI_GO) {
        snprintf(err, errlen, "desktop duplication unavailable: %s (%#lx)",
                 dxgi_hr_name((uint32_t)hr), (unsigned long)hr);
        goto fail;
    }
    D3D11_TEXTURE2D_DESC td = {.Width = (UINT)c->width,
                               .Height = (UINT)c->height,
                               .MipLevels = 1,
                               .ArraySize = 1,
                               .Format = DXGI_FORMAT_B8G8R8A8_UNORM,
                               .SampleDesc = {1, 0},
                               .Usage = D3D11_USAGE_STAGING,
                               .CPUAccessFlags = D3D11_CPU_ACCESS_READ};
    x->frame = calloc((size_t)c->width * (size_t)c->height, 4);
    x->rects = malloc(MAX_RECTS * (sizeof(DXGI_OUTDUPL_MOVE_RECT) + sizeof(RECT)));
    if (!x->frame || !x->rects ||
        FAILED(ID3D11Device_CreateTexture2D(x->dev, &td, NULL, &x->staging))) {
        snprintf(err, errlen, "cannot set up a %dx%d staging texture", c->width, c->height);
        goto fail;
    }
    SASAE_INFO(TAG, "DXGI desktop duplication of %dx%d at %d,%d", c->width, c->height, c->origin_x,
               c->origin_y);
    return 0;
fail:
    dxgi_free(c);
    return -ENODEV;
}
