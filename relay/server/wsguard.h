/* sasae-relay (internal): follows the websocket framing of what a client sends, to refuse
 * unmasked client frames (RFC 6455 5.1). libwebsockets 4.1 reads the mask bit but neither
 * refuses an unmasked frame nor tells its user about one, so the relay runs this parser on
 * the same decrypted bytes lws parses, just before lws sees them. */
#ifndef SASAE_RELAY_WSGUARD_H
#define SASAE_RELAY_WSGUARD_H

#include <stddef.h>
#include <stdint.h>

enum relay_wsg_verdict {
    RELAY_WSG_HTTP = 0, /* still in the HTTP request that opens the connection */
    RELAY_WSG_FRAMES,   /* past it: every frame so far was masked */
    RELAY_WSG_UNMASKED, /* a frame without the mask bit was seen (sticky) */
};

/* Parser state of one connection; zeroed = at the start of the connection. */
struct relay_wsg {
    uint8_t phase;  /* enum relay_wsg_verdict while HTTP/FRAMES, then UNMASKED */
    uint8_t hstate; /* HTTP: 0 in a line, 1 at a line start, 2 at a line start + CR */
    uint8_t fstate; /* FRAMES: which header byte comes next */
    uint8_t need;   /* extended-length or mask bytes still to come */
    uint64_t len;   /* payload length being read, then payload bytes left */
};

/* Feeds n bytes the client sent (in order, after TLS). The opening request ends at the
 * first empty line (CRLF or a bare LF, as lws accepts both); everything after it is parsed
 * as client frames: the upgrade must be the connection's first request. Returns the
 * verdict after these bytes. */
enum relay_wsg_verdict relay_wsg_feed(struct relay_wsg *g, const uint8_t *p, size_t n);

#endif
