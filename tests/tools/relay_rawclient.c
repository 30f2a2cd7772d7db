/* relay_rawclient: a hostile/raw client for relay integration tests — plain garbage, TLS
 * garbage, raw HTTP, hand-made websocket frames (oversize, unknown types, wrong codes, a
 * receiver that never reads). OpenSSL + sockets only, no lws, so it can misbehave. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "sasae/envelope.h"

static int g_port;
static const char *g_ca, *g_cert, *g_key;

static int tcp_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    /* RAW_SRC=127.0.0.N: another loopback source address (the relay limits per address) */
    const char *src = getenv("RAW_SRC");
    struct sockaddr_in la = {.sin_family = AF_INET};
    if (fd >= 0 && src &&
        (inet_pton(AF_INET, src, &la.sin_addr) != 1 ||
         bind(fd, (struct sockaddr *)&la, sizeof(la)))) {
        perror("bind RAW_SRC");
        close(fd);
        return -1;
    }
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
        perror("connect");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct timeval tv = {.tv_sec = 15};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

struct tconn {
    int fd;
    SSL *ssl;
    SSL_CTX *ctx;
};

static int tls_open(struct tconn *t, int with_cert)
{
    memset(t, 0, sizeof(*t));
    t->ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(t->ctx, g_ca, NULL);
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
    if (with_cert && g_cert) {
        if (SSL_CTX_use_certificate_file(t->ctx, g_cert, SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_use_PrivateKey_file(t->ctx, g_key, SSL_FILETYPE_PEM) != 1) {
            fprintf(stderr, "cannot load client cert\n");
            return -1;
        }
    }
    t->fd = tcp_connect();
    if (t->fd < 0)
        return -1;
    t->ssl = SSL_new(t->ctx);
    SSL_set_fd(t->ssl, t->fd);
    SSL_set_tlsext_host_name(t->ssl, "localhost");
    SSL_set1_host(t->ssl, "127.0.0.1");
    if (SSL_connect(t->ssl) != 1) {
        ERR_print_errors_fp(stderr);
        return -1;
    }
    return 0;
}

static void tls_close(struct tconn *t)
{
    if (t->ssl)
        SSL_free(t->ssl);
    if (t->fd > 0)
        close(t->fd);
    if (t->ctx)
        SSL_CTX_free(t->ctx);
    memset(t, 0, sizeof(*t));
}

static int wr(struct tconn *t, const void *b, size_t n)
{
    const uint8_t *p = b;
    while (n) {
        int w = SSL_write(t->ssl, p, (int)(n > 1 << 20 ? 1 << 20 : n));
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int rd(struct tconn *t, void *b, size_t n)
{
    uint8_t *p = b;
    while (n) {
        int r = SSL_read(t->ssl, p, (int)n);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* HTTP upgrade; proto NULL sends no Sec-WebSocket-Protocol. Returns the status code. */
static int ws_upgrade(struct tconn *t, const char *proto)
{
    char req[1024];
    int n = snprintf(req, sizeof(req),
                     "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n%s%s%s\r\n",
                     g_port, proto ? "Sec-WebSocket-Protocol: " : "", proto ? proto : "",
                     proto ? "\r\n" : "");
    if (wr(t, req, (size_t)n))
        return -1;
    char resp[2048];
    size_t got = 0;
    while (got < sizeof(resp) - 1) {
        if (rd(t, resp + got, 1))
            break;
        got++;
        if (got >= 4 && !memcmp(resp + got - 4, "\r\n\r\n", 4))
            break;
    }
    resp[got] = '\0';
    int status = 0;
    sscanf(resp, "HTTP/1.1 %d", &status);
    return status;
}

/* One frame as a client must send it (masked), or unmasked when masked is 0 (which RFC 6455
 * 5.1 forbids a client: the relay must close with 1002). */
static int ws_send_frame(struct tconn *t, int opcode, int fin, int masked, const uint8_t *d,
                         size_t n)
{
    uint8_t h[14];
    size_t hl = 0;
    uint8_t mbit = masked ? 0x80 : 0;
    h[hl++] = (uint8_t)((fin ? 0x80 : 0) | opcode);
    if (n < 126) {
        h[hl++] = (uint8_t)(mbit | n);
    } else if (n < 65536) {
        h[hl++] = mbit | 126;
        h[hl++] = (uint8_t)(n >> 8);
        h[hl++] = (uint8_t)n;
    } else {
        h[hl++] = mbit | 127;
        for (int i = 7; i >= 0; i--)
            h[hl++] = (uint8_t)((uint64_t)n >> (8 * i));
    }
    uint8_t mask[4] = {0};
    if (masked) {
        RAND_bytes(mask, 4);
        memcpy(h + hl, mask, 4);
        hl += 4;
    }
    /* One buffer, one write: two small TLS records would meet Nagle + delayed ACK. */
    uint8_t *m = malloc(hl + n);
    memcpy(m, h, hl);
    for (size_t i = 0; i < n; i++)
        m[hl + i] = d[i] ^ mask[i & 3];
    int rc = wr(t, m, hl + n);
    free(m);
    return rc;
}

static int ws_send(struct tconn *t, int opcode, int fin, const uint8_t *d, size_t n)
{
    return ws_send_frame(t, opcode, fin, 1, d, n);
}

/* Reads one frame; returns opcode (8 = close) or -1; payload in *out (malloc'd). */
static int ws_recv(struct tconn *t, uint8_t **out, size_t *len)
{
    uint8_t h[2];
    if (rd(t, h, 2))
        return -1;
    uint64_t n = h[1] & 0x7f;
    if (n == 126) {
        uint8_t e[2];
        if (rd(t, e, 2))
            return -1;
        n = (uint64_t)(e[0] << 8 | e[1]);
    } else if (n == 127) {
        uint8_t e[8];
        if (rd(t, e, 8))
            return -1;
        n = 0;
        for (int i = 0; i < 8; i++)
            n = n << 8 | e[i];
    }
    if (n > (4u << 20))
        return -1;
    *out = malloc(n + 1);
    if (rd(t, *out, n)) {
        free(*out);
        return -1;
    }
    *len = n;
    return h[0] & 0x0f;
}

/* Reads frames until an envelope ERROR, PEER_LEFT or close; prints and returns the
 * ERROR code, 1000+close status for a bare close, 2000+reason for PEER_LEFT, or -1. */
static char g_last_error[SASAE_ENV_TEXT_MAX + 1]; /* text of the last ERROR received */

static int expect_end(struct tconn *t, const char *who)
{
    for (;;) {
        uint8_t *p = NULL;
        size_t n = 0;
        int op = ws_recv(t, &p, &n);
        if (op < 0) {
            printf("%s: connection dropped\n", who);
            return -1;
        }
        if (op == 8) {
            int st = n >= 2 ? (p[0] << 8 | p[1]) : 0;
            printf("%s: CLOSE %d\n", who, st);
            free(p);
            return 1000 + st;
        }
        struct sasae_env_msg m;
        if (op == 2 && !sasae_env_parse(p, n, &m)) {
            if (m.type == SASAE_ENV_ERROR) {
                snprintf(g_last_error, sizeof(g_last_error), "%s", m.text);
                if (getenv("RAW_VERBOSE") || m.error_code != SASAE_ENV_ERR_RATE)
                    printf("%s: ERROR %u %s\n", who, m.error_code, m.text);
                free(p);
                return m.error_code;
            }
            if (m.type == SASAE_ENV_PEER_LEFT) {
                printf("%s: PEER_LEFT %u %s\n", who, m.reason, m.text);
                free(p);
                return 2000 + m.reason;
            }
        }
        free(p);
    }
}

static int send_env(struct tconn *t, const struct sasae_env_msg *m)
{
    uint8_t b[SASAE_ENV_CONTROL_MAX];
    size_t n;
    if (sasae_env_serialize(m, b, sizeof(b), &n))
        return -1;
    return ws_send(t, 2, 1, b, n);
}

/* Host A registers, viewer B (operator cert) joins: a paired raw session. */
static int pair(struct tconn *a, struct tconn *b)
{
    if (tls_open(a, 0) || ws_upgrade(a, SASAE_ENV_SUBPROTOCOL) != 101)
        return -1;
    struct sasae_env_msg reg = {.type = SASAE_ENV_REGISTER, .version = 1};
    send_env(a, &reg);
    uint8_t *p;
    size_t n;
    struct sasae_env_msg m;
    int op = ws_recv(a, &p, &n);
    int bad = op != 2 || sasae_env_parse(p, n, &m) || m.type != SASAE_ENV_CODE;
    if (op >= 0)
        free(p);
    if (bad)
        return -1;
    if (tls_open(b, 1) || ws_upgrade(b, SASAE_ENV_SUBPROTOCOL) != 101)
        return -1;
    struct sasae_env_msg join = {.type = SASAE_ENV_JOIN, .version = 1};
    memcpy(join.code, m.code, sizeof(join.code));
    send_env(b, &join);
    for (struct tconn *t = a; t; t = t == a ? b : NULL) {
        if (ws_recv(t, &p, &n) != 2 || sasae_env_parse(p, n, &m) || m.type != SASAE_ENV_PEER_JOINED)
            return -1;
        free(p);
    }
    return 0;
}

static struct tconn a, b;

static int run_mode(const char *mode)
{
    if (!strcmp(mode, "garbage")) {
        int fd = tcp_connect();
        uint8_t junk[4096];
        RAND_bytes(junk, sizeof(junk));
        ssize_t w = write(fd, junk, sizeof(junk));
        char c;
        ssize_t r = read(fd, &c, 1); /* the relay must hang up */
        printf("garbage: wrote %zd, read %zd\n", w, r);
        close(fd);
        return r <= 0 ? 0 : 1;
    }
    if (!strcmp(mode, "tlsgarbage")) {
        if (tls_open(&a, 0))
            return 1;
        uint8_t junk[8192];
        RAND_bytes(junk, sizeof(junk));
        wr(&a, junk, sizeof(junk));
        char c;
        int r = SSL_read(a.ssl, &c, 1);
        printf("tlsgarbage: read %d\n", r);
        return 0;
    }
    if (!strncmp(mode, "http:", 5)) {
        if (tls_open(&a, 0))
            return 1;
        char req[512];
        int n = snprintf(req, sizeof(req),
                         "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", mode + 5);
        wr(&a, req, (size_t)n);
        char resp[8192];
        int got = 0, r;
        while ((r = SSL_read(a.ssl, resp + got, (int)sizeof(resp) - 1 - got)) > 0)
            got += r;
        resp[got] = '\0';
        fputs(resp, stdout);
        return 0;
    }
    if (!strcmp(mode, "headers")) {
        /* 64 KiB of headers: must be refused, not buffered. */
        if (tls_open(&a, 0))
            return 1;
        const char *start = "GET / HTTP/1.1\r\nHost: x\r\n";
        wr(&a, start, strlen(start));
        char line[1100];
        memset(line, 'a', sizeof(line));
        memcpy(line, "X-Big: ", 7);
        memcpy(line + sizeof(line) - 2, "\r\n", 2);
        for (int i = 0; i < 60; i++)
            if (wr(&a, line, sizeof(line)))
                break;
        wr(&a, "\r\n", 2);
        char resp[256] = "";
        int r = SSL_read(a.ssl, resp, sizeof(resp) - 1);
        if (r > 0)
            resp[r] = '\0';
        printf("headers: %s\n", r > 0 ? strtok(resp, "\r\n") : "connection closed");
        return (r <= 0 || strstr(resp, " 200 ") == NULL) ? 0 : 1;
    }
    if (!strncmp(mode, "proto:", 6)) {
        if (tls_open(&a, 0))
            return 1;
        int st = ws_upgrade(&a, strcmp(mode + 6, "-") ? mode + 6 : NULL);
        printf("UPGRADE %d\n", st);
        return 0;
    }
    if (!strcmp(mode, "silent")) {
        if (tls_open(&a, 0) || ws_upgrade(&a, SASAE_ENV_SUBPROTOCOL) != 101)
            return 1;
        return expect_end(&a, "silent") == SASAE_ENV_ERR_PROTOCOL ? 0 : 1;
    }
    if (!strncmp(mode, "rfc6455:", 8)) {
        /* rfc6455:unmasked|unmasked-ping|text|text-paired|text-cont: a frame RFC 6455 does
         * not allow from a client, alone or inside a paired session. The relay must close
         * the connection with 1002 (unmasked) or 1003 (text); a paired peer must get
         * PEER_LEFT and never the frame's bytes. Prints "CLOSE <status>". */
        const char *what = mode + 8;
        int paired = !strcmp(what, "text-paired") || !strcmp(what, "unmasked-paired");
        if (paired) {
            if (pair(&a, &b))
                return 1;
        } else if (tls_open(&a, 0) || ws_upgrade(&a, SASAE_ENV_SUBPROTOCOL) != 101) {
            return 1;
        }
        uint8_t reg[SASAE_ENV_CONTROL_MAX];
        size_t n = 0;
        struct sasae_env_msg m = {.type = SASAE_ENV_REGISTER, .version = 1};
        if (sasae_env_serialize(&m, reg, sizeof(reg), &n))
            return 1;
        static uint8_t data[1000];
        data[0] = SASAE_ENV_DATA;
        memcpy(data + 1, "must-not-arrive", 15);
        int want = 1002;
        if (!strcmp(what, "unmasked")) {
            ws_send_frame(&a, 2, 1, 0, reg, n);
        } else if (!strcmp(what, "unmasked-paired")) {
            ws_send_frame(&a, 2, 1, 0, data, sizeof(data));
        } else if (!strcmp(what, "unmasked-ping")) {
            ws_send_frame(&a, 9, 1, 0, (const uint8_t *)"hi", 2);
        } else if (!strcmp(what, "text")) {
            ws_send_frame(&a, 1, 1, 1, reg, n);
            want = 1003;
        } else if (!strcmp(what, "text-paired")) {
            ws_send_frame(&a, 1, 1, 1, data, sizeof(data));
            want = 1003;
        } else if (!strcmp(what, "text-cont")) {
            /* a text message split in two: the first fragment already decides */
            ws_send_frame(&a, 1, 0, 1, reg, 1);
            ws_send_frame(&a, 0, 1, 1, reg + 1, n - 1);
            want = 1003;
        } else {
            fprintf(stderr, "unknown rfc6455 case %s\n", what);
            return 2;
        }
        int ea, errors = 0;
        /* ERROR protocol (the reason, for our own clients), then the close frame */
        while ((ea = expect_end(&a, what)) >= 0 && ea < 1000)
            errors++;
        int ok = ea == 1000 + want && errors == 1;
        if (paired) {
            /* The peer hears that its partner left, and nothing it sent. */
            int eb = -1;
            for (;;) {
                uint8_t *p = NULL;
                size_t len = 0;
                int op = ws_recv(&b, &p, &len);
                if (op < 0)
                    break;
                struct sasae_env_msg pm;
                if (op == 2 && len && p[0] == SASAE_ENV_DATA) {
                    printf("peer: received forwarded DATA (%zu bytes)\n", len);
                    ok = 0;
                } else if (op == 2 && !sasae_env_parse(p, len, &pm) &&
                           pm.type == SASAE_ENV_PEER_LEFT) {
                    printf("peer: PEER_LEFT %u %s\n", pm.reason, pm.text);
                    eb = pm.reason;
                } else if (op == 8) {
                    free(p);
                    break;
                }
                free(p);
            }
            ok = ok && eb >= 0;
        }
        return ok ? 0 : 1;
    }
    if (!strcmp(mode, "unknown")) {
        if (tls_open(&a, 0) || ws_upgrade(&a, SASAE_ENV_SUBPROTOCOL) != 101)
            return 1;
        uint8_t bad[] = {0x42, 1, 2, 3};
        ws_send(&a, 2, 1, bad, sizeof(bad));
        return expect_end(&a, "unknown") == SASAE_ENV_ERR_PROTOCOL ? 0 : 1;
    }
    if (!strcmp(mode, "ctl-oversize")) {
        if (tls_open(&a, 0) || ws_upgrade(&a, SASAE_ENV_SUBPROTOCOL) != 101)
            return 1;
        static uint8_t big[4096];
        big[0] = SASAE_ENV_REGISTER;
        ws_send(&a, 2, 1, big, sizeof(big));
        return expect_end(&a, "ctl-oversize") == SASAE_ENV_ERR_PROTOCOL ? 0 : 1;
    }
    if (!strcmp(mode, "oversize")) {
        if (pair(&a, &b))
            return 1;
        /* 1 MiB + 65 is the largest legal message; send 2 MiB in 64 KiB fragments. */
        static uint8_t frag[65536];
        frag[0] = SASAE_ENV_DATA;
        for (int i = 0; i < 32; i++)
            if (ws_send(&a, i ? 0 : 2, i == 31, frag, sizeof(frag)))
                break;
        int ea = expect_end(&a, "sender");
        int eb = expect_end(&b, "receiver");
        return ea == SASAE_ENV_ERR_TOO_BIG && eb != -1 ? 0 : 1;
    }
    if (!strncmp(mode, "wrongcodes:", 11)) {
        /* wrongcodes:N[:PREFIX6]: N random codes, or with PREFIX6 N random check parts on
         * that routing part (near misses when it is live). ERROR 4 is split by its text
         * into the per-address limit and the relay-wide cap. */
        int n = atoi(mode + 11), counts[16] = {0}, other = 0, global = 0;
        const char *prefix = strchr(mode + 11, ':');
        prefix = prefix && strlen(prefix + 1) == 6 ? prefix + 1 : NULL;
        for (int i = 0; i < n; i++) {
            if (tls_open(&a, 1) || ws_upgrade(&a, SASAE_ENV_SUBPROTOCOL) != 101) {
                other++;
                tls_close(&a);
                continue;
            }
            struct sasae_env_msg j = {.type = SASAE_ENV_JOIN, .version = 1};
            uint8_t r[4];
            RAND_bytes(r, 4);
            uint32_t x;
            memcpy(&x, r, 4);
            if (prefix)
                snprintf(j.code, sizeof(j.code), "%.6s%01u", prefix, (unsigned)(x % 10u));
            else
                snprintf(j.code, sizeof(j.code), "%07u", (unsigned)(x % 10000000u));
            send_env(&a, &j);
            g_last_error[0] = 0;
            int e = expect_end(&a, "join");
            if (e == SASAE_ENV_ERR_RATE && strstr(g_last_error, "relay-wide"))
                global++;
            else if (e >= 0 && e < 16)
                counts[e]++;
            else
                other++;
            tls_close(&a);
        }
        printf("WRONGCODES bad_code=%d rate=%d other=%d global=%d\n",
               counts[SASAE_ENV_ERR_BAD_CODE], counts[SASAE_ENV_ERR_RATE] + global, other, global);
        return 0;
    }
    if (!strncmp(mode, "noread:", 7)) {
        /* B never reads; A writes as fast as the relay lets it for SECONDS. */
        int secs = atoi(mode + 7);
        if (pair(&a, &b))
            return 1;
        static uint8_t msg[65536];
        msg[0] = SASAE_ENV_DATA;
        time_t end = time(NULL) + secs;
        long sent = 0;
        struct timeval tv;
        while (time(NULL) < end) {
            if (ws_send(&a, 2, 1, msg, sizeof(msg)))
                break;
            sent += (long)sizeof(msg);
        }
        printf("NOREAD sent=%ld\n", sent);
        fflush(stdout);
        /* Now read what the relay told the sender. */
        tv.tv_sec = 30;
        setsockopt(a.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        int e = expect_end(&a, "sender");
        return e == 2000 + SASAE_ENV_LEFT_STUCK ? 0 : 1;
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: relay_rawclient MODE PORT CAFILE [CERT KEY] [ARGS]\n"
                        "modes: garbage tlsgarbage http:PATH proto:NAME|proto:- unknown "
                        "oversize ctl-oversize wrongcodes:N noread:SECONDS headers rfc6455:CASE\n");
        return 2;
    }
    const char *mode = argv[1];
    g_port = atoi(argv[2]);
    g_ca = argv[3];
    if (argc >= 6) {
        g_cert = argv[4];
        g_key = argv[5];
    }
    signal(SIGPIPE, SIG_IGN);
    int rc = run_mode(mode);
    tls_close(&a);
    tls_close(&b);
    return rc;
}
