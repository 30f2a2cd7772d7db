/* sasae-relay's internals, shared by its files: the connection, session and relay state,
 * and each file's entry points. The program is the libwebsockets adapter around the pure
 * relay table (sasae/relaytable.h); every function takes the relay it works on (struct
 * relay), which the lws callbacks get from their context's user pointer. Files:
 *   relay.c         main: configuration, limits, lws context, the service loop
 *   callbacks.c     the lws protocol callbacks (thin: they dispatch to the files below)
 *   relay_tls.c     TLS policy, operator CA and CRL store, the CRL served to hosts
 *   wsguard_ssl.c   SSL_read interposition: every client frame is masked (RFC 6455 5.1)
 *   auth.c          who a client is (operator certificate, node certificate), failed-join
 *                   counters shared by a cluster
 *   admission.c     refusing connections and sessions the relay cannot serve (descriptors,
 *                   memory, audit log, connection rate)
 *   conn.c          a websocket connection's life: established, receive dispatch, closed
 *   pairing.c       register, join, sessions and their end, a peer leaving
 *   resuming.c      RESUME: a session cut by a relay loss pairs again by its ticket
 *                   (the pure ticket table is resume.c, in sasae_relay_core)
 *   forward.c       send queues, forwarding with backpressure, flushing frames
 *   cluster_link.c  cluster: directory glue and node-to-node links (splicing)
 *   metrics_http.c  /healthz and /metrics
 *   drain.c         the tick timer: expiry, idle/stuck cuts, signals, drain
 *   rxbuf.c         lws receive buffers from the rxpool */
#ifndef SASAE_RELAY_INTERNAL_H
#define SASAE_RELAY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <libwebsockets.h>
#include <openssl/ssl.h>

#include "cluster.h"
#include "config.h"
#include "resume.h"
#include "sasae/common.h"
#include "sasae/envelope.h"
#include "sasae/relaytable.h"
#include "wsguard.h"

#define TAG "relay"
#define TICK_US (250 * 1000)

/* X.509 upper bound for CN and O (RFC 5280 ub-common-name, ub-organization-name). */
#define NAME_MAX_LEN 64

/* Bytes of queued frames sent per WRITEABLE (one lws_write, one SSL_write). */
#define TX_CHUNK (64 * 1024)
#define WS_HDR_MAX 14 /* 10, and a 4-byte mask key on node-to-node links */

enum role { R_NONE, R_HOST, R_VIEWER };
/* C_RESUMING: presented a resume ticket, waits for the other side's (resuming.c) */
enum cstate { C_NEW, C_WAITING, C_PAIRED, C_CLOSING, C_RESUMING };

/* One queued websocket fragment (or whole relay message) for a connection. */
struct frag {
    struct frag *next;
    size_t len;
    uint8_t first, final;
    uint8_t pooled; /* a frag_block-sized block from the relay's free list */
    uint8_t buf[];  /* len bytes (pooled: frag_block) */
};

struct session {
    uint64_t id;
    char code[SASAE_ENV_CODE_LEN + 1];
    char op[SASAE_ENV_TEXT_MAX + 1], org[SASAE_ENV_TEXT_MAX + 1];
    uint64_t start_ms;
    uint64_t h2v, v2h;
    int refs;
    int ended;
    int remote; /* spliced to the host's node: that node's table holds the session */
};

