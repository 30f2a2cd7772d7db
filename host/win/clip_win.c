/* The customer's clipboard on Windows: CF_UNICODETEXT. The clipboard belongs to a window,
 * and Windows sends that window messages (WM_DESTROYCLIPBOARD when another program empties
 * it) and waits for the answer: the window must live on a thread that pumps messages, or
 * other programs hang on copy. So this module runs its own thread with a message-only
 * window, and every operation runs there (SendMessageTimeout). Text travels as UTF-8 with
 * LF line ends; Windows programs expect CRLF: converted both ways. Unlike X11, text set here
 * stays on the clipboard after the host exits (Windows keeps it). */
#include "sasae/hostclip.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "sasae/common.h"

#define TAG "clipboard"
#define WM_CLIP_SET (WM_APP + 1)
#define WM_CLIP_GET (WM_APP + 2)
#define WM_CLIP_QUIT (WM_APP + 3)

struct sasae_clip {
    HANDLE thread, ready;
    HWND hwnd;
};

/* One operation, shared by the caller and the clipboard thread: whoever finishes last frees
 * it (a caller that timed out leaves it to the thread). */
struct op {
    volatile LONG refs;
    const char *in;
    size_t in_len;
    char *out;
    size_t cap, out_len;
    int rc;
};

static void op_put(struct op *o)
{
    if (InterlockedDecrement(&o->refs) == 0) {
        free(o->out);
        free(o);
    }
}

/* Another program may hold the clipboard open for a moment: retry briefly. */
static bool open_clipboard(HWND h)
{
    for (int i = 0; i < 20; i++) {
        if (OpenClipboard(h))
            return true;
        Sleep(10);
    }
    return false;
}

static int do_set(HWND h, struct op *o)
{
    /* UTF-8 -> UTF-16 with LF -> CRLF */
    int wn = o->in_len ? MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, o->in, (int)o->in_len,
                                             NULL, 0)
                       : 0;
    if (o->in_len && wn <= 0)
        return -EILSEQ;
    WCHAR *w = malloc(sizeof(WCHAR) * ((size_t)wn + 1));
    if (!w)
        return -ENOMEM;
    if (wn)
        MultiByteToWideChar(CP_UTF8, 0, o->in, (int)o->in_len, w, wn);
    size_t lf = 0;
    for (int i = 0; i < wn; i++)
        lf += w[i] == L'\n' && (i == 0 || w[i - 1] != L'\r');
    HGLOBAL g = GlobalAlloc(GMEM_MOVEABLE, sizeof(WCHAR) * ((size_t)wn + lf + 1));
    if (!g) {
        free(w);
        return -ENOMEM;
    }
    WCHAR *d = GlobalLock(g);
    size_t k = 0;
    for (int i = 0; i < wn; i++) {
        if (w[i] == L'\n' && (i == 0 || w[i - 1] != L'\r'))
            d[k++] = L'\r';
        d[k++] = w[i];
    }
    d[k] = 0;
    GlobalUnlock(g);
    free(w);
    if (!open_clipboard(h)) {
        GlobalFree(g);
        return -EBUSY;
    }
    EmptyClipboard();
    int rc = 0;
    if (!SetClipboardData(CF_UNICODETEXT, g)) {
        GlobalFree(g); /* not taken: still ours */
        rc = -EIO;
    }
    CloseClipboard();
    return rc;
}

static int do_get(HWND h, struct op *o)
{
    if (!open_clipboard(h))
        return -EBUSY;
    int rc = 0;
    HANDLE d = GetClipboardData(CF_UNICODETEXT);
    const WCHAR *w = d ? GlobalLock(d) : NULL;
    if (w) {
        size_t wn = wcsnlen(w, GlobalSize(d) / sizeof(WCHAR));
        /* CRLF -> LF, then UTF-16 -> UTF-8 */
        WCHAR *t = malloc(sizeof(WCHAR) * (wn + 1));
        size_t k = 0;
        if (!t) {
            rc = -ENOMEM;
        } else {
            for (size_t i = 0; i < wn; i++)
                if (!(w[i] == L'\r' && i + 1 < wn && w[i + 1] == L'\n'))
                    t[k++] = w[i];
            int n = k ? WideCharToMultiByte(CP_UTF8, 0, t, (int)k, NULL, 0, NULL, NULL) : 0;
            if (k && n <= 0)
                rc = -EILSEQ;
            else if ((size_t)n > o->cap)
                rc = -E2BIG;
            else if (n)
                WideCharToMultiByte(CP_UTF8, 0, t, (int)k, o->out, n, NULL, NULL);
            o->out_len = rc == 0 ? (size_t)n : 0;
            SecureZeroMemory(t, sizeof(WCHAR) * (wn + 1));
            free(t);
        }
        GlobalUnlock(d);
    }
    CloseClipboard();
    return rc;
}

