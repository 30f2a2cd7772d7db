/* bench_relay_lean: lean load generator for sasae-relay — raw OpenSSL 3 + epoll + minimal
 * websocket client framing, speaking the relay envelope like real clients; N host/viewer
 * sessions each sending M Mbit/s host->viewer (or N idle registered hosts). Reports
 * throughput, added latency p50/p99 (viewer receive time - host send time), relay CPU and
 * RSS from /proc. Lean so the generator steals as little CPU from the relay as possible.
 * With --viewer-url (a relay cluster), every other session's viewer joins through that other
 * node: the latency of cross-node and single-node sessions of the same run is reported apart. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "procstat.h"
#include "sasae/common.h"
#include "sasae/envelope.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define RXBUF 65536
#define MAX_INFLIGHT 64 /* handshakes in progress at once (keeps the relay's backlog sane) */

enum cst { S_TCP, S_TLS, S_HTTP, S_WS, S_DEAD };

struct gsess;

/* One client connection (a host or a viewer). */
struct gconn {
    int fd;
    SSL *ssl;
    enum cst st;
    int is_host, want_out;
    int pending; /* counted in inflight: handshake, register or join not done yet */
    struct gsess *s;
    /* outgoing bytes not yet accepted by SSL_write */
    uint8_t *tx;
    size_t tx_off, tx_len, tx_cap;
    /* HTTP upgrade response */
    char http[2048];
    size_t http_len;
    char accept[32];
    /* websocket frame parser */
    uint8_t hdr[14];
    unsigned hdr_have, hdr_need;
    uint64_t pay_left;
    uint8_t opcode, fin;
    uint8_t cf[125]; /* control frame (ping/close) payload */
    unsigned cf_len;
    /* current message: its first bytes (the whole of a control message) */
    int in_msg;
    uint8_t msg_type;
    uint8_t head[SASAE_ENV_CONTROL_MAX];
    size_t msg_len;
};

struct gsess {
    struct gconn host, viewer;
    char code[SASAE_ENV_CODE_LEN + 1];
    int registered, host_paired, viewer_paired, ended;
    int cross; /* the viewer joins through --viewer-url */
    double due;
};

#define LAT_CROSS 0x80000000u /* a latency sample's flag: from a cross-node session */

static struct {
    const char *url, *ca, *cert, *key;
    char host[64];
    int port;
    int sessions, seconds, msg_size, idle, relay_pid, procs, child;
    const char *vurl; /* cluster: the node the cross-node sessions' viewers join through */
    char vhost[64];
    int vport, relay_pid2, cross_all;
    int go_fd, ready_fd;
    double mbps;
} o = {.sessions = 100, .seconds = 10, .msg_size = 4096, .mbps = 1.0, .procs = 1};

static int ep;
static SSL_CTX *ctx_host, *ctx_viewer;
static int go_seen, inflight, n_registered, n_paired, n_dead, measuring;
static uint32_t *lat;
static size_t n_lat, lat_cap;
static unsigned long long rx_bytes, rx_msgs;
static uint64_t rng_state;

static double now_s(void)
{
    return (double)sasae_mono_ns() / 1e9;
}

/* xorshift64*: websocket masking keys (the mask defeats proxy cache poisoning; it need not
 * be a CSPRNG per frame, so the generator does not pay for RAND_bytes on every frame). */
static uint32_t rng32(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static void relay_stats(double *cpu_s, long *rss_kb)
{
    bench_proc_stats(o.relay_pid, cpu_s, rss_kb);
}

/* Busy CPU seconds of the whole machine (all cores) from /proc/stat: with the relay's and
 * the generator's own figures this shows how much CPU other processes took meanwhile. */
static double machine_busy_s(void)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return 0;
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (n != 8)
        return 0;
    /* user nice system idle iowait irq softirq steal: busy = all but idle and iowait */
    return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* ---- TLS ---- */

static SSL_CTX *make_ctx(int with_cert)
{
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    if (!c)
        return NULL;
    SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION);
    if (SSL_CTX_set_ciphersuites(c, "TLS_AES_256_GCM_SHA384") != 1 ||
        SSL_CTX_set1_groups_list(c, "X25519:P-256") != 1 ||
        SSL_CTX_load_verify_locations(c, o.ca, NULL) != 1)
        goto fail;
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
    static const unsigned char alpn[] = "\x08http/1.1";
    SSL_CTX_set_alpn_protos(c, alpn, sizeof(alpn) - 1);
    SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
    /* Read whole socket contents at once, not record header then body (half the read
     * syscalls); on_event reads until WANT_READ, so nothing is left in OpenSSL's buffer. */
    SSL_CTX_set_read_ahead(c, 1);
    SSL_CTX_set_default_read_buffer_len(c, RXBUF);
    if (with_cert && (SSL_CTX_use_certificate_chain_file(c, o.cert) != 1 ||
                      SSL_CTX_use_PrivateKey_file(c, o.key, SSL_FILETYPE_PEM) != 1))
        goto fail;
    return c;
fail:
    ERR_print_errors_fp(stderr);
    SSL_CTX_free(c);
    return NULL;
}

