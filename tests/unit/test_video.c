/* test_video.c: screen video codec: round trips, dirty rects, keyframes, top-off, interop. */
#include <criterion/criterion.h>
#include <libyuv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sasae/video.h"
#include "synth_screen.h"

static unsigned sv_get16_test(const uint8_t *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t sv_get32_test(const uint8_t *p)
{
    return sv_get16_test(p) | (uint32_t)sv_get16_test(p + 2) << 16;
}

struct ref {
    int w, h, ys, cs;
    uint8_t *buf;
    sasae_video_image img;
};

/* The exact I420 the encoder should approximate: a full libyuv conversion of the BGRA. */
static void ref_make(struct ref *r, const uint8_t *bgra, int w, int h)
{
    r->w = w;
    r->h = h;
    r->ys = w;
    r->cs = (w + 1) / 2;
    size_t ysz = (size_t)w * h, csz = (size_t)r->cs * ((h + 1) / 2);
    r->buf = malloc(ysz + 2 * csz);
    cr_assert(r->buf);
    ARGBToI420(bgra, w * 4, r->buf, r->ys, r->buf + ysz, r->cs, r->buf + ysz + csz, r->cs, w, h);
    r->img.width = w;
    r->img.height = h;
    r->img.planes[0] = r->buf;
    r->img.planes[1] = r->buf + ysz;
    r->img.planes[2] = r->buf + ysz + csz;
    r->img.strides[0] = r->ys;
    r->img.strides[1] = r->img.strides[2] = r->cs;
}

static void ref_free(struct ref *r)
{
    free(r->buf);
}

struct pair {
    sasae_venc *enc;
    sasae_vdec *dec;
    uint8_t *out;
    size_t cap;
    uint8_t *bgra;
    int w, h;
};

static void pair_open(struct pair *p, const sasae_video_config *cfg)
{
    memset(p, 0, sizeof(*p));
    int rc = sasae_venc_new(cfg, &p->enc);
    cr_assert_eq(rc, 0, "venc_new: %s", sasae_video_strerror(rc));
    cr_assert_eq(sasae_vdec_new(&p->dec), 0);
    p->cap = sasae_venc_max_payload(p->enc);
    p->out = malloc(p->cap);
    p->w = cfg->width;
    p->h = cfg->height;
    p->bgra = calloc((size_t)p->w * p->h, 4);
    cr_assert(p->out && p->bgra);
}

static void pair_close(struct pair *p)
{
    sasae_venc_free(p->enc);
    sasae_vdec_free(p->dec);
    free(p->out);
    free(p->bgra);
}

/* Encode the current bgra with rects and decode it; returns payload bytes (0: no output). */
static size_t step(struct pair *p, const sasae_video_rect *rects, size_t n, unsigned flags,
                   sasae_video_image *img)
{
    size_t len = 0;
    sasae_video_frame f = {p->bgra, p->w * 4, rects, n, 0};
    int rc = sasae_venc_encode(p->enc, &f, flags, p->out, p->cap, &len);
    cr_assert_eq(rc, 0, "encode: %s", sasae_video_strerror(rc));
    if (len) {
        rc = sasae_vdec_decode(p->dec, p->out, len, img);
        cr_assert_eq(rc, 0, "decode: %s", sasae_video_strerror(rc));
    }
    return len;
}

static double psnr_vs_bgra(const sasae_video_image *img, const uint8_t *bgra, int w, int h)
{
    struct ref r;
    ref_make(&r, bgra, w, h);
    double ps = sasae_video_psnr(&r.img, img);
    ref_free(&r);
    return ps;
}

/* Feed unchanged frames while the encoder has top-off pending; returns frames fed. */
static int settle(struct pair *p, sasae_video_image *img)
{
    int i = 0;
    while (i < 600 && sasae_venc_pending_topoff(p->enc)) {
        step(p, NULL, 0, 0, img);
        i++;
    }
    return i;
}

/* Keyframe, a few typed glyphs, then top-off until the encoder goes quiet. */
static void roundtrip(int w, int h, enum sasae_video_codec codec, double min_psnr, int kbps)
{
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, w, h);
    cfg.codec = codec;
    cfg.bitrate_kbps = kbps;
    struct pair p;
    pair_open(&p, &cfg);
    synth_text(p.bgra, w * 4, w, h, 0);
    sasae_video_image img;
    cr_assert_gt(step(&p, NULL, 0, 0, &img), 0);
    cr_assert_eq(img.width, w);
    cr_assert_eq(img.height, h);
    for (int i = 0; i < 3 && w >= SYNTH_GLYPH_W && h >= SYNTH_GLYPH_H; i++) {
        int gx = (w / 3 + i * SYNTH_GLYPH_W) % (w - SYNTH_GLYPH_W + 1), gy = h / 2 - h / 2 % 2;
        if (gy + SYNTH_GLYPH_H > h)
            gy = 0;
        synth_glyph(p.bgra, w * 4, gx, gy, (unsigned)i);
        sasae_video_rect r = {gx, gy, SYNTH_GLYPH_W, SYNTH_GLYPH_H};
        cr_assert_gt(step(&p, &r, 1, 0, &img), 0);
    }
    cr_assert(settle(&p, &img) < 600, "top-off never stopped");
    double ps = psnr_vs_bgra(&img, p.bgra, w, h);
    cr_log_info("%dx%d codec %d: PSNR %.2f dB", w, h, codec, ps);
    cr_assert_geq(ps, min_psnr, "%dx%d PSNR %.2f < %.2f", w, h, ps, min_psnr);
    pair_close(&p);
}

Test(video, roundtrip_1x1)
{
    roundtrip(1, 1, SASAE_VIDEO_VP9, 45.0, 1000);
}

Test(video, roundtrip_odd_641x479)
{
    roundtrip(641, 479, SASAE_VIDEO_VP9, 45.0, 1000);
}

Test(video, roundtrip_1080p)
{
    roundtrip(1920, 1080, SASAE_VIDEO_VP9, 45.0, 2000);
}

Test(video, roundtrip_4k, .timeout = 240)
{
    roundtrip(4096, 2160, SASAE_VIDEO_VP9, 45.0, 4000);
}

Test(video, roundtrip_vp8_odd)
{
    roundtrip(333, 201, SASAE_VIDEO_VP8, 42.0, 1000);
}

Test(video, roundtrip_single_tile)
{
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, 800, 600);
    cfg.tile_w = cfg.tile_h = 0;
    struct pair p;
    pair_open(&p, &cfg);
    synth_text(p.bgra, p.w * 4, p.w, p.h, 0);
    sasae_video_image img;
    step(&p, NULL, 0, 0, &img);
    sasae_video_payload_info info;
    cr_assert_eq(sasae_video_payload_parse(p.out, 0 + 16, &info, NULL, 0), SASAE_VIDEO_ECORRUPT);
    cr_assert_gt(psnr_vs_bgra(&img, p.bgra, p.w, p.h), 30.0);
    pair_close(&p);
}

