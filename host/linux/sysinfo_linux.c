/* System information for the operator (OS, kernel, computer name, CPU, memory, disk,
 * displays, network adapters: exactly what the consent prompt lists; no user names or
 * paths), read from /etc/os-release, uname, /proc, statvfs, XRandR and getifaddrs. */
#include "sasae/host.h"

#include "sysinfo_text.h"

#include <X11/Xlib.h>
#include <X11/extensions/Xrandr.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Value of "key<sep>value" from a text file, trimmed and unquoted. */
static int file_value(const char *path, const char *key, char sep, char *val, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char l[512];
    size_t kl = strlen(key);
    int found = -1;
    while (fgets(l, sizeof l, f)) {
        if (strncmp(l, key, kl) != 0)
            continue;
        char *p = l + kl;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != sep)
            continue;
        p++;
        while (*p == ' ' || *p == '\t' || *p == '"')
            p++;
        size_t n = strcspn(p, "\"\n");
        if (n >= cap)
            n = cap - 1;
        memcpy(val, p, n);
        val[n] = 0;
        found = 0;
        break;
    }
    fclose(f);
    return found;
}

static void displays(struct sysinfo_out *o, const char *display)
{
    Display *dpy = XOpenDisplay(display);
    if (!dpy) {
        sysinfo_line(o, "displays=0");
        return;
    }
    int ev, er, n = 0;
    Window root = DefaultRootWindow(dpy);
    XRRMonitorInfo *m =
        XRRQueryExtension(dpy, &ev, &er) ? XRRGetMonitors(dpy, root, True, &n) : NULL;
    sysinfo_line(o, "screen=%dx%d", DisplayWidth(dpy, DefaultScreen(dpy)),
                 DisplayHeight(dpy, DefaultScreen(dpy)));
    sysinfo_line(o, "displays=%d", m ? n : 1);
    for (int i = 0; m && i < n; i++) {
        char *name = m[i].name ? XGetAtomName(dpy, m[i].name) : NULL;
        sysinfo_line(o, "display=%d %s %dx%d+%d+%d%s", i, name ? name : "?", m[i].width,
                     m[i].height, m[i].x, m[i].y, m[i].primary ? " primary" : "");
        if (name)
            XFree(name);
    }
    if (m)
        XRRFreeMonitors(m);
    XCloseDisplay(dpy);
}

/* One "network=NAME: ADDR ADDR..." line per interface that is up, loopback left out. */
static void network(struct sysinfo_out *o)
{
    struct ifaddrs *ifs = NULL;
    if (getifaddrs(&ifs) != 0)
        return;
    for (struct ifaddrs *a = ifs; a; a = a->ifa_next) {
        if (!a->ifa_name || (a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP))
            continue;
        bool first = true; /* the first entry of this name carries the line */
        for (struct ifaddrs *b = ifs; b != a; b = b->ifa_next)
            if (b->ifa_name && strcmp(b->ifa_name, a->ifa_name) == 0)
                first = false;
        if (!first)
            continue;
        char addrs[300] = "";
        for (struct ifaddrs *b = a; b; b = b->ifa_next) {
            if (!b->ifa_name || strcmp(b->ifa_name, a->ifa_name) != 0 || !b->ifa_addr)
                continue;
            char ip[INET6_ADDRSTRLEN] = "";
            int fam = b->ifa_addr->sa_family;
            if (fam == AF_INET)
                inet_ntop(fam, &((struct sockaddr_in *)b->ifa_addr)->sin_addr, ip, sizeof ip);
            else if (fam == AF_INET6)
                inet_ntop(fam, &((struct sockaddr_in6 *)b->ifa_addr)->sin6_addr, ip, sizeof ip);
            size_t l = strlen(addrs);
            if (ip[0])
                snprintf(addrs + l, sizeof addrs - l, "%s%s", l ? " " : "", ip);
        }
        sysinfo_line(o, "network=%s: %s", a->ifa_name, addrs[0] ? addrs : "no address");
    }
    freeifaddrs(ifs);
}

size_t sasae_sysinfo_collect(char *buf, size_t cap, const char *display)
{
    struct sysinfo_out o = {buf, cap, 0};
    char v[256];
    if (cap == 0)
        return 0;
    buf[0] = 0;
    if (file_value("/etc/os-release", "PRETTY_NAME", '=', v, sizeof v) == 0)
        sysinfo_line(&o, "os=%s", v);
    struct utsname u;
    if (uname(&u) == 0)
        sysinfo_line(&o, "kernel=%s %s %s", u.sysname, u.release, u.machine);
    char host[256];
    if (gethostname(host, sizeof host) == 0) {
        host[sizeof host - 1] = 0;
        sysinfo_line(&o, "computer=%s", host);
    }
    if (file_value("/proc/cpuinfo", "model name", ':', v, sizeof v) == 0)
        sysinfo_line(&o, "cpu=%s", v);
    sysinfo_line(&o, "cores=%ld", sysconf(_SC_NPROCESSORS_ONLN));
    char t[64], a[64];
    if (file_value("/proc/meminfo", "MemTotal", ':', t, sizeof t) == 0 &&
        file_value("/proc/meminfo", "MemAvailable", ':', a, sizeof a) == 0)
        sysinfo_line(&o, "memory_mb=%lld\nmemory_available_mb=%lld", atoll(t) / 1024,
                     atoll(a) / 1024);
    struct statvfs s;
    if (statvfs("/", &s) == 0)
        sysinfo_line(&o, "disk=/ %llu MiB free of %llu MiB",
                     (unsigned long long)s.f_bavail * s.f_frsize / (1024 * 1024),
                     (unsigned long long)s.f_blocks * s.f_frsize / (1024 * 1024));
    displays(&o, display);
    network(&o);
    return o.len;
}
