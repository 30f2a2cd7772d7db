/* System information for the operator on Windows (exactly what the consent prompt lists: OS,
 * computer name, CPU, memory, disks, displays, network adapters; no user names or paths):
 * RtlGetVersion, the registry's processor name, GlobalMemoryStatusEx, the fixed drives,
 * EnumDisplayMonitors and GetAdaptersAddresses. Sent only after consent. */
#include "sasae/host.h"

#include <winsock2.h>
#include <ws2tcpip.h>

#include <iphlpapi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

struct out {
    char *buf;
    size_t cap, len;
};

/* Appends one whole line, or nothing if it does not fit. */
static void line(struct out *o, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t l = (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1;
    if (o->len + l + 2 > o->cap)
        return;
    memcpy(o->buf + o->len, tmp, l);
    o->len += l;
    o->buf[o->len++] = '\n';
    o->buf[o->len] = 0;
}

static void utf8(const wchar_t *w, char *out, size_t cap)
{
    if (!w || WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)cap, NULL, NULL) <= 0)
        out[0] = 0;
}

static void os_version(struct out *o)
{
    typedef LONG(WINAPI * rtl_fn)(OSVERSIONINFOEXW *);
    HMODULE nt = GetModuleHandleW(L"ntdll.dll");
    rtl_fn rtl = nt ? (rtl_fn)(void *)GetProcAddress(nt, "RtlGetVersion") : NULL;
    OSVERSIONINFOEXW v = {.dwOSVersionInfoSize = sizeof v};
    if (!rtl || rtl(&v) != 0)
        return;
    /* Windows 11 still reports 10.0; its builds start at 22000 */
    const char *name = v.dwMajorVersion == 10 && v.dwBuildNumber >= 22000 ? "Windows 11"
                       : v.dwMajorVersion == 10                           ? "Windows 10"
                                                                          : "Windows";
    char edition[128] = "", display[64] = "";
    HKEY k;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", 0,
                      KEY_READ, &k) == ERROR_SUCCESS) {
        wchar_t w[128];
        DWORD sz = sizeof w;
        if (RegQueryValueExW(k, L"EditionID", NULL, NULL, (BYTE *)w, &sz) == ERROR_SUCCESS)
            utf8(w, edition, sizeof edition);
        sz = sizeof w;
        if (RegQueryValueExW(k, L"DisplayVersion", NULL, NULL, (BYTE *)w, &sz) == ERROR_SUCCESS)
            utf8(w, display, sizeof display);
        RegCloseKey(k);
    }
    line(o, "os=%s%s%s%s%s (version %lu.%lu, build %lu)", name, edition[0] ? " " : "", edition,
         display[0] ? " " : "", display, v.dwMajorVersion, v.dwMinorVersion, v.dwBuildNumber);
    SYSTEM_INFO si;
    GetNativeSystemInfo(&si);
    line(o, "kernel=Windows NT %lu.%lu.%lu %s", v.dwMajorVersion, v.dwMinorVersion, v.dwBuildNumber,
         si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_AMD64   ? "x86_64"
         : si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_ARM64 ? "arm64"
                                                                     : "other");
}

static void cpu(struct out *o)
{
    HKEY k;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0", 0,
                      KEY_READ, &k) == ERROR_SUCCESS) {
        wchar_t w[128];
        DWORD sz = sizeof w;
        char name[256];
        if (RegQueryValueExW(k, L"ProcessorNameString", NULL, NULL, (BYTE *)w, &sz) ==
            ERROR_SUCCESS) {
            utf8(w, name, sizeof name);
            char *p = name;
            while (*p == ' ')
                p++;
            line(o, "cpu=%s", p);
        }
        RegCloseKey(k);
    }
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    line(o, "cores=%lu", si.dwNumberOfProcessors);
}

static void disks(struct out *o)
{
    DWORD drives = GetLogicalDrives();
    for (int d = 0; d < 26; d++) {
        if (!(drives & (1u << d)))
            continue;
        wchar_t root[4] = {(wchar_t)(L'A' + d), L':', L'\\', 0};
        if (GetDriveTypeW(root) != DRIVE_FIXED)
            continue;
        ULARGE_INTEGER avail, total;
        if (GetDiskFreeSpaceExW(root, &avail, &total, NULL))
            line(o, "disk=%c: %llu MiB free of %llu MiB", 'A' + d,
                 (unsigned long long)(avail.QuadPart >> 20),
                 (unsigned long long)(total.QuadPart >> 20));
    }
}

