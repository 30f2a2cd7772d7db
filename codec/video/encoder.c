/* encoder.c: tiled screen encoder: dirty rects -> libyuv I420 -> one VP9/VP8 stream per tile. */
#include "sasae/video.h"
#include "internal.h"
#include "vpxmem.h"
#include "scroll.h"
#include "patch.h"

#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <libyuv.h>
#include <vpx/vpx_encoder.h>
#include <vpx/vp8cx.h>

struct venc_tile {
    vpx_codec_ctx_t ctx;
    int inited;
    int x, y, w, h;
    int mbx, mby, mbw, mbh; /* macroblock window of this tile in the frame's map */
    int last_q;             /* the worst of mbq: the tile's blurriest part */
    uint8_t *mbq;  /* per macroblock, the quantizer it was last coded at: a top-off pass codes
                    * only those above its own */
    uint8_t *rowq; /* per luma row and macroblock column, the quantizer of what the row shows
                    * (mbq is the worst of a macroblock's rows): a move shifts these exactly,
                    * so a blurry row's mark travels with it instead of spreading over every
                    * macroblock a sub-macroblock scroll passes (h x mbw) */
    int topoff_left;
    int64_t last_pts;
    int cfg_q;     /* quantizer the encoder is pinned to */
    int want;      /* this frame: 0 skip, else enum rc_kind + 1 */
    int active_mb; /* changed macroblocks this frame */
    uint8_t *amap;
    int moved;                /* this frame shifts the reference first (scroll.h) */
    sasae_video_rect mv_rect; /* tile coordinates */
    int mv_dy;
    int top_rank; /* order in a frame of top-off alone (pick_topoff) */
    /* A top-off pass sharpens the tile a band of macroblocks per frame, in raster order: the
     * next one, -1 when the tile is not in a pass; this frame's band is [pass_mb,
     * pass_mb + band). */
    int pass_mb;
    int band;     /* macroblocks of the band, in raster order */
    int band_mbs; /* those of them the pass codes (above its quantizer) */
    void *tok;    /* libvpx's token buffer, per-frame scratch (vpxmem.h); NULL: not known */
    int vp9_mbs;  /* this frame: macroblocks of the active map (the codec's) */
    size_t patch_off, patch_len; /* this frame: its patch section in sasae_venc.pat */
};

/* What a tile is doing in a frame; each has its own cost model. */
enum rc_kind { RC_KEY, RC_CHANGED, RC_TOPOFF, RC_MOVE, RC_KINDS };

struct sasae_venc {
    sasae_video_config cfg;
    int cols, rows, ntiles;
    int tw, th; /* effective tile size */
    struct venc_tile *tiles;
    uint8_t *y, *u, *v;
    int ys, cs;
    int mbcols, mbrows;
    uint8_t *dirty;      /* one byte per 16x16 macroblock of the frame */
    int64_t clock_us;    /* libvpx timestamps */
    int64_t last_in_pts; /* caller's pts of the previous frame */
    int need_key;
    int pending_topoff;
    int pass_q;      /* quantizer of the top-off pass in progress (tiles with pass_mb >= 0) */
    double pass_bpp; /* bytes per pixel its bands are sized by; 0: not yet known */
    double pass_max; /* the most bytes per pixel a frame of its bands cost */
    int pass_mbs; /* macroblocks of its last frame's bands: the next take at most 4 times as many */
    /* Frame-level rate control (see pick_q): one quantizer for every tile in a frame. */
    double credit;        /* bytes the link can still take, capped at one second */
    double bpp[RC_KINDS]; /* bytes per pixel at RC_QREF, per enum rc_kind */
    int q;                /* quantizer of the last frame */
    struct sv_scroll scr; /* move detection (cfg.scroll) */
    struct sv_refbuf ref;
    unsigned long moves; /* frames sent with a move */
    int64_t move_pts;    /* clock_us of the last frame that carried a move */
    int coded_mbs;       /* in the last call */
    int patch_mbs;       /* of them, sent as patches */
    struct sv_patch pat; /* this frame's patch sections, back to back (patch.h) */
    uint8_t *pmap;       /* scratch: one tile's flat macroblocks */
};

#define RC_QREF 32
/* Frame size roughly halves for every RC_QSTEP steps of quantizer. */
#define RC_QSTEP 8.0
/* ... but not a strip that moved: its coded rows are mostly the shifted reference, and what
 * is new is a few rows of text, whose modes and motion cost as much as their detail. A 4-px
 * scroll of dense text costs 1.28x the bytes lossless as at q 20 (1 Mbit/s, 1080p), so its
 * cost doubles only every ~40 steps, and new rows can often be sent exact. */
#define RC_QSTEP_MOVE 40.0
/* Top-off a static tile only if it gets at least this much sharper. */
#define RC_TOPOFF_GAIN 4
/* A frame of top-off alone aims at this many frame budgets of link time: a change that
 * comes next (a scroll, a key) queues behind about that much refinement (twice that after a
 * blank band, see topoff_plan). */
#define RC_TOPOFF_CHUNK 1.5
/* A top-off pass (one quantizer over its tiles, in chunks) costs at most this many seconds of
 * link: enough for a lossless pass over a page of text at 1 Mbit/s. */
#define RC_PASS_SECONDS 3.0
/* The first band of a pass, before its cost is known: a few macroblocks (lossless text can
 * cost 600 bytes each). */
#define RC_PROBE_MBS 4
/* A frame that carries a move (a scroll in progress) at most this many. With moved strips
 * priced by their own model (RC_QSTEP_MOVE) frames fill their target; at 0.7 a 16-px line
 * scroll at 1 Mbit/s queued (p95 56 ms against 40 at 0.55). */
#define RC_MOVE_FRAMES 0.55
/* A scroll is in progress until this long after its last move: frames between its steps (a
 * capture that caught the rows drawn after the copy) keep the move's budget, and nothing is
 * topped off, or a refinement of a whole strip would queue before the next step. */
#define RC_SCROLL_HOLD_US 300000
#define RC_SCROLL_MAX_Q 63

static vpx_codec_iface_t *venc_iface(enum sasae_video_codec c)
{
    return c == SASAE_VIDEO_VP8 ? vpx_codec_vp8_cx() : vpx_codec_vp9_cx();
}

void sasae_video_config_default(sasae_video_config *cfg, int width, int height)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->codec = SASAE_VIDEO_VP9;
    cfg->width = width;
    cfg->height = height;
    cfg->tile_w = 384;  /* full-height strips up to 4K: vertical scrolling stays inside */
    cfg->tile_h = 2176; /* a stream, while a typed glyph touches one 384-px-wide strip */
    cfg->bitrate_kbps = 1000;
    cfg->fps = 30;
    cfg->speed = 0; /* per codec: VP9 9, VP8 6 (measured in bench/RESULTS-video.md) */
    cfg->min_q = 10;
    cfg->rest_q = 0;
    cfg->max_q = 50;
    cfg->aq_mode = 0;
    cfg->threads = 1;
    cfg->topoff_max = 30;
}

