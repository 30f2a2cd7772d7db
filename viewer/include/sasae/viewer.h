/* sasae viewer core: the operator viewer's pure logic (no I/O, no SDL): the session state
 * machine, window<->screen coordinate mapping, support-code entry, frame log lines and the
 * rolling statistics shown in the status bar. The sasae-viewer program drives these. */
#ifndef SASAE_VIEWER_H
#define SASAE_VIEWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/wire.h"

/* ---- Session state machine ----------------------------------------------------------- */

enum sasae_vsm_state {
    SASAE_VSM_CONNECTING = 0,  /* TLS/websocket to the relay being set up */
    SASAE_VSM_WAITING_PEER,    /* JOIN sent, waiting for the relay to pair us */
    SASAE_VSM_HANDSHAKE,       /* end-to-end handshake with the host in progress */
    SASAE_VSM_WAITING_CONSENT, /* channel up; the customer's Allow/Deny prompt is showing */
    SASAE_VSM_VIEWING,         /* the customer allowed: the screen is streaming */
    SASAE_VSM_RECONNECTING,    /* the relay was lost while viewing: reconnecting to resume
                                  (a new handshake, then the host's consent state again) */
    SASAE_VSM_ENDED,
};

enum sasae_vsm_control {
    SASAE_VSM_CONTROL_NONE = 0,
    SASAE_VSM_CONTROL_REQUESTED, /* asked; the customer's second prompt is showing */
    SASAE_VSM_CONTROL_GRANTED,
};

enum sasae_vsm_end {
    SASAE_VSM_END_NONE = 0,
    SASAE_VSM_END_CUSTOMER,        /* customer clicked End remote support */
    SASAE_VSM_END_DENIED,          /* customer denied the request */
    SASAE_VSM_END_CONSENT_TIMEOUT, /* no answer to the consent prompt */
    SASAE_VSM_END_CONNECTION_LOST, /* relay connection lost, or the link went silent */
    SASAE_VSM_END_OPERATOR,        /* this operator ended the session */
    SASAE_VSM_END_CODE_REJECTED,   /* relay refused the support code (unknown, expired) */
    SASAE_VSM_END_SECURITY,        /* handshake or record verification failed */
    SASAE_VSM_END_HOST_LEFT,       /* the relay says the customer's PC disconnected */
    SASAE_VSM_END_HOST_SILENT,     /* nothing from the host for SASAE_VSM_HOST_SILENCE_S */
    SASAE_VSM_END_RELAY_REFUSED,   /* the relay refused a new session (busy, out of
                                      resources, audit log unwritable, shutting down) */
    SASAE_VSM_END_ERROR,           /* protocol or local error */
    SASAE_VSM_END_CODE_MISMATCH,   /* the host's code differs from ours (SPAKE2): mistyped
                                      secret digits, or not the customer's computer */
};

enum sasae_vsm_event {
    SASAE_VSM_EV_CONNECTED = 1,   /* relay connection up and JOIN sent */
    SASAE_VSM_EV_PAIRED,          /* relay paired us with the host (also from CONNECTING) */
    SASAE_VSM_EV_ESTABLISHED,     /* handshake complete (host signature, Finished checked) */
    SASAE_VSM_EV_CONSENT,         /* arg = customer consent (enum sasae_wire_consent) */
    SASAE_VSM_EV_CONTROL,         /* arg = control consent (enum sasae_wire_consent) */
    SASAE_VSM_EV_VIDEO,           /* a video frame arrived */
    SASAE_VSM_EV_PEER_END,        /* host sent END; arg = enum sasae_wire_end_reason */
    SASAE_VSM_EV_PEER_LEFT,       /* relay says the host disconnected */
    SASAE_VSM_EV_CLOSED,          /* relay connection closed or failed; arg 1: the relay
                                     refused service (before pairing) */
    SASAE_VSM_EV_CODE_REJECTED,   /* relay refused the code */
    SASAE_VSM_EV_SECURITY_ERROR,  /* handshake/record authentication failed */
    SASAE_VSM_EV_PROTOCOL_ERROR,  /* malformed or unexpected message, local failure */
    SASAE_VSM_EV_OP_END,          /* operator pressed End */
    SASAE_VSM_EV_OP_CONTROL,      /* arg = 1 request control, 0 give it back */
    SASAE_VSM_EV_CONSENT_TIMEOUT, /* viewer-side failsafe: waited too long for the customer */
    SASAE_VSM_EV_PEER_SILENT,     /* viewing, and nothing from the host for
                                     SASAE_VSM_HOST_SILENCE_S (a sharing host sends at least a
                                     keepalive every 2 s) */
    SASAE_VSM_EV_CODE_MISMATCH,   /* the handshake found the two codes differ (ECODE) */
    SASAE_VSM_EV_RELAY_LOST,      /* viewing (or arg 1: in a resume's handshake), and the
                                     relay connection was lost: the driver reconnects with
                                     the resume ticket (then PAIRED); CLOSED when it gives up */
};

