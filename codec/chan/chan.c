/* sasae chan: handshake state machine and AES-256-GCM record layer (docs/protocol.md). */
#include "chan_int.h"

#include "sasae/spake2.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

enum {
    MSG_CLIENT_HELLO = 0x01,
    MSG_SERVER_HELLO = 0x02,
    MSG_CLIENT_AUTH = 0x03,
    MSG_HOST_FINISHED = 0x04,
    MSG_ALERT = 0x05,
    REC_DATA = 0x17,
    REC_DATA_UPDATE = 0x18, /* sender switches to its next key after this record */
};
#define SUITE_V1 0x0001 /* X25519, Ed25519, HKDF-SHA384, AES-256-GCM; SPAKE2-P256 since v2 */
#define OFF_X25519 37   /* in both hellos: type, version, suite, random[32] */
#define OFF_SPAKE2 69   /* then the X25519 key, then the SPAKE2 share */
#define CH_LEN (OFF_SPAKE2 + SASAE_SPAKE2_SHARE_LEN)
#define OFF_HOSTKEY CH_LEN /* SERVER_HELLO: then the host's device key and signature */
#define SH_UNSIGNED (OFF_HOSTKEY + 32)
#define SH_LEN (SH_UNSIGNED + 64)
#define CODE_MAX 64
#define HF_LEN (1 + 48)
#define HARD_LIMIT (1ull << 24) /* records per key: below the GCM bound of RFC 8446 5.5 */

static const char CTX_HOST_SIG[] = "sasae v2 host signature";
static const char CTX_OP_SIG[] = "sasae v2 operator signature";
/* SPAKE2 identities (RFC 9382 A and B): the roles, so a share cannot be reflected. */
static const char ID_VIEWER[] = "sasae viewer";
static const char ID_HOST[] = "sasae host";

enum state { ST_V_INIT, ST_V_SENT_CH, ST_V_SENT_CA, ST_H_WAIT_CH, ST_H_SENT_SH, ST_OPEN, ST_DEAD };

struct dir {
    struct sasae_chan_traffic t;
    uint64_t seq;
    uint32_t epoch;
    EVP_CIPHER_CTX *ctx;
};

struct sasae_chan {
    int is_host;
    enum state st;
    uint64_t rekey_after;
    int64_t verify_time;
    int rekey_requested;
    const struct sasae_chan_cred *cred;
    const struct sasae_chan_key *device;
    const struct sasae_chan_trust *trust;
    EVP_PKEY *eph;
    struct sasae_spake2 *pake; /* until both shares are in */
    uint8_t pake_ke[16];       /* SPAKE2 Ke, mixed into the key schedule */
    uint8_t ch[CH_LEN], sh[SH_LEN];
    EVP_MD_CTX *th; /* running SHA-384 of the transcript */
    uint8_t shared[32], fin_v[48], fin_h[48];
    struct dir send, recv;
    struct sasae_chan_peer peer;
    uint8_t ticket[SASAE_CHAN_TICKET_LEN]; /* resume (sasae_chan_resume_secrets) */
    char resume_code[SASAE_CHAN_RESUME_CODE_LEN + 1];
    enum sasae_chan_err peer_error; /* reason from the peer's ALERT */
};

const char *sasae_chan_strerror(enum sasae_chan_err err)
{
    switch (err) {
    case SASAE_CHAN_OK:
        return "ok";
    case SASAE_CHAN_EARG:
        return "invalid argument or call in wrong state";
    case SASAE_CHAN_ENOSPACE:
        return "output buffer too small";
    case SASAE_CHAN_ENOMEM:
        return "out of memory";
    case SASAE_CHAN_ECRYPTO:
        return "cryptographic operation failed";
    case SASAE_CHAN_EKEY:
        return "key or certificate unreadable or of the wrong type";
    case SASAE_CHAN_EMALFORMED:
        return "malformed or unexpected handshake message";
    case SASAE_CHAN_EVERSION:
        return "peer uses an unsupported protocol version";
    case SASAE_CHAN_ESIGNATURE:
        return "handshake signature invalid (tampering or key substitution)";
    case SASAE_CHAN_EFINISHED:
        return "handshake confirmation invalid (tampering or key substitution)";
    case SASAE_CHAN_ECERT_UNTRUSTED:
        return "operator certificate not issued by the trusted organisation CA";
    case SASAE_CHAN_ECERT_EXPIRED:
        return "operator certificate has expired";
    case SASAE_CHAN_ECERT_NOT_YET_VALID:
        return "operator certificate is not yet valid";
    case SASAE_CHAN_ECERT_REVOKED:
        return "operator certificate has been revoked";
    case SASAE_CHAN_ECERT_CRL:
        return "certificate revocation list unusable (expired or bad signature)";
    case SASAE_CHAN_ECERT_PURPOSE:
        return "certificate is not a sasae operator certificate";
    case SASAE_CHAN_ECERT_INVALID:
        return "operator certificate invalid";
    case SASAE_CHAN_ERECORD:
        return "record rejected: altered, replayed, reordered, truncated or duplicated";
    case SASAE_CHAN_EREKEY:
        return "record limit reached without key update";
    case SASAE_CHAN_EDEAD:
        return "channel closed after an earlier failure";
    case SASAE_CHAN_EPEER:
        return "the other side refused the connection";
    case SASAE_CHAN_ECODE:
        return "the code does not match (mistyped, or not the customer's computer)";
    }
    return "unknown error";
}

