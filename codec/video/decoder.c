/* decoder.c: video payload -> one VP9/VP8 decoder per tile -> full-frame I420 image. */
#include "sasae/video.h"
#include "internal.h"
#include "scroll.h"
#include "patch.h"

#include <stdlib.h>
#include <string.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vp8dx.h>

struct vdec_tile {
    vpx_codec_ctx_t ctx;
    int inited;
    int has_key;
};

struct sasae_vdec {
    int configured;
    enum sasae_video_codec codec;
    int w, h, tw, th, ntiles;
    struct vdec_tile *tiles;
    uint8_t *y, *u, *v;
    int ys, cs;
    int need_key;
    struct sv_refbuf ref; /* scratch for moves (scroll.h) and patches */
    struct sv_patch patch;
    sasae_video_payload_tile table[SASAE_VIDEO_MAX_TILES];
};

static vpx_codec_iface_t *vdec_iface(enum sasae_video_codec c)
{
    return c == SASAE_VIDEO_VP8 ? vpx_codec_vp8_dx() : vpx_codec_vp9_dx();
}

int sasae_vdec_new(sasae_vdec **out)
{
    if (!out)
        return SASAE_VIDEO_EINVAL;
    *out = calloc(1, sizeof(**out));
    if (!*out)
        return SASAE_VIDEO_ENOMEM;
    (*out)->need_key = 1;
    return SASAE_VIDEO_OK;
}

static void unconfigure(sasae_vdec *d)
{
    for (int i = 0; d->tiles && i < d->ntiles; i++)
        if (d->tiles[i].inited)
            vpx_codec_destroy(&d->tiles[i].ctx);
    free(d->tiles);
    free(d->y);
    d->tiles = NULL;
    d->y = d->u = d->v = NULL;
    d->configured = 0;
}

void sasae_vdec_free(sasae_vdec *d)
{
    if (!d)
        return;
    unconfigure(d);
    free(d->ref.buf);
    sv_patch_free(&d->patch);
    free(d);
}

int sasae_vdec_needs_keyframe(const sasae_vdec *d)
{
    return d ? d->need_key : 1;
}

static int configure(sasae_vdec *d, const sasae_video_payload_info *in)
{
    unconfigure(d);
    d->codec = in->codec;
    d->w = in->width;
    d->h = in->height;
    d->tw = in->tile_w;
    d->th = in->tile_h;
    d->ntiles = in->cols * in->rows;
    d->ys = SV_ALIGN(d->w, 32);
    d->cs = SV_ALIGN((d->w + 1) / 2, 32);
    size_t ysz = (size_t)d->ys * d->h, csz = (size_t)d->cs * ((d->h + 1) / 2);
    d->y = malloc(ysz + 2 * csz);
    d->tiles = calloc((size_t)d->ntiles, sizeof(*d->tiles));
    if (!d->y || !d->tiles) {
        unconfigure(d);
        return SASAE_VIDEO_ENOMEM;
    }
    d->u = d->y + ysz;
    d->v = d->u + csz;
    memset(d->y, 16, ysz);
    memset(d->u, 128, 2 * csz);
    d->configured = 1;
    return SASAE_VIDEO_OK;
}

static int same_geometry(const sasae_vdec *d, const sasae_video_payload_info *in)
{
    return d->configured && d->codec == in->codec && d->w == in->width && d->h == in->height &&
           d->tw == in->tile_w && d->th == in->tile_h;
}

static void blit(const uint8_t *src, int ss, uint8_t *dst, int ds, int w, int h)
{
    for (int r = 0; r < h; r++)
        memcpy(dst + (size_t)r * ds, src + (size_t)r * ss, (size_t)w);
}

static void blit_tile(sasae_vdec *d, const sasae_video_payload_tile *pt, uint8_t *const planes[3],
                      const int strides[3])
{
    blit(planes[0], strides[0], d->y + (size_t)pt->y * d->ys + pt->x, d->ys, pt->w, pt->h);
    int cx = pt->x / 2, cy = pt->y / 2, cw = (pt->w + 1) / 2, ch = (pt->h + 1) / 2;
    blit(planes[1], strides[1], d->u + (size_t)cy * d->cs + cx, d->cs, cw, ch);
    blit(planes[2], strides[2], d->v + (size_t)cy * d->cs + cx, d->cs, cw, ch);
}

