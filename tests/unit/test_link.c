/* codec/link: two links (or a link and a bare channel) in memory: the handshake, messages
 * both ways, and every failure the endpoints act on. */
#include <errno.h>

#include <criterion/criterion.h>

#include "sasae/link.h"
#include "test_chan_pki.h"

/* the support code both ends bind the channel to (docs/protocol.md "Code binding") */
#define TEST_CODE "12345671234"

static char *g_dir;
static struct sasae_chan_cred *g_cred;
static struct sasae_chan_trust *g_trust;
static struct sasae_chan_key *g_dev;

static void setup(void)
{
    char err[256];
    g_dir = make_ca("Acme Help Desk");
    cr_assert_eq(sasae_certs_issue_operator(g_dir, "Jane Doe", NULL, NULL, NULL, err), 0);
    g_cred = load_cred(g_dir, "operators/jane-doe");
    g_trust = load_trust(g_dir, 1);
    g_dev = sasae_chan_key_generate();
    cr_assert(g_cred && g_trust && g_dev);
}

static void teardown(void)
{
    sasae_chan_cred_free(g_cred);
    sasae_chan_trust_free(g_trust);
    sasae_chan_key_free(g_dev);
    rm_rf(g_dir);
    free(g_dir);
}

TestSuite(link, .init = setup, .fini = teardown);

static struct sasae_link *viewer(const char *code)
{
    struct sasae_link *l = sasae_link_new(sasae_chan_new_viewer(g_cred, code, NULL));
    cr_assert_not_null(l);
    return l;
}

static struct sasae_link *host(const char *code)
{
    struct sasae_link *l = sasae_link_new(sasae_chan_new_host(g_dev, g_trust, code, NULL));
    cr_assert_not_null(l);
    return l;
}

/* Moves handshake bytes between v and h until neither has anything to send; the last event
 * of each side is left in *ve / *he. */
static void pump(struct sasae_link *v, struct sasae_link *h, struct sasae_link_event *ve,
                 struct sasae_link_event *he)
{
    static uint8_t buf[SASAE_CHAN_MAX_HANDSHAKE];
    const uint8_t *out;
    size_t n;
    cr_assert_eq(sasae_link_start(v, &out, &n), SASAE_CHAN_OK);
    cr_assert_gt(n, 0);
    memset(ve, 0, sizeof *ve);
    memset(he, 0, sizeof *he);
    struct sasae_link *to = h;
    struct sasae_link_event *ev = he;
    for (int i = 0; i < 8 && n; i++) {
        memcpy(buf, out, n); /* out belongs to the sender, valid until its next call */
        sasae_link_input(to, buf, n, ev);
        out = ev->out;
        n = ev->out_len;
        to = to == h ? v : h;
        ev = ev == he ? ve : he;
    }
}

static void establish(struct sasae_link *v, struct sasae_link *h)
{
    struct sasae_link_event ve, he;
    pump(v, h, &ve, &he);
    cr_assert_eq(he.kind, SASAE_LINK_EV_ESTABLISHED);
    cr_assert_eq(ve.kind, SASAE_LINK_EV_ESTABLISHED);
    cr_assert(sasae_link_established(v) && sasae_link_established(h));
}

