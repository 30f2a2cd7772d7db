/* Input injection on Windows with SendInput: the operator's mouse (absolute over the virtual
 * desktop) and keys, only ever called by the host when its state machine allows it. Keys go
 * as scan codes, so the customer's own keyboard layout (Japanese or US) decides what they
 * type, as if the key were pressed on the customer's keyboard; a character the layout has
 * no key for is typed as Unicode. Remembers what it pressed so control can be taken back
 * without leaving a key or button stuck down. */
#include "sasae/host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

#include "keymap.h"

/* pressed keys: scan code + 0x100 when extended (0..0x1ff); Unicode and VK-only keys are
 * released at once, so they are never held */
#define KEYSLOTS 0x200

struct sasae_inject {
    int ox, oy;         /* origin of the area coordinates */
    int x0, y0, x1, y1; /* the area on the virtual screen, end exclusive */
    uint16_t buttons;   /* bit b set: button b held */
    uint8_t keys[KEYSLOTS];
};

struct sasae_inject *sasae_inject_open(const char *display, int x, int y, int w, int h, char *err,
                                       size_t errlen)
{
    (void)display;
    int vx = GetSystemMetrics(SM_XVIRTUALSCREEN), vy = GetSystemMetrics(SM_YVIRTUALSCREEN);
    int vw = GetSystemMetrics(SM_CXVIRTUALSCREEN), vh = GetSystemMetrics(SM_CYVIRTUALSCREEN);
    int x0 = x < vx ? vx : x, y0 = y < vy ? vy : y;
    int x1 = x + w > vx + vw ? vx + vw : x + w, y1 = y + h > vy + vh ? vy + vh : y + h;
    if (x1 <= x0 || y1 <= y0) {
        snprintf(err, errlen, "input area %dx%d+%d+%d is off the screen", w, h, x, y);
        return NULL;
    }
    struct sasae_inject *in = calloc(1, sizeof *in);
    if (!in) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    *in = (struct sasae_inject){.ox = x, .oy = y, .x0 = x0, .y0 = y0, .x1 = x1, .y1 = y1};
    return in;
}

