/* sasae relay client: the wss:// connection to sasae-relay that sasae-host and
 * sasae-viewer share (register or join, then exchange opaque DATA messages).
 *
 * Threading rules:
 * - sasae_relayclient_new() starts one service thread that owns the connection. Every
 *   callback runs on that thread, one at a time; keep them short (copy and hand off).
 * - sasae_relayclient_send_data(), _send_audit(), _queued_bytes() and _close() are
 *   thread-safe and may be called from any thread, including from a callback.
 * - sasae_relayclient_free() must NOT be called from a callback; it stops and joins the
 *   service thread, after which no callback runs.
 * Security: the relay certificate is always verified, against ca_file or a pinned
 * SHA-256 of its public key; there is no way to skip verification. TLS 1.3 with
 * TLS_AES_256_GCM_SHA384 (TLS 1.2 only ECDHE AES-256-GCM). */
#ifndef SASAE_RELAYCLIENT_H
#define SASAE_RELAYCLIENT_H

#include <stddef.h>
#include <stdint.h>

struct sasae_relayclient;

enum sasae_relayclient_role {
    SASAE_RELAYCLIENT_HOST = 1,   /* sends REGISTER, receives a support code */
    SASAE_RELAYCLIENT_VIEWER = 2, /* sends JOIN with a code (needs an operator cert) */
};

struct sasae_relayclient_config {
    const char *url; /* "wss://host:port/" (path optional); required */
    enum sasae_relayclient_role role;
    const char *code; /* viewer: the 9-digit code (spaces and dashes are ignored) */
    /* Both, after a relay loss: present this resume ticket (SASAE_ENV_TICKET_LEN bytes,
     * copied; from sasae_chan_resume_secrets) instead of registering or joining; the relay
     * pairs it with the other side's (paired() as usual). A host gets no code. */
    const uint8_t *resume_ticket;
    /* Relay verification: at least one of ca_file (or ca_pem) / pin_sha256 is required. With a pin,
     * the relay's leaf public key (SubjectPublicKeyInfo DER) must hash to it and the CA
     * chain and hostname are not consulted; otherwise chain + hostname are verified
     * against ca_file only (system CAs are not used). */
    const char *ca_file; /* PEM CA bundle */
    /* ...or the bundle itself (copied), e.g. the CA branded into a Windows host; used
     * instead of ca_file when set. Every certificate in it is trusted, nothing else. */
    const char *ca_pem;
    size_t ca_pem_len;
    const char *pin_sha256; /* 64 hex digits (colons allowed) */
    /* Operator TLS client certificate (viewer): PEM files, or NULL. */
    const char *cert_file;
    const char *key_file;
    /* HTTP CONNECT proxy: "http://[user:pass@]host:port". NULL: use $https_proxy or
     * $HTTPS_PROXY if use_env_proxy is set. "" : never use a proxy. */
    const char *proxy;
    int use_env_proxy;
    /* Reconnect before pairing: at most this many attempts after the first (0: none),
     * backoff 0.5 s doubling to 8 s. A paired session that loses its connection ends. */
    unsigned reconnect_attempts;
    unsigned connect_timeout_s; /* per attempt, TCP + proxy + TLS + upgrade; 0: 20 s */
};

/* Why the connection ended (closed callback). */
enum sasae_relayclient_end {
    SASAE_RELAYCLIENT_END_LOCAL = 1,       /* sasae_relayclient_close() was called */
    SASAE_RELAYCLIENT_END_PEER_LEFT = 2,   /* paired peer left (after peer_left) */
    SASAE_RELAYCLIENT_END_RELAY_ERROR = 3, /* relay sent ERROR (code in error_code) */
    SASAE_RELAYCLIENT_END_CONNECT = 4,     /* could not connect (TLS, proxy, refused...) */
    SASAE_RELAYCLIENT_END_LOST = 5,        /* connection dropped */
    SASAE_RELAYCLIENT_END_PROTOCOL = 6,    /* relay sent something malformed */
};

/* All callbacks are optional and run on the service thread. */
struct sasae_relayclient_callbacks {
    /* Host: the relay issued `code` (9 digits + NUL), valid for valid_secs seconds. */
    void (*registered)(void *user, const char *code, uint32_t valid_secs);
    /* Both: the peer is there. On the host, operator/org are the relay-verified operator
     * certificate's CN and O (display/audit only: the end-to-end handshake is what
     * proves identity); on the viewer they are empty strings. */
    void (*paired)(void *user, const char *operator_name, const char *org);
    /* A complete DATA message body (len <= SASAE_ENV_DATA_MAX). Borrowed for the call. */
    void (*data)(void *user, const uint8_t *body, size_t len);
    /* The peer left; reason is an enum sasae_env_left_reason. closed() follows. */
    void (*peer_left)(void *user, int reason, const char *text);
    /* The connection is over for good (no more callbacks except none). end is an
     * enum sasae_relayclient_end; error_code the relay's ERROR code or 0; text a
     * human-readable reason. */
    void (*closed)(void *user, int end, int error_code, const char *text);
    /* Host, optional: when set, the client asks the relay for the organisation's CRL right
     * after REGISTER (CRL_REQUEST) and hands over each CRL the relay sends: one after the
     * code, and a fresh one just before paired(). der is the relay's copy, unchecked and
     * possibly empty (len 0: the relay has none); the caller verifies it. Borrowed. */
    void (*crl)(void *user, const uint8_t *der, size_t len);
};

/* Creates the client and starts connecting on its own service thread. cfg strings are
 * copied. Returns 0 and *out, or -EINVAL (bad config: no url/verification, bad code,
 * bad pin), -ENOMEM, or another negative errno. */
int sasae_relayclient_new(const struct sasae_relayclient_config *cfg,
                          const struct sasae_relayclient_callbacks *cb, void *user,
                          struct sasae_relayclient **out);

/* Queues one DATA message (body copied). Returns 0, -EMSGSIZE (len over
 * SASAE_ENV_DATA_MAX), -ENOTCONN (not paired yet or already closed), -ENOMEM. */
int sasae_relayclient_send_data(struct sasae_relayclient *c, const void *body, size_t len);

/* Queues an AUDIT event for the relay's audit log (host): kind is an enum
 * sasae_env_audit_kind, text at most SASAE_ENV_TEXT_MAX bytes of UTF-8. Returns 0,
 * -EINVAL, -ENOTCONN, -ENOMEM. */
int sasae_relayclient_send_audit(struct sasae_relayclient *c, int kind, const char *text);

/* Bytes queued and not yet handed to the kernel (the host paces video on this). */
size_t sasae_relayclient_queued_bytes(const struct sasae_relayclient *c);

/* Starts a graceful close: queued messages are sent first, then the websocket is
 * closed; closed() follows with END_LOCAL. Safe to call more than once. */
void sasae_relayclient_close(struct sasae_relayclient *c);

/* The same, with why the session ended in the websocket close frame ("end: signal"; at most
 * 60 printable ASCII characters, the rest cut). The relay cannot read the END record: this
 * is what its audit log records as the reason. The first call's reason counts. */
void sasae_relayclient_close_why(struct sasae_relayclient *c, const char *why);

/* Closes at once (if still open), joins the service thread and frees everything.
 * NULL is ignored. Not from a callback. */
void sasae_relayclient_free(struct sasae_relayclient *c);

/* Static English text for an enum sasae_relayclient_end value. */
const char *sasae_relayclient_end_str(int end);

#endif
