/* Unit tests for the host session with everything real but the sockets: the real secure
 * channel (viewer side played here with an operator certificate from a throw-away PKI),
 * real wire messages, the real capture/encode pipeline (synthetic source) and the real video
 * decoder; the relay is an in-memory queue behind the session's transport interface. */
#include <criterion/criterion.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/Xrandr.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include "sasae/common.h"
#include "sasae/video.h"
#include "sasae/wire.h"
#include "session.h"
#include "sasae/certs.h"
#include "xvfb_helper.h"

/* the support code both ends bind the channel to (docs/protocol.md "Code binding") */
#define TEST_CODE "12345671234"

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    cr_assert(f, "%s", p);
    char *buf = malloc(1 << 16);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    buf[*len] = 0;
    fclose(f);
    return buf;
}

static char *make_ca(const char *org)
{
    char *dir = strdup("/tmp/sasae-host-test-XXXXXX");
    cr_assert(mkdtemp(dir));
    char err[256] = "";
    cr_assert_eq(sasae_certs_init_ca(dir, org, err), 0, "%s", err);
    return dir;
}

static void rm_rf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static struct sasae_chan_cred *load_cred(const char *dir, const char *base)
{
    char a[512], b[512];
    size_t cl, kl;
    snprintf(a, sizeof a, "%s.pem", base);
    snprintf(b, sizeof b, "%s.key", base);
    char *c = slurp(dir, a, &cl), *k = slurp(dir, b, &kl);
    enum sasae_chan_err e;
    struct sasae_chan_cred *cr = sasae_chan_cred_new(c, cl, k, kl, &e);
    free(c);
    free(k);
    return cr;
}

/* The organisation CA (PEM) and its CRL as the relay hands it over (DER). */
static char *ca_pem;
static size_t ca_len;
static uint8_t *crl_der;
static int crl_der_len;

/* Reads dir's crl.pem into crl_der (what the relay would send). */
static void load_crl(const char *dir)
{
    size_t rl;
    char *r = slurp(dir, "crl.pem", &rl);
    BIO *b = BIO_new_mem_buf(r, (int)rl);
    X509_CRL *crl = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
    crl_der = NULL;
    crl_der_len = crl ? i2d_X509_CRL(crl, &crl_der) : -1;
    X509_CRL_free(crl);
    BIO_free(b);
    free(r);
    cr_assert(crl_der_len > 0);
}

static void load_org(const char *dir)
{
    ca_pem = slurp(dir, "ca.pem", &ca_len);
    cr_assert(ca_pem);
    load_crl(dir);
}

/* The relay's code, with the CRL the relay sends right after it. */
static void register_code(struct host_session *h, const char *code)
{
    cr_assert_eq(host_session_on_registered(h, code), 0);
    host_session_on_crl(h, crl_der, (size_t)crl_der_len);
}

/* An operator joins: the relay sends the current CRL, then PEER_JOINED. */
static void pair(struct host_session *h)
{
    host_session_on_crl(h, crl_der, (size_t)crl_der_len);
    host_session_on_paired(h);
}

#define QMAX 4096

struct tq { /* what the host sent, in order */
    pthread_mutex_t mu;
    uint8_t *msg[QMAX];
    size_t len[QMAX];
    int n, rd;
    int audits[32];
    int naudit;
    atomic_int closed;
    char close_why[48];   /* what close() was told */
    atomic_int renews;    /* renew() calls: each is a new connection (closed cleared) */
    atomic_size_t queued; /* pretend backlog */
    /* a simulated link: when link_bytes_per_10ms is set, every send adds to queued and a
     * drain thread takes that many bytes off every 10 ms; backlog[i] = queued before msg i */
    size_t link_bytes_per_10ms;
    size_t backlog[QMAX];
    atomic_int link_stop;
};

