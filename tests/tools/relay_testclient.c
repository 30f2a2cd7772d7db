/* relay_testclient: drives sasae_relayclient against a real sasae-relay for integration
 * tests and checks every byte: N host/viewer pairs in one process, M messages each way. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sasae/common.h"
#include "sasae/envelope.h"
#include "sasae/relayclient.h"

struct opts {
    const char *url, *ca, *ca_mem, *pin, *cert, *key, *proxy, *code, *code_file, *crl_file;
    char *ca_pem; /* --ca-mem: the file's bytes, handed over as ca_pem */
    size_t ca_pem_len;
    int role; /* 1 host, 2 viewer, 3 pair (host + viewer in one process) */
    int sessions, msgs, size, timeout_s, expect_error, expect_end, audit_kind, hold, reconnect;
    int pace_ms; /* --pace-ms: a pause between messages (a session that runs for a while) */
    const char *audit_text;
    int env_proxy;
};

struct side {
    struct opts *o;
    struct sasae_relayclient *c;
    int role, index;
    char code[16];
    atomic_int registered, paired, ended, end, err_code, recv_msgs, bad;
    char op[300];
    char end_text[400];
    struct side *partner; /* pair mode */
};

static atomic_int g_fail;

static void fill(uint8_t *b, size_t n, int role, int idx, int seq)
{
    for (size_t j = 0; j < n; j++)
        b[j] = (uint8_t)(seq * 31 + (int)j * 7 + role * 3 + idx);
    if (n >= 8) {
        memcpy(b, &seq, 4);
        memcpy(b + 4, &idx, 4);
    }
}

static int check(const uint8_t *b, size_t n, int role, int idx, int seq)
{
    for (size_t j = 8; j < n; j++)
        if (b[j] != (uint8_t)(seq * 31 + (int)j * 7 + role * 3 + idx))
            return -1;
    if (n >= 8) {
        int s, i;
        memcpy(&s, b, 4);
        memcpy(&i, b + 4, 4);
        if (s != seq || i != idx)
            return -1;
    }
    return 0;
}

static void on_registered(void *u, const char *code, uint32_t secs)
{
    struct side *s = u;
    snprintf(s->code, sizeof(s->code), "%s", code);
    if (s->o->role != 3) {
        printf("CODE %s %u\n", code, secs);
        fflush(stdout);
        if (s->o->code_file) {
            char tmp[1024];
            snprintf(tmp, sizeof(tmp), "%s.tmp", s->o->code_file);
            FILE *f = fopen(tmp, "w");
            if (f) {
                fprintf(f, "%s\n", code);
                fclose(f);
                rename(tmp, s->o->code_file);
            }
        }
    }
    atomic_store(&s->registered, 1);
}

static void on_paired(void *u, const char *op, const char *org)
{
    struct side *s = u;
    snprintf(s->op, sizeof(s->op), "%s/%s", op, org);
    if (s->o->role != 3) {
        printf("PAIRED operator=%s org=%s\n", op, org);
        fflush(stdout);
    }
    atomic_store(&s->paired, 1);
}

static void on_data(void *u, const uint8_t *b, size_t n)
{
    struct side *s = u;
    int seq = atomic_load(&s->recv_msgs);
    int peer_role = s->role == 1 ? 2 : 1;
    if (n != (size_t)s->o->size || check(b, n, peer_role, s->index, seq)) {
        fprintf(stderr, "side %d/%d: message %d corrupt (len %zu)\n", s->role, s->index, seq, n);
        atomic_store(&s->bad, 1);
    }
    atomic_fetch_add(&s->recv_msgs, 1);
}

static void on_peer_left(void *u, int reason, const char *text)
{
    struct side *s = u;
    if (s->o->role != 3) {
        printf("PEER_LEFT %d %s\n", reason, text);
        fflush(stdout);
    }
}

static void on_closed(void *u, int end, int err, const char *text)
{
    struct side *s = u;
    snprintf(s->end_text, sizeof(s->end_text), "%s", text);
    atomic_store(&s->end, end);
    atomic_store(&s->err_code, err);
    atomic_store(&s->ended, 1);
    if (s->o->role != 3) {
        printf("CLOSED end=%d error=%d %s\n", end, err, text);
        fflush(stdout);
    }
}