static int config_check(const sasae_video_config *c)
{
    if (c->width < 1 || c->height < 1 || c->width > SASAE_VIDEO_MAX_DIM ||
        c->height > SASAE_VIDEO_MAX_DIM)
        return SASAE_VIDEO_EDIM;
    if (c->codec != SASAE_VIDEO_VP9 && c->codec != SASAE_VIDEO_VP8)
        return SASAE_VIDEO_EINVAL;
    if (c->tile_w < 0 || c->tile_h < 0 || (c->tile_w && !sv_tile_ok(c->tile_w, c->width)) ||
        (c->tile_h && !sv_tile_ok(c->tile_h, c->height)))
        return SASAE_VIDEO_EINVAL;
    if (c->bitrate_kbps < 1 || c->bitrate_kbps > 1000000 || c->fps < 1 || c->fps > 1000)
        return SASAE_VIDEO_EINVAL;
    if (c->min_q < 0 || c->max_q > 63 || c->min_q > c->max_q || c->rest_q < 0 ||
        c->rest_q > c->min_q || c->threads < 1 || c->threads > 16 || c->topoff_max < 0 ||
        (c->aq_mode != 0 && c->aq_mode != 3))
        return SASAE_VIDEO_EINVAL;
    if (c->speed != 0 && (c->codec == SASAE_VIDEO_VP9 ? (c->speed < 5 || c->speed > 9)
                                                      : (c->speed < 4 || c->speed > 16)))
        return SASAE_VIDEO_EINVAL;
    return SASAE_VIDEO_OK;
}

/* libvpx wants a target rate even though pick_q pins the quantizer: the tile's area share. */
static unsigned tile_kbps(const sasae_venc *e, const struct venc_tile *t)
{
    double k = e->cfg.bitrate_kbps * ((double)t->w * t->h / ((double)e->cfg.width * e->cfg.height));
    return k < 8 ? 8 : (unsigned)(k + 0.5);
}

static int tile_rc_config(sasae_venc *e, struct venc_tile *t, vpx_codec_enc_cfg_t *vc, int q)
{
    vc->g_w = (unsigned)t->w;
    vc->g_h = (unsigned)t->h;
    vc->g_threads = (unsigned)e->cfg.threads;
    vc->g_timebase.num = 1;
    vc->g_timebase.den = 1000000;
    vc->g_lag_in_frames = 0;
    vc->g_pass = VPX_RC_ONE_PASS;
    vc->g_error_resilient = 0;
    vc->rc_end_usage = VPX_CBR;
    vc->rc_target_bitrate = tile_kbps(e, t);
    vc->rc_min_quantizer = vc->rc_max_quantizer = (unsigned)q;
    t->cfg_q = q;
    vc->rc_undershoot_pct = 100;
    vc->rc_overshoot_pct = 15;
    vc->rc_dropframe_thresh = 0;
    vc->rc_resize_allowed = 0;
    vc->rc_buf_initial_sz = 500;
    vc->rc_buf_optimal_sz = 600;
    vc->rc_buf_sz = 1000;
    vc->kf_mode = VPX_KF_DISABLED;
    vc->kf_min_dist = 0;
    vc->kf_max_dist = 10000;
    return 0;
}

/* The bytes of a VP9 encoder's token buffer for a w x h frame: libvpx 1.12's
 * get_token_alloc (vp9_encoder.h) tokens of sizeof(TOKENEXTRA) (vp9_tokenize.h). Another
 * layout only means the buffer is not recognised, and its pages are not given back. */
static size_t vp9_token_bytes(int w, int h)
{
    struct vp9_token {
        const void *context_tree;
        int16_t token;
        int16_t extra;
    };
    size_t mb_cols = (size_t)((w + 7) / 8 + 1) / 2, mb_rows = (size_t)((h + 7) / 8 + 1) / 2;
    return mb_rows * mb_cols * (16 * 16 * 3 + 4) * sizeof(struct vp9_token);
}

/* After a frame of more than this many bytes a tile's token buffer is given back: such a
 * frame wrote ~30 times as much in tokens, and a lossless strip of text leaves 7 MB resident
 * that no later frame reads. Small frames write a page or two per coded row; keeping those
 * saves a fault each per frame. */
#define TOKEN_RELEASE_BYTES 4096

static int tile_init(sasae_venc *e, struct venc_tile *t)
{
    vpx_codec_iface_t *ifc = venc_iface(e->cfg.codec);
    vpx_codec_enc_cfg_t vc;
    if (vpx_codec_enc_config_default(ifc, &vc, 0))
        return SASAE_VIDEO_ECODEC;
    tile_rc_config(e, t, &vc, e->cfg.max_q);
    if (e->cfg.codec == SASAE_VIDEO_VP9)
        sv_mem_scratch_expect(vp9_token_bytes(t->w, t->h));
    int fail = vpx_codec_enc_init(&t->ctx, ifc, &vc, 0) != VPX_CODEC_OK;
    t->tok = sv_mem_scratch_take();
    if (fail)
        return SASAE_VIDEO_ECODEC;
    t->inited = 1;
    int bad = 0;
    if (e->cfg.codec == SASAE_VIDEO_VP9) {
        bad |= vpx_codec_control(&t->ctx, VP8E_SET_CPUUSED, e->cfg.speed);
        bad |= vpx_codec_control(&t->ctx, VP9E_SET_TUNE_CONTENT, VP9E_CONTENT_SCREEN);
        bad |= vpx_codec_control(&t->ctx, VP9E_SET_AQ_MODE, (unsigned)e->cfg.aq_mode);
        bad |= vpx_codec_control(&t->ctx, VP9E_SET_NOISE_SENSITIVITY, 0u);
        bad |= vpx_codec_control(&t->ctx, VP9E_SET_ROW_MT, 1u);
        bad |= vpx_codec_control(&t->ctx, VP9E_SET_TILE_COLUMNS, e->cfg.threads > 1 ? 1 : 0);
    } else {
        bad |= vpx_codec_control(&t->ctx, VP8E_SET_CPUUSED, -e->cfg.speed);
        bad |= vpx_codec_control(&t->ctx, VP8E_SET_SCREEN_CONTENT_MODE, 1u);
        bad |= vpx_codec_control(&t->ctx, VP8E_SET_NOISE_SENSITIVITY, 0u);
    }
    sv_mem_reclaim();
    return bad ? SASAE_VIDEO_ECODEC : SASAE_VIDEO_OK;
}

void sasae_venc_free(sasae_venc *e)
{
    if (!e)
        return;
    for (int i = 0; e->tiles && i < e->ntiles; i++) {
        if (e->tiles[i].inited)
            vpx_codec_destroy(&e->tiles[i].ctx);
        free(e->tiles[i].amap);
        free(e->tiles[i].mbq);
        free(e->tiles[i].rowq);
    }
    free(e->tiles);
    free(e->y);
    free(e->dirty);
    sv_scroll_free(&e->scr);
    free(e->ref.buf);
    sv_patch_free(&e->pat);
    free(e->pmap);
    free(e);
}

