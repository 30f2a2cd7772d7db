/* sasae/video.h: screen video codec (tiled VP9/VP8 encoder, payload decoder, IVF, PSNR). */
#ifndef SASAE_VIDEO_H
#define SASAE_VIDEO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Errors: every function returning int returns SASAE_VIDEO_OK (0) or a negative
 * sasae_video_err; sasae_video_strerror() names it. */
enum sasae_video_err {
    SASAE_VIDEO_OK = 0,
    SASAE_VIDEO_EINVAL = -1,   /* bad argument (NULL, bad config value) */
    SASAE_VIDEO_EDIM = -2,     /* width/height zero or above SASAE_VIDEO_MAX_DIM */
    SASAE_VIDEO_ERECT = -3,    /* dirty rectangle empty or outside the frame */
    SASAE_VIDEO_ENOMEM = -4,   /* allocation failed */
    SASAE_VIDEO_ECODEC = -5,   /* libvpx refused to init/encode/decode */
    SASAE_VIDEO_ECORRUPT = -6, /* payload malformed, truncated or bitstream corrupt */
    SASAE_VIDEO_ENEEDKEY = -7, /* decoder needs a keyframe payload before this one */
    SASAE_VIDEO_ESPACE = -8,   /* output buffer too small */
};

/* Static name of an error code (never NULL). */
const char *sasae_video_strerror(int err);

#define SASAE_VIDEO_MAX_DIM 8192
/* Tile sides are multiples of 16 in [SASAE_VIDEO_MIN_TILE, SASAE_VIDEO_MAX_DIM]. */
#define SASAE_VIDEO_MIN_TILE 64
#define SASAE_VIDEO_MAX_TILES 1024
/* Upper bound on one tile's compressed frame inside a payload. */
#define SASAE_VIDEO_MAX_TILE_BYTES (16u << 20)

enum sasae_video_codec {
    SASAE_VIDEO_VP9 = 0,
    SASAE_VIDEO_VP8 = 1,
};

typedef struct sasae_video_rect {
    int x, y, w, h;
} sasae_video_rect;

typedef struct sasae_video_config {
    enum sasae_video_codec codec;
    int width, height;  /* 1..SASAE_VIDEO_MAX_DIM */
    int tile_w, tile_h; /* independent streams; 0 = one tile for the whole frame */
    int bitrate_kbps;   /* link budget for the whole frame (frame-level rate control) */
    int fps;            /* calls per second: budget per call = bitrate / fps */
    int speed;          /* VP9 5..9, VP8 4..16 (cpu-used -speed); 0 = VP9 9, VP8 6 */
    int min_q, max_q;   /* 0..63; each frame with changes uses one q in range */
    int rest_q;         /* 0..min_q: top-off sharpens a resting screen down to it (VP9 0 is
                         * lossless) */
    int aq_mode;        /* VP9 only: 0 off, 3 cyclic refresh */
    int threads;        /* libvpx threads per tile encoder (>= 1) */
    int topoff_max;     /* max top-off passes per tile after it stops changing */
    int scroll;         /* VP9 only: 1 finds vertical moves (scrolling) and sends them as a
                         * shift of the reference plus what the move did not bring; the
                         * decoder must understand moves (sasae_vdec does) */
    int patches;        /* VP9 only: 1 sends macroblocks with few levels (text, flat UI) exact,
                         * as deflated pixels written into both ends' reference, where the
                         * frame's byte target has room (else the codec codes them, and top-off
                         * sends them exact later); the decoder must understand patches */
} sasae_video_config;

/* Fill *cfg with the defaults (VP9, speed by codec, 384x2176 tiles, 1000 kbit/s, 30 fps, q 10..50,
 * AQ off, 1 thread, top-off up to 30 frames per change, no move detection, no patches) for a
 * width x height screen. */
void sasae_video_config_default(sasae_video_config *cfg, int width, int height);

/* I420 image. Planes are owned by whoever produced it. */
typedef struct sasae_video_image {
    int width, height;
    const uint8_t *planes[3]; /* Y, U, V; chroma is (w+1)/2 x (h+1)/2 */
    int strides[3];
} sasae_video_image;

/* ---------------------------------------------------------------- encoder */
typedef struct sasae_venc sasae_venc;

/* Create an encoder. Returns 0 and *out, or EINVAL/EDIM/ENOMEM/ECODEC. Free with
 * sasae_venc_free. */
int sasae_venc_new(const sasae_video_config *cfg, sasae_venc **out);
void sasae_venc_free(sasae_venc *enc);

/* Flags for sasae_venc_encode. */
#define SASAE_VENC_KEYFRAME 1u /* every tile becomes a keyframe (rects ignored) */
#define SASAE_VENC_FORCE 2u    /* emit a payload even if nothing changed (keepalive) */

/* One captured frame. */
typedef struct sasae_video_frame {
    const uint8_t *bgra;           /* width x height pixels, bytes B,G,R,A */
    int stride;                    /* bytes per row, >= 4 * width */
    const sasae_video_rect *rects; /* dirty rectangles (may overlap); NULL if nrects is 0 */
    size_t nrects;
    int64_t pts_us; /* capture time (any monotonic clock); the link budget grows with it.
                     * Not greater than the previous one: counts as 1/fps later. */
} sasae_video_frame;