static void wipe_dir(struct dir *d)
{
    OPENSSL_cleanse(&d->t, sizeof(d->t));
    EVP_CIPHER_CTX_free(d->ctx); /* clears its key schedule */
    d->ctx = NULL;
}

/* Drops every secret: on failure and in _free. */
static void wipe(struct sasae_chan *ch)
{
    EVP_PKEY_free(ch->eph);
    ch->eph = NULL;
    sasae_spake2_free(ch->pake);
    ch->pake = NULL;
    OPENSSL_cleanse(ch->pake_ke, sizeof(ch->pake_ke));
    EVP_MD_CTX_free(ch->th);
    ch->th = NULL;
    OPENSSL_cleanse(ch->shared, sizeof(ch->shared));
    OPENSSL_cleanse(ch->fin_v, sizeof(ch->fin_v));
    OPENSSL_cleanse(ch->fin_h, sizeof(ch->fin_h));
    wipe_dir(&ch->send);
    wipe_dir(&ch->recv);
    OPENSSL_cleanse(ch->ticket, sizeof(ch->ticket));
    OPENSSL_cleanse(ch->resume_code, sizeof(ch->resume_code));
}

static enum sasae_chan_err die(struct sasae_chan *ch, enum sasae_chan_err e)
{
    if (e == SASAE_CHAN_ENOSPACE || e == SASAE_CHAN_EARG)
        return e;
    ch->st = ST_DEAD;
    wipe(ch);
    memset(&ch->peer, 0, sizeof(ch->peer));
    ERR_clear_error();
    return e;
}

static struct sasae_chan *chan_new(const char *code, enum sasae_spake2_role role,
                                   const struct sasae_chan_opts *o)
{
    size_t cl = code ? strnlen(code, CODE_MAX + 1) : 0;
    if (cl == 0 || cl > CODE_MAX)
        return NULL;
    struct sasae_chan *ch = calloc(1, sizeof(*ch));
    if (!ch)
        return NULL;
    uint8_t w[SASAE_SPAKE2_W_LEN];
    if (sasae_spake2_password_w((const uint8_t *)code, cl, w) == 0)
        ch->pake = sasae_spake2_new(role, w);
    OPENSSL_cleanse(w, sizeof(w));
    if (!ch->pake) {
        sasae_chan_free(ch);
        return NULL;
    }
    ch->rekey_after = o && o->rekey_after ? o->rekey_after : SASAE_CHAN_DEFAULT_REKEY;
    if (ch->rekey_after > HARD_LIMIT - 1)
        ch->rekey_after = HARD_LIMIT - 1;
    ch->verify_time = o ? o->verify_time : 0;
    ch->th = EVP_MD_CTX_new();
    if (!ch->th || EVP_DigestInit_ex(ch->th, EVP_sha384(), NULL) != 1) {
        sasae_chan_free(ch);
        return NULL;
    }
    return ch;
}

struct sasae_chan *sasae_chan_new_viewer(const struct sasae_chan_cred *cred, const char *code,
                                         const struct sasae_chan_opts *opts)
{
    if (!cred)
        return NULL;
    struct sasae_chan *ch = chan_new(code, SASAE_SPAKE2_A, opts);
    if (ch) {
        ch->cred = cred;
        ch->st = ST_V_INIT;
    }
    return ch;
}

struct sasae_chan *sasae_chan_new_host(const struct sasae_chan_key *device,
                                       const struct sasae_chan_trust *trust, const char *code,
                                       const struct sasae_chan_opts *opts)
{
    if (!device || !trust)
        return NULL;
    struct sasae_chan *ch = chan_new(code, SASAE_SPAKE2_B, opts);
    if (ch) {
        ch->is_host = 1;
        ch->device = device;
        ch->trust = trust;
        ch->st = ST_H_WAIT_CH;
        uint8_t pub[32];
        if (sasae_chan_raw_pub(device->pkey, pub))
            sasae_chan_fpr_raw(pub, ch->peer.host_fingerprint);
    }
    return ch;
}

void sasae_chan_free(struct sasae_chan *ch)
{
    if (!ch)
        return;
    wipe(ch);
    OPENSSL_cleanse(ch, sizeof(*ch));
    free(ch);
}