Test(link, handshake_in_memory)
{
    struct sasae_link *v = viewer(TEST_CODE), *h = host(TEST_CODE);
    cr_assert(!sasae_link_established(v) && !sasae_link_established(h));
    cr_assert_null(sasae_link_peer(h));
    struct sasae_link_event ve, he;
    pump(v, h, &ve, &he);
    /* the host's last step sends HOST_FINISHED with its ESTABLISHED; the viewer's sends none */
    cr_assert_eq(he.kind, SASAE_LINK_EV_ESTABLISHED);
    cr_assert_gt(he.out_len, 0);
    cr_assert_eq(ve.kind, SASAE_LINK_EV_ESTABLISHED);
    cr_assert_eq(ve.out_len, 0);
    cr_assert_str_eq(he.peer->operator_name, "Jane Doe");
    cr_assert_str_eq(he.peer->organisation, "Acme Help Desk");
    char fpr[SASAE_CHAN_FPR_LEN];
    sasae_chan_key_fingerprint(g_dev, fpr);
    cr_assert_str_eq(ve.peer->host_fingerprint, fpr);
    cr_assert_str_eq(sasae_link_peer(v)->host_fingerprint, fpr);
    /* both ends derive the same resume secrets */
    uint8_t tv[SASAE_CHAN_TICKET_LEN], th[SASAE_CHAN_TICKET_LEN];
    char cv[SASAE_CHAN_RESUME_CODE_LEN + 1], ch[SASAE_CHAN_RESUME_CODE_LEN + 1];
    cr_assert_eq(sasae_link_resume_secrets(v, tv, cv), SASAE_CHAN_OK);
    cr_assert_eq(sasae_link_resume_secrets(h, th, ch), SASAE_CHAN_OK);
    cr_assert_arr_eq(tv, th, sizeof tv);
    cr_assert_str_eq(cv, ch);
    sasae_link_free(v);
    sasae_link_free(h);
}

Test(link, messages_both_ways)
{
    struct sasae_link *v = viewer(TEST_CODE), *h = host(TEST_CODE);
    establish(v, h);
    static uint8_t rec[SASAE_CHAN_MAX_RECORD];
    size_t rl;
    struct sasae_link_event ev;
    /* viewer -> host: HELLO */
    struct sasae_wire_msg m = {.type = SASAE_WIRE_HELLO};
    m.u.hello =
        (struct sasae_wire_hello){1, 1, SASAE_WIRE_ROLE_VIEWER, SASAE_WIRE_CAP_VP9, "viewer", 6};
    cr_assert_eq(sasae_link_seal(v, &m, rec, sizeof rec, &rl, NULL), 0);
    sasae_link_input(h, rec, rl, &ev);
    cr_assert_eq(ev.kind, SASAE_LINK_EV_MESSAGE);
    cr_assert_eq(ev.msg.type, SASAE_WIRE_HELLO);
    cr_assert_eq(ev.msg.u.hello.role, SASAE_WIRE_ROLE_VIEWER);
    cr_assert_eq(ev.msg.u.hello.software_len, 6);
    cr_assert_eq(memcmp(ev.msg.u.hello.software, "viewer", 6), 0);
    /* host -> viewer: a whole 600 KB frame in chunks, each into the caller's buffer */
    size_t flen = 600000;
    uint8_t *frame = malloc(flen);
    for (size_t i = 0; i < flen; i++)
        frame[i] = (uint8_t)(i * 7 ^ (i >> 11));
    struct sasae_wire_video hdr = {
        .frame_id = 9, .codec = SASAE_WIRE_CODEC_VP9, .width = 640, .height = 480};
    struct sasae_wire_reasm *r = sasae_wire_reasm_new(0);
    size_t off = 0;
    int chunks = 0, done = 0;
    while (sasae_wire_video_next_chunk(&hdr, frame, flen, 16 * 1024, &off, &m) == 1) {
        cr_assert_eq(sasae_link_seal(h, &m, rec, sizeof rec, &rl, NULL), 0);
        cr_assert_eq(rl, SASAE_WIRE_VIDEO_HDR + m.u.video.data_len + SASAE_CHAN_RECORD_OVERHEAD);
        sasae_link_input(v, rec, rl, &ev);
        cr_assert_eq(ev.kind, SASAE_LINK_EV_MESSAGE);
        cr_assert_eq(ev.msg.type, SASAE_WIRE_VIDEO);
        struct sasae_wire_video f;
        cr_assert_eq(sasae_wire_reasm_push(r, &ev.msg.u.video, &done, &f), SASAE_WIRE_OK);
        if (done) {
            cr_assert_eq(f.data_len, flen);
            cr_assert_arr_eq(f.data, frame, flen);
        }
        chunks++;
    }
    cr_assert(done);
    cr_assert_eq(chunks, (int)((flen + 16 * 1024 - 1) / (16 * 1024)));
    /* and END back */
    m = (struct sasae_wire_msg){.type = SASAE_WIRE_END};
    m.u.end.reason = SASAE_WIRE_END_OPERATOR;
    cr_assert_eq(sasae_link_seal(v, &m, rec, sizeof rec, &rl, NULL), 0);
    sasae_link_input(h, rec, rl, &ev);
    cr_assert_eq(ev.kind, SASAE_LINK_EV_MESSAGE);
    cr_assert_eq(ev.msg.u.end.reason, SASAE_WIRE_END_OPERATOR);
    sasae_wire_reasm_free(r);
    free(frame);
    sasae_link_free(v);
    sasae_link_free(h);
}

