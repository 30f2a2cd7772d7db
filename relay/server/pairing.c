/* Hosts register for a code, viewers join with one: the pairing, the session it starts,
 * and its end when either side leaves (audited, the other side told). */
#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "relay.h"

/* A waiting host leaves the table (its code can never be joined again). */
void relay_drop_code(struct relay *r, struct conn *c)
{
    if (c->state == C_WAITING && c->code[0]) {
        sasae_rt_unregister(r->rt, c->code);
        relay_code_release(r, c->code);
        c->code[0] = '\0';
    }
}

static void session_end(struct relay *r, struct session *s, const char *ended_by,
                        const char *reason)
{
    if (!s->ended) {
        s->ended = 1;
        struct sasae_audit_rec a = {
            .event = "end",
            .session = s->id,
            .code = s->code,
            .operator_name = s->op,
            .org = s->org,
            .ended_by = ended_by,
            .reason = reason,
            .bytes_host_to_viewer = (int64_t)s->h2v,
            .bytes_viewer_to_host = (int64_t)s->v2h,
            .duration_ms = (int64_t)(now_ms() - s->start_ms),
        };
        sasae_audit_write(r->audit, &a);
        r->m.audit_events++;
        if (!s->remote)
            sasae_rt_session_end(r->rt);
    }
}

void relay_session_unref(struct session *s)
{
    if (s && --s->refs == 0)
        free(s);
}

/* c is going away (closed or failed): tell its peer and end the session. */
void relay_detach_peer(struct relay *r, struct conn *c, uint8_t reason, const char *text)
{
    struct conn *p = c->peer;
    if (!p)
        return;
    c->peer = NULL;
    p->peer = NULL;
    /* Whoever was paused for the other's sake must be read again to see its close. */
    if (c->paused_peer)
        lws_rx_flow_control(p->wsi, 1);
    if (p->paused_peer)
        lws_rx_flow_control(c->wsi, 1);
    c->paused_peer = p->paused_peer = 0;
    c->stuck_since_ms = p->stuck_since_ms = 0;
    r->n_paired_conns -= 2;
    if (c->sess)
        session_end(r, c->sess,
                    reason == SASAE_ENV_LEFT_CLOSED || reason == SASAE_ENV_LEFT_LOST ||
                            reason == SASAE_ENV_LEFT_ERROR
                        ? (c->role == R_HOST ? "host" : "viewer")
                        : "relay",
                    text);
    if (p->state == C_CLOSING)
        return;
    if (c->splice) {
        /* A spliced pair: the host's node tells the viewer itself (its PEER_LEFT passes
         * through); toward that node, the close carries why the viewer ended. */
        char t[sizeof(c->peer_end) + 8];
        snprintf(t, sizeof(t), "end: %s", c->peer_end[0] ? c->peer_end : "closed");
        relay_close_after_flush(p,
                                p->out_mid ? LWS_CLOSE_STATUS_GOINGAWAY : LWS_CLOSE_STATUS_NORMAL,
                                p->link == 1 ? t : "peer left");
        return;
    }
    if (p->out_mid) {
        /* Its stream is in the middle of c's message, which will never finish: only a
         * close frame (allowed between fragments) can still be sent. */
        relay_close_after_flush(p, LWS_CLOSE_STATUS_GOINGAWAY, sasae_env_left_str(reason));
        return;
    }
    struct sasae_env_msg m = {.type = SASAE_ENV_PEER_LEFT, .reason = reason};
    snprintf(m.text, sizeof(m.text), "%s", text ? text : "");
    relay_send_msg(r, p, &m);
    relay_close_after_flush(p, LWS_CLOSE_STATUS_NORMAL, "peer left");
}

