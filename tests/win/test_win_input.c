/* Windows test of the host's input injection (host/win/inject_win.c), run under Wine or on
 * Windows: keys typed through sasae_inject_key arrive as text in an EDIT control of this
 * program, the pointer lands on the exact pixel asked for, clicks and wheel reach this
 * program's window at the right point, the shared area bounds the mouse as on X11, and
 * release_all lets go of a held key and button. Exit 0 = pass; one line per check.
 * Injected input is asynchronous (under Wine it arrives after a few hundred ms): every check
 * polls, pumping messages, up to POLL_MS. */
#include "sasae/host.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>

#define POLL_MS 6000
#define WIN_X 100
#define WIN_Y 80
#define WIN_W 640
#define WIN_H 480

static int failures;
static HWND win, edit;

/* The last mouse message our window got, and how many. */
static struct {
    UINT msg;
    int x, y;     /* client coordinates */
    int delta;    /* wheel */
    int xbutton;  /* XBUTTON1/2 */
    WPARAM vk;    /* WM_KEYDOWN: virtual key, */
    int scan;     /* scan code */
    bool ext;     /* and extended-key bit */
    unsigned n;   /* messages recorded since the reset */
    UINT seen[8]; /* the first few messages, in order */
} got;

static void check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s: ", ok ? "ok" : "FAIL");
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    if (!ok)
        failures++;
}

static void record(UINT msg, int x, int y, int delta, int xb)
{
    if (got.n < sizeof got.seen / sizeof got.seen[0])
        got.seen[got.n] = msg;
    got.n++;
    got.msg = msg;
    got.x = x;
    got.y = y;
    got.delta = delta;
    got.xbutton = xb;
}

static LRESULT CALLBACK wndproc(HWND h, UINT msg, WPARAM wp, LPARAM lp)
{
    switch (msg) {
    case WM_LBUTTONDOWN:
    case WM_LBUTTONUP:
    case WM_RBUTTONDOWN:
    case WM_RBUTTONUP:
    case WM_MBUTTONDOWN:
    case WM_MBUTTONUP:
        record(msg, (short)LOWORD(lp), (short)HIWORD(lp), 0, 0);
        return 0;
    case WM_XBUTTONDOWN:
    case WM_XBUTTONUP:
        record(msg, (short)LOWORD(lp), (short)HIWORD(lp), 0, HIWORD(wp));
        return TRUE;
    case WM_KEYDOWN:
    case WM_SYSKEYDOWN:
        record(WM_KEYDOWN, 0, 0, 0, 0);
        got.vk = wp;
        got.scan = (int)((lp >> 16) & 0xff);
        got.ext = (lp >> 24) & 1;
        return 0;
    case WM_MOUSEWHEEL:
    case WM_MOUSEHWHEEL: {
        POINT p = {(short)LOWORD(lp), (short)HIWORD(lp)}; /* screen coordinates */
        ScreenToClient(h, &p);
        record(msg, p.x, p.y, GET_WHEEL_DELTA_WPARAM(wp), 0);
        return 0;
    }
    }
    return DefWindowProcW(h, msg, wp, lp);
}

static void pump(void)
{
    MSG m;
    while (PeekMessageW(&m, NULL, 0, 0, PM_REMOVE)) {
        TranslateMessage(&m);
        DispatchMessageW(&m);
    }
}

/* Pumps messages until cond(arg) holds or POLL_MS pass; returns whether it held. */
static bool poll_until(bool (*cond)(const void *), const void *arg)
{
    DWORD t0 = GetTickCount();
    for (;;) {
        pump();
        if (cond(arg))
            return true;
        if (GetTickCount() - t0 > POLL_MS)
            return false;
        MsgWaitForMultipleObjects(0, NULL, FALSE, 10, QS_ALLINPUT);
    }
}

