/* sasae chan: the end-to-end secure channel between viewer (initiator) and host (responder):
 * signed X25519 handshake bound to the support code by SPAKE2, then AES-256-GCM records. A pure
 * state machine over buffers; the caller moves each output buffer as one opaque relay DATA message.
 * See docs/protocol.md. */
#ifndef SASAE_CHAN_H
#define SASAE_CHAN_H

#include <stddef.h>
#include <stdint.h>

#define SASAE_CHAN_VERSION 2
#define SASAE_CHAN_MAX_PLAINTEXT (256 * 1024) /* per record */
#define SASAE_CHAN_RECORD_OVERHEAD 17         /* type byte + 16-byte GCM tag */
#define SASAE_CHAN_MAX_RECORD (SASAE_CHAN_MAX_PLAINTEXT + SASAE_CHAN_RECORD_OVERHEAD)
#define SASAE_CHAN_MAX_HANDSHAKE 8192       /* largest handshake message either side sends */
#define SASAE_CHAN_DEFAULT_REKEY (1u << 20) /* records per key, per direction */
#define SASAE_CHAN_FPR_LEN 88               /* "SHA256:" + 16 groups of 4 hex + NUL */
#define SASAE_CHAN_NAME_MAX 256
#define SASAE_CHAN_TICKET_LEN 32      /* resume ticket id (docs/security.md "Relay loss") */
#define SASAE_CHAN_RESUME_CODE_LEN 32 /* resume code: hex, used as the next handshake's code */
/* Extended key usage every operator certificate carries, beside clientAuth. */
#define SASAE_CHAN_OPERATOR_OID "2.25.180043282146787509957304164653088530003"

/* Values travel in ALERT messages (docs/protocol.md): append only, never renumber. */
enum sasae_chan_err {
    SASAE_CHAN_OK = 0,
    SASAE_CHAN_EARG,     /* bad argument or call in the wrong state */
    SASAE_CHAN_ENOSPACE, /* output buffer too small (channel not harmed) */
    SASAE_CHAN_ENOMEM,
    SASAE_CHAN_ECRYPTO,         /* an OpenSSL primitive failed */
    SASAE_CHAN_EKEY,            /* key or certificate PEM unreadable / wrong key type */
    SASAE_CHAN_EMALFORMED,      /* handshake message malformed or unexpected */
    SASAE_CHAN_EVERSION,        /* peer speaks an unsupported version or suite */
    SASAE_CHAN_ESIGNATURE,      /* transcript signature invalid (tampering, key swap) */
    SASAE_CHAN_EFINISHED,       /* handshake confirmation invalid (tampering, key swap) */
    SASAE_CHAN_ECERT_UNTRUSTED, /* operator certificate does not chain to the trusted CA */
    SASAE_CHAN_ECERT_EXPIRED,   /* operator or CA certificate expired */
    SASAE_CHAN_ECERT_NOT_YET_VALID,
    SASAE_CHAN_ECERT_REVOKED, /* listed in the CRL */
    SASAE_CHAN_ECERT_CRL,     /* CRL unusable: bad signature, expired, wrong issuer */
    SASAE_CHAN_ECERT_PURPOSE, /* not an operator certificate (key type, EKU, CA flag) */
    SASAE_CHAN_ECERT_INVALID, /* other certificate verification failure */
    SASAE_CHAN_ERECORD,       /* record failed authentication: altered, replayed, reordered,
                                 truncated, duplicated or from another session */
    SASAE_CHAN_EREKEY,        /* record counter limit reached without a key update */
    SASAE_CHAN_EDEAD,         /* channel failed earlier; it refuses all further use */
    SASAE_CHAN_EPEER,         /* the peer refused the handshake with an ALERT; see
                                 sasae_chan_peer_error() for its reason */
    SASAE_CHAN_ECODE,         /* the two sides used different support codes (the SPAKE2
                                 keys differ): a mistyped code, or not the customer's PC */
};
#define SASAE_CHAN_ERR_LAST SASAE_CHAN_ECODE

/* Static English description, e.g. "operator certificate has been revoked"; never NULL. */
const char *sasae_chan_strerror(enum sasae_chan_err err);

/* ---- Ed25519 keys (host device key) -------------------------------------------------- */
struct sasae_chan_key;

/* New random Ed25519 key. NULL on failure. */
struct sasae_chan_key *sasae_chan_key_generate(void);
/* Loads an Ed25519 private key from PKCS#8 PEM (len bytes; NUL not needed). NULL if the
 * PEM is unreadable or not Ed25519. */
struct sasae_chan_key *sasae_chan_key_from_pem(const char *pem, size_t len);
/* Writes the private key as unencrypted PKCS#8 PEM into a new malloc'd NUL-terminated
 * string (*pem, caller frees with sasae_chan_pem_free). The caller stores it mode 0600. */
