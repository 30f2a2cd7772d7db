/* sasae link: see sasae/link.h. */
#include "sasae/link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

struct sasae_link {
    struct sasae_chan *ch;
    bool dead;
    uint8_t hs[SASAE_CHAN_MAX_HANDSHAKE]; /* handshake reply or ALERT to send */
    uint8_t *pt;                          /* plaintext of the message being sealed */
    uint8_t *rx;                          /* plaintext of the record just opened */
};

struct sasae_link *sasae_link_new(struct sasae_chan *ch)
{
    if (!ch)
        return NULL;
    struct sasae_link *l = calloc(1, sizeof *l);
    if (!l)
        goto fail;
    l->ch = ch;
    l->pt = malloc(SASAE_WIRE_MAX_MSG);
    l->rx = malloc(SASAE_CHAN_MAX_PLAINTEXT);
    if (!l->pt || !l->rx) {
        sasae_link_free(l);
        return NULL;
    }
    return l;
fail:
    sasae_chan_free(ch);
    return NULL;
}

void sasae_link_free(struct sasae_link *l)
{
    if (!l)
        return;
    sasae_chan_free(l->ch); /* cleanses every key */
    /* and the last plaintext messages both ways */
    if (l->pt)
        OPENSSL_cleanse(l->pt, SASAE_WIRE_MAX_MSG);
    if (l->rx)
        OPENSSL_cleanse(l->rx, SASAE_CHAN_MAX_PLAINTEXT);
    OPENSSL_cleanse(l->hs, sizeof l->hs);
    free(l->pt);
    free(l->rx);
    free(l);
}

enum sasae_chan_err sasae_link_start(struct sasae_link *l, const uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (l->dead)
        return SASAE_CHAN_EDEAD;
    size_t n = 0;
    enum sasae_chan_err e = sasae_chan_start(l->ch, l->hs, sizeof l->hs, &n);
    if (e != SASAE_CHAN_OK)
        return e;
    *out = l->hs;
    *out_len = n;
    return SASAE_CHAN_OK;
}

static void failed(struct sasae_link *l, struct sasae_link_event *ev, enum sasae_link_fail f,
                   enum sasae_chan_err reason)
{
    l->dead = true;
    ev->kind = SASAE_LINK_EV_FAILED;
    ev->fail = f;
    ev->reason = reason;
}

static bool local_error(enum sasae_chan_err e)
{
    return e == SASAE_CHAN_ENOMEM || e == SASAE_CHAN_ENOSPACE || e == SASAE_CHAN_EARG;
}

static void handshake(struct sasae_link *l, const uint8_t *in, size_t len,
                      struct sasae_link_event *ev)
{
    size_t n = 0;
    enum sasae_chan_err e = sasae_chan_handshake(l->ch, in, len, l->hs, sizeof l->hs, &n);
    if (e == SASAE_CHAN_EPEER) {
        /* the peer's ALERT: nothing goes back (an ALERT only ever ends a handshake) */
        enum sasae_chan_err why = sasae_chan_peer_error(l->ch);
        failed(l, ev, why == SASAE_CHAN_ECODE ? SASAE_LINK_FAIL_CODE : SASAE_LINK_FAIL_PEER, why);
        ev->by_peer = true;
        return;
    }
    if (e != SASAE_CHAN_OK) {
        /* tell the peer why (unauthenticated, it can only end the handshake) */
        size_t al = 0;
        if (sasae_chan_alert(e, l->hs, sizeof l->hs, &al) == SASAE_CHAN_OK) {
            ev->out = l->hs;
            ev->out_len = al;
        }
        failed(l, ev,
               e == SASAE_CHAN_ECODE ? SASAE_LINK_FAIL_CODE
               : local_error(e)      ? SASAE_LINK_FAIL_LOCAL
                                     : SASAE_LINK_FAIL_HANDSHAKE,
               e);
        return;
    }
    ev->out = n ? l->hs : NULL;
    ev->out_len = n;
    if (sasae_chan_established(l->ch)) {
        ev->kind = SASAE_LINK_EV_ESTABLISHED;
        ev->peer = sasae_chan_peer(l->ch);
    } else {
        ev->kind = n ? SASAE_LINK_EV_HANDSHAKE : SASAE_LINK_EV_NONE;
    }
}

void sasae_link_input(struct sasae_link *l, const uint8_t *in, size_t len,
                      struct sasae_link_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (l->dead || sasae_chan_dead(l->ch)) {
        failed(l, ev, SASAE_LINK_FAIL_DEAD, SASAE_CHAN_EDEAD);
        return;
    }
    if (!sasae_chan_established(l->ch)) {
        handshake(l, in, len, ev);
        return;
    }
    if (len > SASAE_CHAN_MAX_RECORD) {
        failed(l, ev, SASAE_LINK_FAIL_OVERSIZE, SASAE_CHAN_ERECORD);
        return;
    }
    size_t n = 0;
    enum sasae_chan_err e = sasae_chan_open(l->ch, in, len, l->rx, SASAE_CHAN_MAX_PLAINTEXT, &n);
    if (e != SASAE_CHAN_OK) {
        failed(l, ev, SASAE_LINK_FAIL_RECORD, e);
        return;
    }
    enum sasae_wire_err we = sasae_wire_parse(l->rx, n, &ev->msg);
    if (we != SASAE_WIRE_OK) {
        /* the channel is whole: the caller may still seal an END saying why */
        memset(&ev->msg, 0, sizeof ev->msg);
        ev->kind = SASAE_LINK_EV_FAILED;
        ev->fail = SASAE_LINK_FAIL_MESSAGE;
        ev->wire_err = we;
        return;
    }
    ev->kind = SASAE_LINK_EV_MESSAGE;
}

int sasae_link_seal(struct sasae_link *l, const struct sasae_wire_msg *m, uint8_t *out, size_t cap,
                    size_t *out_len, enum sasae_wire_err *wire_err)
{
    *out_len = 0;
    if (wire_err)
        *wire_err = SASAE_WIRE_OK;
    if (l->dead || !sasae_chan_established(l->ch))
        return -EPERM;
    size_t n = 0;
    enum sasae_wire_err we = sasae_wire_serialize(m, l->pt, SASAE_WIRE_MAX_MSG, &n);
    if (we != SASAE_WIRE_OK) {
        if (wire_err)
            *wire_err = we;
        return -EINVAL;
    }
    if (cap < n + SASAE_CHAN_RECORD_OVERHEAD)
        return -ENOSPC;
    enum sasae_chan_err ce = sasae_chan_seal(l->ch, l->pt, n, out, cap, out_len);
    if (ce != SASAE_CHAN_OK) {
        l->dead = sasae_chan_dead(l->ch) != 0;
        return -EIO;
    }
    return 0;
}

bool sasae_link_established(const struct sasae_link *l)
{
    return l && !l->dead && sasae_chan_established(l->ch);
}

const struct sasae_chan_peer *sasae_link_peer(const struct sasae_link *l)
{
    return l && !l->dead ? sasae_chan_peer(l->ch) : NULL;
}

enum sasae_chan_err sasae_link_resume_secrets(const struct sasae_link *l,
                                              uint8_t ticket[SASAE_CHAN_TICKET_LEN],
                                              char code[SASAE_CHAN_RESUME_CODE_LEN + 1])
{
    return sasae_chan_resume_secrets(l->ch, ticket, code);
}
