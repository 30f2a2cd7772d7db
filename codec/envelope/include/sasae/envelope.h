/* sasae relay envelope (wire layer 2): the type byte + body carried in each websocket
 * binary message between a client (host or viewer) and sasae-relay. Pure parse and
 * serialize over buffers: no I/O, no allocation, no globals. Byte format: docs/envelope.md. */
#ifndef SASAE_ENVELOPE_H
#define SASAE_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

/* Envelope protocol version carried in REGISTER and JOIN. */
#define SASAE_ENV_VERSION 1
/* Websocket subprotocol name. */
#define SASAE_ENV_SUBPROTOCOL "sasae.v1"
/* Support code: 9 ASCII digits (shown to people as "123 456 789"). */
#define SASAE_ENV_CODE_LEN 7 /* the relay's part of the support code */
/* Longest text field (ERROR, PEER_LEFT, AUDIT, PEER_JOINED names), in bytes. */
#define SASAE_ENV_TEXT_MAX 255
/* Largest DATA body; a whole websocket message is at most 1 + this. */
#define SASAE_ENV_DATA_MAX (1048576 + 64)
#define SASAE_ENV_MSG_MAX (1 + SASAE_ENV_DATA_MAX)
/* Largest control (non-DATA) message, including the type byte. */
#define SASAE_ENV_CONTROL_MAX 1024
/* Largest CRL body (DER). CRL is the one relay -> host message above CONTROL_MAX; the relay
 * sends it in websocket fragments of at most CONTROL_MAX bytes. */
#define SASAE_ENV_CRL_MAX 262144

enum sasae_env_type {
    SASAE_ENV_REGISTER = 0x01,    /* host -> relay: u16 version */
    SASAE_ENV_CODE = 0x02,        /* relay -> host: 7 digits, u32 seconds valid */
    SASAE_ENV_JOIN = 0x03,        /* viewer -> relay: u16 version, 7 digits */
    SASAE_ENV_PEER_JOINED = 0x04, /* relay -> both: operator name, organisation */
    SASAE_ENV_PEER_LEFT = 0x05,   /* relay -> remaining peer: u8 reason, text */
    SASAE_ENV_ERROR = 0x06,       /* relay -> client: u16 code, text; then close */
    SASAE_ENV_AUDIT = 0x07,       /* host -> relay: u8 kind, text */
    SASAE_ENV_CRL_REQUEST = 0x08, /* host -> relay: u16 version; CRL now and at pairing */
    SASAE_ENV_CRL = 0x09,         /* relay -> host: the organisation's CRL, DER (may be empty) */
    /* host or viewer -> relay, instead of REGISTER/JOIN after a relay loss: u16 version, u8
     * role (1 host, 2 viewer), 32-byte resume ticket; the relay pairs the two presentations
     * of one ticket (PEER_JOINED) within 60 s, once (docs/protocol.md "Resume") */
    SASAE_ENV_RESUME = 0x0A,
    SASAE_ENV_DATA = 0x10, /* both ways, opaque, forwarded as is */
};

/* Errors of this module (0 is success; all errors are negative). */
enum sasae_env_err {
    SASAE_ENV_OK = 0,
    SASAE_ENV_E_EMPTY = -1,    /* zero-length message */
    SASAE_ENV_E_TYPE = -2,     /* unknown type byte */
    SASAE_ENV_E_SHORT = -3,    /* body shorter than its type needs */
    SASAE_ENV_E_TRAILING = -4, /* bytes after the last field */
    SASAE_ENV_E_DIGITS = -5,   /* support code not 9 ASCII digits */
    SASAE_ENV_E_TEXT = -6,     /* text not UTF-8, has control characters, or too long */
    SASAE_ENV_E_TOO_BIG = -7,  /* DATA body over SASAE_ENV_DATA_MAX */
    SASAE_ENV_E_VALUE = -8,    /* enum field (reason, kind, error code) out of range */
    SASAE_ENV_E_BUFFER = -9,   /* output buffer too small */
    SASAE_ENV_E_ARG = -10,     /* NULL pointer or invalid argument */
};

/* Why the relay tells the remaining peer that the other one left (PEER_LEFT). */
enum sasae_env_left_reason {
    SASAE_ENV_LEFT_CLOSED = 1,   /* the peer closed its connection normally */
    SASAE_ENV_LEFT_LOST = 2,     /* the peer's connection broke (no close) */
    SASAE_ENV_LEFT_TIMEOUT = 3,  /* the peer stopped answering pings / idle limit */
    SASAE_ENV_LEFT_STUCK = 4,    /* the peer did not read its data in time */
    SASAE_ENV_LEFT_ERROR = 5,    /* the peer broke the protocol or a limit */
    SASAE_ENV_LEFT_SHUTDOWN = 6, /* the relay is shutting down */
};
#define SASAE_ENV_LEFT_MAX SASAE_ENV_LEFT_SHUTDOWN