enum sasae_chan_err sasae_chan_key_to_pem(const struct sasae_chan_key *k, char **pem, size_t *len);
/* Cleanses and frees a PEM string from _key_to_pem. NULL-safe. */
void sasae_chan_pem_free(char *pem, size_t len);
/* Human fingerprint of the public key: "SHA256:" then SHA-256 of the raw 32-byte public
 * key as 16 space-separated groups of 4 upper-case hex digits. out has FPR_LEN bytes. */
void sasae_chan_key_fingerprint(const struct sasae_chan_key *k, char out[SASAE_CHAN_FPR_LEN]);
void sasae_chan_key_free(struct sasae_chan_key *k); /* cleanses; NULL-safe */

/* ---- Operator credential (viewer) and trust store (host) ----------------------------- */
struct sasae_chan_cred;
/* Operator certificate PEM + its Ed25519 private key PEM; checks that they match. NULL on
 * failure (*err, if non-NULL, says why: EKEY). The certificate itself is checked by the
 * host, not here. */
struct sasae_chan_cred *sasae_chan_cred_new(const char *cert_pem, size_t cert_len,
                                            const char *key_pem, size_t key_len,
                                            enum sasae_chan_err *err);
void sasae_chan_cred_free(struct sasae_chan_cred *c);

struct sasae_chan_trust;
/* Organisation CA certificate(s) PEM, and optionally a CRL PEM (crl_pem NULL = no
 * revocation checking). When a CRL is given it must be valid and signed by the CA or every
 * handshake fails with ECERT_CRL (fail closed). NULL on unreadable input. */
struct sasae_chan_trust *sasae_chan_trust_new(const char *ca_pem, size_t ca_len,
                                              const char *crl_pem, size_t crl_len,
                                              enum sasae_chan_err *err);
void sasae_chan_trust_free(struct sasae_chan_trust *t);

/* ---- Channel ------------------------------------------------------------------------- */
struct sasae_chan_opts {
    uint64_t rekey_after; /* records per key and direction before a key update; 0 = default */
    int64_t verify_time;  /* unix time used to check certificates; 0 = now */
};

/* Verified peer facts, valid once sasae_chan_established() is true. */
struct sasae_chan_peer {
    char operator_name[SASAE_CHAN_NAME_MAX];   /* certificate subject CN */
    char organisation[SASAE_CHAN_NAME_MAX];    /* certificate subject O */
    char serial[80];                           /* certificate serial, upper-case hex */
    char host_fingerprint[SASAE_CHAN_FPR_LEN]; /* host device key, as _key_fingerprint */
    char cert_sha256[65]; /* operator certificate: SHA-256 of its DER, lower-case hex */
};

struct sasae_chan;

/* Viewer side. cred is borrowed and must outlive the channel. code is the support code's
 * password (docs/protocol.md "Code binding": its digits without the check digit, 1..64
 * bytes, copied); both sides must pass the same or the handshake fails with ECODE. opts may
 * be NULL. NULL on failure. */
struct sasae_chan *sasae_chan_new_viewer(const struct sasae_chan_cred *cred, const char *code,
                                         const struct sasae_chan_opts *opts);
/* Host side. device and trust are borrowed and must outlive the channel; code as above. */
struct sasae_chan *sasae_chan_new_host(const struct sasae_chan_key *device,
                                       const struct sasae_chan_trust *trust, const char *code,
                                       const struct sasae_chan_opts *opts);
/* Cleanses every secret and frees. NULL-safe. */
void sasae_chan_free(struct sasae_chan *ch);

/* Viewer only: writes the first handshake message (CLIENT_HELLO) to send. */
enum sasae_chan_err sasae_chan_start(struct sasae_chan *ch, uint8_t *out, size_t cap,
                                     size_t *out_len);
/* Feeds one received handshake message. *out_len is set to the size of the reply to send
 * (0 = nothing to send). Flow: viewer start -> CH; host gets CH -> SH; viewer gets SH ->
 * CLIENT_AUTH; host gets CLIENT_AUTH -> HOST_FINISHED and is established; viewer gets
 * HOST_FINISHED and is established. cap >= SASAE_CHAN_MAX_HANDSHAKE always suffices.
 * Any error except ENOSPACE/EARG kills the channel (later calls return EDEAD); the caller
 * should then send sasae_chan_alert(err) so the peer learns why. An ALERT received here
 * returns EPEER. */
enum sasae_chan_err sasae_chan_handshake(struct sasae_chan *ch, const uint8_t *in, size_t in_len,
                                         uint8_t *out, size_t cap, size_t *out_len);
/* Builds the 2-byte ALERT handshake message telling the peer why this side failed (send
 * it after a failed sasae_chan_handshake so the operator sees e.g. "certificate revoked").
 * It is unauthenticated: it only ever ends a handshake, never starts or alters one. */
