/* The host's Windows process seam (host/win/plat_win.c) and sasae_ui's Windows part
 * (common/ui_win.c), run under Wine: state folder, owner-only folders and files and the
 * check that refuses keys others can read, session-end and console stop requests, the UI
 * language and the Japanese font (the one embedded in the exe, then one from the fonts
 * folder). One line per check ("ok N - ..." / "not ok N - ..."), exit 0 only if all passed.
 * usage: test_win_plat.exe [--lang ja|en] [JAPANESE_FONT OTHER_FONT]
 * --lang: the UI language Windows is expected to report (the run sets it through LANG);
 * the two fonts (Windows paths) are copied into the fonts folder for the folder checks,
 * which are skipped without them; the fonts folder must not hold Japanese fonts (a Wine
 * prefix of its own, never a real Windows). Must be linked with the exes' resources. */
#include <aclapi.h>
#include <sddl.h>
#include <shlobj.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <winver.h>

#include "plat_win.h"
#include "platform.h"
#include "sasae/ui.h"
#include "sasae/win.h"
#include "ui_plat.h"
#include "wintest.h"

static char *utf8(const wchar_t *w)
{
    static char buf[4][1024];
    static int next;
    char *b = buf[next++ % 4];
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, b, sizeof buf[0], NULL, NULL) <= 0)
        b[0] = 0;
    return b;
}

/* ---- process --------------------------------------------------------------------------- */

static void misc(void)
{
    char err[256] = "";
    /* started from a shell, Wine hands the process the shell's stdout and stderr: a GUI
     * program keeps them rather than attaching to a console */
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE), errh = GetStdHandle(STD_ERROR_HANDLE);
    CHECK(host_plat_init(err, sizeof err) == 0, "host_plat_init (%s)", err);
    CHECK(out && out != INVALID_HANDLE_VALUE && GetStdHandle(STD_OUTPUT_HANDLE) == out &&
              GetStdHandle(STD_ERROR_HANDLE) == errh,
          "the inherited standard output and error are kept");
    CHECK(host_plat_has_desktop(NULL), "a desktop is always there");
    CHECK(host_plat_log_in_state_dir(), "the log goes to the state folder by default");
    err[0] = 0;
    struct host_ui *ui = host_plat_tty_ui(err, sizeof err);
    CHECK(!ui && strstr(err, "--consent=tty") && strstr(err, "Windows"),
          "no terminal UI, with a reason: %s", err);
}

static void state_dir(void)
{
    char out[1024], err[256] = "";
    int rc = host_plat_state_dir(out, sizeof out, err, sizeof err);
    const char *env = getenv("LOCALAPPDATA");
    char want[1024] = "";
    if (env)
        snprintf(want, sizeof want, "%s\\sasae", env);
    CHECK(rc == 0 && env && _stricmp(out, want) == 0, "state folder %s (LOCALAPPDATA %s) %s",
          rc == 0 ? out : "-", env ? env : "unset", err);
    wchar_t *w = sasae_win_wide(env ? env : "");
    DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
    free(w);
    CHECK(a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY),
          "its parent exists as a folder");
}

