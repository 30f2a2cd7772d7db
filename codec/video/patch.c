/* patch.c: exact macroblocks as deflated I420 pixels (patch.h). */
#include "patch.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* A macroblock with at most this many levels in each plane is flat: text without
 * anti-aliasing has 2, a flat UI 1-4, a photo or a gradient dozens. */
#define SV_FLAT_LEVELS 8
/* Anti-aliased text on a plain background: one luma level (the background) covers at least
 * half of the macroblock, luma has at most SV_TEXT_LEVELS, and each chroma plane at most
 * SV_TEXT_CHROMA or one level on half of it (coloured text, a link, spreads over the 8x8
 * chroma samples). Such macroblocks deflate to ~59 B (a web page of 14-px DejaVu Sans); a
 * photo's or a fractal's never qualify (no dominant luma level), a drawing's edges on flat
 * fills do (~83 B). */
#define SV_TEXT_LEVELS 64
#define SV_TEXT_CHROMA 32

/* Pixels per run are bounded by the tile: 16 rows of at most SASAE_VIDEO_MAX_DIM. */
#define RUN_MAX_BYTES ((size_t)16 * SASAE_VIDEO_MAX_DIM * 3 / 2)

void sv_patch_free(struct sv_patch *p)
{
    free(p->raw);
    free(p->sec);
    memset(p, 0, sizeof(*p));
}

/* Levels in a w x h plane block and how many pixels the commonest covers; stops counting
 * (returns max + 1 levels) past max. */
static int levels(const uint8_t *p, int stride, int w, int h, int max, int *top)
{
    uint16_t count[256]; /* set when a level is first seen */
    uint64_t seen[4] = {0, 0, 0, 0};
    int n = 0;
    *top = 0;
    for (int r = 0; r < h; r++) {
        const uint8_t *row = p + (size_t)r * stride;
        for (int c = 0; c < w; c++) {
            uint8_t v = row[c];
            uint64_t bit = 1ull << (v & 63);
            if (!(seen[v >> 6] & bit)) {
                if (n == max)
                    return max + 1;
                seen[v >> 6] |= bit;
                n++;
                count[v] = 0;
            }
            if (++count[v] > *top)
                *top = count[v];
        }
    }
    return n;
}

int sv_mb_is_flat(const uint8_t *y, int ys, const uint8_t *u, const uint8_t *v, int cs, int w,
                  int h)
{
    int cw = (w + 1) / 2, ch = (h + 1) / 2, top;
    int n = levels(y, ys, w, h, SV_TEXT_LEVELS, &top);
    if (n > SV_FLAT_LEVELS && (n > SV_TEXT_LEVELS || 2 * top < w * h))
        return 0;
    for (int k = 0; k < 2; k++) {
        /* at most 64 samples: every level is counted */
        n = levels(k ? v : u, cs, cw, ch, cw * ch, &top);
        if (n > SV_TEXT_CHROMA && 2 * top < cw * ch)
            return 0;
    }
    return 1;
}

/* A run's pixel rectangle, clipped to the tile. */
struct run {
    int x, y, w, h;
};

static struct run run_at(const uint8_t *r, int tw, int th)
{
    struct run o;
    o.x = (int)sv_get16(r + 2) * 16;
    o.y = (int)sv_get16(r) * 16;
    o.w = (int)sv_get16(r + 4) * 16;
    if (o.w > tw - o.x)
        o.w = tw - o.x;
    o.h = th - o.y < 16 ? th - o.y : 16;
    return o;
}

static size_t run_bytes(struct run r)
{
    return (size_t)r.w * r.h + 2 * (size_t)((r.w + 1) / 2) * ((r.h + 1) / 2);
}

/* Copies run r between a packed buffer and planes: to_planes 1 writes the planes. */
static size_t run_move(uint8_t *packed, const struct sv_planes *pl, struct run r, int to_planes)
{
    size_t off = 0;
    int cw = (r.w + 1) / 2, ch = (r.h + 1) / 2;
    uint8_t *plane[3] = {pl->y + (size_t)r.y * pl->ys + r.x,
                         pl->u + (size_t)(r.y / 2) * pl->cs + r.x / 2,
                         pl->v + (size_t)(r.y / 2) * pl->cs + r.x / 2};
    for (int k = 0; k < 3; k++) {
        int w = k ? cw : r.w, h = k ? ch : r.h, s = k ? pl->cs : pl->ys;
        for (int i = 0; i < h; i++, off += (size_t)w) {
            if (to_planes)
                memcpy(plane[k] + (size_t)i * s, packed + off, (size_t)w);
            else
                memcpy(packed + off, plane[k] + (size_t)i * s, (size_t)w);
        }
    }
    return off;
}

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 4096;
    while (n < need)
        n *= 2;
    uint8_t *p = realloc(*buf, n);
    if (!p)
        return -1;
    *buf = p;
    *cap = n;
    return 0;
}