/* Pumps for ms whatever happens (to see that something does NOT arrive). */
static void pump_for(DWORD ms)
{
    DWORD t0 = GetTickCount();
    while (GetTickCount() - t0 < ms) {
        pump();
        MsgWaitForMultipleObjects(0, NULL, FALSE, 10, QS_ALLINPUT);
    }
}

static bool text_is(const void *want)
{
    WCHAR t[256];
    GetWindowTextW(edit, t, 256);
    return wcscmp(t, want) == 0;
}

static bool got_msg(const void *msg)
{
    return got.msg == *(const UINT *)msg;
}

static bool cursor_at(const void *pt)
{
    const POINT *want = pt;
    POINT p;
    return GetCursorPos(&p) && p.x == want->x && p.y == want->y;
}

static bool key_down_async(const void *vk)
{
    return (GetAsyncKeyState(*(const int *)vk) & 0x8000) != 0;
}

static bool key_up_async(const void *vk)
{
    return !key_down_async(vk);
}

static void reset_got(void)
{
    pump();
    memset(&got, 0, sizeof got);
}

static void tap(struct sasae_inject *in, uint32_t ks)
{
    sasae_inject_key(in, ks, true);
    sasae_inject_key(in, ks, false);
}

/* Types an ASCII string as the viewer would: Shift held around upper case letters and the
 * shifted characters of shifted_of (pairs "shifted, plain" on a US keyboard). */
static void type_ascii(struct sasae_inject *in, const char *s)
{
    static const char us_shift[] = "~`!1@2#3$4%5^6&7*8(9)0_-+={[}]|\\:;\"'<,>.?/";
    for (; *s; s++) {
        uint32_t ks = (unsigned char)*s;
        bool shift = false;
        if (ks >= 'A' && ks <= 'Z') {
            shift = true;
            ks += 'a' - 'A';
        }
        for (const char *p = us_shift; *p; p += 2)
            if ((unsigned char)*p == ks) {
                shift = true;
                ks = (unsigned char)p[1];
            }
        if (shift)
            sasae_inject_key(in, 0xffe1, true);
        tap(in, ks);
        if (shift)
            sasae_inject_key(in, 0xffe1, false);
    }
}

static void focus_edit(void)
{
    SetForegroundWindow(win);
    SetFocus(edit);
    SetWindowTextW(edit, L"");
    pump();
}

static void test_typing(struct sasae_inject *in)
{
    focus_edit();
    type_ascii(in, "Hello, World! 123");
    check(poll_until(text_is, L"Hello, World! 123"),
          "letters, digits, Shift: \"Hello, World! 123\"");

    focus_edit();
    const char *punct = "-=[]\\;',./` _+{}|:\"<>?~!@#$%^&*()";
    type_ascii(in, punct);
    WCHAR want[64];
    swprintf(want, 64, L"%hs", punct);
    check(poll_until(text_is, want), "US punctuation, plain and shifted: %s", punct);

    /* "abc" Home X End Y Left BackSpace Left Delete leaves "XaY" (Home, End, Left and
     * Delete are E0 keys; test_key_messages checks the flag itself) */
    focus_edit();
    type_ascii(in, "abc");
    tap(in, 0xff50); /* Home */
    type_ascii(in, "X");
    tap(in, 0xff57); /* End */
    type_ascii(in, "Y");
    tap(in, 0xff51); /* Left: caret before Y */
    tap(in, 0xff08); /* BackSpace: removes c */
    tap(in, 0xff51); /* Left: caret before b */
    tap(in, 0xffff); /* Delete: removes b */
    check(poll_until(text_is, L"XaY"), "Home, End, Left, BackSpace, Delete: \"XaY\"");

    focus_edit();
    tap(in, 0x01003042); /* あ */
    tap(in, 0x00e9);     /* é: no key on the US layout, so typed as Unicode */
    tap(in, 0x0101f600); /* beyond the BMP: a surrogate pair */
    check(poll_until(text_is, L"\x3042\x00e9\xd83d\xde00"), "Unicode: あ, é and U+1F600");

    focus_edit();
    sasae_inject_key(in, 0xffe3, true); /* Control_L */
    tap(in, 'a');                       /* no character: Ctrl+A */
    sasae_inject_key(in, 0xffe3, false);
    type_ascii(in, "ok");
    check(poll_until(text_is, L"ok"),
          "Control_L is a modifier (Ctrl+A typed nothing), then \"ok\"");

    focus_edit();
    tap(in, 0xff0d); /* Return in a multi-line edit */
    type_ascii(in, "z");
    check(poll_until(text_is, L"\r\nz"), "Return starts a new line");

    check(sasae_inject_key(in, 0xfe50, true) == -EINVAL, "dead_grave (no key, no char): -EINVAL");
    check(sasae_inject_key(in, 0, true) == -EINVAL, "keysym 0: -EINVAL");
    check(sasae_inject_key(in, 0x20000000, true) == -EINVAL, "keysym over 0x1fffffff: -EINVAL");
    check(sasae_inject_key(in, 'q', false) == 0, "releasing a key never pressed: 0");
    focus_edit();
    type_ascii(in, "w");
    check(poll_until(text_is, L"w"), "... and it typed nothing (only the next key arrived)");
}

