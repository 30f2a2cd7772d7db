/* The folder picker of the file question on Windows: the shell's own dialog (IFileOpenDialog
 * with FOS_PICKFOLDERS), the one every Windows program shows for "choose a folder". */
#define COBJMACROS
#include <windows.h>
#include <shobjidl.h>

#include <SDL.h>
#include <SDL_syswm.h>
#include <errno.h>

#include "ui_impl.h"

const bool ui_plat_has_folder_picker = true;

static HWND owner_hwnd(SDL_Window *w)
{
    SDL_SysWMinfo info;
    SDL_VERSION(&info.version);
    if (!w || !SDL_GetWindowWMInfo(w, &info) || info.subsystem != SDL_SYSWM_WINDOWS)
        return NULL;
    return info.info.win.window;
}

int ui_plat_pick_folder(struct SDL_Window *owner, const char *start, const char *title, char *out,
                        size_t cap)
{
    wchar_t wide[1024];
    IFileOpenDialog *d = NULL;
    IShellItem *item = NULL;
    PWSTR path = NULL;
    int rc = -EIO;
    /* SDL may have set up COM on this thread already (S_FALSE, or another model): then it is
     * not ours to undo */
    HRESULT co = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED | COINIT_DISABLE_OLE1DDE);
    if (FAILED(CoCreateInstance(&CLSID_FileOpenDialog, NULL, CLSCTX_INPROC_SERVER,
                                &IID_IFileOpenDialog, (void **)&d)))
        goto out;
    DWORD opts = 0;
    IFileOpenDialog_GetOptions(d, &opts);
    IFileOpenDialog_SetOptions(d, opts | FOS_PICKFOLDERS | FOS_FORCEFILESYSTEM | FOS_PATHMUSTEXIST);
    if (title && MultiByteToWideChar(CP_UTF8, 0, title, -1, wide, 1024) > 0)
        IFileOpenDialog_SetTitle(d, wide);
    if (start && *start && MultiByteToWideChar(CP_UTF8, 0, start, -1, wide, 1024) > 0 &&
        SUCCEEDED(SHCreateItemFromParsingName(wide, NULL, &IID_IShellItem, (void **)&item))) {
        IFileOpenDialog_SetFolder(d, item);
        IShellItem_Release(item);
        item = NULL;
    }
    HRESULT hr = IFileOpenDialog_Show(d, owner_hwnd(owner));
    if (hr == HRESULT_FROM_WIN32(ERROR_CANCELLED)) {
        rc = 0;
        goto out;
    }
    if (FAILED(hr) || FAILED(IFileOpenDialog_GetResult(d, &item)) ||
        FAILED(IShellItem_GetDisplayName(item, SIGDN_FILESYSPATH, &path)))
        goto out;
    rc = WideCharToMultiByte(CP_UTF8, 0, path, -1, out, (int)cap, NULL, NULL) > 0 ? 1
                                                                                  : -ENAMETOOLONG;
out:
    if (path)
        CoTaskMemFree(path);
    if (item)
        IShellItem_Release(item);
    if (d)
        IFileOpenDialog_Release(d);
    if (co == S_OK || co == S_FALSE)
        CoUninitialize();
    return rc;
}
