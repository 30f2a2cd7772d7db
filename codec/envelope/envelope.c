/* sasae relay envelope: parse and serialize the type byte + body messages (layer 2). */
#include "sasae/envelope.h"

#include <string.h>

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

int sasae_env_type_known(uint8_t type)
{
    return (type >= SASAE_ENV_REGISTER && type <= SASAE_ENV_RESUME) || type == SASAE_ENV_DATA;
}

static int digits_valid(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

int sasae_env_code_valid(const char *s)
{
    if (!s || strnlen(s, SASAE_ENV_CODE_LEN + 1) != SASAE_ENV_CODE_LEN)
        return 0;
    return digits_valid((const uint8_t *)s, SASAE_ENV_CODE_LEN);
}

/* Strict UTF-8 (no overlongs, no surrogates, <= U+10FFFF) without control characters:
 * text ends up in logs, JSON and dialogs, where control bytes only cause harm. */
int sasae_env_text_valid(const uint8_t *p, size_t n)
{
    if (n > SASAE_ENV_TEXT_MAX || (n && !p))
        return 0;
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return 0;
            i++;
            continue;
        }
        size_t need;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i - 1 < need)
            return 0;
        for (size_t k = 1; k <= need; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
            return 0;
        i += need + 1;
    }
    return 1;
}

/* Reads a u8-length-prefixed text field at *pos into dst (NUL-terminated). */
static int rd_text(const uint8_t *buf, size_t len, size_t *pos, char *dst)
{
    if (*pos >= len)
        return SASAE_ENV_E_SHORT;
    size_t n = buf[*pos];
    if (len - *pos - 1 < n)
        return SASAE_ENV_E_SHORT;
    if (!sasae_env_text_valid(buf + *pos + 1, n))
        return SASAE_ENV_E_TEXT;
    memcpy(dst, buf + *pos + 1, n);
    dst[n] = '\0';
    *pos += 1 + n;
    return 0;
}

int sasae_env_parse(const uint8_t *buf, size_t len, struct sasae_env_msg *out)
{
    if (!out || (!buf && len))
        return SASAE_ENV_E_ARG;
    if (len == 0)
        return SASAE_ENV_E_EMPTY;
    memset(out, 0, sizeof(*out));
    uint8_t t = buf[0];
    if (!sasae_env_type_known(t))
        return SASAE_ENV_E_TYPE;
    out->type = (enum sasae_env_type)t;
    size_t pos = 1;
    int rc;

    switch (t) {
    case SASAE_ENV_DATA:
        if (len - 1 > SASAE_ENV_DATA_MAX)
            return SASAE_ENV_E_TOO_BIG;
        out->data = buf + 1;
        out->data_len = len - 1;
        return SASAE_ENV_OK;
    case SASAE_ENV_CRL:
        /* opaque to the envelope: the host checks the CA's signature itself */
        if (len - 1 > SASAE_ENV_CRL_MAX)
            return SASAE_ENV_E_TOO_BIG;
        out->data = buf + 1;
        out->data_len = len - 1;
        return SASAE_ENV_OK;
    case SASAE_ENV_REGISTER:
    case SASAE_ENV_CRL_REQUEST:
        if (len < 3)
            return SASAE_ENV_E_SHORT;
        out->version = rd16(buf + 1);
        pos = 3;
        break;
    case SASAE_ENV_CODE:
        if (len < 1 + SASAE_ENV_CODE_LEN + 4)
            return SASAE_ENV_E_SHORT;
        if (!digits_valid(buf + 1, SASAE_ENV_CODE_LEN))
            return SASAE_ENV_E_DIGITS;
        memcpy(out->code, buf + 1, SASAE_ENV_CODE_LEN);
        out->valid_secs = rd32(buf + 1 + SASAE_ENV_CODE_LEN);
        pos = 1 + SASAE_ENV_CODE_LEN + 4;
        break;
    case SASAE_ENV_JOIN:
        if (len < 3 + SASAE_ENV_CODE_LEN)
            return SASAE_ENV_E_SHORT;
        out->version = rd16(buf + 1);
        if (!digits_valid(buf + 3, SASAE_ENV_CODE_LEN))
            return SASAE_ENV_E_DIGITS;
        memcpy(out->code, buf + 3, SASAE_ENV_CODE_LEN);
        pos = 3 + SASAE_ENV_CODE_LEN;
        break;
    case SASAE_ENV_RESUME:
        if (len < 4 + SASAE_ENV_TICKET_LEN)
            return SASAE_ENV_E_SHORT;
        out->version = rd16(buf + 1);
        out->reason = buf[3];
        if (out->reason != SASAE_ENV_RESUME_HOST && out->reason != SASAE_ENV_RESUME_VIEWER)
            return SASAE_ENV_E_VALUE;
        memcpy(out->ticket, buf + 4, SASAE_ENV_TICKET_LEN);
        pos = 4 + SASAE_ENV_TICKET_LEN;
        break;
    case SASAE_ENV_PEER_JOINED:
        if ((rc = rd_text(buf, len, &pos, out->text)))
            return rc;
        if ((rc = rd_text(buf, len, &pos, out->org)))
            return rc;
        break;
    case SASAE_ENV_PEER_LEFT:
    case SASAE_ENV_AUDIT:
        if (len < 2)
            return SASAE_ENV_E_SHORT;
        out->reason = buf[1];
        if (out->reason < 1 ||
            out->reason > (t == SASAE_ENV_AUDIT ? SASAE_ENV_AUDIT_MAX : SASAE_ENV_LEFT_MAX))
            return SASAE_ENV_E_VALUE;
        pos = 2;
        if ((rc = rd_text(buf, len, &pos, out->text)))
            return rc;
        break;
    case SASAE_ENV_ERROR:
        if (len < 3)
            return SASAE_ENV_E_SHORT;
        out->error_code = rd16(buf + 1);
        if (out->error_code < 1 || out->error_code > SASAE_ENV_ERR_MAX)
            return SASAE_ENV_E_VALUE;
        pos = 3;
        if ((rc = rd_text(buf, len, &pos, out->text)))
            return rc;
        break;
    }
    if (pos != len)
        return SASAE_ENV_E_TRAILING;
    return SASAE_ENV_OK;
}