/* Host --crl-file F: asks for the CRL; each one the relay sends replaces F (DER). */
static void on_crl(void *u, const uint8_t *der, size_t len)
{
    struct side *s = u;
    printf("CRL %zu bytes\n", len);
    fflush(stdout);
    char tmp[1024];
    snprintf(tmp, sizeof(tmp), "%s.tmp", s->o->crl_file);
    FILE *f = fopen(tmp, "wb");
    if (f) {
        fwrite(der, 1, len, f);
        fclose(f);
        rename(tmp, s->o->crl_file);
    }
}

static const struct sasae_relayclient_callbacks cbs = {
    on_registered, on_paired, on_data, on_peer_left, on_closed, NULL,
};
static const struct sasae_relayclient_callbacks cbs_crl = {
    on_registered, on_paired, on_data, on_peer_left, on_closed, on_crl,
};

static int start(struct side *s, int role, const char *code)
{
    struct opts *o = s->o;
    struct sasae_relayclient_config cfg = {
        .url = o->url,
        .role = role,
        .code = code,
        .ca_file = o->ca,
        .ca_pem = o->ca_pem,
        .ca_pem_len = o->ca_pem_len,
        .pin_sha256 = o->pin,
        .cert_file = role == 2 ? o->cert : NULL,
        .key_file = role == 2 ? o->key : NULL,
        .proxy = o->proxy,
        .use_env_proxy = o->env_proxy,
        .reconnect_attempts = (unsigned)o->reconnect,
        .connect_timeout_s = 20,
    };
    s->role = role;
    int rc = sasae_relayclient_new(&cfg, role == 1 && o->crl_file ? &cbs_crl : &cbs, s, &s->c);
    if (rc)
        fprintf(stderr, "sasae_relayclient_new: %s\n", strerror(-rc));
    return rc;
}

static double now_s(void)
{
    return (double)sasae_mono_ns() / 1e9;
}

static int wait_flag(atomic_int *f, atomic_int *ended, double deadline)
{
    while (!atomic_load(f)) {
        if ((ended && atomic_load(ended)) || now_s() > deadline)
            return -1;
        usleep(2000);
    }
    return 0;
}

/* Sends this side's messages (pacing on the queued byte count) and waits for the peer's. */
static int exchange(struct side *s, double deadline)
{
    uint8_t *buf = malloc(s->o->size ? (size_t)s->o->size : 1);
    for (int i = 0; i < s->o->msgs; i++) {
        while (sasae_relayclient_queued_bytes(s->c) > 4u << 20) {
            if (now_s() > deadline || atomic_load(&s->ended))
                break;
            usleep(1000);
        }
        if (s->o->pace_ms && i)
            usleep((useconds_t)s->o->pace_ms * 1000);
        fill(buf, (size_t)s->o->size, s->role, s->index, i);
        int rc = sasae_relayclient_send_data(s->c, buf, (size_t)s->o->size);
        if (rc) {
            fprintf(stderr, "send_data: %s\n", strerror(-rc));
            free(buf);
            return -1;
        }
    }
    free(buf);
    return 0;
}

