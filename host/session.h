/* The host session: one support session from registration to the end, tying the state
 * machine to the secure channel, the wire messages, the capture/encode pipeline, input
 * injection, the overlay and the UI view. Transport-agnostic: the relay connection sits
 * behind struct host_transport, so tests can drive a session without sockets. Private to
 * sasae-host and its tests. */
#ifndef SASAE_HOST_SESSION_H
#define SASAE_HOST_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crl.h"
#include "sasae/chan.h"
#include "sasae/host.h"
#include "ui.h"

/* How the session reaches the viewer. All calls happen with the session lock held and
 * must not call back into the session. */
struct host_transport {
    /* Sends one opaque relay DATA message (copied). 0 or negative errno. */
    int (*send)(void *ctx, const uint8_t *buf, size_t len);
    /* Reports an audit event to the relay (kind: enum sasae_hs_audit). */
    int (*audit)(void *ctx, int kind, const char *text);
    /* Bytes queued and not yet written to the network. */
    size_t (*queued)(void *ctx);
    /* Starts closing the connection (after what is queued); why ("end: signal") goes in the
     * close frame, where the relay's audit log reads it. */
    void (*close)(void *ctx, const char *why);
    /* The code was lost before anyone joined: drop this connection and register again on
     * a new one; the new code arrives through host_session_on_registered. Must only
     * schedule that (called with the session lock held). */
    void (*renew)(void *ctx);
    void *ctx;
};

struct host_session_config {
    const struct sasae_chan_key *device; /* borrowed */
    /* The organisation CA (PEM, borrowed). Operators are checked against it and the CRL the
     * relay hands over (host_session_on_crl); without a current CRL nobody is admitted. */
    const char *org_ca;
    size_t org_ca_len;
    struct sasae_cap_opts cap; /* capture source */
    bool platform_io;          /* the real screen: inject input and show the overlay there */
    const char *display;       /* X display for injection, overlay and sysinfo (Linux) */
    int fps;                   /* capture rate (0 = 30) */
    int bitrate_kbps;          /* initial (0 = 1000) */
    int reconsent_s;           /* ask "Continue sharing?" this often while sharing (0 = never) */
    /* after a relay loss while sharing, resume without a new prompt only within this long
     * (0 = never; at most 60: docs/security.md "Relay loss and re-consent") */
    int resume_window_s;
    /* Files from the operator go by default into this folder (NULL: files are not offered
     * CAP_FILE), each only if the customer accepts it; file_max bytes at most (0 = 100 MiB). */
    const char *download_dir;
    uint64_t file_max;
    uint64_t verify_time; /* certificate and CRL check time, Unix seconds (0 = now; tests) */
    /* The clock of the session's deadlines (consent prompt, silent viewer): NULL = the
     * monotonic clock; tests pass their own to reach a deadline without waiting for it. */
    uint64_t (*clock_ns)(void *user);
    void *clock_user;
    /* Called (from any thread) when the UI should refresh; may be NULL. */
    void (*wake)(void *user);
    void *wake_user;
};

/* Counters for logs, tests and the end-of-session summary. */
struct host_session_stats {
    uint64_t frames_sent, frames_dropped, bytes_sent, video_bytes, keyframes, keepalives;
    uint64_t inputs_injected, inputs_dropped, acks;
    uint64_t last_rtt_us;
    /* clipboard transfers: to and from the customer's clipboard, and refused (no control) */
    uint64_t clip_to_customer, clip_from_customer, clip_refused;
    /* chat messages: from the operator, from the customer, refused (before Allow) */
    uint64_t chat_in, chat_out, chat_refused;
    int bitrate_kbps;
};

struct host_session;

#define HOST_SESSION_CRL_WAIT_NS (15ull * 1000000000ull)

/* NULL on error (err says why: capture source, overlay...). The capture source is opened
 * here so a bad --source fails before anything is shown. */
struct host_session *host_session_new(const struct host_session_config *cfg,
                                      const struct host_transport *tr, char *err, size_t errlen);
