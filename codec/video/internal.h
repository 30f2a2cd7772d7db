/* internal.h: payload byte layout shared by the encoder, decoder and parser (private). */
#ifndef SASAE_VIDEO_INTERNAL_H
#define SASAE_VIDEO_INTERNAL_H

#include <stdint.h>
#include <stddef.h>

#include "sasae/video.h"

#define SV_MAGIC0 'S'
#define SV_MAGIC1 'V'
#define SV_VERSION 1
#define SV_HEADER_LEN 16
#define SV_ENTRY_LEN 7
#define SV_FLAG_KEY 1u
#define SV_FLAG_MOVE 2u /* entry: a move of the tile's reference precedes the bitstream */
#define SV_MOVE_LEN 10  /* x, y, w, h (u16, tile coordinates), dy (s16) */
/* entry: exact macroblocks (patch.h) follow the move; they are written after the bitstream,
 * which may then be empty */
#define SV_FLAG_PATCH 4u

#define SV_ALIGN(v, a) (((v) + (a)-1) / (a) * (a))

static inline void sv_put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void sv_put32(uint8_t *p, uint32_t v)
{
    sv_put16(p, v & 0xffff);
    sv_put16(p + 2, v >> 16);
}

static inline unsigned sv_get16(const uint8_t *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static inline uint32_t sv_get32(const uint8_t *p)
{
    return (uint32_t)sv_get16(p) | (uint32_t)sv_get16(p + 2) << 16;
}

/* Tile grid for a frame: tile sides 0 mean "whole frame". */
static inline int sv_tile_ok(int side, int dim)
{
    return side >= dim || (side >= SASAE_VIDEO_MIN_TILE && side % 16 == 0);
}

#endif
