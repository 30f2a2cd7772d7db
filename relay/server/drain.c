/* The relay's clock and its signals: the tick timer (code expiry, hello/idle/stuck cuts,
 * cluster heartbeat, table GC), SIGHUP (reopen the audit log, reload certificates), and
 * SIGTERM's drain. */
#include <malloc.h>
#include <signal.h>

#include "audit.h"
#include "relay.h"

/* A signal handler has no argument to carry the relay: it only sets these flags (the tick
 * acts on them) and wakes the loop of the relay installed. */
static struct relay *sig_relay;
static volatile sig_atomic_t sig_term, sig_hup;

/* Tells every connection the relay is going (keep_sessions: all but paired ones). */
static void drain_tell(struct relay *r, int keep_sessions)
{
    for (struct conn *c = r->conns; c; c = c->next) {
        if (c->state == C_CLOSING)
            continue;
        if (keep_sessions && c->peer)
            continue;
        if (c->peer) {
            c->left_reason = SASAE_ENV_LEFT_SHUTDOWN;
            relay_detach_peer(r, c, SASAE_ENV_LEFT_SHUTDOWN, "relay shutting down");
            struct sasae_env_msg m = {.type = SASAE_ENV_PEER_LEFT,
                                      .reason = SASAE_ENV_LEFT_SHUTDOWN};
            relay_send_msg(r, c, &m); /* refused (and only the close sent) if mid-message */
            relay_close_after_flush(c, LWS_CLOSE_STATUS_GOINGAWAY, "relay shutting down");
            continue;
        }
        relay_fail(r, c, SASAE_ENV_ERR_SHUTDOWN, "relay shutting down", SASAE_ENV_LEFT_SHUTDOWN);
    }
}

static void start_drain(struct relay *r)
{
    if (r->draining)
        return;
    r->draining = 1;
    r->drain_deadline_ms = now_ms() + (uint64_t)r->cfg.drain_timeout * 1000;
    /* In a cluster the balancer sends new customers to the other nodes (/healthz says
     * draining): running sessions may finish, up to drain-timeout; then they are cut like
     * a single relay's. */
    SASAE_INFO(TAG, "draining: telling %zu connections%s", r->n_conns,
               r->cl ? " (sessions may run on until drain-timeout)" : "");
    drain_tell(r, r->cl != NULL);
    r->drain_cut = r->cl == NULL;
}