Test(video, dirty_region_costs_less)
{
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, 1280, 720);
    struct pair p;
    pair_open(&p, &cfg);
    synth_text(p.bgra, p.w * 4, p.w, p.h, 0);
    sasae_video_image img;
    step(&p, NULL, 0, 0, &img);
    settle(&p, &img);
    synth_glyph(p.bgra, p.w * 4, 200, 300, 7);
    sasae_video_rect small = {200, 300, SYNTH_GLYPH_W, SYNTH_GLYPH_H};
    size_t small_bytes = step(&p, &small, 1, 0, &img);
    sasae_video_payload_info info;
    sasae_video_payload_tile tiles[4];
    cr_assert_eq(sasae_video_payload_parse(p.out, small_bytes, &info, tiles, 4), 0);
    cr_assert_eq(info.ntiles, 1, "a glyph inside one tile touches only that tile");
    cr_assert_eq(tiles[0].keyframe, 0);
    synth_text(p.bgra, p.w * 4, p.w, p.h, 5000); /* a different page */
    sasae_video_rect full = {0, 0, p.w, p.h};
    size_t full_bytes = step(&p, &full, 1, 0, &img);
    cr_log_info("glyph %zu bytes, full change %zu bytes", small_bytes, full_bytes);
    cr_assert_lt(small_bytes * 10, full_bytes);
    pair_close(&p);
}

Test(video, unchanged_screen_costs_nothing_and_keepalive)
{
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, 320, 240);
    struct pair p;
    pair_open(&p, &cfg);
    synth_text(p.bgra, p.w * 4, p.w, p.h, 0);
    sasae_video_image img;
    step(&p, NULL, 0, 0, &img);
    cr_assert_lt(settle(&p, &img), 600);
    cr_assert_eq(sasae_venc_pending_topoff(p.enc), 0);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(step(&p, NULL, 0, 0, &img), 0);
    size_t ka = step(&p, NULL, 0, SASAE_VENC_FORCE, &img);
    cr_assert_eq(ka, 16, "keepalive is a bare header");
    sasae_video_payload_info info;
    cr_assert_eq(sasae_video_payload_parse(p.out, ka, &info, NULL, 0), 0);
    cr_assert_eq(info.ntiles, 0);
    cr_assert_eq(info.keyframe, 0);
    pair_close(&p);
}

Test(video, keyframe_on_request)
{
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, 640, 480);
    struct pair p;
    pair_open(&p, &cfg);
    synth_text(p.bgra, p.w * 4, p.w, p.h, 0);
    sasae_video_image img;
    size_t len = step(&p, NULL, 0, 0, &img);
    sasae_video_payload_info info;
    cr_assert_eq(sasae_video_payload_parse(p.out, len, &info, NULL, 0), 0);
    cr_assert_eq(info.keyframe, 1, "first payload is a keyframe");
    synth_text(p.bgra, p.w * 4, p.w, p.h, 16);
    sasae_video_rect full = {0, 0, p.w, p.h};
    len = step(&p, &full, 1, 0, &img);
    cr_assert_eq(sasae_video_payload_parse(p.out, len, &info, NULL, 0), 0);
    cr_assert_eq(info.keyframe, 0, "no keyframe unless asked");

    /* A fresh decoder rejects a delta payload and reports it needs a keyframe. */
    sasae_vdec *late;
    cr_assert_eq(sasae_vdec_new(&late), 0);
    cr_assert_eq(sasae_vdec_needs_keyframe(late), 1);
    cr_assert_eq(sasae_vdec_decode(late, p.out, len, NULL), SASAE_VIDEO_ENEEDKEY);

    len = step(&p, NULL, 0, SASAE_VENC_KEYFRAME, &img);
    cr_assert_eq(sasae_video_payload_parse(p.out, len, &info, NULL, 0), 0);
    cr_assert_eq(info.keyframe, 1);
    cr_assert_eq(info.ntiles, info.cols * info.rows);
    sasae_video_image limg;
    cr_assert_eq(sasae_vdec_decode(late, p.out, len, &limg), 0);
    cr_assert_eq(sasae_vdec_needs_keyframe(late), 0);
    cr_assert_eq(sasae_video_psnr(&img, &limg), 99.0, "both decoders agree after a keyframe");
    sasae_vdec_free(late);
    pair_close(&p);
}

Test(video, topoff_sharpens_static_frame)
{
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, 640, 480);
    cfg.bitrate_kbps = 300;
    struct pair p;
    pair_open(&p, &cfg);
    synth_text(p.bgra, p.w * 4, p.w, p.h, 0);
    sasae_video_image img;
    step(&p, NULL, 0, 0, &img);
    settle(&p, &img);
    /* Motion (scrolling) pushes the quantizer up, then the screen stops. */
    sasae_video_rect full = {0, 0, p.w, p.h};
    for (int i = 1; i <= 5; i++) {
        synth_text(p.bgra, p.w * 4, p.w, p.h, 1000 * i); /* page after page */
        step(&p, &full, 1, 0, &img);
    }
    double first = psnr_vs_bgra(&img, p.bgra, p.w, p.h);
    cr_assert_eq(sasae_venc_pending_topoff(p.enc), 1);
    int frames = 0, outputs = 0;
    while (sasae_venc_pending_topoff(p.enc) && frames < 600) {
        outputs += step(&p, NULL, 0, 0, &img) > 0;
        frames++;
    }
    double last = psnr_vs_bgra(&img, p.bgra, p.w, p.h);
    cr_log_info("top-off: %.2f dB -> %.2f dB in %d frames (%d sent)", first, last, frames, outputs);
    cr_assert_gt(outputs, 0);
    cr_assert_lt(frames, 600, "top-off stops");
    for (int i = 0; i < 5; i++)
        cr_assert_eq(step(&p, NULL, 0, 0, &img), 0, "quiet once topped off");
    cr_assert_gt(last, first + 1.0, "top-off raised PSNR %.2f -> %.2f", first, last);
    pair_close(&p);
}

/* A resting screen is sharpened in bands of a frame or two of link time each (a change that
 * comes next waits behind one band, not behind a whole strip of text), down to lossless. */
Test(video, topoff_runs_in_small_bands_down_to_lossless)
{
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, 1280, 720);
    cfg.bitrate_kbps = 1000;
    const double budget = 1000 * 125.0 / cfg.fps;
    struct pair p;
    pair_open(&p, &cfg);
    synth_text(p.bgra, p.w * 4, p.w, p.h, 0);
    sasae_video_image img;
    step(&p, NULL, 0, 0, &img);
    settle(&p, &img);
    sasae_video_rect full = {0, 0, p.w, p.h};
    for (int i = 1; i <= 3; i++) { /* new pages at the link's pace: blurry */
        synth_text(p.bgra, p.w * 4, p.w, p.h, 1000 * i);
        step(&p, &full, 1, 0, &img);
    }
    size_t biggest = 0, total = 0;
    int frames = 0;
    while (sasae_venc_pending_topoff(p.enc) && frames < 3000) {
        size_t len = step(&p, NULL, 0, 0, &img);
        biggest = len > biggest ? len : biggest;
        total += len;
        frames++;
    }
    double rest = psnr_vs_bgra(&img, p.bgra, p.w, p.h);
    cr_log_info("top-off: %zu bytes in %d frames, biggest %zu (budget %.0f), at rest %.2f dB",
                total, frames, biggest, budget, rest);
    cr_assert_lt(frames, 3000, "top-off stops");
    /* bands of 1.5 budgets; one after a blank band may cost up to twice that (a whole
     * strip, before bands: 12 budgets here) */
    cr_assert_lt((double)biggest, 4.0 * budget, "a top-off frame of %zu bytes", biggest);
    cr_assert_eq(rest, 99.0, "the resting screen ends exact (%.2f dB)", rest);
    pair_close(&p);
}

/* Top-off passes code only the macroblocks above their quantizer: after a typed glyph on a
 * sharp page, the glyph alone is sharpened (to exact), in a frame or two, not a pass over
 * its whole 1080-px strip band by band. */
