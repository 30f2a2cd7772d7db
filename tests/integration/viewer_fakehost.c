/* Test tool: a scripted host for the viewer's integration tests. It uses the real relay
 * client, secure channel (host side), wire codec and video encoder, and plays situations a
 * well-behaved sasae-host never produces: a corrupt video frame (the viewer must request a
 * keyframe and keep acking), video before consent, a first message that is not HELLO, a
 * tampered record, and control granted to an operator who never asked for it (what a relay
 * playing the host would do to make the operator type into a fake screen). It prints
 * "code=NNNNNNNNN" once registered, then what the viewer sent.
 * Usage: viewer_fakehost URL CA_PEM SCENARIO
 *   (corrupt | early-video | no-hello | tamper | unrequested-grant)
 * Exit 0 when the viewer behaved as the scenario expects. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sasae/chan.h"
#include "sasae/supportcode.h"
#include "sasae/common.h"
#include "sasae/relayclient.h"
#include "sasae/video.h"
#include "sasae/link.h"
#include "sasae/wire.h"

#define W 320
#define H 240

struct msg {
    struct msg *next;
    size_t len;
    uint8_t data[];
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct msg *head, *tail;
static bool paired, closed;
static char g_code[SASAE_SCODE_DIGITS + 1]; /* under mu: the full code, as a host shows it */

static void cb_registered(void *u, const char *code, uint32_t secs)
{
    pthread_mutex_lock(&mu);
    if (sasae_scode_compose(code, g_code) != 0)
        g_code[0] = 0;
    printf("code=%s\n", g_code);
    pthread_mutex_unlock(&mu);
    fflush(stdout);
}

