/* The host's process-level platform seam on Windows: console and session-end events (Ctrl-C,
 * console closed, logoff, shutdown) end remote support as the End button does; the state
 * directory under %LOCALAPPDATA%; files and folders only the user can read (protected
 * DACLs). Paths are UTF-8 in the program and wide strings at the Windows API. */
#include "platform.h"
#include "plat_win.h"

#include <aclapi.h>
#include <sddl.h>
#include <shlobj.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "sasae/common.h"
#include "sasae/win.h"

#define TAG "host"

enum {
    STOP_CTRL_C = 1,
    STOP_BREAK,
    STOP_CLOSE,
    STOP_LOGOFF,
    STOP_SHUTDOWN,
    STOP_ENDSESSION,
};

typedef void (*wake_fn)(void *user);

static atomic_int stop_code;
/* read by the console handler's and the session window's threads */
static _Atomic(wake_fn) stop_wake;
static void *_Atomic stop_wake_user;
static HANDLE stop_done_event; /* set when the session has ended after a stop request */
/* a handler that waits for the end must have answered before the process exits: set after
 * its answer (the WM_ENDSESSION reply, the console handler's return value) */
static HANDLE stop_answered_event;
static atomic_int stop_waiters;

static void request_stop(int code)
{
    int none = 0;
    atomic_compare_exchange_strong(&stop_code, &none, code);
    wake_fn wake = atomic_load(&stop_wake);
    if (wake)
        wake(atomic_load(&stop_wake_user));
}

/* Windows ends the process when a CLOSE/LOGOFF/SHUTDOWN handler returns: wait (bounded)
 * until the session has sent END and wiped its keys. */
static void wait_stop_done(void)
{
    atomic_fetch_add(&stop_waiters, 1);
    if (stop_done_event)
        WaitForSingleObject(stop_done_event, 5000);
}

static void stop_answered(void)
{
    if (stop_answered_event)
        SetEvent(stop_answered_event);
}

static BOOL WINAPI on_console(DWORD type)
{
    switch (type) {
    case CTRL_C_EVENT:
        request_stop(STOP_CTRL_C);
        return TRUE;
    case CTRL_BREAK_EVENT:
        request_stop(STOP_BREAK);
        return TRUE;
    case CTRL_CLOSE_EVENT:
        request_stop(STOP_CLOSE);
        wait_stop_done();
        stop_answered();
        return TRUE;
    case CTRL_LOGOFF_EVENT:
        request_stop(STOP_LOGOFF);
        wait_stop_done();
        stop_answered();
        return TRUE;
    case CTRL_SHUTDOWN_EVENT:
        request_stop(STOP_SHUTDOWN);
        wait_stop_done();
        stop_answered();
        return TRUE;
    default:
        return FALSE;
    }
}

/* A GUI program gets logoff and shutdown as window messages, not console events. */
static LRESULT CALLBACK session_wndproc(HWND h, UINT msg, WPARAM wp, LPARAM lp)
{
    if (msg == WM_QUERYENDSESSION) {
        /* WM_ENDSESSION follows: the process waits for its answer before exiting */
        atomic_fetch_add(&stop_waiters, 1);
        request_stop(STOP_ENDSESSION);
        return TRUE;
    }
    if (msg == WM_ENDSESSION) {
        if (wp)
            wait_stop_done();
        /* answer now, while the process still exists: a process that ended first would
         * leave the sender without an answer */
        ReplyMessage(0);
        stop_answered();
        return 0;
    }
    return DefWindowProcW(h, msg, wp, lp);
}

static DWORD WINAPI session_watch_main(void *arg)
{
    (void)arg;
    WNDCLASSW wc = {.lpfnWndProc = session_wndproc,
                    .hInstance = GetModuleHandleW(NULL),
                    .lpszClassName = L"sasae-session-watch"};
    if (!RegisterClassW(&wc))
        return 1;
    /* a hidden top-level window: message-only windows get no session-end broadcast */
    HWND h = CreateWindowExW(0, wc.lpszClassName, L"sasae", 0, 0, 0, 0, 0, NULL, NULL, wc.hInstance,
                             NULL);
    if (!h)
        return 1;
    MSG m;
    while (GetMessageW(&m, NULL, 0, 0) > 0) {
        TranslateMessage(&m);
        DispatchMessageW(&m);
    }
    return 0;
}