struct conn {
    struct lws *wsi;
    struct conn *peer;
    struct session *sess;
    struct conn *next, *prev; /* all websocket connections (for ticks) */
    enum role role;
    enum cstate state;
    char addr[64];
    int is_operator;
    char op[NAME_MAX_LEN + 1], org[NAME_MAX_LEN + 1];
    char cert_id[33]; /* operator certificate: first 16 bytes of its SHA-256, hex */
    char code[SASAE_ENV_CODE_LEN + 1];
    uint64_t code_ms; /* when the code was issued (a cluster re-claims it with its rest) */
    /* a pair whose PEER_JOINED waits for the host's CRL request (a host that resumed second
     * sends it right behind RESUME, and must have the CRL before PEER_JOINED): since when,
     * or 0 */
    uint64_t joined_held_ms;
    int counted;
    uint64_t opened_ms, last_data_ms, stuck_since_ms;
    /* receive side */
    int in_msg;
    uint8_t msg_type;
    size_t msg_len;
    uint8_t *ctl; /* control message being received (malloc'd while in use) */
    size_t ctl_len;
    int paused_peer; /* we paused our peer's reading because our queue is full */
    int dirty;       /* on the relay's dirty list: queued since the last flush pass */
    struct conn *dnext;
    /* send side (to this connection) */
    struct frag *qh, *qt;
    size_t qbytes;
    int out_mid; /* last queued fragment did not end its message */
    int close_after, close_status;
    char close_text[100];
    int peer_closed_normally;
    char peer_end[48];   /* "signal" from a close frame's "end: signal": why its session ended */
    uint8_t left_reason; /* what the peer is told when we go */
    int crl_sub;         /* host asked for the CRL: sent now and again right before pairing */
    /* cluster: 1 = our link to the host's node (a websocket client standing in for the
     * host), 2 = a link from another node (standing in for that node's viewer) */
    int link;
    int splice;       /* messages pass through unread: a viewer and its link (link 1) */
    int established;  /* link 1: the other node accepted it */
    int connecting;   /* link 1: inside lws_client_connect_via_info */
    int conn_failed;  /* link 1: the connection failed while connecting */
    int answered;     /* link 1: the host's node answered the join */
    uint64_t via_sid; /* link 2: the session id the entry node chose */
    char link_path[512];
    char link_host[256];
};

struct http_pss {
    char *body;
    size_t len;
    unsigned status;
};

struct metrics {
    uint64_t conns_total, ws_total, paired_total, registered_total;
    uint64_t bytes_h2v, bytes_v2h, msgs_fwd;
    uint64_t pauses, stuck, expired, burned, join_ok, join_fail, rej_join_fail_global;
    uint64_t rej_rate, rej_addr, rej_full, rej_protocol, rej_toobig, rej_subprotocol,
        rej_not_operator, rej_bad_code, rej_version, rej_idle, rej_hello;
    uint64_t audit_events;
    uint64_t fd_refused_accept, fd_refused_join; /* out of file descriptors */
    uint64_t audit_refused;                      /* audit log unwritable */
    uint64_t mem_refused;                        /* memory tight */
    uint64_t cluster_forwarded, cluster_link_failed, cluster_reaped, cluster_dir_down;
    uint64_t resume_waited, resume_paired, resume_failed, resume_expired; /* resuming.c */
    uint64_t cluster_accepted, link_tx, link_rx; /* joins from other nodes; link payload bytes */
};

struct relay {
    struct relay_config cfg;
    struct lws_context *ctx;
    struct lws_vhost *vh;
    SSL_CTX *ssl_ctx;
    struct sasae_rt *rt;
    struct relay_resume *resume; /* resume tickets presented after a relay loss */
    struct sasae_audit *audit;
    struct conn *conns;
    size_t n_conns, n_paired_conns;
    uint64_t next_session_id;
    uint64_t join_fail_global_warned_ms;
    lws_sorted_usec_list_t tick;
    lws_sorted_usec_list_t flush_sul; /* runs flush_dirty() once the current I/O is done */
    struct conn *dirty;               /* connections with newly queued frames */
    uint64_t last_sec_ms, last_gc_ms;
    int draining, evlib;
    int nofile;       /* the descriptor limit the relay runs with */
    int probe_fd;     /* /dev/null, duplicated to find the lowest free descriptor (-1: none) */
    long as_limit_kb; /* RLIMIT_AS at start, kB (0: none) */
    uint64_t drain_deadline_ms;
    int drain_cut; /* sessions told to end (at once on a single relay) */
    int exit;
    struct metrics m;
    lws_retry_bo_t retry;
    uint8_t *tx; /* LWS_PRE + the frames of one flush_queue() */
    /* Recycled fragment blocks: most forwarded fragments are one rx buffer long, and
     * blocks that size miss malloc's fast paths. */
    struct frag *free_frags;
    size_t n_free_frags, frag_block;
    /* The CRL file served to hosts (DER of its first CRL), re-read when the file changes:
     * publishing a new CRL reaches hosts at their next pairing without a reload. */
    uint8_t *crl_der;
    size_t crl_der_len;
    struct stat crl_st;
    uint64_t crl_served;
    /* cluster mode (cluster-redis set): the shared directory and the node-to-node vhost */
    struct relay_cluster *cl;
    struct lws_vhost *cluster_vh;
    int making_cluster_vh; /* the TLS callback below is for the cluster vhost */
    int cl_reclaim; /* reconnected to Redis: put the waiting codes back (retried until done) */
};