/* ---- connection plumbing ---- */

static void conn_dead(struct gconn *c, const char *why)
{
    if (c->st == S_DEAD)
        return;
    if (c->pending) {
        c->pending = 0;
        inflight--;
    }
    c->st = S_DEAD;
    c->s->ended = 1;
    n_dead++;
    if (n_dead <= 5)
        fprintf(stderr, "bench_relay_lean: %s connection lost: %s\n",
                c->is_host ? "host" : "viewer", why);
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
}

static void set_out(struct gconn *c, int on)
{
    if (c->want_out == on || c->st == S_DEAD)
        return;
    c->want_out = on;
    struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static uint8_t *tx_reserve(struct gconn *c, size_t n)
{
    if (c->tx_off && c->tx_off == c->tx_len)
        c->tx_off = c->tx_len = 0;
    if (c->tx_len + n > c->tx_cap) {
        if (c->tx_off) { /* SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER allows moving pending data */
            memmove(c->tx, c->tx + c->tx_off, c->tx_len - c->tx_off);
            c->tx_len -= c->tx_off;
            c->tx_off = 0;
        }
        if (c->tx_len + n > c->tx_cap) {
            size_t cap = c->tx_cap ? c->tx_cap : 16384;
            while (cap < c->tx_len + n)
                cap *= 2;
            uint8_t *t = realloc(c->tx, cap);
            if (!t)
                return NULL;
            c->tx = t;
            c->tx_cap = cap;
        }
    }
    return c->tx + c->tx_len;
}

/* Pushes pending bytes into TLS; arms EPOLLOUT while the socket is full. */
static void flush(struct gconn *c)
{
    while (c->st != S_DEAD && c->tx_off < c->tx_len) {
        ERR_clear_error();
        int n = SSL_write(c->ssl, c->tx + c->tx_off, (int)(c->tx_len - c->tx_off));
        if (n > 0) {
            c->tx_off += (size_t)n;
            continue;
        }
        int e = SSL_get_error(c->ssl, n);
        if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
            set_out(c, 1);
            return;
        }
        conn_dead(c, "TLS write failed");
        return;
    }
    if (c->tx_off == c->tx_len)
        c->tx_off = c->tx_len = 0;
    set_out(c, 0);
}

/* XORs len bytes with the 4-byte mask, 8 bytes at a time (p need not be aligned). */
static void ws_mask(uint8_t *p, size_t len, uint32_t key)
{
    uint64_t k8 = (uint64_t)key | ((uint64_t)key << 32);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        w ^= k8;
        memcpy(p + i, &w, 8);
    }
    const uint8_t *kb = (const uint8_t *)&key;
    for (; i < len; i++)
        p[i] ^= kb[i & 3];
}

/* Queues one masked websocket frame whose payload the caller writes at the returned pointer
 * (len bytes) and then masks with ws_finish(). */
