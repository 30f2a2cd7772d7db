/* payload.c: video payload parser, IVF writer/reader, PSNR and error names. */
#include "sasae/video.h"
#include "internal.h"
#include "patch.h"

#include <math.h>
#include <string.h>

const char *sasae_video_strerror(int err)
{
    switch (err) {
    case SASAE_VIDEO_OK:
        return "ok";
    case SASAE_VIDEO_EINVAL:
        return "invalid argument";
    case SASAE_VIDEO_EDIM:
        return "width/height zero or above 8192";
    case SASAE_VIDEO_ERECT:
        return "dirty rectangle empty or outside the frame";
    case SASAE_VIDEO_ENOMEM:
        return "out of memory";
    case SASAE_VIDEO_ECODEC:
        return "libvpx error";
    case SASAE_VIDEO_ECORRUPT:
        return "corrupt or truncated video payload";
    case SASAE_VIDEO_ENEEDKEY:
        return "decoder needs a keyframe";
    case SASAE_VIDEO_ESPACE:
        return "output buffer too small";
    default:
        return "unknown video error";
    }
}

int sasae_video_payload_parse(const uint8_t *d, size_t len, sasae_video_payload_info *info,
                              sasae_video_payload_tile *tiles, int max_tiles)
{
    if (!d || !info || len < SV_HEADER_LEN)
        return SASAE_VIDEO_ECORRUPT;
    if (d[0] != SV_MAGIC0 || d[1] != SV_MAGIC1 || d[2] != SV_VERSION || d[3] > 1 ||
        (d[4] & ~SV_FLAG_KEY) || d[5])
        return SASAE_VIDEO_ECORRUPT;
    int w = (int)sv_get16(d + 6), h = (int)sv_get16(d + 8);
    int tw = (int)sv_get16(d + 10), th = (int)sv_get16(d + 12);
    int n = (int)sv_get16(d + 14);
    if (w < 1 || h < 1 || w > SASAE_VIDEO_MAX_DIM || h > SASAE_VIDEO_MAX_DIM)
        return SASAE_VIDEO_ECORRUPT;
    /* The encoder clamps a tile side to the frame side, so anything larger is invalid. */
    if (tw < 1 || th < 1 || tw > w || th > h || !sv_tile_ok(tw, w) || !sv_tile_ok(th, h))
        return SASAE_VIDEO_ECORRUPT;
    int cols = (w + tw - 1) / tw, rows = (h + th - 1) / th;
    if (cols * rows > SASAE_VIDEO_MAX_TILES || n > cols * rows)
        return SASAE_VIDEO_ECORRUPT;
    int key = d[4] & SV_FLAG_KEY;
    if (key && n != cols * rows)
        return SASAE_VIDEO_ECORRUPT;
    memset(info, 0, sizeof(*info));
    info->codec = (enum sasae_video_codec)d[3];
    info->width = w;
    info->height = h;
    info->tile_w = tw;
    info->tile_h = th;
    info->cols = cols;
    info->rows = rows;
    info->keyframe = key;
    info->ntiles = n;

    size_t pos = SV_HEADER_LEN;
    int prev = -1;
    for (int i = 0; i < n; i++) {
        if (len - pos < SV_ENTRY_LEN)
            return SASAE_VIDEO_ECORRUPT;
        int idx = (int)sv_get16(d + pos);
        unsigned fl = d[pos + 2];
        uint32_t tl = sv_get32(d + pos + 3);
        pos += SV_ENTRY_LEN;
        /* Strictly increasing indexes: no duplicates, bounded by the grid. */
        if (idx <= prev || idx >= cols * rows ||
            (fl & ~(SV_FLAG_KEY | SV_FLAG_MOVE | SV_FLAG_PATCH)) ||
            ((fl & SV_FLAG_KEY) && (fl & (SV_FLAG_MOVE | SV_FLAG_PATCH))))
            return SASAE_VIDEO_ECORRUPT;
        if (key && !(fl & SV_FLAG_KEY))
            return SASAE_VIDEO_ECORRUPT;
        int tx = (idx % cols) * tw, ty = (idx / cols) * th;
        int tww = w - tx < tw ? w - tx : tw, thh = h - ty < th ? h - ty : th;
        sasae_video_rect mr = {0, 0, 0, 0};
        int mdy = 0;
        if (fl & SV_FLAG_MOVE) {
            if (len - pos < SV_MOVE_LEN)
                return SASAE_VIDEO_ECORRUPT;
            mr.x = (int)sv_get16(d + pos);
            mr.y = (int)sv_get16(d + pos + 2);
            mr.w = (int)sv_get16(d + pos + 4);
            mr.h = (int)sv_get16(d + pos + 6);
            mdy = (int16_t)sv_get16(d + pos + 8);
            pos += SV_MOVE_LEN;
            /* inside the tile, even corner (chroma), a real shift smaller than the area */
            if (mr.w < 1 || mr.h < 2 || (mr.x | mr.y) & 1 || mr.x > tww - mr.w ||
                mr.y > thh - mr.h || mdy == 0 || mdy >= mr.h || -mdy >= mr.h)
                return SASAE_VIDEO_ECORRUPT;
        }
        const uint8_t *patch = NULL;
        size_t plen = 0;
        if (fl & SV_FLAG_PATCH) {
            plen = sv_patch_size(d + pos, len - pos, tww, thh);
            if (!plen)
                return SASAE_VIDEO_ECORRUPT;
            patch = d + pos;
            pos += plen;
        }
        if ((tl == 0 && !patch) || tl > SASAE_VIDEO_MAX_TILE_BYTES || tl > len - pos)
            return SASAE_VIDEO_ECORRUPT;
        if (tiles && i < max_tiles) {
            sasae_video_payload_tile *t = &tiles[i];
            t->index = idx;
            t->x = tx;
            t->y = ty;
            t->w = tww;
            t->h = thh;
            t->keyframe = (int)(fl & SV_FLAG_KEY);
            t->moved = (fl & SV_FLAG_MOVE) != 0;
            t->move_rect = mr;
            t->move_dy = mdy;
            t->patch = patch;
            t->patch_len = plen;
            t->patch_mbs = patch ? sv_patch_count(patch) : 0;
            t->data = d + pos;
            t->len = tl;
        }
        pos += tl;
        prev = idx;
    }
    if (pos != len)
        return SASAE_VIDEO_ECORRUPT;
    return SASAE_VIDEO_OK;
}