static int decode_tile(sasae_vdec *d, const sasae_video_payload_tile *pt)
{
    struct vdec_tile *t = &d->tiles[pt->index];
    if (!pt->keyframe && !t->has_key)
        return SASAE_VIDEO_ENEEDKEY;
    if (!t->inited) {
        vpx_codec_dec_cfg_t dc = {.threads = 1, .w = 0, .h = 0};
        if (vpx_codec_dec_init(&t->ctx, vdec_iface(d->codec), &dc, 0))
            return SASAE_VIDEO_ECODEC;
        t->inited = 1;
    }
    /* a patch is checked whole before anything changes */
    if (pt->patch && (d->codec != SASAE_VIDEO_VP9 ||
                      sv_patch_inflate(&d->patch, pt->patch, pt->patch_len, pt->w, pt->h)))
        return SASAE_VIDEO_ECORRUPT;
    /* without a bitstream, the move and the patch are one edit of the reference */
    int move_later = pt->moved && pt->patch && !pt->len;
    if (pt->moved && !move_later &&
        (d->codec != SASAE_VIDEO_VP9 ||
         sv_ref_move(&t->ctx, &d->ref, pt->w, pt->h, pt->move_rect, pt->move_dy)))
        return SASAE_VIDEO_ECORRUPT;
    if (pt->len) {
        if (vpx_codec_decode(&t->ctx, pt->data, (unsigned)pt->len, NULL, 0))
            return SASAE_VIDEO_ECORRUPT;
        vpx_codec_iter_t it = NULL;
        vpx_image_t *img = vpx_codec_get_frame(&t->ctx, &it);
        if (!img || img->fmt != VPX_IMG_FMT_I420 || (int)img->d_w != pt->w ||
            (int)img->d_h != pt->h)
            return SASAE_VIDEO_ECORRUPT;
        while (vpx_codec_get_frame(&t->ctx, &it))
            ; /* one frame per tile entry; drain anything else */
        if (!pt->patch)
            blit_tile(d, pt, img->planes, img->stride);
    }
    if (pt->patch) {
        /* the exact pixels go into the reference, as the encoder put them into its own, and
         * the picture shows the reference */
        vpx_ref_frame_t ref;
        struct sv_planes pl;
        if (sv_ref_get(&t->ctx, &d->ref, pt->w, pt->h, &ref, &pl))
            return SASAE_VIDEO_ECORRUPT;
        if (move_later)
            sv_shift_planes(pl.y, pl.ys, pl.u, pl.v, pl.cs, pt->move_rect, pt->move_dy);
        sv_patch_scatter(&d->patch, pt->patch, &pl);
        if (sv_ref_set(&t->ctx, &ref))
            return SASAE_VIDEO_ECORRUPT;
        blit_tile(d, pt, ref.img.planes, ref.img.stride);
    }
    if (pt->keyframe)
        t->has_key = 1;
    return SASAE_VIDEO_OK;
}

int sasae_vdec_decode(sasae_vdec *d, const uint8_t *data, size_t len, sasae_video_image *img)
{
    if (!d || (!data && len))
        return SASAE_VIDEO_EINVAL;
    sasae_video_payload_info in;
    int rc = sasae_video_payload_parse(data, len, &in, d->table, SASAE_VIDEO_MAX_TILES);
    if (rc)
        goto fail;
    if (!in.keyframe && (d->need_key || !same_geometry(d, &in))) {
        rc = d->need_key ? SASAE_VIDEO_ENEEDKEY : SASAE_VIDEO_ECORRUPT;
        goto fail;
    }
    /* Cheap header checks on every tile before anything is allocated or decoded. */
    vpx_codec_iface_t *ifc = vdec_iface(in.codec);
    for (int i = 0; i < in.ntiles; i++) {
        const sasae_video_payload_tile *pt = &d->table[i];
        vpx_codec_stream_info_t si = {.sz = sizeof(si)};
        rc = SASAE_VIDEO_ECORRUPT;
        if (pt->len == 0) /* a patch alone (decode_tile checks it) */
            continue;
        if (in.codec == SASAE_VIDEO_VP8 && !pt->keyframe) {
            /* libvpx's VP8 peek only understands keyframes; bit 0 set = inter frame. */
            if (pt->len < 3 || !(pt->data[0] & 1))
                goto fail;
            continue;
        }
        if (vpx_codec_peek_stream_info(ifc, pt->data, (unsigned)pt->len, &si))
            goto fail;
        if (!!si.is_kf != !!pt->keyframe)
            goto fail;
        if (si.is_kf && ((int)si.w != pt->w || (int)si.h != pt->h))
            goto fail;
    }
    if (in.keyframe && !same_geometry(d, &in)) {
        rc = configure(d, &in);
        if (rc)
            goto fail;
    }
    for (int i = 0; i < in.ntiles; i++) {
        rc = decode_tile(d, &d->table[i]);
        if (rc)
            goto fail;
    }
    if (in.keyframe)
        d->need_key = 0;
    if (img) {
        img->width = d->w;
        img->height = d->h;
        img->planes[0] = d->y;
        img->planes[1] = d->u;
        img->planes[2] = d->v;
        img->strides[0] = d->ys;
        img->strides[1] = img->strides[2] = d->cs;
    }
    return SASAE_VIDEO_OK;
fail:
    d->need_key = 1;
    return rc;
}