int sv_patch_build(struct sv_patch *p, size_t base, const uint8_t *map, int mbw, int mbh,
                   const struct sv_planes *src)
{
    p->sec_len = base;
    p->mbs = 0;
    /* runs first, into sec after the head; pixels gathered into raw */
    size_t nruns = 0, raw = 0;
    for (int r = 0; r < mbh; r++)
        for (int c = 0; c < mbw;) {
            if (!map[r * mbw + c]) {
                c++;
                continue;
            }
            int n = 0;
            while (c + n < mbw && map[r * mbw + c + n])
                n++;
            size_t at = base + SV_PATCH_HEAD + nruns * SV_PATCH_RUN;
            if (grow(&p->sec, &p->sec_cap, at + SV_PATCH_RUN))
                return -1;
            sv_put16(p->sec + at, (unsigned)r);
            sv_put16(p->sec + at + 2, (unsigned)c);
            sv_put16(p->sec + at + 4, (unsigned)n);
            struct run rr = run_at(p->sec + at, src->w, src->h);
            if (grow(&p->raw, &p->raw_cap, raw + run_bytes(rr)))
                return -1;
            raw += run_move(p->raw + raw, src, rr, 0);
            nruns++;
            p->mbs += n;
            c += n;
        }
    if (!nruns)
        return 0;
    if (nruns > 0xffff)
        return -1; /* a tile has at most 512 x 512 / 2 runs; never */
    size_t at = base + SV_PATCH_HEAD + nruns * SV_PATCH_RUN;
    uLongf zlen = compressBound((uLong)raw);
    if (grow(&p->sec, &p->sec_cap, at + zlen))
        return -1;
    if (compress2(p->sec + at, &zlen, p->raw, (uLong)raw, 6) != Z_OK)
        return -1;
    p->sec_len = at + zlen;
    sv_put32(p->sec + base, (uint32_t)(p->sec_len - base - 4));
    sv_put16(p->sec + base + 4, (unsigned)nruns);
    return 0;
}

size_t sv_patch_size(const uint8_t *d, size_t avail, int w, int h)
{
    if (avail < SV_PATCH_HEAD)
        return 0;
    size_t len = (size_t)sv_get32(d) + 4;
    size_t nruns = sv_get16(d + 4);
    if (len > avail || nruns == 0 || len <= SV_PATCH_HEAD + nruns * SV_PATCH_RUN)
        return 0;
    int mbw = (w + 15) / 16, mbh = (h + 15) / 16;
    long prev_end = -1; /* raster position just after the last run */
    for (size_t i = 0; i < nruns; i++) {
        const uint8_t *r = d + SV_PATCH_HEAD + i * SV_PATCH_RUN;
        int row = (int)sv_get16(r), col = (int)sv_get16(r + 2), n = (int)sv_get16(r + 4);
        if (row >= mbh || col >= mbw || n < 1 || n > mbw - col)
            return 0;
        long start = (long)row * mbw + col;
        if (start < prev_end)
            return 0;
        prev_end = start + n;
    }
    return len;
}

int sv_patch_inflate(struct sv_patch *p, const uint8_t *sec, size_t len, int w, int h)
{
    size_t nruns = sv_get16(sec + 4), want = 0;
    for (size_t i = 0; i < nruns; i++)
        want += run_bytes(run_at(sec + SV_PATCH_HEAD + i * SV_PATCH_RUN, w, h));
    if (want > nruns * RUN_MAX_BYTES || grow(&p->raw, &p->raw_cap, want + 1))
        return -1;
    size_t at = SV_PATCH_HEAD + nruns * SV_PATCH_RUN;
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit(&z) != Z_OK)
        return -1;
    z.next_in = (Bytef *)(uintptr_t)(sec + at);
    z.avail_in = (uInt)(len - at);
    z.next_out = p->raw;
    z.avail_out = (uInt)(want + 1); /* one spare byte: a longer stream fills it and fails */
    int zr = inflate(&z, Z_FINISH);
    int ok = zr == Z_STREAM_END && z.total_out == want && z.avail_in == 0;
    inflateEnd(&z);
    return ok ? 0 : -1;
}

void sv_patch_scatter(const struct sv_patch *p, const uint8_t *sec, const struct sv_planes *dst)
{
    size_t nruns = sv_get16(sec + 4), off = 0;
    for (size_t i = 0; i < nruns; i++)
        off += run_move(p->raw + off, dst,
                        run_at(sec + SV_PATCH_HEAD + i * SV_PATCH_RUN, dst->w, dst->h), 1);
}

void sv_patch_copy(const uint8_t *sec, const struct sv_planes *src, const struct sv_planes *dst)
{
    size_t nruns = sv_get16(sec + 4);
    for (size_t i = 0; i < nruns; i++) {
        struct run r = run_at(sec + SV_PATCH_HEAD + i * SV_PATCH_RUN, src->w, src->h);
        int cw = (r.w + 1) / 2, ch = (r.h + 1) / 2;
        for (int j = 0; j < r.h; j++)
            memcpy(dst->y + (size_t)(r.y + j) * dst->ys + r.x,
                   src->y + (size_t)(r.y + j) * src->ys + r.x, (size_t)r.w);
        for (int j = 0; j < ch; j++) {
            size_t so = (size_t)(r.y / 2 + j) * src->cs + r.x / 2;
            size_t d = (size_t)(r.y / 2 + j) * dst->cs + r.x / 2;
            memcpy(dst->u + d, src->u + so, (size_t)cw);
            memcpy(dst->v + d, src->v + so, (size_t)cw);
        }
    }
}

int sv_patch_count(const uint8_t *sec)
{
    size_t nruns = sv_get16(sec + 4);
    int n = 0;
    for (size_t i = 0; i < nruns; i++)
        n += (int)sv_get16(sec + SV_PATCH_HEAD + i * SV_PATCH_RUN + 4);
    return n;
}

void sv_patch_fill(const uint8_t *sec, uint8_t *map, int mbw, uint8_t v)
{
    size_t nruns = sv_get16(sec + 4);
    for (size_t i = 0; i < nruns; i++) {
        const uint8_t *r = sec + SV_PATCH_HEAD + i * SV_PATCH_RUN;
        memset(map + (size_t)sv_get16(r) * mbw + sv_get16(r + 2), v, sv_get16(r + 4));
    }
}
