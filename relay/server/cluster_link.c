/* Cluster mode: the shared directory as the relay uses it (routing parts, session ids),
 * and node-to-node links: a viewer whose code another node holds is spliced, unread, to a
 * mutually authenticated websocket to that node. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/rand.h>

#include "relay.h"

/* The routing part of code (its first 6 digits), the directory's key. */
void relay_routing_part(const char *code, char *rp)
{
    memcpy(rp, code, SASAE_RT_ROUTING_DIGITS);
    rp[SASAE_RT_ROUTING_DIGITS] = '\0';
}

/* code is no longer joinable here (consumed, burned, expired, host gone). */
void relay_code_release(struct relay *r, const char *code)
{
    if (!r->cl || strlen(code) < SASAE_RT_ROUTING_DIGITS)
        return;
    char rp[SASAE_RT_ROUTING_DIGITS + 1];
    relay_routing_part(code, rp);
    relay_cluster_release(r->cl, rp);
}

/* A session id: a counter on a single relay; random in a cluster, so that the nodes a
 * session crosses log it under one id without asking each other. */
uint64_t relay_new_session_id(struct relay *r)
{
    if (!r->cl)
        return ++r->next_session_id;
    uint64_t id = 0;
    if (RAND_bytes((unsigned char *)&id, sizeof(id)) != 1)
        id = ++r->next_session_id;
    id &= INT64_MAX;
    return id ? id : 1;
}

static void hex_encode(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; *in && n + 3 <= cap; in++, n += 2)
        snprintf(out + n, 3, "%02x", (unsigned char)*in);
    out[n] = '\0';
    if (!n && cap > 1)
        strcpy(out, "-");
}