int sasae_venc_new(const sasae_video_config *cfg, sasae_venc **out)
{
    if (!cfg || !out)
        return SASAE_VIDEO_EINVAL;
    *out = NULL;
    int rc = config_check(cfg);
    if (rc)
        return rc;
    sasae_venc *e = calloc(1, sizeof(*e));
    if (!e)
        return SASAE_VIDEO_ENOMEM;
    e->cfg = *cfg;
    if (!e->cfg.speed)
        e->cfg.speed = cfg->codec == SASAE_VIDEO_VP8 ? 6 : 9;
    int w = cfg->width, h = cfg->height;
    e->tw = cfg->tile_w && cfg->tile_w < w ? cfg->tile_w : w;
    e->th = cfg->tile_h && cfg->tile_h < h ? cfg->tile_h : h;
    e->cols = (w + e->tw - 1) / e->tw;
    e->rows = (h + e->th - 1) / e->th;
    e->ntiles = e->cols * e->rows;
    rc = SASAE_VIDEO_EINVAL;
    if (e->ntiles > SASAE_VIDEO_MAX_TILES)
        goto fail;
    rc = SASAE_VIDEO_ENOMEM;
    e->ys = SV_ALIGN(w, 32);
    e->cs = SV_ALIGN((w + 1) / 2, 32);
    size_t ysz = (size_t)e->ys * h, csz = (size_t)e->cs * ((h + 1) / 2);
    e->y = malloc(ysz + 2 * csz);
    if (!e->y)
        goto fail;
    e->u = e->y + ysz;
    e->v = e->u + csz;
    memset(e->y, 0, ysz + 2 * csz);
    e->mbcols = (w + 15) / 16;
    e->mbrows = (h + 15) / 16;
    e->dirty = calloc((size_t)e->mbcols * e->mbrows, 1);
    e->tiles = calloc((size_t)e->ntiles, sizeof(*e->tiles));
    if (!e->dirty || !e->tiles)
        goto fail;
    if (cfg->codec != SASAE_VIDEO_VP9) {
        e->cfg.scroll = 0; /* the VP8 decoder keeps its own copy of a set reference */
        e->cfg.patches = 0;
    }
    e->pmap = malloc((size_t)((e->tw + 15) / 16) * ((e->th + 15) / 16));
    if (!e->pmap)
        goto fail;
    if (e->cfg.scroll && sv_scroll_new(&e->scr, h))
        goto fail;
    for (int r = 0; r < e->rows; r++) {
        for (int c = 0; c < e->cols; c++) {
            struct venc_tile *t = &e->tiles[r * e->cols + c];
            t->x = c * e->tw;
            t->y = r * e->th;
            t->w = w - t->x < e->tw ? w - t->x : e->tw;
            t->h = h - t->y < e->th ? h - t->y : e->th;
            t->mbx = t->x / 16;
            t->mby = t->y / 16;
            t->mbw = (t->w + 15) / 16;
            t->mbh = (t->h + 15) / 16;
            t->pass_mb = -1;
            t->amap = malloc((size_t)t->mbw * t->mbh);
            t->mbq = malloc((size_t)t->mbw * t->mbh);
            t->rowq = malloc((size_t)t->h * t->mbw);
            if (!t->amap || !t->mbq || !t->rowq)
                goto fail;
            memset(t->mbq, 255, (size_t)t->mbw * t->mbh); /* nothing coded yet */
            memset(t->rowq, 255, (size_t)t->h * t->mbw);
            rc = tile_init(e, t);
            if (rc)
                goto fail;
            rc = SASAE_VIDEO_ENOMEM;
        }
    }
    e->need_key = 1;
    e->credit = cfg->bitrate_kbps * 125.0 / 2; /* half a second */
    e->bpp[RC_KEY] = 0.25;                     /* first guesses; corrected every frame */
    e->bpp[RC_CHANGED] = 0.05;
    e->bpp[RC_TOPOFF] = 0.02;
    e->bpp[RC_MOVE] = 0.07;
    e->q = cfg->max_q;
    *out = e;
    return SASAE_VIDEO_OK;
fail:
    sasae_venc_free(e);
    return rc;
}

size_t sasae_venc_max_payload(const sasae_venc *e)
{
    /* Generous: a realtime CBR frame stays far below its raw I420 size. */
    return SV_HEADER_LEN + (size_t)e->ntiles * (SV_ENTRY_LEN + SV_MOVE_LEN + 4096) +
           (size_t)e->cfg.width * e->cfg.height * 3 / 2;
}

static int set_tile_q(sasae_venc *e, struct venc_tile *t, int q)
{
    vpx_codec_enc_cfg_t vc = *t->ctx.config.enc;
    tile_rc_config(e, t, &vc, q);
    return vpx_codec_enc_config_set(&t->ctx, &vc) ? SASAE_VIDEO_ECODEC : SASAE_VIDEO_OK;
}

int sasae_venc_set_bitrate(sasae_venc *e, int kbps)
{
    if (!e || kbps < 1 || kbps > 1000000)
        return SASAE_VIDEO_EINVAL;
    e->cfg.bitrate_kbps = kbps; /* tiles pick it up as they are next encoded */
    return SASAE_VIDEO_OK;
}

int sasae_venc_set_fps(sasae_venc *e, int fps)
{
    if (!e || fps < 1 || fps > 1000)
        return SASAE_VIDEO_EINVAL;
    e->cfg.fps = fps; /* frame budget, and the step when timestamps do not advance */
    return SASAE_VIDEO_OK;
}

int sasae_venc_pending_topoff(const sasae_venc *e)
{
    return e ? e->pending_topoff : 0;
}

unsigned long sasae_venc_moves(const sasae_venc *e)
{
    return e ? e->moves : 0;
}

int sasae_venc_last_q(const sasae_venc *e)
{
    return e ? e->q : 0;
}

int sasae_venc_last_patch_mbs(const sasae_venc *e)
{
    return e ? e->patch_mbs : 0;
}

int sasae_venc_last_coded_mbs(const sasae_venc *e)
{
    return e ? e->coded_mbs : 0;
}

static void convert(sasae_venc *e, const uint8_t *bgra, int stride, int x, int y, int w, int h)
{
    /* x and y are even (16-aligned), so chroma offsets are exact. */
    ARGBToI420(bgra + (size_t)y * stride + (size_t)x * 4, stride, e->y + (size_t)y * e->ys + x,
               e->ys, e->u + (size_t)(y / 2) * e->cs + x / 2, e->cs,
               e->v + (size_t)(y / 2) * e->cs + x / 2, e->cs, w, h);
}

/* Macroblock k now shows what was coded at q (raise: at worst q, where it was better): its
 * rows' marks and its own. */
static void mb_mark(struct venc_tile *t, int k, int q, int raise)
{
    int x = k % t->mbw, y0 = k / t->mbw * 16, y1 = y0 + 16 < t->h ? y0 + 16 : t->h;
    if (!raise || t->mbq[k] < q)
        t->mbq[k] = (uint8_t)q;
    for (int y = y0; y < y1; y++)
        if (!raise || t->rowq[(size_t)y * t->mbw + x] < q)
            t->rowq[(size_t)y * t->mbw + x] = (uint8_t)q;
}

static struct sv_planes tile_planes(const sasae_venc *e, const struct venc_tile *t)
{
    struct sv_planes p = {e->y + (size_t)t->y * e->ys + t->x,
                          e->u + (size_t)(t->y / 2) * e->cs + t->x / 2,
                          e->v + (size_t)(t->y / 2) * e->cs + t->x / 2,
                          e->ys,
                          e->cs,
                          t->w,
                          t->h};
    return p;
}

/* 1 if macroblock k of the reference planes shows exactly the source's. */
static int mb_exact(const struct venc_tile *t, const struct sv_planes *src,
                    const struct sv_planes *ref, int k)
{
    int x = k % t->mbw * 16, y = k / t->mbw * 16;
    int w = t->w - x < 16 ? t->w - x : 16, h = t->h - y < 16 ? t->h - y : 16;
    for (int r = 0; r < h; r++)
        if (memcmp(src->y + (size_t)(y + r) * src->ys + x, ref->y + (size_t)(y + r) * ref->ys + x,
                   (size_t)w))
            return 0;
    for (int r = 0; r < (h + 1) / 2; r++) {
        size_t so = (size_t)(y / 2 + r) * src->cs + x / 2,
               ro = (size_t)(y / 2 + r) * ref->cs + x / 2;
        if (memcmp(src->u + so, ref->u + ro, (size_t)(w + 1) / 2) ||
            memcmp(src->v + so, ref->v + ro, (size_t)(w + 1) / 2))
            return 0;
    }
    return 1;
}

