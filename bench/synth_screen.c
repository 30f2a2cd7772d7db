/* synth_screen.c: deterministic synthetic screen content for codec tests and benchmarks. */
#include "synth_screen.h"

#include <string.h>

static uint32_t mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

/* 8x16 cell glyph pixel: a pseudo-random 5x9 stroke pattern per character code. */
static int glyph_px(uint32_t code, int gx, int gy)
{
    if (gx < 1 || gx > 5 || gy < 4 || gy > 12)
        return 0;
    uint32_t bits = mix(code * 2654435761U + (uint32_t)gy);
    return (bits >> (gx * 3)) & 1;
}

static void put(uint8_t *p, uint8_t b, uint8_t g, uint8_t r)
{
    p[0] = b;
    p[1] = g;
    p[2] = r;
    p[3] = 255;
}

void synth_text(uint8_t *bgra, int stride, int w, int h, int scroll_px)
{
    const int bar = 24, side = w >= 320 ? 120 : 0;
    for (int y = 0; y < h; y++) {
        uint8_t *row = bgra + (size_t)y * stride;
        if (y < bar) {
            for (int x = 0; x < w; x++)
                put(row + 4 * x, 120, 80, 40);
            continue;
        }
        int docy = y - bar + scroll_px;
        int line = docy / 16, gy = docy % 16;
        uint32_t lh = mix((uint32_t)line + 12345U);
        int len = (int)(lh % 120); /* characters on this line */
        if (lh % 7 == 0)
            len = 0; /* blank line */
        for (int x = 0; x < w; x++) {
            uint8_t *p = row + 4 * x;
            if (x < side) {
                put(p, 70, 60, 50);
                continue;
            }
            int col = (x - side - 4) / 8, gx = (x - side - 4) % 8;
            int ink = 0;
            if (x - side >= 4 && col < len) {
                uint32_t code = mix((uint32_t)line * 131U + (uint32_t)col) % 96;
                if (code % 6 != 0) /* spaces between words */
                    ink = glyph_px(code, gx, gy);
            }
            if (ink)
                put(p, 30, 30, 30);
            else
                put(p, 250, 250, 250);
        }
    }
}

void synth_glyph(uint8_t *bgra, int stride, int x, int y, unsigned n)
{
    for (int gy = 0; gy < SYNTH_GLYPH_H; gy++) {
        uint8_t *row = bgra + (size_t)(y + gy) * stride + (size_t)x * 4;
        uint32_t bits = mix(n * 40503U + (uint32_t)gy);
        for (int gx = 0; gx < SYNTH_GLYPH_W; gx++) {
            int ink = gy >= 3 && gy < 17 && gx >= 1 && gx < 9 && ((bits >> gx) & 1);
            if (ink)
                put(row + 4 * gx, 20, 20, 20);
            else
                put(row + 4 * gx, 250, 250, 250);
        }
    }
}

void synth_motion(uint8_t *bgra, int stride, int w, int h, int t)
{
    for (int y = 0; y < h; y++) {
        uint8_t *row = bgra + (size_t)y * stride;
        for (int x = 0; x < w; x++) {
            int a = (x + 3 * t) & 511, b = (y + 2 * t) & 511;
            int r = a < 256 ? a : 511 - a;
            int g = b < 256 ? b : 511 - b;
            int bl = ((x + y + 5 * t) >> 1) & 255;
            /* moving squares give edges and real motion */
            int sx = (x + 7 * t) % 200, sy = (y + 4 * t) % 160;
            if (sx < 60 && sy < 50) {
                r = 255 - r;
                bl = 255 - bl;
            }
            put(row + 4 * x, (uint8_t)bl, (uint8_t)g, (uint8_t)r);
        }
    }
}