/* The resources every sasae exe carries (host/win/sasae.rc.in): manifest, icon, version. */
static void resources(void)
{
    HRSRC r = FindResourceW(NULL, MAKEINTRESOURCEW(1), MAKEINTRESOURCEW(24) /* RT_MANIFEST */);
    const char *m = r ? LockResource(LoadResource(NULL, r)) : NULL;
    DWORD mlen = r ? SizeofResource(NULL, r) : 0;
    char man[4096] = "";
    if (m && mlen < sizeof man)
        memcpy(man, m, mlen);
    CHECK(strstr(man, "level=\"asInvoker\"") && strstr(man, ">PerMonitorV2<") &&
              strstr(man, ">UTF-8<") && strstr(man, "8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a"),
          "manifest: asInvoker, per-monitor DPI v2, UTF-8, Windows 10/11 (%lu bytes)",
          (unsigned long)mlen);
    CHECK(GetACP() == CP_UTF8, "the ANSI code page is UTF-8 (%u)", GetACP());
    CHECK(GetAwarenessFromDpiAwarenessContext(GetThreadDpiAwarenessContext()) ==
              DPI_AWARENESS_PER_MONITOR_AWARE,
          "per-monitor DPI aware");
    CHECK(LoadIconW(GetModuleHandleW(NULL), MAKEINTRESOURCEW(1)) != NULL, "icon");

    wchar_t exe[MAX_PATH];
    GetModuleFileNameW(NULL, exe, MAX_PATH);
    DWORD h = 0, len = GetFileVersionInfoSizeW(exe, &h);
    void *vi = len ? malloc(len) : NULL;
    wchar_t *company = NULL, *desc = NULL;
    UINT n;
    if (vi && GetFileVersionInfoW(exe, 0, len, vi)) {
        VerQueryValueW(vi, L"\\StringFileInfo\\040904B0\\CompanyName", (void **)&company, &n);
        VerQueryValueW(vi, L"\\StringFileInfo\\040904B0\\FileDescription", (void **)&desc, &n);
    }
    CHECK(company && wcscmp(company, L"sasae") == 0 && desc && desc[0],
          "version information: %s, \"%s\"", company ? utf8(company) : "-",
          desc ? utf8(desc) : "-");
    free(vi);
}

/* ---- owner-only files ------------------------------------------------------------------ */

static PSID token_user(void)
{
    static BYTE buf[256];
    HANDLE tok;
    DWORD len;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
        return NULL;
    BOOL ok = GetTokenInformation(tok, TokenUser, buf, sizeof buf, &len);
    CloseHandle(tok);
    return ok ? ((TOKEN_USER *)buf)->User.Sid : NULL;
}

static const char *user_sid_text(void)
{
    static char s[200];
    wchar_t *w = NULL;
    if (!s[0] && ConvertSidToStringSidW(token_user(), &w))
        snprintf(s, sizeof s, "%s", utf8(w));
    LocalFree(w);
    return s;
}

static bool on_wine(void)
{
    HMODULE nt = GetModuleHandleW(L"ntdll.dll");
    return nt && GetProcAddress(nt, "wine_get_version");
}

/* sddl with each "{U}" replaced by the user's SID, as a security descriptor (LocalFree). */
static PSECURITY_DESCRIPTOR sd_from(const char *sddl)
{
    char buf[1024] = "";
    size_t n = 0;
    for (const char *p = sddl; *p && n < sizeof buf - 200; p++) {
        if (strncmp(p, "{U}", 3) == 0) {
            n += snprintf(buf + n, sizeof buf - n, "%s", user_sid_text());
            p += 2;
        } else {
            buf[n++] = *p;
        }
    }
    buf[n] = 0;
    wchar_t *ws = sasae_win_wide(buf);
    PSECURITY_DESCRIPTOR sd = NULL;
    if (!ws ||
        !ConvertStringSecurityDescriptorToSecurityDescriptorW(ws, SDDL_REVISION_1, &sd, NULL))
        sd = NULL;
    free(ws);
    return sd;
}

/* Is sd exactly the owner-only descriptor: protected, one entry, the user's full access,
 * inherited by what is created inside when folder (a file's entry may keep or drop the
 * inheritance flags: they mean nothing there)? */