static bool std_handle_ok(DWORD which)
{
    HANDLE h = GetStdHandle(which);
    return h && h != INVALID_HANDLE_VALUE;
}

int host_plat_init(char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    /* the manifest declares per-monitor v2 DPI awareness; older systems get it here */
    typedef BOOL(WINAPI * set_ctx_fn)(HANDLE);
    HMODULE u = GetModuleHandleW(L"user32.dll");
    set_ctx_fn set_ctx =
        u ? (set_ctx_fn)(void *)GetProcAddress(u, "SetProcessDpiAwarenessContext") : NULL;
    if (set_ctx)
        set_ctx((HANDLE)-4 /* DPI_AWARENESS_CONTEXT_PER_MONITOR_AWARE_V2 */);
    /* started from a console (cmd, PowerShell): log there; double-clicked: no console, the
     * log goes to host.log. A stream whose handle is already valid (a redirect, the pipes
     * Wine passes from a Unix shell) is left as it is. */
    bool out_ok = std_handle_ok(STD_OUTPUT_HANDLE), err_ok = std_handle_ok(STD_ERROR_HANDLE);
    if ((!out_ok || !err_ok) && AttachConsole(ATTACH_PARENT_PROCESS)) {
        if ((!out_ok && !freopen("CONOUT$", "w", stdout)) ||
            (!err_ok && !freopen("CONOUT$", "w", stderr)))
            SASAE_WARN(TAG, "cannot write to the console");
    }
    timeBeginPeriod(1); /* the frame clock sleeps in milliseconds */
    stop_done_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    stop_answered_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    HANDLE t = CreateThread(NULL, 0, session_watch_main, NULL, 0, NULL);
    if (t)
        CloseHandle(t);
    return 0;
}

void host_plat_catch_stop(void (*wake)(void *user), void *user)
{
    atomic_store(&stop_wake_user, user);
    atomic_store(&stop_wake, wake);
    SetConsoleCtrlHandler(on_console, TRUE);
}

int host_plat_stop_requested(void)
{
    return atomic_exchange(&stop_code, 0);
}

const char *host_plat_stop_name(int code)
{
    switch (code) {
    case STOP_CTRL_C:
        return "Ctrl-C";
    case STOP_BREAK:
        return "Ctrl-Break";
    case STOP_CLOSE:
        return "console window closed";
    case STOP_LOGOFF:
        return "signing out";
    case STOP_SHUTDOWN:
        return "shutting down";
    case STOP_ENDSESSION:
        return "Windows session ending";
    default:
        return "stop request";
    }
}

void host_plat_stop_done(void)
{
    if (stop_done_event)
        SetEvent(stop_done_event);
    /* let a waiting handler answer Windows before this process exits (bounded, as Windows waits
     * for no program longer) */
    if (atomic_load(&stop_waiters) && stop_answered_event)
        WaitForSingleObject(stop_answered_event, 5000);
}

/* ---- files ---------------------------------------------------------------------------- */

static void win_error(char *err, size_t errlen, const char *what, const char *path, DWORD code)
{
    char msg[256] = "";
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0, msg,
                   sizeof msg, NULL);
    msg[strcspn(msg, "\r\n")] = 0;
    snprintf(err, errlen, "%.400s: %s: %s (error %lu)", path, what, msg, (unsigned long)code);
}

/* The current user's SID as a string ("S-1-5-21-..."); free with LocalFree. */
static wchar_t *user_sid(void)
{
    HANDLE tok;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
        return NULL;
    BYTE buf[256];
    DWORD len = 0;
    wchar_t *s = NULL;
    if (GetTokenInformation(tok, TokenUser, buf, sizeof buf, &len))
        ConvertSidToStringSidW(((TOKEN_USER *)buf)->User.Sid, &s);
    CloseHandle(tok);
    return s;
}