/* The link counts as lost after this long without anything from a sharing host (the host
 * ends after as long without anything from the viewer). */
#define SASAE_VSM_HOST_SILENCE_S 20

/* What the driver must do after an event (bits of sasae_vsm_out.actions), lowest first. */
enum sasae_vsm_action {
    SASAE_VSM_ACT_START_HANDSHAKE = 1u << 0, /* send the first handshake message */
    SASAE_VSM_ACT_SEND_CONTROL = 1u << 1,    /* send CONTROL_REQUEST, want = sm.control_want */
    SASAE_VSM_ACT_SEND_END = 1u << 2,        /* send END (reason = sm.end) over the channel */
    SASAE_VSM_ACT_CLOSE = 1u << 3,           /* close the relay connection, wipe keys */
    SASAE_VSM_ACT_SHOW_VIDEO = 1u << 4,      /* the frame may be decoded and shown */
};

/* Result of one event. */
struct sasae_vsm_out {
    uint32_t actions; /* enum sasae_vsm_action bits */
    bool ignored;     /* the event meant nothing in this state: nothing changed */
};

/* A protocol violation by the host that ended the session (END_ERROR), for a message that
 * says what happened. */
enum sasae_vsm_fault {
    SASAE_VSM_FAULT_NONE = 0,
    SASAE_VSM_FAULT_UNREQUESTED_CONTROL, /* control state the operator never asked for */
    SASAE_VSM_FAULT_EARLY_VIDEO,         /* video before the customer allowed */
};

struct sasae_vsm {
    enum sasae_vsm_state state;
    enum sasae_vsm_control control; /* what the operator has, as the UI shows it */
    enum sasae_vsm_end end;         /* set once state is ENDED */
    enum sasae_vsm_fault fault;     /* set when the host broke the protocol */
    int control_want;               /* for ACT_SEND_CONTROL; also the operator's latest wish */
    /* Control is the operator's to ask for: the host may only ask the customer (WAITING) and
     * grant (ALLOWED) in answer to a request. control_asks counts requests sent that the
     * host has not answered yet (answers: ALLOWED, DENIED, TIMEOUT, or NONE/REVOKED while it
     * was asking); host_control is what the host last said it is doing. */
    unsigned control_asks;
    enum sasae_vsm_control host_control;
    bool secure; /* channel established (END can be sent) */
};

/* Initial state: CONNECTING, control NONE. */
void sasae_vsm_init(struct sasae_vsm *sm);

/* Applies one event; returns what the driver must carry out. Pure and total: an event that
 * makes no sense in the current state changes nothing and is reported ignored; once ENDED,
 * every event is. */
struct sasae_vsm_out sasae_vsm_event(struct sasae_vsm *sm, enum sasae_vsm_event ev, int arg);

/* Static names for logs ("viewing", "customer-ended", ...). */
const char *sasae_vsm_state_name(enum sasae_vsm_state s);
const char *sasae_vsm_end_name(enum sasae_vsm_end e);
/* A static English sentence for logs ("" for FAULT_NONE). */
const char *sasae_vsm_fault_text(enum sasae_vsm_fault f);

/* Process exit code of sasae-viewer for an end reason (documented in
 * docs/guide-operator.md): 0 operator ended, 3 customer ended, 4 denied, 5 consent timeout,
 * 6 connection lost, 7 code rejected, 8 security failure, 1 other error. */
int sasae_vsm_exit_code(enum sasae_vsm_end e);

/* ---- Window <-> screen mapping ------------------------------------------------------- */

enum sasae_view_mode {
    SASAE_VIEW_FIT = 0, /* whole screen scaled to the area, aspect kept (letterbox) */
    SASAE_VIEW_1TO1,    /* one screen pixel per window pixel, scrollable */
};