int sasae_chan_established(const struct sasae_chan *ch)
{
    return ch && ch->st == ST_OPEN;
}

int sasae_chan_dead(const struct sasae_chan *ch)
{
    return !ch || ch->st == ST_DEAD;
}

enum sasae_chan_err sasae_chan_resume_secrets(const struct sasae_chan *ch,
                                              uint8_t ticket[SASAE_CHAN_TICKET_LEN],
                                              char code[SASAE_CHAN_RESUME_CODE_LEN + 1])
{
    if (!ch || ch->st != ST_OPEN || !ticket || !code)
        return SASAE_CHAN_EARG;
    memcpy(ticket, ch->ticket, SASAE_CHAN_TICKET_LEN);
    memcpy(code, ch->resume_code, SASAE_CHAN_RESUME_CODE_LEN + 1);
    return SASAE_CHAN_OK;
}

const struct sasae_chan_peer *sasae_chan_peer(const struct sasae_chan *ch)
{
    return ch && ch->st == ST_OPEN ? &ch->peer : NULL;
}

uint32_t sasae_chan_send_epoch(const struct sasae_chan *ch)
{
    return ch ? ch->send.epoch : 0;
}

uint32_t sasae_chan_recv_epoch(const struct sasae_chan *ch)
{
    return ch ? ch->recv.epoch : 0;
}

/* ---- handshake helpers ------------------------------------------------------------------ */
static int th_add(struct sasae_chan *ch, const uint8_t *b, size_t n)
{
    return EVP_DigestUpdate(ch->th, b, n) == 1;
}

/* Hash of the transcript so far, without disturbing the running context. */
static int th_peek(struct sasae_chan *ch, uint8_t out[48])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int n = 0;
    int ok =
        c && EVP_MD_CTX_copy_ex(c, ch->th) == 1 && EVP_DigestFinal_ex(c, out, &n) == 1 && n == 48;
    EVP_MD_CTX_free(c);
    return ok;
}

static int gen_eph(struct sasae_chan *ch, uint8_t pub[32])
{
    ch->eph = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    return ch->eph && sasae_chan_raw_pub(ch->eph, pub);
}

static enum sasae_chan_err derive_shared(struct sasae_chan *ch, const uint8_t peer_pub[32])
{
    EVP_PKEY *peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer_pub, 32);
    EVP_PKEY_CTX *c = peer ? EVP_PKEY_CTX_new(ch->eph, NULL) : NULL;
    size_t n = 32;
    enum sasae_chan_err e = SASAE_CHAN_ECRYPTO;
    if (!c || EVP_PKEY_derive_init(c) != 1 || EVP_PKEY_derive_set_peer(c, peer) != 1 ||
        EVP_PKEY_derive(c, ch->shared, &n) != 1 || n != 32)
        goto out;
    /* An all-zero result means a small-order peer key: no contribution, refuse it. */
    uint8_t acc = 0;
    for (int i = 0; i < 32; i++)
        acc |= ch->shared[i];
    e = acc ? SASAE_CHAN_OK : SASAE_CHAN_EMALFORMED;
out:
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(ch->eph); /* ephemeral: used exactly once */
    ch->eph = NULL;
    return e;
}

/* Completes SPAKE2 with the peer's share: Ke for the key schedule. A share that is not a
 * point of the curve is malformed; a wrong code is only seen at the Finished MACs. */
static enum sasae_chan_err pake_finish(struct sasae_chan *ch, const uint8_t peer[65])
{
    struct sasae_spake2_keys k;
    int rc = sasae_spake2_finish(ch->pake, peer, (const uint8_t *)ID_VIEWER, strlen(ID_VIEWER),
                                 (const uint8_t *)ID_HOST, strlen(ID_HOST), &k);
    if (rc == 0)
        memcpy(ch->pake_ke, k.ke, sizeof(ch->pake_ke));
    OPENSSL_cleanse(&k, sizeof(k));
    sasae_spake2_free(ch->pake);
    ch->pake = NULL;
    return rc == 0 ? SASAE_CHAN_OK : rc == -EINVAL ? SASAE_CHAN_EMALFORMED : SASAE_CHAN_ECRYPTO;
}

static int sign_th(EVP_PKEY *k, const char *context, const uint8_t th[48], uint8_t sig[64])
{
    uint8_t msg[64 + 48];
    size_t cl = strlen(context) + 1, sl = 64;
    memcpy(msg, context, cl);
    memcpy(msg + cl, th, 48);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestSignInit(c, NULL, NULL, NULL, k) == 1 &&
             EVP_DigestSign(c, sig, &sl, msg, cl + 48) == 1 && sl == 64;
    EVP_MD_CTX_free(c);
    return ok;
}