bool host_plat_win_owner_only(PSECURITY_DESCRIPTOR *sd)
{
    wchar_t *sid = user_sid();
    if (!sid)
        return false;
    /* protected (P): nothing a parent folder grants applies; OICI: what is created inside a
     * folder inherits the same single entry */
    wchar_t sddl[256];
    _snwprintf(sddl, sizeof sddl / sizeof sddl[0], L"D:P(A;OICI;FA;;;%ls)", sid);
    sddl[sizeof sddl / sizeof sddl[0] - 1] = 0;
    LocalFree(sid);
    return ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, sd, NULL);
}

static bool owner_only(SECURITY_ATTRIBUTES *sa, PSECURITY_DESCRIPTOR *sd)
{
    if (!host_plat_win_owner_only(sd))
        return false;
    *sa = (SECURITY_ATTRIBUTES){sizeof *sa, *sd, FALSE};
    return true;
}

int host_plat_state_dir(char *out, size_t cap, char *err, size_t errlen)
{
    wchar_t *w = NULL;
    if (SHGetKnownFolderPath(&FOLDERID_LocalAppData, KF_FLAG_CREATE, NULL, &w) != S_OK) {
        CoTaskMemFree(w);
        snprintf(err, errlen, "no local application data folder: give --state-dir");
        return -1;
    }
    char base[MAX_PATH * 3];
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, base, sizeof base, NULL, NULL);
    CoTaskMemFree(w);
    if (n <= 0 || (size_t)snprintf(out, cap, "%s\\sasae", base) >= cap) {
        snprintf(err, errlen, "the local application data folder's name is too long");
        return -1;
    }
    return 0;
}

int host_plat_download_dir(char *out, size_t cap, char *err, size_t errlen)
{
    wchar_t *w = NULL;
    if (SHGetKnownFolderPath(&FOLDERID_Downloads, KF_FLAG_CREATE, NULL, &w) != S_OK) {
        CoTaskMemFree(w);
        snprintf(err, errlen, "no Downloads folder: give --download-dir");
        return -1;
    }
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)cap, NULL, NULL);
    CoTaskMemFree(w);
    if (n <= 0) {
        snprintf(err, errlen, "the Downloads folder's name is too long");
        return -1;
    }
    return 0;
}

bool host_plat_log_in_state_dir(void)
{
    return true;
}

/* This process's user SID (points into buf). */
static PSID token_user(BYTE *buf, DWORD cap)
{
    HANDLE tok = NULL;
    DWORD len = 0;
    bool ok = OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok) &&
              GetTokenInformation(tok, TokenUser, buf, cap, &len);
    if (tok)
        CloseHandle(tok);
    return ok ? ((TOKEN_USER *)buf)->User.Sid : NULL;
}

/* The verdict on path's owner and DACL as on disk (host_plat_win_sd_check); owner set to the
 * owner's SID when it is this user (the one who may rewrite the list). */
static int disk_check(const wchar_t *w, const char *path, PSID user, bool *own, char *err,
                      size_t errlen)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    PSID owner = NULL;
    DWORD e = GetNamedSecurityInfoW(w, SE_FILE_OBJECT,
                                    OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &owner,
                                    NULL, NULL, NULL, &sd);
    if (e != ERROR_SUCCESS) {
        win_error(err, errlen, "cannot read its access list", path, e);
        return -1;
    }
    *own = owner && EqualSid(owner, user);
    int rc = host_plat_win_sd_check(sd, user, path, err, errlen);
    LocalFree(sd);
    return rc;
}

/* An existing state folder others can read (made by hand, copied from elsewhere, an older
 * version): its access list is reset to this user only when the folder is the user's own;
 * a folder of another account, or one that cannot be repaired, is refused. */
