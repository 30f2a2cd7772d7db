/* scroll.h: vertical move detection and the reference shift (private to codec/video). */
#ifndef SASAE_VIDEO_SCROLL_H
#define SASAE_VIDEO_SCROLL_H

#include <stddef.h>
#include <stdint.h>
#include <vpx/vpx_codec.h>
#include <vpx/vp8.h>

#include "sasae/video.h"

/* 64-bit hash of n bytes (not cryptographic: equal rows collide by design, others rarely). */
uint64_t sv_row_hash(const uint8_t *p, int n);

/* Work space for one region of up to max_rows rows: prev and cur hold sv_scroll_hash() of
 * the region before and after (luma rows, then chroma rows). */
struct sv_scroll {
    uint64_t *prev, *cur;
    int *votes;
    uint64_t *keys;
    int *rows;
    int cap, max_rows;
};
int sv_scroll_new(struct sv_scroll *s, int max_rows); /* 0 or -1 (no memory) */
void sv_scroll_free(struct sv_scroll *s);

/* Hashes of r's luma rows (r.h entries) then its chroma rows ((r.h + 1) / 2 entries) into out;
 * r.x and r.y are even. */
void sv_scroll_hash(uint64_t *out, const uint8_t *y, int ys, const uint8_t *u, const uint8_t *v,
                    int cs, sasae_video_rect r);

/* The vertical shift dy (!= 0) that best maps prev's luma rows onto cur's
 * (cur[y] == prev[y - dy]) over n rows; returns how many rows match under it (0: no move
 * found) and in *still how many match unshifted. */
int sv_scroll_find(struct sv_scroll *s, int n, int *dy, int *still);

/* Chroma rows move by floor(dy / 2): an odd dy leaves chroma half a row off, which the
 * encoder's row check then finds and codes (flat chroma, as on most text, still matches). */
int sv_scroll_chroma_shift(int dy);

/* Moves r's rows (plane coordinates; r.x, r.y even) by dy inside r: row y takes row y - dy;
 * rows with no source inside r keep what they had. */
void sv_shift_planes(uint8_t *y, int ys, uint8_t *u, uint8_t *v, int cs, sasae_video_rect r,
                     int dy);

/* Applies sv_shift_planes to the LAST reference of a VP9 encoder or decoder of a w x h tile
 * (copy out, shift, set back: both ends do exactly this, so their references stay equal).
 * 0 or -1. */
struct sv_refbuf {
    uint8_t *buf;
    size_t cap;
};
int sv_ref_move(vpx_codec_ctx_t *ctx, struct sv_refbuf *b, int w, int h, sasae_video_rect r,
                int dy);
/* Planes of one tile: origin at the tile's top-left pixel. */
struct sv_planes {
    uint8_t *y, *u, *v;
    int ys, cs;
    int w, h; /* the tile's size */
};
/* The two halves of an edit of the LAST reference: a copy into b (ref->img; *pl its planes,
 * w x h), and setting it back. 0 or -1. */
int sv_ref_get(vpx_codec_ctx_t *ctx, struct sv_refbuf *b, int w, int h, vpx_ref_frame_t *ref,
               struct sv_planes *pl);
int sv_ref_set(vpx_codec_ctx_t *ctx, vpx_ref_frame_t *ref);

#endif