static int verify_th(EVP_PKEY *k, const char *context, const uint8_t th[48], const uint8_t sig[64])
{
    uint8_t msg[64 + 48];
    size_t cl = strlen(context) + 1;
    memcpy(msg, context, cl);
    memcpy(msg + cl, th, 48);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestVerifyInit(c, NULL, NULL, NULL, k) == 1 &&
             EVP_DigestVerify(c, sig, 64, msg, cl + 48) == 1;
    EVP_MD_CTX_free(c);
    return ok;
}

static int hmac48(const uint8_t key[48], const uint8_t th[48], uint8_t out[48])
{
    unsigned int n = 0;
    return HMAC(EVP_sha384(), key, 48, th, 48, out, &n) != NULL && n == 48;
}

static int dir_init(struct dir *d)
{
    d->seq = 0;
    if (!d->ctx && !(d->ctx = EVP_CIPHER_CTX_new()))
        return 0;
    return EVP_CipherInit_ex(d->ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, -1) == 1 &&
           EVP_CIPHER_CTX_ctrl(d->ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1;
}

/* Derives all keys once the transcript through CLIENT_AUTH is hashed. */
static enum sasae_chan_err schedule(struct sasae_chan *ch, const uint8_t th_sh[48],
                                    const uint8_t th_ca[48])
{
    struct sasae_chan_traffic v2h, h2v;
    enum sasae_chan_err e = sasae_chan_kdf_schedule(ch->shared, ch->pake_ke, th_sh, th_ca,
                                                    ch->fin_v, ch->fin_h, &v2h, &h2v);
    if (e == SASAE_CHAN_OK) {
        ch->send.t = ch->is_host ? h2v : v2h;
        ch->recv.t = ch->is_host ? v2h : h2v;
        if (!dir_init(&ch->send) || !dir_init(&ch->recv))
            e = SASAE_CHAN_ECRYPTO;
        else
            e = sasae_chan_kdf_resume(&v2h, &h2v, ch->ticket, ch->resume_code);
    }
    OPENSSL_cleanse(&v2h, sizeof(v2h));
    OPENSSL_cleanse(&h2v, sizeof(h2v));
    OPENSSL_cleanse(ch->shared, sizeof(ch->shared));
    OPENSSL_cleanse(ch->pake_ke, sizeof(ch->pake_ke));
    return e;
}

enum sasae_chan_err sasae_chan_start(struct sasae_chan *ch, uint8_t *out, size_t cap,
                                     size_t *out_len)
{
    if (!ch || !out || !out_len)
        return SASAE_CHAN_EARG;
    if (ch->st == ST_DEAD)
        return SASAE_CHAN_EDEAD;
    if (ch->is_host || ch->st != ST_V_INIT)
        return SASAE_CHAN_EARG;
    if (cap < CH_LEN)
        return SASAE_CHAN_ENOSPACE;
    uint8_t *p = ch->ch;
    p[0] = MSG_CLIENT_HELLO;
    p[1] = SASAE_CHAN_VERSION >> 8;
    p[2] = SASAE_CHAN_VERSION & 0xff;
    p[3] = SUITE_V1 >> 8;
    p[4] = SUITE_V1 & 0xff;
    if (RAND_bytes(p + 5, 32) != 1 || !gen_eph(ch, p + OFF_X25519))
        return die(ch, SASAE_CHAN_ECRYPTO);
    sasae_spake2_share(ch->pake, p + OFF_SPAKE2);
    if (!th_add(ch, p, CH_LEN))
        return die(ch, SASAE_CHAN_ECRYPTO);
    memcpy(out, p, CH_LEN);
    *out_len = CH_LEN;
    ch->st = ST_V_SENT_CH;
    return SASAE_CHAN_OK;
}

/* Host: CLIENT_HELLO -> SERVER_HELLO. */
static enum sasae_chan_err host_on_ch(struct sasae_chan *ch, const uint8_t *in, size_t n,
                                      uint8_t *out, size_t cap, size_t *out_len)
{
    if (n < 5 || in[0] != MSG_CLIENT_HELLO)
        return SASAE_CHAN_EMALFORMED;
    if ((in[1] << 8 | in[2]) != SASAE_CHAN_VERSION || (in[3] << 8 | in[4]) != SUITE_V1)
        return SASAE_CHAN_EVERSION;
    if (n != CH_LEN)
        return SASAE_CHAN_EMALFORMED;
    uint8_t th[48];
    uint8_t *s = ch->sh;
    memcpy(ch->ch, in, CH_LEN);
    s[0] = MSG_SERVER_HELLO;
    memcpy(s + 1, in + 1, 4); /* same version and suite */
    if (RAND_bytes(s + 5, 32) != 1 || !gen_eph(ch, s + OFF_X25519) ||
        !sasae_chan_raw_pub(ch->device->pkey, s + OFF_HOSTKEY))
        return SASAE_CHAN_ECRYPTO;
    sasae_spake2_share(ch->pake, s + OFF_SPAKE2);
    enum sasae_chan_err e = derive_shared(ch, in + OFF_X25519);
    if (e || (e = pake_finish(ch, in + OFF_SPAKE2)))
        return e;
    if (!th_add(ch, ch->ch, CH_LEN) || !th_add(ch, s, SH_UNSIGNED) || !th_peek(ch, th) ||
        !sign_th(ch->device->pkey, CTX_HOST_SIG, th, s + SH_UNSIGNED) ||
        !th_add(ch, s + SH_UNSIGNED, 64))
        return SASAE_CHAN_ECRYPTO;
    memcpy(out, s, SH_LEN);
    *out_len = SH_LEN;
    ch->st = ST_H_SENT_SH;
    return SASAE_CHAN_OK;
}

/* Viewer: SERVER_HELLO -> CLIENT_AUTH. */
static enum sasae_chan_err viewer_on_sh(struct sasae_chan *ch, const uint8_t *in, size_t n,
                                        uint8_t *out, size_t cap, size_t *out_len)
{
    if (n < 5 || in[0] != MSG_SERVER_HELLO)
        return SASAE_CHAN_EMALFORMED;
    if ((in[1] << 8 | in[2]) != SASAE_CHAN_VERSION || (in[3] << 8 | in[4]) != SUITE_V1)
        return SASAE_CHAN_EVERSION;
    if (n != SH_LEN)
        return SASAE_CHAN_EMALFORMED;
    uint8_t th_sh[48], th[48];
    enum sasae_chan_err e = SASAE_CHAN_ESIGNATURE;
    EVP_PKEY *hk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, in + OFF_HOSTKEY, 32);
    if (!hk)
        return SASAE_CHAN_EMALFORMED;
    if (!th_add(ch, in, SH_UNSIGNED) || !th_peek(ch, th)) {
        e = SASAE_CHAN_ECRYPTO;
        goto out;
    }
    if (!verify_th(hk, CTX_HOST_SIG, th, in + SH_UNSIGNED))
        goto out;
    if ((e = derive_shared(ch, in + OFF_X25519)) || (e = pake_finish(ch, in + OFF_SPAKE2)))
        goto out;
    e = SASAE_CHAN_ECRYPTO;
    if (!th_add(ch, in + SH_UNSIGNED, 64) || !th_peek(ch, th_sh))
        goto out;
    sasae_chan_fpr_raw(in + OFF_HOSTKEY, ch->peer.host_fingerprint);

    /* CLIENT_AUTH = type, u16 cert length, cert DER, signature(64), finished(48). */
    size_t cl = (size_t)ch->cred->der_len, total = 3 + cl + 64 + 48;
    uint8_t *p = out;
    p[0] = MSG_CLIENT_AUTH;
    p[1] = (uint8_t)(cl >> 8);
    p[2] = (uint8_t)cl;
    memcpy(p + 3, ch->cred->der, cl);
    if (!th_add(ch, p, 3 + cl) || !th_peek(ch, th) ||
        !sign_th(ch->cred->key, CTX_OP_SIG, th, p + 3 + cl) || !th_add(ch, p + 3 + cl, 64) ||
        !th_peek(ch, th))
        goto out;
    /* Finished keys come from the CH||SH hash; the MAC covers everything before it. */
    struct sasae_chan_traffic d1, d2;
    uint8_t fv[48], fh[48];
    if (sasae_chan_kdf_schedule(ch->shared, ch->pake_ke, th_sh, th_sh, fv, fh, &d1, &d2) !=
            SASAE_CHAN_OK ||
        !hmac48(fv, th, p + 3 + cl + 64)) {
        OPENSSL_cleanse(fv, 48);
        OPENSSL_cleanse(fh, 48);
        OPENSSL_cleanse(&d1, sizeof(d1));
        OPENSSL_cleanse(&d2, sizeof(d2));
        goto out;
    }
    OPENSSL_cleanse(fv, 48);
    OPENSSL_cleanse(fh, 48);
    OPENSSL_cleanse(&d1, sizeof(d1));
    OPENSSL_cleanse(&d2, sizeof(d2));
    if (!th_add(ch, p + 3 + cl + 64, 48) || !th_peek(ch, th))
        goto out;
    if ((e = schedule(ch, th_sh, th)))
        goto out;
    *out_len = total;
    ch->st = ST_V_SENT_CA;
    e = SASAE_CHAN_OK;
out:
    EVP_PKEY_free(hk);
    return e;
}

