/* Parsing the proxy setting a platform reports (pure: no OS calls), e.g. Windows' manual
 * proxy "host:port" or "http=h1:p1;https=h2:p2". Private to sasae-host and its tests. */
#ifndef SASAE_HOST_PROXYCFG_H
#define SASAE_HOST_PROXYCFG_H

#include <stddef.h>

/* Picks the proxy for a wss:// connection from a WinHTTP/Internet Settings proxy list
 * (entries separated by ';' or spaces, each "[scheme=][http://]host[:port]"): the https=
 * entry, else one without a scheme, else none (an http= or socks= entry is not for TLS).
 * Writes "http://host:port" (port 80 when none is given) to out. Returns 1 if one was
 * found, 0 if the list names none for https, -1 if the chosen entry is malformed or does
 * not fit. */
int host_proxycfg_pick(const char *list, char *out, size_t cap);

#endif