/* The key messages carry the scan code and E0 flag sent (what real Windows goes by), and the
 * virtual key the layout gives them. */
static void test_key_messages(struct sasae_inject *in)
{
    static const struct {
        uint32_t keysym;
        WPARAM vk, vk2; /* vk2: also right (0: none) */
        int scan;
        bool ext;
        const char *name;
    } k[] = {{'a', 'A', 0, 0x1e, false, "a"},
             {0xff50, VK_HOME, 0, 0x47, true, "Home"},
             {0xff51, VK_LEFT, 0, 0x4b, true, "Left"},
             {0xffff, VK_DELETE, 0, 0x53, true, "Delete"},
             {0xffe4, VK_CONTROL, 0, 0x1d, true, "Control_R"},
             {0xffe3, VK_CONTROL, 0, 0x1d, false, "Control_L"},
             {0xffbe, VK_F1, 0, 0x3b, false, "F1"},
             {0xffc9, VK_F12, 0, 0x58, false, "F12"},
             {0xff8d, VK_RETURN, 0, 0x1c, true, "KP_Enter"},
             {0xffb7, VK_NUMPAD7, VK_HOME, 0x47, false, "KP_7"},
             {'\\', VK_OEM_5, 0, 0x2b, false, "backslash"},
             {'/', VK_OEM_2, 0, 0x35, false, "slash"}};
    /* KP_7 is the key at 0x47 without E0: Home or 7 as the customer's Num Lock says (Wine
     * reports the virtual key given, the layout's Home) */
    SetForegroundWindow(win);
    SetFocus(win);
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        reset_got();
        UINT want = WM_KEYDOWN;
        tap(in, k[i].keysym);
        bool ok = poll_until(got_msg, &want);
        check(ok && (got.vk == k[i].vk || (k[i].vk2 && got.vk == k[i].vk2)) &&
                  got.scan == k[i].scan && got.ext == k[i].ext,
              "%s: WM_KEYDOWN vk %#x scan %#x%s (want vk %#x scan %#x%s)", k[i].name,
              (unsigned)got.vk, got.scan, got.ext ? " E0" : "", (unsigned)k[i].vk, k[i].scan,
              k[i].ext ? " E0" : "");
    }
    pump_for(100);
}

