/* bench_codec.c: screen codec benchmark: tiled dirty-rect encoding vs one full-frame encoder. */
#include <libyuv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sasae/video.h"
#include "selfmem.h"
#include "synth_screen.h"

enum workload { W_IDLE, W_TYPING, W_SCROLL, W_MOTION, W_COUNT };
static const char *const wl_name[W_COUNT] = {"idle", "typing", "scroll", "motion"};

struct opts {
    int aq, maxq, tile_h, frames_1080, frames_4k, kbps_1080, kbps_4k, speed, tile, threads,
        scroll_px, only_1080, mem_w, mem_h, move, baseline_rects;
    enum sasae_video_codec codec;
    const char *dump_dir; /* --dump DIR: write each tile stream of the tiled runs as IVF */
};

struct result {
    double enc_ms, dec_ms, bytes, psnr, max_enc_ms;
    double enc_p10, dec_p10; /* 10th percentiles: what preemption by other jobs cannot raise */
    int psnr_frames, outputs;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    if (n == 0)
        return 0;
    qsort(v, (size_t)n, sizeof(*v), cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The 10th percentile of v, which median() has sorted. */
static double p10_sorted(const double *v, int n)
{
    return n ? v[n / 10] : 0;
}

struct ref {
    uint8_t *buf;
    sasae_video_image img;
};

static void ref_init(struct ref *r, int w, int h)
{
    size_t ysz = (size_t)w * h, csz = (size_t)((w + 1) / 2) * ((h + 1) / 2);
    r->buf = malloc(ysz + 2 * csz);
    r->img.width = w;
    r->img.height = h;
    r->img.planes[0] = r->buf;
    r->img.planes[1] = r->buf + ysz;
    r->img.planes[2] = r->buf + ysz + csz;
    r->img.strides[0] = w;
    r->img.strides[1] = r->img.strides[2] = (w + 1) / 2;
}

static double psnr_bgra(struct ref *r, const uint8_t *bgra, const sasae_video_image *img)
{
    int w = r->img.width, h = r->img.height;
    ARGBToI420(bgra, w * 4, (uint8_t *)r->img.planes[0], r->img.strides[0],
               (uint8_t *)r->img.planes[1], r->img.strides[1], (uint8_t *)r->img.planes[2],
               r->img.strides[2], w, h);
    return sasae_video_psnr(&r->img, img);
}

/* Per-tile IVF files for one run, so the streams can be checked with vpxdec. */
struct dump {
    FILE *f[SASAE_VIDEO_MAX_TILES];
    uint32_t n[SASAE_VIDEO_MAX_TILES];
    int w[SASAE_VIDEO_MAX_TILES], h[SASAE_VIDEO_MAX_TILES];
    enum sasae_video_codec codec;
};

static int dump_payload(struct dump *d, const char *dir, const char *name, const uint8_t *p,
                        size_t len)
{
    sasae_video_payload_info info;
    static sasae_video_payload_tile tiles[SASAE_VIDEO_MAX_TILES];
    if (sasae_video_payload_parse(p, len, &info, tiles, SASAE_VIDEO_MAX_TILES))
        return -1;
    d->codec = info.codec;
    for (int k = 0; k < info.ntiles; k++) {
        const sasae_video_payload_tile *t = &tiles[k];
        uint8_t hdr[SASAE_IVF_HEADER_LEN];
        if (!d->f[t->index]) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s_tile%02d.ivf", dir, name, t->index);
            d->f[t->index] = fopen(path, "wb");
            if (!d->f[t->index])
                return -1;
            d->w[t->index] = t->w;
            d->h[t->index] = t->h;
            fwrite(hdr, 1, sizeof(hdr), d->f[t->index]); /* rewritten in dump_close */
        }
        sasae_ivf_frame_header(hdr, (uint32_t)t->len, d->n[t->index]++);
        fwrite(hdr, 1, SASAE_IVF_FRAME_HEADER_LEN, d->f[t->index]);
        fwrite(t->data, 1, t->len, d->f[t->index]);
    }
    return 0;
}

static void dump_close(struct dump *d)
{
    for (int i = 0; i < SASAE_VIDEO_MAX_TILES; i++) {
        if (!d->f[i])
            continue;
        uint8_t hdr[SASAE_IVF_HEADER_LEN];
        sasae_ivf_header(hdr, d->codec, d->w[i], d->h[i], 30, d->n[i]);
        fseek(d->f[i], 0, SEEK_SET);
        fwrite(hdr, 1, sizeof(hdr), d->f[i]);
        fclose(d->f[i]);
    }
    free(d);
}

/* Produce frame i of a workload into bgra; returns the number of dirty rects. */
static int make_frame(enum workload wl, int i, uint8_t *bgra, int w, int h, int scroll_px,
                      sasae_video_rect *rect)
{
    switch (wl) {
    case W_IDLE:
        return 0;
    case W_TYPING: {
        /* A cursor walking along text lines in the middle of the screen. */
        int per_line = (w / 2) / SYNTH_GLYPH_W;
        int gx = w / 4 + (i % per_line) * SYNTH_GLYPH_W;
        int gy = h / 3 + (i / per_line) * SYNTH_GLYPH_H;
        synth_glyph(bgra, w * 4, gx, gy, (unsigned)i);
        *rect = (sasae_video_rect){gx, gy, SYNTH_GLYPH_W, SYNTH_GLYPH_H};
        return 1;
    }
    case W_SCROLL:
        synth_text(bgra, w * 4, w, h, scroll_px * (i + 1));
        *rect = (sasae_video_rect){0, 0, w, h};
        return 1;
    case W_MOTION:
    default:
        synth_motion(bgra, w * 4, w, h, i + 1);
        *rect = (sasae_video_rect){0, 0, w, h};
        return 1;
    }
}

/* Encode `frames` frames of a workload, starting from a settled (keyframed, topped-off)
 * text screen. full_frame: one encoder over the whole frame, told everything changed. */
static int run(const struct opts *o, int w, int h, int kbps, int frames, enum workload wl,
               int full_frame, struct result *res)
{
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, w, h);
    cfg.codec = o->codec;
    cfg.bitrate_kbps = kbps;
    if (o->speed)
        cfg.speed = o->speed;
    cfg.threads = o->threads;
    cfg.aq_mode = o->aq;
    if (o->maxq)
        cfg.max_q = o->maxq;
    if (o->tile >= 0)
        cfg.tile_w = o->tile;
    if (o->tile_h >= 0)
        cfg.tile_h = o->tile_h;
    if (full_frame)
        cfg.tile_w = cfg.tile_h = 0;
    cfg.scroll = o->move && !full_frame;
    sasae_venc *enc = NULL;
    sasae_vdec *dec = NULL;
    int rc = sasae_venc_new(&cfg, &enc);
    if (rc || sasae_vdec_new(&dec)) {
        fprintf(stderr, "encoder: %s\n", sasae_video_strerror(rc));
        return 1;
    }
    size_t cap = sasae_venc_max_payload(enc), len = 0;
    uint8_t *out = malloc(cap), *bgra = malloc((size_t)w * h * 4);
    double *enc_t = calloc((size_t)frames, sizeof(double));
    double *dec_t = calloc((size_t)frames, sizeof(double));
    struct ref ref;
    ref_init(&ref, w, h);
    sasae_video_image img;
    struct dump *dump = NULL;
    char name[64];
    snprintf(name, sizeof(name), "%dx%d_%s", w, h, wl_name[wl]);
    if (o->dump_dir && !full_frame)
        dump = calloc(1, sizeof(*dump));
    synth_text(bgra, w * 4, w, h, 0);
    const sasae_video_rect full = {0, 0, w, h};
    /* Settle: keyframe, then top-off until quiet (not measured). */
    for (int i = 0; i < 600; i++) {
        sasae_video_frame f = {bgra, w * 4, NULL, 0, 0};
        rc = sasae_venc_encode(enc, &f, 0, out, cap, &len);
        if (rc || (len && sasae_vdec_decode(dec, out, len, &img)))
            goto fail;
        if (dump && len && dump_payload(dump, o->dump_dir, name, out, len))
            fprintf(stderr, "dump to %s failed\n", o->dump_dir);
        if (!sasae_venc_pending_topoff(enc))
            break;
    }
    memset(res, 0, sizeof(*res));
    int ndec = 0;
    for (int i = 0; i < frames; i++) {
        sasae_video_rect r;
        int n = make_frame(wl, i, bgra, w, h, o->scroll_px, &r);
        if (full_frame && !o->baseline_rects) { /* the baseline knows nothing about what changed */
            r = full;
            n = 1;
        }
        double t0 = now_ms();
        sasae_video_frame f = {bgra, w * 4, n ? &r : NULL, (size_t)n, 0};
        rc = sasae_venc_encode(enc, &f, 0, out, cap, &len);
        enc_t[i] = now_ms() - t0;
        if (rc)
            goto fail;
        if (enc_t[i] > res->max_enc_ms)
            res->max_enc_ms = enc_t[i];
        res->bytes += (double)len;
        if (dump && len && dump_payload(dump, o->dump_dir, name, out, len))
            fprintf(stderr, "dump to %s failed\n", o->dump_dir);
        if (len) {
            res->outputs++;
            t0 = now_ms();
            rc = sasae_vdec_decode(dec, out, len, &img);
            dec_t[ndec++] = now_ms() - t0;
            if (rc)
                goto fail;
        }
        { /* the viewer keeps showing the last decoded image */
            res->psnr += psnr_bgra(&ref, bgra, &img);
            res->psnr_frames++;
        }
    }
    res->enc_ms = median(enc_t, frames);
    res->dec_ms = median(dec_t, ndec);
    res->enc_p10 = p10_sorted(enc_t, frames);
    res->dec_p10 = p10_sorted(dec_t, ndec);
    res->bytes /= frames;
    if (res->psnr_frames)
        res->psnr /= res->psnr_frames;
    rc = 0;
fail:
    if (rc)
        fprintf(stderr, "codec error: %s\n", sasae_video_strerror(rc));
    free(out);
    free(bgra);
    free(enc_t);
    free(dec_t);
    free(ref.buf);
    if (dump)
        dump_close(dump);
    sasae_venc_free(enc);
    sasae_vdec_free(dec);
    return rc ? 1 : 0;
}