Test(link, tampered_record_fails_for_good)
{
    struct sasae_link *v = viewer(TEST_CODE), *h = host(TEST_CODE);
    establish(v, h);
    static uint8_t rec[SASAE_CHAN_MAX_RECORD];
    size_t rl;
    struct sasae_wire_msg m = {.type = SASAE_WIRE_CHAT};
    m.u.chat = (struct sasae_wire_text){"hello", 5};
    cr_assert_eq(sasae_link_seal(v, &m, rec, sizeof rec, &rl, NULL), 0);
    rec[rl / 2] ^= 0x20;
    struct sasae_link_event ev;
    sasae_link_input(h, rec, rl, &ev);
    cr_assert_eq(ev.kind, SASAE_LINK_EV_FAILED);
    cr_assert_eq(ev.fail, SASAE_LINK_FAIL_RECORD);
    cr_assert_eq(ev.reason, SASAE_CHAN_ERECORD);
    cr_assert_eq(ev.out_len, 0); /* records carry no ALERT */
    cr_assert(!sasae_link_established(h));
    /* the untampered record is refused too: the link is dead, and seals nothing */
    rec[rl / 2] ^= 0x20;
    sasae_link_input(h, rec, rl, &ev);
    cr_assert_eq(ev.kind, SASAE_LINK_EV_FAILED);
    cr_assert_eq(ev.fail, SASAE_LINK_FAIL_DEAD);
    cr_assert_eq(sasae_link_seal(h, &m, rec, sizeof rec, &rl, NULL), -EPERM);
    sasae_link_free(v);
    sasae_link_free(h);
}

Test(link, wrong_code_is_a_code_mismatch_on_both_sides)
{
    struct sasae_link *v = viewer("12345679999"), *h = host(TEST_CODE);
    struct sasae_link_event ve, he;
    pump(v, h, &ve, &he);
    /* one side sees the mismatch and sends an ALERT; pump() delivered it to the other */
    struct sasae_link_event *seen = he.kind == SASAE_LINK_EV_FAILED && !he.by_peer ? &he : &ve;
    struct sasae_link_event *told = seen == &he ? &ve : &he;
    cr_assert_eq(seen->kind, SASAE_LINK_EV_FAILED);
    cr_assert_eq(seen->fail, SASAE_LINK_FAIL_CODE);
    cr_assert_eq(seen->reason, SASAE_CHAN_ECODE);
    cr_assert(!seen->by_peer);
    cr_assert_eq(told->kind, SASAE_LINK_EV_FAILED);
    cr_assert_eq(told->fail, SASAE_LINK_FAIL_CODE);
    cr_assert_eq(told->reason, SASAE_CHAN_ECODE);
    cr_assert(told->by_peer);
    cr_assert_eq(told->out_len, 0); /* an ALERT is never answered */
    cr_assert(!sasae_link_established(v) && !sasae_link_established(h));
    sasae_link_free(v);
    sasae_link_free(h);
}