/* Stops the pipeline thread, wipes keys and frees. Not from a transport callback. */
void host_session_free(struct host_session *s);

/* ---- from the transport (relay client service thread) ---- */
/* The relay issued relay_code (its 7 digits): the session makes the full 12-digit code, with
 * its own secret digits (new ones unless the last join's code did not match) and the check
 * digit. It is shown only once a current CRL is held (fail closed): if none arrives within
 * HOST_SESSION_CRL_WAIT_NS, or the one that does is refused, the session ends with the reason
 * and no code is ever shown. 0, or a negative errno (no code could be made). */
int host_session_on_registered(struct host_session *s, const char *relay_code);
/* A CRL from the relay (DER, possibly empty), after the code and again just before
 * pairing: checked by host_crl_check. The operator is admitted only if the CRL delivered
 * for that pairing was accepted; otherwise the handshake is refused with ALERT
 * ECERT_CRL and the reason shown to the customer. */
void host_session_on_crl(struct host_session *s, const uint8_t *der, size_t len);
void host_session_on_paired(struct host_session *s);
void host_session_on_data(struct host_session *s, const uint8_t *buf, size_t len);
void host_session_on_peer_left(struct host_session *s, const char *why);
void host_session_on_closed(struct host_session *s, const char *why);
/* The relay refused service (busy, out of resources, stopping; why: its text): before a
 * code, the session ends as refused; a waiting host reconnects as after a loss. */
void host_session_on_refused(struct host_session *s, const char *why);
/* The relay expired or burned our code (why: the relay's text). Returns true if the session
 * is getting a new code (it was waiting: transport renew() was called), false if it ended
 * as on_closed does (the code was already used, or no code was live). */
bool host_session_on_code_lost(struct host_session *s, enum sasae_hs_renew reason, const char *why);
/* How long to wait before opening the new connection a renewal asked for (backoff while the
 * relay is unreachable; sasae_hs_renew_delay_ns). */
uint64_t host_session_renew_delay_ns(struct host_session *s);

/* While the session waits to resume after a relay loss (RESUMING): true and the ticket to
 * present on the new connection (sasae_relayclient_config.resume_ticket); else false. */
bool host_session_resume_ticket(struct host_session *s, uint8_t ticket[SASAE_CHAN_TICKET_LEN]);

/* ---- from the UI thread ---- */
void host_session_answer(struct host_session *s, enum host_ui_answer a);
/* The customer's answer to the file offer shown (host_view.file): accept into dir (NULL or ""
 * = the default folder), or decline. Ignored if no offer is waiting. */
void host_session_file_answer(struct host_session *s, bool accept, const char *dir);
/* Screen rectangles (x, y, w, h each; at most SASAE_OVERLAY_MAX_KEEPOUT) of the customer's
 * own windows (session bar, prompts) that the annotation overlay must never cover. */
void host_session_keepout(struct host_session *s, const int *xywh, int n);
/* The customer's chat message (UTF-8, 1..HOST_CHAT_MAX bytes). 0 when sent; -EPERM while
 * not sharing, -EINVAL if empty, too long or not UTF-8, or the channel's error. */
int host_session_chat(struct host_session *s, const char *text, size_t len);
/* SIGINT/SIGTERM: same as End, reason "signal". Safe from the main loop (not a handler). */
void host_session_signal(struct host_session *s);
/* After the end: the close reason for the relay connection ("end: operator", "" if none
 * yet) copied to why; true while the host still leaves the viewer to close first. */
bool host_session_close_pending(struct host_session *s, char *why, size_t cap);
/* Checks deadlines (consent timeout, silent viewer); call a few times a second. */
void host_session_tick(struct host_session *s);
/* Snapshot of what the UI shows. */
void host_session_view(struct host_session *s, struct host_view *v);
bool host_session_ended(struct host_session *s);
void host_session_stats(struct host_session *s, struct host_session_stats *st);

#endif