static int existing_dir(const wchar_t *w, const char *dir, char *err, size_t errlen)
{
    DWORD a = GetFileAttributesW(w);
    if (a == INVALID_FILE_ATTRIBUTES || !(a & FILE_ATTRIBUTE_DIRECTORY)) {
        snprintf(err, errlen, "%.400s exists and is not a folder", dir);
        return -1;
    }
    /* a junction or link could point anywhere (another user's folder) */
    if (a & FILE_ATTRIBUTE_REPARSE_POINT) {
        snprintf(err, errlen, "%.400s is a link or junction: refusing to use it", dir);
        return -1;
    }
    BYTE ubuf[256];
    PSID user = token_user(ubuf, sizeof ubuf);
    if (!user) {
        win_error(err, errlen, "cannot read this user's identity", dir, GetLastError());
        return -1;
    }
    bool own = false;
    char why[600];
    if (disk_check(w, dir, user, &own, why, sizeof why) == 1)
        return 0;
    if (!own) {
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    char *refusing = strstr(why, ": refusing to use it");
    if (refusing)
        *refusing = 0; /* it is repaired, not refused */
    PSECURITY_DESCRIPTOR sd = NULL;
    PACL dacl = NULL;
    BOOL present = FALSE, defaulted = FALSE;
    DWORD e = ERROR_SUCCESS;
    char again[600] = "";
    if (!host_plat_win_owner_only(&sd) ||
        !GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) || !dacl) {
        e = GetLastError();
    } else {
        /* protected: the parent's entries stop applying; Windows also hands the one entry
         * down to what is inside (a log written while the folder was open; the device key
         * has a protected list of its own and keeps it) */
        e = SetNamedSecurityInfoW((wchar_t *)w, SE_FILE_OBJECT,
                                  DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                                  NULL, NULL, dacl, NULL);
        /* Wine 8 merges the parent's inheritable entries into a protected list (Everyone
         * came back): then the descriptor as it is, without inheritance handling */
        if (e == ERROR_SUCCESS && disk_check(w, dir, user, &own, again, sizeof again) != 1 &&
            !SetFileSecurityW(w, DACL_SECURITY_INFORMATION, sd))
            e = GetLastError();
    }
    LocalFree(sd);
    if (e != ERROR_SUCCESS) {
        win_error(err, errlen, "cannot make it private", dir, e);
        snprintf(err + strlen(err), errlen - strlen(err), " (%s)", why);
        return -1;
    }
    if (disk_check(w, dir, user, &own, again, sizeof again) != 1) {
        snprintf(err, errlen, "%s (after resetting its access list)", again);
        return -1;
    }
    SASAE_WARN(TAG, "%s: its access list was reset to this user only", why);
    return 0;
}

int host_plat_private_dir(const char *dir, char *err, size_t errlen)
{
    wchar_t *w = sasae_win_wide(dir);
    if (!w) {
        snprintf(err, errlen, "%.400s: not a valid UTF-8 path", dir);
        return -1;
    }
    SECURITY_ATTRIBUTES sa;
    PSECURITY_DESCRIPTOR sd = NULL;
    int rc = 0;
    if (!owner_only(&sa, &sd)) {
        win_error(err, errlen, "cannot build its access list", dir, GetLastError());
        rc = -1;
    } else if (!CreateDirectoryW(w, &sa)) {
        DWORD e = GetLastError();
        if (e == ERROR_ALREADY_EXISTS) {
            rc = existing_dir(w, dir, err, errlen);
        } else {
            win_error(err, errlen, "cannot create", dir, e);
            rc = -1;
        }
    }
    LocalFree(sd);
    free(w);
    return rc;
}

int host_plat_private_file_write(const char *path, const void *data, size_t len, char *err,
                                 size_t errlen)
{
    wchar_t *w = sasae_win_wide(path);
    if (!w) {
        snprintf(err, errlen, "%.400s: not a valid UTF-8 path", path);
        return -1;
    }
    SECURITY_ATTRIBUTES sa;
    PSECURITY_DESCRIPTOR sd = NULL;
    HANDLE f = INVALID_HANDLE_VALUE;
    int rc = -1;
    if (!owner_only(&sa, &sd)) {
        win_error(err, errlen, "cannot build its access list", path, GetLastError());
        goto out;
    }
    f = CreateFileW(w, GENERIC_WRITE, 0, &sa, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE) {
        win_error(err, errlen, "cannot create", path, GetLastError());
        goto out;
    }
    DWORD wrote = 0;
    if (!WriteFile(f, data, (DWORD)len, &wrote, NULL) || wrote != len || !FlushFileBuffers(f)) {
        win_error(err, errlen, "cannot write", path, GetLastError());
        CloseHandle(f);
        f = INVALID_HANDLE_VALUE;
        DeleteFileW(w);
        goto out;
    }
    rc = 0;
out:
    if (f != INVALID_HANDLE_VALUE)
        CloseHandle(f);
    LocalFree(sd);
    free(w);
    return rc;
}