Test(video, topoff_sharpens_only_what_is_blurry)
{
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, 1920, 1080);
    struct pair p;
    pair_open(&p, &cfg);
    synth_text(p.bgra, p.w * 4, p.w, p.h, 0);
    sasae_video_image img;
    step(&p, NULL, 0, 0, &img);
    settle(&p, &img);
    cr_assert_eq(psnr_vs_bgra(&img, p.bgra, p.w, p.h), 99.0, "exact before typing");
    for (int g = 0; g < 5; g++) {
        int gx = 600 + g * SYNTH_GLYPH_W, gy = 500;
        synth_glyph(p.bgra, p.w * 4, gx, gy, (unsigned)g);
        sasae_video_rect r = {gx, gy, SYNTH_GLYPH_W, SYNTH_GLYPH_H};
        cr_assert_gt(step(&p, &r, 1, 0, &img), 0);
        int glyph_mbs = sasae_venc_last_coded_mbs(p.enc), frames = 0, mbs = 0;
        while (sasae_venc_pending_topoff(p.enc) && frames < 100) {
            step(&p, NULL, 0, 0, &img);
            mbs += sasae_venc_last_coded_mbs(p.enc);
            frames++;
        }
        cr_assert_leq(frames, 3, "glyph %d: %d top-off frames", g, frames);
        cr_assert_leq(mbs, 2 * glyph_mbs, "glyph %d: %d macroblocks sharpened for %d typed", g, mbs,
                      glyph_mbs);
        cr_assert_eq(psnr_vs_bgra(&img, p.bgra, p.w, p.h), 99.0, "glyph %d not exact", g);
    }
    pair_close(&p);
}

Test(video, bad_dimensions_and_rects)
{
    sasae_video_config cfg;
    sasae_venc *e = NULL;
    int dims[][2] = {{0, 10}, {10, 0}, {8193, 10}, {10, 8193}, {-1, 5}};
    for (size_t i = 0; i < sizeof(dims) / sizeof(dims[0]); i++) {
        sasae_video_config_default(&cfg, dims[i][0], dims[i][1]);
        cr_assert_eq(sasae_venc_new(&cfg, &e), SASAE_VIDEO_EDIM);
        cr_assert_null(e);
    }
    sasae_video_config_default(&cfg, 640, 480);
    cfg.tile_w = 100; /* not a multiple of 16 */
    cr_assert_eq(sasae_venc_new(&cfg, &e), SASAE_VIDEO_EINVAL);
    sasae_video_config_default(&cfg, 640, 480);
    cfg.speed = 42;
    cr_assert_eq(sasae_venc_new(&cfg, &e), SASAE_VIDEO_EINVAL);

    sasae_video_config_default(&cfg, 64, 48);
    struct pair p;
    pair_open(&p, &cfg);
    sasae_video_rect bad[] = {{-1, 0, 4, 4}, {0, -1, 4, 4}, {0, 0, 0, 4},  {0, 0, 4, 0},
                              {61, 0, 4, 4}, {0, 45, 4, 4}, {0, 0, 65, 1}, {1, 1, 0x7fffffff, 1}};
    size_t len;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(sasae_venc_encode(p.enc, &(sasae_video_frame){p.bgra, 256, &bad[i], 1, 0}, 0,
                                       p.out, p.cap, &len),
                     SASAE_VIDEO_ERECT, "rect %zu", i);
    sasae_video_frame f = {p.bgra, 10, NULL, 0, 0};
    cr_assert_eq(sasae_venc_encode(p.enc, &f, 0, p.out, p.cap, &len), SASAE_VIDEO_EINVAL,
                 "stride too small");
    f.stride = 256;
    cr_assert_eq(sasae_venc_encode(p.enc, &f, 0, p.out, 8, &len), SASAE_VIDEO_ESPACE);
    cr_assert_eq(sasae_venc_encode(p.enc, NULL, 0, p.out, p.cap, &len), SASAE_VIDEO_EINVAL);
    cr_assert_eq(sasae_venc_encode(p.enc, &f, 0x80, p.out, p.cap, &len), SASAE_VIDEO_EINVAL);
    sasae_video_rect ok = {60, 44, 4, 4};
    f.rects = &ok;
    f.nrects = 1;
    cr_assert_eq(sasae_venc_encode(p.enc, &f, 0, p.out, p.cap, &len), 0);
    cr_assert_gt(len, 0);
    cr_assert_str_eq(sasae_video_strerror(SASAE_VIDEO_ERECT),
                     "dirty rectangle empty or outside the frame");
    pair_close(&p);
}

static size_t encode_sequence(struct pair *p, int frames, uint8_t **payloads, size_t *lens)
{
    sasae_video_image img;
    sasae_video_rect full = {0, 0, p->w, p->h};
    for (int i = 0; i < frames; i++) {
        synth_text(p->bgra, p->w * 4, p->w, p->h, 8 * i);
        lens[i] = step(p, i ? &full : NULL, i ? 1 : 0, 0, &img);
        payloads[i] = malloc(lens[i]);
        memcpy(payloads[i], p->out, lens[i]);
    }
    return (size_t)frames;
}

Test(video, corrupt_and_truncated_input_fails_cleanly)
{
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, 300, 200);
    struct pair p;
    pair_open(&p, &cfg);
    uint8_t *pl[3];
    size_t lens[3];
    encode_sequence(&p, 3, pl, lens);

    sasae_vdec *d;
    cr_assert_eq(sasae_vdec_new(&d), 0);
    /* Every truncation of the keyframe payload is an error. */
    for (size_t n = 0; n < lens[0]; n++) {
        int rc = sasae_vdec_decode(d, pl[0], n, NULL);
        cr_assert_lt(rc, 0, "truncated to %zu decoded", n);
        cr_assert_eq(sasae_vdec_needs_keyframe(d), 1);
    }
    /* Random garbage and bit flips: never a crash; errors leave needs_keyframe set. */
    srand(1234);
    uint8_t *buf = malloc(lens[0] + 64);
    for (int it = 0; it < 400; it++) {
        size_t n = lens[0];
        memcpy(buf, pl[0], n);
        if (it % 4 == 0) {
            for (size_t i = 0; i < n; i++)
                buf[i] = (uint8_t)rand();
        } else {
            for (int k = 0; k < 1 + it % 5; k++)
                buf[(size_t)rand() % n] ^= (uint8_t)(1u << (rand() % 8));
        }
        int rc = sasae_vdec_decode(d, buf, n, NULL);
        if (rc)
            cr_assert_eq(sasae_vdec_needs_keyframe(d), 1);
    }
    /* Header-level corruption is always detected. */
    memcpy(buf, pl[1], lens[1]);
    buf[0] = 'X';
    cr_assert_eq(sasae_vdec_decode(d, buf, lens[1], NULL), SASAE_VIDEO_ECORRUPT);
    memcpy(buf, pl[0], lens[0]);
    buf[19] ^= 0x40; /* first tile length */
    cr_assert_eq(sasae_vdec_decode(d, buf, lens[0], NULL), SASAE_VIDEO_ECORRUPT);
    cr_assert_eq(sasae_vdec_decode(d, pl[0], lens[0] + 1, NULL) < 0, 1);

    /* Recovery: a good keyframe then its deltas decode again. */
    for (int i = 0; i < 3; i++)
        cr_assert_eq(sasae_vdec_decode(d, pl[i], lens[i], NULL), 0, "frame %d", i);
    cr_assert_eq(sasae_vdec_needs_keyframe(d), 0);
    /* A truncated delta sets needs_keyframe again. */
    cr_assert_lt(sasae_vdec_decode(d, pl[2], lens[2] - 3, NULL), 0);
    cr_assert_eq(sasae_vdec_needs_keyframe(d), 1);
    cr_assert_eq(sasae_vdec_decode(d, pl[1], lens[1], NULL), SASAE_VIDEO_ENEEDKEY);
    free(buf);
    for (int i = 0; i < 3; i++)
        free(pl[i]);
    sasae_vdec_free(d);
    pair_close(&p);
}