static int text_len(const char *s, size_t *n)
{
    if (!s)
        return SASAE_ENV_E_ARG;
    *n = strnlen(s, SASAE_ENV_TEXT_MAX + 1);
    if (!sasae_env_text_valid((const uint8_t *)s, *n))
        return SASAE_ENV_E_TEXT;
    return 0;
}

long sasae_env_size(const struct sasae_env_msg *m)
{
    size_t a, b;
    int rc;
    if (!m)
        return SASAE_ENV_E_ARG;
    switch (m->type) {
    case SASAE_ENV_REGISTER:
    case SASAE_ENV_CRL_REQUEST:
        return 3;
    case SASAE_ENV_CRL:
        if (m->data_len > SASAE_ENV_CRL_MAX)
            return SASAE_ENV_E_TOO_BIG;
        if (m->data_len && !m->data)
            return SASAE_ENV_E_ARG;
        return (long)(1 + m->data_len);
    case SASAE_ENV_CODE:
        return sasae_env_code_valid(m->code) ? 1 + SASAE_ENV_CODE_LEN + 4 : SASAE_ENV_E_DIGITS;
    case SASAE_ENV_JOIN:
        return sasae_env_code_valid(m->code) ? 3 + SASAE_ENV_CODE_LEN : SASAE_ENV_E_DIGITS;
    case SASAE_ENV_RESUME:
        if (m->reason != SASAE_ENV_RESUME_HOST && m->reason != SASAE_ENV_RESUME_VIEWER)
            return SASAE_ENV_E_VALUE;
        return 4 + SASAE_ENV_TICKET_LEN;
    case SASAE_ENV_PEER_JOINED:
        if ((rc = text_len(m->text, &a)) || (rc = text_len(m->org, &b)))
            return rc;
        return (long)(3 + a + b);
    case SASAE_ENV_PEER_LEFT:
    case SASAE_ENV_AUDIT:
        if (m->reason < 1 ||
            m->reason > (m->type == SASAE_ENV_AUDIT ? SASAE_ENV_AUDIT_MAX : SASAE_ENV_LEFT_MAX))
            return SASAE_ENV_E_VALUE;
        if ((rc = text_len(m->text, &a)))
            return rc;
        return (long)(3 + a);
    case SASAE_ENV_ERROR:
        if (m->error_code < 1 || m->error_code > SASAE_ENV_ERR_MAX)
            return SASAE_ENV_E_VALUE;
        if ((rc = text_len(m->text, &a)))
            return rc;
        return (long)(4 + a);
    case SASAE_ENV_DATA:
        if (m->data_len > SASAE_ENV_DATA_MAX)
            return SASAE_ENV_E_TOO_BIG;
        if (m->data_len && !m->data)
            return SASAE_ENV_E_ARG;
        return (long)(1 + m->data_len);
    }
    return SASAE_ENV_E_TYPE;
}

static size_t wr_text(uint8_t *p, const char *s)
{
    size_t n = strlen(s);
    p[0] = (uint8_t)n;
    memcpy(p + 1, s, n);
    return 1 + n;
}