/* Decodes hex (or "-": empty) into out; -1 on anything else or if it does not fit. */
static int hex_decode(const char *in, char *out, size_t cap)
{
    if (!strcmp(in, "-")) {
        out[0] = '\0';
        return 0;
    }
    size_t len = strlen(in);
    if (len % 2 || len / 2 >= cap)
        return -1;
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v;
        if (!isxdigit((unsigned char)in[2 * i]) || !isxdigit((unsigned char)in[2 * i + 1]) ||
            sscanf(in + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (char)v;
    }
    out[len / 2] = '\0';
    return 0;
}

/* Takes c off the relay's connection list (a link that never became a connection). */
static void conn_unlink(struct relay *r, struct conn *c)
{
    relay_unmark_dirty(r, c);
    relay_q_free(r, c);
    if (c->prev)
        c->prev->next = c->next;
    else
        r->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    r->n_conns--;
}

/* Link l to the host's node could not be made: the viewer hears why; l is freed. */
void relay_link_failed(struct relay *r, struct conn *l, const char *why)
{
    struct conn *v = l->peer;
    r->m.cluster_link_failed++;
    SASAE_WARN(TAG, "node-to-node link to %s failed: %s", l->link_host, why ? why : "?");
    if (v) {
        l->peer = NULL;
        v->peer = NULL;
        v->splice = 0;
        r->n_paired_conns -= 2;
        if (v->sess)
            v->sess->ended = 1; /* never began: no end record */
        relay_audit_simple(r, "join", v, "failed", "host's relay node unreachable");
        relay_fail(r, v, SASAE_ENV_ERR_INTERNAL,
                   "the host's relay node cannot be reached: try again", 0);
    }
    conn_unlink(r, l);
    relay_session_unref(l->sess);
    free(l);
}

/* Viewer c asked for a code that the node at addr ("host:port") holds: open a mutually
 * authenticated TLS websocket to that node's cluster listener and splice c to it. The link
 * carries c's JOIN first (still in c->ctl) and then every message both ways unread: the
 * end-to-end channel is the host's and the viewer's alone. The viewer's verified identity
 * (address, certificate, operator, organisation) and the session id go in the request
 * path, which only a node with the cluster's certificate can send. */
void relay_link_open(struct relay *r, struct conn *c, const char *addr)
{
    struct conn *l = calloc(1, sizeof(*l));
    struct session *s = calloc(1, sizeof(*s));
    struct frag *f = c->ctl ? relay_frag_new(r, c->ctl, c->ctl_len, 1, 1) : NULL;
    const char *colon = strrchr(addr, ':');
    if (!l || !s || !f || !colon || colon == addr ||
        (size_t)(colon - addr) >= sizeof(l->link_host)) {
        free(l);
        free(s);
        if (f)
            relay_frag_free(r, f);
        relay_fail(r, c, SASAE_ENV_ERR_INTERNAL, "cannot reach the host's relay node", 0);
        return;
    }
    memcpy(l->link_host, addr, (size_t)(colon - addr));
    uint64_t t = now_ms();
    s->id = relay_new_session_id(r);
    memcpy(s->code, c->code, sizeof(s->code));
    snprintf(s->op, sizeof(s->op), "%s", c->op);
    snprintf(s->org, sizeof(s->org), "%s", c->org);
    s->start_ms = t;
    s->refs = 2;
    s->remote = 1;
    char ha[2 * sizeof(c->addr) + 1], ho[2 * sizeof(c->op) + 1], hg[2 * sizeof(c->org) + 1];
    hex_encode(c->addr, ha, sizeof(ha));
    hex_encode(c->op, ho, sizeof(ho));
    hex_encode(c->org, hg, sizeof(hg));
    snprintf(l->link_path, sizeof(l->link_path), "/via/%016llx/%s/%s/%s/%s",
             (unsigned long long)s->id, ha, c->cert_id[0] ? c->cert_id : "-", ho, hg);
    l->link = 1;
    l->splice = 1;
    l->role = c->role == R_HOST ? R_VIEWER : R_HOST; /* the other side (a resume: either) */
    l->state = C_PAIRED;
    l->peer = c;
    l->sess = s;
    l->opened_ms = l->last_data_ms = t;
    snprintf(l->addr, sizeof(l->addr), "%.63s", addr);
    relay_q_append(l, f);
    c->splice = 1;
    c->peer = l;
    c->sess = s;
    c->state = C_PAIRED;
    c->last_data_ms = t;
    r->n_paired_conns += 2;
    l->next = r->conns;
    if (r->conns)
        r->conns->prev = l;
    r->conns = l;
    r->n_conns++;

    struct lws_client_connect_info i;
    memset(&i, 0, sizeof(i));
    i.context = r->ctx;
    i.vhost = r->cluster_vh;
    i.address = l->link_host;
    i.port = atoi(colon + 1);
    i.path = l->link_path;
    i.host = l->link_host;
    i.origin = l->link_host;
    i.protocol = SASAE_ENV_SUBPROTOCOL;
    i.local_protocol_name = SASAE_ENV_SUBPROTOCOL;
    i.ssl_connection = LCCSCF_USE_SSL;
    i.userdata = l;
    l->connecting = 1;
    struct lws *w = lws_client_connect_via_info(&i);
    l->connecting = 0;
    if (!w || l->conn_failed) {
        relay_link_failed(r, l, "connect");
        return;
    }
    l->wsi = w;
    r->m.cluster_forwarded++;
    relay_audit_simple(r, c->code[0] ? "join" : "resume", c, "forwarded", addr);
}

/* A link from another node arrived on the cluster listener (its TLS client certificate
 * was verified against cluster-ca): c stands for that node's viewer, whose identity the
 * path carries. 0, or -1 if the path is not a link's. */
int relay_link_accept(struct relay *r, struct conn *c)
{
    char p[600], *save = NULL;
    if (lws_hdr_copy(c->wsi, p, sizeof(p), WSI_TOKEN_GET_URI) <= 0)
        return -1;
    char *via = strtok_r(p, "/", &save), *sid = strtok_r(NULL, "/", &save),
         *ha = strtok_r(NULL, "/", &save), *cert = strtok_r(NULL, "/", &save),
         *ho = strtok_r(NULL, "/", &save), *hg = strtok_r(NULL, "/", &save);
    if (!via || strcmp(via, "via") || !sid || !ha || !cert || !ho || !hg ||
        strtok_r(NULL, "/", &save) || strlen(sid) != 16 || strlen(cert) >= sizeof(c->cert_id))
        return -1;
    char *end;
    unsigned long long id = strtoull(sid, &end, 16);
    if (*end || !id)
        return -1;
    char addr[sizeof(c->addr)], op[sizeof(c->op)], org[sizeof(c->org)];
    if (hex_decode(ha, addr, sizeof(addr)) || hex_decode(ho, op, sizeof(op)) ||
        hex_decode(hg, org, sizeof(org)) ||
        !sasae_env_text_valid((const uint8_t *)op, strlen(op)) ||
        !sasae_env_text_valid((const uint8_t *)org, strlen(org)))
        return -1;
    r->m.cluster_accepted++;
    c->link = 2;
    c->via_sid = id;
    /* the entry node verified the operator's certificate; no operator: a host resuming */
    c->is_operator = op[0] != 0;
    memcpy(c->addr, addr, sizeof(addr));
    memcpy(c->op, op, sizeof(op));
    memcpy(c->org, org, sizeof(org));
    snprintf(c->cert_id, sizeof(c->cert_id), "%s", strcmp(cert, "-") ? cert : "");
    return 0;
}

/* A spliced viewer or its link (cluster): every message passes to the other side as it
 * came, fragment by fragment, with the usual queue limits; only the first message from the
 * host's node (its answer to the join) is looked at, for the audit log. */
int relay_splice_receive(struct relay *r, struct conn *c, const uint8_t *in, size_t len)
{
    int final = lws_is_final_fragment(c->wsi) && !lws_remaining_packet_payload(c->wsi);
    struct conn *p = c->peer;
    int first = !c->in_msg;
    if (first) {
        if (!len && !final)
            return 0;
        c->in_msg = 1;
        c->msg_len = 0;
        c->msg_type = len ? in[0] : 0;
        /* (a CRL for a resuming host may come before the answer) */
        if (c->link == 1 && !c->answered && p && c->msg_type != SASAE_ENV_CRL) {
            c->answered = 1;
            if (c->msg_type == SASAE_ENV_PEER_JOINED) {
                relay_audit_simple(r, p->code[0] ? "join" : "resume", p, "ok",
                                   p->code[0] ? "joined on the host's node"
                                              : "matched on the node where the other side waited");
                relay_audit_simple(r, "paired", p, "ok", NULL);
                r->m.join_ok++;
                r->m.paired_total++;
            } else {
                relay_audit_simple(r, p->code[0] ? "join" : "resume", p, "failed",
                                   "refused by the other node");
                r->m.join_fail++;
                if (p->sess)
                    p->sess->ended = 1; /* never began: no end record */
            }
        }
    }
    c->msg_len += len;
    if (c->msg_len > SASAE_ENV_MSG_MAX) {
        r->m.rej_toobig++;
        relay_fail(r, c, SASAE_ENV_ERR_TOO_BIG, "message over 1 MiB + 65 bytes",
                   SASAE_ENV_LEFT_ERROR);
        return 0;
    }
    if (final)
        c->in_msg = 0;
    if (!p)
        return 0;
    if (p->link == 1 && !p->established) {
        /* The link is still being made: what the client sends meanwhile (a resuming host's
         * CRL request follows its RESUME at once) waits in the link's queue behind the first
         * message, a little of it; the other node judges it as it would from the client. */
        struct frag *f = p->qbytes + len <= SASAE_ENV_CONTROL_MAX * 4
                             ? relay_frag_new(r, in, len, first, final)
                             : NULL;
        if (!f) {
            r->m.rej_protocol++;
            relay_fail(r, c, SASAE_ENV_ERR_PROTOCOL, "data before pairing", SASAE_ENV_LEFT_ERROR);
            return 0;
        }
        relay_q_append(p, f);
        return 0;
    }
    relay_forward(r, c, p, in, len, first, final,
                  c->link == 1 ? p->role != R_HOST : c->role == R_HOST);
    return 0;
}

/* Cluster mode: the directory, and the node-to-node listener whose TLS requires a client
 * certificate signed by cluster-ca (its client side makes our links). 0 or -1. */
int relay_links_start(struct relay *r, const struct lws_protocols *protocols)
{
    r->cl = relay_cluster_new(r->cfg.cluster_redis, r->cfg.cluster_sentinel_master,
                              r->cfg.cluster_node, r->cfg.cluster_advertise);
    if (!r->cl) {
        SASAE_ERR(TAG,
                  "cluster-redis must be host:port (or, with cluster-sentinel-master, up to "
                  "%d Sentinels host:port,host:port,...)",
                  RELAY_CLUSTER_SERVERS_MAX);
        return -1;
    }
    struct lws_context_creation_info ci;
    memset(&ci, 0, sizeof(ci));
    ci.port = (int)r->cfg.cluster_port;
    ci.iface = r->cfg.listen;
    ci.protocols = protocols;
    ci.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS |
                 LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT;
    ci.ssl_cert_filepath = r->cfg.cluster_cert;
    ci.ssl_private_key_filepath = r->cfg.cluster_key;
    ci.ssl_ca_filepath = r->cfg.cluster_ca;
    ci.client_ssl_cert_filepath = r->cfg.cluster_cert;
    ci.client_ssl_private_key_filepath = r->cfg.cluster_key;
    ci.client_ssl_ca_filepath = r->cfg.cluster_ca;
    ci.tls1_3_plus_cipher_list = "TLS_AES_256_GCM_SHA384";
    ci.client_tls_1_3_plus_cipher_list = "TLS_AES_256_GCM_SHA384";
    ci.alpn = "http/1.1";
    ci.timeout_secs = r->cfg.handshake_timeout;
    ci.retry_and_idle_policy = &r->retry;
    ci.vhost_name = "sasae-cluster";
    r->making_cluster_vh = 1;
    r->cluster_vh = lws_create_vhost(r->ctx, &ci);
    r->making_cluster_vh = 0;
    if (!r->cluster_vh) {
        SASAE_ERR(TAG, "cannot start the node-to-node listener on %s:%u (cert %s, key %s, ca %s)",
                  r->cfg.listen, r->cfg.cluster_port, r->cfg.cluster_cert, r->cfg.cluster_key,
                  r->cfg.cluster_ca);
        relay_cluster_free(r->cl);
        r->cl = NULL;
        return -1;
    }
    int reaped = 0;
    if (relay_cluster_heartbeat(r->cl, &reaped))
        SASAE_WARN(TAG, "cluster directory %s not reachable yet: registrations fail until it is",
                   r->cfg.cluster_redis);
    SASAE_INFO(TAG, "cluster node %s: node-to-node links on %s:%u, advertised as %s",
               r->cfg.cluster_node, r->cfg.listen, r->cfg.cluster_port, r->cfg.cluster_advertise);
    return 0;
}

/* After Redis came back (restarted empty, failed over, or this node was cut off long
 * enough to be taken for dead): every waiting host's routing part is claimed again for the
 * rest of its code's life. A routing part another node holds now cannot stay valid here
 * (the same code could be live twice): that host is told to register again. */
int relay_links_reclaim_codes(struct relay *r, uint64_t t)
{
    int n = 0, lost = 0;
    for (struct conn *c = r->conns; c; c = c->next) {
        if (c->state != C_WAITING || c->role != R_HOST || !c->code[0])
            continue;
        uint64_t age_s = (t - c->code_ms) / 1000;
        if (age_s >= r->cfg.code_ttl)
            continue; /* expires on this tick */
        char rp[SASAE_RT_ROUTING_DIGITS + 1];
        relay_routing_part(c->code, rp);
        int rc = relay_cluster_reclaim(r->cl, rp, (unsigned)(r->cfg.code_ttl - age_s));
        if (rc < 0)
            return -EIO;
        if (rc == 0) {
            lost++;
            relay_audit_simple(r, "end", c, "failed",
                               "code taken by another node after a directory loss");
            sasae_rt_unregister(r->rt, c->code);
            c->code[0] = '\0';
            relay_fail(r, c, SASAE_ENV_ERR_UNPAIRED, "the code is no longer valid: register again",
                       0);
            continue;
        }
        n++;
    }
    SASAE_INFO(TAG, "cluster directory reconnected: %d waiting codes claimed again, %d lost", n,
               lost);
    return 0;
}

/* The cluster's figures: the directory's (cluster.c), cross-node sessions now (entry: a
 * viewer here spliced to the host's node; holder: a link from another node paired with a
 * host here), joins passed on and taken over, and the payload bytes on node-to-node links. */
size_t relay_links_metrics(struct relay *r, char *b, size_t cap)
{
    size_t entry = 0, holder = 0, links = 0;
    for (struct conn *c = r->conns; c; c = c->next) {
        links += c->link != 0;
        entry += c->link == 1 && c->established && c->peer;
        holder += c->link == 2 && c->state == C_PAIRED;
    }
    size_t n = relay_cluster_metrics(r->cl, b, cap);
    const struct metrics *m = &r->m;
    int k = snprintf(b + n, cap - n,
                     "# TYPE sasae_relay_cluster_sessions gauge\n"
                     "sasae_relay_cluster_sessions{side=\"entry\"} %zu\n"
                     "sasae_relay_cluster_sessions{side=\"holder\"} %zu\n"
                     "# TYPE sasae_relay_cluster_links gauge\nsasae_relay_cluster_links %zu\n"
                     "# TYPE sasae_relay_cluster_joins_total counter\n"
                     "sasae_relay_cluster_joins_total{dir=\"forwarded\"} %llu\n"
                     "sasae_relay_cluster_joins_total{dir=\"accepted\"} %llu\n"
                     "# TYPE sasae_relay_cluster_link_failures_total counter\n"
                     "sasae_relay_cluster_link_failures_total %llu\n"
                     "# TYPE sasae_relay_cluster_link_bytes_total counter\n"
                     "sasae_relay_cluster_link_bytes_total{dir=\"out\"} %llu\n"
                     "sasae_relay_cluster_link_bytes_total{dir=\"in\"} %llu\n"
                     "# TYPE sasae_relay_cluster_codes_reaped_total counter\n"
                     "sasae_relay_cluster_codes_reaped_total %llu\n"
                     "# TYPE sasae_relay_cluster_refused_total counter\n"
                     "sasae_relay_cluster_refused_total{reason=\"directory\"} %llu\n",
                     entry, holder, links, (unsigned long long)m->cluster_forwarded,
                     (unsigned long long)m->cluster_accepted,
                     (unsigned long long)m->cluster_link_failed, (unsigned long long)m->link_tx,
                     (unsigned long long)m->link_rx, (unsigned long long)m->cluster_reaped,
                     (unsigned long long)m->cluster_dir_down);
    if (k > 0 && (size_t)k < cap - n)
        n += (size_t)k;
    return n;
}
