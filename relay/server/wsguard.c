/* sasae-relay: client frame masking check (see wsguard.h). */
#include "wsguard.h"

enum { F_HDR0, F_HDR1, F_EXTLEN, F_MASK, F_PAYLOAD };

enum relay_wsg_verdict relay_wsg_feed(struct relay_wsg *g, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && g->phase == RELAY_WSG_HTTP) {
        uint8_t c = p[i++];
        if (c == '\n' && g->hstate) {
            g->phase = RELAY_WSG_FRAMES; /* empty line: the request is complete */
            g->fstate = F_HDR0;
        } else if (c == '\n') {
            g->hstate = 1;
        } else if (c == '\r' && g->hstate == 1) {
            g->hstate = 2;
        } else {
            g->hstate = 0;
        }
    }
    while (i < n && g->phase == RELAY_WSG_FRAMES) {
        uint8_t c = p[i];
        switch (g->fstate) {
        case F_HDR0: /* FIN, RSV, opcode: lws checks those */
            g->fstate = F_HDR1;
            i++;
            break;
        case F_HDR1:
            if (!(c & 0x80)) {
                g->phase = RELAY_WSG_UNMASKED;
                break;
            }
            g->len = c & 0x7f;
            if (g->len >= 126) {
                g->need = g->len == 126 ? 2 : 8;
                g->len = 0;
                g->fstate = F_EXTLEN;
            } else {
                g->need = 4;
                g->fstate = F_MASK;
            }
            i++;
            break;
        case F_EXTLEN:
            g->len = g->len << 8 | c;
            if (!--g->need) {
                g->need = 4;
                g->fstate = F_MASK;
            }
            i++;
            break;
        case F_MASK:
            if (!--g->need)
                g->fstate = g->len ? F_PAYLOAD : F_HDR0;
            i++;
            break;
        default: { /* F_PAYLOAD: skipped whole, lws unmasks and checks it */
            size_t take = n - i;
            if ((uint64_t)take > g->len)
                take = (size_t)g->len;
            g->len -= take;
            i += take;
            if (!g->len)
                g->fstate = F_HDR0;
            break;
        }
        }
    }
    return (enum relay_wsg_verdict)g->phase;
}
