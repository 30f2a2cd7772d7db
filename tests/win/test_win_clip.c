/* Windows test of the host's clipboard (host/win/clip_win.c), run under Wine or on Windows:
 * text the operator pastes lands on the Windows clipboard as CF_UNICODETEXT (read back with
 * the plain Win32 calls, CRLF line ends), and text another program put there is read back as
 * UTF-8 with LF, including Japanese; a text longer than the caller's buffer is E2BIG, an empty
 * clipboard is 0 bytes. Exit 0 = pass; one line per check. */
#include "sasae/hostclip.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>

#include "wintest.h"

/* The clipboard's CF_UNICODETEXT through Win32 directly, into w (cap WCHARs). */
static bool raw_get(HWND h, WCHAR *w, size_t cap)
{
    if (!OpenClipboard(h))
        return false;
    HANDLE d = GetClipboardData(CF_UNICODETEXT);
    const WCHAR *p = d ? GlobalLock(d) : NULL;
    bool ok = p != NULL;
    if (p) {
        wcsncpy(w, p, cap - 1);
        w[cap - 1] = 0;
        GlobalUnlock(d);
    }
    CloseClipboard();
    return ok;
}

static bool raw_set(HWND h, const WCHAR *w)
{
    size_t n = wcslen(w) + 1;
    HGLOBAL g = GlobalAlloc(GMEM_MOVEABLE, n * sizeof(WCHAR));
    memcpy(GlobalLock(g), w, n * sizeof(WCHAR));
    GlobalUnlock(g);
    if (!OpenClipboard(h))
        return false;
    EmptyClipboard();
    bool ok = SetClipboardData(CF_UNICODETEXT, g) != NULL;
    CloseClipboard();
    return ok;
}

int main(void)
{
    /* another program's window (this test plays the customer's other programs) */
    HWND other = CreateWindowExW(0, L"STATIC", L"other", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL,
                                 GetModuleHandleW(NULL), NULL);
    CHECK(other != NULL, "a window for the other program");
    char err[256] = "";
    struct sasae_clip *c = sasae_clip_open(NULL, err, sizeof err);
    if (!CHECK(c != NULL, "sasae_clip_open: %s", err))
        return wt_done();

    /* the operator pastes: UTF-8 with LF in, CF_UNICODETEXT with CRLF out */
    const char paste[] = "オペレーター: net use Z: \\\\srv\\share\nline 2";
    int rc = sasae_clip_set(c, paste, strlen(paste));
    CHECK(rc == 0, "set: %d", rc);
    WCHAR w[256] = L"";
    CHECK(raw_get(other, w, 256), "another program reads the clipboard");
    CHECK(wcscmp(w, L"\x30aa\x30da\x30ec\x30fc\x30bf\x30fc: net use Z: \\\\srv\\share\r\nline 2") ==
              0,
          "the pasted text, CRLF, as another program sees it");

    /* the operator copies: what another program put there, as UTF-8 with LF */
    CHECK(raw_set(other, L"\x304a\x5ba2\x69d8\x306e\x30e1\x30e2\r\nsecond line"),
          "another program sets the clipboard");
    char out[256];
    rc = sasae_clip_get(c, out, sizeof out, 1000);
    const char want[] = "お客様のメモ\nsecond line";
    CHECK(rc == (int)strlen(want) && memcmp(out, want, strlen(want)) == 0,
          "read back: %d bytes '%.*s'", rc, rc > 0 ? rc : 0, out);
    rc = sasae_clip_get(c, out, 5, 1000);
    CHECK(rc == -E2BIG, "longer than the buffer: %d", rc);

    /* empty clipboard: nothing, not an error */
    if (OpenClipboard(other)) {
        EmptyClipboard();
        CloseClipboard();
    }
    rc = sasae_clip_get(c, out, sizeof out, 1000);
    CHECK(rc == 0, "empty clipboard reads as 0 bytes: %d", rc);

    /* the text stays for the customer after the host's clipboard is closed (Windows keeps
     * it), and a second open works (the window class is registered once per process) */
    rc = sasae_clip_set(c, "kept", 4);
    sasae_clip_free(c);
    CHECK(raw_get(other, w, 256) && wcscmp(w, L"kept") == 0, "text kept after free");
    c = sasae_clip_open(NULL, err, sizeof err);
    CHECK(c != NULL, "open again: %s", err);
    sasae_clip_free(c);
    DestroyWindow(other);
    return wt_done();
}
