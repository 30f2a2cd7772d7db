/* Private to the Windows capture backends (cap_dxgi.c, cap_gdi.c, cap_win.c): the area to
 * capture and the cursor, which both read the same way. */
#ifndef SASAE_HOST_CAP_WIN_H
#define SASAE_HOST_CAP_WIN_H

#include <windows.h>

#include "cap_backend.h"

/* The virtual-screen rectangle to capture: monitor -1 = the whole virtual screen, else the
 * monitor with that index in EnumDisplayMonitors order. 0 or -1 with err. */
int win_capture_area(int monitor, RECT *area, char *err, size_t errlen);
/* The handle of monitor index (EnumDisplayMonitors order), NULL if there is none. */
HMONITOR win_monitor_handle(int index);

struct win_cursor {
    HCURSOR shown;           /* the cursor whose shape is in cur */
    struct sasae_cursor cur; /* last reported */
    bool valid;
    uint32_t serial;
};
/* Reads the cursor's shape (when it changed) and position relative to the capture area.
 * 1 if shape or position changed since the last call, 0 if not. */
int win_cursor_read(struct win_cursor *wc, const struct sasae_cap *c, struct sasae_cursor *out);
void win_cursor_free(struct win_cursor *wc);

int cap_gdi_open(struct sasae_cap *c, const struct sasae_cap_opts *o, char *err, size_t errlen);
int cap_dxgi_open(struct sasae_cap *c, const struct sasae_cap_opts *o, char *err, size_t errlen);
/* The child's side of the DXGI check (sasae-host.exe --dxgi-probe MONITOR): creates a
 * Direct3D 11 device and a desktop duplication of that monitor, and returns 0 if it works,
 * else the failing HRESULT (or DXGI_PROBE_NOT_ONE_MONITOR), as the process exit code. */
#define DXGI_PROBE_NOT_ONE_MONITOR 0xE0DA0001u
unsigned long cap_dxgi_probe_child(int monitor);

#endif
