/* bench_viewer: the viewer's receive path per frame — decode (codec/video) and present
 * (SDL_UpdateYUVTexture straight from the decoder planes, then a scaled draw) — on
 * synthetic screen workloads (full-screen scroll, full motion) at 1080p and 4K.
 * Present runs on SDL's software renderer into an off-screen surface, and also on the
 * default renderer of a real window when $DISPLAY is set. Prints medians and p95. */
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/common.h"
#include "sasae/video.h"
#include "synth_screen.h"

#define FRAMES 60

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void stats(double *v, int n, double *med, double *p95)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_d);
    *med = v[n / 2];
    *p95 = v[(n * 95) / 100 < n ? (n * 95) / 100 : n - 1];
}

static double ms_since(uint64_t t0)
{
    return (double)(sasae_mono_ns() - t0) / 1e6;
}

struct payloads {
    uint8_t *data[FRAMES];
    size_t len[FRAMES];
    size_t total;
};

static int encode(int w, int h, int motion, struct payloads *p)
{
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, w, h);
    cfg.bitrate_kbps = 8000; /* a LAN link: quality, not the budget, is what we look at */
    sasae_venc *enc = NULL;
    if (sasae_venc_new(&cfg, &enc) != SASAE_VIDEO_OK)
        return -1;
    int stride = w * 4;
    uint8_t *bgra = malloc((size_t)stride * h);
    size_t cap = sasae_venc_max_payload(enc);
    sasae_video_rect full = {0, 0, w, h};
    memset(p, 0, sizeof *p);
    for (int i = 0; i < FRAMES; i++) {
        if (motion)
            synth_motion(bgra, stride, w, h, i);
        else
            synth_text(bgra, stride, w, h, i * 8);
        sasae_video_frame f = {bgra, stride, &full, 1, (int64_t)i * 33333};
        p->data[i] = malloc(cap);
        if (sasae_venc_encode(enc, &f, i == 0 ? SASAE_VENC_KEYFRAME : SASAE_VENC_FORCE, p->data[i],
                              cap, &p->len[i]) != SASAE_VIDEO_OK)
            return -1;
        p->total += p->len[i];
    }
    free(bgra);
    sasae_venc_free(enc);
    return 0;
}

/* Decodes every payload, uploading and drawing each picture with r (if any) into a
 * 1280x720 target; fills per-frame times in ms. */
static int run(const struct payloads *p, SDL_Renderer *r, double *dec, double *up, double *draw)
{
    sasae_vdec *d = NULL;
    SDL_Texture *tex = NULL;
    if (sasae_vdec_new(&d) != SASAE_VIDEO_OK)
        return -1;
    for (int i = 0; i < FRAMES; i++) {
        sasae_video_image img;
        uint64_t t0 = sasae_mono_ns();
        if (sasae_vdec_decode(d, p->data[i], p->len[i], &img) != SASAE_VIDEO_OK)
            return -1;
        dec[i] = ms_since(t0);
        if (!r)
            continue;
        if (!tex)
            tex = SDL_CreateTexture(r, SDL_PIXELFORMAT_IYUV, SDL_TEXTUREACCESS_STREAMING, img.width,
                                    img.height);
        t0 = sasae_mono_ns();
        SDL_UpdateYUVTexture(tex, NULL, img.planes[0], img.strides[0], img.planes[1],
                             img.strides[1], img.planes[2], img.strides[2]);
        up[i] = ms_since(t0);
        t0 = sasae_mono_ns();
        SDL_Rect dst = {0, 0, 1280, 720};
        SDL_RenderCopy(r, tex, NULL, &dst);
        SDL_RenderPresent(r);
        SDL_RenderFlush(r);
        draw[i] = ms_since(t0);
    }
    if (tex)
        SDL_DestroyTexture(tex);
    sasae_vdec_free(d);
    return 0;
}

int main(void)
{
    static const struct {
        int w, h;
    } sizes[] = {{1920, 1080}, {3840, 2160}};
    static const char *const kinds[] = {"scroll", "motion"};
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, 1280, 720, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *soft = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    SDL_Window *win = NULL;
    SDL_Renderer *hw = NULL;
    if (getenv("DISPLAY") && SDL_Init(SDL_INIT_VIDEO) == 0) {
        win = SDL_CreateWindow("bench_viewer", 0, 0, 1280, 720, 0);
        hw = win ? SDL_CreateRenderer(win, -1, 0) : NULL;
    }
    SDL_RendererInfo hwinfo = {.name = "none"};
    if (hw)
        SDL_GetRendererInfo(hw, &hwinfo);
    printf("bench_viewer: %d frames per case; present into 1280x720 (software renderer; "
           "window renderer: %s)\n",
           FRAMES, hwinfo.name);
    printf("%-10s %-7s %9s | %14s | %14s %14s | %14s %14s\n", "size", "content", "KB/frame",
           "decode ms", "sw upload ms", "sw draw ms", "win upload ms", "win draw ms");
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int k = 0; k < 2; k++) {
            struct payloads p;
            if (encode(sizes[s].w, sizes[s].h, k, &p) != 0) {
                fprintf(stderr, "encode failed\n");
                return 1;
            }
            double dec[FRAMES], up[FRAMES], draw[FRAMES], wup[FRAMES], wdraw[FRAMES];
            double dm, dp, um, upp, rm, rp, wum = 0, wup95 = 0, wrm = 0, wrp = 0;
            if (run(&p, soft, dec, up, draw) != 0)
                return 1;
            /* Decode times from the first run (the window run decodes again). */
            stats(dec, FRAMES, &dm, &dp);
            stats(up, FRAMES, &um, &upp);
            stats(draw, FRAMES, &rm, &rp);
            if (hw && run(&p, hw, dec, wup, wdraw) == 0) {
                stats(wup, FRAMES, &wum, &wup95);
                stats(wdraw, FRAMES, &wrm, &wrp);
            }
            char size[16];
            snprintf(size, sizeof size, "%dx%d", sizes[s].w, sizes[s].h);
            printf("%-10s %-7s %9.1f | %6.2f (%5.2f) | %6.2f (%5.2f) %6.2f (%5.2f) | %6.2f "
                   "(%5.2f) %6.2f (%5.2f)\n",
                   size, kinds[k], p.total / 1024.0 / FRAMES, dm, dp, um, upp, rm, rp, wum, wup95,
                   wrm, wrp);
            for (int i = 0; i < FRAMES; i++)
                free(p.data[i]);
        }
    printf("figures: median (p95) ms per frame\n");
    if (hw)
        SDL_DestroyRenderer(hw);
    if (win)
        SDL_DestroyWindow(win);
    if (soft)
        SDL_DestroyRenderer(soft);
    SDL_FreeSurface(surf);
    SDL_Quit();
    return 0;
}