/* After a tile's frame: the codec coded its active map at q (-1: no frame), then the patch
 * (if any) was written. A lossy frame may change more than its active map: VP9 may code an
 * active macroblock in a block of up to 64x64 that takes in inactive neighbours (a block's
 * segment is the lowest of its 8x8s), and the loop filter reaches 7 pixels across a block's
 * top and left edges. So the macroblocks of each aligned 64x64 superblock with a coded one,
 * and those just above and left of it, are no better than q, unless they were exact and the
 * codec's reconstruction shows they still are (one copy of the reference; text typed on an
 * exact page keeps the page exact). A patch written after the frame is exact. Uses e->pmap
 * (free by now). */
static void tile_mark(sasae_venc *e, struct venc_tile *t, int q)
{
    int worst = 0, n = t->mbw * t->mbh;
    if (q > 0) {
        memset(e->pmap, 0, (size_t)t->mbw * (size_t)t->mbh);
        int exact = 0;
        for (int k = 0; k < n; k++) {
            if (!t->amap[k])
                continue;
            int x0 = k % t->mbw / 4 * 4, y0 = k / t->mbw / 4 * 4;
            for (int y = y0 > 0 ? y0 - 1 : 0; y < y0 + 4 && y < t->mbh; y++)
                for (int x = x0 > 0 ? x0 - 1 : 0; x < x0 + 4 && x < t->mbw; x++) {
                    int j = y * t->mbw + x;
                    e->pmap[j] = !t->amap[j];
                    exact |= e->pmap[j] && t->mbq[j] == 0;
                }
        }
        vpx_ref_frame_t ref;
        struct sv_planes rec, src = tile_planes(e, t);
        int check = exact && !sv_ref_get(&t->ctx, &e->ref, t->w, t->h, &ref, &rec);
        for (int k = 0; k < n; k++)
            if (e->pmap[k] && !(check && t->mbq[k] == 0 && mb_exact(t, &src, &rec, k)))
                mb_mark(t, k, q, 1);
    }
    if (t->patch_len) {
        memset(e->pmap, 0, (size_t)t->mbw * (size_t)t->mbh);
        sv_patch_fill(e->pat.sec + t->patch_off, e->pmap, t->mbw, 1);
        for (int k = 0; k < n; k++)
            if (e->pmap[k])
                mb_mark(t, k, 0, 0);
    }
    for (int k = 0; k < n; k++) {
        if (q >= 0 && t->amap[k])
            mb_mark(t, k, q, 0);
        worst = t->mbq[k] > worst ? t->mbq[k] : worst;
    }
    t->last_q = worst;
}

/* A move shifts the reference's rows within mv_rect by mv_dy (row y shows row y - dy): the
 * row marks move with them, each macroblock's mark is again the worst of its rows. Rows whose
 * source lies outside the rectangle keep theirs (they are coded this frame); with an odd dy
 * chroma moved by floor(dy/2), so a row also takes its source's neighbours; a macroblock
 * column the rectangle covers only in part keeps its own marks too. In place: rows are
 * visited away from where they come from. */
static void tile_move_marks(struct venc_tile *t)
{
    sasae_video_rect r = t->mv_rect;
    int dy = t->mv_dy, y0 = r.y, y1 = r.y + r.h < t->h ? r.y + r.h : t->h;
    for (int x = r.x / 16; x <= (r.x + r.w - 1) / 16 && x < t->mbw; x++) {
        int cx1 = x * 16 + 16 < t->w ? x * 16 + 16 : t->w;
        int part = x * 16 < r.x || cx1 > r.x + r.w;
        uint8_t *col = t->rowq + x;
        for (int i = 0; i < y1 - y0; i++) {
            int y = dy < 0 ? y0 + i : y1 - 1 - i, src = y - dy;
            if (src < y0 || src >= y1)
                continue;
            int v = col[(size_t)src * t->mbw];
            if (dy & 1) {
                if (src > y0 && col[(size_t)(src - 1) * t->mbw] > v)
                    v = col[(size_t)(src - 1) * t->mbw];
                if (src + 1 < y1 && col[(size_t)(src + 1) * t->mbw] > v)
                    v = col[(size_t)(src + 1) * t->mbw];
            }
            if (part && col[(size_t)y * t->mbw] > v)
                v = col[(size_t)y * t->mbw];
            col[(size_t)y * t->mbw] = (uint8_t)v;
        }
        for (int my = y0 / 16; my <= (y1 - 1) / 16; my++) {
            int worst = 0, e1 = my * 16 + 16 < t->h ? my * 16 + 16 : t->h;
            for (int y = my * 16; y < e1; y++)
                worst = col[(size_t)y * t->mbw] > worst ? col[(size_t)y * t->mbw] : worst;
            t->mbq[my * t->mbw + x] = (uint8_t)worst;
        }
    }
}

/* Fills t's active map: all of it for a keyframe, its band of a top-off pass, else its
 * dirty macroblocks. Returns how many are set. */
static int tile_amap(const sasae_venc *e, struct venc_tile *t, int key)
{
    int n = t->mbw * t->mbh, on = 0;
    if (key) {
        memset(t->amap, 1, (size_t)n);
        return n;
    }
    if (t->want == RC_TOPOFF + 1) {
        memset(t->amap, 0, (size_t)n);
        for (int k = t->pass_mb; k < t->pass_mb + t->band; k++)
            t->amap[k] = t->mbq[k] > e->pass_q;
    } else {
        for (int r = 0; r < t->mbh; r++)
            memcpy(t->amap + (size_t)r * t->mbw,
                   e->dirty + (size_t)(t->mby + r) * e->mbcols + t->mbx, (size_t)t->mbw);
    }
    for (int k = 0; k < n; k++)
        on += t->amap[k];
    return on;
}

/* A scroll step's new rows go in the patch whole when they deflate to at most this much a
 * macroblock (text of any kind does, 40-160 B; a photo ~270 of its 384). */
#define SV_PATCH_STEP_MB_BYTES 192

/* Takes the flat macroblocks of t's active map out of it into a patch (appended to e->pat),
 * if the patch fits in *room bytes, which it then uses up. Returns the macroblocks taken.
 * A moved tile's changed macroblocks go whole if they are cheap enough: coded by VP9, the
 * few that are not flat would cost little, but its blocks of up to 64x64 and its loop
 * filter would blur the exact rows around them (tile_mark). */
static int tile_patch(sasae_venc *e, struct venc_tile *t, double *room)
{
    struct sv_planes src = tile_planes(e, t);
    size_t at = e->pat.sec_len, len;
    int n = 0;
    if (t->moved && t->vp9_mbs > 0 && !sv_patch_build(&e->pat, at, t->amap, t->mbw, t->mbh, &src)) {
        len = e->pat.sec_len - at;
        if ((double)len <= *room && len <= (size_t)SV_PATCH_STEP_MB_BYTES * t->vp9_mbs) {
            memcpy(e->pmap, t->amap, (size_t)t->mbw * (size_t)t->mbh);
            n = t->vp9_mbs;
            goto take;
        }
        e->pat.sec_len = at;
    }
    for (int r = 0; r < t->mbh; r++)
        for (int c = 0; c < t->mbw; c++) {
            int k = r * t->mbw + c;
            int w = t->w - c * 16 < 16 ? t->w - c * 16 : 16,
                h = t->h - r * 16 < 16 ? t->h - r * 16 : 16;
            size_t yo = (size_t)r * 16 * src.ys + c * 16, co = (size_t)r * 8 * src.cs + c * 8;
            e->pmap[k] = t->amap[k] &&
                         sv_mb_is_flat(src.y + yo, src.ys, src.u + co, src.v + co, src.cs, w, h);
            n += e->pmap[k];
        }
    if (!n || sv_patch_build(&e->pat, at, e->pmap, t->mbw, t->mbh, &src))
        return 0; /* nothing flat, or no memory: the codec codes it all */
    len = e->pat.sec_len - at;
    if ((double)len > *room) {
        e->pat.sec_len = at; /* no room: the codec codes it now, top-off sharpens it later */
        return 0;
    }
take:
    *room -= (double)len;
    t->patch_off = at;
    t->patch_len = len;
    for (int k = 0; k < t->mbw * t->mbh; k++)
        t->amap[k] &= (uint8_t)!e->pmap[k];
    t->vp9_mbs -= n;
    return n;
}

