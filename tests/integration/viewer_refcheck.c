/* Test tool for the viewer's end-to-end test: checks frames the headless viewer dumped
 * (raw I420) against the host's synthetic source. Each synthetic frame shows its number n in
 * binary in the top-right corner; the tool reads n from the decoded picture, renders the
 * source's frame n with the host's own capture code, and computes the PSNR.
 * Files are raw I420 (.yuv, from --dump-format i420) or binary PPM (.ppm, e.g. a screenshot
 * of the viewer window cropped to the picture at 1:1), compared in I420 or RGB.
 * Usage: viewer_refcheck WxH MIN_PSNR_DB FILE...   (exit 0 when all pass) */
#include <libyuv.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/host.h"
#include "sasae/video.h"

static long read_counter_px(const uint8_t *p, int w, int bpp);

/* Reads n from the 16 counter cells (8x8 px each, bit b at x = w - (b + 1) * 8): a lit cell
 * is bright green (Y ~ 145), an unlit one dark (Y ~ 40). */
static long read_counter(const uint8_t *y, int w)
{
    return read_counter_px(y, w, 1);
}

/* RGB screenshots: the green channel of lit cells is ~255, of unlit ones ~48. */
static long read_counter_rgb(const uint8_t *rgb, int w)
{
    return read_counter_px(rgb + 1, w, 3);
}

static long read_counter_px(const uint8_t *p, int w, int bpp)
{
    long n = 0;
    for (int b = 0; b < 16; b++) {
        int sum = 0;
        for (int j = 2; j < 6; j++)
            for (int i = 2; i < 6; i++)
                sum += p[((size_t)j * (size_t)w + (size_t)(w - (b + 1) * 8 + i)) * (size_t)bpp];
        if (sum / 16 > (bpp == 1 ? 92 : 150))
            n |= 1L << b;
    }
    return n;
}

/* Reads a binary PPM of exactly w x h into rgb. */
static int read_ppm(const char *path, int w, int h, uint8_t *rgb)
{
    FILE *f = fopen(path, "rb");
    int pw = 0, ph = 0, max = 0;
    if (!f)
        return -1;
    int ok = fscanf(f, "P6 %d %d %d", &pw, &ph, &max) == 3 && fgetc(f) != EOF && pw == w &&
             ph == h && max == 255 && fread(rgb, 3, (size_t)w * h, f) == (size_t)w * h;
    fclose(f);
    return ok ? 0 : -1;
}

static double psnr_rgb(const uint8_t *rgb, const uint8_t *bgra, int stride, int w, int h)
{
    double se = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                int d = rgb[((size_t)y * w + x) * 3 + c] - bgra[(size_t)y * stride + x * 4 + 2 - c];
                se += d * d;
            }
    double mse = se / ((double)w * h * 3);
    return mse <= 1e-10 ? 99.0 : 10.0 * log10(255.0 * 255.0 / mse);
}

int main(int argc, char **argv)
{
    int w, h;
    if (argc < 4 || sscanf(argv[1], "%dx%d", &w, &h) != 2 || w < 128 || h < 16) {
        fprintf(stderr, "usage: viewer_refcheck WxH MIN_PSNR_DB FILE.yuv...\n");
        return 2;
    }
    double min_db = atof(argv[2]);
    size_t cw = (size_t)(w + 1) / 2, ch = (size_t)(h + 1) / 2;
    size_t ysz = (size_t)w * h, csz = cw * ch, fsz = ysz + 2 * csz;
    uint8_t *got = malloc(fsz), *ref = malloc(fsz), *rgb = malloc((size_t)w * h * 3);
    char err[256];
    struct sasae_cap_opts o = {.source = "synthetic", .width = w, .height = h};
    struct sasae_cap *cap = sasae_cap_open(&o, err, sizeof err);
    struct sasae_dirty dirty;
    if (!got || !ref || !rgb || !cap) {
        fprintf(stderr, "viewer_refcheck: setup failed: %s\n", cap ? "out of memory" : err);
        return 2;
    }
    long next = 0; /* next source frame the capture will produce */
    int bad = 0, checked = 0;
    double worst = 1e9;
    for (int a = 3; a < argc; a++) {
        size_t len = strlen(argv[a]);
        bool ppm = len > 4 && !strcmp(argv[a] + len - 4, ".ppm");
        FILE *f = ppm ? NULL : fopen(argv[a], "rb");
        if (ppm ? read_ppm(argv[a], w, h, rgb) != 0 : (!f || fread(got, 1, fsz, f) != fsz)) {
            fprintf(stderr, "%s: not a %dx%d %s\n", argv[a], w, h, ppm ? "PPM" : "I420 frame");
            bad++;
            if (f)
                fclose(f);
            continue;
        }
        if (f)
            fclose(f);
        long n = ppm ? read_counter_rgb(rgb, w) : read_counter(got, w);
        if (n < next) {
            /* Files are given in order, so n only grows; anything else is a misread. */
            fprintf(stderr, "%s: counter %ld after %ld\n", argv[a], n, next - 1);
            bad++;
            continue;
        }
        struct sasae_frame fr;
        while (next <= n) {
            dirty.n = 0;
            if (sasae_cap_grab(cap, &dirty, &fr) < 0) {
                fprintf(stderr, "synthetic capture failed\n");
                return 2;
            }
            next++;
        }
        double db;
        if (ppm) {
            db = psnr_rgb(rgb, fr.bgra, fr.stride, w, h);
            goto judged;
        }
        ARGBToI420(fr.bgra, fr.stride, ref, w, ref + ysz, (int)cw, ref + ysz + csz, (int)cw, w, h);
        sasae_video_image A = {w, h, {got, got + ysz, got + ysz + csz}, {w, (int)cw, (int)cw}};
        sasae_video_image B = {w, h, {ref, ref + ysz, ref + ysz + csz}, {w, (int)cw, (int)cw}};
        db = sasae_video_psnr(&A, &B);
    judged:
        printf("%s source-frame %ld psnr %.2f dB\n", argv[a], n, db);
        if (db < worst)
            worst = db;
        if (db < min_db)
            bad++;
        checked++;
    }
    printf("checked %d frames, worst %.2f dB, %d below %.1f dB or unreadable\n", checked, worst,
           bad, min_db);
    sasae_cap_free(cap);
    free(got);
    free(ref);
    free(rgb);
    return bad || checked == 0 ? 1 : 0;
}