static inline uint64_t now_ms(void)
{
    return sasae_mono_ns() / 1000000;
}

/* "::ffff:192.0.2.1" -> "192.0.2.1": one key per client whatever the socket family. */
static inline void norm_addr(char *a)
{
    if (!strncmp(a, "::ffff:", 7) && strchr(a + 7, '.'))
        memmove(a, a + 7, strlen(a + 7) + 1);
}

/* Memory kept free for the sessions already running (their forward queues, up to queue-kb
 * per direction each, and the next chunk of receive buffers): below it, new sessions are
 * refused rather than letting a failed allocation end a running one ("out of memory"). */
#define MEM_RESERVE_KB (32 * 1024)

/* ---- relay_tls.c ---- */
/* Applies the cipher, version and resumption policy to ctx. 0 or -1. */
int relay_apply_tls_policy(struct relay *r, SSL_CTX *ctx);
/* lws made the public vhost's (or, while r->making_cluster_vh, the cluster vhost's) server
 * context: the operator CA store and the policy go on it. 0 or -1. */
int relay_tls_server_ctx(struct relay *r, SSL_CTX *ctx);
/* SIGHUP: certificate, key and operator store again from their files. 0 or -1 (the loaded
 * ones stay in use). */
int relay_reload_certs(struct relay *r);
/* Loads the served CRL if its file changed since the last load (or force). */
void relay_refresh_served_crl(struct relay *r, int force);

/* ---- wsguard_ssl.c ---- */
/* Sets up the per-connection guards; -1 if SSL_read is not ours for lws. */
int relay_wsguard_init(void);
/* What the guard saw on c's connection so far. */
enum relay_wsg_verdict relay_wsguard_verdict(struct conn *c);

/* ---- auth.c ---- */
/* Fills c's operator identity from its verified TLS client certificate, if any. */
void relay_auth_operator(struct conn *c, struct lws *wsi);
/* The cluster listener's verdict on a node certificate (ok: OpenSSL's); 0 accepts. */
int relay_auth_node_cert(struct relay *r, int ok);
/* Shared failed-join limits (cluster): an SASAE_RT_E_* refusal, or 0. */
int relay_auth_join_limited(struct relay *r, const struct conn *c);
/* Counts a failed join in the cluster's shared counters. */
void relay_auth_join_failed(struct relay *r, const struct conn *c);

/* ---- admission.c ---- */
/* A new TCP connection from fd: 0 admits it, 1 closes it at once. */
int relay_admit_connection(struct relay *r, struct lws *wsi, lws_sockfd_type fd);
/* Free descriptors left (r->nofile if it cannot tell). */
int relay_fd_headroom(const struct relay *r);
/* kB left before the memory limits; LONG_MAX if none is set. */
long relay_mem_headroom_kb(const struct relay *r);
/* A new session (what: "register" or "join") cannot be served safely: c is refused with a
 * reason and true returned. */
bool relay_refuse_at_door(struct relay *r, struct conn *c, unsigned version);
bool relay_refuse_new_session(struct relay *r, struct conn *c, const char *what);

/* ---- conn.c ---- */
/* Tells c why it is refused/closed (ERROR envelope), then closes it. */
void relay_fail(struct relay *r, struct conn *c, uint16_t code, const char *text,
                uint8_t left_reason);