struct sasae_view {
    enum sasae_view_mode mode;
    int screen_w, screen_h;             /* remote screen size in pixels (0 = none yet) */
    int area_x, area_y, area_w, area_h; /* window area the screen is drawn in */
    int scroll_x, scroll_y;             /* 1:1 only: screen pixel at the area's top-left */
};

/* Where to draw: src is the part of the screen shown, dst where it lands in the window.
 * Both are {x, y, w, h}. Returns false when nothing is visible (no screen or empty area). */
bool sasae_view_layout(const struct sasae_view *v, int src[4], int dst[4]);

/* Clamps the scroll position into range (and to 0 when the screen fits the area). */
void sasae_view_clamp(struct sasae_view *v);

/* Scrolls by (dx, dy) screen pixels in 1:1 mode, clamped. No-op in FIT. */
void sasae_view_scroll(struct sasae_view *v, int dx, int dy);

/* Maps a window point to a screen pixel. Returns false (and clamps *sx and *sy to the screen)
 * when the point lies outside the drawn screen. */
bool sasae_view_to_screen(const struct sasae_view *v, int wx, int wy, int *sx, int *sy);

/* Maps a screen pixel to the window point of its top-left corner. */
void sasae_view_to_window(const struct sasae_view *v, int sx, int sy, int *wx, int *wy);

/* Window pixels per screen pixel (1.0 in 1:1 mode). */
double sasae_view_scale(const struct sasae_view *v);

/* The operator's monitor switch: the selection after `selected` in the cycle "all monitors"
 * (only if all_ok), monitor 0, 1, ... count-1, then around again. Selections are wire
 * indexes: 0..count-1, or 0xff for all. Returns `selected` itself when there is nothing
 * else to pick; 0xff when count < 1. */
int sasae_view_next_monitor(int count, int selected, bool all_ok);

/* ---- Support code entry -------------------------------------------------------------- */

/* The customer's code: 12 digits, the last a check digit (sasae/supportcode.h). */
#define SASAE_CODE_DIGITS 12
#define SASAE_CODE_SHOWN 16 /* "123 456 789 012" + NUL */

/* Normalises user input to exactly 12 digits: spaces, dashes and dots are allowed as
 * separators, anything else (or a digit count other than 12) is rejected (-1); a wrong
 * check digit is a typo (-2): nothing must be sent anywhere then. out gets the 12 digits
 * and a NUL. Returns 0, -1 or -2. */
int sasae_code_parse(const char *in, char out[SASAE_CODE_DIGITS + 1]);

/* Formats up to 12 digits as typed so far in groups of three: "1234" -> "123 4".
 * Non-digits are skipped. out has SASAE_CODE_SHOWN bytes. */
void sasae_code_format(const char *digits, char out[SASAE_CODE_SHOWN]);

/* Line-editor for the code box. Returns true when the key changed the text. */
struct sasae_code_entry {
    char digits[SASAE_CODE_DIGITS + 1];
    int len;
};
bool sasae_code_entry_type(struct sasae_code_entry *e, const char *utf8); /* typed/pasted text */
bool sasae_code_entry_backspace(struct sasae_code_entry *e);
/* 12 digits whose check digit matches: ready to connect. */
bool sasae_code_entry_complete(const struct sasae_code_entry *e);
/* 12 digits whose check digit does not match: a typo to show, not to send. */
bool sasae_code_entry_typo(const struct sasae_code_entry *e);

/* ---- What the host reports about itself ------------------------------------------------ */

/* The value of the first "key=value" line of the host's system information text (len bytes,
 * not NUL-terminated), e.g. key "computer". It is the host's own claim, not verified. out
 * gets at most cap - 1 bytes, control characters replaced by '?', cut only between UTF-8
 * characters. Returns false (out = "") when there is no such line. */
bool sasae_sysinfo_value(const char *text, size_t len, const char *key, char *out, size_t cap);

/* ---- Frame log ----------------------------------------------------------------------- */

struct sasae_frame_rec {
    uint32_t frame_id;
    uint64_t capture_us; /* host wall clock at capture */
    uint64_t recv_us;    /* viewer wall clock when the whole frame had arrived */
    uint64_t shown_us;   /* viewer wall clock when decoded and presented (headless: decoded) */
    uint32_t decode_us;
    uint32_t bytes; /* encoded size */
    uint16_t width, height;
    bool keyframe;
    bool refresh; /* a top-off or keep-alive frame: no change on the host's screen */
    bool decode_error;
};