Test(link, handshake_garbage_is_refused_with_an_alert)
{
    struct sasae_link *h = host(TEST_CODE), *v = viewer(TEST_CODE);
    static const uint8_t junk[] = {0x02, 0x01, 0xff, 0x00, 0x13};
    struct sasae_link_event ev;
    sasae_link_input(h, junk, sizeof junk, &ev);
    cr_assert_eq(ev.kind, SASAE_LINK_EV_FAILED);
    cr_assert_eq(ev.fail, SASAE_LINK_FAIL_HANDSHAKE);
    cr_assert_gt(ev.out_len, 0);
    /* the ALERT tells the viewer why */
    const uint8_t *out;
    size_t n;
    enum sasae_chan_err why = ev.reason;
    uint8_t alert[16];
    memcpy(alert, ev.out, ev.out_len);
    size_t al = ev.out_len;
    cr_assert_eq(sasae_link_start(v, &out, &n), SASAE_CHAN_OK);
    sasae_link_input(v, alert, al, &ev);
    cr_assert_eq(ev.kind, SASAE_LINK_EV_FAILED);
    cr_assert_eq(ev.fail, SASAE_LINK_FAIL_PEER);
    cr_assert(ev.by_peer);
    cr_assert_eq(ev.reason, why);
    sasae_link_free(v);
    sasae_link_free(h);
}

/* A record is never read before the handshake: one from an established session is handshake
 * input to a fresh link, and fails as such; nothing seals either. */
Test(link, nothing_accepted_before_established)
{
    struct sasae_link *v = viewer(TEST_CODE), *h = host(TEST_CODE);
    establish(v, h);
    static uint8_t rec[SASAE_CHAN_MAX_RECORD];
    size_t rl;
    struct sasae_wire_msg m = {.type = SASAE_WIRE_KEYFRAME_REQ};
    cr_assert_eq(sasae_link_seal(v, &m, rec, sizeof rec, &rl, NULL), 0);
    struct sasae_link *fresh = host(TEST_CODE);
    cr_assert_eq(sasae_link_seal(fresh, &m, rec + 1000, 1000, &rl, NULL), -EPERM);
    struct sasae_link_event ev;
    sasae_link_input(fresh, rec, rl, &ev);
    cr_assert_eq(ev.kind, SASAE_LINK_EV_FAILED);
    cr_assert_neq(ev.kind, SASAE_LINK_EV_MESSAGE);
    cr_assert_eq(ev.fail, SASAE_LINK_FAIL_HANDSHAKE);
    cr_assert(!sasae_link_established(fresh));
    sasae_link_free(fresh);
    sasae_link_free(v);
    sasae_link_free(h);
}

/* A bare host channel on the other side, to send what a link never would. */
static struct sasae_chan *bare_host_for(struct sasae_link *v)
{
    struct sasae_chan *h = sasae_chan_new_host(g_dev, g_trust, TEST_CODE, NULL);
    static uint8_t b[SASAE_CHAN_MAX_HANDSHAKE], c[SASAE_CHAN_MAX_HANDSHAKE];
    const uint8_t *out;
    size_t n, bl;
    struct sasae_link_event ev;
    cr_assert_eq(sasae_link_start(v, &out, &n), SASAE_CHAN_OK);
    cr_assert_eq(sasae_chan_handshake(h, out, n, b, sizeof b, &bl), SASAE_CHAN_OK);
    sasae_link_input(v, b, bl, &ev);
    cr_assert_eq(ev.kind, SASAE_LINK_EV_HANDSHAKE);
    memcpy(c, ev.out, ev.out_len);
    cr_assert_eq(sasae_chan_handshake(h, c, ev.out_len, b, sizeof b, &bl), SASAE_CHAN_OK);
    sasae_link_input(v, b, bl, &ev);
    cr_assert_eq(ev.kind, SASAE_LINK_EV_ESTABLISHED);
    return h;
}