static void cb_paired(void *u, const char *op, const char *org)
{
    pthread_mutex_lock(&mu);
    paired = true;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static void cb_data(void *u, const uint8_t *b, size_t len)
{
    struct msg *m = malloc(sizeof *m + len);
    if (!m)
        abort();
    m->next = NULL;
    m->len = len;
    memcpy(m->data, b, len);
    pthread_mutex_lock(&mu);
    if (tail)
        tail->next = m;
    else
        head = m;
    tail = m;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static void cb_closed(void *u, int end, int code, const char *text)
{
    pthread_mutex_lock(&mu);
    closed = true;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

/* Next DATA body within timeout_ms, or NULL (timeout or connection closed). */
static struct msg *next_msg(int timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&mu);
    while (!head && !closed)
        if (pthread_cond_timedwait(&cv, &mu, &ts) != 0)
            break;
    struct msg *m = head;
    if (m) {
        head = m->next;
        if (!head)
            tail = NULL;
    }
    pthread_mutex_unlock(&mu);
    return m;
}

static struct sasae_relayclient *rc;
static struct sasae_link *link;
static uint8_t rec[SASAE_CHAN_MAX_RECORD];

static void send_wire(const struct sasae_wire_msg *m, bool tamper)
{
    size_t rlen = 0;
    if (sasae_link_seal(link, m, rec, sizeof rec, &rlen, NULL) != 0) {
        fprintf(stderr, "fakehost: cannot build %s\n", sasae_wire_type_name(m->type));
        exit(2);
    }
    if (tamper)
        rec[rlen / 2] ^= 0x01;
    sasae_relayclient_send_data(rc, rec, rlen);
}

static void send_state(uint8_t type, uint8_t state)
{
    struct sasae_wire_msg m = {.type = type};
    m.u.consent.state = state;
    send_wire(&m, false);
}

static void send_video(uint32_t id, const uint8_t *data, size_t len, bool key)
{
    struct sasae_wire_video hdr = {.frame_id = id,
                                   .capture_us = sasae_wall_us(),
                                   .flags = key ? SASAE_WIRE_VIDEO_KEYFRAME : 0,
                                   .codec = SASAE_WIRE_CODEC_VP9,
                                   .width = W,
                                   .height = H,
                                   .frame_size = (uint32_t)len};
    struct sasae_wire_msg m;
    size_t off = 0;
    while (sasae_wire_video_next_chunk(&hdr, data, len, 0, &off, &m) == 1)
        send_wire(&m, false);
}

/* Receives application messages until one of type `want` arrives (returns true), the
 * viewer sends END (its reason in *end_reason), or timeout. Counts acks. */
static bool expect(uint8_t want, int timeout_ms, int *acks, int *end_reason)
{
    uint64_t deadline = sasae_mono_ns() + (uint64_t)timeout_ms * 1000000ull;
    while (sasae_mono_ns() < deadline) {
        struct msg *r = next_msg(200);
        if (!r)
            continue;
        struct sasae_link_event ev;
        sasae_link_input(link, r->data, r->len, &ev);
        free(r);
        bool ok = ev.kind == SASAE_LINK_EV_MESSAGE;
        struct sasae_wire_msg m = ev.msg;
        if (!ok) {
            printf("viewer sent an unreadable record\n");
            return false;
        }
        printf("viewer sent %s\n", sasae_wire_type_name(m.type));
        fflush(stdout);
        if (m.type == SASAE_WIRE_FRAME_ACK && acks)
            (*acks)++;
        if (m.type == SASAE_WIRE_STATS)
            printf("stats: decode_us=%u fps_x100=%u bandwidth_kbps=%u rtt_us=%u\n",
                   m.u.stats.decode_us, m.u.stats.fps_x100, m.u.stats.bandwidth_kbps,
                   m.u.stats.rtt_us);
        if (m.type == SASAE_WIRE_END) {
            if (end_reason)
                *end_reason = m.u.end.reason;
            return want == SASAE_WIRE_END;
        }
        if (m.type == want)
            return true;
    }
    return false;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = malloc(1 << 16);
    *len = b ? fread(b, 1, (1 << 16) - 1, f) : 0;
    fclose(f);
    if (b)
        b[*len] = '\0';
    return b;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: viewer_fakehost URL CA_PEM "
                        "corrupt|early-video|no-hello|tamper|unrequested-grant\n");
        return 2;
    }
    const char *scenario = argv[3];
    size_t ca_len = 0;
    char *ca = slurp(argv[2], &ca_len);
    struct sasae_chan_key *dev = sasae_chan_key_generate();
    struct sasae_chan_trust *trust = ca ? sasae_chan_trust_new(ca, ca_len, NULL, 0, NULL) : NULL;
    if (!trust || !dev) {
        fprintf(stderr, "fakehost: cannot set up the channel\n");
        return 2;
    }
    struct sasae_relayclient_config cfg = {
        .url = argv[1], .role = SASAE_RELAYCLIENT_HOST, .ca_file = argv[2], .proxy = ""};
    struct sasae_relayclient_callbacks cb = {
        .registered = cb_registered, .paired = cb_paired, .data = cb_data, .closed = cb_closed};
    if (sasae_relayclient_new(&cfg, &cb, NULL, &rc) != 0) {
        fprintf(stderr, "fakehost: relay client failed\n");
        return 2;
    }
    /* Handshake as the responder. */
    while (!sasae_link_established(link)) {
        struct msg *r = next_msg(30000);
        struct sasae_link_event ev = {0};
        if (r && !link) { /* the first message comes after the code: the channel binds to it */
            pthread_mutex_lock(&mu);
            char pw[SASAE_SCODE_PASSWORD_DIGITS + 1];
            sasae_scode_password(g_code, pw);
            link = sasae_link_new(sasae_chan_new_host(dev, trust, pw, NULL));
            pthread_mutex_unlock(&mu);
        }
        if (r && link)
            sasae_link_input(link, r->data, r->len, &ev);
        if (!r || !link || ev.kind == SASAE_LINK_EV_FAILED) {
            fprintf(stderr, "fakehost: handshake failed\n");
            return 1;
        }
        free(r);
        if (ev.out_len)
            sasae_relayclient_send_data(rc, ev.out, ev.out_len);
    }
    printf("established\n");
    fflush(stdout);

    int rcode = 1, end_reason = 0, acks = 0;
    sasae_venc *enc = NULL;
    uint8_t *payload = NULL, *bgra = NULL;
    struct sasae_wire_msg hello = {.type = SASAE_WIRE_HELLO};
    static const char sw[] = "viewer_fakehost";
    hello.u.hello.min_version = hello.u.hello.max_version = 1;
    hello.u.hello.role = SASAE_WIRE_ROLE_HOST;
    hello.u.hello.software = sw;
    hello.u.hello.software_len = sizeof sw - 1;

    if (!strcmp(scenario, "no-hello")) {
        send_state(SASAE_WIRE_CONSENT_STATE, SASAE_WIRE_CONSENT_WAITING);
        rcode =
            expect(SASAE_WIRE_END, 10000, NULL, &end_reason) && end_reason == SASAE_WIRE_END_ERROR
                ? 0
                : 1;
        goto out;
    }
    send_wire(&hello, false);
    if (!expect(SASAE_WIRE_HELLO, 10000, NULL, NULL)) {
        fprintf(stderr, "fakehost: no HELLO from the viewer\n");
        goto out;
    }
    if (!strcmp(scenario, "tamper")) {
        /* A relay flipping one bit: the viewer must drop the session (and send nothing). */
        send_state(SASAE_WIRE_CONSENT_STATE, SASAE_WIRE_CONSENT_WAITING);
        struct sasae_wire_msg m = {.type = SASAE_WIRE_CONSENT_STATE};
        m.u.consent.state = SASAE_WIRE_CONSENT_ALLOWED;
        send_wire(&m, true);
        rcode = expect(SASAE_WIRE_FRAME_ACK, 5000, NULL, &end_reason) || end_reason ? 1 : 0;
        goto out;
    }

    sasae_video_config vc;
    sasae_video_config_default(&vc, W, H);
    if (sasae_venc_new(&vc, &enc) != SASAE_VIDEO_OK)
        goto out;
    size_t cap = sasae_venc_max_payload(enc), len = 0;
    payload = malloc(cap);
    bgra = malloc((size_t)W * H * 4);
    if (!payload || !bgra)
        goto out;
    for (int i = 0; i < W * H; i++)
        memcpy(bgra + 4 * i, (uint8_t[]){(uint8_t)i, 0x80, (uint8_t)(i >> 8), 0xff}, 4);
    sasae_video_rect full = {0, 0, W, H};
    sasae_video_frame vf = {bgra, W * 4, &full, 1, 0};
    if (sasae_venc_encode(enc, &vf, SASAE_VENC_KEYFRAME, payload, cap, &len) != SASAE_VIDEO_OK)
        goto out;

    if (!strcmp(scenario, "early-video")) {
        send_state(SASAE_WIRE_CONSENT_STATE, SASAE_WIRE_CONSENT_WAITING);
        send_video(1, payload, len, true);
        rcode =
            expect(SASAE_WIRE_END, 10000, NULL, &end_reason) && end_reason == SASAE_WIRE_END_ERROR
                ? 0
                : 1;
        goto out;
    }

    if (!strcmp(scenario, "unrequested-grant")) {
        /* A normal start, one frame shown, then "control allowed" that nobody asked for:
         * the viewer must end the session (END error), never act as if it had control. */
        send_state(SASAE_WIRE_CONSENT_STATE, SASAE_WIRE_CONSENT_WAITING);
        send_state(SASAE_WIRE_CONSENT_STATE, SASAE_WIRE_CONSENT_ALLOWED);
        send_video(1, payload, len, true);
        if (!expect(SASAE_WIRE_FRAME_ACK, 10000, &acks, &end_reason)) {
            fprintf(stderr, "fakehost: no ack for the first frame\n");
            goto out;
        }
        send_state(SASAE_WIRE_CONTROL_STATE, SASAE_WIRE_CONSENT_ALLOWED);
        rcode =
            expect(SASAE_WIRE_END, 10000, NULL, &end_reason) && end_reason == SASAE_WIRE_END_ERROR
                ? 0
                : 1;
        goto out;
    }

    /* corrupt: a good keyframe, a broken frame, then a keyframe on request. */
    send_state(SASAE_WIRE_CONSENT_STATE, SASAE_WIRE_CONSENT_WAITING);
    send_state(SASAE_WIRE_CONSENT_STATE, SASAE_WIRE_CONSENT_ALLOWED);
    struct sasae_wire_msg cur = {.type = SASAE_WIRE_CURSOR_POS};
    cur.u.cursor_pos.x = 10;
    cur.u.cursor_pos.y = 20;
    cur.u.cursor_pos.visible = 1;
    send_wire(&cur, false);
    send_video(1, payload, len, true);
    if (!expect(SASAE_WIRE_FRAME_ACK, 10000, &acks, &end_reason)) {
        fprintf(stderr, "fakehost: no ack for the first frame\n");
        goto out;
    }
    uint8_t junk[600];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    memcpy(junk, payload, 32 < len ? 32 : len); /* a plausible header, then garbage */
    send_video(2, junk, sizeof junk, false);
    if (!expect(SASAE_WIRE_KEYFRAME_REQ, 10000, &acks, &end_reason)) {
        fprintf(stderr, "fakehost: no keyframe request after a corrupt frame\n");
        goto out;
    }
    vf.pts_us = 33333;
    if (sasae_venc_encode(enc, &vf, SASAE_VENC_KEYFRAME, payload, cap, &len) != SASAE_VIDEO_OK)
        goto out;
    send_video(3, payload, len, true);
    if (!expect(SASAE_WIRE_STATS, 10000, &acks, &end_reason)) {
        fprintf(stderr, "fakehost: no stats\n");
        goto out;
    }
    /* Acks for all three frames, the broken one included (the host must not stall). */
    for (uint64_t t = sasae_mono_ns(); acks < 3 && sasae_mono_ns() - t < 5000000000ull;)
        expect(SASAE_WIRE_FRAME_ACK, 500, &acks, &end_reason);
    printf("acks=%d\n", acks);
    if (acks < 3)
        goto out;
    struct sasae_wire_msg end = {.type = SASAE_WIRE_END};
    end.u.end.reason = SASAE_WIRE_END_CUSTOMER;
    send_wire(&end, false);
    rcode = 0;
out:
    free(payload);
    free(bgra);
    sasae_venc_free(enc);
    printf("fakehost %s: %s (viewer END reason %d)\n", scenario, rcode ? "FAILED" : "ok",
           end_reason);
    fflush(stdout);
    sasae_relayclient_close(rc);
    struct timespec ts = {0, 300000000};
    nanosleep(&ts, NULL);
    sasae_relayclient_free(rc);
    sasae_link_free(link);
    sasae_chan_trust_free(trust);
    sasae_chan_key_free(dev);
    free(ca);
    return rcode;
}