/* Encode tile t: the codec codes its active map (tile_amap, less what tile_patch took); a
 * patch is written into the reference after it. Appends the entry to out. */
static int encode_tile(sasae_venc *e, struct venc_tile *t, int idx, int key, uint8_t *out,
                       size_t cap, size_t *pos)
{
    int topoff = t->want == RC_TOPOFF + 1;
    /* a move alone still needs a (nearly empty) frame to reach the decoder */
    int vp9 = key || t->vp9_mbs > 0 || (t->moved && !t->patch_len);
    size_t head = *pos, len = 0;
    int is_key = 0;
    size_t body = head + SV_ENTRY_LEN + (t->moved ? SV_MOVE_LEN : 0) + t->patch_len;
    if (body > cap)
        return SASAE_VIDEO_ESPACE;
    if (t->patch_len)
        memcpy(out + body - t->patch_len, e->pat.sec + t->patch_off, t->patch_len);
    if (vp9) {
        vpx_active_map_t am = {0};
        am.rows = (unsigned)t->mbh;
        am.cols = (unsigned)t->mbw;
        am.active_map = t->amap;
        if (vpx_codec_control(&t->ctx, VP8E_SET_ACTIVEMAP, &am))
            return SASAE_VIDEO_ECODEC;

        vpx_image_t img;
        struct sv_planes src = tile_planes(e, t);
        vpx_img_wrap(&img, VPX_IMG_FMT_I420, (unsigned)t->w, (unsigned)t->h, 1, e->y);
        img.planes[0] = src.y;
        img.planes[1] = src.u;
        img.planes[2] = src.v;
        img.stride[0] = e->ys;
        img.stride[1] = img.stride[2] = e->cs;

        int64_t dur = e->clock_us - t->last_pts;
        if (dur < 1000)
            dur = 1000;
        /* VP9: every frame refreshes all three references, so they share one buffer and a
         * strip holds two frames (the reference and the one being coded) instead of three; a
         * golden frame kept apart bought nothing measurable on screen content. VP8 has its
         * four buffers whatever the flags: golden and alt-ref stay the keyframe. */
        vpx_enc_frame_flags_t fl = VPX_EFLAG_FORCE_KF;
        if (!key)
            fl = e->cfg.codec == SASAE_VIDEO_VP9 ? (VP8_EFLAG_FORCE_GF | VP8_EFLAG_FORCE_ARF)
                                                 : (VP8_EFLAG_NO_UPD_GF | VP8_EFLAG_NO_UPD_ARF);
        int bad =
            vpx_codec_encode(&t->ctx, &img, e->clock_us, (unsigned long)dur, fl, VPX_DL_REALTIME);
        sv_mem_reclaim(); /* buffers the first frames allocate and never use (vpxmem.h) */
        if (bad)
            return SASAE_VIDEO_ECODEC;
        t->last_pts = e->clock_us;

        vpx_codec_iter_t it = NULL;
        const vpx_codec_cx_pkt_t *pkt;
        int space = 1;
        while ((pkt = vpx_codec_get_cx_data(&t->ctx, &it))) {
            if (pkt->kind != VPX_CODEC_CX_FRAME_PKT)
                continue;
            if (body + len + pkt->data.frame.sz > cap) {
                space = 0;
                continue;
            }
            memcpy(out + body + len, pkt->data.frame.buf, pkt->data.frame.sz);
            len += pkt->data.frame.sz;
            is_key |= !!(pkt->data.frame.flags & VPX_FRAME_IS_KEY);
        }
        if (len > TOKEN_RELEASE_BYTES)
            sv_mem_scratch_release(t->tok, 0);
        if (!space)
            return SASAE_VIDEO_ESPACE;
        if (len == 0 && !t->patch_len) /* nothing to send; a move must reach the decoder */
            return key || t->moved ? SASAE_VIDEO_ECODEC : SASAE_VIDEO_OK;
        if (len > SASAE_VIDEO_MAX_TILE_BYTES || (key && !is_key) || (t->moved && is_key) ||
            (t->patch_len && is_key))
            return SASAE_VIDEO_ECODEC;
    }
    if (t->patch_len) {
        /* the exact pixels into the reference, as the decoder does with the patch; without a
         * frame the move is part of the same edit (as on the decoder) */
        const uint8_t *sec = e->pat.sec + t->patch_off;
        vpx_ref_frame_t ref;
        struct sv_planes dst;
        if (sv_ref_get(&t->ctx, &e->ref, t->w, t->h, &ref, &dst))
            return SASAE_VIDEO_ECODEC;
        if (t->moved && !vp9)
            sv_shift_planes(dst.y, dst.ys, dst.u, dst.v, dst.cs, t->mv_rect, t->mv_dy);
        struct sv_planes src = tile_planes(e, t);
        sv_patch_copy(sec, &src, &dst);
        if (sv_ref_set(&t->ctx, &ref))
            return SASAE_VIDEO_ECODEC;
    }
    sv_put16(out + head, (unsigned)idx);
    out[head + 2] = (uint8_t)((is_key ? SV_FLAG_KEY : 0) | (t->moved ? SV_FLAG_MOVE : 0) |
                              (t->patch_len ? SV_FLAG_PATCH : 0));
    sv_put32(out + head + 3, (uint32_t)len);
    if (t->moved) {
        uint8_t *m = out + head + SV_ENTRY_LEN;
        sv_put16(m, (unsigned)t->mv_rect.x);
        sv_put16(m + 2, (unsigned)t->mv_rect.y);
        sv_put16(m + 4, (unsigned)t->mv_rect.w);
        sv_put16(m + 6, (unsigned)t->mv_rect.h);
        sv_put16(m + 8, (unsigned)(uint16_t)(int16_t)t->mv_dy);
    }
    *pos = body + len;

    /* the macroblocks coded now are at q (a patch's exact); the rest of the tile is as it was */
    int q = topoff ? e->pass_q : t->cfg_q;
    if (!topoff && len)
        vpx_codec_control(&t->ctx, VP8E_GET_LAST_QUANTIZER_64, &q);
    tile_mark(e, t, len ? q : -1);
    return 1;
}

static double rc_scale(int kind, int q)
{
    return exp2((RC_QREF - q) / (kind == RC_MOVE ? RC_QSTEP_MOVE : RC_QSTEP));
}

/* The lowest quantizer in [qmin, qmax] whose predicted payload fits target bytes. */
static int pick_q(const sasae_venc *e, const double area[RC_KINDS], double target, int qmin,
                  int qmax)
{
    for (int q = qmin; q < qmax; q++) {
        double bytes = 0;
        for (int k = 0; k < RC_KINDS; k++)
            bytes += e->bpp[k] * area[k] * rc_scale(k, q);
        if (bytes <= target)
            return q;
    }
    return qmax;
}

/* The start of a top-off pass: the blurriest tiles go first, as many as still gain
 * RC_TOPOFF_GAIN steps if the whole pass costs at most `target` bytes. Ranks them (top_rank),
 * returns the quantizer and in *n how many ranks take part. */
