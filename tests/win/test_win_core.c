/* The shared core (codec/ and the host's state machine) built for Windows and run under Wine:
 * the same library code as on Linux must give the same bytes and the same decisions. One
 * line per check ("ok N - ..." / "not ok N - ..."), exit 0 only if every check passed.
 * usage: test_win_core.exe VECTORS_DIR PKI_DIR   (PKI_DIR made by sasae-certs on Linux:
 * ca.pem, crl.pem, operators/<name>.pem/.key) */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/brand.h"
#include "sasae/chan.h"
#include "sasae/envelope.h"
#include "sasae/host.h"
#include "sasae/video.h"
#include "sasae/wire.h"

static int checks, failed;

static void check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s %d - ", ok ? "ok" : "not ok", ++checks);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    failed += !ok;
}

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; s[0] && s[1] && n < cap; s += 2) {
        unsigned v;
        if (sscanf(s, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
    }
    return n;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    char *b = malloc(1 << 20);
    *len = fread(b, 1, (1 << 20) - 1, f);
    b[*len] = 0;
    fclose(f);
    return b;
}

/* Every vector parses and serialises back to exactly its bytes. */
static void wire_vectors(const char *dir)
{
    size_t len;
    char *text = slurp(dir, "wire.hex", &len);
    check(text != NULL, "wire.hex readable from Windows (%s)", dir);
    int n = 0, good = 0, zlib_parsed = 0;
    static uint8_t in[70000], out[70000];
    for (char *save = NULL, *l = text ? strtok_r(text, "\n", &save) : NULL; l;
         l = strtok_r(NULL, "\n", &save)) {
        char name[64], hex[140000];
        if (l[0] == '#' || sscanf(l, "%63s %139999s", name, hex) != 2)
            continue;
        size_t bl = unhex(hex, in, sizeof in), ol = 0;
        struct sasae_wire_msg m;
        n++;
        if (sasae_wire_parse(in, bl, &m) != SASAE_WIRE_OK) {
            printf("# vector %s not parsed\n", name);
            continue;
        }
        /* zlib-carrying messages are compared by their parse (the serializer compresses
         * text, the parser keeps the compressed bytes) */
        if (m.type == SASAE_WIRE_CURSOR_SHAPE || m.type == SASAE_WIRE_SYSINFO) {
            zlib_parsed++;
            good++;
            continue;
        }
        if (sasae_wire_serialize(&m, out, sizeof out, &ol) == SASAE_WIRE_OK && ol == bl &&
            memcmp(in, out, bl) == 0)
            good++;
        else
            printf("# vector %s differs\n", name);
    }
    check(n > 15 && good == n, "wire vectors: %d of %d (%d parsed only: zlib bodies)", good, n,
          zlib_parsed);
    free(text);
    text = slurp(dir, "wire_bad.hex", &len);
    n = good = 0;
    for (char *save = NULL, *l = text ? strtok_r(text, "\n", &save) : NULL; l;
         l = strtok_r(NULL, "\n", &save)) {
        char name[64], hex[8000];
        if (l[0] == '#' || sscanf(l, "%63s %7999s", name, hex) != 2)
            continue;
        struct sasae_wire_msg m;
        n++;
        good += sasae_wire_parse(in, unhex(hex, in, sizeof in), &m) != SASAE_WIRE_OK;
    }
    check(n >= 20 && good == n, "malformed wire messages refused: %d of %d", good, n);
    free(text);
}

static void envelope(void)
{
    uint8_t buf[64];
    size_t n = 0;
    struct sasae_env_msg m = {.type = SASAE_ENV_REGISTER};
    bool ok = sasae_env_serialize(&m, buf, sizeof buf, &n) == SASAE_ENV_OK;
    struct sasae_env_msg back;
    ok = ok && sasae_env_parse(buf, n, &back) == SASAE_ENV_OK && back.type == m.type;
    check(ok, "envelope REGISTER round trip");
    uint8_t bad[] = {0xee, 1, 2};
    check(sasae_env_parse(bad, sizeof bad, &back) != SASAE_ENV_OK, "unknown envelope refused");
}

/* A full handshake with a certificate made on Linux, then records both ways; tampering and
 * replay are refused. */
static void chan(const char *pki)
{
    size_t cl, kl, al, rl;
    char *cert = slurp(pki, "operators/hanako-sato.pem", &cl);
    char *key = slurp(pki, "operators/hanako-sato.key", &kl);
    char *ca = slurp(pki, "ca.pem", &al);
    char *crl = slurp(pki, "crl.pem", &rl);
    check(cert && key && ca && crl, "PKI files readable");
    if (!cert || !key || !ca || !crl)
        return;
    enum sasae_chan_err e;
    struct sasae_chan_cred *cred = sasae_chan_cred_new(cert, cl, key, kl, &e);
    struct sasae_chan_trust *trust = sasae_chan_trust_new(ca, al, crl, rl, &e);
    struct sasae_chan_key *dev = sasae_chan_key_generate();
    check(cred && trust && dev, "credential, trust and device key");
    struct sasae_chan *v = sasae_chan_new_viewer(cred, NULL),
                      *h = sasae_chan_new_host(dev, trust, NULL);
    static uint8_t a[70000], b[70000], pt[70000];
    size_t an = 0, bn = 0;
    bool ok = sasae_chan_start(v, a, sizeof a, &an) == SASAE_CHAN_OK;
    ok = ok && sasae_chan_handshake(h, a, an, b, sizeof b, &bn) == SASAE_CHAN_OK;
    ok = ok && sasae_chan_handshake(v, b, bn, a, sizeof a, &an) == SASAE_CHAN_OK;
    ok = ok && sasae_chan_handshake(h, a, an, b, sizeof b, &bn) == SASAE_CHAN_OK;
    ok = ok && sasae_chan_handshake(v, b, bn, a, sizeof a, &an) == SASAE_CHAN_OK;
    check(ok && sasae_chan_established(v) && sasae_chan_established(h),
          "handshake: operator certificate verified by the host");
    const char msg[] = "sasae on Windows";
    size_t pn = 0;
    ok = sasae_chan_seal(h, (const uint8_t *)msg, sizeof msg, a, sizeof a, &an) == SASAE_CHAN_OK &&
         sasae_chan_open(v, a, an, pt, sizeof pt, &pn) == SASAE_CHAN_OK && pn == sizeof msg &&
         memcmp(pt, msg, pn) == 0;
    check(ok, "AES-256-GCM record host -> viewer");
    /* the other way, then the same record altered (a dead channel refuses anything, so each
     * refusal is checked on a side that was still alive) */
    static uint8_t c[70000];
    size_t cn = 0;
    ok = sasae_chan_seal(v, (const uint8_t *)msg, sizeof msg, c, sizeof c, &cn) == SASAE_CHAN_OK &&
         sasae_chan_open(h, c, cn, pt, sizeof pt, &pn) == SASAE_CHAN_OK && pn == sizeof msg;
    check(ok, "AES-256-GCM record viewer -> host");
    ok = sasae_chan_seal(v, (const uint8_t *)msg, sizeof msg, c, sizeof c, &cn) == SASAE_CHAN_OK;
    c[cn / 2] ^= 1;
    check(ok && sasae_chan_open(h, c, cn, pt, sizeof pt, &pn) != SASAE_CHAN_OK,
          "altered record refused");
    check(sasae_chan_open(v, a, an, pt, sizeof pt, &pn) != SASAE_CHAN_OK,
          "replayed record refused");
    sasae_chan_free(v);
    sasae_chan_free(h);
    sasae_chan_key_free(dev);
    sasae_chan_trust_free(trust);
    sasae_chan_cred_free(cred);
    free(cert);
    free(key);
    free(ca);
    free(crl);
}

/* A moving test picture through the tiled encoder and the decoder. */
static void video(enum sasae_video_codec codec)
{
    const int w = 640, h = 480;
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, w, h);
    cfg.codec = codec;
    cfg.bitrate_kbps = 4000;
    sasae_venc *enc = NULL;
    sasae_vdec *dec = NULL;
    bool ok = sasae_venc_new(&cfg, &enc) == 0 && sasae_vdec_new(&dec) == 0;
    uint8_t *px = malloc((size_t)w * h * 4), *out = malloc(sasae_venc_max_payload(enc));
    uint8_t *y = malloc((size_t)w * h), *u = malloc((size_t)w * h / 4),
            *vv = malloc((size_t)w * h / 4);
    double worst = 99;
    size_t small = 0;
    for (int f = 0; ok && f < 20; f++) {
        for (int j = 0; j < h; j++)
            for (int i = 0; i < w; i++) {
                uint8_t *p = px + ((size_t)j * w + i) * 4;
                p[0] = (uint8_t)(i + f * 4), p[1] = (uint8_t)j, p[2] = (uint8_t)((i ^ j) & 0xf0);
                p[3] = 0xff;
            }
        sasae_video_rect r = {0, 0, w, h};
        sasae_video_frame fr = {px, w * 4, &r, 1, (int64_t)f * 33333};
        size_t n = 0;
        sasae_video_image img;
        ok = sasae_venc_encode(enc, &fr, 0, out, sasae_venc_max_payload(enc), &n) == 0 && n > 0 &&
             sasae_vdec_decode(dec, out, n, &img) == 0 && img.width == w && img.height == h;
        if (!ok)
            break;
        /* the source's luma, BT.601 limited range like the encoder's conversion */
        for (int j = 0; j < h; j++)
            for (int i = 0; i < w; i++) {
                const uint8_t *p = px + ((size_t)j * w + i) * 4;
                y[(size_t)j * w + i] =
                    (uint8_t)((66 * p[2] + 129 * p[1] + 25 * p[0] + 128) / 256 + 16);
            }
        memset(u, 128, (size_t)w * h / 4);
        memset(vv, 128, (size_t)w * h / 4);
        sasae_video_image src = {w, h, {y, u, vv}, {w, w / 2, w / 2}};
        sasae_video_image dy = img;
        dy.planes[1] = u, dy.planes[2] = vv, dy.strides[1] = dy.strides[2] = w / 2;
        double p = sasae_video_psnr(&src, &dy);
        if (f >= 5 && p < worst)
            worst = p;
    }
    /* one small change: a typed glyph is a small payload */
    if (ok) {
        memset(px + ((size_t)100 * w + 100) * 4, 0, 8 * 4);
        sasae_video_rect r = {96, 96, 16, 16};
        sasae_video_frame fr = {px, w * 4, &r, 1, 21 * 33333};
        ok = sasae_venc_encode(enc, &fr, 0, out, sasae_venc_max_payload(enc), &small) == 0;
    }
    check(ok && worst >= 30, "%s encode + decode 640x480: luma PSNR >= 30 dB (worst %.1f)",
          codec == SASAE_VIDEO_VP9 ? "VP9" : "VP8", worst);
    check(ok && small > 0 && small < 3000, "%s small update is small (%zu bytes)",
          codec == SASAE_VIDEO_VP9 ? "VP9" : "VP8", small);
    sasae_venc_free(enc);
    sasae_vdec_free(dec);
    free(px);
    free(out);
    free(y);
    free(u);
    free(vv);
}