Test(link, malformed_message_is_a_clear_error_and_end_still_seals)
{
    struct sasae_link *v = viewer(TEST_CODE);
    struct sasae_chan *h = bare_host_for(v);
    static uint8_t rec[SASAE_CHAN_MAX_RECORD];
    size_t rl;
    static const uint8_t bad[] = {0xee, 0x00, 0x01}; /* no such message type */
    cr_assert_eq(sasae_chan_seal(h, bad, sizeof bad, rec, sizeof rec, &rl), SASAE_CHAN_OK);
    struct sasae_link_event ev;
    sasae_link_input(v, rec, rl, &ev);
    cr_assert_eq(ev.kind, SASAE_LINK_EV_FAILED);
    cr_assert_eq(ev.fail, SASAE_LINK_FAIL_MESSAGE);
    cr_assert_eq(ev.wire_err, SASAE_WIRE_EUNKNOWN);
    /* the channel is whole: the END that says why still goes out, and opens */
    struct sasae_wire_msg m = {.type = SASAE_WIRE_END};
    m.u.end.reason = SASAE_WIRE_END_ERROR;
    cr_assert_eq(sasae_link_seal(v, &m, rec, sizeof rec, &rl, NULL), 0);
    static uint8_t pt[SASAE_CHAN_MAX_PLAINTEXT];
    size_t pl;
    cr_assert_eq(sasae_chan_open(h, rec, rl, pt, sizeof pt, &pl), SASAE_CHAN_OK);
    cr_assert_eq(pt[0], SASAE_WIRE_END);
    sasae_chan_free(h);
    sasae_link_free(v);
}

Test(link, oversize_record_is_refused)
{
    struct sasae_link *v = viewer(TEST_CODE);
    struct sasae_chan *h = bare_host_for(v);
    size_t big = SASAE_CHAN_MAX_RECORD + 1;
    uint8_t *rec = calloc(1, big);
    struct sasae_link_event ev;
    sasae_link_input(v, rec, big, &ev);
    cr_assert_eq(ev.kind, SASAE_LINK_EV_FAILED);
    cr_assert_eq(ev.fail, SASAE_LINK_FAIL_OVERSIZE);
    sasae_link_input(v, rec, 40, &ev);
    cr_assert_eq(ev.fail, SASAE_LINK_FAIL_DEAD);
    free(rec);
    sasae_chan_free(h);
    sasae_link_free(v);
}

Test(link, seal_refuses_bad_messages_and_small_buffers)
{
    struct sasae_link *v = viewer(TEST_CODE), *h = host(TEST_CODE);
    establish(v, h);
    static uint8_t rec[SASAE_CHAN_MAX_RECORD];
    size_t rl = 99;
    enum sasae_wire_err we;
    struct sasae_wire_msg m = {.type = SASAE_WIRE_CONTROL_REQUEST};
    m.u.control_req.want = 7; /* 0 or 1 only */
    cr_assert_eq(sasae_link_seal(v, &m, rec, sizeof rec, &rl, &we), -EINVAL);
    cr_assert_eq(we, SASAE_WIRE_EVALUE);
    cr_assert_eq(rl, 0);
    m.u.control_req.want = 1;
    cr_assert_eq(sasae_link_seal(v, &m, rec, 10, &rl, &we), -ENOSPC);
    /* neither harmed the channel: the next record opens in sequence */
    cr_assert_eq(sasae_link_seal(v, &m, rec, sizeof rec, &rl, &we), 0);
    struct sasae_link_event ev;
    sasae_link_input(h, rec, rl, &ev);
    cr_assert_eq(ev.kind, SASAE_LINK_EV_MESSAGE);
    cr_assert_eq(ev.msg.u.control_req.want, 1);
    sasae_link_free(v);
    sasae_link_free(h);
}

Test(link, new_takes_the_channel_and_refuses_null)
{
    cr_assert_null(sasae_link_new(NULL));
    sasae_link_free(NULL);
}