static bool strict_owner_only(PSECURITY_DESCRIPTOR sd, bool folder, char *why, size_t cap)
{
    BOOL present = FALSE, def;
    PACL dacl = NULL;
    SECURITY_DESCRIPTOR_CONTROL ctl = 0;
    DWORD rev;
    ACCESS_ALLOWED_ACE *a = NULL;
    if (!GetSecurityDescriptorDacl(sd, &present, &dacl, &def) || !present || !dacl)
        snprintf(why, cap, "no DACL or a NULL DACL");
    else if (!GetSecurityDescriptorControl(sd, &ctl, &rev) || !(ctl & SE_DACL_PROTECTED))
        snprintf(why, cap, "DACL not protected (control 0x%x)", ctl);
    else if (dacl->AceCount != 1 || !GetAce(dacl, 0, (void **)&a))
        snprintf(why, cap, "%u entries", dacl->AceCount);
    else if (a->Header.AceType != ACCESS_ALLOWED_ACE_TYPE ||
             !EqualSid((PSID)&a->SidStart, token_user()) ||
             (a->Mask & FILE_ALL_ACCESS) != FILE_ALL_ACCESS ||
             (folder && (a->Header.AceFlags & (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE)) !=
                            (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE)))
        snprintf(why, cap, "entry type %u flags 0x%x mask 0x%lx", a->Header.AceType,
                 a->Header.AceFlags, (unsigned long)a->Mask);
    else {
        snprintf(why, cap, "protected, the user's full access only");
        return true;
    }
    return false;
}

/* The access list path has on disk: the owner-only one on Windows. Wine keeps none: it
 * derives one from the Unix mode bits (SYSTEM, the owner, Everyone for "others"), so there
 * it must pass the key check (nobody else, Everyone included, can read). */
static bool disk_owner_only(const wchar_t *path, bool folder, char *why, size_t cap)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    DWORD e = GetNamedSecurityInfoW(path, SE_FILE_OBJECT,
                                    OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, NULL,
                                    NULL, NULL, NULL, &sd);
    if (e != ERROR_SUCCESS) {
        snprintf(why, cap, "GetNamedSecurityInfoW error %lu", (unsigned long)e);
        return false;
    }
    bool ok;
    if (on_wine()) {
        char err[512] = "";
        ok = host_plat_win_sd_check(sd, token_user(), "it", err, sizeof err) == 1;
        snprintf(why, cap, "Wine's list from the mode bits: %s", ok ? "nobody else" : err);
    } else {
        ok = strict_owner_only(sd, folder, why, cap);
    }
    LocalFree(sd);
    return ok;
}

/* A descriptor with a NULL DACL (everyone has every right), owned by the user: built by
 * hand, as Wine reads "D:NO_ACCESS_CONTROL" as an empty DACL. LocalFree it. */
static PSECURITY_DESCRIPTOR null_dacl(void)
{
    PSECURITY_DESCRIPTOR sd = LocalAlloc(LPTR, SECURITY_DESCRIPTOR_MIN_LENGTH);
    if (sd && InitializeSecurityDescriptor(sd, SECURITY_DESCRIPTOR_REVISION) &&
        SetSecurityDescriptorDacl(sd, TRUE, NULL, FALSE) &&
        SetSecurityDescriptorOwner(sd, token_user(), FALSE))
        return sd;
    LocalFree(sd);
    return NULL;
}

/* Creates the folder path with the descriptor of sddl. */
static bool make_dir(const wchar_t *path, const char *sddl)
{
    PSECURITY_DESCRIPTOR sd = sd_from(sddl);
    if (!sd)
        return false;
    SECURITY_ATTRIBUTES sa = {sizeof sa, sd, FALSE};
    BOOL ok = CreateDirectoryW(path, &sa);
    LocalFree(sd);
    return ok;
}