/* --mem WxH: resident memory of one tiled encoder (and nothing else in the process) through
 * its keyframe, typing, 60 frames of scrolling and 60 of motion. One size per process, so
 * that memory freed by an earlier encoder and kept by malloc cannot hide growth. */
static int mem_run(const struct opts *o)
{
    int w = o->mem_w, h = o->mem_h;
    uint8_t *bgra = malloc((size_t)w * h * 4);
    if (!bgra)
        return 1;
    synth_text(bgra, w * 4, w, h, 0); /* touch it before the baseline */
    long base = bench_self_rss_kb(0);
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, w, h);
    cfg.codec = o->codec;
    cfg.threads = o->threads;
    if (o->speed)
        cfg.speed = o->speed;
    if (o->tile >= 0)
        cfg.tile_w = o->tile;
    if (o->tile_h >= 0)
        cfg.tile_h = o->tile_h;
    sasae_venc *enc = NULL;
    int rc = sasae_venc_new(&cfg, &enc);
    if (rc) {
        fprintf(stderr, "encoder: %s\n", sasae_video_strerror(rc));
        return 1;
    }
    size_t cap = sasae_venc_max_payload(enc), len;
    uint8_t *out = malloc(cap);
    long after_new = bench_self_rss_kb(0), after_key = 0;
    static const enum workload seq[] = {W_TYPING, W_SCROLL, W_MOTION};
    for (size_t k = 0; out && !rc && k < sizeof(seq) / sizeof(seq[0]); k++) {
        for (int i = 0; i < 60 && !rc; i++) {
            sasae_video_rect r;
            int n = make_frame(seq[k], i, bgra, w, h, o->scroll_px, &r);
            sasae_video_frame f = {bgra, w * 4, n ? &r : NULL, (size_t)n, 0};
            rc = sasae_venc_encode(enc, &f, 0, out, cap, &len);
            if (!after_key)
                after_key = bench_self_rss_kb(0);
        }
    }
    long end = bench_self_rss_kb(0), peak = bench_self_rss_kb(1);
    if (rc || !out)
        fprintf(stderr, "codec error: %s\n", sasae_video_strerror(rc));
    else if (base < 0)
        printf("%dx%d: this system does not tell the resident set\n", w, h);
    else
        printf("%dx%d encoder resident (MB): after new %.1f, after keyframe %.1f, after typing + "
               "scroll + motion %.1f; process peak %.1f (frame buffer %.1f of it)\n",
               w, h, (after_new - base) / 1024.0, (after_key - base) / 1024.0,
               (end - base) / 1024.0, peak / 1024.0, (double)w * h * 4 / (1 << 20));
    free(out);
    free(bgra);
    sasae_venc_free(enc);
    return rc || !out;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_codec [--frames N] [--frames-4k N] [--kbps K] [--kbps-4k K]\n"
            "  [--speed S] [--tile T] [--threads N] [--scroll PX] [--aq 0|3] [--max-q Q] [--vp8]\n"
            "  [--1080-only] [--dump DIR (tile streams as IVF)] [--move (scroll as moves)]\n"
            "  [--baseline-rects (the full-frame baseline gets the dirty rects: its active map)]\n"
            "  [--mem WxH (resident memory of one encoder; nothing else)]\n");
}