static int tq_send(void *ctx, const uint8_t *buf, size_t len)
{
    struct tq *q = ctx;
    pthread_mutex_lock(&q->mu);
    int rc = -ENOSPC;
    if (q->n < QMAX && !atomic_load(&q->closed)) {
        if (q->link_bytes_per_10ms)
            q->backlog[q->n] = atomic_fetch_add(&q->queued, len);
        q->msg[q->n] = malloc(len);
        memcpy(q->msg[q->n], buf, len);
        q->len[q->n++] = len;
        rc = 0;
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int tq_audit(void *ctx, int kind, const char *text)
{
    struct tq *q = ctx;
    pthread_mutex_lock(&q->mu);
    if (q->naudit < 32)
        q->audits[q->naudit++] = kind;
    pthread_mutex_unlock(&q->mu);
    return 0;
}

static size_t tq_queued(void *ctx)
{
    return atomic_load(&((struct tq *)ctx)->queued);
}

static void tq_close(void *ctx, const char *why)
{
    struct tq *q = ctx;
    pthread_mutex_lock(&q->mu);
    snprintf(q->close_why, sizeof q->close_why, "%s", why ? why : "");
    pthread_mutex_unlock(&q->mu);
    atomic_store(&q->closed, 1);
}

static void tq_renew(void *ctx)
{
    struct tq *q = ctx;
    atomic_fetch_add(&q->renews, 1);
    atomic_store(&q->closed, 0);
}

/* Next message the host sent, waiting up to ms; NULL on timeout. */
static uint8_t *tq_next(struct tq *q, size_t *len, int ms)
{
    for (int i = 0; i <= ms; i++) {
        pthread_mutex_lock(&q->mu);
        if (q->rd < q->n) {
            uint8_t *m = q->msg[q->rd];
            *len = q->len[q->rd++];
            pthread_mutex_unlock(&q->mu);
            return m;
        }
        pthread_mutex_unlock(&q->mu);
        usleep(1000);
    }
    return NULL;
}

static bool has_audit(struct tq *q, int kind)
{
    pthread_mutex_lock(&q->mu);
    bool f = false;
    for (int i = 0; i < q->naudit; i++)
        f |= q->audits[i] == kind;
    pthread_mutex_unlock(&q->mu);
    return f;
}

/* The test's viewer. */
struct viewer {
    struct sasae_chan_cred *cred;
    struct sasae_chan *ch;
    uint8_t buf[SASAE_CHAN_MAX_RECORD], pt[SASAE_CHAN_MAX_RECORD];
    struct sasae_wire_reasm *reasm;
    sasae_vdec *dec;
    int frames, sysinfo, cursor, videos_decoded;
    uint32_t last_frame;
    int keyframes;
    int video_msgs;
    int consent[8], nconsent;
    int end_reason;
    int width;
    uint32_t host_caps;
    struct sasae_wire_monitor_list mons; /* the last MONITOR_LIST (names not kept) */
    int mon_lists;
    int keyframe_width;    /* of the latest keyframe */
    uint8_t centre_yuv[3]; /* decoded pixel at the centre of the latest frame */
};

static char *pki;
static char op_serial[80]; /* Hanako Sato's certificate */
static struct sasae_chan_key *device;
static struct tq q;
static struct host_session *hs;
static struct viewer vw;

static void setup_pki(void)
{
    pki = make_ca("Example Help Desk");
    char err[256] = "";
    cr_assert_eq(sasae_certs_issue_operator(pki, "Hanako Sato", NULL, NULL, op_serial, err), 0,
                 "%s", err);
    device = sasae_chan_key_generate();
    load_org(pki);
    cr_assert(device);
}

/* The session's deadline clock: the real one plus what a test has skipped ahead. */
static _Atomic uint64_t clock_skip_ns;
static int reconsent_s;        /* the next start()'s re-consent period (0 = never) */
static int start_monitor = -1; /* the next start()'s --monitor */

static uint64_t test_clock(void *user)
{
    (void)user;
    return sasae_mono_ns() + atomic_load(&clock_skip_ns);
}

static void start(const char *source, bool x11, const char *display)
{
    atomic_store(&clock_skip_ns, 0);
    memset(&q, 0, sizeof q);
    pthread_mutex_init(&q.mu, NULL);
    struct host_transport tr = {tq_send, tq_audit, tq_queued, tq_close, tq_renew, &q};
    struct host_session_config cfg = {.device = device,
                                      .org_ca = ca_pem,
                                      .org_ca_len = ca_len,
                                      .cap = {.source = source,
                                              .display = display,
                                              .monitor = start_monitor,
                                              .width = 320,
                                              .height = 240,
                                              .fps = 30},
                                      .platform_io = x11,
                                      .display = display,
                                      .fps = 30,
                                      .reconsent_s = reconsent_s,
                                      .clock_ns = test_clock,
                                      .clock_user = NULL};
    char err[256];
    hs = host_session_new(&cfg, &tr, err, sizeof err);
    cr_assert(hs, "%s", err);
    memset(&vw, 0, sizeof vw);
    vw.cred = load_cred(pki, "operators/hanako-sato");
    cr_assert(vw.cred);
    vw.ch = sasae_chan_new_viewer(vw.cred, TEST_CODE, NULL);
    vw.reasm = sasae_wire_reasm_new(0);
    cr_assert_eq(sasae_vdec_new(&vw.dec), 0);
    vw.end_reason = -1;
    vw.width = strcmp(source, "x11") == 0 ? 640 : 320;
}

static void stop(void)
{
    host_session_free(hs);
    sasae_chan_free(vw.ch);
    sasae_chan_cred_free(vw.cred);
    sasae_wire_reasm_free(vw.reasm);
    sasae_vdec_free(vw.dec);
    for (int i = 0; i < q.n; i++)
        free(q.msg[i]);
}

static void teardown(void)
{
    stop();
    sasae_chan_key_free(device);
    free(ca_pem);
    OPENSSL_free(crl_der);
    rm_rf(pki);
    free(pki);
}

static void setup(void)
{
    setup_pki();
    start("synthetic", false, NULL);
}

/* The test viewer binds its channel to the code the host shows (the customer reads it):
 * its first 11 digits, or those with the secret's last digit changed (a wrong code). */
static void viewer_reads_code(bool wrong)
{
    struct host_view hv;
    host_session_view(hs, &hv);
    cr_assert_eq(strlen(hv.code), 12, "host shows %s", hv.code);
    char pw[12];
    memcpy(pw, hv.code, 11);
    pw[11] = 0;
    if (wrong)
        pw[10] = pw[10] == '9' ? '0' : (char)(pw[10] + 1);
    sasae_chan_free(vw.ch);
    vw.ch = sasae_chan_new_viewer(vw.cred, pw, NULL);
    cr_assert(vw.ch);
}

/* Registers, pairs and runs the handshake; returns after the host is ASKING. */
static void handshake(void)
{
    register_code(hs, "1234567");
    viewer_reads_code(false);
    pair(hs);
    size_t n = 0, len;
    cr_assert_eq(sasae_chan_start(vw.ch, vw.buf, sizeof vw.buf, &n), SASAE_CHAN_OK);
    host_session_on_data(hs, vw.buf, n); /* CLIENT_HELLO */
    uint8_t *sh = tq_next(&q, &len, 2000);
    cr_assert(sh, "no SERVER_HELLO");
    cr_assert_eq(sasae_chan_handshake(vw.ch, sh, len, vw.buf, sizeof vw.buf, &n), SASAE_CHAN_OK);
    host_session_on_data(hs, vw.buf, n); /* CLIENT_AUTH */
    uint8_t *hf = tq_next(&q, &len, 2000);
    cr_assert(hf, "no HOST_FINISHED");
    cr_assert_eq(sasae_chan_handshake(vw.ch, hf, len, vw.buf, sizeof vw.buf, &n), SASAE_CHAN_OK);
    cr_assert(sasae_chan_established(vw.ch));
    struct host_view v;
    host_session_view(hs, &v);
    cr_assert_eq(v.state, SASAE_HS_ASKING);
    cr_assert_str_eq(v.operator_name, "Hanako Sato");
    cr_assert_str_eq(v.organisation, "Example Help Desk");
}

/* Viewer -> host: one sealed message. */
static void vsend(const struct sasae_wire_msg *m)
{
    uint8_t pt[4096];
    size_t n, rl;
    cr_assert_eq(sasae_wire_serialize(m, pt, sizeof pt, &n), SASAE_WIRE_OK);
    cr_assert_eq(sasae_chan_seal(vw.ch, pt, n, vw.buf, sizeof vw.buf, &rl), SASAE_CHAN_OK);
    host_session_on_data(hs, vw.buf, rl);
}

/* Reads and handles every host message for up to ms; returns how many were read. Types
 * seen are OR-ed into *seen as bits (1 << (type & 31)) plus video counted in vw. */
static int vpump(int ms, uint64_t *types)
{
    int count = 0;
    size_t len;
    uint8_t *m;
    uint64_t until = sasae_mono_ns() + (uint64_t)ms * 1000000ull;
    while (sasae_mono_ns() < until) {
        m = tq_next(&q, &len, 5);
        if (!m)
            continue;
        size_t n;
        cr_assert_eq(sasae_chan_open(vw.ch, m, len, vw.pt, sizeof vw.pt, &n), SASAE_CHAN_OK,
                     "record %d did not open", q.rd);
        struct sasae_wire_msg w;
        cr_assert_eq(sasae_wire_parse(vw.pt, n, &w), SASAE_WIRE_OK);
        count++;
        if (types)
            *types |= 1ull << (w.type & 63);
        if (w.type == SASAE_WIRE_VIDEO) {
            vw.video_msgs++;
            int done = 0;
            struct sasae_wire_video f;
            cr_assert_eq(sasae_wire_reasm_push(vw.reasm, &w.u.video, &done, &f), SASAE_WIRE_OK);
            if (done) {
                vw.frames++;
                vw.keyframes += (f.flags & SASAE_WIRE_VIDEO_KEYFRAME) != 0;
                vw.last_frame = f.frame_id;
                sasae_video_image img;
                int rc = sasae_vdec_decode(vw.dec, f.data, f.data_len, &img);
                cr_assert_eq(rc, 0, "decode: %s", sasae_video_strerror(rc));
                /* width 0: a monitor switch is under way, frames of the old size may still
                 * be queued before the new keyframe */
                cr_assert(vw.width == 0 || img.width == vw.width, "width %d, want %d", img.width,
                          vw.width);
                if (f.flags & SASAE_WIRE_VIDEO_KEYFRAME)
                    vw.keyframe_width = img.width;
                int cx = img.width / 2, cy = img.height / 2;
                vw.centre_yuv[0] = img.planes[0][cy * img.strides[0] + cx];
                vw.centre_yuv[1] = img.planes[1][cy / 2 * img.strides[1] + cx / 2];
                vw.centre_yuv[2] = img.planes[2][cy / 2 * img.strides[2] + cx / 2];
                vw.videos_decoded++;
                uint64_t now = sasae_wall_us();
                cr_assert(f.capture_us <= now && f.capture_us > now - 10000000ull,
                          "capture time carried");
            }
        } else if (w.type == SASAE_WIRE_SYSINFO) {
            vw.sysinfo++;
        } else if (w.type == SASAE_WIRE_HELLO) {
            vw.host_caps = w.u.hello.caps;
        } else if (w.type == SASAE_WIRE_MONITOR_LIST) {
            vw.mons = w.u.monitors;
            vw.mon_lists++;
        } else if (w.type == SASAE_WIRE_CURSOR_POS || w.type == SASAE_WIRE_CURSOR_SHAPE) {
            vw.cursor++;
        } else if (w.type == SASAE_WIRE_CONSENT_STATE) {
            vw.consent[vw.nconsent++ & 7] = w.u.consent.state;
        } else if (w.type == SASAE_WIRE_END) {
            vw.end_reason = w.u.end.reason;
        }
    }
    return count;
}

static void ack_all(void)
{
    struct sasae_wire_msg a = {.type = SASAE_WIRE_FRAME_ACK};
    a.u.ack.frame_id = vw.last_frame;
    a.u.ack.recv_us = sasae_wall_us();
    vsend(&a);
}

#define BIT(t) (1ull << ((t)&63))

TestSuite(host_session, .init = setup, .fini = teardown, .timeout = 60);

/* An operator whose code does not match (verified certificate, wrong secret digits): the
 * host says so (ALERT 21), counts it itself and offers the code again with the same secret
 * digits; the 5th burns them (a new code), and after 3 burns the host stops offering codes. */
Test(host_session, wrong_code_counted_by_the_host)
{
    char relay[8], secret[5] = "", first[13] = "";
    struct host_view v;
    int renews = 0;
    for (int burn = 0; burn < SASAE_HS_MAX_BURNS; burn++) {
        for (int i = 0; i < SASAE_HS_MISMATCH_BURN; i++) {
            snprintf(relay, sizeof relay, "%07d", 1000000 + burn * 10 + i);
            register_code(hs, relay);
            host_session_view(hs, &v);
            cr_assert_eq(v.state, SASAE_HS_WAITING);
            cr_assert_eq(strncmp(v.code, relay, 7), 0);
            if (i == 0)
                memcpy(secret, v.code + 7, 4);
            else
                cr_assert_eq(memcmp(v.code + 7, secret, 4), 0, "secret digits kept: %s", v.code);
            if (!first[0])
                memcpy(first, v.code, 13);
            viewer_reads_code(true);
            pair(hs);
            size_t n = 0, len;
            cr_assert_eq(sasae_chan_start(vw.ch, vw.buf, sizeof vw.buf, &n), SASAE_CHAN_OK);
            host_session_on_data(hs, vw.buf, n);
            uint8_t *sh = tq_next(&q, &len, 2000);
            cr_assert(sh);
            cr_assert_eq(sasae_chan_handshake(vw.ch, sh, len, vw.buf, sizeof vw.buf, &n),
                         SASAE_CHAN_OK);
            host_session_on_data(hs, vw.buf, n); /* CLIENT_AUTH, Finished under another key */
            uint8_t *al = tq_next(&q, &len, 1000);
            cr_assert(al && len == 2 && al[0] == 0x05 && al[1] == SASAE_CHAN_ECODE);
            cr_assert_eq(sasae_chan_handshake(vw.ch, al, len, vw.buf, sizeof vw.buf, &n),
                         SASAE_CHAN_EPEER);
            cr_assert_eq(sasae_chan_peer_error(vw.ch), SASAE_CHAN_ECODE);
            host_session_view(hs, &v);
            if (burn == SASAE_HS_MAX_BURNS - 1 && i == SASAE_HS_MISMATCH_BURN - 1) {
                cr_assert_str_eq(v.status, "too many codes that did not match");
                cr_assert_eq(v.state, SASAE_HS_ENDED, "15 wrong codes: no more codes");
                cr_assert_eq(v.end_reason, SASAE_HS_END_CODE_MISMATCH);
                break;
            }
            cr_assert_str_eq(v.status, sasae_chan_strerror(SASAE_CHAN_ECODE));
            cr_assert_eq(v.state, SASAE_HS_IDLE, "offered again, not ended");
            cr_assert_eq(v.renewed, i < SASAE_HS_MISMATCH_BURN - 1 ? SASAE_HS_RENEW_MISMATCH
                                                                   : SASAE_HS_RENEW_TOO_MANY);
            cr_assert_eq(atomic_load(&q.renews), ++renews);
            cr_assert_str_eq(v.code, "", "the used code is not shown until re-registered");
        }
    }
    cr_assert(q.naudit >= 14, "each mismatch was reported to the relay's audit log");
    for (int i = 0; i < 14; i++)
        cr_assert_eq(q.audits[i], SASAE_ENV_AUDIT_HANDSHAKE_FAILED);
}

/* A code lost while waiting brings a new registration, shown with the reason; once an
 * operator joined, a lost code ends the session and nothing is renewed. */
Test(host_session, lost_code_renews_only_before_pairing)
{
    register_code(hs, "1112223");
    struct host_view v;
    host_session_view(hs, &v);
    cr_assert_eq(strlen(v.code), 12);
    cr_assert_eq(strncmp(v.code, "1112223", 7), 0, "the relay's digits first: %s", v.code);
    cr_assert_eq(v.renewed, SASAE_HS_RENEW_NONE);
    cr_assert(host_session_on_code_lost(hs, SASAE_HS_RENEW_BURNED, "code burned"));
    cr_assert_eq(atomic_load(&q.renews), 1);
    host_session_view(hs, &v);
    cr_assert_eq(v.state, SASAE_HS_IDLE);
    cr_assert_str_eq(v.code, "", "the dead code is not shown");
    cr_assert_eq(v.renewed, SASAE_HS_RENEW_BURNED);
    cr_assert_eq(q.n, 0, "nothing sent");
    cr_assert_eq(q.naudit, 0);
    register_code(hs, "4445556");
    host_session_view(hs, &v);
    cr_assert_eq(v.state, SASAE_HS_WAITING);
    cr_assert_eq(strncmp(v.code, "4445556", 7), 0);
    cr_assert_eq(v.renewed, SASAE_HS_RENEW_BURNED);
    cr_assert(host_session_on_code_lost(hs, SASAE_HS_RENEW_EXPIRED, "nobody joined in time"));
    cr_assert_eq(atomic_load(&q.renews), 2);
    host_session_view(hs, &v);
    cr_assert_eq(v.renewed, SASAE_HS_RENEW_EXPIRED);
    /* the third code pairs and the handshake runs as with a first code */
    handshake();
    cr_assert(!host_session_on_code_lost(hs, SASAE_HS_RENEW_EXPIRED, "relay says expired"));
    cr_assert_eq(atomic_load(&q.renews), 2);
    cr_assert(host_session_ended(hs));
    host_session_view(hs, &v);
    cr_assert_eq(v.end_reason, SASAE_HS_END_RELAY);
    cr_assert_str_eq(v.status, "relay says expired");
}

Test(host_session, nothing_but_hello_and_prompt_state_before_allow)
{
    handshake();
    uint64_t types = 0;
    int n = vpump(600, &types);
    cr_assert_eq(types, BIT(SASAE_WIRE_HELLO) | BIT(SASAE_WIRE_CONSENT_STATE), "types %#llx",
                 (unsigned long long)types);
    cr_assert_eq(n, 2);
    cr_assert_eq(vw.consent[0], SASAE_WIRE_CONSENT_WAITING);
    /* a keyframe request or mouse input before consent changes nothing */
    struct sasae_wire_msg k = {.type = SASAE_WIRE_KEYFRAME_REQ};
    vsend(&k);
    struct sasae_wire_msg mo = {.type = SASAE_WIRE_MOUSE};
    mo.u.mouse = (struct sasae_wire_mouse){SASAE_WIRE_MOUSE_MOVE, 10, 10, 0, 0, 0, 0};
    vsend(&mo);
    cr_assert_eq(vpump(300, NULL), 0);
    struct host_session_stats st;
    host_session_stats(hs, &st);
    cr_assert_eq(st.frames_sent, 0u);
    cr_assert_eq(st.inputs_injected, 0u);
    cr_assert(has_audit(&q, SASAE_ENV_AUDIT_HANDSHAKE_DONE));
}

Test(host_session, allow_streams_decodable_frames_and_sysinfo_once)
{
    handshake();
    vpump(100, NULL);
    host_session_answer(hs, HOST_UI_ALLOW);
    for (int i = 0; i < 40 && vw.frames < 10; i++) {
        vpump(50, NULL);
        ack_all();
    }
    cr_assert_geq(vw.frames, 10, "frames %d", vw.frames);
    cr_assert_eq(vw.videos_decoded, vw.frames);
    cr_assert_eq(vw.sysinfo, 1);
    cr_assert_eq(vw.consent[vw.nconsent - 1], SASAE_WIRE_CONSENT_ALLOWED);
    cr_assert(has_audit(&q, SASAE_ENV_AUDIT_CONSENT_ALLOWED));
}

Test(host_session, at_most_two_frames_unacknowledged)
{
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    vpump(800, NULL);
    cr_assert_eq(vw.frames, 2, "frames without acks: %d", vw.frames);
    struct host_session_stats st;
    host_session_stats(hs, &st);
    cr_assert_gt(st.frames_dropped, 5u, "stale captures dropped: %llu",
                 (unsigned long long)st.frames_dropped);
    ack_all();
    vpump(300, NULL);
    cr_assert_eq(vw.frames, 4, "two more after the ack: %d", vw.frames);
    /* a busy link (bytes queued in the transport) also holds frames back */
    atomic_store(&q.queued, 1u << 20);
    ack_all();
    vpump(300, NULL);
    cr_assert_eq(vw.frames, 4);
    atomic_store(&q.queued, 0);
    vpump(300, NULL);
    cr_assert_gt(vw.frames, 4);
}

Test(host_session, deny_ends_with_reason_and_nothing_after)
{
    handshake();
    vpump(100, NULL);
    host_session_answer(hs, HOST_UI_DENY);
    uint64_t types = 0;
    vpump(500, &types);
    cr_assert_eq(vw.end_reason, SASAE_WIRE_END_DENIED);
    cr_assert_eq(vw.consent[vw.nconsent - 1], SASAE_WIRE_CONSENT_DENIED);
    cr_assert_eq(types & BIT(SASAE_WIRE_VIDEO), 0u);
    cr_assert(atomic_load(&q.closed));
    cr_assert(host_session_ended(hs));
    cr_assert(has_audit(&q, SASAE_ENV_AUDIT_CONSENT_DENIED));
    struct host_view v;
    host_session_view(hs, &v);
    cr_assert_eq(v.end_reason, SASAE_HS_END_DENIED);
}

Test(host_session, end_stops_frames_at_once)
{
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    for (int i = 0; i < 20 && vw.frames < 5; i++) {
        vpump(50, NULL);
        ack_all();
    }
    cr_assert_geq(vw.frames, 5);
    host_session_answer(hs, HOST_UI_END);
    /* END is the last record: drain until it, then nothing more ever comes */
    vpump(100, NULL);
    cr_assert_eq(vw.end_reason, SASAE_WIRE_END_CUSTOMER);
    int after_end = q.n - q.rd;
    cr_assert_eq(after_end, 0);
    usleep(400000);
    cr_assert_eq(q.n - q.rd, 0, "records after END");
    cr_assert(atomic_load(&q.closed));
    cr_assert(has_audit(&q, SASAE_ENV_AUDIT_END));
    /* a late viewer record is not even opened: the keys are gone */
    struct sasae_wire_msg a = {.type = SASAE_WIRE_FRAME_ACK};
    vsend(&a);
    cr_assert(host_session_ended(hs));
}

Test(host_session, capture_failure_ends_with_error)
{
    /* an empty raw file: the first grab after Allow fails, as a broken X capture would */
    char path[] = "/tmp/sasae-emptycap-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    char src[64];
    snprintf(src, sizeof src, "file:%s", path);
    stop();
    start(src, false, NULL);
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    for (int i = 0; i < 40 && vw.end_reason < 0; i++)
        vpump(50, NULL);
    unlink(path);
    cr_assert_eq(vw.end_reason, SASAE_WIRE_END_ERROR, "viewer not told: %d", vw.end_reason);
    cr_assert(host_session_ended(hs));
    struct host_view v;
    host_session_view(hs, &v);
    cr_assert_eq(v.end_reason, SASAE_HS_END_CAPTURE_FAILED);
    cr_assert(strstr(v.status, "screen capture stopped"), "%s", v.status);
    cr_assert(has_audit(&q, SASAE_ENV_AUDIT_END));
    stop();
    start("synthetic", false, NULL);
}

Test(host_session, viewer_end_and_peer_left)
{
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    vpump(200, NULL);
    struct sasae_wire_msg e = {.type = SASAE_WIRE_END};
    e.u.end.reason = SASAE_WIRE_END_OPERATOR;
    vsend(&e);
    cr_assert(host_session_ended(hs));
    struct host_view v;
    host_session_view(hs, &v);
    cr_assert_eq(v.end_reason, SASAE_HS_END_OPERATOR);
    vw.end_reason = -1;
    vpump(300, NULL);
    cr_assert_eq(vw.end_reason, -1, "no END echoed back");

    stop();
    start("synthetic", false, NULL);
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    vpump(200, NULL);
    host_session_on_peer_left(hs, "viewer connection lost");
    host_session_view(hs, &v);
    cr_assert_eq(v.state, SASAE_HS_ENDED);
    cr_assert_eq(v.end_reason, SASAE_HS_END_PEER_LEFT);
    cr_assert_str_eq(v.status, "viewer connection lost");
    usleep(200000);
    cr_assert_eq(q.n - q.rd, 0, "nothing sent to a vanished viewer");
}

Test(host_session, tampered_record_ends_session)
{
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    vpump(200, NULL);
    uint8_t pt[64];
    size_t n, rl;
    struct sasae_wire_msg k = {.type = SASAE_WIRE_KEYFRAME_REQ};
    sasae_wire_serialize(&k, pt, sizeof pt, &n);
    sasae_chan_seal(vw.ch, pt, n, vw.buf, sizeof vw.buf, &rl);
    vw.buf[rl - 3] ^= 1;
    host_session_on_data(hs, vw.buf, rl);
    struct host_view v;
    host_session_view(hs, &v);
    cr_assert_eq(v.state, SASAE_HS_ENDED);
    cr_assert_eq(v.end_reason, SASAE_HS_END_HANDSHAKE_FAILED);
    cr_assert(strlen(v.status) > 0);
    /* and a message type only the host may send is a protocol error */
    stop();
    start("synthetic", false, NULL);
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    struct sasae_wire_msg c = {.type = SASAE_WIRE_CONSENT_STATE};
    c.u.consent.state = SASAE_WIRE_CONSENT_ALLOWED;
    vsend(&c);
    host_session_view(hs, &v);
    cr_assert_eq(v.end_reason, SASAE_HS_END_PROTOCOL);
}

Test(host_session, operator_from_another_ca_gets_no_prompt)
{
    char *other = make_ca("Scam Support Ltd");
    char err[256], serial[80];
    cr_assert_eq(sasae_certs_issue_operator(other, "Hanako Sato", NULL, NULL, serial, err), 0);
    sasae_chan_free(vw.ch);
    vw.ch = NULL;
    sasae_chan_cred_free(vw.cred);
    vw.cred = load_cred(other, "operators/hanako-sato");
    register_code(hs, "1234567");
    viewer_reads_code(false);
    pair(hs);
    size_t n = 0, len;
    sasae_chan_start(vw.ch, vw.buf, sizeof vw.buf, &n);
    host_session_on_data(hs, vw.buf, n);
    uint8_t *sh = tq_next(&q, &len, 2000);
    cr_assert(sh);
    cr_assert_eq(sasae_chan_handshake(vw.ch, sh, len, vw.buf, sizeof vw.buf, &n), SASAE_CHAN_OK);
    host_session_on_data(hs, vw.buf, n);
    struct host_view v;
    host_session_view(hs, &v);
    cr_assert_eq(v.state, SASAE_HS_ENDED, "no consent prompt for an unverified operator");
    cr_assert_eq(v.end_reason, SASAE_HS_END_HANDSHAKE_FAILED);
    cr_assert(strstr(v.status, "chain") || strstr(v.status, "trusted") || strstr(v.status, "CA"),
              "%s", v.status);
    /* the host told the viewer why (ALERT) */
    uint8_t *al = tq_next(&q, &len, 1000);
    cr_assert(al);
    cr_assert_eq(sasae_chan_handshake(vw.ch, al, len, vw.buf, sizeof vw.buf, &n), SASAE_CHAN_EPEER);
    cr_assert(has_audit(&q, SASAE_ENV_AUDIT_HANDSHAKE_FAILED));
    rm_rf(other);
    free(other);
}

Test(host_session, consent_prompt_times_out)
{
    handshake();
    vpump(100, NULL);
    /* a second before the deadline nothing happens... */
    atomic_store(&clock_skip_ns, SASAE_HS_CONSENT_TIMEOUT_NS - 1000000000ull);
    host_session_tick(hs);
    struct host_view v;
    host_session_view(hs, &v);
    cr_assert_eq(v.state, SASAE_HS_ASKING);
    cr_assert(v.seconds_left >= 1 && v.seconds_left <= 2, "%d s left", v.seconds_left);
    cr_assert_not(atomic_load(&q.closed));
    /* ...at it, the unanswered prompt is a Deny: CONSENT_STATE timeout, END(timeout), the
     * connection closed, an audit record, and no screen data ever */
    atomic_store(&clock_skip_ns, SASAE_HS_CONSENT_TIMEOUT_NS + 1000000ull);
    host_session_tick(hs);
    uint64_t types = 0;
    vpump(300, &types);
    host_session_view(hs, &v);
    cr_assert_eq(v.state, SASAE_HS_ENDED);
    cr_assert_eq(v.end_reason, SASAE_HS_END_CONSENT_TIMEOUT);
    cr_assert_eq(vw.consent[vw.nconsent - 1], SASAE_WIRE_CONSENT_TIMEOUT);
    cr_assert_eq(vw.end_reason, SASAE_WIRE_END_TIMEOUT);
    cr_assert_eq(types & BIT(SASAE_WIRE_VIDEO), 0u);
    cr_assert(atomic_load(&q.closed));
    cr_assert(has_audit(&q, SASAE_ENV_AUDIT_CONSENT_TIMEOUT));
    pthread_mutex_lock(&q.mu);
    cr_assert_str_eq(q.close_why, "end: consent_timeout");
    pthread_mutex_unlock(&q.mu);
}

/* The periodic re-consent through the real session: after the period the view shows the
 * "Continue sharing?" question while video keeps flowing; Continue clears it; unanswered
 * it ends the session with END(timeout), closed, audited. */
Test(host_session, periodic_reconsent)
{
    stop();
    reconsent_s = 600;
    start("synthetic", false, NULL);
    reconsent_s = 0;
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    for (int i = 0; i < 20 && vw.frames < 3; i++) {
        vpump(50, NULL);
        ack_all();
    }
    int before = vw.frames;
    cr_assert_gt(before, 0);
    atomic_store(&clock_skip_ns, 600 * 1000000000ull);
    host_session_tick(hs);
    struct host_view v;
    host_session_view(hs, &v);
    cr_assert(v.continue_prompt, "no Continue question after the period");
    cr_assert(v.seconds_left > 55 && v.seconds_left <= 60, "%d s left", v.seconds_left);
    for (int i = 0; i < 20 && vw.frames <= before + 2; i++) {
        vpump(50, NULL);
        ack_all();
    }
    cr_assert_gt(vw.frames, before + 2, "video stopped while the question shows");
    host_session_answer(hs, HOST_UI_CONTINUE);
    host_session_view(hs, &v);
    cr_assert_not(v.continue_prompt);
    cr_assert_eq(v.state, SASAE_HS_SHARING);
    /* the next period: asked, then 60 s without an answer */
    atomic_store(&clock_skip_ns, 1201 * 1000000000ull);
    host_session_tick(hs);
    host_session_view(hs, &v);
    cr_assert(v.continue_prompt);
    atomic_store(&clock_skip_ns, 1262 * 1000000000ull);
    host_session_tick(hs);
    uint64_t types = 0;
    vpump(300, &types);
    host_session_view(hs, &v);
    cr_assert_eq(v.state, SASAE_HS_ENDED);
    cr_assert_eq(v.end_reason, SASAE_HS_END_RECONSENT_TIMEOUT);
    cr_assert_eq(vw.end_reason, SASAE_WIRE_END_TIMEOUT);
    cr_assert(atomic_load(&q.closed));
    cr_assert(has_audit(&q, SASAE_ENV_AUDIT_END));
}

static struct xvfb xv;

Test(host_session, input_only_with_control_granted)
{
    cr_assert_eq(xvfb_start(&xv, "640x480x24"), 0);
    stop();
    start("x11", true, xv.name);
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    vpump(200, NULL);
    struct sasae_wire_msg mo = {.type = SASAE_WIRE_MOUSE};
    mo.u.mouse = (struct sasae_wire_mouse){SASAE_WIRE_MOUSE_MOVE, 123, 45, 0, 0, 0, 0};
    vsend(&mo);
    struct host_session_stats st;
    host_session_stats(hs, &st);
    cr_assert_eq(st.inputs_injected, 0u);
    cr_assert_eq(st.inputs_dropped, 1u);
    struct sasae_wire_msg cr = {.type = SASAE_WIRE_CONTROL_REQUEST};
    cr.u.control_req.want = 1;
    vsend(&cr);
    vsend(&mo); /* prompt showing: still dropped */
    host_session_stats(hs, &st);
    cr_assert_eq(st.inputs_dropped, 2u);
    host_session_answer(hs, HOST_UI_CONTROL_ALLOW);
    vsend(&mo);
    host_session_stats(hs, &st);
    cr_assert_eq(st.inputs_injected, 1u);
    Display *dpy = XOpenDisplay(xv.name);
    Window rw, cw;
    int rx = 0, ry = 0, wx, wy;
    unsigned m;
    for (int i = 0; i < 100 && !(rx == 123 && ry == 45); i++) {
        XQueryPointer(dpy, DefaultRootWindow(dpy), &rw, &cw, &rx, &ry, &wx, &wy, &m);
        usleep(10000);
    }
    cr_assert_eq(rx, 123);
    cr_assert_eq(ry, 45);
    /* Stop control: input dropped again, session continues */
    host_session_answer(hs, HOST_UI_STOP_CONTROL);
    mo.u.mouse.x = 300;
    vsend(&mo);
    host_session_stats(hs, &st);
    cr_assert_eq(st.inputs_injected, 1u);
    cr_assert(!host_session_ended(hs));
    cr_assert(has_audit(&q, SASAE_ENV_AUDIT_CONTROL_REVOKED));
    /* the cursor travelled separately from the video */
    vpump(300, NULL);
    cr_assert_gt(vw.cursor, 0);
    XCloseDisplay(dpy);
    stop();
    start("synthetic", false, NULL); /* for the suite's fini */
    xvfb_stop(&xv);
}

static uint32_t root_px(Display *dpy, int x, int y)
{
    XSync(dpy, False);
    XImage *img = XGetImage(dpy, DefaultRootWindow(dpy), x, y, 1, 1, AllPlanes, ZPixmap);
    uint32_t v = (uint32_t)XGetPixel(img, 0, 0) & 0xffffffu;
    XDestroyImage(img);
    return v;
}

static bool root_px_becomes(Display *dpy, int x, int y, uint32_t want)
{
    for (int i = 0; i < 200; i++) {
        if (root_px(dpy, x, y) == want)
            return true;
        usleep(10000);
    }
    return false;
}

/* Two points as the wire carries them: x, y as big-endian int32. */
static void pen_points(uint8_t out[16], int32_t x0, int32_t y0, int32_t x1, int32_t y1)
{
    int32_t v[4] = {x0, y0, x1, y1};
    for (int i = 0; i < 4; i++)
        for (int b = 0; b < 4; b++)
            out[4 * i + b] = (uint8_t)((uint32_t)v[i] >> (24 - 8 * b));
}

/* While the control prompt shows, nothing the operator draws is on the screen: the overlay
 * hides, and pen and pointer messages arriving meanwhile are dropped. */
Test(host_session, no_drawing_over_a_prompt)
{
    cr_assert_eq(xvfb_start(&xv, "640x480x24"), 0);
    stop();
    start("x11", true, xv.name);
    Display *dpy = XOpenDisplay(xv.name);
    cr_assert(dpy);
    uint32_t bg = root_px(dpy, 200, 100);
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    vpump(200, NULL);
    uint8_t pts[16], pts2[16];
    pen_points(pts, 100, 100, 300, 100);
    pen_points(pts2, 100, 300, 300, 300);
    struct sasae_wire_msg pen = {.type = SASAE_WIRE_PEN_STROKE};
    pen.u.pen = (struct sasae_wire_pen_stroke){1, 1, 0xffffffffu, 8, 2, pts};
    vsend(&pen);
    cr_assert(root_px_becomes(dpy, 200, 100, SASAE_OVERLAY_RED), "stroke not drawn (in red)");
    struct sasae_wire_msg cr = {.type = SASAE_WIRE_CONTROL_REQUEST};
    cr.u.control_req.want = 1;
    vsend(&cr);
    cr_assert_eq(root_px(dpy, 200, 100), bg, "drawing left over the control prompt");
    pen.u.pen = (struct sasae_wire_pen_stroke){2, 1, 0xff0000ffu, 8, 2, pts2};
    vsend(&pen);
    struct sasae_wire_msg ptr = {.type = SASAE_WIRE_POINTER};
    ptr.u.pointer = (struct sasae_wire_point){400, 250, 1};
    vsend(&ptr);
    usleep(300000);
    cr_assert_eq(root_px(dpy, 200, 300), bg, "stroke drawn while the prompt shows");
    cr_assert_eq(root_px(dpy, 408, 275), bg, "marker drawn while the prompt shows");
    host_session_answer(hs, HOST_UI_CONTROL_DENY);
    /* the earlier drawing comes back; what arrived during the prompt was dropped */
    cr_assert(root_px_becomes(dpy, 200, 100, SASAE_OVERLAY_RED), "drawing not shown again");
    usleep(200000);
    cr_assert_eq(root_px(dpy, 200, 300), bg, "a stroke sent during the prompt was kept");
    cr_assert(!host_session_ended(hs));
    XCloseDisplay(dpy);
    stop();
    start("synthetic", false, NULL);
    xvfb_stop(&xv);
}

/* Damage-driven capture: once the first frame and its top-off passes are out, an unchanged
 * X screen costs nothing but a keepalive every 2 s; a change is sent at once. */
Test(host_session, idle_x11_screen_sends_only_keepalives)
{
    cr_assert_eq(xvfb_start(&xv, "640x480x24"), 0);
    stop();
    start("x11", false, xv.name);
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    /* let top-off finish (bounded), acking everything: nothing but keepalives for eight
     * pumps in a row (2.4 s: longer than the keepalive period, and than the second the
     * link budget can take to allow the next top-off pass) */
    int quiet = 0;
    for (int i = 0; i < 100 && quiet < 8; i++) {
        struct host_session_stats a, b;
        host_session_stats(hs, &a);
        int prev = vw.frames;
        vpump(300, NULL);
        ack_all();
        host_session_stats(hs, &b);
        quiet = vw.frames - prev <= (int)(b.keepalives - a.keepalives) ? quiet + 1 : 0;
    }
    int before = vw.frames;
    struct host_session_stats st0, st1;
    host_session_stats(hs, &st0);
    for (int i = 0; i < 10; i++) {
        vpump(450, NULL);
        ack_all();
    }
    host_session_stats(hs, &st1);
    int idle_frames = vw.frames - before;
    uint64_t keepalives = st1.keepalives - st0.keepalives;
    cr_assert_leq(idle_frames, 3, "frames on an idle screen in 4.5 s: %d", idle_frames);
    cr_assert_eq((uint64_t)idle_frames, keepalives, "idle frames are keepalives only");
    cr_assert_geq(keepalives, 1u, "keepalive every 2 s");
    /* a change goes out promptly */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "DISPLAY=%s xsetroot -solid '#ff0000'", xv.name);
    cr_assert_eq(system(cmd), 0);
    before = vw.frames;
    vpump(500, NULL);
    cr_assert_gt(vw.frames, before, "change not sent");
    stop();
    start("synthetic", false, NULL);
    xvfb_stop(&xv);
}

Test(host_session, keyframe_on_request_and_bitrate_follows_stats)
{
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    for (int i = 0; i < 20 && vw.frames < 6; i++) {
        vpump(50, NULL);
        ack_all();
    }
    cr_assert_eq(vw.keyframes, 1, "only the first frame is a keyframe");
    struct sasae_wire_msg k = {.type = SASAE_WIRE_KEYFRAME_REQ};
    vsend(&k);
    for (int i = 0; i < 10; i++) {
        vpump(50, NULL);
        ack_all();
    }
    cr_assert_eq(vw.keyframes, 2, "keyframe on request");
    struct sasae_wire_msg st = {.type = SASAE_WIRE_STATS};
    st.u.stats = (struct sasae_wire_stats){30000, 2000, 500, 3000};
    vsend(&st);
    struct host_session_stats s1;
    host_session_stats(hs, &s1);
    cr_assert_eq(s1.bitrate_kbps, 425, "85 %% of the measured 500 kbit/s: %d", s1.bitrate_kbps);
    st.u.stats.bandwidth_kbps = 20;
    vsend(&st);
    host_session_stats(hs, &s1);
    cr_assert_eq(s1.bitrate_kbps, 100, "floor");
    vpump(200, NULL);
    cr_assert(!host_session_ended(hs));
}

static void *link_drain(void *arg)
{
    struct tq *t = arg;
    while (!atomic_load(&t->link_stop)) {
        usleep(10000);
        size_t cur = atomic_load(&t->queued);
        size_t d = cur < t->link_bytes_per_10ms ? cur : t->link_bytes_per_10ms;
        atomic_fetch_sub(&t->queued, d);
    }
    return NULL;
}

/* On a 1 Mbit/s link a 4K keyframe takes seconds to send; End in the middle of it must not
 * wait behind it: END is queued behind at most QUEUE_LIMIT (64 KiB) bytes, nothing of the
 * frame follows it, and every record up to END opens (none was dropped). */
Test(host_session, end_is_not_stuck_behind_a_big_frame)
{
    stop();
    memset(&q, 0, sizeof q);
    pthread_mutex_init(&q.mu, NULL);
    q.link_bytes_per_10ms = 1250; /* 1 Mbit/s */
    pthread_t drain;
    cr_assert_eq(pthread_create(&drain, NULL, link_drain, &q), 0);
    struct host_transport tr = {tq_send, tq_audit, tq_queued, tq_close, tq_renew, &q};
    struct host_session_config cfg = {
        .device = device,
        .org_ca = ca_pem,
        .org_ca_len = ca_len,
        .cap = {.source = "synthetic", .monitor = -1, .width = 3840, .height = 2160, .fps = 10},
        .fps = 10,
        .bitrate_kbps = 20000};
    char err[256];
    hs = host_session_new(&cfg, &tr, err, sizeof err);
    cr_assert(hs, "%s", err);
    memset(&vw, 0, sizeof vw);
    vw.cred = load_cred(pki, "operators/hanako-sato");
    vw.ch = sasae_chan_new_viewer(vw.cred, TEST_CODE, NULL);
    vw.reasm = sasae_wire_reasm_new(0);
    sasae_vdec_new(&vw.dec);
    vw.end_reason = -1;
    vw.width = 3840;
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    /* wait for the keyframe's first chunk, then press End while the rest is paced out */
    uint32_t frame_size = 0;
    for (int i = 0; i < 2000 && !frame_size; i++) {
        size_t len;
        uint8_t *m = tq_next(&q, &len, 5);
        if (!m)
            continue;
        size_t pn;
        cr_assert_eq(sasae_chan_open(vw.ch, m, len, vw.pt, sizeof vw.pt, &pn), SASAE_CHAN_OK);
        struct sasae_wire_msg w;
        cr_assert_eq(sasae_wire_parse(vw.pt, pn, &w), SASAE_WIRE_OK);
        if (w.type == SASAE_WIRE_VIDEO)
            frame_size = w.u.video.frame_size;
    }
    cr_assert_gt(frame_size, 4u * 64 * 1024, "keyframe only %u bytes: test proves nothing",
                 frame_size);
    uint64_t t_end = sasae_mono_ns();
    host_session_answer(hs, HOST_UI_END);
    /* every later record opens (none dropped); END is the last one and nothing follows */
    int end_at = -1, video_after_end = 0;
    size_t video_bytes = 0;
    for (int i = 0; i < 400 && end_at < 0; i++) {
        size_t len;
        int idx = q.rd;
        uint8_t *m = tq_next(&q, &len, 10);
        if (!m)
            continue;
        size_t pn;
        cr_assert_eq(sasae_chan_open(vw.ch, m, len, vw.pt, sizeof vw.pt, &pn), SASAE_CHAN_OK,
                     "record %d did not open", idx);
        struct sasae_wire_msg w;
        cr_assert_eq(sasae_wire_parse(vw.pt, pn, &w), SASAE_WIRE_OK);
        if (w.type == SASAE_WIRE_VIDEO)
            video_bytes += w.u.video.data_len;
        if (w.type == SASAE_WIRE_END) {
            end_at = idx;
            vw.end_reason = w.u.end.reason;
        }
    }
    cr_assert_geq(end_at, 0, "no END");
    cr_assert_eq(vw.end_reason, SASAE_WIRE_END_CUSTOMER);
    size_t ahead = q.backlog[end_at];
    printf("end_is_not_stuck: keyframe %u bytes, %zu video bytes queued in all, END queued "
           "behind %zu bytes = %.0f ms at 1 Mbit/s (%.0f ms after End was pressed)\n",
           frame_size, video_bytes, ahead, ahead * 8 / 1000.0, (sasae_mono_ns() - t_end) / 1e6);
    cr_assert_leq(ahead, 64u * 1024, "END stuck behind %zu bytes", ahead);
    cr_assert_lt(video_bytes, frame_size, "the whole keyframe was queued anyway");
    usleep(300000);
    pthread_mutex_lock(&q.mu);
    video_after_end = q.n - q.rd;
    pthread_mutex_unlock(&q.mu);
    cr_assert_eq(video_after_end, 0, "records after END");
    atomic_store(&q.link_stop, 1);
    pthread_join(drain, NULL);
}

/* A 4K keyframe does not fit one record: it travels as several VIDEO chunks and decodes. */
Test(host_session, large_frames_are_chunked)
{
    stop();
    memset(&q, 0, sizeof q);
    pthread_mutex_init(&q.mu, NULL);
    struct host_transport tr = {tq_send, tq_audit, tq_queued, tq_close, tq_renew, &q};
    struct host_session_config cfg = {
        .device = device,
        .org_ca = ca_pem,
        .org_ca_len = ca_len,
        .cap = {.source = "synthetic", .monitor = -1, .width = 3840, .height = 2160, .fps = 10},
        .fps = 10,
        .bitrate_kbps = 20000};
    char err[256];
    hs = host_session_new(&cfg, &tr, err, sizeof err);
    cr_assert(hs, "%s", err);
    memset(&vw, 0, sizeof vw);
    vw.cred = load_cred(pki, "operators/hanako-sato");
    vw.ch = sasae_chan_new_viewer(vw.cred, TEST_CODE, NULL);
    vw.reasm = sasae_wire_reasm_new(0);
    sasae_vdec_new(&vw.dec);
    vw.end_reason = -1;
    vw.width = 3840;
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    for (int i = 0; i < 40 && vw.frames < 2; i++) {
        vpump(200, NULL);
        ack_all();
    }
    cr_assert_geq(vw.frames, 2);
    cr_assert_eq(vw.videos_decoded, vw.frames);
    cr_assert_gt(vw.video_msgs, vw.frames, "no frame needed more than one chunk (%d msgs)",
                 vw.video_msgs);
}

/* Revocation is never optional: no code is shown without a current CRL from the relay. */
Test(host_session, no_crl_no_code)
{
    cr_assert_eq(host_session_on_registered(hs, "1234567"), 0);
    struct host_view v;
    host_session_view(hs, &v);
    cr_assert_str_eq(v.code, "", "the code waits for the revocation list");
    host_session_on_crl(hs, NULL, 0); /* the relay has none */
    host_session_view(hs, &v);
    cr_assert_str_eq(v.code, "");
    cr_assert_eq(v.state, SASAE_HS_ENDED);
    cr_assert_eq(v.end_reason, SASAE_HS_END_NO_CRL, "the headline says why, not 'connection lost'");
    cr_assert(strstr(v.status, "No current revocation list") &&
                  strstr(v.status, "no revocation list to give"),
              "%s", v.status);
    cr_assert_eq(q.n, 0, "nothing sent");
}

/* The CRL must come with the pairing: without it the operator is refused before any
 * certificate is looked at, and told why (ALERT ECERT_CRL). */
Test(host_session, pairing_without_a_fresh_crl_is_refused)
{
    register_code(hs, "1234567");
    host_session_on_paired(hs); /* no CRL first */
    struct host_view v;
    host_session_view(hs, &v);
    cr_assert_eq(v.state, SASAE_HS_ENDED);
    cr_assert_eq(v.end_reason, SASAE_HS_END_HANDSHAKE_FAILED);
    cr_assert(strstr(v.status, "sent no revocation list"), "%s", v.status);
    size_t len, n = 0;
    uint8_t *al = tq_next(&q, &len, 1000);
    cr_assert(al, "the viewer is told");
    cr_assert_eq(sasae_chan_start(vw.ch, vw.buf, sizeof vw.buf, &n), SASAE_CHAN_OK);
    cr_assert_eq(sasae_chan_handshake(vw.ch, al, len, vw.buf, sizeof vw.buf, &n), SASAE_CHAN_EPEER);
    cr_assert_eq(sasae_chan_peer_error(vw.ch), SASAE_CHAN_ECERT_CRL);
}

/* An operator revoked after the host registered (the CRL at registration did not list
 * her) is refused by the CRL the relay sends with her join. */
Test(host_session, revoked_after_registration_is_refused)
{
    register_code(hs, "1234567");
    viewer_reads_code(false);
    char err[256] = "";
    cr_assert_eq(sasae_certs_revoke(pki, op_serial, err), 0, "%s", err);
    OPENSSL_free(crl_der); /* the session borrows ca_pem: only the CRL is new */
    load_crl(pki);
    pair(hs);
    size_t n = 0, len;
    cr_assert_eq(sasae_chan_start(vw.ch, vw.buf, sizeof vw.buf, &n), SASAE_CHAN_OK);
    host_session_on_data(hs, vw.buf, n);
    uint8_t *sh = tq_next(&q, &len, 2000);
    cr_assert(sh);
    cr_assert_eq(sasae_chan_handshake(vw.ch, sh, len, vw.buf, sizeof vw.buf, &n), SASAE_CHAN_OK);
    host_session_on_data(hs, vw.buf, n);
    struct host_view v;
    host_session_view(hs, &v);
    cr_assert_eq(v.state, SASAE_HS_ENDED, "no consent prompt for a revoked operator");
    cr_assert_eq(v.end_reason, SASAE_HS_END_HANDSHAKE_FAILED);
    cr_assert(strstr(v.status, "revoked"), "%s", v.status);
}

/* ---- monitor switch ---------------------------------------------------------------------- */

/* Makes the Xvfb screen two XRandR monitors side by side, each half of it (the server keeps
 * them: Xvfb runs with -noreset), and paints the left one red and the right one blue. */
static void two_monitors(Display *dpy, int w, int h)
{
    Window root = DefaultRootWindow(dpy);
    const char *names[2] = {"LEFT", "RIGHT"};
    /* the left one takes Xvfb's only output, which replaces the automatic whole-screen one */
    XRRScreenResources *res = XRRGetScreenResources(dpy, root);
    cr_assert(res && res->noutput >= 1);
    for (int i = 0; i < 2; i++) {
        XRRMonitorInfo *m = XRRAllocateMonitor(dpy, i == 0 ? 1 : 0);
        if (i == 0)
            m->outputs[0] = res->outputs[0];
        m->name = XInternAtom(dpy, names[i], False);
        m->x = i * w / 2;
        m->width = w / 2;
        m->height = h;
        m->mwidth = 170;
        m->mheight = 130;
        m->primary = i == 0;
        XRRSetMonitor(dpy, root, m);
        XRRFreeMonitors(m);
    }
    XRRFreeScreenResources(res);
    GC gc = XCreateGC(dpy, root, 0, NULL);
    XSetSubwindowMode(dpy, gc, IncludeInferiors);
    XSetForeground(dpy, gc, 0xd02020);
    XFillRectangle(dpy, root, gc, 0, 0, (unsigned)w / 2, (unsigned)h);
    XSetForeground(dpy, gc, 0x2040d0);
    XFillRectangle(dpy, root, gc, w / 2, 0, (unsigned)w / 2, (unsigned)h);
    XFreeGC(dpy, gc);
    XSync(dpy, False);
    int n = 0;
    XRRMonitorInfo *all = XRRGetMonitors(dpy, root, True, &n);
    XRRFreeMonitors(all);
    cr_assert_eq(n, 2, "Xvfb shows %d monitors", n);
}

static void select_monitor(uint8_t index)
{
    struct sasae_wire_msg m = {.type = SASAE_WIRE_MONITOR_SELECT};
    m.u.monitor_select.index = index;
    vsend(&m);
}

/* Pumps (acknowledging frames) until a MONITOR_LIST newer than `lists` arrived and then a
 * keyframe `width` wide was decoded; false after about 5 s. */
static bool switched_to(int lists, int width)
{
    for (int i = 0; i < 100; i++) {
        vpump(50, NULL);
        ack_all();
        if (vw.mon_lists > lists && vw.keyframe_width == width) {
            vw.width = width; /* from now on every frame has the new size */
            return true;
        }
    }
    return false;
}

/* Asks for monitor index (a MONITOR_SELECT); frames of any size are taken until the new
 * keyframe (switched_to). */
static void switch_monitor(uint8_t index)
{
    vw.width = 0;
    vw.keyframe_width = 0;
    select_monitor(index);
}

/* BT.601 limited range: red (0xd02020) has V far above 128, blue (0x2040d0) U far above. */
static bool centre_is_red(void)
{
    return vw.centre_yuv[2] > 180 && vw.centre_yuv[1] < 128;
}
static bool centre_is_blue(void)
{
    return vw.centre_yuv[1] > 180 && vw.centre_yuv[2] < 128;
}

Test(host_session, operator_switches_monitor_and_input_follows)
{
    cr_assert_eq(xvfb_start(&xv, "1280x480x24"), 0);
    Display *dpy = XOpenDisplay(xv.name);
    cr_assert(dpy);
    two_monitors(dpy, 1280, 480);
    stop();
    start("x11", true, xv.name);
    vw.width = 1280;
    handshake();
    vpump(100, NULL);
    cr_assert(vw.host_caps & SASAE_WIRE_CAP_MONITORS);
    cr_assert_eq(vw.mon_lists, 0, "nothing about the monitors before Allow");
    host_session_answer(hs, HOST_UI_ALLOW);
    for (int i = 0; i < 40 && (vw.frames < 3 || !vw.mon_lists); i++) {
        vpump(50, NULL);
        ack_all();
    }
    /* the whole desktop first, and the list says so */
    cr_assert_eq(vw.mon_lists, 1);
    cr_assert_eq(vw.mons.count, 2);
    cr_assert_eq(vw.mons.selected, SASAE_WIRE_MONITOR_ALL);
    cr_assert_eq(vw.mons.flags, SASAE_WIRE_MONITORS_ALL_OK);
    cr_assert(vw.mons.mon[1].x == 640 && vw.mons.mon[1].y == 0 && vw.mons.mon[1].width == 640 &&
              vw.mons.mon[1].height == 480);
    cr_assert_eq(vw.mons.mon[0].flags, SASAE_WIRE_MONITOR_PRIMARY);

    /* the right monitor: a 640-wide keyframe, blue, and the list's answer */
    switch_monitor(1);
    cr_assert(switched_to(1, 640), "no 640-wide keyframe after selecting monitor 1");
    cr_assert_eq(vw.mons.selected, 1);
    cr_assert(centre_is_blue(), "centre %u,%u,%u", vw.centre_yuv[0], vw.centre_yuv[1],
              vw.centre_yuv[2]);
    /* input lands on the right monitor: 10,20 of the picture is 650,20 of the screen */
    struct sasae_wire_msg cr = {.type = SASAE_WIRE_CONTROL_REQUEST};
    cr.u.control_req.want = 1;
    vsend(&cr);
    host_session_answer(hs, HOST_UI_CONTROL_ALLOW);
    struct sasae_wire_msg mo = {.type = SASAE_WIRE_MOUSE};
    mo.u.mouse = (struct sasae_wire_mouse){SASAE_WIRE_MOUSE_MOVE, 10, 20, 0, 0, 0, 0};
    vsend(&mo);
    Window rw, cw;
    int rx = 0, ry = 0, wx, wy;
    unsigned mask;
    for (int i = 0; i < 100 && !(rx == 650 && ry == 20); i++) {
        XQueryPointer(dpy, DefaultRootWindow(dpy), &rw, &cw, &rx, &ry, &wx, &wy, &mask);
        usleep(10000);
    }
    cr_assert(rx == 650 && ry == 20, "pointer at %d,%d", rx, ry);
    /* a key press while the customer's pointer is on the other monitor is still dropped */
    XWarpPointer(dpy, None, DefaultRootWindow(dpy), 0, 0, 0, 0, 100, 100);
    XSync(dpy, False);
    struct host_session_stats st0, st1;
    host_session_stats(hs, &st0);
    struct sasae_wire_msg k = {.type = SASAE_WIRE_KEY};
    k.u.key = (struct sasae_wire_key){'a', 1};
    vsend(&k);
    host_session_stats(hs, &st1);
    cr_assert_eq(st1.inputs_dropped, st0.inputs_dropped + 1);

    /* then the left one, red; moves go to its own origin */
    switch_monitor(0);
    cr_assert(switched_to(2, 640), "no keyframe after selecting monitor 0");
    cr_assert_eq(vw.mons.selected, 0);
    cr_assert(centre_is_red(), "centre %u,%u,%u", vw.centre_yuv[0], vw.centre_yuv[1],
              vw.centre_yuv[2]);
    mo.u.mouse.x = 30;
    mo.u.mouse.y = 40;
    vsend(&mo);
    for (int i = 0; i < 100 && !(rx == 30 && ry == 40); i++) {
        XQueryPointer(dpy, DefaultRootWindow(dpy), &rw, &cw, &rx, &ry, &wx, &wy, &mask);
        usleep(10000);
    }
    cr_assert(rx == 30 && ry == 40, "pointer at %d,%d", rx, ry);

    /* all monitors as one picture again */
    switch_monitor(SASAE_WIRE_MONITOR_ALL);
    cr_assert(switched_to(3, 1280), "no 1280-wide keyframe after selecting all");
    cr_assert_eq(vw.mons.selected, SASAE_WIRE_MONITOR_ALL);
    cr_assert(!host_session_ended(hs));

    /* a monitor the list does not offer ends the session as a protocol error */
    select_monitor(2);
    vpump(200, NULL);
    cr_assert(host_session_ended(hs));
    cr_assert_eq(vw.end_reason, SASAE_WIRE_END_ERROR);
    XCloseDisplay(dpy);
    stop();
    start("synthetic", false, NULL);
    xvfb_stop(&xv);
}

/* A host started on one monitor offers that one only: "all" is refused. */
Test(host_session, host_on_one_monitor_never_offers_more)
{
    cr_assert_eq(xvfb_start(&xv, "1280x480x24"), 0);
    Display *dpy = XOpenDisplay(xv.name);
    cr_assert(dpy);
    two_monitors(dpy, 1280, 480);
    stop();
    start_monitor = 1;
    start("x11", true, xv.name);
    start_monitor = -1;
    vw.width = 640;
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    for (int i = 0; i < 40 && (vw.frames < 3 || !vw.mon_lists); i++) {
        vpump(50, NULL);
        ack_all();
    }
    cr_assert_eq(vw.mons.count, 1);
    cr_assert_eq(vw.mons.selected, 0);
    cr_assert_eq(vw.mons.flags, 0);
    cr_assert_eq(vw.mons.mon[0].x, 640);
    cr_assert(centre_is_blue());
    select_monitor(0); /* the one offered: answered, nothing changes */
    for (int i = 0; i < 20 && vw.mon_lists < 2; i++)
        vpump(50, NULL);
    cr_assert_eq(vw.mon_lists, 2);
    cr_assert(!host_session_ended(hs));
    select_monitor(SASAE_WIRE_MONITOR_ALL);
    vpump(200, NULL);
    cr_assert(host_session_ended(hs));
    cr_assert_eq(vw.end_reason, SASAE_WIRE_END_ERROR);
    XCloseDisplay(dpy);
    stop();
    start("synthetic", false, NULL);
    xvfb_stop(&xv);
}

/* A source that is not the screen has one monitor: the list says so and selecting it works
 * (the same rule as a one-monitor PC). */
Test(host_session, synthetic_source_lists_one_monitor)
{
    handshake();
    host_session_answer(hs, HOST_UI_ALLOW);
    for (int i = 0; i < 40 && (vw.frames < 3 || !vw.mon_lists); i++) {
        vpump(50, NULL);
        ack_all();
    }
    cr_assert_eq(vw.mons.count, 1);
    cr_assert(vw.mons.mon[0].width == 320 && vw.mons.mon[0].height == 240);
    switch_monitor(0);
    cr_assert(switched_to(1, 320));
    cr_assert_eq(vw.mons.selected, 0);
    cr_assert(!host_session_ended(hs));
}