/* Host: CLIENT_AUTH -> HOST_FINISHED; the host is then established. */
static enum sasae_chan_err host_on_ca(struct sasae_chan *ch, const uint8_t *in, size_t n,
                                      uint8_t *out, size_t cap, size_t *out_len)
{
    if (n < 3 || in[0] != MSG_CLIENT_AUTH)
        return SASAE_CHAN_EMALFORMED;
    size_t cl = (size_t)in[1] << 8 | in[2];
    if (cl == 0 || n != 3 + cl + 64 + 48)
        return SASAE_CHAN_EMALFORMED;
    uint8_t th_sh[48], th[48], mac[48], fv[48], fh[48];
    struct sasae_chan_traffic d1, d2;
    X509 *cert = NULL;
    enum sasae_chan_err e = SASAE_CHAN_ECRYPTO;
    if (!th_peek(ch, th_sh))
        goto out;
    if ((e = sasae_chan_verify_operator(ch->trust, in + 3, cl, ch->verify_time, &cert, &ch->peer)))
        goto out;
    e = SASAE_CHAN_ECRYPTO;
    if (!th_add(ch, in, 3 + cl) || !th_peek(ch, th))
        goto out;
    e = SASAE_CHAN_ESIGNATURE;
    if (!verify_th(X509_get0_pubkey(cert), CTX_OP_SIG, th, in + 3 + cl))
        goto out;
    e = SASAE_CHAN_ECRYPTO;
    if (!th_add(ch, in + 3 + cl, 64) || !th_peek(ch, th) ||
        sasae_chan_kdf_schedule(ch->shared, ch->pake_ke, th_sh, th_sh, fv, fh, &d1, &d2) !=
            SASAE_CHAN_OK ||
        !hmac48(fv, th, mac))
        goto out;
    /* The operator signed this transcript, so nothing in it was changed on the way: a wrong
     * MAC means the viewer's SPAKE2 key differs, i.e. it used another code. */
    e = SASAE_CHAN_ECODE;
    if (CRYPTO_memcmp(mac, in + 3 + cl + 64, 48) != 0)
        goto out;
    e = SASAE_CHAN_ECRYPTO;
    if (!th_add(ch, in + 3 + cl + 64, 48) || !th_peek(ch, th))
        goto out;
    if ((e = schedule(ch, th_sh, th)))
        goto out;
    out[0] = MSG_HOST_FINISHED;
    if (!hmac48(ch->fin_h, th, out + 1)) {
        e = SASAE_CHAN_ECRYPTO;
        goto out;
    }
    *out_len = HF_LEN;
    ch->st = ST_OPEN;
    EVP_MD_CTX_free(ch->th);
    ch->th = NULL;
    OPENSSL_cleanse(ch->fin_v, 48);
    OPENSSL_cleanse(ch->fin_h, 48);
    e = SASAE_CHAN_OK;
out:
    OPENSSL_cleanse(fv, sizeof(fv));
    OPENSSL_cleanse(fh, sizeof(fh));
    OPENSSL_cleanse(&d1, sizeof(d1));
    OPENSSL_cleanse(&d2, sizeof(d2));
    X509_free(cert);
    if (e)
        memset(&ch->peer.operator_name, 0, sizeof(ch->peer.operator_name));
    return e;
}

