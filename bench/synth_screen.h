/* synth_screen.h: deterministic synthetic screen content (text, typing, scroll, motion). */
#ifndef SASAE_SYNTH_SCREEN_H
#define SASAE_SYNTH_SCREEN_H

#include <stdint.h>

/* Width and height of one typed glyph box (a typing-sized change). */
#define SYNTH_GLYPH_W 10
#define SYNTH_GLYPH_H 20

/* Render a text document (dark glyphs on a light page, a title bar, a coloured sidebar)
 * into w x h BGRA pixels, scrolled up by scroll_px pixels. Deterministic. */
void synth_text(uint8_t *bgra, int stride, int w, int h, int scroll_px);

/* Draw typed glyph number n into the SYNTH_GLYPH_W x SYNTH_GLYPH_H box at (x, y); the box
 * must lie inside the frame. */
void synth_glyph(uint8_t *bgra, int stride, int x, int y, unsigned n);

/* Full-motion content (smooth moving colour field with moving shapes) at time step t. */
void synth_motion(uint8_t *bgra, int stride, int w, int h, int t);

#endif
