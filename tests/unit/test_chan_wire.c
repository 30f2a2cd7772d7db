/* Layers 3 and 4 together: application messages, including a chunked 3 MiB video frame,
 * serialized, sealed, opened, parsed and reassembled across several key updates. */
#include <criterion/criterion.h>

#include "sasae/wire.h"
#include "test_chan_pki.h"

/* the support code both ends bind the channel to (docs/protocol.md "Code binding") */
#define TEST_CODE "12345671234"

Test(chan_wire, session_through_both_layers)
{
    char *dir = make_ca("Acme Help Desk");
    char err[256];
    cr_assert_eq(sasae_certs_issue_operator(dir, "Jane Doe", NULL, NULL, NULL, err), 0);
    struct sasae_chan_cred *cred = load_cred(dir, "operators/jane-doe");
    struct sasae_chan_trust *trust = load_trust(dir, 1);
    struct sasae_chan_key *dev = sasae_chan_key_generate();
    struct sasae_chan_opts o = {5, 0}; /* key update every 5 records */
    struct sasae_chan *v = sasae_chan_new_viewer(cred, TEST_CODE, &o),
                      *h = sasae_chan_new_host(dev, trust, TEST_CODE, &o);
    static uint8_t a[SASAE_CHAN_MAX_RECORD], b[SASAE_CHAN_MAX_RECORD];
    size_t al, bl;
    cr_assert_eq(sasae_chan_start(v, a, sizeof(a), &al), 0);
    cr_assert_eq(sasae_chan_handshake(h, a, al, b, sizeof(b), &bl), 0);
    cr_assert_eq(sasae_chan_handshake(v, b, bl, a, sizeof(a), &al), 0);
    cr_assert_eq(sasae_chan_handshake(h, a, al, b, sizeof(b), &bl), 0);
    cr_assert_eq(sasae_chan_handshake(v, b, bl, a, sizeof(a), &al), 0);

    /* Host sends HELLO, CONSENT_STATE allowed, then a 3 MiB keyframe in chunks. */
    size_t flen = 3u << 20;
    uint8_t *frame = malloc(flen);
    for (size_t i = 0; i < flen; i++)
        frame[i] = (uint8_t)(i ^ (i >> 9));
    struct sasae_wire_msg msgs[64];
    int nm = 0;
    msgs[nm].type = SASAE_WIRE_HELLO;
    msgs[nm++].u.hello = (struct sasae_wire_hello){1, 1, SASAE_WIRE_ROLE_HOST, 1, "host", 4};
    msgs[nm].type = SASAE_WIRE_CONSENT_STATE;
    msgs[nm++].u.consent.state = SASAE_WIRE_CONSENT_ALLOWED;
    struct sasae_wire_video hdr = {1,
                                   1764100000000000ull,
                                   SASAE_WIRE_VIDEO_KEYFRAME,
                                   SASAE_WIRE_CODEC_VP9,
                                   4096,
                                   2160,
                                   0,
                                   0,
                                   NULL,
                                   0};
    size_t off = 0;
    while (sasae_wire_video_next_chunk(&hdr, frame, flen, 0, &off, &msgs[nm]))
        nm++;
    msgs[nm].type = SASAE_WIRE_END;
    msgs[nm++].u.end = (struct sasae_wire_end){SASAE_WIRE_END_CUSTOMER, NULL, 0};

    struct sasae_wire_reasm *r = sasae_wire_reasm_new(0);
    static uint8_t ser[SASAE_WIRE_MAX_MSG];
    int frames = 0, got_end = 0;
    for (int i = 0; i < nm; i++) {
        size_t sl, pl;
        cr_assert_eq(sasae_wire_serialize(&msgs[i], ser, sizeof(ser), &sl), SASAE_WIRE_OK);
        cr_assert_eq(sasae_chan_seal(h, ser, sl, a, sizeof(a), &al), SASAE_CHAN_OK);
        cr_assert_leq(al, SASAE_CHAN_MAX_RECORD);
        cr_assert_eq(sasae_chan_open(v, a, al, b, sizeof(b), &pl), SASAE_CHAN_OK);
        struct sasae_wire_msg m;
        cr_assert_eq(sasae_wire_parse(b, pl, &m), SASAE_WIRE_OK);
        cr_assert_eq(m.type, msgs[i].type);
        if (m.type == SASAE_WIRE_VIDEO) {
            struct sasae_wire_video f;
            int done;
            cr_assert_eq(sasae_wire_reasm_push(r, &m.u.video, &done, &f), SASAE_WIRE_OK);
            if (done) {
                frames++;
                cr_assert_eq(f.data_len, flen);
                cr_assert_arr_eq(f.data, frame, flen);
                cr_assert_eq(f.width, 4096);
            }
        } else if (m.type == SASAE_WIRE_END) {
            got_end = m.u.end.reason == SASAE_WIRE_END_CUSTOMER;
        }
    }
    cr_assert_eq(frames, 1);
    cr_assert(got_end);
    cr_assert_geq(sasae_chan_send_epoch(h), 3);
    cr_assert_eq(sasae_chan_send_epoch(h), sasae_chan_recv_epoch(v));
    sasae_wire_reasm_free(r);
    free(frame);
    sasae_chan_free(v);
    sasae_chan_free(h);
    sasae_chan_key_free(dev);
    sasae_chan_cred_free(cred);
    sasae_chan_trust_free(trust);
    rm_rf(dir);
    free(dir);
}