/* The header line of the frame log (tab separated, starts with '#', ends with '\n'). */
const char *sasae_frame_log_header(void);

/* One tab-separated line for rec: frame_id capture_us recv_us shown_us decode_ms bytes
 * latency_ms width height flags ('K' keyframe, 'R' refresh: top-off or keep-alive, 'E' decode
 * error, '-' none), ending in
 * '\n'. latency_ms is shown_us - capture_us (glass to glass; negative if the two clocks
 * disagree). Returns the length as snprintf would (>= cap means truncated). */
int sasae_frame_log_line(const struct sasae_frame_rec *rec, char *out, size_t cap);

/* ---- Rolling statistics -------------------------------------------------------------- */

#define SASAE_METER_SLOTS 256

/* Frames of the last window_us: fps, bitrate, latency. */
struct sasae_meter {
    uint64_t window_us;
    struct {
        uint64_t t_us;
        uint32_t bytes;
        int32_t latency_us;
        uint32_t decode_us;
    } slot[SASAE_METER_SLOTS];
    unsigned head, count;
    uint64_t total_frames, total_bytes, decode_errors;
};

struct sasae_meter_stats {
    double fps;
    double kbps;
    double latency_ms;     /* median over the window; 0 when no frames */
    double latency_max_ms; /* max over the window */
    double decode_ms;      /* mean over the window */
};

/* window_us 0 = one second. */
void sasae_meter_init(struct sasae_meter *m, uint64_t window_us);
/* Records one shown frame at time t_us (any monotonic microsecond clock). */
void sasae_meter_add(struct sasae_meter *m, uint64_t t_us, uint32_t bytes, int64_t latency_us,
                     uint32_t decode_us);
/* Figures over the frames within window_us before now_us. */
void sasae_meter_get(const struct sasae_meter *m, uint64_t now_us, struct sasae_meter_stats *out);

/* ---- Receiver-side bandwidth estimate -------------------------------------------------- */

/* An estimate of what the link carries, sent to the host in STATS (the host sets its
 * bitrate to 85 % of it). Fed once per VIDEO chunk as it arrives; updated every interval.
 * - Capacity is measured only from chunks that arrived back to back, i.e. the sender had
 *   them queued while the previous chunk was still on the link: a chunk continuing a frame
 *   (the host queues all chunks of a frame at once), or the first chunk of a frame whose
 *   queueing delay (one-way delay above its recent minimum) is at least the gap since the
 *   previous chunk. The delivery rate over those gaps, once they add up to min_busy_us
 *   (or to three chunks' bytes, on a fast link), is the "busy rate"; it never counts a
 *   frame's bytes into a time it did not take.
 * - An interval with queueing above overuse_ms sets the estimate to the latest busy rate
 *   (the sender is above the link: report what it delivers, never more); a busy-rate
 *   sample without such queueing only raises it.
 * - Two intervals in a row without back-to-back arrivals and with queueing within normal_ms
 *   are limited by the sender, not the link: the estimate is never lowered there and grows
 *   to 1.5 x the rate received (capped at the last busy rate if one was measured, else at
 *   max_kbps), so a sender following it can probe upwards; larger frames (several chunks)
 *   then measure the link again.
 * - Otherwise (mild queueing, idle screen) it is kept.
 * The clocks of the two machines need not agree: only differences from the minimum delay
 * are used. 0 means "nothing measured yet" (the host keeps its own rate). */
#define SASAE_BWE_HISTORY 64

struct sasae_bwe {
    uint64_t interval_us;    /* 500 ms */
    uint64_t base_window_us; /* 10 s: how long a delay minimum is remembered */
    uint64_t min_busy_us;    /* 50 ms of back-to-back arrivals make one busy-rate sample */
    int overuse_ms, normal_ms;
    uint32_t max_kbps; /* 50000: cap on the estimate */
    uint32_t estimate_kbps;
    uint32_t busy_kbps; /* last busy-rate sample, 0 = none yet */
    /* per-interval minimum one-way delays (us), for the baseline */
    struct {
        uint64_t t_us;
        int64_t min_delay_us;
    } hist[SASAE_BWE_HISTORY];
    unsigned nhist;
    uint64_t cur_start_us;
    int64_t cur_delay_sum_us;
    int64_t cur_min_delay_us;
    uint32_t cur_chunks;
    uint64_t cur_bytes;
    bool cur_busy;
    bool prev_calm;
    /* the previous interval was sender-limited (or empty) */ /* a back-to-back arrival in this
                                                                 interval */
    uint64_t busy_bytes, busy_us; /* back-to-back arrivals not yet turned into a sample */
    uint64_t last_recv_us;        /* previous chunk's arrival, 0 = none */
};