int main(int argc, char **argv)
{
    struct opts o = {.frames_1080 = 60,
                     .frames_4k = 20,
                     .kbps_1080 = 1500,
                     .kbps_4k = 4000,
                     .speed = 0,
                     .tile = -1,
                     .tile_h = -1,
                     .threads = 1,
                     .scroll_px = 8,
                     .codec = SASAE_VIDEO_VP9};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int *dst = !strcmp(a, "--frames")      ? &o.frames_1080
                   : !strcmp(a, "--frames-4k") ? &o.frames_4k
                   : !strcmp(a, "--kbps")      ? &o.kbps_1080
                   : !strcmp(a, "--kbps-4k")   ? &o.kbps_4k
                   : !strcmp(a, "--speed")     ? &o.speed
                   : !strcmp(a, "--tile")      ? &o.tile
                   : !strcmp(a, "--tile-h")    ? &o.tile_h
                   : !strcmp(a, "--threads")   ? &o.threads
                   : !strcmp(a, "--scroll")    ? &o.scroll_px
                   : !strcmp(a, "--aq")        ? &o.aq
                   : !strcmp(a, "--max-q")     ? &o.maxq
                                               : NULL;
        if (dst && v) {
            *dst = atoi(v);
            i++;
        } else if (!strcmp(a, "--vp8")) {
            o.codec = SASAE_VIDEO_VP8;
        } else if (!strcmp(a, "--dump") && v) {
            o.dump_dir = v;
            i++;
        } else if (!strcmp(a, "--mem") && v && sscanf(v, "%dx%d", &o.mem_w, &o.mem_h) == 2) {
            i++;
        } else if (!strcmp(a, "--baseline-rects")) {
            o.baseline_rects = 1; /* the strongest baseline: one encoder, with the active map */
        } else if (!strcmp(a, "--move")) {
            o.move = 1;
        } else if (!strcmp(a, "--1080-only")) {
            o.only_1080 = 1;
        } else {
            usage();
            return 2;
        }
    }
    if (o.frames_1080 < 1 || o.frames_4k < 1) {
        usage();
        return 2;
    }
    if (o.mem_w > 0 && o.mem_h > 0)
        return mem_run(&o);
    sasae_video_config def;
    sasae_video_config_default(&def, 1920, 1080);
    char speed[32];
    if (o.speed)
        snprintf(speed, sizeof(speed), "%d", o.speed);
    else
        snprintf(speed, sizeof(speed), "default");
    printf("sasae video codec benchmark: %s speed %s, %d thread(s), tiles %dx%d, scroll %d "
           "px/frame\n",
           o.codec == SASAE_VIDEO_VP8 ? "VP8" : "VP9", speed, o.threads,
           o.tile >= 0 ? o.tile : def.tile_w, o.tile_h >= 0 ? o.tile_h : def.tile_h, o.scroll_px);
    printf("enc/dec = median ms per frame; bytes = mean per frame; PSNR = mean dB vs source; "
           "p10 = 10th percentile ms (tiled enc dec, full enc dec)\n\n");
    printf("%-10s %-7s | %-37s | %-37s\n", "size", "load", "tiled + dirty rects (sasae)",
           "full-frame encoder (baseline)");
    printf("%-10s %-7s | %7s %7s %7s %8s %6s | %7s %7s %7s %8s %6s\n", "", "", "enc", "max", "dec",
           "bytes", "PSNR", "enc", "max", "dec", "bytes", "PSNR");
    int sizes[2][2] = {{1920, 1080}, {4096, 2160}};
    for (int s = 0; s < (o.only_1080 ? 1 : 2); s++) {
        int w = sizes[s][0], h = sizes[s][1];
        int frames = s ? o.frames_4k : o.frames_1080, kbps = s ? o.kbps_4k : o.kbps_1080;
        for (int wl = 0; wl < W_COUNT; wl++) {
            struct result t, b;
            if (run(&o, w, h, kbps, frames, (enum workload)wl, 0, &t) ||
                run(&o, w, h, kbps, frames, (enum workload)wl, 1, &b))
                return 1;
            printf("%4dx%-5d %-7s | %7.2f %7.2f %7.2f %8.0f %6.2f | %7.2f %7.2f %7.2f %8.0f "
                   "%6.2f | p10 %.3f %.3f %.3f %.3f\n",
                   w, h, wl_name[wl], t.enc_ms, t.max_enc_ms, t.dec_ms, t.bytes, t.psnr, b.enc_ms,
                   b.max_enc_ms, b.dec_ms, b.bytes, b.psnr, t.enc_p10, t.dec_p10, b.enc_p10,
                   b.dec_p10);
            fflush(stdout);
        }
        printf("  (%d frames per load, %d kbit/s)\n", frames, kbps);
    }
    return 0;
}