static void test_pointer(struct sasae_inject *in, int vx, int vy, int vw, int vh)
{
    /* the exact pixel, everywhere on the screen */
    const POINT pts[] = {{0, 0},           {1, 1},        {vw - 1, vh - 1}, {vw / 2, vh / 2},
                         {vw - 1, 0},      {0, vh - 1},   {333, 217},       {vw / 3, vh - 2},
                         {vw - 2, vh / 3}, {WIN_X, WIN_Y}};
    int exact = 0;
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        POINT want = {vx + pts[i].x, vy + pts[i].y};
        sasae_inject_move(in, pts[i].x, pts[i].y);
        bool ok = poll_until(cursor_at, &want);
        POINT p;
        GetCursorPos(&p);
        if (!ok)
            printf("  move to %ld,%ld: pointer at %ld,%ld\n", want.x, want.y, p.x, p.y);
        exact += ok;
    }
    check(exact == (int)(sizeof pts / sizeof pts[0]), "move: pointer on the exact pixel (%d/%d)",
          exact, (int)(sizeof pts / sizeof pts[0]));
}

static void test_buttons(struct sasae_inject *in, int vx, int vy)
{
    SetForegroundWindow(win);
    SetFocus(win);
    /* client (300, 290) of our window, below the edit control */
    POINT c = {300, 290}, s = c;
    ClientToScreen(win, &s);
    int ax = s.x - vx, ay = s.y - vy; /* area coordinates: the area is the virtual screen */
    static const struct {
        int button;
        UINT down, up;
        const char *name;
    } b[] = {{1, WM_LBUTTONDOWN, WM_LBUTTONUP, "left"},
             {2, WM_MBUTTONDOWN, WM_MBUTTONUP, "middle"},
             {3, WM_RBUTTONDOWN, WM_RBUTTONUP, "right"}};
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) {
        reset_got();
        sasae_inject_button(in, ax + (int)i, ay, b[i].button, true);
        bool down = poll_until(got_msg, &b[i].down) && got.x == c.x + (int)i && got.y == c.y;
        int dx = got.x, dy = got.y;
        sasae_inject_button(in, ax + (int)i, ay, b[i].button, false);
        bool up = poll_until(got_msg, &b[i].up);
        check(down && up, "button %d (%s): down at client %d,%d (want %ld,%ld), then up",
              b[i].button, b[i].name, dx, dy, c.x + (long)i, c.y);
    }
    for (int xb = 8; xb <= 9; xb++) {
        reset_got();
        UINT want = WM_XBUTTONDOWN;
        sasae_inject_button(in, ax, ay, xb, true);
        bool ok = poll_until(got_msg, &want) && got.xbutton == (xb == 8 ? XBUTTON1 : XBUTTON2);
        int which = got.xbutton;
        want = WM_XBUTTONUP;
        sasae_inject_button(in, ax, ay, xb, false);
        ok = ok && poll_until(got_msg, &want);
        check(ok, "button %d: X button %d down and up", xb, which);
    }
    check(sasae_inject_button(in, ax, ay, 0, true) == -EINVAL &&
              sasae_inject_button(in, ax, ay, 10, true) == -EINVAL,
          "buttons 0 and 10: -EINVAL");

    reset_got();
    UINT wheel = WM_MOUSEWHEEL, hwheel = WM_MOUSEHWHEEL;
    sasae_inject_wheel(in, ax, ay, 0, 2);
    bool ok = poll_until(got_msg, &wheel);
    check(ok && got.delta == 2 * WHEEL_DELTA, "wheel dy=+2: WM_MOUSEWHEEL delta %d (want %d)",
          got.delta, 2 * WHEEL_DELTA);
    reset_got();
    sasae_inject_wheel(in, ax, ay, 0, -1);
    ok = poll_until(got_msg, &wheel);
    check(ok && got.delta == -WHEEL_DELTA, "wheel dy=-1: delta %d", got.delta);
    reset_got();
    sasae_inject_wheel(in, ax, ay, -1, 0);
    ok = poll_until(got_msg, &hwheel);
    check(ok && got.delta == -WHEEL_DELTA, "wheel dx=-1: WM_MOUSEHWHEEL delta %d", got.delta);
    reset_got();
    sasae_inject_button(in, ax, ay, 4, true); /* X11's wheel-up button */
    sasae_inject_button(in, ax, ay, 4, false);
    ok = poll_until(got_msg, &wheel);
    check(ok && got.delta == WHEEL_DELTA, "button 4 (X11 wheel up): WM_MOUSEWHEEL delta %d",
          got.delta);
}