void sasae_bwe_init(struct sasae_bwe *b);
/* One VIDEO chunk of `bytes` payload bytes, complete at recv_us (our wall clock), of the
 * frame the host captured at capture_us (its wall clock); chunk_offset is its offset in
 * the frame (0 = first chunk). Returns true when an interval closed and the estimate was
 * updated. */
bool sasae_bwe_chunk(struct sasae_bwe *b, uint64_t recv_us, uint64_t capture_us,
                     uint32_t chunk_offset, uint32_t bytes);
/* Closes the interval at now_us even without chunks (idle screen). Returns true when it did. */
bool sasae_bwe_tick(struct sasae_bwe *b, uint64_t now_us);

/* ---- text cache: which rendered texts the window keeps --------------------------------- */

#define SASAE_TCACHE_SLOTS 64
#define SASAE_TCACHE_TEXT 200 /* longer texts are not kept (drawn each time) */

/* The window's texts (toolbar labels, the status bar) are drawn again on every frame but
 * change seldom: it keeps each one's rendered texture, keyed by font, colour and text, and
 * renders a text only when it is new. This is the key table; the window holds the textures
 * in a parallel array, slot for slot. */
struct sasae_tcache_slot {
    bool used;
    const void *font; /* identity only, never read */
    uint32_t rgba;
    int w, h; /* the rendered size, set by the window */
    uint64_t last_use;
    char text[SASAE_TCACHE_TEXT];
};
struct sasae_tcache {
    uint64_t clock;
    struct sasae_tcache_slot s[SASAE_TCACHE_SLOTS];
};

/* Empty. */
void sasae_tcache_init(struct sasae_tcache *c);
/* The slot holding text in font and colour (marked used now), or -1. */
int sasae_tcache_find(struct sasae_tcache *c, const void *font, uint32_t rgba, const char *text);
/* A slot holding text in font in any colour (for its size), or -1. Does not mark it used. */
int sasae_tcache_find_any(const struct sasae_tcache *c, const void *font, const char *text);
/* Takes a slot for a new text: a free one, else the least recently used, whose texture the
 * caller must free first (*evicted true). -1 when the text is too long to keep. */
int sasae_tcache_claim(struct sasae_tcache *c, const void *font, uint32_t rgba, const char *text,
                       bool *evicted);
/* Frees slot i (its text could not be rendered). */
void sasae_tcache_drop(struct sasae_tcache *c, int i);

/* ---- damage: the parts of the picture a frame changed ------------------------------------- */

#define SASAE_DAMAGE_MAX 32

/* What one frame changed, as rectangles {x, y, w, h} in picture pixels, so that the window
 * converts and uploads only those (a keystroke changes a tile or two of a 1080p picture). */
struct sasae_damage {
    bool full; /* all of the picture (the first frame, a new size, a keyframe) */
    int n;
    int rects[SASAE_DAMAGE_MAX][4];
};

/* Nothing changed yet. */
void sasae_damage_reset(struct sasae_damage *d);
/* All of the picture changed. */
void sasae_damage_all(struct sasae_damage *d);
/* Adds a changed rectangle (empty ones are ignored). It joins a rectangle it continues on the
 * same rows or columns (tiles come in row order); past SASAE_DAMAGE_MAX pieces everything
 * becomes one bounding rectangle, so nothing changed is ever left out. */
void sasae_damage_add(struct sasae_damage *d, int x, int y, int w, int h);

/* Whether an OpenGL driver, by its GL_RENDERER string, draws on the CPU (Mesa llvmpipe,
 * softpipe, swrast; Windows' GDI Generic): SDL's own software renderer is then cheaper. */
bool sasae_gfx_gl_is_software(const char *gl_renderer);

#endif
