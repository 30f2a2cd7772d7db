/* A session cut by a relay loss pairs again without a code: the two sides present the resume
 * ticket both derived from their old session's keys (envelope RESUME), and the relay matches
 * the presentations (resume.c: one host, one verified operator, within 60 s, once). The new
 * end-to-end handshake, not the relay, proves who they are (docs/security.md "Relay loss and
 * re-consent"). */
#include <stdio.h>

#include <openssl/evp.h>

#include "relay.h"

/* In a cluster the two sides may come back through different nodes: the directory says
 * where the first presentation of a ticket waits (under a digest of the ticket, not the
 * ticket), and a later one is spliced to that node over a node-to-node link, which carries
 * its RESUME first, as a cross-node JOIN. 1 when c was passed on. A directory that does not
 * answer leaves resuming to presentations that meet on one node. */
static int resume_elsewhere(struct relay *r, struct conn *c, const uint8_t *ticket)
{
    if (!r->cl || c->link)
        return 0;
    unsigned char md[32];
    unsigned mdlen = 0;
    char key[2 * sizeof(md) + 1], addr[256];
    if (EVP_Digest(ticket, RELAY_RESUME_TICKET_LEN, md, &mdlen, EVP_sha256(), NULL) != 1 ||
        mdlen != sizeof(md))
        return 0;
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(key + 2 * i, 3, "%02x", md[i]);
    if (relay_cluster_resume_at(r->cl, key, RELAY_RESUME_WINDOW_MS, addr, sizeof(addr)) != 0)
        return 0;
    relay_link_open(r, c, addr);
    return 1;
}

void relay_handle_resume(struct relay *r, struct conn *c, const struct sasae_env_msg *m)
{
    bool host = m->reason == SASAE_ENV_RESUME_HOST;
    c->role = host ? R_HOST : R_VIEWER;
    if (relay_refuse_at_door(r, c, m->version))
        return;
    if (!host && !c->is_operator) {
        r->m.rej_not_operator++;
        relay_audit_simple(r, "resume", c, "failed", "no operator certificate");
        relay_fail(r, c, SASAE_ENV_ERR_NOT_OPERATOR, "an operator certificate is required", 0);
        return;
    }
    if (relay_refuse_new_session(r, c, "resume"))
        return;
    if (resume_elsewhere(r, c, m->ticket))
        return;
    void *peer = NULL;
    int rc = relay_resume_present(
        r->resume, m->ticket, host ? RELAY_RESUME_HOST : RELAY_RESUME_VIEWER, c, now_ms(), &peer);
    if (rc == RELAY_RESUME_WAITING) {
        r->m.resume_waited++;
        c->state = C_RESUMING;
        relay_audit_simple(r, "resume", c, "waiting", NULL);
        return;
    }
    if (rc != RELAY_RESUME_MATCHED || sasae_rt_session_resume(r->rt) != SASAE_RT_OK) {
        const char *why = rc == RELAY_RESUME_E_USED    ? "resume ticket already used"
                          : rc == RELAY_RESUME_E_FULL  ? "too many sessions resuming"
                          : rc == RELAY_RESUME_MATCHED ? "relay at its session limit"
                                                       : "bad resume ticket";
        r->m.resume_failed++;
        relay_audit_simple(r, "resume", c, "failed", why);
        if (rc == RELAY_RESUME_MATCHED)
            relay_fail(r, peer, SASAE_ENV_ERR_FULL, why, 0);
        relay_fail(r, c, rc == RELAY_RESUME_E_USED ? SASAE_ENV_ERR_BAD_CODE : SASAE_ENV_ERR_FULL,
                   why, 0);
        return;
    }
    struct conn *p = peer, *h = host ? c : p, *v = host ? p : c;
    /* A host presenting second is paired at once, but its CRL request is still on its way
     * (it follows RESUME) and the CRL must reach it before PEER_JOINED: both sides hear
     * PEER_JOINED once that request is answered (or at the next second's tick). */
    if (relay_pair_session(r, h, v, "", c->link == 2 ? c->via_sid : relay_new_session_id(r),
                           host) == 0) {
        r->m.resume_paired++;
        relay_audit_simple(r, "paired", v, "resumed",
                           "the same resume ticket from host and operator");
    }
}

void relay_resume_tick(struct relay *r, uint64_t t)
{
    void *late[64];
    size_t n;
    while ((n = relay_resume_expire(r->resume, t, late, 64)) > 0) {
        for (size_t i = 0; i < n; i++) {
            struct conn *c = late[i];
            r->m.resume_expired++;
            relay_audit_simple(r, "end", c, "expired", "the other side did not resume in time");
            c->state = C_NEW; /* out of the table already */
            relay_fail(r, c, SASAE_ENV_ERR_UNPAIRED, "the other side did not come back in time", 0);
        }
        if (n < 64)
            break;
    }
}

void relay_resume_gone(struct relay *r, struct conn *c)
{
    relay_audit_simple(r, "end", c, "unpaired", "left before the other side resumed");
    relay_resume_forget(r->resume, c);
}

size_t relay_resume_metrics(const struct relay *r, char *b, size_t cap)
{
    int n = snprintf(b, cap,
                     "# TYPE sasae_relay_resumes_total counter\n"
                     "sasae_relay_resumes_total{result=\"waited\"} %llu\n"
                     "sasae_relay_resumes_total{result=\"paired\"} %llu\n"
                     "sasae_relay_resumes_total{result=\"failed\"} %llu\n"
                     "sasae_relay_resumes_total{result=\"expired\"} %llu\n"
                     "# TYPE sasae_relay_resume_tickets gauge\nsasae_relay_resume_tickets %zu\n",
                     (unsigned long long)r->m.resume_waited, (unsigned long long)r->m.resume_paired,
                     (unsigned long long)r->m.resume_failed,
                     (unsigned long long)r->m.resume_expired, relay_resume_count(r->resume));
    return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}
