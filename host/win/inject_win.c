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

#include "../keymap.h"

/* More keys than anyone holds at once; beyond it a press is refused rather than forgotten. */
#define MAX_HELD 32
/* A wheel burst is bounded (notches per event). */
#define MAX_NOTCHES 20

/* What a keysym presses: a scan code (with the virtual key Wine reads), a virtual key alone,
 * or Unicode characters typed at once. */
struct key_target {
    enum { TGT_SCAN, TGT_VK, TGT_UNICODE } kind;
    uint16_t scan;
    bool ext;
    WORD vk;
    uint32_t ch;
};

struct held {
    uint32_t keysym; /* as pressed: its release finds the same key even if the layout changed */
    struct key_target t;
};

struct sasae_inject {
    int ox, oy;         /* origin of the area coordinates */
    int x0, y0, x1, y1; /* the area on the virtual screen, end exclusive */
    uint16_t buttons;   /* bit b set: button b held */
    int nheld;
    struct held held[MAX_HELD];
};

struct sasae_inject *sasae_inject_open(const char *display, int x, int y, int w, int h, char *err,
                                       size_t errlen)
{
    (void)display;
    int vx = GetSystemMetrics(SM_XVIRTUALSCREEN), vy = GetSystemMetrics(SM_YVIRTUALSCREEN);
    int vw = GetSystemMetrics(SM_CXVIRTUALSCREEN), vh = GetSystemMetrics(SM_CYVIRTUALSCREEN);
    /* the area, clipped to the virtual screen */
    long x0 = x < vx ? vx : x, y0 = y < vy ? vy : y;
    long x1 = (long)x + w > (long)vx + vw ? (long)vx + vw : (long)x + w;
    long y1 = (long)y + h > (long)vy + vh ? (long)vy + vh : (long)y + h;
    if (w < 1 || h < 1 || x1 <= x0 || y1 <= y0) {
        snprintf(err, errlen, "input area %dx%d+%d+%d is off the screen", w, h, x, y);
        return NULL;
    }
    struct sasae_inject *in = calloc(1, sizeof *in);
    if (!in) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    in->ox = x;
    in->oy = y;
    in->x0 = (int)x0;
    in->y0 = (int)y0;
    in->x1 = (int)x1;
    in->y1 = (int)y1;
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

static long clampl(long v, long lo, long hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static bool inside(const struct sasae_inject *in, int x, int y)
{
    long ax = (long)x + in->ox, ay = (long)y + in->oy;
    return ax >= in->x0 && ax < in->x1 && ay >= in->y0 && ay < in->y1;
}

static int send_input(INPUT *i, UINT n)
{
    /* fewer events taken: blocked by UIPI (an elevated window has the focus) or the secure
     * desktop; not an error of ours, but the operator sees nothing happen */
    return SendInput(n, i, sizeof *i) == n ? 0 : -EPERM;
}

/* An absolute mouse input at virtual-screen pixel (ax, ay). SendInput wants 0..65535 over
 * the virtual desktop; aiming at the pixel's centre lands on it whether Windows rounds or
 * truncates the scaled value. */
static INPUT mouse_at(long ax, long ay, DWORD flags, DWORD data)
{
    long long vx = GetSystemMetrics(SM_XVIRTUALSCREEN), vy = GetSystemMetrics(SM_YVIRTUALSCREEN);
    long long vw = GetSystemMetrics(SM_CXVIRTUALSCREEN), vh = GetSystemMetrics(SM_CYVIRTUALSCREEN);
    vw = vw < 1 ? 1 : vw;
    vh = vh < 1 ? 1 : vh;
    INPUT i = {.type = INPUT_MOUSE};
    i.mi.dx = (LONG)clampl((long)(((2 * (ax - vx) + 1) * 65536) / (2 * vw)), 0, 65535);
    i.mi.dy = (LONG)clampl((long)(((2 * (ay - vy) + 1) * 65536) / (2 * vh)), 0, 65535);
    i.mi.dwFlags = flags | MOUSEEVENTF_ABSOLUTE | MOUSEEVENTF_VIRTUALDESK;
    i.mi.mouseData = data;
    return i;
}

/* (x, y) in area coordinates, saturated into the area: coordinates come from the network. */
static void clamp_point(const struct sasae_inject *in, int x, int y, long *ax, long *ay)
{
    *ax = clampl((long)x + in->ox, in->x0, in->x1 - 1);
    *ay = clampl((long)y + in->oy, in->y0, in->y1 - 1);
}

int sasae_inject_move(struct sasae_inject *in, int x, int y)
{
    long ax, ay;
    clamp_point(in, x, y, &ax, &ay);
    INPUT i = mouse_at(ax, ay, MOUSEEVENTF_MOVE, 0);
    return send_input(&i, 1);
}

/* Wheel notches at (ax, ay): dy up (+) or down (-), dx right (+) or left (-). */
static int wheel_at(long ax, long ay, int dx, int dy)
{
    INPUT i[3];
    UINT n = 0;
    i[n++] = mouse_at(ax, ay, MOUSEEVENTF_MOVE, 0);
    dx = clampi(dx, -MAX_NOTCHES, MAX_NOTCHES);
    dy = clampi(dy, -MAX_NOTCHES, MAX_NOTCHES);
    if (dy)
        i[n++] = mouse_at(ax, ay, MOUSEEVENTF_WHEEL, (DWORD)(dy * WHEEL_DELTA));
    if (dx)
        i[n++] = mouse_at(ax, ay, MOUSEEVENTF_HWHEEL, (DWORD)(dx * WHEEL_DELTA));
    return send_input(i, n);
}

int sasae_inject_button(struct sasae_inject *in, int x, int y, int button, bool down)
{
    if (button < 1 || button > 9)
        return -EINVAL;
    /* a press outside the shared area would land on an unshared monitor; a release is
     * clamped so that no button is ever left held */
    if (down && !inside(in, x, y))
        return -ERANGE;
    long ax, ay;
    clamp_point(in, x, y, &ax, &ay);
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
        /* X11's wheel buttons (4 up, 5 down, 6 left, 7 right) scroll once per press, as
         * they do through XTest; nothing is held */
        if (!down)
            return 0;
        return wheel_at(ax, ay,
                        button == 6   ? -1
                        : button == 7 ? 1
                                      : 0,
                        button == 4   ? 1
                        : button == 5 ? -1
                                      : 0);
    }
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
    return wheel_at((long)x + in->ox, (long)y + in->oy, dx, dy);
}

/* ---- keys ---- */

enum layout_family { FAM_OTHER, FAM_US, FAM_JIS };

/* Keyboard layouts belong to threads: the one that decides what a key types is the focused
 * window's. */
static HKL target_layout(void)
{
    HWND fg = GetForegroundWindow();
    return GetKeyboardLayout(fg ? GetWindowThreadProcessId(fg, NULL) : 0);
}

/* Whether the layout puts characters where the US or the JIS table says. Japanese Windows
 * also runs 101-key keyboards, told apart by where @ is. */
static enum layout_family family_of(HKL hkl)
{
    UINT_PTR h = (UINT_PTR)hkl;
    SHORT at = VkKeyScanExW(L'@', hkl);
    if (PRIMARYLANGID(LOWORD(h)) == LANG_JAPANESE)
        return at == VK_OEM_3 ? FAM_JIS : at == ('2' | 0x100) ? FAM_US : FAM_OTHER;
    /* the plain US layout only (HIWORD names the layout: US-International or Dvorak differ) */
    return (h & 0xffffffffu) == 0x04090409u ? FAM_US : FAM_OTHER;
}

static struct key_target scan_target(uint16_t scan, bool ext, uint8_t table_vk, HKL hkl)
{
    /* the live layout's virtual key first: that is what Windows itself would derive */
    UINT vk = MapVirtualKeyExW(scan | (ext ? 0xe000u : 0), MAPVK_VSC_TO_VK_EX, hkl);
    return (struct key_target){
        .kind = TGT_SCAN, .scan = scan, .ext = ext, .vk = (WORD)(vk ? vk : table_vk)};
}

/* The key for a character keysym: the US or JIS table where the layout is one of those
 * (exact, and ¥/ろ both type a backslash on JIS, so asking Windows would be ambiguous), any
 * other layout as Windows maps it, letters and digits at their usual place (so Ctrl+C still
 * works on a layout without Latin letters), else the character itself. */
static struct key_target char_target(uint32_t keysym, uint32_t ch, HKL hkl)
{
    enum layout_family fam = family_of(hkl);
    struct keymap_pos p;
    if (fam != FAM_OTHER && keymap_char(keysym, fam == FAM_JIS ? KEYMAP_JIS : KEYMAP_US, &p))
        return scan_target(p.scan, p.extended, p.vk, hkl);
    if (ch <= 0xffff) {
        SHORT v = VkKeyScanExW((WCHAR)ch, hkl);
        if (v != -1) {
            UINT sc = MapVirtualKeyExW((UINT)(v & 0xff), MAPVK_VK_TO_VSC_EX, hkl);
            if (sc & 0xff)
                return (struct key_target){.kind = TGT_SCAN,
                                           .scan = (uint16_t)(sc & 0xff),
                                           .ext = (sc & 0xff00) == 0xe000,
                                           .vk = (WORD)(v & 0xff)};
        }
    }
    bool alnum = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    if (alnum && keymap_char(keysym, KEYMAP_US, &p))
        return scan_target(p.scan, false, p.vk, hkl);
    return (struct key_target){.kind = TGT_UNICODE, .ch = ch};
}

/* What keysym presses on the customer's keyboard now; false for keysyms that are neither a
 * key nor a character. */
static bool key_target_of(uint32_t keysym, struct key_target *t)
{
    HKL hkl = target_layout();
    struct keymap_pos p;
    /* ¥ is the JIS key only where there is one; elsewhere it is the character */
    if (keymap_key(keysym, &p) && (keysym != 0xa5 || family_of(hkl) == FAM_JIS)) {
        if (p.by_vk)
            *t = (struct key_target){.kind = TGT_VK, .ext = p.extended, .vk = p.vk};
        else
            *t = scan_target(p.scan, p.extended, p.vk, hkl);
        return true;
    }
    uint32_t ch = keymap_unicode(keysym);
    if (!ch)
        return false;
    *t = char_target(keysym, ch, hkl);
    return true;
}

static int send_key(const struct key_target *t, bool down)
{
    INPUT i = {.type = INPUT_KEYBOARD};
    DWORD up = down ? 0 : KEYEVENTF_KEYUP, ext = t->ext ? KEYEVENTF_EXTENDEDKEY : 0;
    i.ki.wVk = t->vk;
    if (t->kind == TGT_SCAN) {
        /* Windows derives the key from the scan code through the customer's layout and
         * ignores wVk; Wine reads wVk */
        i.ki.wScan = t->scan;
        i.ki.dwFlags = KEYEVENTF_SCANCODE | ext | up;
    } else {
        i.ki.dwFlags = ext | up;
    }
    return send_input(&i, 1);
}

/* Types ch as text (a press and release of each UTF-16 unit): for characters no key of the
 * layout types. Nothing stays held. */
static int send_unicode(uint32_t ch)
{
    WCHAR u[2];
    int n = 0;
    if (ch > 0xffff) {
        ch -= 0x10000;
        u[n++] = (WCHAR)(0xd800 + (ch >> 10));
        u[n++] = (WCHAR)(0xdc00 + (ch & 0x3ff));
    } else {
        u[n++] = (WCHAR)ch;
    }
    INPUT i[4];
    UINT m = 0;
    for (int k = 0; k < n; k++)
        for (int up = 0; up < 2; up++)
            i[m++] = (INPUT){
                .type = INPUT_KEYBOARD,
                .ki = {.wScan = u[k], .dwFlags = KEYEVENTF_UNICODE | (up ? KEYEVENTF_KEYUP : 0)}};
    return send_input(i, m);
}

static bool same_key(const struct key_target *a, const struct key_target *b)
{
    return a->kind == b->kind && a->ext == b->ext &&
           (a->kind == TGT_SCAN ? a->scan == b->scan : a->vk == b->vk);
}

/* Releases held[k] (its key goes up unless another held keysym still holds the same key). */
static int release_held(struct sasae_inject *in, int k)
{
    struct held h = in->held[k];
    in->held[k] = in->held[--in->nheld];
    for (int j = 0; j < in->nheld; j++)
        if (same_key(&in->held[j].t, &h.t))
            return 0;
    return send_key(&h.t, false);
}

/* Whether the cursor is inside the shared area now. */
static bool pointer_inside(const struct sasae_inject *in)
{
    POINT p;
    if (!GetCursorPos(&p))
        return false; /* a secure desktop has it: nothing goes out */
    return p.x >= in->x0 && p.x < in->x1 && p.y >= in->y0 && p.y < in->y1;
}

int sasae_inject_key(struct sasae_inject *in, uint32_t keysym, bool down)
{
    if (keysym == 0 || keysym > 0x1fffffff)
        return -EINVAL;
    int k = 0;
    while (k < in->nheld && in->held[k].keysym != keysym)
        k++;
    if (!down) /* never release what we did not press */
        return k < in->nheld ? release_held(in, k) : 0;
    if (k < in->nheld) /* auto-repeat: the same key again */
        return send_key(&in->held[k].t, true);
    if (!pointer_inside(in))
        return -ERANGE;
    struct key_target t;
    if (!key_target_of(keysym, &t))
        return -EINVAL;
    if (t.kind == TGT_UNICODE)
        return send_unicode(t.ch);
    if (in->nheld == MAX_HELD)
        return -ENOSPC;
    in->held[in->nheld++] = (struct held){keysym, t};
    return send_key(&t, true);
}

void sasae_inject_release_all(struct sasae_inject *in)
{
    while (in->nheld > 0)
        release_held(in, in->nheld - 1);
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
            /* where the pointer is: no move */
            INPUT m = {.type = INPUT_MOUSE};
            m.mi.dwFlags = up[i].flags;
            m.mi.mouseData = up[i].data;
            send_input(&m, 1);
        }
    in->buttons = 0;
}