/* Encode one captured frame. Only the pixels inside the dirty rectangles are read, unless
 * this is a keyframe (the first frame always is). Writes one payload into out[0..cap) and
 * its length to *out_len; *out_len == 0 means nothing to send (unchanged, and nothing to
 * top off now). A payload never exceeds sasae_venc_max_payload(). Errors: ERECT, EINVAL,
 * ESPACE, ECODEC; after an error the next payload is a keyframe. */
int sasae_venc_encode(sasae_venc *enc, const sasae_video_frame *frame, unsigned flags, uint8_t *out,
                      size_t cap, size_t *out_len);

/* A safe output capacity for this encoder's payloads. */
size_t sasae_venc_max_payload(const sasae_venc *enc);

/* Live changes; they apply from the next frame. */
int sasae_venc_set_bitrate(sasae_venc *enc, int kbps);
int sasae_venc_set_fps(sasae_venc *enc, int fps);

/* 1 while static tiles can still be sharpened (top-off): the caller should keep calling
 * sasae_venc_encode at its frame rate even without changes (most such calls produce no
 * output while the link budget refills). 0: nothing to do until the screen changes. */
int sasae_venc_pending_topoff(const sasae_venc *enc);

/* Payloads sent so far that carried a move (cfg.scroll), for statistics. */
unsigned long sasae_venc_moves(const sasae_venc *enc);
/* Macroblocks the last call sent exact as patches (cfg.patches), for statistics. */
int sasae_venc_last_patch_mbs(const sasae_venc *e);
/* Macroblocks (16x16) the last call had the codec code (the rest were skipped): the
 * encoder's work, for statistics. */
int sasae_venc_last_coded_mbs(const sasae_venc *enc);
/* The quantizer of the last call's tiles (one per frame), for statistics. */
int sasae_venc_last_q(const sasae_venc *enc);

/* ---------------------------------------------------------------- decoder */
typedef struct sasae_vdec sasae_vdec;

int sasae_vdec_new(sasae_vdec **out);
void sasae_vdec_free(sasae_vdec *dec);

/* Decode one payload. On success *img (optional) points at the decoder's full-frame I420
 * image, valid until the next call or free; it can be handed to SDL_UpdateYUVTexture
 * directly. Errors: ECORRUPT (malformed, truncated, bitstream error), ENEEDKEY; after any
 * error sasae_vdec_needs_keyframe() is 1 until a keyframe payload decodes. A keyframe with
 * other dimensions resizes the image. */
int sasae_vdec_decode(sasae_vdec *dec, const uint8_t *data, size_t len, sasae_video_image *img);

/* 1 if the decoder can only accept a keyframe payload (initially, and after errors). */
int sasae_vdec_needs_keyframe(const sasae_vdec *dec);

/* ---------------------------------------------------------------- payload inspection */
typedef struct sasae_video_payload_tile {
    int index; /* row-major tile number */
    int x, y, w, h;
    int keyframe;
    int moved;                  /* 1: shift move_rect's rows by move_dy in the reference first */
    sasae_video_rect move_rect; /* tile coordinates, x and y even */
    int move_dy;                /* row y takes row y - move_dy */
    const uint8_t *patch;       /* exact macroblocks written after the bitstream; NULL: none */
    size_t patch_len;
    int patch_mbs;       /* how many macroblocks the patch carries */
    const uint8_t *data; /* the bitstream: points into the payload; len 0 only with a patch */
    size_t len;
} sasae_video_payload_tile;

typedef struct sasae_video_payload_info {
    enum sasae_video_codec codec;
    int width, height, tile_w, tile_h, cols, rows;
    int keyframe; /* every tile present as a keyframe */
    int ntiles;   /* entries in this payload */
} sasae_video_payload_info;

/* Parse and check a payload header and its tile table (not the bitstreams). tiles may be
 * NULL; otherwise it receives up to max_tiles entries. Errors: ECORRUPT. */
int sasae_video_payload_parse(const uint8_t *data, size_t len, sasae_video_payload_info *info,
                              sasae_video_payload_tile *tiles, int max_tiles);

/* ---------------------------------------------------------------- IVF */
#define SASAE_IVF_HEADER_LEN 32
#define SASAE_IVF_FRAME_HEADER_LEN 12

/* Write the 32-byte IVF file header for one stream (fourcc VP90/VP80). */
void sasae_ivf_header(uint8_t out[SASAE_IVF_HEADER_LEN], enum sasae_video_codec codec, int w, int h,
                      int fps, uint32_t nframes);
/* Write the 12-byte header that precedes each frame of `len` bytes. */
void sasae_ivf_frame_header(uint8_t out[SASAE_IVF_FRAME_HEADER_LEN], uint32_t len, uint64_t pts);
/* Read the next frame of an IVF file held in memory. *off starts at 0 (the file header is
 * checked and skipped). Returns 1 and the frame, 0 at clean end, ECORRUPT otherwise. */
int sasae_ivf_next(const uint8_t *file, size_t len, size_t *off, const uint8_t **frame,
                   size_t *frame_len);

/* ---------------------------------------------------------------- quality */
/* PSNR in dB over all Y, U and V samples together (as vpxenc's overall figure) of two
 * same-sized images; 99.0 for identical images, negative on size mismatch. */
double sasae_video_psnr(const sasae_video_image *a, const sasae_video_image *b);

#ifdef __cplusplus
}
#endif
#endif
