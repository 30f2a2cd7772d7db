/* sasae spake2: SPAKE2 (RFC 9382) over P-256 with SHA-256, HKDF and HMAC
 * ("SPAKE2-P256-SHA256-HKDF-HMAC"), built on OpenSSL's EC primitives. A pure computation:
 * no I/O, no state beyond one exchange. The channel (sasae/chan.h) uses it to bind a session
 * to the secret digits of the support code; see docs/protocol.md "Code binding". */
#ifndef SASAE_SPAKE2_H
#define SASAE_SPAKE2_H

#include <stddef.h>
#include <stdint.h>

#define SASAE_SPAKE2_SHARE_LEN 65 /* uncompressed P-256 point: 0x04 || X || Y */
#define SASAE_SPAKE2_W_LEN 32     /* password scalar, big-endian, < group order */

enum sasae_spake2_role {
    SASAE_SPAKE2_A = 0, /* sends pA = x*G + w*M (the viewer) */
    SASAE_SPAKE2_B = 1, /* sends pB = y*G + w*N (the host) */
};

/* What one exchange yields (RFC 9382 section 4): Ke || Ka = SHA-256(TT),
 * KcA || KcB = HKDF(salt = none, ikm = Ka, info = "ConfirmationKeys", 32),
 * conf_a = HMAC(KcA, TT), conf_b = HMAC(KcB, TT). */
struct sasae_spake2_keys {
    uint8_t ke[16], ka[16], kca[16], kcb[16], conf_a[32], conf_b[32];
};

struct sasae_spake2;

/* Starts one exchange for role with password scalar w (reduced modulo the group order) and
 * a fresh random secret scalar. NULL on failure. */
struct sasae_spake2 *sasae_spake2_new(enum sasae_spake2_role role,
                                      const uint8_t w[SASAE_SPAKE2_W_LEN]);
/* As _new but with a given secret scalar (x or y, 32 bytes big-endian, 1 <= s < order):
 * for known-answer tests only. */
struct sasae_spake2 *sasae_spake2_new_kat(enum sasae_spake2_role role,
                                          const uint8_t w[SASAE_SPAKE2_W_LEN],
                                          const uint8_t scalar[32]);
/* Cleanses the secret scalars and frees. NULL-safe. */
void sasae_spake2_free(struct sasae_spake2 *s);

/* This side's share (pA or pB), uncompressed. */
void sasae_spake2_share(const struct sasae_spake2 *s, uint8_t out[SASAE_SPAKE2_SHARE_LEN]);

/* Completes the exchange with the peer's share and the two identities (A's first, either
 * may be empty). Returns 0, -EINVAL if the peer share is not an uncompressed point on the
 * curve (or is the identity, or K is), -EIO if a primitive failed. keys is wiped on error.
 * May be called once; the secret scalar is cleansed afterwards. */
int sasae_spake2_finish(struct sasae_spake2 *s, const uint8_t peer[SASAE_SPAKE2_SHARE_LEN],
                        const uint8_t *id_a, size_t id_a_len, const uint8_t *id_b, size_t id_b_len,
                        struct sasae_spake2_keys *keys);

/* The password scalar sasae uses for a support-code password (docs/protocol.md):
 * w = OS2IP(Expand(Extract(salt = "sasae v2 spake2", ikm = pw), "spake2 w", "", 48)) mod n,
 * 48 bytes so the reduction is unbiased (RFC 9382 section 3.2). Returns 0 or -EIO. */
int sasae_spake2_password_w(const uint8_t *pw, size_t pw_len, uint8_t w[SASAE_SPAKE2_W_LEN]);

#endif
