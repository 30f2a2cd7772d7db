/* Test tool for the viewer's end-to-end test: checks frames the headless viewer dumped
 * (raw I420) against the host's synthetic source. Each synthetic frame shows its number n in
 * binary in the top-right corner; the tool reads n from the decoded picture, renders the
 * source's frame n with the host's own capture code, and computes the PSNR.
 * Usage: viewer_refcheck WxH MIN_PSNR_DB FILE.yuv...   (exit 0 when all pass) */
#include <libyuv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/host.h"
#include "sasae/video.h"

/* Reads n from the 16 counter cells (8x8 px each, bit b at x = w - (b + 1) * 8): a lit cell
 * is bright green (Y ~ 145), an unlit one dark (Y ~ 40). */
static long read_counter(const uint8_t *y, int w)
{
    long n = 0;
    for (int b = 0; b < 16; b++) {
        int sum = 0;
        for (int j = 2; j < 6; j++)
            for (int i = 2; i < 6; i++)
                sum += y[(size_t)j * (size_t)w + (size_t)(w - (b + 1) * 8 + i)];
        if (sum / 16 > 92)
            n |= 1L << b;
    }
    return n;
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
    uint8_t *got = malloc(fsz), *ref = malloc(fsz);
    char err[256];
    struct sasae_cap_opts o = {.source = "synthetic", .width = w, .height = h};
    struct sasae_cap *cap = sasae_cap_open(&o, err, sizeof err);
    struct sasae_dirty dirty;
    if (!got || !ref || !cap) {
        fprintf(stderr, "viewer_refcheck: setup failed: %s\n", cap ? "out of memory" : err);
        return 2;
    }
    long next = 0; /* next source frame the capture will produce */
    int bad = 0, checked = 0;
    double worst = 1e9;
    for (int a = 3; a < argc; a++) {
        FILE *f = fopen(argv[a], "rb");
        if (!f || fread(got, 1, fsz, f) != fsz) {
            fprintf(stderr, "%s: cannot read %zu bytes\n", argv[a], fsz);
            bad++;
            if (f)
                fclose(f);
            continue;
        }
        fclose(f);
        long n = read_counter(got, w);
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
        ARGBToI420(fr.bgra, fr.stride, ref, w, ref + ysz, (int)cw, ref + ysz + csz, (int)cw, w, h);
        sasae_video_image A = {w, h, {got, got + ysz, got + ysz + csz}, {w, (int)cw, (int)cw}};
        sasae_video_image B = {w, h, {ref, ref + ysz, ref + ysz + csz}, {w, (int)cw, (int)cw}};
        double db = sasae_video_psnr(&A, &B);
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
    return bad || checked == 0 ? 1 : 0;
}