/* Writes an audit record about c (may be NULL) with the relay's counters. */
void relay_audit_simple(struct relay *r, const char *event, const struct conn *c,
                        const char *result, const char *reason);
/* c broke RFC 6455 framing: ERROR protocol, then a close frame with status. */
void relay_refuse_frame(struct relay *r, struct conn *c, int status, const char *text);
/* LWS_CALLBACK_(CLIENT_)RECEIVE: one fragment from c. 0, or -1 to close. */
int relay_on_receive(struct relay *r, struct conn *c, const uint8_t *in, size_t len);
/* LWS_CALLBACK_ESTABLISHED: c (lws's per-session storage) starts on wsi. */
void relay_conn_established(struct relay *r, struct conn *c, struct lws *wsi);
/* A close frame from c's endpoint: keeps its "end: REASON" for the audit log. */
void relay_peer_end_reason(struct conn *c, const void *in, size_t len);
/* c's connection is gone: its code, peer, session and queue are let go. */
void relay_conn_closed(struct relay *r, struct conn *c);

/* ---- pairing.c ---- */
/* A waiting host leaves the table (its code can never be joined again). */
void relay_drop_code(struct relay *r, struct conn *c);
/* Drops one reference to s (freed at none). */
void relay_session_unref(struct session *s);
/* c is going away (closed or failed): tell its peer and end the session. */
void relay_detach_peer(struct relay *r, struct conn *c, uint8_t reason, const char *text);
/* REGISTER from a new connection: c becomes a waiting host with a code. */
void relay_handle_register(struct relay *r, struct conn *c, const struct sasae_env_msg *m);
/* JOIN from a new connection: c is paired with the code's host, here or across. */
void relay_handle_join(struct relay *r, struct conn *c, const struct sasae_env_msg *m);
/* AUDIT from a paired host: one host-event record. */
void relay_handle_audit(struct relay *r, struct conn *c, const struct sasae_env_msg *m);
/* Pairs host h and viewer c as one session (its slot in the table already taken): both get
 * PEER_JOINED, the host first the CRL as published now; with hold both PEER_JOINED wait for
 * the host's CRL request (relay_release_joined). 0, or -1 out of memory (both failed, the
 * slot given back). */
int relay_pair_session(struct relay *r, struct conn *h, struct conn *c, const char *code,
                       uint64_t sid, int hold);
/* Sends paired host h and its viewer the PEER_JOINED held for them (relay_pair_session). */
void relay_release_joined(struct relay *r, struct conn *h);

/* ---- resuming.c ---- */
/* RESUME from a new connection: c presents a resume ticket; paired with the other side's
 * presentation of it (docs/envelope.md "Resume after a relay loss"). */
void relay_handle_resume(struct relay *r, struct conn *c, const struct sasae_env_msg *m);
/* Each second: presentations whose window is over are told (ERROR 8) and closed. */
void relay_resume_tick(struct relay *r, uint64_t t);
/* c, waiting with a ticket, went away. */
void relay_resume_gone(struct relay *r, struct conn *c);
/* Appends the resume counters to /metrics text at b (cap bytes); returns the bytes added. */
size_t relay_resume_metrics(const struct relay *r, char *b, size_t cap);

/* ---- forward.c ---- */
/* A queued fragment (from the relay's pool when it is about one block); NULL: no memory. */
struct frag *relay_frag_new(struct relay *r, const uint8_t *data, size_t len, int first, int final);
/* Gives f back to the pool or the heap. */
void relay_frag_free(struct relay *r, struct frag *f);
/* Appends f to c's send queue. */
void relay_q_append(struct conn *c, struct frag *f);
/* Frees c's whole send queue. */
void relay_q_free(struct relay *r, struct conn *c);
/* Takes c off the list of connections waiting for a flush pass. */
void relay_unmark_dirty(struct relay *r, struct conn *c);
/* Queues envelope m to c; -1 if it cannot (mid-message, no memory). */
int relay_send_msg(struct relay *r, struct conn *c, const struct sasae_env_msg *m);
/* Queues the served CRL to host c. 0 or -1. */
int relay_send_crl(struct relay *r, struct conn *c);
/* Closes c once its queue is flushed (status + short text in the close frame). */
void relay_close_after_flush(struct conn *c, int status, const char *text);
/* One received fragment of a DATA message from c to its peer p, with backpressure. */
void relay_forward(struct relay *r, struct conn *c, struct conn *p, const uint8_t *in, size_t len,
                   int first, int final, bool h2v);