Test(video, size_change_on_keyframe)
{
    sasae_vdec *d;
    cr_assert_eq(sasae_vdec_new(&d), 0);
    int sizes[][2] = {{320, 240}, {641, 479}, {100, 30}};
    for (int s = 0; s < 3; s++) {
        sasae_video_config cfg;
        sasae_video_config_default(&cfg, sizes[s][0], sizes[s][1]);
        struct pair p;
        pair_open(&p, &cfg);
        synth_text(p.bgra, p.w * 4, p.w, p.h, s * 40);
        size_t len = 0;
        sasae_video_frame f = {p.bgra, p.w * 4, NULL, 0, 0};
        cr_assert_eq(sasae_venc_encode(p.enc, &f, 0, p.out, p.cap, &len), 0);
        sasae_video_image img;
        cr_assert_eq(sasae_vdec_decode(d, p.out, len, &img), 0);
        cr_assert_eq(img.width, sizes[s][0]);
        cr_assert_eq(img.height, sizes[s][1]);
        cr_assert_gt(psnr_vs_bgra(&img, p.bgra, p.w, p.h), 25.0);
        pair_close(&p);
    }
    sasae_vdec_free(d);
}

Test(video, bitrate_change_live)
{
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, 320, 240);
    cfg.bitrate_kbps = 3000;
    struct pair p;
    pair_open(&p, &cfg);
    sasae_video_image img;
    sasae_video_rect full = {0, 0, p.w, p.h};
    size_t hi = 0, lo = 0;
    for (int i = 0; i < 40; i++) {
        if (i == 20) {
            cr_assert_eq(sasae_venc_set_bitrate(p.enc, 200), 0);
            cr_assert_eq(sasae_venc_set_fps(p.enc, 15), 0);
        }
        synth_text(p.bgra, p.w * 4, p.w, p.h, 1000 * i); /* new text every frame */
        size_t n = step(&p, i ? &full : NULL, i ? 1 : 0, 0, &img);
        if (i >= 10 && i < 20)
            hi += n;
        if (i >= 30)
            lo += n;
    }
    cr_log_info("3000 kbit/s: %zu bytes, 200 kbit/s: %zu bytes (10 frames each)", hi, lo);
    cr_assert_lt(lo * 2, hi);
    cr_assert_eq(sasae_venc_set_bitrate(p.enc, 0), SASAE_VIDEO_EINVAL);
    pair_close(&p);
}

/* Dump one tile's stream as IVF, decode it with vpxdec, and compare with our decoder. */
static void interop(enum sasae_video_codec codec)
{
    if (system("command -v vpxdec >/dev/null 2>&1") != 0)
        cr_skip_test("vpxdec not installed");
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, 401, 333);
    cfg.tile_w = cfg.tile_h = 256; /* 2x2 tiles, odd edge tiles */
    cfg.codec = codec;
    struct pair p;
    pair_open(&p, &cfg);
    enum { N = 8 };
    const int want_tile = 3; /* bottom-right: 145x77 */
    char ivf[512], yuv[512], cmd[1200];
    snprintf(ivf, sizeof(ivf), "%s/video_interop_%d_%d.ivf", SASAE_BINARY_DIR, (int)getpid(),
             codec);
    snprintf(yuv, sizeof(yuv), "%s/video_interop_%d_%d.yuv", SASAE_BINARY_DIR, (int)getpid(),
             codec);
    FILE *f = fopen(ivf, "wb");
    cr_assert(f);
    uint8_t hdr[SASAE_IVF_HEADER_LEN], fh[SASAE_IVF_FRAME_HEADER_LEN];
    fwrite(hdr, 1, sizeof(hdr), f); /* rewritten with the frame count below */
    size_t tw = 0, th = 0, expect_len = 0, nframes = 0;
    uint8_t *expect = NULL;
    for (int i = 0; i < N; i++) {
        sasae_video_image img;
        sasae_video_rect rects[2] = {{0, 0, p.w, p.h}, {300, 300, 20, 20}};
        if (i < 4)
            synth_text(p.bgra, p.w * 4, p.w, p.h, 4 * i);
        else
            synth_glyph(p.bgra, p.w * 4, 300 + (i % 2) * 10, 300, (unsigned)i);
        size_t len = step(&p, i ? &rects[i < 4 ? 0 : 1] : NULL, i ? 1 : 0, 0, &img);
        if (!len)
            continue;
        sasae_video_payload_info info;
        sasae_video_payload_tile tiles[4];
        cr_assert_eq(sasae_video_payload_parse(p.out, len, &info, tiles, 4), 0);
        cr_assert_eq(info.ntiles > 0 && info.cols == 2 && info.rows == 2, 1);
        for (int k = 0; k < info.ntiles; k++) {
            if (tiles[k].index != want_tile)
                continue;
            sasae_ivf_frame_header(fh, (uint32_t)tiles[k].len, nframes);
            fwrite(fh, 1, sizeof(fh), f);
            fwrite(tiles[k].data, 1, tiles[k].len, f);
            nframes++;
            /* Our decoder's view of that tile, as vpxdec --i420 writes it (Y, U, V rows). */
            const sasae_video_payload_tile *t = &tiles[k];
            tw = (size_t)t->w;
            th = (size_t)t->h;
            size_t cw = (tw + 1) / 2, ch = (th + 1) / 2, fsz = tw * th + 2 * cw * ch;
            expect = realloc(expect, expect_len + fsz);
            uint8_t *o = expect + expect_len;
            for (size_t r = 0; r < th; r++, o += tw)
                memcpy(o, img.planes[0] + (t->y + r) * (size_t)img.strides[0] + t->x, tw);
            for (int pl = 1; pl < 3; pl++)
                for (size_t r = 0; r < ch; r++, o += cw)
                    memcpy(o, img.planes[pl] + (t->y / 2 + r) * (size_t)img.strides[pl] + t->x / 2,
                           cw);
            expect_len += fsz;
        }
    }
    cr_assert_geq(nframes, 3, "the watched tile changed in several frames");
    sasae_ivf_header(hdr, codec, (int)tw, (int)th, 30, (uint32_t)nframes);
    fseek(f, 0, SEEK_SET);
    fwrite(hdr, 1, sizeof(hdr), f);
    fclose(f);

    /* Our own IVF reader sees the same frame count. */
    f = fopen(ivf, "rb");
    static uint8_t filebuf[1 << 20];
    size_t flen = fread(filebuf, 1, sizeof(filebuf), f);
    fclose(f);
    size_t off = 0, got = 0, fl;
    const uint8_t *fr;
    int rc;
    while ((rc = sasae_ivf_next(filebuf, flen, &off, &fr, &fl)) == 1)
        got++;
    cr_assert_eq(rc, 0);
    cr_assert_eq(got, nframes);

    snprintf(cmd, sizeof(cmd), "vpxdec --i420 -o %s %s 2>/dev/null", yuv, ivf);
    cr_assert_eq(system(cmd), 0, "vpxdec failed: %s", cmd);
    f = fopen(yuv, "rb");
    cr_assert(f);
    uint8_t *vb = malloc(expect_len + 1);
    size_t vlen = fread(vb, 1, expect_len + 1, f);
    fclose(f);
    cr_assert_eq(vlen, expect_len, "vpxdec wrote %zu bytes, expected %zu", vlen, expect_len);
    cr_assert_eq(memcmp(vb, expect, expect_len), 0, "vpxdec frames differ from ours");
    snprintf(cmd, sizeof(cmd), "vpxdec --md5 %s 2>/dev/null | grep -Eq '^[0-9a-f]{32}'", ivf);
    cr_assert_eq(system(cmd), 0, "vpxdec --md5 failed");
    unlink(ivf);
    unlink(yuv);
    free(vb);
    free(expect);
    pair_close(&p);
}