/* Viewer: HOST_FINISHED; the viewer is then established. */
static enum sasae_chan_err viewer_on_hf(struct sasae_chan *ch, const uint8_t *in, size_t n)
{
    if (n != HF_LEN || in[0] != MSG_HOST_FINISHED)
        return SASAE_CHAN_EMALFORMED;
    uint8_t th[48], mac[48];
    if (!th_peek(ch, th) || !hmac48(ch->fin_h, th, mac))
        return SASAE_CHAN_ECRYPTO;
    /* The host signed the hellos, so the MAC fails only if its SPAKE2 key differs: it does
     * not know the code (a fake host), or changed CLIENT_AUTH, which it can refuse anyway. */
    if (CRYPTO_memcmp(mac, in + 1, 48) != 0)
        return SASAE_CHAN_ECODE;
    /* The viewer learns the operator facts from its own certificate. */
    struct sasae_chan_peer tmp = ch->peer;
    X509_NAME *subj = X509_get_subject_name(ch->cred->cert);
    X509_NAME_get_text_by_NID(subj, NID_commonName, tmp.operator_name, sizeof(tmp.operator_name));
    X509_NAME_get_text_by_NID(subj, NID_organizationName, tmp.organisation,
                              sizeof(tmp.organisation));
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(ch->cred->cert), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    BN_free(bn);
    if (hex && strlen(hex) < sizeof(tmp.serial))
        memcpy(tmp.serial, hex, strlen(hex) + 1);
    OPENSSL_free(hex);
    ch->peer = tmp;
    ch->st = ST_OPEN;
    EVP_MD_CTX_free(ch->th);
    ch->th = NULL;
    OPENSSL_cleanse(ch->fin_v, 48);
    OPENSSL_cleanse(ch->fin_h, 48);
    return SASAE_CHAN_OK;
}