int sasae_env_serialize(const struct sasae_env_msg *m, uint8_t *buf, size_t cap, size_t *out_len)
{
    if (!m || !buf || !out_len)
        return SASAE_ENV_E_ARG;
    long need = sasae_env_size(m);
    if (need < 0)
        return (int)need;
    if ((size_t)need > cap)
        return SASAE_ENV_E_BUFFER;
    uint8_t *p = buf;
    *p++ = (uint8_t)m->type;
    switch (m->type) {
    case SASAE_ENV_REGISTER:
    case SASAE_ENV_CRL_REQUEST:
        wr16(p, m->version);
        break;
    case SASAE_ENV_CODE:
        memcpy(p, m->code, SASAE_ENV_CODE_LEN);
        wr32(p + SASAE_ENV_CODE_LEN, m->valid_secs);
        break;
    case SASAE_ENV_JOIN:
        wr16(p, m->version);
        memcpy(p + 2, m->code, SASAE_ENV_CODE_LEN);
        break;
    case SASAE_ENV_RESUME:
        wr16(p, m->version);
        p[2] = m->reason;
        memcpy(p + 3, m->ticket, SASAE_ENV_TICKET_LEN);
        break;
    case SASAE_ENV_PEER_JOINED:
        p += wr_text(p, m->text);
        wr_text(p, m->org);
        break;
    case SASAE_ENV_PEER_LEFT:
    case SASAE_ENV_AUDIT:
        *p++ = m->reason;
        wr_text(p, m->text);
        break;
    case SASAE_ENV_ERROR:
        wr16(p, m->error_code);
        wr_text(p + 2, m->text);
        break;
    case SASAE_ENV_DATA:
    case SASAE_ENV_CRL:
        if (m->data_len)
            memmove(p, m->data, m->data_len);
        break;
    }
    *out_len = (size_t)need;
    return SASAE_ENV_OK;
}

const char *sasae_env_strerror(int err)
{
    switch (err) {
    case SASAE_ENV_OK:
        return "ok";
    case SASAE_ENV_E_EMPTY:
        return "empty message";
    case SASAE_ENV_E_TYPE:
        return "unknown message type";
    case SASAE_ENV_E_SHORT:
        return "message too short";
    case SASAE_ENV_E_TRAILING:
        return "trailing bytes after message";
    case SASAE_ENV_E_DIGITS:
        return "support code is not 7 digits";
    case SASAE_ENV_E_TEXT:
        return "text field not valid UTF-8, has control characters or is too long";
    case SASAE_ENV_E_TOO_BIG:
        return "data message too large";
    case SASAE_ENV_E_VALUE:
        return "field value out of range";
    case SASAE_ENV_E_BUFFER:
        return "output buffer too small";
    case SASAE_ENV_E_ARG:
        return "invalid argument";
    }
    return "unknown error";
}

const char *sasae_env_type_str(uint8_t type)
{
    switch (type) {
    case SASAE_ENV_REGISTER:
        return "register";
    case SASAE_ENV_CODE:
        return "code";
    case SASAE_ENV_JOIN:
        return "join";
    case SASAE_ENV_PEER_JOINED:
        return "peer-joined";
    case SASAE_ENV_PEER_LEFT:
        return "peer-left";
    case SASAE_ENV_ERROR:
        return "error";
    case SASAE_ENV_AUDIT:
        return "audit";
    case SASAE_ENV_CRL_REQUEST:
        return "crl-request";
    case SASAE_ENV_CRL:
        return "crl";
    case SASAE_ENV_RESUME:
        return "resume";
    case SASAE_ENV_DATA:
        return "data";
    }
    return "unknown";
}

const char *sasae_env_left_str(uint8_t reason)
{
    static const char *const s[] = {"unknown",
                                    "peer closed the connection",
                                    "peer connection lost",
                                    "peer timed out",
                                    "peer stopped reading (stuck)",
                                    "peer broke the protocol or a limit",
                                    "relay shutting down"};
    return reason <= SASAE_ENV_LEFT_MAX ? s[reason] : s[0];
}

const char *sasae_env_error_code_str(uint16_t code)
{
    static const char *const s[] = {"unknown",
                                    "protocol error",
                                    "unsupported version",
                                    "support code unknown, expired or already used",
                                    "rate limited",
                                    "operator certificate required",
                                    "relay full",
                                    "message too large",
                                    "nobody joined in time",
                                    "idle timeout",
                                    "data not read in time",
                                    "relay shutting down",
                                    "relay internal error",
                                    "code burned after 5 failed joins"};
    return code <= SASAE_ENV_ERR_MAX ? s[code] : s[0];
}

const char *sasae_env_audit_str(uint8_t kind)
{
    static const char *const s[] = {"unknown",          "handshake-done",
                                    "handshake-failed", "consent-allowed",
                                    "consent-denied",   "consent-timeout",
                                    "control-allowed",  "control-denied",
                                    "control-revoked",  "end"};
    return kind <= SASAE_ENV_AUDIT_MAX ? s[kind] : s[0];
}