/* An injector bounded to our window's client area: moves and releases clamped into it,
 * presses and wheel outside refused. */
static void test_area(int vx, int vy)
{
    SetForegroundWindow(win);
    SetFocus(win);
    RECT r;
    GetClientRect(win, &r);
    POINT o = {0, 0};
    ClientToScreen(win, &o);
    char err[128] = "";
    struct sasae_inject *in = sasae_inject_open(NULL, o.x, o.y, r.right, r.bottom, err, sizeof err);
    check(in != NULL, "open over the window %ldx%ld+%ld+%ld %s", r.right, r.bottom, o.x, o.y, err);
    if (!in)
        return;
    POINT tl = o, br = {o.x + r.right - 1, o.y + r.bottom - 1};
    sasae_inject_move(in, -50, -70);
    check(poll_until(cursor_at, &tl), "move above-left of the area: clamped to its corner");
    sasae_inject_move(in, r.right + 500, r.bottom + 500);
    check(poll_until(cursor_at, &br), "move below-right of the area: clamped to its last pixel");

    reset_got();
    int rc1 = sasae_inject_button(in, -1, 10, 1, true);
    int rc2 = sasae_inject_button(in, 10, r.bottom, 1, true);
    int rc3 = sasae_inject_wheel(in, r.right, 10, 0, 1);
    int rc4 = sasae_inject_button(in, -5, -5, 4, true);
    pump_for(600);
    check(rc1 == -ERANGE && rc2 == -ERANGE && rc3 == -ERANGE && rc4 == -ERANGE && got.n == 0,
          "press and wheel outside the area: -ERANGE (%d %d %d %d), %u messages arrived", rc1, rc2,
          rc3, rc4, got.n);

    reset_got();
    UINT down = WM_LBUTTONDOWN, up = WM_LBUTTONUP;
    /* below the edit control: our window gets the click */
    sasae_inject_button(in, 20, 300, 1, true);
    bool ok = poll_until(got_msg, &down) && got.x == 20 && got.y == 300;
    int rc = sasae_inject_button(in, r.right + 300, r.bottom + 200, 1, false);
    ok = ok && rc == 0 && poll_until(got_msg, &up);
    check(ok && got.x == r.right - 1 && got.y == r.bottom - 1,
          "release outside the area: clamped to its corner (up at %d,%d, want %ld,%ld)", got.x,
          got.y, r.right - 1, r.bottom - 1);
    sasae_inject_free(in);

    in = sasae_inject_open(NULL, -100000, -100000, 10, 10, err, sizeof err);
    check(in == NULL, "an area off the screen is refused: %s", err);
    sasae_inject_free(in);
}

static void test_release_all(struct sasae_inject *in, int vx, int vy)
{
    focus_edit();
    int vk_shift = VK_LSHIFT, vk_lb = VK_LBUTTON;
    sasae_inject_key(in, 0xffe1, true); /* Shift_L held */
    check(poll_until(key_down_async, &vk_shift), "Shift_L held: GetAsyncKeyState says down");
    POINT s = {300, 290};
    ClientToScreen(win, &s);
    reset_got();
    UINT down = WM_LBUTTONDOWN, up = WM_LBUTTONUP;
    sasae_inject_button(in, s.x - vx, s.y - vy, 1, true);
    check(poll_until(got_msg, &down) && poll_until(key_down_async, &vk_lb),
          "left button held: WM_LBUTTONDOWN, GetAsyncKeyState says down");
    sasae_inject_release_all(in);
    check(poll_until(key_up_async, &vk_shift), "release_all: Shift_L up");
    check(poll_until(got_msg, &up) && poll_until(key_up_async, &vk_lb),
          "release_all: left button up (WM_LBUTTONUP)");
    /* Shift is really up: a letter comes out in lower case */
    focus_edit();
    type_ascii(in, "k");
    check(poll_until(text_is, L"k"), "after release_all a letter types in lower case");
}