static void *pair_thread(void *arg)
{
    struct side *h = arg, *v = h->partner;
    struct opts *o = h->o;
    double deadline = now_s() + o->timeout_s;
    if (start(h, 1, NULL) || wait_flag(&h->registered, &h->ended, deadline)) {
        fprintf(stderr, "pair %d: host did not register (%s)\n", h->index, h->end_text);
        atomic_store(&g_fail, 1);
        return NULL;
    }
    if (start(v, 2, h->code) || wait_flag(&v->paired, &v->ended, deadline) ||
        wait_flag(&h->paired, &h->ended, deadline)) {
        fprintf(stderr, "pair %d: not paired (viewer: %s)\n", h->index, v->end_text);
        atomic_store(&g_fail, 1);
        return NULL;
    }
    if (exchange(h, deadline) || exchange(v, deadline)) {
        atomic_store(&g_fail, 1);
        return NULL;
    }
    while ((atomic_load(&h->recv_msgs) < o->msgs || atomic_load(&v->recv_msgs) < o->msgs) &&
           now_s() < deadline && !atomic_load(&h->ended) && !atomic_load(&v->ended))
        usleep(5000);
    if (atomic_load(&h->recv_msgs) != o->msgs || atomic_load(&v->recv_msgs) != o->msgs ||
        atomic_load(&h->bad) || atomic_load(&v->bad)) {
        fprintf(stderr, "pair %d: host got %d, viewer got %d of %d (bad %d/%d)\n", h->index,
                atomic_load(&h->recv_msgs), atomic_load(&v->recv_msgs), o->msgs,
                atomic_load(&h->bad), atomic_load(&v->bad));
        atomic_store(&g_fail, 1);
        return NULL;
    }
    if (o->audit_kind)
        sasae_relayclient_send_audit(h->c, o->audit_kind, o->audit_text);
    /* The viewer ends; the host must learn it through PEER_LEFT. */
    sasae_relayclient_close(v->c);
    if (wait_flag(&h->ended, NULL, deadline) ||
        atomic_load(&h->end) != SASAE_RELAYCLIENT_END_PEER_LEFT) {
        fprintf(stderr, "pair %d: host end %d (%s)\n", h->index, atomic_load(&h->end), h->end_text);
        atomic_store(&g_fail, 1);
    }
    return NULL;
}

static int run_pairs(struct opts *o)
{
    int n = o->sessions;
    struct side *sides = calloc((size_t)n * 2, sizeof(*sides));
    pthread_t *th = calloc((size_t)n, sizeof(*th));
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        struct side *h = &sides[2 * i], *v = &sides[2 * i + 1];
        h->o = v->o = o;
        h->index = v->index = i;
        h->partner = v;
        pthread_create(&th[i], NULL, pair_thread, h);
        if (i % 20 == 19)
            usleep(50000); /* stay under the relay's per-address connection rate */
    }
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    double dt = now_s() - t0;
    for (int i = 0; i < 2 * n; i++)
        sasae_relayclient_free(sides[i].c);
    int ok = !atomic_load(&g_fail);
    printf("RESULT %s sessions=%d msgs=%d size=%d seconds=%.2f\n", ok ? "ok" : "FAIL", n, o->msgs,
           o->size, dt);
    free(sides);
    free(th);
    return ok ? 0 : 1;
}

static int run_single(struct opts *o)
{
    struct side s = {.o = o};
    double deadline = now_s() + o->timeout_s;
    char code[64] = "";
    if (o->role == 2) {
        if (o->code) {
            snprintf(code, sizeof(code), "%s", o->code);
        } else if (o->code_file) {
            while (now_s() < deadline) {
                FILE *f = fopen(o->code_file, "r");
                if (f) {
                    int got = fscanf(f, "%63s", code) == 1;
                    fclose(f);
                    if (got)
                        break;
                }
                usleep(20000);
            }
        }
    }
    if (start(&s, o->role, code[0] ? code : NULL))
        return 3;
    int rc = 1;
    if (o->expect_error || o->expect_end) {
        wait_flag(&s.ended, NULL, deadline);
        int ok = atomic_load(&s.ended) &&
                 (!o->expect_error || atomic_load(&s.err_code) == o->expect_error) &&
                 (!o->expect_end || atomic_load(&s.end) == o->expect_end);
        printf("RESULT %s end=%d error=%d\n", ok ? "ok" : "FAIL", atomic_load(&s.end),
               atomic_load(&s.err_code));
        rc = ok ? 0 : 1;
        goto out;
    }
    if (wait_flag(&s.paired, &s.ended, deadline)) {
        printf("RESULT FAIL not paired: %s\n", s.end_text);
        goto out;
    }
    if (exchange(&s, deadline))
        goto out;
    while (atomic_load(&s.recv_msgs) < o->msgs && now_s() < deadline && !atomic_load(&s.ended))
        usleep(5000);
    if (o->audit_kind && o->role == 1)
        sasae_relayclient_send_audit(s.c, o->audit_kind, o->audit_text);
    int got = atomic_load(&s.recv_msgs);
    if (o->hold) /* stay until the other side ends */
        wait_flag(&s.ended, NULL, deadline);
    else {
        usleep(200000);
        sasae_relayclient_close(s.c);
        wait_flag(&s.ended, NULL, now_s() + 10);
    }
    int ok = got == o->msgs && !atomic_load(&s.bad);
    printf("RESULT %s recv=%d of %d end=%d\n", ok ? "ok" : "FAIL", got, o->msgs,
           atomic_load(&s.end));
    rc = ok ? 0 : 1;
out:
    sasae_relayclient_free(s.c);
    return rc;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: relay_testclient host|viewer|pairs --url URL (--ca F|--ca-mem F|--pin HEX)\n"
            "  [--cert F --key F] [--proxy URL] [--env-proxy] [--code C] [--code-file F] "
            "[--crl-file F]\n"
            "  [--sessions N] [--msgs M] [--size BYTES] [--timeout S] [--expect-error CODE]\n"
            "  [--expect-end END] [--audit KIND TEXT] [--hold] [--pace-ms MS]\n");
}