/* May this SID read a private file? Only the user, SYSTEM and the Administrators group. */
static bool trusted_reader(PSID sid, PSID user)
{
    if (EqualSid(sid, user))
        return true;
    return IsWellKnownSid(sid, WinLocalSystemSid) ||
           IsWellKnownSid(sid, WinBuiltinAdministratorsSid);
}

/* Rights that read the data, or let their holder give itself that right (change the DACL or
 * take ownership). */
#define READ_OR_GRANT                                                                              \
    (FILE_READ_DATA | GENERIC_READ | GENERIC_ALL | MAXIMUM_ALLOWED | WRITE_DAC | WRITE_OWNER)

static void sid_name(PSID sid, char *out, size_t cap)
{
    wchar_t *ws = NULL;
    snprintf(out, cap, "another account");
    if (ConvertSidToStringSidW(sid, &ws))
        WideCharToMultiByte(CP_UTF8, 0, ws, -1, out, (int)cap, NULL, NULL);
    LocalFree(ws);
}

int host_plat_win_sd_check(PSECURITY_DESCRIPTOR sd, PSID user, const char *path, char *err,
                           size_t errlen)
{
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = NULL;
    PSID owner = NULL;
    char who[200];
    if (!GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) || !present || !dacl) {
        snprintf(err, errlen,
                 "%.400s has no access list (everyone can read it): refusing to use it", path);
        return -1;
    }
    /* the owner may always rewrite the access list */
    if (GetSecurityDescriptorOwner(sd, &owner, &defaulted) && owner &&
        !trusted_reader(owner, user)) {
        sid_name(owner, who, sizeof who);
        snprintf(err, errlen, "%.400s belongs to %s: refusing to use it", path, who);
        return -1;
    }
    for (DWORD i = 0; i < dacl->AceCount; i++) {
        ACE_HEADER *ace;
        if (!GetAce(dacl, i, (void **)&ace))
            continue;
        /* allow entries only (deny entries take rights away); the callback variant has the
         * same layout; inherit-only entries do not apply to the file itself */
        if ((ace->AceType != ACCESS_ALLOWED_ACE_TYPE &&
             ace->AceType != ACCESS_ALLOWED_CALLBACK_ACE_TYPE) ||
            (ace->AceFlags & INHERIT_ONLY_ACE))
            continue;
        ACCESS_ALLOWED_ACE *a = (ACCESS_ALLOWED_ACE *)ace;
        if (!(a->Mask & READ_OR_GRANT) || trusted_reader((PSID)&a->SidStart, user))
            continue;
        sid_name((PSID)&a->SidStart, who, sizeof who);
        if (a->Mask & (FILE_READ_DATA | GENERIC_READ | GENERIC_ALL | MAXIMUM_ALLOWED))
            snprintf(err, errlen, "%.400s is readable by %s: refusing to use it", path, who);
        else
            snprintf(err, errlen, "%.400s: %s may change who can read it: refusing to use it", path,
                     who);
        return -1;
    }
    return 1;
}

int host_plat_private_file_check(const char *path, char *err, size_t errlen)
{
    wchar_t *w = sasae_win_wide(path);
    if (!w) {
        snprintf(err, errlen, "%.400s: not a valid UTF-8 path", path);
        return -1;
    }
    int rc = -1;
    BYTE ubuf[256];
    PSID user;
    bool own;
    if (GetFileAttributesW(w) == INVALID_FILE_ATTRIBUTES) {
        DWORD e = GetLastError();
        if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND)
            rc = 0;
        else
            win_error(err, errlen, "cannot read", path, e);
    } else if (!(user = token_user(ubuf, sizeof ubuf))) {
        win_error(err, errlen, "cannot read this user's identity", path, GetLastError());
    } else {
        rc = disk_check(w, path, user, &own, err, errlen);
    }
    free(w);
    return rc;
}

bool host_plat_has_desktop(const char *display)
{
    (void)display;
    return true;
}

struct host_ui *host_plat_tty_ui(char *err, size_t errlen)
{
    snprintf(err, errlen,
             "--consent=tty is not available on Windows: the consent prompt is a "
             "window");
    return NULL;
}