Test(video, interop_vpxdec_vp9)
{
    interop(SASAE_VIDEO_VP9);
}

Test(video, interop_vpxdec_vp8)
{
    interop(SASAE_VIDEO_VP8);
}

Test(video, ivf_reader_and_psnr_reject_bad_input)
{
    uint8_t file[SASAE_IVF_HEADER_LEN + SASAE_IVF_FRAME_HEADER_LEN + 4] = {0};
    sasae_ivf_header(file, SASAE_VIDEO_VP9, 64, 48, 30, 1);
    sasae_ivf_frame_header(file + SASAE_IVF_HEADER_LEN, 4, 0);
    size_t off = 0, fl;
    const uint8_t *fr;
    cr_assert_eq(sasae_ivf_next(file, sizeof(file), &off, &fr, &fl), 1);
    cr_assert_eq(fl, 4);
    cr_assert_eq(fr, file + SASAE_IVF_HEADER_LEN + SASAE_IVF_FRAME_HEADER_LEN);
    cr_assert_eq(sasae_ivf_next(file, sizeof(file), &off, &fr, &fl), 0);
    off = 0;
    cr_assert_eq(sasae_ivf_next(file, sizeof(file) - 1, &off, &fr, &fl), SASAE_VIDEO_ECORRUPT,
                 "frame runs past the end");
    off = 0;
    cr_assert_eq(sasae_ivf_next(file, 20, &off, &fr, &fl), SASAE_VIDEO_ECORRUPT);
    off = 0;
    file[0] = 'X';
    cr_assert_eq(sasae_ivf_next(file, sizeof(file), &off, &fr, &fl), SASAE_VIDEO_ECORRUPT);

    uint8_t y[4] = {1, 2, 3, 4}, u[1] = {5}, v[1] = {6};
    sasae_video_image a = {2, 2, {y, u, v}, {2, 1, 1}}, b = a;
    cr_assert_eq(sasae_video_psnr(&a, &b), 99.0);
    b.width = 1;
    cr_assert_lt(sasae_video_psnr(&a, &b), 0.0);
}

Test(video, many_overlapping_rects_cover_the_change)
{
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, 517, 301);
    struct pair p;
    pair_open(&p, &cfg);
    synth_text(p.bgra, p.w * 4, p.w, p.h, 0);
    sasae_video_image img;
    step(&p, NULL, 0, 0, &img);
    settle(&p, &img);
    /* A new page, reported as 400 overlapping damage rects (as XDamage might) whose union
     * is the whole frame: every pixel must be converted and sent. */
    synth_text(p.bgra, p.w * 4, p.w, p.h, 3000);
    sasae_video_rect rects[400];
    srand(99);
    for (int i = 0; i < 400; i++) {
        int x = (i % 20) * p.w / 20, y = (i / 20) * p.h / 20;
        rects[i] = (sasae_video_rect){x, y, p.w / 20 + 1 + rand() % 30, p.h / 20 + 1 + rand() % 9};
        if (rects[i].x + rects[i].w > p.w)
            rects[i].w = p.w - rects[i].x;
        if (rects[i].y + rects[i].h > p.h)
            rects[i].h = p.h - rects[i].y;
    }
    cr_assert_gt(step(&p, rects, 400, 0, &img), 0);
    settle(&p, &img);
    double ps = psnr_vs_bgra(&img, p.bgra, p.w, p.h);
    cr_log_info("400 rects: %.2f dB", ps);
    cr_assert_geq(ps, 40.0);
    pair_close(&p);
}

/* The link budget follows the caller's timestamps: after a long pause a full change may
 * spend more (lower quantizer) than right after another full change. */
Test(video, budget_follows_timestamps)
{
    size_t second[2];
    for (int k = 0; k < 2; k++) {
        sasae_video_config cfg;
        sasae_video_config_default(&cfg, 640, 480);
        cfg.bitrate_kbps = 500;
        struct pair p;
        pair_open(&p, &cfg);
        int64_t pts = 1000000;
        size_t len = 0;
        sasae_video_rect full = {0, 0, p.w, p.h};
        for (int i = 0; i < 3; i++) {
            synth_text(p.bgra, p.w * 4, p.w, p.h, 2000 * i); /* a new page each time */
            if (i == 2)
                pts += k ? 1000000 : 33333;
            else
                pts += 33333;
            sasae_video_frame f = {p.bgra, p.w * 4, i ? &full : NULL, i ? 1u : 0u, pts};
            cr_assert_eq(sasae_venc_encode(p.enc, &f, 0, p.out, p.cap, &len), 0);
            cr_assert_gt(len, 0);
        }
        second[k] = len;
        pair_close(&p);
    }
    cr_log_info("new page 33 ms later: %zu bytes, 1 s later: %zu bytes", second[0], second[1]);
    cr_assert_gt(second[1], second[0]);
}

/* A window of text over a static page: its content scrolled to `offset`. */
static void window_frame(uint8_t *bgra, uint8_t *page, int w, int h, sasae_video_rect win,
                         int offset)
{
    synth_text(bgra, w * 4, w, h, 0);
    synth_text(page, w * 4, w, h, 1000 + offset);
    for (int y = win.y; y < win.y + win.h; y++)
        memcpy(bgra + ((size_t)y * w + win.x) * 4, page + ((size_t)y * w + win.x) * 4,
               (size_t)win.w * 4);
}

/* Scrolling sent as moves of the reference: every frame decodes to the source (no drift),
 * odd and negative shifts included, a window narrower than the screen; then the screen
 * rests sharp. Returns the bytes sent while scrolling. */