/* ERROR codes: why the relay refuses a request or closes the connection. */
enum sasae_env_error_code {
    SASAE_ENV_ERR_PROTOCOL = 1,     /* malformed/unknown message or wrong state */
    SASAE_ENV_ERR_VERSION = 2,      /* unsupported envelope version */
    SASAE_ENV_ERR_BAD_CODE = 3,     /* code unknown, expired, used, burned or wrong */
    SASAE_ENV_ERR_RATE = 4,         /* too many joins or connections from this address */
    SASAE_ENV_ERR_NOT_OPERATOR = 5, /* JOIN without a verified operator certificate */
    SASAE_ENV_ERR_FULL = 6,         /* relay at its session limit */
    SASAE_ENV_ERR_TOO_BIG = 7,      /* message over the size limit */
    SASAE_ENV_ERR_UNPAIRED = 8,     /* nobody joined in time / code expired */
    SASAE_ENV_ERR_IDLE = 9,         /* idle timeout */
    SASAE_ENV_ERR_STUCK = 10,       /* this client did not read its data in time */
    SASAE_ENV_ERR_SHUTDOWN = 11,    /* relay shutting down */
    SASAE_ENV_ERR_INTERNAL = 12,    /* relay out of resources */
    SASAE_ENV_ERR_BURNED = 13,      /* to the waiting host: code burned after 5 failed joins */
};
#define SASAE_ENV_ERR_MAX SASAE_ENV_ERR_BURNED

/* AUDIT event kinds the host reports (the relay cannot see inside the session). */
enum sasae_env_audit_kind {
    SASAE_ENV_AUDIT_HANDSHAKE_DONE = 1,
    SASAE_ENV_AUDIT_HANDSHAKE_FAILED = 2,
    SASAE_ENV_AUDIT_CONSENT_ALLOWED = 3,
    SASAE_ENV_AUDIT_CONSENT_DENIED = 4,
    SASAE_ENV_AUDIT_CONSENT_TIMEOUT = 5,
    SASAE_ENV_AUDIT_CONTROL_ALLOWED = 6,
    SASAE_ENV_AUDIT_CONTROL_DENIED = 7,
    SASAE_ENV_AUDIT_CONTROL_REVOKED = 8,
    SASAE_ENV_AUDIT_END = 9, /* text: who ended and why */
};
#define SASAE_ENV_AUDIT_MAX SASAE_ENV_AUDIT_END

#define SASAE_ENV_TICKET_LEN 32 /* RESUME */
enum sasae_env_resume_role { SASAE_ENV_RESUME_HOST = 1, SASAE_ENV_RESUME_VIEWER = 2 };

/* One decoded message. Text fields are NUL-terminated copies; data points into the
 * buffer given to sasae_env_parse (valid as long as that buffer). Only the fields of
 * `type` are meaningful. */
struct sasae_env_msg {
    enum sasae_env_type type;
    uint16_t version;                  /* REGISTER, JOIN, CRL_REQUEST, RESUME */
    char code[SASAE_ENV_CODE_LEN + 1]; /* CODE, JOIN */
    uint32_t valid_secs;               /* CODE */
    uint8_t reason; /* PEER_LEFT (left_reason), AUDIT (audit_kind), RESUME (resume_role) */
    uint8_t ticket[SASAE_ENV_TICKET_LEN]; /* RESUME */
    uint16_t error_code;                  /* ERROR */
    char text[SASAE_ENV_TEXT_MAX + 1];    /* PEER_LEFT, ERROR, AUDIT, PEER_JOINED (operator) */
    char org[SASAE_ENV_TEXT_MAX + 1];     /* PEER_JOINED (organisation) */
    const uint8_t *data;                  /* DATA body, CRL (DER) */
    size_t data_len;
};

/* Decodes one complete message. Returns SASAE_ENV_OK or a negative sasae_env_err; on
 * error *out is unspecified. Never reads outside buf[0..len). */
int sasae_env_parse(const uint8_t *buf, size_t len, struct sasae_env_msg *out);

/* Encodes m into buf (capacity cap); *out_len gets the byte count. Validates like the
 * parser (a message this writes always parses back). Returns 0 or a negative
 * sasae_env_err (SASAE_ENV_E_BUFFER if cap is too small). */
int sasae_env_serialize(const struct sasae_env_msg *m, uint8_t *buf, size_t cap, size_t *out_len);

/* Size sasae_env_serialize needs for m, or a negative sasae_env_err if m is invalid. */
long sasae_env_size(const struct sasae_env_msg *m);

/* 1 if type is a known envelope type byte, else 0. */
int sasae_env_type_known(uint8_t type);

/* 1 if s is exactly 9 ASCII digits followed by NUL, else 0. */
int sasae_env_code_valid(const char *s);

/* 1 if buf[0..len) is UTF-8 without C0/DEL control characters and len is at most
 * SASAE_ENV_TEXT_MAX, else 0. */
int sasae_env_text_valid(const uint8_t *buf, size_t len);

/* Static English strings for logs and UIs ("unknown" for values out of range). */
const char *sasae_env_strerror(int err);
const char *sasae_env_type_str(uint8_t type);
const char *sasae_env_left_str(uint8_t reason);
const char *sasae_env_error_code_str(uint16_t code);
const char *sasae_env_audit_str(uint8_t kind); /* e.g. "consent-allowed" */

#endif
