/* Test tool: prints the text of a window's edit control (e.g. notepad's), read through
 * Windows messages the way accessibility tools read it, so a test sees exactly what the
 * injected keys typed. usage: win_gettext.exe WINDOW-TITLE-SUBSTRING; exit 1 if none. */
#include <stdio.h>
#include <string.h>
#include <windows.h>

struct find {
    const wchar_t *part;
    HWND found;
};

static BOOL CALLBACK by_title(HWND h, LPARAM lp)
{
    struct find *f = (struct find *)lp;
    wchar_t t[256];
    if (IsWindowVisible(h) && GetWindowTextW(h, t, 256) > 0 && wcsstr(t, f->part)) {
        f->found = h;
        return FALSE;
    }
    return TRUE;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    wchar_t part[256];
    MultiByteToWideChar(CP_UTF8, 0, argv[1], -1, part, 256);
    struct find f = {part, NULL};
    EnumWindows(by_title, (LPARAM)&f);
    HWND edit = f.found ? FindWindowExW(f.found, NULL, L"Edit", NULL) : NULL;
    if (!edit) {
        fprintf(stderr, "win_gettext: no window '%s' with an edit control\n", argv[1]);
        return 1;
    }
    static wchar_t text[65536];
    SendMessageW(edit, WM_GETTEXT, 65536, (LPARAM)text);
    static char out[65536 * 3];
    WideCharToMultiByte(CP_UTF8, 0, text, -1, out, sizeof out, NULL, NULL);
    fputs(out, stdout);
    return 0;
}