static uint8_t *ws_begin(struct gconn *c, int opcode, size_t len, uint32_t *key)
{
    uint8_t *h = tx_reserve(c, len + 14);
    if (!h)
        return NULL;
    size_t hl = 2;
    h[0] = (uint8_t)(0x80 | opcode);
    if (len < 126) {
        h[1] = (uint8_t)(0x80 | len);
    } else if (len < 65536) {
        h[1] = 0x80 | 126;
        h[2] = (uint8_t)(len >> 8);
        h[3] = (uint8_t)len;
        hl = 4;
    } else {
        h[1] = 0x80 | 127;
        for (int i = 0; i < 8; i++)
            h[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
        hl = 10;
    }
    *key = rng32();
    memcpy(h + hl, key, 4);
    hl += 4;
    c->tx_len += hl + len;
    return h + hl;
}

static int send_env(struct gconn *c, const struct sasae_env_msg *m)
{
    long need = sasae_env_size(m);
    uint32_t key;
    if (need < 0)
        return -1;
    uint8_t *p = ws_begin(c, 2, (size_t)need, &key);
    size_t n;
    if (!p || sasae_env_serialize(m, p, (size_t)need, &n) != SASAE_ENV_OK)
        return -1;
    ws_mask(p, n, key);
    flush(c);
    return 0;
}

static void send_ctl_frame(struct gconn *c, int opcode, const uint8_t *pay, size_t len)
{
    uint32_t key;
    uint8_t *p = ws_begin(c, opcode, len, &key);
    if (!p)
        return;
    memcpy(p, pay, len);
    ws_mask(p, len, key);
    flush(c);
}

/* ---- envelope messages received ---- */

static void on_message(struct gconn *c)
{
    struct gsess *s = c->s;
    if (c->msg_type == SASAE_ENV_DATA) {
        if (c->is_host || c->msg_len < 9 || !measuring)
            return;
        uint64_t sent;
        memcpy(&sent, c->head + 1, 8);
        uint64_t now = sasae_mono_ns();
        if (n_lat < lat_cap)
            lat[n_lat++] = (uint32_t)((now - sent) / 1000 & ~(uint64_t)LAT_CROSS) |
                           (c->s->cross ? LAT_CROSS : 0);
        rx_bytes += c->msg_len - 1;
        rx_msgs++;
        return;
    }
    struct sasae_env_msg m;
    int rc = c->msg_len <= sizeof(c->head) ? sasae_env_parse(c->head, c->msg_len, &m)
                                           : SASAE_ENV_E_TOO_BIG;
    if (rc) {
        conn_dead(c, sasae_env_strerror(rc));
        return;
    }
    switch (m.type) {
    case SASAE_ENV_CODE:
        if (c->is_host && !s->registered) {
            memcpy(s->code, m.code, sizeof(s->code));
            s->registered = 1;
            n_registered++;
            c->pending = 0;
            inflight--;
        }
        break;
    case SASAE_ENV_PEER_JOINED:
        if (c->is_host) {
            s->host_paired = 1;
        } else if (!s->viewer_paired) {
            s->viewer_paired = 1;
            c->pending = 0;
            inflight--;
        }
        if (s->host_paired && s->viewer_paired)
            n_paired++;
        break;
    case SASAE_ENV_ERROR:
    case SASAE_ENV_PEER_LEFT: {
        char why[SASAE_ENV_TEXT_MAX + 32];
        snprintf(why, sizeof(why), "%s: %s", sasae_env_type_str(m.type), m.text);
        conn_dead(c, why);
        break;
    }
    default:
        break;
    }
}

/* Payload bytes of the current data frame. */
static void on_payload(struct gconn *c, const uint8_t *p, size_t n)
{
    if (!c->in_msg) {
        if (!n)
            return;
        c->in_msg = 1;
        c->msg_type = p[0];
        c->msg_len = 0;
    }
    /* Keep only what is needed: 9 bytes of DATA (type + timestamp), all of a control
     * message. No reassembly of DATA. */
    size_t keep = c->msg_type == SASAE_ENV_DATA ? 9 : sizeof(c->head);
    if (c->msg_len < keep) {
        size_t k = keep - c->msg_len < n ? keep - c->msg_len : n;
        memcpy(c->head + c->msg_len, p, k);
    }
    c->msg_len += n;
}

/* Feeds received websocket bytes through the frame parser. */
static void ws_input(struct gconn *c, const uint8_t *p, size_t n)
{
    while (n && c->st == S_WS) {
        if (c->hdr_have < c->hdr_need) {
            c->hdr[c->hdr_have++] = *p++;
            n--;
            if (c->hdr_have == 2) {
                if (c->hdr[1] & 0x80) {
                    conn_dead(c, "masked server frame");
                    return;
                }
                unsigned l7 = c->hdr[1] & 0x7f;
                c->hdr_need = 2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0);
            }
            if (c->hdr_have < c->hdr_need)
                continue;
            unsigned l7 = c->hdr[1] & 0x7f;
            uint64_t len = l7;
            if (l7 >= 126) {
                len = 0;
                for (unsigned i = 2; i < c->hdr_need; i++)
                    len = len << 8 | c->hdr[i];
            }
            c->fin = c->hdr[0] >> 7;
            c->opcode = c->hdr[0] & 0x0f;
            c->pay_left = len;
            c->cf_len = 0;
            if (c->opcode >= 8 && len > sizeof(c->cf)) {
                conn_dead(c, "control frame too long");
                return;
            }
            if (len)
                continue;
        } else {
            size_t k = c->pay_left < n ? (size_t)c->pay_left : n;
            if (c->opcode >= 8) {
                memcpy(c->cf + c->cf_len, p, k);
                c->cf_len += (unsigned)k;
            } else {
                on_payload(c, p, k);
            }
            p += k;
            n -= k;
            c->pay_left -= k;
            if (c->pay_left)
                continue;
        }
        /* frame complete */
        c->hdr_have = 0;
        c->hdr_need = 2;
        if (c->opcode == 0x9) {
            send_ctl_frame(c, 0xA, c->cf, c->cf_len);
        } else if (c->opcode == 0x8) {
            conn_dead(c, "relay closed the connection");
            return;
        } else if (c->opcode < 8 && c->fin) {
            if (c->in_msg)
                on_message(c);
            c->in_msg = 0;
        }
    }
}

