/* patch.h: exact macroblocks ("patches", private to codec/video). Screen content with few
 * levels per macroblock (text, flat UI) costs VP9 lossless about a byte a pixel; its I420
 * pixels deflated cost a tenth of that. A patch carries runs of such macroblocks exactly, and
 * both ends write them into the tile's reference, so the codec predicts from exact pixels.
 *
 * Section layout (inside a tile entry, after the move): u32 n = bytes that follow;
 * u16 runs; runs x {u16 mb_row, u16 mb_col, u16 count} in raster order, not overlapping,
 * inside the tile; then one zlib stream of each run's pixels in order: its luma rows, then
 * its U rows, then its V rows (the run clipped to the tile; chroma (w+1)/2 x (h+1)/2). */
#ifndef SASAE_VIDEO_PATCH_H
#define SASAE_VIDEO_PATCH_H

#include <stddef.h>
#include <stdint.h>

#include "sasae/video.h"
#include "scroll.h"

#define SV_PATCH_HEAD 6 /* u32 length, u16 runs */
#define SV_PATCH_RUN 6

/* A patch being built or read: growable buffers reused from frame to frame. */
struct sv_patch {
    uint8_t *raw; /* gathered pixels */
    size_t raw_cap;
    uint8_t *sec; /* the encoded section */
    size_t sec_cap, sec_len;
    int mbs; /* macroblocks it carries */
};
void sv_patch_free(struct sv_patch *p);

/* 1 if the w x h (<= 16) macroblock at y/u/v (its top-left; chroma (w+1)/2 x (h+1)/2) is
 * flat (few levels) or text on a plain background: what deflates well enough to be sent
 * as a patch. */
int sv_mb_is_flat(const uint8_t *y, int ys, const uint8_t *u, const uint8_t *v, int cs, int w,
                  int h);

/* Encodes the macroblocks whose map byte (mbw x mbh, raster) is set, read from src, into
 * p->sec from offset at (sections of several tiles lie back to back); p->sec_len becomes
 * the end of it (at when the map is empty). 0, or -1 (no memory, zlib): sec_len is at. */
int sv_patch_build(struct sv_patch *p, size_t at, const uint8_t *map, int mbw, int mbh,
                   const struct sv_planes *src);

/* The length of the section at data (what sv_patch_build wrote), checked: the runs are in
 * raster order inside a w x h tile. 0 if malformed or longer than avail. */
size_t sv_patch_size(const uint8_t *data, size_t avail, int w, int h);

/* Inflates a checked section into p->raw. 0, or -1 if the stream is corrupt or its length is
 * not exactly the runs' pixels. */
int sv_patch_inflate(struct sv_patch *p, const uint8_t *sec, size_t len, int w, int h);

/* Writes the pixels sv_patch_inflate left in p->raw into dst (the runs of sec). */
void sv_patch_scatter(const struct sv_patch *p, const uint8_t *sec, const struct sv_planes *dst);

/* Copies the runs of sec from src to dst (the encoder writes its own source into its
 * reference: no inflate needed). */
void sv_patch_copy(const uint8_t *sec, const struct sv_planes *src, const struct sv_planes *dst);

/* How many macroblocks a checked section carries. */
int sv_patch_count(const uint8_t *sec);

/* Sets the map bytes (mbw per row) of the section's macroblocks to v. */
void sv_patch_fill(const uint8_t *sec, uint8_t *map, int mbw, uint8_t v);

#endif