static LRESULT CALLBACK clip_proc(HWND h, UINT msg, WPARAM wp, LPARAM lp)
{
    if (msg == WM_CLIP_SET || msg == WM_CLIP_GET) {
        struct op *o = (struct op *)lp;
        o->rc = msg == WM_CLIP_SET ? do_set(h, o) : do_get(h, o);
        op_put(o);
        return 0;
    }
    if (msg == WM_CLIP_QUIT) {
        DestroyWindow(h);
        PostQuitMessage(0);
        return 0;
    }
    return DefWindowProcW(h, msg, wp, lp);
}

static DWORD WINAPI clip_main(LPVOID arg)
{
    struct sasae_clip *c = arg;
    WNDCLASSW wc = {0};
    wc.lpfnWndProc = clip_proc;
    wc.hInstance = GetModuleHandleW(NULL);
    wc.lpszClassName = L"sasae_clipboard";
    RegisterClassW(&wc); /* fails harmlessly if a previous clipboard registered it */
    c->hwnd = CreateWindowExW(0, wc.lpszClassName, L"", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL,
                              wc.hInstance, NULL);
    SetEvent(c->ready);
    if (!c->hwnd)
        return 1;
    MSG m;
    while (GetMessageW(&m, NULL, 0, 0) > 0) {
        TranslateMessage(&m);
        DispatchMessageW(&m);
    }
    return 0;
}

struct sasae_clip *sasae_clip_open(const char *display, char *err, size_t errlen)
{
    (void)display;
    struct sasae_clip *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->ready = CreateEventW(NULL, TRUE, FALSE, NULL);
    c->thread = c->ready ? CreateThread(NULL, 0, clip_main, c, 0, NULL) : NULL;
    if (!c->thread) {
        snprintf(err, errlen, "cannot start the clipboard thread");
        goto fail;
    }
    WaitForSingleObject(c->ready, 5000);
    if (!c->hwnd) {
        snprintf(err, errlen, "cannot create the clipboard window (error %lu)", GetLastError());
        WaitForSingleObject(c->thread, 2000);
        goto fail;
    }
    return c;
fail:
    if (c->thread)
        CloseHandle(c->thread);
    if (c->ready)
        CloseHandle(c->ready);
    free(c);
    return NULL;
}

void sasae_clip_free(struct sasae_clip *c)
{
    if (!c)
        return;
    PostMessageW(c->hwnd, WM_CLIP_QUIT, 0, 0);
    WaitForSingleObject(c->thread, 5000);
    CloseHandle(c->thread);
    CloseHandle(c->ready);
    free(c);
}

/* Runs o on the clipboard thread, waiting at most timeout_ms. */
static int run_op(struct sasae_clip *c, UINT msg, struct op *o, int timeout_ms)
{
    o->refs = 2;
    DWORD_PTR res;
    if (!SendMessageTimeoutW(c->hwnd, msg, 0, (LPARAM)o, SMTO_NORMAL, (UINT)timeout_ms, &res)) {
        op_put(o); /* the thread frees it when (if) it gets to it */
        SASAE_WARN(TAG, "the clipboard did not answer within %d ms", timeout_ms);
        return -ETIMEDOUT;
    }
    return 0;
}

int sasae_clip_set(struct sasae_clip *c, const char *utf8, size_t len)
{
    struct op *o = calloc(1, sizeof *o);
    if (!o)
        return -ENOMEM;
    /* the text is copied so a caller that timed out may free its own */
    o->out = malloc(len ? len : 1);
    if (!o->out) {
        free(o);
        return -ENOMEM;
    }
    if (len)
        memcpy(o->out, utf8, len);
    o->in = o->out;
    o->in_len = len;
    int rc = run_op(c, WM_CLIP_SET, o, 2000);
    if (rc == 0) {
        rc = o->rc;
        op_put(o);
    }
    return rc;
}

int sasae_clip_get(struct sasae_clip *c, char *out, size_t cap, int timeout_ms)
{
    struct op *o = calloc(1, sizeof *o);
    if (!o)
        return -ENOMEM;
    o->out = malloc(cap ? cap : 1);
    if (!o->out) {
        free(o);
        return -ENOMEM;
    }
    o->cap = cap;
    int rc = run_op(c, WM_CLIP_GET, o, timeout_ms);
    if (rc == 0) {
        rc = o->rc < 0 ? o->rc : (int)o->out_len;
        if (rc > 0)
            memcpy(out, o->out, (size_t)rc);
        op_put(o);
    }
    return rc;
}