/* ---- handshakes ---- */

static int conn_start(struct gconn *c, struct gsess *s, int is_host)
{
    c->s = s;
    c->is_host = is_host;
    c->hdr_need = 2;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0)
        return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    int cross = !is_host && s->cross;
    const char *ip = cross ? o.vhost : o.host;
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)(cross ? o.vport : o.port))};
    inet_pton(AF_INET, ip, &sa.sin_addr);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS) {
        close(c->fd);
        return -1;
    }
    c->ssl = SSL_new(is_host ? ctx_host : ctx_viewer);
    if (!c->ssl)
        return -1;
    SSL_set_fd(c->ssl, c->fd);
    SSL_set_connect_state(c->ssl);
    /* The relay cert is for an IP address (SAN IP:127.0.0.1): verify that. */
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), ip);
    c->st = S_TCP;
    c->want_out = 1;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    c->pending = 1;
    inflight++;
    return 0;
}

static void send_upgrade(struct gconn *c)
{
    uint8_t nonce[16];
    char key[32];
    RAND_bytes(nonce, sizeof(nonce));
    EVP_EncodeBlock((unsigned char *)key, nonce, sizeof(nonce));
    char tmp[96];
    unsigned char dg[20];
    snprintf(tmp, sizeof(tmp), "%s%s", key, WS_GUID);
    EVP_Digest(tmp, strlen(tmp), dg, NULL, EVP_sha1(), NULL);
    EVP_EncodeBlock((unsigned char *)c->accept, dg, sizeof(dg));
    char req[512];
    int n = snprintf(req, sizeof(req),
                     "GET / HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: %s\r\n\r\n",
                     o.host, o.port, key, SASAE_ENV_SUBPROTOCOL);
    uint8_t *p = tx_reserve(c, (size_t)n);
    if (!p) {
        conn_dead(c, "out of memory");
        return;
    }
    memcpy(p, req, (size_t)n);
    c->tx_len += (size_t)n;
    c->st = S_HTTP;
    flush(c);
}

/* Value of header `name` in the response (case-insensitive name), or NULL. */
static const char *http_header(char *resp, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    for (char *l = strstr(resp, "\r\n"); l; l = strstr(l + 2, "\r\n")) {
        if (!strncasecmp(l + 2, name, nl) && l[2 + nl] == ':') {
            const char *v = l + 3 + nl;
            while (*v == ' ')
                v++;
            size_t k = strcspn(v, "\r");
            if (k >= cap)
                k = cap - 1;
            memcpy(out, v, k);
            out[k] = '\0';
            return out;
        }
    }
    return NULL;
}