enum sasae_chan_err sasae_chan_handshake(struct sasae_chan *ch, const uint8_t *in, size_t in_len,
                                         uint8_t *out, size_t cap, size_t *out_len)
{
    if (!ch || !out_len || (!in && in_len))
        return SASAE_CHAN_EARG;
    if (ch->st == ST_DEAD)
        return SASAE_CHAN_EDEAD;
    *out_len = 0;
    if (in_len > SASAE_CHAN_MAX_HANDSHAKE)
        return die(ch, SASAE_CHAN_EMALFORMED);
    if (in_len >= 1 && in[0] == MSG_ALERT && ch->st != ST_OPEN && ch->st != ST_V_INIT) {
        if (in_len != 2)
            return die(ch, SASAE_CHAN_EMALFORMED);
        ch->peer_error = in[1] >= SASAE_CHAN_EARG && in[1] <= SASAE_CHAN_ERR_LAST
                             ? (enum sasae_chan_err)in[1]
                             : SASAE_CHAN_ECERT_INVALID;
        return die(ch, SASAE_CHAN_EPEER);
    }
    enum sasae_chan_err e;
    switch (ch->st) {
    case ST_H_WAIT_CH:
        if (!out || cap < SH_LEN)
            return SASAE_CHAN_ENOSPACE;
        e = host_on_ch(ch, in, in_len, out, cap, out_len);
        break;
    case ST_V_SENT_CH:
        if (!out || cap < 3 + (size_t)ch->cred->der_len + 64 + 48)
            return SASAE_CHAN_ENOSPACE;
        e = viewer_on_sh(ch, in, in_len, out, cap, out_len);
        break;
    case ST_H_SENT_SH:
        if (!out || cap < HF_LEN)
            return SASAE_CHAN_ENOSPACE;
        e = host_on_ca(ch, in, in_len, out, cap, out_len);
        break;
    case ST_V_SENT_CA:
        e = viewer_on_hf(ch, in, in_len);
        break;
    case ST_V_INIT:
        return SASAE_CHAN_EARG;
    default:
        /* Established: a handshake message now is out of place. */
        e = SASAE_CHAN_EMALFORMED;
        break;
    }
    if (e) {
        *out_len = 0;
        return die(ch, e);
    }
    return SASAE_CHAN_OK;
}

enum sasae_chan_err sasae_chan_alert(enum sasae_chan_err reason, uint8_t *out, size_t cap,
                                     size_t *out_len)
{
    if (!out || !out_len || reason == SASAE_CHAN_OK || reason > SASAE_CHAN_ERR_LAST)
        return SASAE_CHAN_EARG;
    if (cap < 2)
        return SASAE_CHAN_ENOSPACE;
    out[0] = MSG_ALERT;
    out[1] = (uint8_t)reason;
    *out_len = 2;
    return SASAE_CHAN_OK;
}

enum sasae_chan_err sasae_chan_peer_error(const struct sasae_chan *ch)
{
    return ch ? ch->peer_error : SASAE_CHAN_OK;
}

/* ---- records ---------------------------------------------------------------------------- */
static void nonce(const struct dir *d, uint8_t n[12])
{
    memcpy(n, d->t.iv, 12);
    for (int i = 0; i < 8; i++)
        n[4 + i] ^= (uint8_t)(d->seq >> (56 - 8 * i));
}

static int rotate(struct dir *d)
{
    struct sasae_chan_traffic next;
    int ok = sasae_chan_kdf_update(&d->t, &next) == SASAE_CHAN_OK;
    if (ok) {
        d->t = next;
        d->epoch++;
        ok = dir_init(d);
    }
    OPENSSL_cleanse(&next, sizeof(next));
    return ok;
}

/* out = type || AES-256-GCM(key, IV ^ seq, aad = type, pt) || tag. */
static int seal_raw(EVP_CIPHER_CTX *c, const struct sasae_chan_traffic *t, uint64_t seq, int update,
                    const uint8_t *pt, size_t len, uint8_t *out)
{
    struct dir tmp = {.t = *t, .seq = seq};
    uint8_t n[12];
    int ol = 0, fl = 0;
    out[0] = update ? REC_DATA_UPDATE : REC_DATA;
    nonce(&tmp, n);
    OPENSSL_cleanse(&tmp, sizeof(tmp));
    return EVP_EncryptInit_ex(c, NULL, NULL, t->key, n) == 1 &&
           EVP_EncryptUpdate(c, NULL, &ol, out, 1) == 1 &&
           (len == 0 || EVP_EncryptUpdate(c, out + 1, &ol, pt, (int)len) == 1) &&
           EVP_EncryptFinal_ex(c, out + 1 + (len ? (size_t)ol : 0), &fl) == 1 &&
           EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + 1 + len) == 1;
}