struct mon_ctx {
    struct out *o;
    int i;
};

static BOOL CALLBACK mon_line(HMONITOR m, HDC dc, LPRECT r, LPARAM lp)
{
    struct mon_ctx *c = (struct mon_ctx *)lp;
    MONITORINFOEXW mi = {.cbSize = sizeof mi};
    char name[64] = "?";
    if (GetMonitorInfoW(m, (MONITORINFO *)&mi))
        utf8(mi.szDevice, name, sizeof name);
    line(c->o, "display=%d %s %ldx%ld+%ld+%ld%s", c->i++, name, r->right - r->left,
         r->bottom - r->top, r->left, r->top,
         (mi.dwFlags & MONITORINFOF_PRIMARY) ? " primary" : "");
    return TRUE;
}

static void displays(struct out *o)
{
    line(o, "screen=%dx%d", GetSystemMetrics(SM_CXVIRTUALSCREEN),
         GetSystemMetrics(SM_CYVIRTUALSCREEN));
    line(o, "displays=%d", GetSystemMetrics(SM_CMONITORS));
    struct mon_ctx c = {o, 0};
    EnumDisplayMonitors(NULL, NULL, mon_line, (LPARAM)&c);
}

static void network(struct out *o)
{
    ULONG size = 16384;
    IP_ADAPTER_ADDRESSES *aa = NULL;
    ULONG rc = ERROR_BUFFER_OVERFLOW;
    for (int tries = 0; tries < 3 && rc == ERROR_BUFFER_OVERFLOW; tries++) {
        free(aa);
        aa = malloc(size);
        if (!aa)
            return;
        rc = GetAdaptersAddresses(
            AF_UNSPEC, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER,
            NULL, aa, &size);
    }
    for (IP_ADAPTER_ADDRESSES *a = rc == NO_ERROR ? aa : NULL; a; a = a->Next) {
        if (a->IfType == IF_TYPE_SOFTWARE_LOOPBACK || a->OperStatus != IfOperStatusUp)
            continue;
        char name[128], addrs[300] = "";
        utf8(a->FriendlyName, name, sizeof name);
        for (IP_ADAPTER_UNICAST_ADDRESS *u = a->FirstUnicastAddress; u; u = u->Next) {
            char ip[INET6_ADDRSTRLEN] = "";
            DWORD il = sizeof ip;
            if (WSAAddressToStringA(u->Address.lpSockaddr, (DWORD)u->Address.iSockaddrLength, NULL,
                                    ip, &il) == 0) {
                size_t l = strlen(addrs);
                snprintf(addrs + l, sizeof addrs - l, "%s%s", l ? " " : "", ip);
            }
        }
        line(o, "network=%s: %s", name, addrs[0] ? addrs : "no address");
    }
    free(aa);
}

size_t sasae_sysinfo_collect(char *buf, size_t cap, const char *display)
{
    (void)display;
    struct out o = {buf, cap, 0};
    if (cap == 0)
        return 0;
    buf[0] = 0;
    WSADATA wsa;
    bool ws = WSAStartup(MAKEWORD(2, 2), &wsa) == 0;
    os_version(&o);
    wchar_t host[MAX_COMPUTERNAME_LENGTH + 1];
    DWORD hl = MAX_COMPUTERNAME_LENGTH + 1;
    char name[64];
    if (GetComputerNameW(host, &hl)) {
        utf8(host, name, sizeof name);
        line(&o, "computer=%s", name);
    }
    cpu(&o);
    MEMORYSTATUSEX m = {.dwLength = sizeof m};
    if (GlobalMemoryStatusEx(&m))
        line(&o, "memory_mb=%llu\nmemory_available_mb=%llu",
             (unsigned long long)(m.ullTotalPhys >> 20),
             (unsigned long long)(m.ullAvailPhys >> 20));
    disks(&o);
    displays(&o);
    network(&o);
    if (ws)
        WSACleanup();
    return o.len;
}