/* Upgrade response bytes; the rest (if any) is websocket data. */
static void http_input(struct gconn *c, const uint8_t *p, size_t n)
{
    size_t room = sizeof(c->http) - 1 - c->http_len;
    size_t k = n < room ? n : room;
    memcpy(c->http + c->http_len, p, k);
    c->http_len += k;
    c->http[c->http_len] = '\0';
    char *end = strstr(c->http, "\r\n\r\n");
    if (!end) {
        if (c->http_len == sizeof(c->http) - 1)
            conn_dead(c, "upgrade response too long");
        return;
    }
    size_t hdr_len = (size_t)(end - c->http) + 4;
    end[2] = '\0';
    char v[128];
    if (strncmp(c->http, "HTTP/1.1 101", 12) ||
        !http_header(c->http, "Sec-WebSocket-Accept", v, sizeof(v)) || strcmp(v, c->accept) ||
        !http_header(c->http, "Sec-WebSocket-Protocol", v, sizeof(v)) ||
        strcmp(v, SASAE_ENV_SUBPROTOCOL)) {
        conn_dead(c, "websocket upgrade refused");
        return;
    }
    c->st = S_WS;
    struct sasae_env_msg m = {.version = SASAE_ENV_VERSION};
    if (c->is_host) {
        m.type = SASAE_ENV_REGISTER;
    } else {
        m.type = SASAE_ENV_JOIN;
        memcpy(m.code, c->s->code, sizeof(m.code));
    }
    send_env(c, &m);
    size_t used = hdr_len - (c->http_len - k); /* bytes of p that belonged to the header */
    if (used < n)
        ws_input(c, p + used, n - used);
}

static uint8_t rxbuf[RXBUF];