int main(int argc, char **argv)
{
    struct opts o = {.sessions = 1, .msgs = 3, .size = 1000, .timeout_s = 60};
    if (argc < 2) {
        usage();
        return 2;
    }
    if (!strcmp(argv[1], "host"))
        o.role = 1;
    else if (!strcmp(argv[1], "viewer"))
        o.role = 2;
    else if (!strcmp(argv[1], "pairs"))
        o.role = 3;
    else {
        usage();
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT_S(name, field)                                                                         \
    if (!strcmp(a, name) && v) {                                                                   \
        o.field = v;                                                                               \
        i++;                                                                                       \
        continue;                                                                                  \
    }
#define OPT_I(name, field)                                                                         \
    if (!strcmp(a, name) && v) {                                                                   \
        o.field = atoi(v);                                                                         \
        i++;                                                                                       \
        continue;                                                                                  \
    }
        OPT_S("--url", url)
        OPT_S("--ca", ca)
        OPT_S("--ca-mem", ca_mem)
        OPT_S("--pin", pin)
        OPT_S("--cert", cert)
        OPT_S("--key", key)
        OPT_S("--proxy", proxy)
        OPT_S("--code", code)
        OPT_S("--code-file", code_file)
        OPT_S("--crl-file", crl_file)
        OPT_I("--sessions", sessions)
        OPT_I("--msgs", msgs)
        OPT_I("--size", size)
        OPT_I("--timeout", timeout_s)
        OPT_I("--expect-error", expect_error)
        OPT_I("--expect-end", expect_end)
        OPT_I("--reconnect", reconnect)
        OPT_I("--pace-ms", pace_ms)
        if (!strcmp(a, "--audit") && i + 2 < argc) {
            o.audit_kind = atoi(argv[i + 1]);
            o.audit_text = argv[i + 2];
            i += 2;
            continue;
        }
        if (!strcmp(a, "--hold")) {
            o.hold = 1;
            continue;
        }
        if (!strcmp(a, "--env-proxy")) {
            o.env_proxy = 1;
            continue;
        }
        usage();
        return 2;
    }
    if (!o.url) {
        usage();
        return 2;
    }
    if (o.ca_mem) { /* the CA from memory, as a branded Windows host has it */
        FILE *f = fopen(o.ca_mem, "rb");
        o.ca_pem = malloc(1 << 20);
        if (!f || !o.ca_pem) {
            fprintf(stderr, "relay_testclient: cannot read %s\n", o.ca_mem);
            if (f)
                fclose(f);
            free(o.ca_pem);
            return 2;
        }
        o.ca_pem_len = fread(o.ca_pem, 1, 1 << 20, f);
        fclose(f);
    }
    int rc = o.role == 3 ? run_pairs(&o) : run_single(&o);
    free(o.ca_pem);
    return rc;
}