void relay_handle_register(struct relay *r, struct conn *c, const struct sasae_env_msg *m)
{
    if (relay_refuse_at_door(r, c, m->version))
        return;
    if (relay_refuse_new_session(r, c, "register"))
        return;
    int rc = sasae_rt_register(r->rt, c, now_ms(), c->code);
    /* In a cluster the routing part must be unique among every node's live codes: claim it
     * in the directory, and draw again while another node holds it. */
    for (int tries = 0; !rc && r->cl; tries++) {
        char rp[SASAE_RT_ROUTING_DIGITS + 1];
        relay_routing_part(c->code, rp);
        int claimed = relay_cluster_claim(r->cl, rp, r->cfg.code_ttl);
        if (claimed == 1)
            break;
        sasae_rt_unregister(r->rt, c->code);
        c->code[0] = '\0';
        if (claimed < 0 || tries == 16) {
            r->m.cluster_dir_down += claimed < 0;
            relay_fail(r, c, SASAE_ENV_ERR_INTERNAL,
                       "the relay cluster's directory is unavailable: try again shortly", 0);
            relay_audit_simple(r, "register", c, "refused", "cluster directory unavailable");
            return;
        }
        rc = sasae_rt_register(r->rt, c, now_ms(), c->code);
    }
    if (rc) {
        r->m.rej_full += rc == SASAE_RT_E_FULL;
        relay_fail(r, c, rc == SASAE_RT_E_FULL ? SASAE_ENV_ERR_FULL : SASAE_ENV_ERR_INTERNAL,
                   sasae_rt_strerror(rc), 0);
        relay_audit_simple(r, "register", c, "refused", sasae_rt_strerror(rc));
        return;
    }
    c->role = R_HOST;
    c->state = C_WAITING;
    c->code_ms = now_ms();
    struct sasae_env_msg out = {.type = SASAE_ENV_CODE, .valid_secs = r->cfg.code_ttl};
    memcpy(out.code, c->code, sizeof(out.code));
    relay_send_msg(r, c, &out);
    r->m.registered_total++;
    relay_audit_simple(r, "register", c, "ok", NULL);
}

/* The table burned h's code (5 near misses): audit it with the addresses, tell the host. */
static void burn_code(struct relay *r, struct conn *h, const struct sasae_rt_burn *b)
{
    char why[SASAE_RT_BURN_AFTER * (SASAE_RT_ADDR_MAX + 2) + 64];
    size_t n = (size_t)snprintf(why, sizeof(why), "%d failed joins from", SASAE_RT_BURN_AFTER);
    for (int i = 0; i < SASAE_RT_BURN_AFTER && n < sizeof(why); i++)
        n += (size_t)snprintf(why + n, sizeof(why) - n, "%s%s", i ? ", " : " ", b->addrs[i]);
    SASAE_WARN(TAG, "code %.6s... burned: %s", b->code, why);
    r->m.burned++;
    relay_audit_simple(r, "burned", h, "burned", why);
    relay_code_release(r, b->code);
    h->code[0] = '\0'; /* already out of the table; its routing part may be reissued */
    relay_fail(r, h, SASAE_ENV_ERR_BURNED, "wrong check digits were tried 5 times; register again",
               0);
}

void relay_handle_join(struct relay *r, struct conn *c, const struct sasae_env_msg *m)
{
    c->role = R_VIEWER;
    if (relay_refuse_at_door(r, c, m->version))
        return;
    if (relay_refuse_new_session(r, c, "join"))
        return;
    void *hostp = NULL;
    struct sasae_rt_burn burn;
    memcpy(c->code, m->code, sizeof(c->code));
    int rc = c->is_operator ? relay_auth_join_limited(r, c) : 0;
    int dir_down = 0;
    if (!rc && r->cl && c->is_operator && c->link != 2) {
        /* Another node holds the code: join across (a link from a node is never passed on,
         * so a stale directory entry cannot make a loop). */
        char rp[SASAE_RT_ROUTING_DIGITS + 1], addr[256];
        int self = 0;
        relay_routing_part(m->code, rp);
        int found = relay_cluster_lookup(r->cl, rp, addr, sizeof(addr), &self);
        if (found == 1 && !self) {
            relay_link_open(r, c, addr);
            return;
        }
        dir_down = found < 0;
    }
    if (!rc)
        rc = sasae_rt_join(r->rt, c->addr, c->cert_id, m->code, c->is_operator, now_ms(), &hostp,
                           &burn);
    struct conn *h = hostp;
    if (rc == SASAE_RT_E_BURNED) {
        burn_code(r, h, &burn);
        rc = SASAE_RT_E_BAD_CODE; /* the joiner hears what any wrong code gets */
    }
    if (rc == SASAE_RT_E_BAD_CODE && dir_down) {
        /* Not held here, and the directory cannot say where: the code may be a good one on
         * another node, so the viewer is told to retry rather than that the code is wrong
         * (this node's table has counted the failure all the same). */
        r->m.join_fail++;
        r->m.cluster_dir_down++;
        relay_audit_simple(r, "join", c, "failed", "cluster directory unavailable");
        relay_fail(r, c, SASAE_ENV_ERR_INTERNAL,
                   "the relay cluster's directory is unavailable: try again shortly", 0);
        return;
    }
    if (rc != SASAE_RT_OK) {
        r->m.join_fail++;
        uint16_t code = SASAE_ENV_ERR_BAD_CODE;
        if (rc == SASAE_RT_E_RATE) {
            code = SASAE_ENV_ERR_RATE;
            r->m.rej_rate++;
        } else if (rc == SASAE_RT_E_GLOBAL_RATE) {
            code = SASAE_ENV_ERR_RATE;
            if (!r->m.rej_join_fail_global++ || now_ms() - r->join_fail_global_warned_ms >= 60000) {
                r->join_fail_global_warned_ms = now_ms();
                SASAE_WARN(TAG,
                           "relay-wide failed-join cap (%u/min) reached: refusing all joins "
                           "until it refills (%llu refused so far)",
                           r->cfg.max_failed_joins_global,
                           (unsigned long long)r->m.rej_join_fail_global);
            }
        } else if (rc == SASAE_RT_E_NOT_AUTH) {
            code = SASAE_ENV_ERR_NOT_OPERATOR;
            r->m.rej_not_operator++;
        } else {
            r->m.rej_bad_code++;
            relay_auth_join_failed(r, c);
        }
        relay_audit_simple(r, "join", c, "failed", sasae_rt_strerror(rc));
        relay_fail(r, c, code, sasae_rt_strerror(rc), 0);
        return;
    }
    relay_code_release(r, m->code); /* consumed */
    uint64_t sid = c->link == 2 ? c->via_sid : relay_new_session_id(r);
    if (relay_pair_session(r, h, c, m->code, sid, 0) == 0) {
        r->m.join_ok++;
        relay_audit_simple(r, "join", c, "ok", NULL);
        relay_audit_simple(r, "paired", c, "ok", NULL);
    }
}