static int pick_topoff(sasae_venc *e, double target, int floor, int *n)
{
    int cand = 0;
    for (int i = 0; i < e->ntiles; i++) {
        struct venc_tile *t = &e->tiles[i];
        t->top_rank = e->ntiles;
        if (!t->want && t->topoff_left > 0 && t->last_q > e->cfg.rest_q)
            cand++;
    }
    for (int r = 0; r < cand; r++) { /* selection by last_q, worst first */
        struct venc_tile *best = NULL;
        for (int i = 0; i < e->ntiles; i++) {
            struct venc_tile *t = &e->tiles[i];
            if (!t->want && t->topoff_left > 0 && t->last_q > e->cfg.rest_q &&
                t->top_rank == e->ntiles && (!best || t->last_q > best->last_q))
                best = t;
        }
        best->top_rank = r;
    }
    int q = e->cfg.max_q;
    for (*n = cand; *n >= 1; *n /= 2) {
        double area[RC_KINDS] = {0};
        int worst = 0;
        for (int i = 0; i < e->ntiles; i++) {
            const struct venc_tile *t = &e->tiles[i];
            if (t->top_rank < *n) {
                area[RC_TOPOFF] += (double)t->w * t->h;
                worst = t->last_q > worst ? t->last_q : worst;
            }
        }
        q = pick_q(e, area, target, floor, e->cfg.max_q);
        if (worst >= q + RC_TOPOFF_GAIN || (q == floor && worst > q))
            break;
    }
    return q;
}

/* A frame of top-off alone. Sharpening a resting screen is never urgent, so a pass runs a
 * band of macroblocks per frame, about `chunk` bytes: a scroll or a key that comes next
 * queues behind a frame or two of link time, not behind a whole strip of dense text (40 KB,
 * a third of a second at 1 Mbit/s). A pass, all its bands at one quantizer, costs at most
 * `target` bytes in all. Sets want and band of the tiles that take part; returns q. */
static int topoff_plan(sasae_venc *e, double target, double chunk)
{
    int in_pass = 0;
    for (int i = 0; i < e->ntiles; i++)
        in_pass |= e->tiles[i].pass_mb >= 0;
    if (!in_pass) {
        /* first every tile to min_q (text reads sharp), then the finer passes down to
         * rest_q: a resting screen is readable in a fraction of the time it takes to be
         * exact */
        int floor = e->cfg.rest_q;
        for (int i = 0; i < e->ntiles; i++)
            if (!e->tiles[i].want && e->tiles[i].topoff_left > 0 &&
                e->tiles[i].last_q > e->cfg.min_q)
                floor = e->cfg.min_q;
        int n = 0;
        int q = pick_topoff(e, target, floor, &n);
        for (int i = 0; i < e->ntiles; i++) {
            struct venc_tile *t = &e->tiles[i];
            if (t->want || t->topoff_left <= 0 || t->top_rank >= n)
                continue;
            if (t->last_q >= q + RC_TOPOFF_GAIN || (q == floor && t->last_q > q)) {
                t->pass_mb = 0;
                in_pass = 1;
            }
        }
        if (!in_pass)
            return q;
        e->pass_q = q;
        e->pass_bpp = e->pass_max = 0;
        e->pass_mbs = RC_PROBE_MBS;
    }
    const int q = e->pass_q;
    const int mbs_cap = e->pass_bpp > 0 ? 4 * e->pass_mbs : RC_PROBE_MBS;
    int mbs_left = mbs_cap;
    for (int i = 0, first = 1; i < e->ntiles; i++) {
        struct venc_tile *t = &e->tiles[i];
        if (t->pass_mb < 0)
            continue;
        /* the cost model is fitted on changes, and a sharp pass (lossless at its end) costs
         * far more than it extrapolates (lossless text: over a byte a pixel): the first band
         * of a pass is a few macroblocks, and the next ones are sized by what the bands
         * before them cost, growing at most fourfold a frame */
        int total = t->mbw * t->mbh;
        while (t->pass_mb < total && t->mbq[t->pass_mb] <= q)
            t->pass_mb++; /* already at least as sharp as the pass */
        if (t->pass_mb >= total) {
            t->pass_mb = -1; /* the pass is done: the whole tile is at q or sharper */
            t->topoff_left--;
            continue;
        }
        double mb_cost = e->pass_bpp * 256.0;
        int mbs = e->pass_bpp > 0 ? (int)(chunk / mb_cost) : mbs_left;
        if (mbs > mbs_left)
            mbs = mbs_left;
        if (mbs < 1 && !first)
            break; /* the chunk is spent (the first band takes at least a macroblock) */
        if (mbs < 1)
            mbs = 1;
        first = 0;
        int end = t->pass_mb, got = 0;
        for (; end < total && got < mbs; end++)
            got += t->mbq[end] > q;
        t->want = RC_TOPOFF + 1;
        t->band = end - t->pass_mb;
        t->band_mbs = got;
        chunk -= got * mb_cost;
        mbs_left -= got;
        if (mbs_left <= 0)
            break;
    }
    if (mbs_left < mbs_cap)
        e->pass_mbs = mbs_cap - mbs_left;
    return q;
}

static void rc_update(sasae_venc *e, const double area[RC_KINDS], const double bytes[RC_KINDS],
                      int q)
{
    for (int k = 0; k < RC_KINDS; k++) {
        if (area[k] <= 0)
            continue;
        double obs = bytes[k] / area[k] / rc_scale(k, q);
        /* Small areas (a typed glyph) are noisy: let them move the model less. */
        double w = area[k] >= 65536 ? 0.5 : 0.5 * area[k] / 65536;
        e->bpp[k] = (1 - w) * e->bpp[k] + w * obs;
    }
}

/* The region searched for a move: the largest damage rectangle (a scrolling window is one
 * rectangle; a clock elsewhere must not dilute its rows), widened to macroblocks in *out,
 * whose reference rows move; *in is the macroblock columns wholly inside the rectangle,
 * which the rows are compared on (columns beside a window do not move with it). */
static int move_region(const sasae_venc *e, const sasae_video_rect *rects, size_t n,
                       sasae_video_rect *out, sasae_video_rect *in)
{
    const sasae_video_rect *big = NULL;
    for (size_t i = 0; i < n; i++)
        if (!big || (long)rects[i].w * rects[i].h > (long)big->w * big->h)
            big = &rects[i];
    if (!big)
        return 0;
    int x0 = big->x & ~15, y0 = big->y & ~15;
    int x1 = (big->x + big->w + 15) & ~15, y1 = (big->y + big->h + 15) & ~15;
    x1 = x1 > e->cfg.width ? e->cfg.width : x1;
    y1 = y1 > e->cfg.height ? e->cfg.height : y1;
    *out = (sasae_video_rect){x0, y0, x1 - x0, y1 - y0};
    int ix0 = (big->x + 15) & ~15, ix1 = (big->x + big->w) & ~15;
    if (big->x + big->w == e->cfg.width)
        ix1 = e->cfg.width;
    *in = (sasae_video_rect){ix0, y0, ix1 - ix0, y1 - y0};
    return in->w >= 64 && out->h >= 64;
}

/* Whether rows [b0, b1) of the area moved in [t0, t1) (frame rows, inside R) hold the old
 * content dy rows up, so the shifted reference already has them. */
static int band_matches(const sasae_venc *e, sasae_video_rect R, int t0, int t1, int b0, int b1,
                        int dy)
{
    const uint64_t *pl = e->scr.prev, *cl = e->scr.cur;
    for (int y = b0; y < b1; y++) {
        int src = y - dy;
        if (src < t0 || src >= t1 || cl[y - R.y] != pl[src - R.y])
            return 0;
    }
    const uint64_t *pc = e->scr.prev + R.h, *cc = e->scr.cur + R.h;
    int dc = sv_scroll_chroma_shift(dy), c0 = t0 / 2, c1 = (t1 + 1) / 2, cy = R.y / 2;
    for (int c = b0 / 2; c < (b1 + 1) / 2; c++) {
        int src = c - dc;
        if (src < c0 || src >= c1 || cc[c - cy] != pc[src - cy])
            return 0;
    }
    return 1;
}