static size_t scroll_run(int moves, double *worst, int *moved_frames, long *coded_mbs)
{
    const int w = 1280, h = 720;
    const int shifts[] = {15, 15, 15, 15, 15, 15, 48, 48, 48, -32, -32, -32, 96, 96, 17, -17};
    const sasae_video_rect win = {136, 60, 900, 560};
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, w, h);
    cfg.bitrate_kbps = 100000; /* every frame at min_q: bytes measure what was coded */
    cfg.scroll = moves;
    struct pair p;
    pair_open(&p, &cfg);
    uint8_t *page = malloc((size_t)w * h * 4);
    cr_assert(page);
    int offset = 0;
    window_frame(p.bgra, page, w, h, win, offset);
    sasae_video_image img;
    step(&p, NULL, 0, 0, &img);
    settle(&p, &img);
    size_t total = 0;
    *worst = 99;
    *moved_frames = 0;
    *coded_mbs = 0;
    for (size_t i = 0; i < sizeof shifts / sizeof shifts[0]; i++) {
        offset += shifts[i];
        window_frame(p.bgra, page, w, h, win, offset);
        size_t len = step(&p, &win, 1, 0, &img);
        cr_assert_gt(len, 0);
        total += len;
        *coded_mbs += sasae_venc_last_coded_mbs(p.enc);
        sasae_video_payload_info info;
        sasae_video_payload_tile tiles[8];
        cr_assert_eq(sasae_video_payload_parse(p.out, len, &info, tiles, 8), 0);
        int moved = 0;
        for (int t = 0; t < info.ntiles; t++)
            if (tiles[t].moved) {
                moved = 1;
                cr_assert_eq(tiles[t].move_dy, -shifts[i], "frame %zu: dy %d for a shift of %d", i,
                             tiles[t].move_dy, shifts[i]);
            }
        *moved_frames += moved;
        double ps = psnr_vs_bgra(&img, p.bgra, w, h);
        if (ps < *worst)
            *worst = ps;
    }
    cr_assert(settle(&p, &img) < 600, "top-off never stopped");
    double rest = psnr_vs_bgra(&img, p.bgra, w, h);
    cr_log_info("moves %d: %zu bytes and %ld macroblocks coded while scrolling, worst %.2f dB, "
                "at rest %.2f dB",
                moves, total, *coded_mbs, *worst, rest);
    cr_assert_geq(rest, 48.0, "rested screen %.2f dB", rest);
    cr_assert_eq(sasae_venc_moves(p.enc), (unsigned long)*moved_frames);
    free(page);
    pair_close(&p);
    return total;
}

Test(video, scroll_as_moves_stays_in_step_and_costs_less)
{
    double worst_mv, worst_plain;
    int moved, moved_plain;
    long mbs_mv, mbs_plain;
    size_t with = scroll_run(1, &worst_mv, &moved, &mbs_mv);
    size_t without = scroll_run(0, &worst_plain, &moved_plain, &mbs_plain);
    cr_assert_eq(moved_plain, 0);
    cr_assert_geq(moved, 15, "only %d of 16 scroll steps went as moves", moved);
    /* a reference out of step with the decoder's shows at once as a collapse, not 1-2 dB */
    cr_assert_geq(worst_mv, worst_plain - 3.0, "moves %.2f dB vs %.2f without", worst_mv,
                  worst_plain);
    /* the codec codes what the move did not bring (new lines, edges), not the whole window;
     * the bytes are those of the new lines either way (libvpx finds the shift itself, at
     * six times the work) */
    cr_assert_lt(mbs_mv * 4, mbs_plain, "moves coded %ld macroblocks, without %ld", mbs_mv,
                 mbs_plain);
    cr_assert_lt((double)with, 1.1 * (double)without, "moves %zu bytes, without %zu", with,
                 without);
}

/* Where the link carries it, a scroll goes out exact: rows that move in are coded down to
 * rest_q (lossless), so the page is sharp the moment it stops, with no top-off after. */
Test(video, moved_rows_go_out_exact_when_the_link_carries_them)
{
    const int w = 1280, h = 720;
    const sasae_video_rect win = {136, 60, 900, 560};
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, w, h);
    cfg.bitrate_kbps = 100000;
    cfg.scroll = 1;
    struct pair p;
    pair_open(&p, &cfg);
    uint8_t *page = malloc((size_t)w * h * 4);
    cr_assert(page);
    window_frame(p.bgra, page, w, h, win, 0);
    sasae_video_image img;
    step(&p, NULL, 0, 0, &img);
    settle(&p, &img);
    cr_assert_eq(psnr_vs_bgra(&img, p.bgra, w, h), 99.0, "exact before the scroll");
    double worst = 99;
    for (int i = 1; i <= 20; i++) {
        window_frame(p.bgra, page, w, h, win, 4 * i);
        cr_assert_gt(step(&p, &win, 1, 0, &img), 0);
        double ps = psnr_vs_bgra(&img, p.bgra, w, h);
        worst = ps < worst ? ps : worst;
    }
    cr_log_info("4-px scroll at 100 Mbit/s: worst frame %.2f dB, %lu moves", worst,
                sasae_venc_moves(p.enc));
    cr_assert_geq(sasae_venc_moves(p.enc), 19);
    cr_assert_eq(worst, 99.0, "a scroll step decoded at %.2f dB", worst);
    free(page);
    pair_close(&p);
}

Test(video, malformed_moves_are_refused)
{
    const int w = 640, h = 480;
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, w, h);
    cfg.scroll = 1;
    struct pair p;
    pair_open(&p, &cfg);
    synth_text(p.bgra, w * 4, w, h, 0);
    sasae_video_image img;
    step(&p, NULL, 0, 0, &img);
    settle(&p, &img);
    synth_text(p.bgra, w * 4, w, h, 32);
    sasae_video_rect all = {0, 0, w, h};
    size_t len = step(&p, &all, 1, 0, &img);
    sasae_video_payload_info info;
    sasae_video_payload_tile tiles[4];
    cr_assert_eq(sasae_video_payload_parse(p.out, len, &info, tiles, 4), 0);
    cr_assert(tiles[0].moved, "a 32-px scroll of the whole screen is a move");
    /* the first entry's move block: 16-byte header, 7-byte entry, then x y w h dy */
    uint8_t *mv = p.out + 16 + 7;
    const struct {
        int off;
        unsigned val;
        const char *what;
    } bad[] = {{8, 0, "dy 0"},
               {8, 480, "dy beyond the area"},
               {0, 1, "odd x"},
               {2, 3, "odd y"},
               {4, 0, "empty"},
               {4, 700, "wider than the tile"},
               {6, 1000, "taller than the tile"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t save[10];
        memcpy(save, mv, 10);
        mv[bad[i].off] = (uint8_t)bad[i].val;
        mv[bad[i].off + 1] = (uint8_t)(bad[i].val >> 8);
        cr_assert_eq(sasae_video_payload_parse(p.out, len, &info, NULL, 0), SASAE_VIDEO_ECORRUPT,
                     "%s accepted", bad[i].what);
        memcpy(mv, save, 10);
    }
    p.out[16 + 2] |= 1; /* a keyframe entry cannot move */
    cr_assert_eq(sasae_video_payload_parse(p.out, len, &info, NULL, 0), SASAE_VIDEO_ECORRUPT);
    p.out[16 + 2] &= (uint8_t)~1;
    p.out[16 + 2] |= 8; /* unknown flag */
    cr_assert_eq(sasae_video_payload_parse(p.out, len, &info, NULL, 0), SASAE_VIDEO_ECORRUPT);
    pair_close(&p);
}

/* ---------------------------------------------------------------- patches */

static void patch_cfg(sasae_video_config *cfg, int w, int h, int patches)
{
    sasae_video_config_default(cfg, w, h);
    cfg->scroll = 1;
    cfg->patches = patches;
}

/* Macroblocks sent as patches in the payload p->out[0..len), and whether any tile entry
 * carried a patch with no bitstream. */
static int payload_patch_mbs(const struct pair *p, size_t len, int *alone)
{
    sasae_video_payload_info info;
    sasae_video_payload_tile tiles[64];
    cr_assert_eq(sasae_video_payload_parse(p->out, len, &info, tiles, 64), 0);
    int n = 0;
    *alone = 0;
    for (int i = 0; i < info.ntiles && i < 64; i++) {
        n += tiles[i].patch_mbs;
        *alone |= tiles[i].patch && tiles[i].len == 0;
    }
    return n;
}

/* Dense text scrolling at 2 Mbit/s: with patches the rows that come in are sent exact, so
 * every step decodes to the source and nothing is left to sharpen when it stops; without
 * them the same steps go out lossy (~44 dB) and cost more. */
