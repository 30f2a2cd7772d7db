/* win_stop: asks a running Windows program to stop the ways Windows itself does, for the
 * host's stop tests (tests/win/host_win_stop.sh).
 *   win_stop.exe console ctrl-c|ctrl-break|close|logoff|shutdown EXE_NAME
 *     a console control event, delivered as Windows delivers it: a new thread in the target
 *     process at kernelbase's CtrlRoutine, which runs the handlers SetConsoleCtrlHandler
 *     registered. Waits (15 s at most) for the handlers to return and prints how long that
 *     took: Windows ends the process once they return, so they must not return before the
 *     session has ended.
 *   win_stop.exe endsession logoff|shutdown EXE_NAME [PAUSE_MS]
 *     WM_QUERYENDSESSION, then WM_ENDSESSION(TRUE), to every top-level window of the
 *     process (hidden ones included), as Windows does at sign-out and shut-down; prints
 *     each answer and how long WM_ENDSESSION was held. PAUSE_MS between the two plays
 *     another program that takes that long to answer its own WM_QUERYENDSESSION (Windows
 *     asks every program before it tells any that the session ends).
 * Exit status: 0 if the request was delivered (the handlers finished in time; every window
 * allowed the session to end), 1 if not, 2 on a usage error. */
/* windows.h first: tlhelp32.h needs its types */
#include <windows.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tlhelp32.h>

/* The Windows process id of the first process whose exe is name, or 0. */
static DWORD find_process(const char *name)
{
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    PROCESSENTRY32 pe = {.dwSize = sizeof pe};
    DWORD pid = 0;
    if (snap == INVALID_HANDLE_VALUE)
        return 0;
    for (BOOL ok = Process32First(snap, &pe); ok && !pid; ok = Process32Next(snap, &pe))
        if (_stricmp(pe.szExeFile, name) == 0)
            pid = pe.th32ProcessID;
    CloseHandle(snap);
    return pid;
}

static int console_event(const char *what, DWORD pid)
{
    static const struct {
        const char *name;
        DWORD event;
    } events[] = {{"ctrl-c", CTRL_C_EVENT},
                  {"ctrl-break", CTRL_BREAK_EVENT},
                  {"close", CTRL_CLOSE_EVENT},
                  {"logoff", CTRL_LOGOFF_EVENT},
                  {"shutdown", CTRL_SHUTDOWN_EVENT}};
    DWORD event = (DWORD)-1;
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        if (strcmp(what, events[i].name) == 0)
            event = events[i].event;
    if (event == (DWORD)-1)
        return 2;
    /* kernelbase is mapped at the same address in every process of a session */
    HMODULE kb = GetModuleHandleW(L"kernelbase.dll");
    FARPROC ctrl = kb ? GetProcAddress(kb, "CtrlRoutine") : NULL;
    HANDLE p =
        OpenProcess(PROCESS_CREATE_THREAD | PROCESS_QUERY_INFORMATION | PROCESS_VM_OPERATION |
                        PROCESS_VM_WRITE | PROCESS_VM_READ | SYNCHRONIZE,
                    FALSE, pid);
    if (!ctrl || !p) {
        printf("win_stop: no CtrlRoutine or cannot open process %lu (error %lu)\n",
               (unsigned long)pid, (unsigned long)GetLastError());
        return 1;
    }
    ULONGLONG t0 = GetTickCount64();
    HANDLE t = CreateRemoteThread(p, NULL, 0, (LPTHREAD_START_ROUTINE)(void *)ctrl,
                                  (void *)(ULONG_PTR)event, 0, NULL);
    if (!t) {
        printf("win_stop: CreateRemoteThread: error %lu\n", (unsigned long)GetLastError());
        CloseHandle(p);
        return 1;
    }
    DWORD w = WaitForSingleObject(t, 15000), code = 0;
    ULONGLONG ms = GetTickCount64() - t0;
    GetExitCodeThread(t, &code);
    /* the thread's code is CtrlRoutine's (1: a handler took the event), or the process's exit
     * status when the program ended while its handler was still waiting */
    printf("win_stop: %s: handlers %s after %llu ms (thread exit code %lu)\n", what,
           w == WAIT_OBJECT_0 ? "done" : "still running", ms, (unsigned long)code);
    CloseHandle(t);
    CloseHandle(p);
    return w == WAIT_OBJECT_0 ? 0 : 1;
}