enum sasae_chan_err sasae_chan_kat_seal(const struct sasae_chan_traffic *t, uint64_t seq,
                                        int key_update, const uint8_t *pt, size_t len, uint8_t *out,
                                        size_t cap, size_t *out_len)
{
    if (!t || !out || !out_len || (!pt && len) || len > SASAE_CHAN_MAX_PLAINTEXT)
        return SASAE_CHAN_EARG;
    if (cap < len + SASAE_CHAN_RECORD_OVERHEAD)
        return SASAE_CHAN_ENOSPACE;
    struct dir d = {0};
    int ok = dir_init(&d) && seal_raw(d.ctx, t, seq, key_update, pt, len, out);
    EVP_CIPHER_CTX_free(d.ctx);
    if (!ok)
        return SASAE_CHAN_ECRYPTO;
    *out_len = len + SASAE_CHAN_RECORD_OVERHEAD;
    return SASAE_CHAN_OK;
}

enum sasae_chan_err sasae_chan_request_rekey(struct sasae_chan *ch)
{
    if (!ch)
        return SASAE_CHAN_EARG;
    if (ch->st == ST_DEAD)
        return SASAE_CHAN_EDEAD;
    if (ch->st != ST_OPEN)
        return SASAE_CHAN_EARG;
    ch->rekey_requested = 1;
    return SASAE_CHAN_OK;
}

enum sasae_chan_err sasae_chan_seal(struct sasae_chan *ch, const uint8_t *pt, size_t len,
                                    uint8_t *out, size_t cap, size_t *out_len)
{
    if (!ch || !out || !out_len || (!pt && len))
        return SASAE_CHAN_EARG;
    if (ch->st == ST_DEAD)
        return SASAE_CHAN_EDEAD;
    if (ch->st != ST_OPEN || len > SASAE_CHAN_MAX_PLAINTEXT)
        return SASAE_CHAN_EARG;
    if (cap < len + SASAE_CHAN_RECORD_OVERHEAD)
        return SASAE_CHAN_ENOSPACE;
    struct dir *d = &ch->send;
    int update = ch->rekey_requested || d->seq + 1 >= ch->rekey_after;
    if (!seal_raw(d->ctx, &d->t, d->seq, update, pt, len, out))
        return die(ch, SASAE_CHAN_ECRYPTO);
    d->seq++;
    if (update) {
        ch->rekey_requested = 0;
        if (!rotate(d))
            return die(ch, SASAE_CHAN_ECRYPTO);
    }
    *out_len = len + SASAE_CHAN_RECORD_OVERHEAD;
    return SASAE_CHAN_OK;
}

enum sasae_chan_err sasae_chan_open(struct sasae_chan *ch, const uint8_t *rec, size_t len,
                                    uint8_t *out, size_t cap, size_t *out_len)
{
    if (!ch || !out_len || (!rec && len) || (!out && cap))
        return SASAE_CHAN_EARG;
    if (ch->st == ST_DEAD)
        return SASAE_CHAN_EDEAD;
    if (ch->st != ST_OPEN) /* a record before the handshake finished is a protocol error */
        return die(ch, SASAE_CHAN_EMALFORMED);
    if (len < SASAE_CHAN_RECORD_OVERHEAD || len > SASAE_CHAN_MAX_RECORD ||
        (rec[0] != REC_DATA && rec[0] != REC_DATA_UPDATE))
        return die(ch, SASAE_CHAN_ERECORD);
    size_t pl = len - SASAE_CHAN_RECORD_OVERHEAD;
    if (cap < pl || (pl && !out))
        return SASAE_CHAN_ENOSPACE;
    struct dir *d = &ch->recv;
    if (d->seq >= HARD_LIMIT)
        return die(ch, SASAE_CHAN_EREKEY);
    uint8_t n[12], tag[16];
    int ol = 0, fl = 0;
    memcpy(tag, rec + 1 + pl, 16);
    nonce(d, n);
    /* Decrypt in place in out, then wipe it if the tag does not verify. */
    if (EVP_DecryptInit_ex(d->ctx, NULL, NULL, d->t.key, n) != 1 ||
        EVP_DecryptUpdate(d->ctx, NULL, &ol, rec, 1) != 1 ||
        (pl && EVP_DecryptUpdate(d->ctx, out, &ol, rec + 1, (int)pl) != 1) ||
        EVP_CIPHER_CTX_ctrl(d->ctx, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1)
        return die(ch, SASAE_CHAN_ECRYPTO);
    if (EVP_DecryptFinal_ex(d->ctx, out + (pl ? ol : 0), &fl) != 1) {
        if (pl)
            OPENSSL_cleanse(out, pl);
        return die(ch, SASAE_CHAN_ERECORD);
    }
    d->seq++;
    if (rec[0] == REC_DATA_UPDATE && !rotate(d)) {
        OPENSSL_cleanse(out, pl);
        return die(ch, SASAE_CHAN_ECRYPTO);
    }
    *out_len = pl;
    return SASAE_CHAN_OK;
}