Test(video, patches_scroll_text_exact_for_fewer_bytes)
{
    const int w = 1280, h = 720;
    const sasae_video_rect win = {136, 60, 900, 560};
    double worst[2] = {99, 99};
    int patched[2] = {0, 0};
    size_t bytes[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        sasae_video_config cfg;
        patch_cfg(&cfg, w, h, k);
        cfg.bitrate_kbps = 2000;
        struct pair p;
        pair_open(&p, &cfg);
        uint8_t *page = malloc((size_t)w * h * 4);
        cr_assert(page);
        window_frame(p.bgra, page, w, h, win, 0);
        sasae_video_image img;
        step(&p, NULL, 0, 0, &img);
        cr_assert(settle(&p, &img) < 600);
        for (int i = 1; i <= 20; i++) {
            window_frame(p.bgra, page, w, h, win, 4 * i);
            size_t len = step(&p, &win, 1, 0, &img);
            cr_assert_gt(len, 0);
            bytes[k] += len;
            int alone;
            patched[k] += payload_patch_mbs(&p, len, &alone);
            double ps = psnr_vs_bgra(&img, p.bgra, w, h);
            worst[k] = ps < worst[k] ? ps : worst[k];
        }
        cr_assert_geq(sasae_venc_moves(p.enc), 19);
        free(page);
        pair_close(&p);
    }
    cr_log_info("4-px scroll at 2 Mbit/s: worst step %.2f dB, %zu bytes with patches (%d "
                "macroblocks); %.2f dB, %zu bytes without",
                worst[1], bytes[1], patched[1], worst[0], bytes[0]);
    cr_assert_eq(patched[0], 0);
    cr_assert_gt(patched[1], 0);
    cr_assert_eq(worst[1], 99.0, "a step decoded at %.2f dB with patches", worst[1]);
    cr_assert_lt(worst[0], 99.0, "without patches the link cannot carry it exact");
    cr_assert_lt(bytes[1], bytes[0]);
}

/* window_frame with the window's text anti-aliased (a 3x3 box blur: 30-60 grey levels a
 * macroblock over a white page, as a browser's text has) and every other 32-px band of it
 * tinted blue (coloured text: a link). tmp: w x h x 4 bytes of scratch. */
static void aa_frame(uint8_t *bgra, uint8_t *page, uint8_t *tmp, int w, int h, sasae_video_rect win,
                     int offset)
{
    window_frame(bgra, page, w, h, win, offset);
    memcpy(tmp, bgra, (size_t)w * h * 4);
    for (int y = win.y + 1; y < win.y + win.h - 1; y++)
        for (int x = win.x + 1; x < win.x + win.w - 1; x++)
            for (int c = 0; c < 3; c++) {
                int sum = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                        sum += tmp[((size_t)(y + dy) * w + x + dx) * 4 + c];
                int v = sum / 9;
                if (c != 0 && (y - win.y + offset) / 32 % 2) /* less red and green: blue */
                    v = v * 3 / 4;
                bgra[((size_t)y * w + x) * 4 + c] = (uint8_t)v;
            }
}

/* Anti-aliased, partly coloured text scrolling at 1.5 Mbit/s: its macroblocks are text on a
 * plain background, so each step's new rows go exact as patches (before: only macroblocks
 * of at most 8 levels did, and the rest went through VP9, blurred) and the page is exact
 * the moment it rests, with nothing left to top off. */
Test(video, patches_scroll_antialiased_text_exact)
{
    const int w = 1280, h = 720;
    const sasae_video_rect win = {136, 60, 900, 560};
    sasae_video_config cfg;
    patch_cfg(&cfg, w, h, 1);
    cfg.bitrate_kbps = 1500;
    struct pair p;
    pair_open(&p, &cfg);
    uint8_t *page = malloc((size_t)w * h * 4), *tmp = malloc((size_t)w * h * 4);
    cr_assert(page && tmp);
    aa_frame(p.bgra, page, tmp, w, h, win, 0);
    sasae_video_image img;
    step(&p, NULL, 0, 0, &img);
    cr_assert(settle(&p, &img) < 600);
    cr_assert_eq(psnr_vs_bgra(&img, p.bgra, w, h), 99.0);
    double worst = 99;
    int patched = 0;
    size_t bytes = 0;
    for (int i = 1; i <= 24; i++) {
        aa_frame(p.bgra, page, tmp, w, h, win, 4 * i);
        size_t len = step(&p, &win, 1, 0, &img);
        bytes += len;
        int alone;
        patched += payload_patch_mbs(&p, len, &alone);
        double ps = psnr_vs_bgra(&img, p.bgra, w, h);
        worst = ps < worst ? ps : worst;
    }
    cr_log_info("anti-aliased 4-px scroll at 1.5 Mbit/s: worst step %.2f dB, %zu bytes, %d "
                "macroblocks patched",
                worst, bytes, patched);
    cr_assert_geq(sasae_venc_moves(p.enc), 23);
    cr_assert_eq(worst, 99.0, "a step decoded at %.2f dB", worst);
    cr_assert_eq(sasae_venc_pending_topoff(p.enc), 0, "left to top off at rest");
    free(tmp);
    free(page);
    pair_close(&p);
}

/* Top-off marks travel with the rows they describe and cover what a lossy frame changed: a
 * scroll of exact text with a band of noise in it (a photo: the codec codes it, lossy)
 * leaves at rest only the macroblocks around the noise's path to sharpen, not the whole
 * window (before, a 4-px move spread each blurry macroblock's mark a macroblock a frame, up
 * and down), and the page is exact once they are (before, what VP9 changed outside its
 * active map was never marked). */
Test(video, topoff_marks_move_with_the_rows)
{
    const int w = 1280, h = 720;
    const sasae_video_rect win = {136, 60, 900, 560};
    sasae_video_config cfg;
    patch_cfg(&cfg, w, h, 1);
    cfg.bitrate_kbps = 500; /* the noise goes lossy */
    struct pair p;
    pair_open(&p, &cfg);
    uint8_t *page = malloc((size_t)w * h * 4);
    cr_assert(page);
    sasae_video_image img;
    for (int i = 0; i <= 24; i++) {
        window_frame(p.bgra, page, w, h, win, 4 * i);
        /* 12 rows of noise in the page, 400 rows from its top at the start */
        for (int y = win.y; y < win.y + win.h; y++) {
            int doc = y - win.y + 4 * i;
            if (doc < 400 || doc >= 412)
                continue;
            uint32_t x = (uint32_t)doc * 2654435761u;
            for (int c = win.x; c < win.x + 320; c++) {
                x = x * 1103515245u + 12345u;
                memcpy(p.bgra + ((size_t)y * w + c) * 4, &x, 3);
            }
        }
        step(&p, i ? &win : NULL, i ? 1 : 0, 0, &img);
        if (i == 0)
            cr_assert(settle(&p, &img) < 600);
    }
    cr_assert_geq(sasae_venc_moves(p.enc), 23);
    int frames = 0;
    long mbs = 0;
    while (sasae_venc_pending_topoff(p.enc) && frames < 600) {
        step(&p, NULL, 0, 0, &img);
        mbs += sasae_venc_last_coded_mbs(p.enc);
        frames++;
    }
    cr_log_info("at rest: %ld macroblocks sharpened in %d frames", mbs, frames);
    cr_assert_eq(psnr_vs_bgra(&img, p.bgra, w, h), 99.0);
    /* the band crossed 96 rows (7 macroblock rows of its 20 columns) and each lossy frame
     * may have changed the superblocks around it: ~800; the window is 35 x 57 = 1995
     * (before: 2017 sharpened, and the page was still not exact after them) */
    cr_assert_lt(mbs, 1200, "%ld macroblocks sharpened at rest", mbs);
    free(page);
    pair_close(&p);
}