/* Creates path with the descriptor of sddl. */
static bool make_file(const wchar_t *path, const char *sddl)
{
    PSECURITY_DESCRIPTOR sd = sd_from(sddl);
    if (!sd)
        return false;
    SECURITY_ATTRIBUTES sa = {sizeof sa, sd, FALSE};
    HANDLE f = CreateFileW(path, GENERIC_WRITE, 0, &sa, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
    LocalFree(sd);
    if (f == INVALID_HANDLE_VALUE)
        return false;
    DWORD n;
    BOOL ok = WriteFile(f, "key\n", 4, &n, NULL);
    CloseHandle(f);
    return ok;
}

/* The verdict on descriptors in memory: every case, whatever the file system keeps. */
static void sd_verdicts(void)
{
    char why[200];
    PSECURITY_DESCRIPTOR sd = NULL;
    bool built = host_plat_win_owner_only(&sd);
    CHECK(built && strict_owner_only(sd, true, why, sizeof why), "the owner-only descriptor: %s",
          built ? why : "not built");
    LocalFree(sd);

    static const struct {
        const char *name, *sddl;
        int want;
        const char *in_err;
    } cases[] = {
        {"owner-only", "O:{U}D:P(A;OICI;FA;;;{U})", 1, NULL},
        {"system-admins", "O:{U}D:P(A;;FA;;;{U})(A;;FA;;;SY)(A;;FA;;;BA)", 1, NULL},
        {"admins-owner", "O:BAD:P(A;;FA;;;{U})(A;;FA;;;BA)", 1, NULL},
        {"inherited-user-system", "O:{U}D:AI(A;ID;FA;;;{U})(A;ID;FA;;;SY)", 1, NULL},
        {"everyone-synchronize", "O:{U}D:P(A;;FA;;;{U})(A;;0x100000;;;WD)", 1, NULL},
        {"everyone-read-control", "O:{U}D:P(A;;FA;;;{U})(A;;RC;;;WD)", 1, NULL},
        {"guests-denied", "O:{U}D:P(D;;FA;;;BG)(A;;FA;;;{U})", 1, NULL},
        {"everyone-inherit-only", "O:{U}D:P(A;;FA;;;{U})(A;OICIIO;FR;;;WD)", 1, NULL},
        {"everyone-read", "O:{U}D:P(A;;FA;;;{U})(A;;FR;;;WD)", -1, "readable by S-1-1-0"},
        {"users-read-data", "O:{U}D:P(A;;FA;;;{U})(A;;0x1;;;BU)", -1, "readable by S-1-5-32-545"},
        {"authenticated-generic-all", "O:{U}D:P(A;;FA;;;{U})(A;;GA;;;AU)", -1,
         "readable by S-1-5-11"},
        {"everyone-generic-read", "O:{U}D:P(A;;FA;;;{U})(A;;GR;;;WD)", -1, "readable by S-1-1-0"},
        {"inherited-everyone", "O:{U}D:AI(A;;FA;;;{U})(A;ID;FR;;;WD)", -1, "readable by S-1-1-0"},
        {"other-user", "O:{U}D:P(A;;FA;;;{U})(A;;FA;;;S-1-5-21-1-2-3-1001)", -1,
         "readable by S-1-5-21-1-2-3-1001"},
        {"users-write-dac", "O:{U}D:P(A;;FA;;;{U})(A;;WD;;;BU)", -1, "may change who can read"},
        {"users-write-owner", "O:{U}D:P(A;;FA;;;{U})(A;;WO;;;BU)", -1, "may change who can read"},
        {"owned-by-another", "O:S-1-5-21-1-2-3-1001D:P(A;;FA;;;{U})", -1,
         "belongs to S-1-5-21-1-2-3-1001"},
        {"null-dacl", NULL, -1, "no access list"},
        {"no-dacl", "O:{U}", -1, "no access list"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[512] = "";
        sd = cases[i].sddl ? sd_from(cases[i].sddl) : null_dacl();
        int rc = sd ? host_plat_win_sd_check(sd, token_user(), "key", err, sizeof err) : -2;
        CHECK(rc == cases[i].want && (!cases[i].in_err || strstr(err, cases[i].in_err)),
              "descriptor %s: %s", cases[i].name,
              rc == -2  ? "cannot build it"
              : rc == 1 ? "accepted"
                        : err);
        LocalFree(sd);
    }
}

static void private_files(void)
{
    /* a Japanese folder name: UTF-8 in the program, UTF-16 at the Windows API */
    wchar_t tmp[MAX_PATH], wdir[MAX_PATH + 64], wkey[MAX_PATH + 96];
    GetTempPathW(MAX_PATH, tmp);
    _snwprintf(wdir, MAX_PATH + 64, L"%lssasae-plat-\x30c6\x30b9\x30c8-%lu-%llu", tmp,
               (unsigned long)GetCurrentProcessId(), GetTickCount64());
    _snwprintf(wkey, MAX_PATH + 96, L"%ls\\device.key", wdir);
    char dir[1024], key[1100], err[512] = "", why[200];
    snprintf(dir, sizeof dir, "%s", utf8(wdir));
    snprintf(key, sizeof key, "%s\\device.key", dir);

    int rc = host_plat_private_dir(dir, err, sizeof err);
    DWORD a = GetFileAttributesW(wdir);
    CHECK(rc == 0 && a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY),
          "private folder %s created (%s)", dir, err);
    CHECK(disk_owner_only(wdir, true, why, sizeof why), "its access list: %s", why);
    CHECK(host_plat_private_dir(dir, err, sizeof err) == 0, "an existing folder is accepted");

    CHECK(host_plat_private_file_check(key, err, sizeof err) == 0, "a missing key: 0");
    char nodir[1200];
    snprintf(nodir, sizeof nodir, "%s\\none\\device.key", dir);
    CHECK(host_plat_private_file_check(nodir, err, sizeof err) == 0,
          "a key in a missing folder: 0");

    static const char secret[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    err[0] = 0;
    rc = host_plat_private_file_write(key, secret, sizeof secret - 1, err, sizeof err);
    CHECK(rc == 0, "private file written (%s)", err);
    CHECK(disk_owner_only(wkey, false, why, sizeof why), "its access list: %s", why);
    char back[128] = "";
    DWORD n = 0;
    HANDLE f = CreateFileW(wkey, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (f != INVALID_HANDLE_VALUE) {
        ReadFile(f, back, sizeof back - 1, &n, NULL);
        CloseHandle(f);
    }
    CHECK(n == sizeof secret - 1 && memcmp(back, secret, n) == 0, "its content read back (%lu)",
          (unsigned long)n);
    err[0] = 0;
    rc = host_plat_private_file_check(key, err, sizeof err);
    CHECK(rc == 1, "the check accepts it (%d %s)", rc, err);
    err[0] = 0;
    rc = host_plat_private_file_write(key, "other", 5, err, sizeof err);
    CHECK(rc == -1 && err[0], "an existing file is not overwritten: %s", err);
    f = CreateFileW(wkey, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    n = 0;
    if (f != INVALID_HANDLE_VALUE) {
        ReadFile(f, back, sizeof back - 1, &n, NULL);
        CloseHandle(f);
    }
    CHECK(n == sizeof secret - 1 && memcmp(back, secret, n) == 0, "and keeps its content");

    /* on disk, through the file system (Wine keeps Everyone's access, as "others" mode bits) */
    static const struct {
        const char *name, *sddl;
        int want;
    } cases[] = {
        {"everyone-read", "D:P(A;;FA;;;{U})(A;;FR;;;WD)", -1},
        {"system-admins", "D:P(A;;FA;;;{U})(A;;FA;;;SY)(A;;FA;;;BA)", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wchar_t wp[MAX_PATH + 128];
        char p[1200];
        _snwprintf(wp, MAX_PATH + 128, L"%ls\\%hs.key", wdir, cases[i].name);
        snprintf(p, sizeof p, "%s\\%s.key", dir, cases[i].name);
        if (!make_file(wp, cases[i].sddl)) {
            CHECK(false, "file %s: cannot create it (error %lu)", cases[i].name,
                  (unsigned long)GetLastError());
            continue;
        }
        err[0] = 0;
        rc = host_plat_private_file_check(p, err, sizeof err);
        CHECK(rc == cases[i].want && (rc == 1 || strstr(err, "S-1-1-0")), "file %s: %s",
              cases[i].name, rc == 1 ? "accepted" : err);
        DeleteFileW(wp);
    }
    DeleteFileW(wkey);

    /* a state folder of this user's that others can read, in a folder that hands Everyone's
     * entry down (as %LOCALAPPDATA% made by hand could): its access list is reset */
    wchar_t wshared[MAX_PATH + 96], wopen[MAX_PATH + 96];
    char open[1200];
    _snwprintf(wshared, MAX_PATH + 96, L"%ls\\shared", wdir);
    _snwprintf(wopen, MAX_PATH + 96, L"%ls\\shared\\open", wdir);
    snprintf(open, sizeof open, "%s\\shared\\open", dir);
    static const char everyone_reads[] = "D:P(A;OICI;FA;;;{U})(A;OICI;FR;;;WD)";
    bool made = make_dir(wshared, everyone_reads) && make_dir(wopen, everyone_reads);
    CHECK(made && !disk_owner_only(wopen, true, why, sizeof why),
          "a folder Everyone can read, as made: %s", made ? why : "cannot create it");
    err[0] = 0;
    rc = made ? host_plat_private_dir(open, err, sizeof err) : -2;
    CHECK(rc == 0, "host_plat_private_dir accepts it after a repair (%d %s)", rc, err);
    CHECK(made && disk_owner_only(wopen, true, why, sizeof why), "its access list now: %s", why);
    RemoveDirectoryW(wopen);
    RemoveDirectoryW(wshared);

    /* a file where the folder should be */
    wchar_t wfile[MAX_PATH + 96];
    char file[1200];
    _snwprintf(wfile, MAX_PATH + 96, L"%ls\\file", wdir);
    snprintf(file, sizeof file, "%s\\file", dir);
    made = make_file(wfile, "D:P(A;;FA;;;{U})");
    err[0] = 0;
    rc = made ? host_plat_private_dir(file, err, sizeof err) : -2;
    CHECK(rc == -1 && strstr(err, "not a folder"), "a file in the folder's place is refused: %s",
          err);
    DeleteFileW(wfile);
    CHECK(RemoveDirectoryW(wdir), "test folder removed (nothing else was left in it)");
}

/* ---- stop requests --------------------------------------------------------------------- */

static atomic_int wakes;

static void on_wake(void *user)
{
    atomic_fetch_add((atomic_int *)user, 1);
}

static DWORD WINAPI stop_done_later(void *arg)
{
    Sleep(300);
    host_plat_stop_done();
    return 0;
}

/* The next stop request within 3 s, or 0. */
static int next_stop(void)
{
    for (int i = 0; i < 300; i++) {
        int c = host_plat_stop_requested();
        if (c)
            return c;
        Sleep(10);
    }
    return 0;
}

static void stops(void)
{
    host_plat_catch_stop(on_wake, &wakes);
    CHECK(host_plat_stop_requested() == 0, "no stop request at first");

    /* the hidden top-level window that receives logoff and shutdown */
    HWND h = NULL;
    for (int i = 0; i < 500 && !h; i++, Sleep(10))
        h = FindWindowW(L"sasae-session-watch", NULL);
    if (!h) {
        HWND w = NULL;
        while ((w = FindWindowExW(NULL, w, NULL, NULL))) {
            wchar_t cls[128] = L"";
            GetClassNameW(w, cls, 128);
            DWORD pid = 0;
            GetWindowThreadProcessId(w, &pid);
            wt_diag("window %p class %s pid %lu (me %lu)", (void *)w, utf8(cls), pid,
                    GetCurrentProcessId());
        }
    }
    CHECK(h && !IsWindowVisible(h), "a hidden session-end window exists");
    if (h) {
        LRESULT r = SendMessageW(h, WM_QUERYENDSESSION, 0, ENDSESSION_LOGOFF);
        int code = host_plat_stop_requested();
        CHECK(r == TRUE && code != 0, "WM_QUERYENDSESSION: allowed, stop requested (%s)",
              code ? host_plat_stop_name(code) : "none");
        CHECK(atomic_load(&wakes) == 1, "the UI loop was woken (%d)", atomic_load(&wakes));
        CHECK(host_plat_stop_requested() == 0, "the request is taken once");

        /* WM_ENDSESSION holds Windows back until the session has ended, not longer */
        HANDLE t = CreateThread(NULL, 0, stop_done_later, NULL, 0, NULL);
        ULONGLONG t0 = GetTickCount64();
        SendMessageW(h, WM_ENDSESSION, TRUE, ENDSESSION_LOGOFF);
        ULONGLONG ms = GetTickCount64() - t0;
        CHECK(ms >= 250 && ms < 4000, "WM_ENDSESSION waited for the end of the session (%llu ms)",
              ms);
        if (t) {
            WaitForSingleObject(t, INFINITE);
            CloseHandle(t);
        }
    }

    /* console events: a console of our own, as when started from cmd */
    if (!AllocConsole()) {
        CHECK(false, "AllocConsole (error %lu)", (unsigned long)GetLastError());
        return;
    }
    SetConsoleCtrlHandler(NULL, FALSE); /* Ctrl-C reaches handlers */
    static const struct {
        DWORD event;
        const char *name;
    } ev[] = {{CTRL_C_EVENT, "Ctrl-C"}, {CTRL_BREAK_EVENT, "Ctrl-Break"}};
    for (size_t i = 0; i < 2; i++) {
        int before = atomic_load(&wakes);
        BOOL sent = GenerateConsoleCtrlEvent(ev[i].event, 0);
        if (!sent && ev[i].event == CTRL_BREAK_EVENT && on_wine()) {
            printf("ok %d - # SKIP Wine cannot generate Ctrl-Break\n", ++wt_state.checks);
            continue;
        }
        int code = sent ? next_stop() : 0;
        const char *name = code ? host_plat_stop_name(code) : "none";
        CHECK(sent && strcmp(name, ev[i].name) == 0 && atomic_load(&wakes) > before,
              "console %s: stop requested (%s)", ev[i].name, name);
    }
}

/* ---- UI language and font -------------------------------------------------------------- */

static void lang(const char *expect)
{
    static const struct {
        const char *value;
        enum sasae_lang want;
    } cases[] = {{"ja", SASAE_LANG_JA},
                 {"ja_JP.UTF-8", SASAE_LANG_JA},
                 {"en", SASAE_LANG_EN},
                 {"de_DE", SASAE_LANG_EN}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        _putenv_s("SASAE_LANG", cases[i].value);
        CHECK(sasae_ui_lang() == cases[i].want, "SASAE_LANG=%s", cases[i].value);
    }
    _putenv_s("SASAE_LANG", "");
    if (expect) {
        enum sasae_lang want = strcmp(expect, "ja") == 0 ? SASAE_LANG_JA : SASAE_LANG_EN;
        CHECK(sasae_ui_lang() == want, "Windows' UI language 0x%04x: %s",
              GetUserDefaultUILanguage(), expect);
    }
}

/* Renders Japanese text: some pixels are drawn. */
static bool draws(TTF_Font *f)
{
    SDL_Color white = {255, 255, 255, 255};
    SDL_Surface *s = TTF_RenderUTF8_Blended(f, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", white);
    if (!s)
        return false;
    long lit = 0;
    SDL_LockSurface(s);
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++)
            lit += (((Uint32 *)((Uint8 *)s->pixels + y * s->pitch))[x] >> 24) > 128;
    SDL_UnlockSurface(s);
    SDL_FreeSurface(s);
    return lit > 50;
}

static bool japanese(TTF_Font *f)
{
    /* あ, 漢, 語, ー, and the Latin letter */
    return TTF_GlyphIsProvided32(f, 0x3042) && TTF_GlyphIsProvided32(f, 0x6f22) &&
           TTF_GlyphIsProvided32(f, 0x8a9e) && TTF_GlyphIsProvided32(f, 0x30fc) &&
           TTF_GlyphIsProvided32(f, 'S');
}

static bool copy_font(const char *from, const wchar_t *dir, const wchar_t *name, wchar_t *to)
{
    _snwprintf(to, MAX_PATH + 32, L"%ls\\%ls", dir, name);
    wchar_t *w = sasae_win_wide(from);
    BOOL ok = w && CopyFileW(w, to, TRUE /* never replace a real font */);
    free(w);
    return ok;
}

static void fonts(const char *ja_font, const char *other_font)
{
    CHECK(TTF_Init() == 0, "TTF_Init");
    wchar_t *wfonts = NULL;
    wchar_t dir[MAX_PATH] = L"";
    if (SHGetKnownFolderPath(&FOLDERID_Fonts, 0, NULL, &wfonts) == S_OK)
        wcsncpy(dir, wfonts, MAX_PATH - 1);
    CoTaskMemFree(wfonts);
    static const wchar_t *const names[] = {L"YuGothM.ttc", L"meiryo.ttc", L"YuGothR.ttc",
                                           L"msgothic.ttc"};
    int present = 0;
    for (int i = 0; i < 4; i++) {
        wchar_t p[MAX_PATH + 32];
        _snwprintf(p, MAX_PATH + 32, L"%ls\\%ls", dir, names[i]);
        present += GetFileAttributesW(p) != INVALID_FILE_ATTRIBUTES;
    }
    CHECK(dir[0] && present == 0, "fonts folder %s holds no Windows Japanese font", utf8(dir));

    /* nothing in the folder: the font embedded in the exe */
    TTF_Font *f = ui_plat_font_open(22);
    char embedded[200] = "";
    if (f)
        snprintf(embedded, sizeof embedded, "%s", TTF_FontFaceFamilyName(f));
    CHECK(f && japanese(f), "embedded font \"%s\" has Japanese glyphs", embedded);
    CHECK(f && draws(f), "it draws Japanese text");
    CHECK(f && TTF_FontHeight(f) >= 22 && TTF_FontHeight(f) < 60, "at the size asked (height %d)",
          f ? TTF_FontHeight(f) : 0);
    if (f)
        TTF_CloseFont(f);
    f = ui_plat_font_open(14);
    CHECK(f && japanese(f), "opened a second time (other size)");
    if (f)
        TTF_CloseFont(f);

    if (!ja_font || !other_font) {
        TTF_Quit();
        return;
    }
    /* a font without Japanese where Yu Gothic is looked for first, a Japanese one as Meiryo:
     * the first is passed over, the second is used rather than the embedded one */
    TTF_Font *want = TTF_OpenFontIndex(ja_font, 20, 0);
    char want_family[200] = "";
    if (want) {
        snprintf(want_family, sizeof want_family, "%s", TTF_FontFaceFamilyName(want));
        TTF_CloseFont(want);
    }
    CHECK(want_family[0] && strcmp(want_family, embedded) != 0,
          "test font %s: \"%s\", not the embedded font's family", ja_font, want_family);
    wchar_t other_to[MAX_PATH + 32], ja_to[MAX_PATH + 32];
    bool c1 = copy_font(other_font, dir, L"YuGothM.ttc", other_to);
    bool c2 = copy_font(ja_font, dir, L"meiryo.ttc", ja_to);
    CHECK(c1 && c2, "test fonts copied into the fonts folder (error %lu)",
          (unsigned long)GetLastError());
    f = ui_plat_font_open(20);
    const char *got = f ? TTF_FontFaceFamilyName(f) : "none";
    CHECK(f && strcmp(got, want_family) == 0 && japanese(f),
          "the fonts folder's Japanese font is used (\"%s\"), the one without Japanese is not",
          got);
    CHECK(f && draws(f), "it draws Japanese text");
    if (f)
        TTF_CloseFont(f);
    if (c1)
        DeleteFileW(other_to);
    if (c2)
        DeleteFileW(ja_to);
    TTF_Quit();
}

int main(int argc, char **argv)
{
    const char *expect_lang = NULL, *ja_font = NULL, *other_font = NULL;
    int i = 1;
    if (argc > 2 && strcmp(argv[1], "--lang") == 0) {
        expect_lang = argv[2];
        i = 3;
    }
    if (argc - i == 2) {
        ja_font = argv[i];
        other_font = argv[i + 1];
    } else if (argc != i) {
        fprintf(stderr, "usage: test_win_plat.exe [--lang ja|en] [JAPANESE_FONT OTHER_FONT]\n");
        return 2;
    }
    misc();
    resources();
    state_dir();
    sd_verdicts();
    private_files();
    lang(expect_lang);
    fonts(ja_font, other_font);
    stops();
    return wt_done();
}