int relay_pair_session(struct relay *r, struct conn *h, struct conn *c, const char *code,
                       uint64_t sid, int hold)
{
    struct session *s = calloc(1, sizeof(*s));
    if (!s) {
        sasae_rt_session_end(r->rt);
        relay_fail(r, h, SASAE_ENV_ERR_INTERNAL, "", 0);
        relay_fail(r, c, SASAE_ENV_ERR_INTERNAL, "", 0);
        return -1;
    }
    s->id = sid;
    snprintf(s->code, sizeof(s->code), "%s", code);
    snprintf(s->op, sizeof(s->op), "%s", c->op);
    snprintf(s->org, sizeof(s->org), "%s", c->org);
    s->start_ms = now_ms();
    s->refs = 2;
    c->sess = h->sess = s;
    c->peer = h;
    h->peer = c;
    c->state = h->state = C_PAIRED;
    c->last_data_ms = h->last_data_ms = s->start_ms;
    r->n_paired_conns += 2;
    r->m.paired_total++;
    struct sasae_env_msg to_host = {.type = SASAE_ENV_PEER_JOINED};
    snprintf(to_host.text, sizeof(to_host.text), "%s", c->op);
    snprintf(to_host.org, sizeof(to_host.org), "%s", c->org);
    struct sasae_env_msg to_viewer = {.type = SASAE_ENV_PEER_JOINED};
    /* The host checks the operator against the CRL as published now, not as it was when
     * it registered: a revocation since then reaches a host that is already waiting. */
    if (h->crl_sub)
        relay_send_crl(r, h);
    if (hold) {
        h->joined_held_ms = c->joined_held_ms = s->start_ms;
        return 0;
    }
    relay_send_msg(r, h, &to_host);
    relay_send_msg(r, c, &to_viewer);
    return 0;
}

void relay_release_joined(struct relay *r, struct conn *h)
{
    struct conn *v = h->peer;
    if (!h->joined_held_ms || h->state != C_PAIRED || !v)
        return;
    h->joined_held_ms = v->joined_held_ms = 0;
    struct sasae_env_msg to_host = {.type = SASAE_ENV_PEER_JOINED};
    snprintf(to_host.text, sizeof(to_host.text), "%s", v->op);
    snprintf(to_host.org, sizeof(to_host.org), "%s", v->org);
    struct sasae_env_msg to_viewer = {.type = SASAE_ENV_PEER_JOINED};
    /* as in relay_pair_session: the CRL as published now, right before PEER_JOINED */
    if (h->crl_sub)
        relay_send_crl(r, h);
    relay_send_msg(r, h, &to_host);
    relay_send_msg(r, v, &to_viewer);
}

void relay_handle_audit(struct relay *r, struct conn *c, const struct sasae_env_msg *m)
{
    struct sasae_audit_rec a = {
        .event = "host-event",
        .session = c->sess->id,
        .code = c->sess->code,
        .addr = c->addr,
        .role = "host",
        .operator_name = c->sess->op,
        .org = c->sess->org,
        .result = sasae_env_audit_str(m->reason),
        .reason = m->text[0] ? m->text : NULL,
        .bytes_host_to_viewer = -1,
        .bytes_viewer_to_host = -1,
        .duration_ms = -1,
    };
    sasae_audit_write(r->audit, &a);
    r->m.audit_events++;
}
