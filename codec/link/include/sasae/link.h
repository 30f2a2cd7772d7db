/* sasae link: the secure-session glue both endpoints share. It owns one sasae_chan and turns
 * the relay's DATA bodies into events (handshake bytes to send, established with the verified
 * peer, one parsed application message, failure with the ALERT to send and why) and
 * application messages into sealed records. Pure: no sockets, no clock, no threads, no
 * logging; the caller moves every output as one opaque relay DATA message, logs, and serialises
 * calls (one link is not safe for two threads at once). See docs/architecture.md. */
#ifndef SASAE_LINK_H
#define SASAE_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/chan.h"
#include "sasae/wire.h"

struct sasae_link;

enum sasae_link_kind {
    SASAE_LINK_EV_NONE = 0,    /* nothing for the caller */
    SASAE_LINK_EV_HANDSHAKE,   /* send out[]: the handshake goes on */
    SASAE_LINK_EV_ESTABLISHED, /* send out[] if out_len (the host's last step), then peer is
                                  verified and messages flow both ways */
    SASAE_LINK_EV_MESSAGE,     /* msg: one application message from the peer */
    SASAE_LINK_EV_FAILED,      /* fail says why; send out[] if out_len (the ALERT) */
};

enum sasae_link_fail {
    SASAE_LINK_FAIL_HANDSHAKE = 1, /* this side refused the handshake (reason); ALERT in out */
    SASAE_LINK_FAIL_PEER,          /* the peer refused it with an ALERT; reason is its word */
    SASAE_LINK_FAIL_CODE,     /* the two sides used different support codes: seen here (ALERT in
                                 out) or by the peer (by_peer) */
    SASAE_LINK_FAIL_RECORD,   /* a record failed authentication (reason): altered, replayed... */
    SASAE_LINK_FAIL_OVERSIZE, /* a record longer than SASAE_CHAN_MAX_RECORD */
    SASAE_LINK_FAIL_MESSAGE,  /* the record opened but its message is malformed (wire_err); the
                                 channel itself is intact, so an END can still be sealed */
    SASAE_LINK_FAIL_LOCAL,    /* out of memory or a local misuse (reason): not the peer's doing */
    SASAE_LINK_FAIL_DEAD,     /* input after an earlier failure */
};

/* One input's outcome. Pointers (out, peer, the msg's payloads) point into the link and
 * stay valid until the next call on it. */
struct sasae_link_event {
    enum sasae_link_kind kind;
    const uint8_t *out; /* bytes to send to the peer first (handshake reply or ALERT) */
    size_t out_len;
    const struct sasae_chan_peer *peer; /* ESTABLISHED */
    struct sasae_wire_msg msg;          /* MESSAGE */
    enum sasae_link_fail fail;          /* FAILED */
    enum sasae_chan_err reason;         /* FAILED: the channel's reason (the peer's if by_peer) */
    bool by_peer;                       /* FAILED: the peer's ALERT said so */
    enum sasae_wire_err wire_err;       /* FAILED with FAIL_MESSAGE */
};

/* A link over ch, which it owns from now on (freed here even on failure). NULL if ch is NULL
 * or out of memory. */
struct sasae_link *sasae_link_new(struct sasae_chan *ch);
/* Frees the channel (cleansing every key) and wipes the last plaintext both ways. NULL-safe. */
void sasae_link_free(struct sasae_link *l);

/* Viewer only: the first handshake message (CLIENT_HELLO) into *out and *out_len (owned by the
 * link, valid until the next call). SASAE_CHAN_OK or the channel's error. */
enum sasae_chan_err sasae_link_start(struct sasae_link *l, const uint8_t **out, size_t *out_len);

/* Feeds one DATA body from the peer: a handshake message until established, a record after.
 * Records are never read before establishment (they are handshake input then, and fail as
 * such). Every FAILED except FAIL_MESSAGE is final: later input gives FAIL_DEAD. */
void sasae_link_input(struct sasae_link *l, const uint8_t *in, size_t len,
                      struct sasae_link_event *ev);

/* Serializes m and seals it into out (cap >= SASAE_CHAN_MAX_RECORD always suffices); the
 * plaintext goes through one buffer of the link, the record straight into the caller's.
 * 0, -EPERM before establishment or once failed, -EINVAL if m does not serialize (*wire_err,
 * if non-NULL, says why), -ENOSPC if cap is too small, -EIO if sealing failed (the channel
 * is then dead). */
int sasae_link_seal(struct sasae_link *l, const struct sasae_wire_msg *m, uint8_t *out, size_t cap,
                    size_t *out_len, enum sasae_wire_err *wire_err);

/* 1 once the handshake completed and the link has not failed. */
bool sasae_link_established(const struct sasae_link *l);
/* The verified peer; NULL before establishment. */
const struct sasae_chan_peer *sasae_link_peer(const struct sasae_link *l);
/* The resume ticket and code of this session (sasae_chan_resume_secrets). */
enum sasae_chan_err sasae_link_resume_secrets(const struct sasae_link *l,
                                              uint8_t ticket[SASAE_CHAN_TICKET_LEN],
                                              char code[SASAE_CHAN_RESUME_CODE_LEN + 1]);

#endif