/* Key presses stay inside what is shared: with the cursor outside the shared area (another
 * monitor) a press is dropped (-ERANGE) and nothing reaches the focused window; inside it
 * is typed; the release of a key pressed inside goes out wherever the cursor is. */
static void test_keys_inside(int vx, int vy, int vw, int vh)
{
    char err[128] = "";
    struct sasae_inject *half = sasae_inject_open(NULL, vx, vy, vw / 2, vh, err, sizeof err);
    check(half != NULL, "open over the left half %s", err);
    if (!half)
        return;
    focus_edit();
    SetCursorPos(vx + vw - 10, vy + vh / 2);
    pump();
    check(sasae_inject_key(half, 'x', true) == -ERANGE,
          "key press with the cursor outside: -ERANGE");
    pump_for(200);
    WCHAR typed[16] = L"";
    GetWindowTextW(edit, typed, 16);
    check(typed[0] == 0, "nothing typed with the cursor outside (typed \"%ls\")", typed);
    SetCursorPos(vx + 10, vy + vh / 2);
    pump();
    check(sasae_inject_key(half, 'y', true) == 0, "key press with the cursor inside: 0");
    SetCursorPos(vx + vw - 10, vy + vh / 2);
    pump();
    check(sasae_inject_key(half, 'y', false) == 0, "its release, cursor outside again: 0");
    check(poll_until(text_is, L"y"), "the key pressed inside was typed");
    sasae_inject_free(half);
}

int main(void)
{
    HINSTANCE hi = GetModuleHandleW(NULL);
    WNDCLASSW wc = {.lpfnWndProc = wndproc,
                    .hInstance = hi,
                    .hCursor = LoadCursor(NULL, IDC_ARROW),
                    .hbrBackground = (HBRUSH)GetStockObject(WHITE_BRUSH),
                    .lpszClassName = L"sasae-test-input"};
    RegisterClassW(&wc);
    win = CreateWindowExW(0, wc.lpszClassName, L"sasae input test", WS_POPUP | WS_VISIBLE, WIN_X,
                          WIN_Y, WIN_W, WIN_H, NULL, NULL, hi, NULL);
    edit = CreateWindowExW(0, L"EDIT", L"",
                           WS_CHILD | WS_VISIBLE | WS_BORDER | ES_MULTILINE | ES_AUTOVSCROLL, 10,
                           10, WIN_W - 20, 200, win, NULL, hi, NULL);
    check(win && edit, "window with an EDIT control");
    if (!win || !edit)
        return 1;
    pump_for(300);

    int vx = GetSystemMetrics(SM_XVIRTUALSCREEN), vy = GetSystemMetrics(SM_YVIRTUALSCREEN);
    int vw = GetSystemMetrics(SM_CXVIRTUALSCREEN), vh = GetSystemMetrics(SM_CYVIRTUALSCREEN);
    printf("virtual screen %dx%d+%d+%d, layout %08lx\n", vw, vh, vx, vy,
           (unsigned long)(UINT_PTR)GetKeyboardLayout(0));
    char err[128] = "";
    struct sasae_inject *in = sasae_inject_open("ignored", vx, vy, vw, vh, err, sizeof err);
    check(in != NULL, "open over the virtual screen %s", err);
    if (!in)
        return 1;
    test_pointer(in, vx, vy, vw, vh);
    test_typing(in);
    test_key_messages(in);
    test_buttons(in, vx, vy);
    test_area(vx, vy);
    test_keys_inside(vx, vy, vw, vh);
    test_release_all(in, vx, vy);
    sasae_inject_free(in);
    DestroyWindow(win);
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