void sasae_inject_free(struct sasae_inject *in)
{
    if (!in)
        return;
    sasae_inject_release_all(in);
    free(in);
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static bool inside(const struct sasae_inject *in, int x, int y)
{
    long ax = (long)x + in->ox, ay = (long)y + in->oy;
    return ax >= in->x0 && ax < in->x1 && ay >= in->y0 && ay < in->y1;
}

/* An absolute mouse input at virtual-screen pixel (ax, ay): SendInput wants 0..65535 over
 * the virtual desktop. */
static INPUT mouse_at(long ax, long ay, DWORD flags, DWORD data)
{
    int vx = GetSystemMetrics(SM_XVIRTUALSCREEN), vy = GetSystemMetrics(SM_YVIRTUALSCREEN);
    int vw = GetSystemMetrics(SM_CXVIRTUALSCREEN), vh = GetSystemMetrics(SM_CYVIRTUALSCREEN);
    INPUT i = {.type = INPUT_MOUSE};
    i.mi.dx = (LONG)(((ax - vx) * 65535 + (vw > 1 ? (vw - 1) / 2 : 0)) / (vw > 1 ? vw - 1 : 1));
    i.mi.dy = (LONG)(((ay - vy) * 65535 + (vh > 1 ? (vh - 1) / 2 : 0)) / (vh > 1 ? vh - 1 : 1));
    i.mi.dwFlags = flags | MOUSEEVENTF_ABSOLUTE | MOUSEEVENTF_VIRTUALDESK;
    i.mi.mouseData = data;
    return i;
}

static int send_input(INPUT *in, UINT n)
{
    /* UIPI refuses input into more privileged windows (an elevated program): not an error
     * of ours, but the operator sees nothing happen */
    return SendInput(n, in, sizeof *in) == n ? 0 : -EPERM;
}

int sasae_inject_move(struct sasae_inject *in, int x, int y)
{
    /* saturating: coordinates come from the network; never leaves the shared area */
    long ax = (long)x + in->ox, ay = (long)y + in->oy;
    long cx = ax < in->x0 ? in->x0 : ax >= in->x1 ? in->x1 - 1 : ax;
    long cy = ay < in->y0 ? in->y0 : ay >= in->y1 ? in->y1 - 1 : ay;
    INPUT i = mouse_at(cx, cy, MOUSEEVENTF_MOVE, 0);
    return send_input(&i, 1);
}

int sasae_inject_button(struct sasae_inject *in, int x, int y, int button, bool down)
{
    if (button < 1 || button > 9)
        return -EINVAL;
    /* a press outside the shared area would land on an unshared monitor; a release is
     * clamped so that no button is ever left held */
    if (down && !inside(in, x, y))
        return -ERANGE;
    DWORD flags, data = 0;
    switch (button) {
    case 1:
        flags = down ? MOUSEEVENTF_LEFTDOWN : MOUSEEVENTF_LEFTUP;
        break;
    case 2:
        flags = down ? MOUSEEVENTF_MIDDLEDOWN : MOUSEEVENTF_MIDDLEUP;
        break;
    case 3:
        flags = down ? MOUSEEVENTF_RIGHTDOWN : MOUSEEVENTF_RIGHTUP;
        break;
    case 8:
    case 9:
        flags = down ? MOUSEEVENTF_XDOWN : MOUSEEVENTF_XUP;
        data = button == 8 ? XBUTTON1 : XBUTTON2;
        break;
    default:
        return -EINVAL; /* X11 wheel buttons 4..7 come as WHEEL messages */
    }
    long ax = clampi((int)((long)x + in->ox), in->x0, in->x1 - 1);
    long ay = clampi((int)((long)y + in->oy), in->y0, in->y1 - 1);
    INPUT i = mouse_at(ax, ay, flags | MOUSEEVENTF_MOVE, data);
    int rc = send_input(&i, 1);
    if (down)
        in->buttons |= (uint16_t)(1u << button);
    else
        in->buttons &= (uint16_t) ~(1u << button);
    return rc;
}

int sasae_inject_wheel(struct sasae_inject *in, int x, int y, int dx, int dy)
{
    if (!inside(in, x, y))
        return -ERANGE;
    sasae_inject_move(in, x, y);
    /* a burst is bounded */
    dx = clampi(dx, -20, 20);
    dy = clampi(dy, -20, 20);
    INPUT i[2];
    UINT n = 0;
    long ax = (long)x + in->ox, ay = (long)y + in->oy;
    if (dy)
        i[n++] = mouse_at(ax, ay, MOUSEEVENTF_WHEEL, (DWORD)(dy * WHEEL_DELTA));
    if (dx)
        i[n++] = mouse_at(ax, ay, MOUSEEVENTF_HWHEEL, (DWORD)(dx * WHEEL_DELTA));
    return n ? send_input(i, n) : 0;
}

static int key_scan(struct sasae_inject *in, uint16_t scan, bool ext, bool down)
{
    unsigned slot = scan | (ext ? 0x100u : 0);
    if (slot >= KEYSLOTS)
        return -EINVAL;
    if (!down && !in->keys[slot])
        return 0; /* never release what we did not press */
    INPUT i = {.type = INPUT_KEYBOARD};
    i.ki.wScan = scan;
    /* Windows takes the scan code and ignores wVk; the matching virtual key is given too
     * for implementations that read it (Wine) */
    i.ki.wVk = (WORD)MapVirtualKeyExW(scan | (ext ? 0xe000u : 0), MAPVK_VSC_TO_VK_EX,
                                      GetKeyboardLayout(0));
    i.ki.dwFlags =
        KEYEVENTF_SCANCODE | (ext ? KEYEVENTF_EXTENDEDKEY : 0) | (down ? 0 : KEYEVENTF_KEYUP);
    int rc = send_input(&i, 1);
    in->keys[slot] = down;
    return rc;
}

int sasae_inject_key(struct sasae_inject *in, uint32_t keysym, bool down)
{
    if (keysym == 0 || keysym > 0x1fffffff)
        return -EINVAL;
    if (keysym == 0xff13) { /* Pause has no plain scan code (E1 sequence): by virtual key */
        INPUT i = {.type = INPUT_KEYBOARD};
        i.ki.wVk = VK_PAUSE;
        i.ki.dwFlags = down ? 0 : KEYEVENTF_KEYUP;
        return send_input(&i, 1);
    }
    struct keymap_scan ks;
    uint32_t ch = host_keymap_char(keysym);
    if (ch && ch != ' ') {
        /* a character: the key that types it on the customer's layout (so a Japanese
         * keyboard's @ and a US keyboard's @ both come out as @), else its US position */
        HKL layout = GetKeyboardLayout(0);
        SHORT vk = ch <= 0xffff ? VkKeyScanExW((WCHAR)ch, layout) : -1;
        if (vk != -1) {
            UINT sc = MapVirtualKeyExW((UINT)(vk & 0xff), MAPVK_VK_TO_VSC_EX, layout);
            if (sc & 0xff)
                return key_scan(in, (uint16_t)(sc & 0xff), (sc & 0xff00) == 0xe000, down);
        }
        if (host_keymap_scan(keysym, &ks))
            return key_scan(in, ks.scan, ks.extended, down);
        /* no key types it: the character itself, on press only */
        if (!down || ch > 0xffff)
            return 0;
        INPUT u[2] = {{.type = INPUT_KEYBOARD}, {.type = INPUT_KEYBOARD}};
        u[0].ki.wScan = u[1].ki.wScan = (WORD)ch;
        u[0].ki.dwFlags = KEYEVENTF_UNICODE;
        u[1].ki.dwFlags = KEYEVENTF_UNICODE | KEYEVENTF_KEYUP;
        return send_input(u, 2);
    }
    if (!host_keymap_scan(keysym, &ks))
        return -EINVAL;
    return key_scan(in, ks.scan, ks.extended, down);
}

void sasae_inject_release_all(struct sasae_inject *in)
{
    for (unsigned k = 0; k < KEYSLOTS; k++)
        if (in->keys[k])
            key_scan(in, (uint16_t)(k & 0xff), k & 0x100, false);
    static const struct {
        int button;
        DWORD flags, data;
    } up[] = {{1, MOUSEEVENTF_LEFTUP, 0},
              {2, MOUSEEVENTF_MIDDLEUP, 0},
              {3, MOUSEEVENTF_RIGHTUP, 0},
              {8, MOUSEEVENTF_XUP, XBUTTON1},
              {9, MOUSEEVENTF_XUP, XBUTTON2}};
    for (size_t i = 0; i < sizeof up / sizeof up[0]; i++)
        if (in->buttons & (1u << up[i].button)) {
            INPUT m = {.type = INPUT_MOUSE};
            m.mi.dwFlags = up[i].flags;
            m.mi.mouseData = up[i].data;
            send_input(&m, 1);
        }
    in->buttons = 0;
}
