/* scroll.c: vertical moves (scrolling) found by row hashes, and the reference shift that the
 * encoder and the decoder both apply before a tile's frame, so the codec codes only what a
 * move did not bring along. */
#include "scroll.h"

#include <stdlib.h>
#include <string.h>
#include <vpx/vp8.h>

uint64_t sv_row_hash(const uint8_t *p, int n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    h ^= h >> 31;
    return h * 0xc4ceb9fe1a85ec53ull;
}

int sv_scroll_new(struct sv_scroll *s, int max_rows)
{
    memset(s, 0, sizeof(*s));
    int cap = 16;
    while (cap < 2 * max_rows)
        cap *= 2;
    s->cap = cap;
    s->max_rows = max_rows;
    s->prev = malloc(sizeof(uint64_t) * (size_t)max_rows * 2);
    s->cur = malloc(sizeof(uint64_t) * (size_t)max_rows * 2);
    s->votes = malloc(sizeof(int) * (size_t)(2 * max_rows + 1));
    s->keys = malloc(sizeof(uint64_t) * (size_t)cap);
    s->rows = malloc(sizeof(int) * (size_t)cap);
    if (!s->prev || !s->cur || !s->votes || !s->keys || !s->rows) {
        sv_scroll_free(s);
        return -1;
    }
    return 0;
}

void sv_scroll_free(struct sv_scroll *s)
{
    free(s->prev);
    free(s->cur);
    free(s->votes);
    free(s->keys);
    free(s->rows);
    memset(s, 0, sizeof(*s));
}

void sv_scroll_hash(uint64_t *out, const uint8_t *y, int ys, const uint8_t *u, const uint8_t *v,
                    int cs, sasae_video_rect r)
{
    for (int i = 0; i < r.h; i++)
        out[i] = sv_row_hash(y + (size_t)(r.y + i) * ys + r.x, r.w);
    /* chroma rows after the luma rows: U and V of a row hashed together */
    uint64_t *c = out + r.h;
    int cx = r.x / 2, cw = (r.w + 1) / 2, ch = (r.h + 1) / 2;
    for (int i = 0; i < ch; i++) {
        size_t off = (size_t)(r.y / 2 + i) * cs + cx;
        c[i] = sv_row_hash(u + off, cw) ^ (sv_row_hash(v + off, cw) * 0x9e3779b97f4a7c15ull);
    }
}

/* Rows that occur once in prev vote for the shift that brings them to where cur has them;
 * repeated rows (blank lines, rules) say nothing about where a line went. */
int sv_scroll_find(struct sv_scroll *s, int n, int *dy, int *still)
{
    *dy = 0;
    *still = 0;
    if (n < 2 || n > s->max_rows)
        return 0;
    const uint64_t *prev = s->prev, *cur = s->cur;
    unsigned mask = (unsigned)s->cap - 1;
    for (int i = 0; i < s->cap; i++)
        s->rows[i] = -1;
    for (int y = 0; y < n; y++) {
        unsigned k = (unsigned)(prev[y] ^ prev[y] >> 32) & mask;
        while (s->rows[k] != -1 && s->keys[k] != prev[y])
            k = (k + 1) & mask;
        if (s->rows[k] == -1) {
            s->keys[k] = prev[y];
            s->rows[k] = y;
        } else {
            s->rows[k] = -2; /* seen twice */
        }
    }
    memset(s->votes, 0, sizeof(int) * (size_t)(2 * n + 1));
    for (int y = 0; y < n; y++) {
        unsigned k = (unsigned)(cur[y] ^ cur[y] >> 32) & mask;
        while (s->rows[k] != -1 && s->keys[k] != cur[y])
            k = (k + 1) & mask;
        int p = s->rows[k];
        if (p >= 0 && p != y)
            s->votes[y - p + n]++;
    }
    int best = 0, bv = 0;
    for (int d = -n + 1; d < n; d++)
        if (d && s->votes[d + n] > bv) {
            bv = s->votes[d + n];
            best = d;
        }
    for (int y = 0; y < n; y++)
        *still += cur[y] == prev[y];
    if (!best)
        return 0;
    int matched = 0;
    for (int y = 0; y < n; y++)
        matched += y - best >= 0 && y - best < n && cur[y] == prev[y - best];
    *dy = best;
    return matched;
}

int sv_scroll_chroma_shift(int dy)
{
    return dy >= 0 ? dy / 2 : -((-dy + 1) / 2);
}

static void shift_rows(uint8_t *p, int stride, int x, int y, int w, int h, int d)
{
    if (d > 0) {
        for (int i = h - 1; i >= d; i--)
            memcpy(p + (size_t)(y + i) * stride + x, p + (size_t)(y + i - d) * stride + x,
                   (size_t)w);
    } else if (d < 0) {
        for (int i = 0; i < h + d; i++)
            memcpy(p + (size_t)(y + i) * stride + x, p + (size_t)(y + i - d) * stride + x,
                   (size_t)w);
    }
}

void sv_shift_planes(uint8_t *y, int ys, uint8_t *u, uint8_t *v, int cs, sasae_video_rect r, int dy)
{
    shift_rows(y, ys, r.x, r.y, r.w, r.h, dy);
    int dc = sv_scroll_chroma_shift(dy);
    int cx = r.x / 2, cyy = r.y / 2, cw = (r.w + 1) / 2, ch = (r.h + 1) / 2;
    shift_rows(u, cs, cx, cyy, cw, ch, dc);
    shift_rows(v, cs, cx, cyy, cw, ch, dc);
}

int sv_ref_get(vpx_codec_ctx_t *ctx, struct sv_refbuf *b, int w, int h, vpx_ref_frame_t *ref,
               struct sv_planes *pl)
{
    /* The codec's buffers are 8-aligned and libvpx checks (decoder) or assumes (encoder) the
     * same size; a stride equal to the width gives the image no border to extend into. */
    int aw = (w + 7) & ~7, ah = (h + 7) & ~7;
    size_t need = (size_t)aw * ah * 3 / 2;
    if (need > b->cap) {
        uint8_t *p = realloc(b->buf, need);
        if (!p)
            return -1;
        b->buf = p;
        b->cap = need;
    }
    memset(ref, 0, sizeof(*ref));
    ref->frame_type = VP8_LAST_FRAME;
    if (!vpx_img_wrap(&ref->img, VPX_IMG_FMT_I420, (unsigned)aw, (unsigned)ah, 1, b->buf))
        return -1;
    if (vpx_codec_control(ctx, VP8_COPY_REFERENCE, ref))
        return -1;
    *pl = (struct sv_planes){ref->img.planes[0],
                             ref->img.planes[1],
                             ref->img.planes[2],
                             ref->img.stride[0],
                             ref->img.stride[1],
                             w,
                             h};
    return 0;
}

int sv_ref_set(vpx_codec_ctx_t *ctx, vpx_ref_frame_t *ref)
{
    return vpx_codec_control(ctx, VP8_SET_REFERENCE, ref) ? -1 : 0;
}

int sv_ref_move(vpx_codec_ctx_t *ctx, struct sv_refbuf *b, int w, int h, sasae_video_rect r, int dy)
{
    vpx_ref_frame_t ref;
    struct sv_planes pl;
    if (sv_ref_get(ctx, b, w, h, &ref, &pl))
        return -1;
    sv_shift_planes(pl.y, pl.ys, pl.u, pl.v, pl.cs, r, dy);
    return sv_ref_set(ctx, &ref);
}