static void on_event(struct gconn *c, uint32_t ev)
{
    if (c->st == S_DEAD)
        return;
    if (c->st == S_TCP) {
        int err = 0;
        socklen_t l = sizeof(err);
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err) {
            conn_dead(c, strerror(err));
            return;
        }
        c->st = S_TLS;
    }
    if (c->st == S_TLS) {
        ERR_clear_error();
        int r = SSL_connect(c->ssl);
        if (r != 1) {
            int e = SSL_get_error(c->ssl, r);
            if (e == SSL_ERROR_WANT_READ)
                set_out(c, 0);
            else if (e == SSL_ERROR_WANT_WRITE)
                set_out(c, 1);
            else {
                unsigned long le = ERR_peek_last_error();
                conn_dead(c, le ? ERR_reason_error_string(le) : "TLS handshake failed");
            }
            return;
        }
        set_out(c, 0);
        send_upgrade(c);
        return;
    }
    if ((ev & EPOLLOUT) && c->tx_off < c->tx_len)
        flush(c);
    if (!(ev & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        return;
    while (c->st != S_DEAD) {
        ERR_clear_error();
        int n = SSL_read(c->ssl, rxbuf, sizeof(rxbuf));
        if (n <= 0) {
            int e = SSL_get_error(c->ssl, n);
            if (e == SSL_ERROR_WANT_READ)
                return;
            if (e == SSL_ERROR_WANT_WRITE) {
                set_out(c, 1);
                return;
            }
            conn_dead(c, e == SSL_ERROR_ZERO_RETURN ? "TLS closed" : "TLS read failed");
            return;
        }
        if (c->st == S_HTTP)
            http_input(c, rxbuf, (size_t)n);
        else
            ws_input(c, rxbuf, (size_t)n);
    }
}

static int poll_once(int timeout_ms)
{
    struct epoll_event evs[256];
    int n = epoll_wait(ep, evs, 256, timeout_ms);
    for (int i = 0; i < n; i++) {
        if (evs[i].data.ptr == NULL) {
            go_seen = 1; /* the go pipe: read by the caller */
            continue;
        }
        on_event(evs[i].data.ptr, evs[i].events);
    }
    return n;
}

/* Runs the loop until cond() or timeout; returns 1 if cond() became true. */
static int loop_until(int (*cond)(void), double timeout_s)
{
    double t0 = now_s();
    while (!cond()) {
        if (now_s() - t0 > timeout_s)
            return 0;
        poll_once(5);
    }
    return 1;
}

static struct gsess *ss;
static int next_start;
static int hosts_done(void)
{
    while (next_start < o.sessions && inflight < MAX_INFLIGHT) {
        if (conn_start(&ss[next_start].host, &ss[next_start], 1)) {
            fprintf(stderr, "bench_relay_lean: cannot open a connection: %s\n", strerror(errno));
            ss[next_start].ended = 1;
            n_dead++;
        }
        next_start++;
    }
    return next_start == o.sessions && n_registered + n_dead >= o.sessions;
}

static int viewers_done(void)
{
    while (next_start < o.sessions && inflight < MAX_INFLIGHT) {
        struct gsess *s = &ss[next_start++];
        if (s->registered && !s->ended && conn_start(&s->viewer, s, 0)) {
            s->ended = 1;
            n_dead++;
        }
    }
    if (next_start < o.sessions)
        return 0;
    for (int i = 0; i < o.sessions; i++)
        if (ss[i].registered && !ss[i].ended && !(ss[i].host_paired && ss[i].viewer_paired))
            return 0;
    return 1;
}

/* Child results go to the parent through a file: counters, then latency samples. */
struct child_res {
    unsigned long long sent, received, skipped, rx_bytes;
    double elapsed, gen_cpu;
    int registered, paired;
    size_t n;
};

static int run(void)
{
    sasae_log_set_level(SASAE_LOG_ERROR);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    uint64_t seed = 0;
    RAND_bytes((unsigned char *)&seed, sizeof(seed));
    rng_state = seed | 1;
    ep = epoll_create1(0);
    ctx_host = make_ctx(0);
    ctx_viewer = make_ctx(1);
    if (ep < 0 || !ctx_host || !ctx_viewer)
        return 1;
    ss = calloc((size_t)o.sessions, sizeof(*ss));
    if (!ss)
        return 1;
    for (int i = 0; i < o.sessions; i++)
        ss[i].cross = o.vurl && (o.cross_all || i % 2);
    double t0 = now_s();
    loop_until(hosts_done, 120);
    printf("[%d] registered %d/%d hosts in %.1f s\n", o.child, n_registered, o.sessions,
           now_s() - t0);
    if (!o.idle) {
        next_start = 0;
        loop_until(viewers_done, 240);
        printf("[%d] paired %d sessions\n", o.child, n_paired);
    }
    fflush(stdout);
    /* Tell the parent we are ready; keep serving (pings) until it says go. */
    char ch = 'r';
    if (write(o.ready_fd, &ch, 1) != 1)
        return 1;
    struct epoll_event gev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, o.go_fd, &gev);
    while (!go_seen)
        poll_once(50);
    if (read(o.go_fd, &ch, 1) != 1)
        return 1;
    epoll_ctl(ep, EPOLL_CTL_DEL, o.go_fd, NULL);
    struct child_res res = {.registered = n_registered, .paired = n_paired};
    double start = now_s();
    double cpu0 = self_cpu_s();
    if (o.idle) {
        while (now_s() - start < o.seconds)
            poll_once(100);
    } else {
        double interval = (double)o.msg_size * 8.0 / (o.mbps * 1e6);
        lat_cap = (size_t)((double)o.sessions * o.seconds / interval * 1.2) + 1000;
        lat = calloc(lat_cap, sizeof(*lat));
        if (!lat)
            return 1;
        measuring = 1;
        /* Sessions spread evenly over the interval (independent sources, not one burst);
         * each loop turn sends whatever is due, then waits for I/O up to the next 1 ms. */
        for (int i = 0; i < o.sessions; i++)
            ss[i].due = start + interval * i / o.sessions;
        size_t body = (size_t)o.msg_size;
        uint8_t *payload = calloc(1, body);
        if (!payload)
            return 1;
        struct sasae_env_msg dm = {.type = SASAE_ENV_DATA, .data = payload, .data_len = body};
        for (;;) {
            double t_now = now_s();
            if (t_now - start >= o.seconds)
                break;
            for (int i = 0; i < o.sessions; i++) {
                struct gsess *s = &ss[i];
                if (s->due > t_now || s->ended || !s->host_paired)
                    continue;
                s->due += interval;
                struct gconn *h = &s->host;
                /* Like sasae-host: do not queue behind a slow link, skip this frame. */
                if (h->tx_len - h->tx_off > body * 4) {
                    res.skipped++;
                    continue;
                }
                /* The opaque body's first 8 bytes carry the send time. */
                uint64_t t = sasae_mono_ns();
                memcpy(payload, &t, 8);
                if (send_env(h, &dm) == 0)
                    res.sent++;
            }
            poll_once(1);
        }
        res.elapsed = now_s() - start;
        free(payload);
        /* let the last messages land */
        double t_end = now_s();
        while (now_s() - t_end < 0.3)
            poll_once(10);
        measuring = 0;
    }
    if (!res.elapsed)
        res.elapsed = now_s() - start;
    res.gen_cpu = self_cpu_s() - cpu0;
    res.received = rx_msgs;
    res.rx_bytes = rx_bytes;
    res.n = n_lat;
    char path[64];
    snprintf(path, sizeof(path), "/tmp/bench_relay_lean.%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(&res, sizeof(res), 1, f);
        fwrite(lat, sizeof(*lat), n_lat, f);
        fclose(f);
    }
    return 0;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: bench_relay_lean --url wss://IP:PORT/ --ca CA --cert OPCERT --key OPKEY\n"
            "  [--sessions N] [--mbps M] [--msg-size B] [--seconds S] [--procs P]\n"
            "  [--relay-pid PID] [--idle] [--viewer-url wss://IP:PORT/ [--relay-pid2 PID] "
            "[--cross-all]]\n");
    return 2;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(a, "--idle")) {
            o.idle = 1;
            continue;
        }
        if (!strcmp(a, "--cross-all")) { /* every viewer through --viewer-url */
            o.cross_all = 1;
            continue;
        }
        i++;
        if (!strcmp(a, "--url"))
            o.url = v;
        else if (!strcmp(a, "--ca"))
            o.ca = v;
        else if (!strcmp(a, "--cert"))
            o.cert = v;
        else if (!strcmp(a, "--key"))
            o.key = v;
        else if (!strcmp(a, "--sessions"))
            o.sessions = atoi(v);
        else if (!strcmp(a, "--seconds"))
            o.seconds = atoi(v);
        else if (!strcmp(a, "--msg-size"))
            o.msg_size = atoi(v);
        else if (!strcmp(a, "--mbps"))
            o.mbps = atof(v);
        else if (!strcmp(a, "--procs"))
            o.procs = atoi(v);
        else if (!strcmp(a, "--relay-pid"))
            o.relay_pid = atoi(v);
        else if (!strcmp(a, "--viewer-url"))
            o.vurl = v;
        else if (!strcmp(a, "--relay-pid2"))
            o.relay_pid2 = atoi(v);
        else
            return usage();
    }
    if (!o.url || !o.ca || !o.cert || !o.key || o.sessions < 1 || o.msg_size < 8 ||
        o.msg_size > SASAE_ENV_DATA_MAX || o.procs < 1 || o.mbps <= 0 ||
        sscanf(o.url, "wss://%63[0-9.]:%d", o.host, &o.port) != 2 ||
        (o.vurl && sscanf(o.vurl, "wss://%63[0-9.]:%d", o.vhost, &o.vport) != 2))
        return usage();
    if (o.procs > o.sessions)
        o.procs = o.sessions;
    /* The parent only measures: every generator runs in a child with its own epoll loop;
     * all open the measuring window together (ready pipe, then go pipe). */
    int ready[2], go[2];
    if (pipe(ready) || pipe(go))
        return 1;
    int total = o.sessions;
    pid_t *kids = calloc((size_t)o.procs, sizeof(*kids));
    if (!kids)
        return 1;
    fflush(stdout);
    for (int k = 0; k < o.procs; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            o.child = k + 1;
            o.sessions = total / o.procs + (k < total % o.procs);
            o.ready_fd = ready[1];
            o.go_fd = go[0];
            close(ready[0]);
            close(go[1]);
            int rc = run();
            fflush(stdout);
            _exit(rc);
        }
    }
    close(ready[1]);
    close(go[0]);
    char c;
    for (int k = 0; k < o.procs; k++)
        if (read(ready[0], &c, 1) != 1) {
            fprintf(stderr, "bench_relay_lean: a generator process failed to start\n");
            return 1;
        }
    double cpu0, cpu1;
    long rss0, rss1;
    relay_stats(&cpu0, &rss0);
    double cpu2_0 = 0, cpu2_1 = 0;
    long rss2 = 0;
    if (o.relay_pid2)
        bench_proc_stats(o.relay_pid2, &cpu2_0, &rss2);
    double busy0 = machine_busy_s();
    double t0 = now_s();
    for (int k = 0; k < o.procs; k++)
        if (write(go[1], "g", 1) != 1)
            return 1;
    /* Relay CPU over the sending window; RSS peak while running. */
    long rss_max = rss0;
    while (now_s() - t0 < o.seconds) {
        usleep(100000);
        double cc;
        long r;
        relay_stats(&cc, &r);
        if (r > rss_max)
            rss_max = r;
    }
    relay_stats(&cpu1, &rss1);
    if (o.relay_pid2)
        bench_proc_stats(o.relay_pid2, &cpu2_1, &rss2);
    double busy = machine_busy_s() - busy0;
    double el_relay = now_s() - t0;
    for (int k = 0; k < o.procs; k++) {
        waitpid(kids[k], NULL, 0);
        kids[k] = -kids[k];
    }
    struct child_res tot = {0};
    size_t cap = 0, n = 0;
    uint32_t *all = NULL;
    double el_max = 0;
    for (int k = 0; k < o.procs; k++) {
        char path[64];
        snprintf(path, sizeof(path), "/tmp/bench_relay_lean.%d", (int)-kids[k]);
        FILE *f = fopen(path, "rb");
        struct child_res r;
        if (!f)
            continue;
        if (fread(&r, sizeof(r), 1, f) == 1) {
            tot.sent += r.sent;
            tot.received += r.received;
            tot.skipped += r.skipped;
            tot.rx_bytes += r.rx_bytes;
            tot.gen_cpu += r.gen_cpu;
            tot.registered += r.registered;
            tot.paired += r.paired;
            if (r.elapsed > el_max)
                el_max = r.elapsed;
            if (n + r.n > cap) {
                cap = n + r.n + 1;
                uint32_t *t = realloc(all, cap * 4);
                if (!t)
                    return 1;
                all = t;
            }
            n += fread(all + n, 4, r.n, f);
        }
        fclose(f);
        unlink(path);
    }
    if (o.idle) {
        printf("RESULT idle hosts=%d registered=%d relay_rss_kb=%ld relay_cpu_pct=%.1f "
               "gen_cpu_pct=%.1f\n",
               total, tot.registered, rss1, 100.0 * (cpu1 - cpu0) / el_relay,
               100.0 * tot.gen_cpu / o.seconds);
        free(all);
        free(kids);
        return 0;
    }
    /* cross-node samples apart (after the single-node ones, once sorted: the flag is the
     * top bit) */
    if (all)
        qsort(all, n, 4, bench_cmp_u32);
    size_t n_local = 0;
    while (n_local < n && !(all[n_local] & LAT_CROSS))
        n_local++;
    uint32_t *cr = all ? all + n_local : NULL;
    size_t n_cross = n - n_local;
    for (size_t i = 0; i < n_cross; i++)
        cr[i] &= ~LAT_CROSS;
    if (o.vurl) {
        double lp50 = n_local ? all[n_local / 2] / 1000.0 : 0,
               lp99 = n_local ? all[n_local * 99 / 100] / 1000.0 : 0;
        double cp50 = n_cross ? cr[n_cross / 2] / 1000.0 : 0,
               cp99 = n_cross ? cr[n_cross * 99 / 100] / 1000.0 : 0;
        printf("CLUSTER local_msgs=%zu local_p50=%.2f local_p99=%.2f cross_msgs=%zu cross_p50=%.2f "
               "cross_p99=%.2f added_p50=%.2f added_p99=%.2f ratio_p50=%.2f ratio_p99=%.2f "
               "relay2_cpu_pct=%.1f relay2_rss_kb=%ld\n",
               n_local, lp50, lp99, n_cross, cp50, cp99, cp50 - lp50, cp99 - lp99,
               lp50 > 0 ? cp50 / lp50 : 0, lp99 > 0 ? cp99 / lp99 : 0,
               100.0 * (cpu2_1 - cpu2_0) / el_relay, rss2);
        /* the overall figures below are over both kinds */
        size_t i = 0, j = 0, k = 0;
        uint32_t *m = malloc(n * 4 + 4);
        if (!m)
            return 1;
        while (i < n_local || j < n_cross)
            m[k++] = j >= n_cross || (i < n_local && all[i] <= cr[j]) ? all[i++] : cr[j++];
        memcpy(all, m, n * 4);
        free(m);
    }
    double el = el_max > 0 ? el_max : o.seconds;
    printf("RESULT procs=%d sessions=%d paired=%d mbps_each=%.2f msg=%d seconds=%.1f sent=%llu "
           "received=%llu skipped=%llu throughput_mbps=%.1f latency_ms_p50=%.2f p99=%.2f "
           "max=%.2f relay_cpu_pct=%.1f relay_rss_kb=%ld (max %ld) gen_cpu_pct=%.1f "
           "other_cpu_pct=%.1f\n",
           o.procs, total, tot.paired, o.mbps, o.msg_size, el, tot.sent, tot.received, tot.skipped,
           (double)tot.rx_bytes * 8 / el / 1e6, n ? all[n / 2] / 1000.0 : 0,
           n ? all[n * 99 / 100] / 1000.0 : 0, n ? all[n - 1] / 1000.0 : 0,
           100.0 * (cpu1 - cpu0) / el_relay, rss1, rss_max, 100.0 * tot.gen_cpu / el,
           100.0 * (busy - (cpu1 - cpu0) - tot.gen_cpu) / el_relay);
    free(all);
    free(kids);
    return 0;
}