enum sasae_chan_err sasae_chan_alert(enum sasae_chan_err reason, uint8_t *out, size_t cap,
                                     size_t *out_len);
/* After EPEER: the reason the peer gave (an enum value; ECERT_INVALID if out of range). */
enum sasae_chan_err sasae_chan_peer_error(const struct sasae_chan *ch);
/* 1 once the handshake has completed on this side and the channel is not dead. */
int sasae_chan_established(const struct sasae_chan *ch);
/* 1 if the channel has failed; it then refuses all use. */
int sasae_chan_dead(const struct sasae_chan *ch);
/* Verified peer facts; NULL before establishment. Owned by ch. The host fingerprint is
 * filled on both sides (the host shows its own for reading out by phone). */
const struct sasae_chan_peer *sasae_chan_peer(const struct sasae_chan *ch);

/* What a session resumed after a relay loss starts from (docs/security.md "Relay loss and
 * re-consent"), once established: the ticket the relay matches the two sides by, and the code
 * the new handshake binds to (SPAKE2, as a support code's password). Both come from this
 * session's initial traffic secrets, so only its two ends can know them; the relay sees the
 * ticket only, which reveals nothing of the code. EARG before establishment. */
enum sasae_chan_err sasae_chan_resume_secrets(const struct sasae_chan *ch,
                                              uint8_t ticket[SASAE_CHAN_TICKET_LEN],
                                              char code[SASAE_CHAN_RESUME_CODE_LEN + 1]);

/* Seals len (<= MAX_PLAINTEXT, may be 0) bytes into one record: out needs
 * len + RECORD_OVERHEAD bytes. Performs a key update automatically when the send counter
 * reaches rekey_after (the record then carries the key-update type). pt and out must not
 * overlap. */
enum sasae_chan_err sasae_chan_seal(struct sasae_chan *ch, const uint8_t *pt, size_t len,
                                    uint8_t *out, size_t cap, size_t *out_len);
/* Opens the next record in sequence into out (cap >= in_len - RECORD_OVERHEAD). Any
 * failure (ERECORD etc.) kills the channel; out is wiped on failure. */
enum sasae_chan_err sasae_chan_open(struct sasae_chan *ch, const uint8_t *rec, size_t len,
                                    uint8_t *out, size_t cap, size_t *out_len);
/* Makes the next sealed record carry a key update regardless of the counter. */
enum sasae_chan_err sasae_chan_request_rekey(struct sasae_chan *ch);
/* Key generation (0 = initial keys) of the send / receive direction: for tests and stats. */
uint32_t sasae_chan_send_epoch(const struct sasae_chan *ch);
uint32_t sasae_chan_recv_epoch(const struct sasae_chan *ch);

/* ---- Key schedule (exposed for known-answer tests; see docs/protocol.md) ------------- */
struct sasae_chan_traffic {
    uint8_t secret[48];
    uint8_t key[32];
    uint8_t iv[12];
};
/* From the X25519 shared secret, the SPAKE2 key Ke and the two transcript hashes (SHA-384
 * of CH||SH and of CH||SH||CLIENT_AUTH) derive the finished keys and both initial traffic
 * secrets. */
enum sasae_chan_err sasae_chan_kdf_schedule(const uint8_t shared[32], const uint8_t pake_ke[16],
                                            const uint8_t th_sh[48], const uint8_t th_ca[48],
                                            uint8_t fin_v[48], uint8_t fin_h[48],
                                            struct sasae_chan_traffic *v2h,
                                            struct sasae_chan_traffic *h2v);
/* Next generation of a traffic secret (key update), with its key and IV. */
enum sasae_chan_err sasae_chan_kdf_update(const struct sasae_chan_traffic *cur,
                                          struct sasae_chan_traffic *next);

/* The resume ticket and code (sasae_chan_resume_secrets) from the initial traffic secrets. */
enum sasae_chan_err sasae_chan_kdf_resume(const struct sasae_chan_traffic *v2h,
                                          const struct sasae_chan_traffic *h2v,
                                          uint8_t ticket[SASAE_CHAN_TICKET_LEN],
                                          char code[SASAE_CHAN_RESUME_CODE_LEN + 1]);

/* Seals one record with explicit traffic keys and sequence number, exactly as
 * sasae_chan_seal does (key_update selects the key-update record type). For KATs only:
 * real senders must use sasae_chan_seal, which keeps the counter. */
enum sasae_chan_err sasae_chan_kat_seal(const struct sasae_chan_traffic *t, uint64_t seq,
                                        int key_update, const uint8_t *pt, size_t len, uint8_t *out,
                                        size_t cap, size_t *out_len);

#endif
