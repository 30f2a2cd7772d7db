/* System information for the operator on Windows (exactly what the consent prompt lists: OS,
 * computer name, CPU, memory, disks, displays, network adapters; no user names or paths):
 * RtlGetVersion, the registry's processor name, GlobalMemoryStatusEx, the fixed drives,
 * EnumDisplayMonitors and GetAdaptersAddresses. Sent only after consent. */
#include "sasae/host.h"

#include "sysinfo_text.h"

#include <winsock2.h>
#include <ws2tcpip.h>

#include <iphlpapi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

static void utf8(const wchar_t *w, char *out, size_t cap)
{
    if (!w || WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)cap, NULL, NULL) <= 0)
        out[0] = 0;
}

/* A REG_SZ value of HKLM as UTF-8, "" if absent (RegGetValueW always NUL-terminates). */
static void reg_string(const wchar_t *key, const wchar_t *value, char *out, size_t cap)
{
    wchar_t w[256];
    DWORD sz = sizeof w;
    out[0] = 0;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, key, value, RRF_RT_REG_SZ, NULL, w, &sz) == ERROR_SUCCESS)
        utf8(w, out, cap);
}

static void os_version(struct sysinfo_out *o)
{
    typedef LONG(WINAPI * rtl_fn)(OSVERSIONINFOEXW *);
    HMODULE nt = GetModuleHandleW(L"ntdll.dll");
    rtl_fn rtl = nt ? (rtl_fn)(void *)GetProcAddress(nt, "RtlGetVersion") : NULL;
    OSVERSIONINFOEXW v = {.dwOSVersionInfoSize = sizeof v};
    if (!rtl || rtl(&v) != 0)
        return;
    /* Windows 11 still reports 10.0; its builds start at 22000. The host supports 10 and 11;
     * older names only make a report from an old system (or Wine's default) readable. */
    unsigned ver = (unsigned)(v.dwMajorVersion * 10 + v.dwMinorVersion);
    const char *name = ver == 100 && v.dwBuildNumber >= 22000 ? "Windows 11"
                       : ver == 100                           ? "Windows 10"
                       : ver == 63                            ? "Windows 8.1"
                       : ver == 62                            ? "Windows 8"
                       : ver == 61                            ? "Windows 7"
                                                              : "Windows";
    static const wchar_t cv[] = L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
    char edition[128], display[64];
    reg_string(cv, L"EditionID", edition, sizeof edition);
    reg_string(cv, L"DisplayVersion", display, sizeof display);
    /* the update revision: 22631.3007 says which monthly update is installed */
    DWORD ubr = 0, sz = sizeof ubr;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, cv, L"UBR", RRF_RT_REG_DWORD, NULL, &ubr, &sz) !=
        ERROR_SUCCESS)
        ubr = 0;
    char build[32];
    snprintf(build, sizeof build, ubr ? "%lu.%lu" : "%lu", v.dwBuildNumber, ubr);
    sysinfo_line(o, "os=%s%s%s%s%s (version %lu.%lu, build %s)", name, edition[0] ? " " : "",
                 edition, display[0] ? " " : "", display, v.dwMajorVersion, v.dwMinorVersion,
                 build);
    SYSTEM_INFO si;
    GetNativeSystemInfo(&si);
    sysinfo_line(o, "kernel=Windows NT %lu.%lu.%lu %s", v.dwMajorVersion, v.dwMinorVersion,
                 v.dwBuildNumber,
                 si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_AMD64   ? "x86_64"
                 : si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_ARM64 ? "arm64"
                                                                             : "other");
}

static void cpu(struct sysinfo_out *o)
{
    char name[256];
    reg_string(L"HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0", L"ProcessorNameString", name,
               sizeof name);
    const char *p = name;
    while (*p == ' ')
        p++;
    if (*p)
        sysinfo_line(o, "cpu=%s", p);
    /* logical processors of every processor group, like Linux's online CPUs */
    sysinfo_line(o, "cores=%lu", GetActiveProcessorCount(ALL_PROCESSOR_GROUPS));
}

static void disks(struct sysinfo_out *o)
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
            sysinfo_line(o, "disk=%c: %llu MiB free of %llu MiB", 'A' + d,
                         (unsigned long long)(avail.QuadPart >> 20),
                         (unsigned long long)(total.QuadPart >> 20));
    }
}

struct mon_ctx {
    struct sysinfo_out *o;
    int i;
};

static BOOL CALLBACK mon_line(HMONITOR m, HDC dc, LPRECT r, LPARAM lp)
{
    struct mon_ctx *c = (struct mon_ctx *)lp;
    MONITORINFOEXW mi = {.cbSize = sizeof mi};
    char name[64] = "?";
    if (GetMonitorInfoW(m, (MONITORINFO *)&mi))
        utf8(mi.szDevice, name, sizeof name);
    sysinfo_line(c->o, "display=%d %s %ldx%ld+%ld+%ld%s", c->i++, name, r->right - r->left,
                 r->bottom - r->top, r->left, r->top,
                 (mi.dwFlags & MONITORINFOF_PRIMARY) ? " primary" : "");
    return TRUE;
}

static void displays(struct sysinfo_out *o)
{
    sysinfo_line(o, "screen=%dx%d", GetSystemMetrics(SM_CXVIRTUALSCREEN),
                 GetSystemMetrics(SM_CYVIRTUALSCREEN));
    sysinfo_line(o, "displays=%d", GetSystemMetrics(SM_CMONITORS));
    struct mon_ctx c = {o, 0};
    EnumDisplayMonitors(NULL, NULL, mon_line, (LPARAM)&c);
}

static void network(struct sysinfo_out *o)
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
            /* written as Linux writes them: no %scope on link-local IPv6 */
            char ip[INET6_ADDRSTRLEN] = "";
            const struct sockaddr *sa = u->Address.lpSockaddr;
            if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof ip);
            else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof ip);
            size_t l = strlen(addrs);
            if (ip[0])
                snprintf(addrs + l, sizeof addrs - l, "%s%s", l ? " " : "", ip);
        }
        sysinfo_line(o, "network=%s: %s", name, addrs[0] ? addrs : "no address");
    }
    free(aa);
}

size_t sasae_sysinfo_collect(char *buf, size_t cap, const char *display)
{
    (void)display;
    struct sysinfo_out o = {buf, cap, 0};
    if (cap == 0)
        return 0;
    buf[0] = 0;
    WSADATA wsa;
    bool ws = WSAStartup(MAKEWORD(2, 2), &wsa) == 0;
    os_version(&o);
    /* the DNS host name, as gethostname gives on Linux (the NetBIOS name is cut to 15) */
    wchar_t host[256];
    DWORD hl = sizeof host / sizeof host[0];
    char name[256];
    if (GetComputerNameExW(ComputerNameDnsHostname, host, &hl) ||
        (hl = sizeof host / sizeof host[0], GetComputerNameW(host, &hl))) {
        utf8(host, name, sizeof name);
        sysinfo_line(&o, "computer=%s", name);
    }
    cpu(&o);
    MEMORYSTATUSEX m = {.dwLength = sizeof m};
    if (GlobalMemoryStatusEx(&m))
        sysinfo_line(&o, "memory_mb=%llu\nmemory_available_mb=%llu",
                     (unsigned long long)(m.ullTotalPhys >> 20),
                     (unsigned long long)(m.ullAvailPhys >> 20));
    disks(&o);
    displays(&o);
    network(&o);
    if (ws)
        WSACleanup();
    return o.len;
}