/* The host's gates: nothing before Allow, input only with control, END last. */
static void host_gates(void)
{
    struct sasae_hs hs;
    sasae_hs_init(&hs);
    uint64_t t = 1000;
    sasae_hs_event(&hs, SASAE_HS_EV_REGISTERED, 0, t);
    sasae_hs_event(&hs, SASAE_HS_EV_PEER_JOINED, 0, t);
    sasae_hs_event(&hs, SASAE_HS_EV_HANDSHAKE_OK, 0, t);
    check(!sasae_hs_may_send(&hs, SASAE_WIRE_VIDEO) && !sasae_hs_may_send(&hs, SASAE_WIRE_SYSINFO),
          "no video or system information before Allow");
    sasae_hs_event(&hs, SASAE_HS_EV_CONSENT_ALLOW, 0, t);
    check(sasae_hs_may_send(&hs, SASAE_WIRE_VIDEO) && !sasae_hs_input_allowed(&hs),
          "video after Allow, no input without control");
    sasae_hs_event(&hs, SASAE_HS_EV_CONTROL_REQUEST, 0, t);
    sasae_hs_event(&hs, SASAE_HS_EV_CONTROL_ALLOW, 0, t);
    check(sasae_hs_input_allowed(&hs), "input once control is allowed");
    struct sasae_hs_out o = sasae_hs_event(&hs, SASAE_HS_EV_END_BUTTON, 0, t);
    check((o.actions & SASAE_HS_ACT_STOP_CAPTURE) && (o.actions & SASAE_HS_ACT_INPUT_OFF) &&
              (o.actions & SASAE_HS_ACT_SEND_END) && !sasae_hs_input_allowed(&hs),
          "End stops capture and input and sends END");
    sasae_hs_mark_end_sent(&hs);
    check(!sasae_hs_may_send(&hs, SASAE_WIRE_VIDEO), "nothing after END");
}

static void brand(void)
{
    static uint8_t area[SASAE_BRAND_AREA];
    sasae_brand_blank(area);
    struct sasae_brand b;
    char err[128];
    check(sasae_brand_parse(area, sizeof area, &b, err, sizeof err) == 1, "blank brand area");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_win_core VECTORS_DIR PKI_DIR\n");
        return 2;
    }
    wire_vectors(argv[1]);
    envelope();
    chan(argv[2]);
    video(SASAE_VIDEO_VP9);
    video(SASAE_VIDEO_VP8);
    host_gates();
    brand();
    printf("# %d checks, %d failed\n", checks, failed);
    return failed ? 1 : 0;
}
