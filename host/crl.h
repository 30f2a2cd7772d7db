/* The organisation's revocation list as the host receives it from the relay: checked here
 * before it is used (signed by the organisation CA, current, short-lived, not older than
 * the one already held). The relay only carries it: it cannot make a CRL this accepts, only
 * replay an older one still inside its validity. Pure (OpenSSL, no I/O); private to
 * sasae-host and its tests. */
#ifndef SASAE_HOST_CRL_H
#define SASAE_HOST_CRL_H

#include <stddef.h>
#include <stdint.h>

/* A CRL valid for longer than this is refused: it would widen the window in which a
 * relay replaying it can hold back a revocation (sasae-certs signs for 24 h; one hour of
 * slack for clocks and the re-signing timer). */
#define HOST_CRL_MAX_LIFETIME_S (25 * 3600)
/* Clock difference tolerated for a CRL issued "in the future". */
#define HOST_CRL_SKEW_S 300

enum host_crl_err {
    HOST_CRL_OK = 0,
    HOST_CRL_E_NONE = -1,     /* the relay has no CRL to give */
    HOST_CRL_E_PARSE = -2,    /* not a DER CRL */
    HOST_CRL_E_ISSUER = -3,   /* not signed by the organisation CA */
    HOST_CRL_E_EXPIRED = -4,  /* nextUpdate has passed (or is missing) */
    HOST_CRL_E_FUTURE = -5,   /* issued after now (beyond the skew) */
    HOST_CRL_E_LIFETIME = -6, /* valid for longer than HOST_CRL_MAX_LIFETIME_S */
    HOST_CRL_E_OLDER = -7,    /* issued before the CRL already held: a replay */
    HOST_CRL_E_ARG = -8,
};

/* One accepted CRL. */
struct host_crl {
    char *pem; /* the CRL re-encoded as PEM (what sasae_chan_trust_new takes); malloc'd */
    size_t pem_len;
    int64_t this_update, next_update; /* Unix seconds */
    int revoked;                      /* entries */
};

/* Checks der (len bytes, from the relay) against the organisation CA (PEM) at time now.
 * held is the CRL accepted before (NULL if none): a CRL issued before it is refused. On
 * HOST_CRL_OK *out is filled (free with host_crl_clear); on error why gets one sentence
 * for people ("the revocation list expired on 2026-12-04 08:00 UTC") and *out is untouched. */
enum host_crl_err host_crl_check(const char *ca_pem, size_t ca_len, const uint8_t *der, size_t len,
                                 int64_t now, const struct host_crl *held, struct host_crl *out,
                                 char *why, size_t whylen);

/* Is c (accepted earlier) still current at now? */
int host_crl_current(const struct host_crl *c, int64_t now);

/* "2026-12-04 08:00 UTC" for t. */
void host_crl_time(int64_t t, char *buf, size_t len);

void host_crl_clear(struct host_crl *c);

#endif