void sasae_ivf_header(uint8_t out[SASAE_IVF_HEADER_LEN], enum sasae_video_codec codec, int w, int h,
                      int fps, uint32_t nframes)
{
    memcpy(out, "DKIF", 4);
    sv_put16(out + 4, 0);
    sv_put16(out + 6, SASAE_IVF_HEADER_LEN);
    memcpy(out + 8, codec == SASAE_VIDEO_VP8 ? "VP80" : "VP90", 4);
    sv_put16(out + 12, (unsigned)w);
    sv_put16(out + 14, (unsigned)h);
    sv_put32(out + 16, (uint32_t)fps);
    sv_put32(out + 20, 1);
    sv_put32(out + 24, nframes);
    sv_put32(out + 28, 0);
}

void sasae_ivf_frame_header(uint8_t out[SASAE_IVF_FRAME_HEADER_LEN], uint32_t len, uint64_t pts)
{
    sv_put32(out, len);
    sv_put32(out + 4, (uint32_t)pts);
    sv_put32(out + 8, (uint32_t)(pts >> 32));
}

int sasae_ivf_next(const uint8_t *f, size_t len, size_t *off, const uint8_t **frame,
                   size_t *frame_len)
{
    if (!f || !off || !frame || !frame_len)
        return SASAE_VIDEO_EINVAL;
    if (*off == 0) {
        if (len < SASAE_IVF_HEADER_LEN || memcmp(f, "DKIF", 4) ||
            sv_get16(f + 6) < SASAE_IVF_HEADER_LEN || sv_get16(f + 6) > len)
            return SASAE_VIDEO_ECORRUPT;
        *off = sv_get16(f + 6);
    }
    if (*off > len)
        return SASAE_VIDEO_ECORRUPT;
    if (*off == len)
        return 0;
    if (len - *off < SASAE_IVF_FRAME_HEADER_LEN)
        return SASAE_VIDEO_ECORRUPT;
    uint32_t fl = sv_get32(f + *off);
    size_t p = *off + SASAE_IVF_FRAME_HEADER_LEN;
    if (fl > len - p)
        return SASAE_VIDEO_ECORRUPT;
    *frame = f + p;
    *frame_len = fl;
    *off = p + fl;
    return 1;
}

static double plane_sse(const uint8_t *a, int as, const uint8_t *b, int bs, int w, int h)
{
    double sse = 0;
    for (int y = 0; y < h; y++) {
        const uint8_t *pa = a + (size_t)y * as, *pb = b + (size_t)y * bs;
        uint64_t row = 0;
        for (int x = 0; x < w; x++) {
            int d = pa[x] - pb[x];
            row += (uint64_t)(d * d);
        }
        sse += (double)row;
    }
    return sse;
}

double sasae_video_psnr(const sasae_video_image *a, const sasae_video_image *b)
{
    if (!a || !b || a->width != b->width || a->height != b->height || a->width < 1 || a->height < 1)
        return -1.0;
    int w = a->width, h = a->height, cw = (w + 1) / 2, ch = (h + 1) / 2;
    double sse = plane_sse(a->planes[0], a->strides[0], b->planes[0], b->strides[0], w, h);
    for (int p = 1; p < 3; p++)
        sse += plane_sse(a->planes[p], a->strides[p], b->planes[p], b->strides[p], cw, ch);
    double n = (double)w * h + 2.0 * cw * ch;
    if (sse <= 0)
        return 99.0;
    double psnr = 10.0 * log10(255.0 * 255.0 * n / sse);
    return psnr > 99.0 ? 99.0 : psnr;
}