/* A typed glyph is exact in its own frame, sent as a patch alone, and nothing is left to
 * top off; an area of noise (a photo) stays with the codec. */
Test(video, typed_glyph_goes_exact_in_its_own_frame)
{
    const int w = 640, h = 480;
    sasae_video_config cfg;
    patch_cfg(&cfg, w, h, 1);
    cfg.bitrate_kbps = 300;
    struct pair p;
    pair_open(&p, &cfg);
    synth_text(p.bgra, w * 4, w, h, 0);
    sasae_video_image img;
    step(&p, NULL, 0, 0, &img);
    cr_assert(settle(&p, &img) < 600);
    cr_assert_eq(psnr_vs_bgra(&img, p.bgra, w, h), 99.0);
    for (int i = 0; i < 5; i++) {
        sasae_video_rect r = {200 + i * SYNTH_GLYPH_W, 200, SYNTH_GLYPH_W, SYNTH_GLYPH_H};
        synth_glyph(p.bgra, w * 4, r.x, r.y, (unsigned)i);
        size_t len = step(&p, &r, 1, 0, &img);
        int alone;
        cr_assert_gt(payload_patch_mbs(&p, len, &alone), 0);
        cr_assert(alone, "glyph %d: the codec coded it too", i);
        cr_assert_lt(len, 400, "glyph %d: %zu bytes", i, len);
        cr_assert_eq(psnr_vs_bgra(&img, p.bgra, w, h), 99.0, "glyph %d not exact", i);
        cr_assert_eq(sasae_venc_pending_topoff(p.enc), 0, "glyph %d left top-off", i);
    }
    uint32_t x = 12345;
    sasae_video_rect r = {320, 96, 128, 96};
    for (int y = r.y; y < r.y + r.h; y++)
        for (int c = r.x; c < r.x + r.w; c++) {
            x = x * 1103515245u + 12345u;
            memcpy(p.bgra + ((size_t)y * w + c) * 4, &x, 3);
        }
    size_t len = step(&p, &r, 1, 0, &img);
    int alone, n = payload_patch_mbs(&p, len, &alone);
    /* its 8 x 6 macroblocks go to the codec; the ring of text around them (the encoder pads
     * a change by a few pixels) may go as patches */
    cr_assert_eq(n, sasae_venc_last_patch_mbs(p.enc));
    cr_assert_geq(sasae_venc_last_coded_mbs(p.enc), 48, "noise went as a patch");
    cr_assert_leq(n, 10 * 8 - 48, "noise went as a patch");
    pair_close(&p);
}

/* A patch that lies (runs outside the tile, out of order, a stream of the wrong length or
 * corrupt, a keyframe entry with a patch) is refused whole, and the decoder then wants a
 * keyframe; the intact payload still decodes on a fresh decoder. */
Test(video, malformed_patches_are_refused)
{
    const int w = 640, h = 480;
    sasae_video_config cfg;
    patch_cfg(&cfg, w, h, 1);
    struct pair p;
    pair_open(&p, &cfg);
    synth_text(p.bgra, w * 4, w, h, 0);
    size_t klen = 0;
    sasae_video_frame f = {p.bgra, w * 4, NULL, 0, 0};
    cr_assert_eq(sasae_venc_encode(p.enc, &f, 0, p.out, p.cap, &klen), 0);
    uint8_t *key = malloc(klen);
    cr_assert(key);
    memcpy(key, p.out, klen);
    /* two glyph rows on two macroblock rows: a patch of two runs */
    sasae_video_rect r = {100, 100, 60, 60};
    synth_glyph(p.bgra, w * 4, 100, 100, 1);
    synth_glyph(p.bgra, w * 4, 140, 140, 2);
    size_t len = 0;
    f = (sasae_video_frame){p.bgra, w * 4, &r, 1, 0};
    cr_assert_eq(sasae_venc_encode(p.enc, &f, 0, p.out, p.cap, &len), 0);
    sasae_video_payload_info info;
    sasae_video_payload_tile t[4];
    cr_assert_eq(sasae_video_payload_parse(p.out, len, &info, t, 4), 0);
    cr_assert_eq(info.ntiles, 1);
    cr_assert(t[0].patch && t[0].len == 0, "a glyph alone is a patch alone");
    size_t sec = (size_t)(t[0].patch - p.out);
    cr_assert_geq(sv_get16_test(p.out + sec + 4), 2, "want two runs");
    const struct {
        size_t off;
        int val;
        const char *what;
    } bad[] = {{6, 400, "run row outside the tile"},
               {8, 400, "run column outside the tile"},
               {10, 0, "empty run"},
               {10, 300, "run past the tile's edge"},
               {12, 0, "second run before the first"},
               {0, 2, "section shorter than its runs"},
               {0, 60000, "section longer than the payload"},
               {-1, 0, "a byte of the stream flipped"},
               {-2, 0, "the stream ends early"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t *copy = malloc(len);
        cr_assert(copy);
        memcpy(copy, p.out, len);
        size_t n = len;
        uint8_t *s = copy + sec;
        if (bad[i].off == (size_t)-1) {
            s[sv_get32_test(s) + 4 - 3] ^= 0x55; /* inside the adler32 or the last block */
        } else if (bad[i].off == (size_t)-2) {
            /* drop the stream's last byte: shorter section, shorter payload */
            uint32_t sl = sv_get32_test(s);
            s[0] = (uint8_t)(sl - 1);
            s[1] = (uint8_t)((sl - 1) >> 8);
            n--;
        } else if (bad[i].off == 0) {
            uint32_t v = (uint32_t)bad[i].val;
            memcpy(s, (uint8_t[]){(uint8_t)v, (uint8_t)(v >> 8), 0, 0}, 4);
        } else {
            s[bad[i].off] = (uint8_t)bad[i].val;
            s[bad[i].off + 1] = (uint8_t)(bad[i].val >> 8);
        }
        sasae_vdec *d;
        cr_assert_eq(sasae_vdec_new(&d), 0);
        cr_assert_eq(sasae_vdec_decode(d, key, klen, NULL), 0);
        int rc = sasae_vdec_decode(d, copy, n, NULL);
        cr_assert_eq(rc, SASAE_VIDEO_ECORRUPT, "%s: %s", bad[i].what, sasae_video_strerror(rc));
        cr_assert(sasae_vdec_needs_keyframe(d), "%s: decoder goes on", bad[i].what);
        sasae_vdec_free(d);
        free(copy);
    }
    p.out[16 + 2] |= 1; /* a keyframe entry cannot carry a patch */
    cr_assert_eq(sasae_video_payload_parse(p.out, len, &info, NULL, 0), SASAE_VIDEO_ECORRUPT);
    p.out[16 + 2] &= (uint8_t)~1;
    sasae_vdec *d;
    cr_assert_eq(sasae_vdec_new(&d), 0);
    cr_assert_eq(sasae_vdec_decode(d, key, klen, NULL), 0);
    sasae_video_image img;
    cr_assert_eq(sasae_vdec_decode(d, p.out, len, &img), 0, "the intact payload");
    sasae_vdec_free(d);
    free(key);
    pair_close(&p);
}