struct windows {
    DWORD pid;
    HWND w[64];
    char cls[64][128];
    int n;
};

static BOOL CALLBACK collect(HWND h, LPARAM lp)
{
    struct windows *ws = (struct windows *)lp;
    DWORD pid = 0;
    GetWindowThreadProcessId(h, &pid);
    if (pid == ws->pid && ws->n < 64)
        ws->w[ws->n++] = h;
    return TRUE;
}

static int end_session(const char *what, DWORD pid, DWORD pause_ms)
{
    LPARAM lp;
    if (strcmp(what, "logoff") == 0)
        lp = ENDSESSION_LOGOFF;
    else if (strcmp(what, "shutdown") == 0)
        lp = 0;
    else
        return 2;
    struct windows ws = {.pid = pid};
    EnumWindows(collect, (LPARAM)&ws);
    if (!ws.n) {
        printf("win_stop: process %lu has no top-level window\n", (unsigned long)pid);
        return 1;
    }
    int refused = 0;
    for (int i = 0; i < ws.n; i++) {
        wchar_t cls[128] = L"";
        char name[256] = "";
        GetClassNameW(ws.w[i], cls, 128);
        WideCharToMultiByte(CP_UTF8, 0, cls, -1, name, sizeof name, NULL, NULL);
        snprintf(ws.cls[i], sizeof ws.cls[i], "%s", name);
        DWORD_PTR ok = 0;
        ULONGLONG t0 = GetTickCount64();
        BOOL answered =
            SendMessageTimeoutW(ws.w[i], WM_QUERYENDSESSION, 0, lp, SMTO_NORMAL, 5000, &ok);
        DWORD e = answered ? 0 : GetLastError();
        /* a window destroyed meanwhile (the program already closing it) refuses nothing */
        bool gone = !answered && !IsWindow(ws.w[i]);
        printf("win_stop: WM_QUERYENDSESSION (%s) to %s: %s after %llu ms", what, name,
               gone ? "window gone"
               : ok ? "may end"
                    : "refused",
               GetTickCount64() - t0);
        if (!answered)
            printf(" (no answer: error %lu)", (unsigned long)e);
        printf("\n");
        if (gone)
            continue;
        refused += !ok;
    }
    if (pause_ms) {
        printf("win_stop: %lu ms before WM_ENDSESSION\n", (unsigned long)pause_ms);
        Sleep(pause_ms);
    }
    for (int i = 0; i < ws.n; i++) {
        ULONGLONG t0 = GetTickCount64();
        DWORD_PTR r;
        BOOL done =
            SendMessageTimeoutW(ws.w[i], WM_ENDSESSION, !refused, lp, SMTO_NORMAL, 15000, &r);
        if (done || IsWindow(ws.w[i]))
            printf("win_stop: WM_ENDSESSION(%s) to %s held %llu ms%s\n", refused ? "FALSE" : "TRUE",
                   ws.cls[i], GetTickCount64() - t0, done ? "" : " (no answer in time)");
    }
    return refused ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 4 && !(argc == 5 && strcmp(argv[1], "endsession") == 0)) {
        fprintf(stderr, "usage: win_stop.exe console|endsession EVENT EXE_NAME [PAUSE_MS]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    DWORD pid = find_process(argv[3]);
    if (!pid) {
        printf("win_stop: no process %s\n", argv[3]);
        return 1;
    }
    int rc = 2;
    if (strcmp(argv[1], "console") == 0)
        rc = console_event(argv[2], pid);
    else if (strcmp(argv[1], "endsession") == 0)
        rc = end_session(argv[2], pid, argc == 5 ? (DWORD)strtoul(argv[4], NULL, 10) : 0);
    if (rc == 2)
        fprintf(stderr, "win_stop: unknown request %s %s\n", argv[1], argv[2]);
    return rc;
}