void relay_tick(lws_sorted_usec_list_t *sul)
{
    struct relay *r = lws_container_of(sul, struct relay, tick);
    uint64_t t = now_ms();
    if (sig_hup) {
        sig_hup = 0;
        SASAE_INFO(TAG, "SIGHUP: reopening audit log, reloading certificates");
        sasae_audit_reopen(r->audit);
        relay_reload_certs(r);
        relay_refresh_served_crl(r, 1);
    }
    if (sig_term)
        start_drain(r);
    if (r->draining && !r->drain_cut && t >= r->drain_deadline_ms) {
        SASAE_INFO(TAG, "drain-timeout: ending %zu sessions", r->n_paired_conns / 2);
        drain_tell(r, 0);
        r->drain_cut = 1;
        r->drain_deadline_ms = t + 2000; /* for the goodbyes to leave */
    }
    if (r->draining && (!r->n_conns || (r->drain_cut && t >= r->drain_deadline_ms))) {
        r->exit = 1;
        /* With an event library lws_service() runs the loop until the context is being
         * destroyed; this first destroy call stops it (main() completes it). */
        if (r->evlib)
            lws_context_destroy(r->ctx);
        else
            lws_cancel_service(r->ctx);
        return;
    }
    if (t - r->last_sec_ms >= 1000) {
        r->last_sec_ms = t;
        int reaped = 0;
        /* A draining node stays alive in the directory while its sessions finish. */
        if (r->cl && relay_cluster_heartbeat(r->cl, &reaped) == 0) {
            r->m.cluster_reaped += (uint64_t)reaped;
            if (relay_cluster_take_reconnected(r->cl))
                r->cl_reclaim = 1;
            if (r->cl_reclaim)
                r->cl_reclaim = relay_links_reclaim_codes(r, t) < 0;
        }
        void *hosts[256];
        size_t n;
        while ((n = sasae_rt_expire(r->rt, t, hosts, 256)) > 0) {
            for (size_t i = 0; i < n; i++) {
                struct conn *h = hosts[i];
                r->m.expired++;
                relay_audit_simple(r, "end", h, "expired", "nobody joined before the code expired");
                relay_code_release(r, h->code);
                h->code[0] = '\0';
                relay_fail(r, h, SASAE_ENV_ERR_UNPAIRED, "nobody joined before the code expired",
                           0);
            }
            if (n < 256)
                break;
        }
        relay_resume_tick(r, t);
        for (struct conn *c = r->conns; c; c = c->next) {
            /* a resumed host that asked for no CRL: its viewer need not wait longer */
            if (c->joined_held_ms && c->role == R_HOST && t - c->joined_held_ms >= 500)
                relay_release_joined(r, c);
            /* An unmasked ping or pong never reaches on_receive: caught here. */
            if (c->state != C_CLOSING && c->link != 1 &&
                relay_wsguard_verdict(c) == RELAY_WSG_UNMASKED) {
                relay_refuse_frame(r, c, LWS_CLOSE_STATUS_PROTOCOL_ERR, "unmasked client frame");
                continue;
            }
            if (c->state == C_NEW && t - c->opened_ms > (uint64_t)r->cfg.hello_timeout * 1000) {
                r->m.rej_hello++;
                relay_fail(r, c, SASAE_ENV_ERR_PROTOCOL, "no register or join in time", 0);
            } else if (c->state == C_PAIRED && c->peer && c->role == R_HOST &&
                       t - c->last_data_ms > (uint64_t)r->cfg.idle_timeout * 1000 &&
                       t - c->peer->last_data_ms > (uint64_t)r->cfg.idle_timeout * 1000) {
                r->m.rej_idle++;
                relay_detach_peer(r, c, SASAE_ENV_LEFT_TIMEOUT, "idle timeout");
                relay_fail(r, c, SASAE_ENV_ERR_IDLE, "no data in either direction", 0);
            } else if (c->paused_peer && c->stuck_since_ms &&
                       t - c->stuck_since_ms > (uint64_t)r->cfg.stuck_timeout * 1000) {
                /* c has not read its data for too long: cut it, free its queue at once
                 * (it cannot be flushed), and tell the sender why. */
                r->m.stuck++;
                SASAE_WARN(TAG, "cutting %s %s: queue full for %u s", c->addr,
                           c->role == R_HOST ? "host" : "viewer", r->cfg.stuck_timeout);
                struct conn *p = c->peer;
                c->paused_peer = 0;
                if (p)
                    lws_rx_flow_control(p->wsi, 1);
                relay_detach_peer(r, c, SASAE_ENV_LEFT_STUCK, "peer did not read its data in time");
                relay_q_free(r, c);
                c->out_mid = 0;
                c->state = C_CLOSING;
                lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
            }
        }
    }
    if (t - r->last_gc_ms >= 10000) {
        r->last_gc_ms = t;
        sasae_rt_gc(r->rt, t);
        /* TLS handshakes leave freed buffers scattered over the heap; hand them back so
         * RSS tracks the connections actually held (matters at 10k+ idle hosts). */
        malloc_trim(0);
    }
    lws_sul_schedule(r->ctx, 0, &r->tick, relay_tick, TICK_US);
}

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        sig_hup = 1;
    else
        sig_term = 1;
    if (sig_relay && sig_relay->ctx)
        lws_cancel_service(sig_relay->ctx);
}

void relay_signals_install(struct relay *r)
{
    sig_relay = r;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}