/* After the new frame is converted: if the area scrolled, mark the tiles that will shift
 * their reference over R and keep active only the macroblocks the shift does not
 * reproduce: rows that differ, and R's columns outside the compared ones (in). */
static void move_apply(sasae_venc *e, sasae_video_rect R, sasae_video_rect in)
{
    sv_scroll_hash(e->scr.cur, e->y, e->ys, e->u, e->v, e->cs, in);
    int dy, still;
    int matched = sv_scroll_find(&e->scr, R.h, &dy, &still);
    /* worth it only if it saves at least two macroblock rows over coding it as it is */
    if (matched < still + 32 || matched < R.h / 4)
        return;
    for (int i = 0; i < e->ntiles; i++) {
        struct venc_tile *t = &e->tiles[i];
        int x0 = R.x > t->x ? R.x : t->x, y0 = R.y > t->y ? R.y : t->y;
        int x1 = R.x + R.w < t->x + t->w ? R.x + R.w : t->x + t->w;
        int y1 = R.y + R.h < t->y + t->h ? R.y + R.h : t->y + t->h;
        if (x1 <= x0 || y1 - y0 <= (dy < 0 ? -dy : dy))
            continue;
        t->moved = 1;
        t->mv_rect = (sasae_video_rect){x0 - t->x, y0 - t->y, x1 - x0, y1 - y0};
        t->mv_dy = dy;
        for (int b0 = y0; b0 < y1; b0 = (b0 & ~15) + 16) {
            int b1 = (b0 & ~15) + 16 < y1 ? (b0 & ~15) + 16 : y1;
            uint8_t on = !band_matches(e, R, y0, y1, b0, b1, dy);
            uint8_t *row = e->dirty + (size_t)(b0 / 16) * e->mbcols;
            for (int mx = x0 / 16; mx < (x1 + 15) / 16; mx++)
                row[mx] = on || mx * 16 < in.x || mx * 16 >= in.x + in.w;
        }
    }
}