/* LWS_CALLBACK_(CLIENT|SERVER)_WRITEABLE for c. 0, or -1 to close. */
int relay_on_writeable(struct relay *r, struct conn *c);
/* Writes c's queue now if the socket allows; the rest waits for WRITEABLE. */
void relay_flush_now(struct relay *r, struct conn *c);

/* ---- cluster_link.c ---- */
/* The routing part of code (its first 6 digits), the directory's key. */
void relay_routing_part(const char *code, char *rp);
/* code is no longer joinable here (consumed, burned, expired, host gone). */
void relay_code_release(struct relay *r, const char *code);
/* A new session id (a counter; random in a cluster). */
uint64_t relay_new_session_id(struct relay *r);
/* Link l to the host's node could not be made: the viewer hears why; l is freed. */
void relay_link_failed(struct relay *r, struct conn *l, const char *why);
/* Viewer c joins a code held by the node at addr ("host:port"): spliced to a link. */
void relay_link_open(struct relay *r, struct conn *c, const char *addr);
/* A link from another node arrived: c takes the viewer identity its path carries. 0 or -1. */
int relay_link_accept(struct relay *r, struct conn *c);
/* A fragment on a spliced connection (a viewer or its link): passed through. */
int relay_splice_receive(struct relay *r, struct conn *c, const uint8_t *in, size_t len);
/* Cluster mode: the directory and the node-to-node listener. 0 or -1. */
int relay_links_start(struct relay *r, const struct lws_protocols *protocols);
/* After a reconnection to Redis: every waiting host's code claimed again for the rest of its
 * life; a host whose code another node holds now is told to register again. 0, or -EIO. */
int relay_links_reclaim_codes(struct relay *r, uint64_t t);
/* Appends the cluster's figures to /metrics text at b (cap bytes); returns the bytes added. */
size_t relay_links_metrics(struct relay *r, char *b, size_t cap);

/* ---- metrics_http.c ---- */
/* LWS_CALLBACK_HTTP for path: answers /healthz, /metrics or 404. 0, or 1 to close. */
int relay_http_request(struct relay *r, struct lws *wsi, struct http_pss *ps, const char *path);
/* LWS_CALLBACK_HTTP_WRITEABLE: sends the body. 0, or -1 to close. */
int relay_http_writeable(struct lws *wsi, struct http_pss *ps);

/* ---- callbacks.c ---- */
/* The protocols (HTTP, sasae.v1) with their callbacks, ended by a NULL entry. */
extern const struct lws_protocols relay_protocols_tpl[3];
/* lws's log lines into sasae's log. */
void relay_lws_log_emit(int level, const char *line);

/* ---- drain.c ---- */
/* SIGTERM/SIGINT drain r, SIGHUP reloads; SIGPIPE ignored. */
void relay_signals_install(struct relay *r);
/* The relay's periodic timer (TICK_US): signals, drain, expiry, idle and stuck cuts. */
void relay_tick(lws_sorted_usec_list_t *sul);

/* ---- rxbuf.c ---- */
/* Installs lws's allocator hook serving receive buffers of rx_buffer bytes from a pool. */
void relay_rx_buffers_in_pool(unsigned rx_buffer);
/* Appends the pool's gauges to /metrics text at b (cap bytes); returns the bytes added. */
size_t relay_rx_buffers_metrics(char *b, size_t cap);
/* After lws_context_destroy(): the pool goes. */
void relay_rx_buffers_release(void);

#endif