int sasae_venc_encode(sasae_venc *e, const sasae_video_frame *f, unsigned flags, uint8_t *out,
                      size_t cap, size_t *out_len)
{
    if (!e || !f || !f->bgra || !out || !out_len || (f->nrects && !f->rects) ||
        f->stride < e->cfg.width * 4 || (flags & ~(SASAE_VENC_KEYFRAME | SASAE_VENC_FORCE)))
        return SASAE_VIDEO_EINVAL;
    const uint8_t *bgra = f->bgra;
    const int stride = f->stride;
    const sasae_video_rect *rects = f->rects;
    const size_t nrects = f->nrects;
    *out_len = 0;
    const int W = e->cfg.width, H = e->cfg.height;
    for (size_t i = 0; i < nrects; i++) {
        const sasae_video_rect *r = &rects[i];
        if (r->w <= 0 || r->h <= 0 || r->x < 0 || r->y < 0 || r->x > W - r->w || r->y > H - r->h)
            return SASAE_VIDEO_ERECT;
    }
    if (cap < SV_HEADER_LEN)
        return SASAE_VIDEO_ESPACE;

    int key = e->need_key || (flags & SASAE_VENC_KEYFRAME);
    size_t nmb = (size_t)e->mbcols * e->mbrows;
    for (int i = 0; i < e->ntiles; i++)
        e->tiles[i].moved = 0;
    sasae_video_rect R = {0, 0, 0, 0}, in = R;
    int try_move = !key && e->cfg.scroll && move_region(e, rects, nrects, &R, &in);
    if (try_move) /* the old rows, before the new frame is converted over them */
        sv_scroll_hash(e->scr.prev, e->y, e->ys, e->u, e->v, e->cs, in);
    if (key) {
        convert(e, bgra, stride, 0, 0, W, H);
        memset(e->dirty, 1, nmb);
    } else {
        memset(e->dirty, 0, nmb);
        /* Padding lets motion search and deblocking see a little context around edits. */
        int pad = e->cfg.codec == SASAE_VIDEO_VP8 ? 3 : 8;
        for (size_t i = 0; i < nrects; i++) {
            const sasae_video_rect *r = &rects[i];
            int mx0 = r->x - pad < 0 ? 0 : (r->x - pad) / 16;
            int my0 = r->y - pad < 0 ? 0 : (r->y - pad) / 16;
            int mx1 = (r->x + r->w + pad + 15) / 16, my1 = (r->y + r->h + pad + 15) / 16;
            mx1 = mx1 > e->mbcols ? e->mbcols : mx1;
            my1 = my1 > e->mbrows ? e->mbrows : my1;
            for (int my = my0; my < my1; my++)
                memset(e->dirty + (size_t)my * e->mbcols + mx0, 1, (size_t)(mx1 - mx0));
        }
        /* Convert runs of dirty macroblocks, not the rects: overlapping or numerous damage
         * rects then cost at most one conversion of each pixel. */
        for (int my = 0; my < e->mbrows; my++) {
            const uint8_t *row = e->dirty + (size_t)my * e->mbcols;
            for (int mx = 0; mx < e->mbcols;) {
                if (!row[mx]) {
                    mx++;
                    continue;
                }
                int end = mx;
                while (end < e->mbcols && row[end])
                    end++;
                int x1 = end * 16 > W ? W : end * 16, y1 = my * 16 + 16 > H ? H : my * 16 + 16;
                convert(e, bgra, stride, mx * 16, my * 16, x1 - mx * 16, y1 - my * 16);
                mx = end;
            }
        }
        if (try_move)
            move_apply(e, R, in);
    }

    /* Rate control. Per-tile CBR starves small tiles, so the frame picks one quantizer
     * from a byte budget (the link's credit) and a learned cost per pixel, and every tile
     * encoded in the frame is pinned to it. A static tile is topped off when the budget
     * allows a clearly lower quantizer than the one it was last coded with. */
    int64_t elapsed = 1000000 / e->cfg.fps;
    if (f->pts_us > e->last_in_pts) {
        elapsed = f->pts_us - e->last_in_pts;
        e->last_in_pts = f->pts_us;
    }
    if (elapsed > 1000000)
        elapsed = 1000000;
    e->clock_us += elapsed;
    double rate = e->cfg.bitrate_kbps * 125.0; /* bytes per second */
    double budget = rate / e->cfg.fps, cap_credit = rate;
    e->credit += rate * (double)elapsed / 1e6;
    if (e->credit > cap_credit)
        e->credit = cap_credit;
    double area[RC_KINDS] = {0}, top_area = 0;
    for (int i = 0; i < e->ntiles; i++) {
        struct venc_tile *t = &e->tiles[i];
        t->active_mb = 0;
        for (int r = 0; r < t->mbh; r++) {
            const uint8_t *m = e->dirty + (size_t)(t->mby + r) * e->mbcols + t->mbx;
            for (int c = 0; c < t->mbw; c++)
                t->active_mb += m[c];
        }
        t->want = key ? RC_KEY + 1 : t->moved ? RC_MOVE + 1 : t->active_mb ? RC_CHANGED + 1 : 0;
        if (t->want) {
            double a = key ? (double)t->w * t->h : t->active_mb * 256.0;
            area[t->want - 1] += a;
        } else if (t->topoff_left > 0 && t->last_q > e->cfg.rest_q) {
            top_area += (double)t->w * t->h;
        }
    }
    double target = budget + 0.5 * e->credit;
    /* A scroll in progress comes every frame: each frame stays near one frame of link time,
     * so the frames do not queue on a slow link; top-off sharpens the text once it rests. */
    int moving = 0;
    for (int i = 0; i < e->ntiles; i++)
        moving |= e->tiles[i].moved;
    if (moving)
        e->move_pts = e->clock_us;
    int scrolling = !key && e->moves && e->clock_us - e->move_pts < RC_SCROLL_HOLD_US;
    if (scrolling)
        top_area = 0; /* the tiles keep their top-off for when the scroll rests */
    if ((moving || scrolling) && target > RC_MOVE_FRAMES * budget)
        target = RC_MOVE_FRAMES * budget;
    if (target < budget / 4)
        target = budget / 4;
    /* Lines scrolling past at 30 a second are not read: they may be coarser than max_q
     * (a terminal's 16-px lines cost 1-5 KB a frame even at max_q), and are sharpened
     * when the text rests. But where the link carries them exact (RC_QSTEP_MOVE), rows
     * that move in go down to rest_q: the page is sharp the moment it stops. */
    int changed = area[RC_KEY] > 0 || area[RC_CHANGED] > 0 || area[RC_MOVE] > 0;
    e->pat.sec_len = 0;
    e->patch_mbs = 0;
    for (int i = 0; i < e->ntiles; i++) {
        struct venc_tile *t = &e->tiles[i];
        t->patch_len = 0;
        t->vp9_mbs = t->want && (key || t->want != RC_TOPOFF + 1) ? tile_amap(e, t, key) : 0;
    }
    if (changed && !key && e->cfg.patches) {
        /* flat macroblocks go exact, as patches, as far as the link takes them: what they
         * carry is final, so even a scroll's frame may spend the credit a change may (a
         * dense line costs more than the scroll's 0.55 budgets; the credit it borrows comes
         * back in the lighter frames); the codec gets what is left of the frame's target */
        const double lim = budget + 0.5 * e->credit, start = target > lim ? target : lim;
        double room = start;
        for (int i = 0; i < e->ntiles; i++) {
            struct venc_tile *t = &e->tiles[i];
            int n = t->want ? tile_patch(e, t, &room) : 0;
            t->active_mb -= n;
            area[t->want ? t->want - 1 : 0] -= n * 256.0;
            e->patch_mbs += n;
        }
        target -= start - room;
        if (target < budget / 4)
            target = budget / 4;
    }
    int q = pick_q(e, area, target, moving ? e->cfg.rest_q : e->cfg.min_q,
                   moving || scrolling ? RC_SCROLL_MAX_Q : e->cfg.max_q);
    if (changed) {
        /* a change cancels the passes of the tiles it touches (their last_q is the worse) */
        for (int i = 0; i < e->ntiles; i++)
            if (key || e->tiles[i].want)
                e->tiles[i].pass_mb = -1;
    } else if (top_area > 0) {
        q = topoff_plan(e, RC_PASS_SECONDS * rate, RC_TOPOFF_CHUNK * budget);
        double room = INFINITY; /* the band was sized by what bands cost, patches included */
        for (int i = 0; i < e->ntiles; i++) {
            struct venc_tile *t = &e->tiles[i];
            if (t->want != RC_TOPOFF + 1)
                continue;
            t->vp9_mbs = tile_amap(e, t, 0);
            if (e->cfg.patches)
                e->patch_mbs += tile_patch(e, t, &room);
        }
    }
    area[RC_TOPOFF] = 0;
    for (int i = 0; i < e->ntiles; i++)
        if (e->tiles[i].want == RC_TOPOFF + 1)
            area[RC_TOPOFF] += (double)e->tiles[i].band_mbs * 256;

    size_t pos = SV_HEADER_LEN;
    int count = 0, pending = 0, rc = SASAE_VIDEO_OK;
    e->coded_mbs = 0;
    double bytes[RC_KINDS] = {0};
    for (int i = 0; i < e->ntiles; i++) {
        struct venc_tile *t = &e->tiles[i];
        if (!t->want) {
            if (t->topoff_left > 0 && t->last_q > e->cfg.rest_q)
                pending = 1;
            continue;
        }
        int vp9 = key || t->vp9_mbs > 0 || (t->moved && !t->patch_len);
        if (vp9 && t->cfg_q != q) {
            rc = set_tile_q(e, t, q);
            if (rc)
                goto fail;
        }
        size_t before = pos;
        /* a move with a patch and no frame is one edit of the reference (encode_tile) */
        if (t->moved && vp9 && sv_ref_move(&t->ctx, &e->ref, t->w, t->h, t->mv_rect, t->mv_dy)) {
            rc = SASAE_VIDEO_ECODEC;
            goto fail;
        }
        if (t->moved)
            tile_move_marks(t);
        rc = encode_tile(e, t, i, key, out, cap, &pos);
        if (rc < 0)
            goto fail;
        count += rc;
        int topoff = t->want == RC_TOPOFF + 1;
        e->coded_mbs += key ? t->mbw * t->mbh : topoff ? t->band_mbs : t->active_mb;
        /* the model prices the codec's macroblocks; a top-off band's cost is all of it */
        bytes[t->want - 1] += (double)(pos - before - (topoff ? 0 : t->patch_len));
        if (topoff) {
            t->pass_mb += t->band;
            if (t->pass_mb >= t->mbw * t->mbh) { /* the pass is done: the whole tile is at q */
                t->pass_mb = -1;
                t->topoff_left--;
            }
        } else {
            t->topoff_left = e->cfg.topoff_max;
        }
        if (t->topoff_left > 0 && t->last_q > e->cfg.rest_q)
            pending = 1;
    }
    if (area[RC_TOPOFF] > 0) {
        /* the last band's cost, but never under half the dearest so far: a blank band costs
         * next to nothing, and the text below it may cost what the densest did */
        double obs = bytes[RC_TOPOFF] / area[RC_TOPOFF];
        e->pass_max = obs > e->pass_max ? obs : e->pass_max;
        e->pass_bpp = obs > e->pass_max / 2 ? obs : e->pass_max / 2;
        if (e->pass_bpp < 1e-3)
            e->pass_bpp = 1e-3;
    }
    /* below min_q the model does not hold: sharp frames do not teach it (moved rows do) */
    int sharp = q < e->cfg.min_q;
    const double fit[RC_KINDS] = {sharp ? 0 : area[RC_KEY], sharp ? 0 : area[RC_CHANGED],
                                  sharp ? 0 : area[RC_TOPOFF], area[RC_MOVE]};
    rc_update(e, fit, bytes, q);
    int send = count > 0 || (flags & SASAE_VENC_FORCE);
    if (send)
        e->credit -= (double)pos;
    /* Nothing more to top off if even a full second of credit cannot sharpen anything. */
    if (pending && !scrolling && !changed && area[RC_TOPOFF] == 0 &&
        e->credit >= cap_credit - budget)
        pending = 0;
    e->q = q;
    e->pending_topoff = pending;
    if (!send)
        return SASAE_VIDEO_OK;
    out[0] = SV_MAGIC0;
    out[1] = SV_MAGIC1;
    out[2] = SV_VERSION;
    out[3] = (uint8_t)e->cfg.codec;
    out[4] = key ? SV_FLAG_KEY : 0;
    out[5] = 0;
    sv_put16(out + 6, (unsigned)W);
    sv_put16(out + 8, (unsigned)H);
    sv_put16(out + 10, (unsigned)e->tw);
    sv_put16(out + 12, (unsigned)e->th);
    sv_put16(out + 14, (unsigned)count);
    *out_len = pos;
    e->need_key = 0;
    for (int i = 0; i < e->ntiles; i++)
        if (e->tiles[i].moved) {
            e->moves++;
            break;
        }
    return SASAE_VIDEO_OK;
fail:
    e->need_key = 1; /* tiles may be out of step with what the decoder has */
    return rc;
}
