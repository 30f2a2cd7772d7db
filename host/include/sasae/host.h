/* sasae host: the customer-side agent's building blocks: the session state machine that
 * decides what may be sent and which input is accepted, screen capture backends, input
 * injection and system information. The sasae-host program wires them to the network. */
#ifndef SASAE_HOST_H
#define SASAE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ==== Session state machine (pure: no I/O, no clock of its own) ========================= */

enum sasae_hs_state {
    SASAE_HS_IDLE = 0,  /* connecting to the relay */
    SASAE_HS_WAITING,   /* registered, support code shown */
    SASAE_HS_HANDSHAKE, /* operator joined, end-to-end handshake running */
    SASAE_HS_ASKING,    /* consent prompt showing */
    SASAE_HS_SHARING,   /* customer allowed: screen is streamed */
    SASAE_HS_RESUMING,  /* the relay was lost while sharing: nothing is shared; reconnecting
                           to resume (docs/security.md "Relay loss and re-consent") */
    SASAE_HS_ENDED,     /* terminal */
    SASAE_HS_NSTATES
};

/* Remote control, a sub-state of SHARING. */
enum sasae_hs_control {
    SASAE_HS_CONTROL_NONE = 0,
    SASAE_HS_CONTROL_ASKED, /* control prompt showing */
    SASAE_HS_CONTROL_GRANTED,
};

enum sasae_hs_event {
    SASAE_HS_EV_REGISTERED = 0, /* relay gave us a support code */
    SASAE_HS_EV_PEER_JOINED,    /* relay paired an operator */
    SASAE_HS_EV_HANDSHAKE_OK,   /* operator identity verified; arg 1: this handshake resumes
                                   a session and found the very operator certificate of
                                   the session it resumes */
    SASAE_HS_EV_CHANNEL_FAILED, /* handshake failed, or a record failed to open */
    SASAE_HS_EV_HELLO,          /* viewer's HELLO arrived */
    SASAE_HS_EV_CONSENT_ALLOW,
    SASAE_HS_EV_CONSENT_DENY,
    SASAE_HS_EV_CONTROL_REQUEST, /* viewer asks for control */
    SASAE_HS_EV_CONTROL_RELEASE, /* viewer gives control back */
    SASAE_HS_EV_CONTROL_ALLOW,
    SASAE_HS_EV_CONTROL_DENY,
    SASAE_HS_EV_CONTROL_REVOKE, /* customer pressed Stop control */
    SASAE_HS_EV_END_BUTTON,     /* customer pressed End remote support */
    SASAE_HS_EV_WINDOW_CLOSE,   /* customer closed a host window */
    SASAE_HS_EV_SIGNAL,         /* SIGINT/SIGTERM */
    SASAE_HS_EV_VIEWER_END,     /* viewer sent END */
    SASAE_HS_EV_PEER_LEFT,      /* relay says the viewer is gone */
    SASAE_HS_EV_RELAY_ERROR,    /* relay connection lost or relay error; arg 1: the relay
                                   refused service (busy, out of resources, stopping); arg 2:
                                   no current revocation list could be had from it */
    SASAE_HS_EV_PROTOCOL_ERROR, /* malformed or unexpected application message */
    SASAE_HS_EV_FRAME_SENT,     /* arg = frame id */
    SASAE_HS_EV_FRAME_ACKED,    /* arg = frame id */
    SASAE_HS_EV_PEER_ACTIVITY,  /* any valid record from the viewer */
    SASAE_HS_EV_TICK,           /* time passes: deadlines are checked */
    SASAE_HS_EV_CAPTURE_FAILED, /* the capture/encode pipeline stopped on an error */
    SASAE_HS_EV_CODE_LOST,      /* relay expired or burned our code; arg = enum sasae_hs_renew */
    SASAE_HS_EV_CONTINUE,       /* customer answered "Continue sharing" to the re-consent */
    SASAE_HS_NEVENTS
};

/* Why the host is getting a new support code (arg of SASAE_HS_EV_CODE_LOST). EXPIRED and
 * BURNED only while WAITING, MISMATCH and TOO_MANY only during the HANDSHAKE (the joiner's
 * code did not match: nothing was verified or asked): the host registers again and shows
 * the new code; in any other state the event ends the session like a relay error (never
 * after pairing or consent). */
enum sasae_hs_renew {
    SASAE_HS_RENEW_NONE = 0,
    SASAE_HS_RENEW_EXPIRED = 1,  /* nobody joined within the code's lifetime */
    SASAE_HS_RENEW_BURNED = 2,   /* the relay burned it after 5 failed joins */
    SASAE_HS_RENEW_RELAY = 3,    /* the relay connection was lost (RELAY_ERROR while WAITING) */
    SASAE_HS_RENEW_MISMATCH = 4, /* an operator's code did not match (the host keeps its
                                    secret digits; the relay's part is new) */
    SASAE_HS_RENEW_TOO_MANY = 5, /* the 5th code that did not match: the host burned its
                                    secret digits too */
};
/* Codes that did not match before the host burns its secret digits, and burns before the
 * host stops offering codes (the session ends: 15 online guesses in all). */
#define SASAE_HS_MISMATCH_BURN 5
#define SASAE_HS_MAX_BURNS 3

/* Why a session ended, from the host's point of view. */
enum sasae_hs_end {
    SASAE_HS_END_NONE = 0,
    SASAE_HS_END_CUSTOMER,          /* End button or window closed */
    SASAE_HS_END_DENIED,            /* customer denied consent */
    SASAE_HS_END_CONSENT_TIMEOUT,   /* no answer in 60 s */
    SASAE_HS_END_OPERATOR,          /* viewer sent END */
    SASAE_HS_END_PEER_LEFT,         /* viewer vanished (relay told us) */
    SASAE_HS_END_PEER_TIMEOUT,      /* viewer silent too long, or handshake too slow */
    SASAE_HS_END_HANDSHAKE_FAILED,  /* operator not verified / channel broken */
    SASAE_HS_END_PROTOCOL,          /* malformed message from the viewer */
    SASAE_HS_END_RELAY,             /* relay connection lost */
    SASAE_HS_END_SIGNAL,            /* program asked to stop */
    SASAE_HS_END_CAPTURE_FAILED,    /* screen capture or encoding broke: no frozen picture */
    SASAE_HS_END_RECONSENT_TIMEOUT, /* "Continue sharing?" not answered in 60 s */
    SASAE_HS_END_RELAY_REFUSED,     /* the relay refused a new session (busy, out of
                                       resources, audit log unwritable, shutting down) */
    SASAE_HS_END_CODE_MISMATCH,     /* SASAE_HS_MAX_BURNS secrets burned by codes that did not
                                       match: the host offers no more codes */
    SASAE_HS_END_NO_CRL,            /* no current revocation list for the organisation: no
                                       code is shown (RELAY_ERROR with arg 2) */
};

/* What the driver must do after an event, executed in this bit order (lowest first), so
 * that stopping capture and input always happens before any network action. */
enum sasae_hs_action {
    SASAE_HS_ACT_STOP_CAPTURE = 1u << 0,
    SASAE_HS_ACT_INPUT_OFF = 1u << 1, /* also release keys/buttons held by injection */
    SASAE_HS_ACT_CLEAR_OVERLAY = 1u << 2,
    SASAE_HS_ACT_HIDE_PROMPT = 1u << 3,         /* consent prompt */
    SASAE_HS_ACT_HIDE_CONTROL_PROMPT = 1u << 4, /* control prompt */
    SASAE_HS_ACT_SHOW_CODE = 1u << 5,
    SASAE_HS_ACT_SHOW_CONNECTING = 1u << 6, /* operator joined, verifying */
    SASAE_HS_ACT_SHOW_PROMPT = 1u << 7,
    SASAE_HS_ACT_START_CAPTURE = 1u << 8,
    SASAE_HS_ACT_SHOW_BAR = 1u << 9, /* show or refresh the session bar */
    SASAE_HS_ACT_SHOW_CONTROL_PROMPT = 1u << 10,
    SASAE_HS_ACT_INPUT_ON = 1u << 11,
    SASAE_HS_ACT_SEND_HELLO = 1u << 12,
    SASAE_HS_ACT_SEND_CONSENT = 1u << 13, /* CONSENT_STATE with out.consent */
    SASAE_HS_ACT_SEND_SYSINFO = 1u << 14,
    SASAE_HS_ACT_SEND_CONTROL = 1u << 15, /* CONTROL_STATE with out.control_state */
    SASAE_HS_ACT_SEND_END = 1u << 16,     /* END with out.end_reason */
    SASAE_HS_ACT_AUDIT = 1u << 17,        /* relay AUDIT event, text in out.audit */
    SASAE_HS_ACT_CLOSE = 1u << 18,        /* close the relay connection */
    SASAE_HS_ACT_WIPE_KEYS = 1u << 19,    /* free the secure channel */
    SASAE_HS_ACT_SHOW_ENDED = 1u << 20,
    SASAE_HS_ACT_RENEW_CODE = 1u << 21,    /* register again on a new relay connection */
    SASAE_HS_ACT_SHOW_CONTINUE = 1u << 22, /* the periodic "Continue sharing?" prompt */
    SASAE_HS_ACT_HIDE_CONTINUE = 1u << 23,
    SASAE_HS_ACT_RESUME = 1u << 24, /* reconnect to the relay presenting the resume ticket */
};

/* Values of CONSENT_STATE / CONTROL_STATE, equal to the wire's enum sasae_wire_consent. */
enum sasae_hs_consent_value {
    SASAE_HS_CONSENT_NONE = 0,
    SASAE_HS_CONSENT_WAITING = 1,
    SASAE_HS_CONSENT_ALLOWED = 2,
    SASAE_HS_CONSENT_DENIED = 3,
    SASAE_HS_CONSENT_TIMEOUT = 4,
    SASAE_HS_CONSENT_REVOKED = 5,
};

/* Kinds of relay AUDIT events, equal to the relay envelope's enum sasae_env_audit_kind. */
enum sasae_hs_audit {
    SASAE_HS_AUDIT_NONE = 0,
    SASAE_HS_AUDIT_HANDSHAKE_DONE = 1,
    SASAE_HS_AUDIT_HANDSHAKE_FAILED = 2,
    SASAE_HS_AUDIT_CONSENT_ALLOWED = 3,
    SASAE_HS_AUDIT_CONSENT_DENIED = 4,
    SASAE_HS_AUDIT_CONSENT_TIMEOUT = 5,
    SASAE_HS_AUDIT_CONTROL_ALLOWED = 6,
    SASAE_HS_AUDIT_CONTROL_DENIED = 7,
    SASAE_HS_AUDIT_CONTROL_REVOKED = 8,
    SASAE_HS_AUDIT_END = 9,
};

/* Result of one event. */
struct sasae_hs_out {
    uint32_t actions;      /* enum sasae_hs_action bits */
    uint8_t consent;       /* for SEND_CONSENT */
    uint8_t control_state; /* for SEND_CONTROL */
    enum sasae_hs_end end_reason;
    enum sasae_hs_audit audit_kind; /* for AUDIT */
    const char *audit;              /* static text for AUDIT, e.g. "consent allowed" */
    bool ignored;                   /* the event meant nothing in this state */
};

/* Timeouts, in nanoseconds. */
#define SASAE_HS_CONSENT_TIMEOUT_NS (60ull * 1000000000ull)
#define SASAE_HS_HANDSHAKE_TIMEOUT_NS (30ull * 1000000000ull)
#define SASAE_HS_PEER_SILENCE_NS (20ull * 1000000000ull)
/* A host whose relay went away while it only showed a code keeps trying this long (from
 * the loss) before it gives up; retries wait 1, 2, 4, 8, then 16 s. */
#define SASAE_HS_RECONNECT_FOR_NS (120ull * 1000000000ull)
#define SASAE_HS_RECONNECT_MAX_DELAY_NS (16ull * 1000000000ull)
/* A session whose relay was lost while sharing resumes without a new prompt only if the
 * same operator certificate meets this host again within this long of the loss, through a
 * fresh handshake; otherwise the customer is asked again, or past it the session ends. */
#define SASAE_HS_RESUME_WINDOW_NS (60ull * 1000000000ull)
/* Frames the host may have sent but the viewer not acknowledged. */
#define SASAE_HS_MAX_INFLIGHT 2u
/* Sent frames remembered for byte accounting (more than can be in flight). */
#define SASAE_HS_SENT_RING 16u

/* Plain value: zero-initialise or use sasae_hs_init. Not thread-safe; callers lock. */
struct sasae_hs {
    enum sasae_hs_state state;
    enum sasae_hs_control control;
    enum sasae_hs_end end_reason;
    enum sasae_hs_renew renewed; /* why the code now shown replaced an earlier one */
    uint32_t renewals;           /* codes replaced so far */
    uint32_t relay_fails;        /* relay losses/failed reconnects since the last code */
    uint64_t relay_lost_at;      /* when the relay was lost while waiting (reconnecting) */
    bool end_sent;               /* END was handed to the network */
    bool verified;               /* the operator's identity was verified (handshake done) */
    uint64_t reconsent_ns;       /* ask "Continue sharing?" this long after each consent (0 =
                                    never); set after sasae_hs_init */
    uint64_t consent_at;         /* when the customer last allowed (or continued) */
    bool continue_asked;         /* the "Continue sharing?" prompt shows (since prompt_since) */
    /* Resume after a relay loss: how long after the loss (0 = never: a loss after a join
     * ends the session; sasae_hs_init sets SASAE_HS_RESUME_WINDOW_NS, never raise it); when
     * the loss was; whether the handshake running resumes; sessions resumed so far. */
    uint64_t resume_window_ns;
    uint64_t resume_lost_at;
    bool resuming;
    uint32_t resumes;
    bool shared;            /* the customer allowed: the screen was shared */
    bool hello_seen;        /* viewer HELLO received */
    uint64_t prompt_since;  /* when the showing prompt appeared (consent or control) */
    uint64_t deadline;      /* next deadline in mono ns, 0 = none */
    uint64_t last_peer;     /* last activity from the viewer */
    uint32_t last_sent_id;  /* last frame id sent */
    uint32_t last_acked_id; /* highest frame id acknowledged */
    uint32_t inflight;      /* frames sent but not acknowledged */
    /* Bytes in flight: a second frame waits while the first's bytes exceed byte_window. */
    uint32_t byte_window;    /* 0 = frames only */
    uint64_t inflight_bytes; /* sent but not acknowledged */
    uint64_t sent_bytes;     /* total sent this session */
    uint32_t next_bytes;     /* size of the frame the next FRAME_SENT reports */
    bool next_key;           /* ... and whether it is a keyframe */
    bool key_unacked;        /* a keyframe is in flight */
    uint32_t key_id;         /* its frame id */
    struct {
        uint32_t id;
        uint64_t sent_bytes; /* sent_bytes once this frame was sent */
    } sent[SASAE_HS_SENT_RING];
};

void sasae_hs_init(struct sasae_hs *hs);

/* Feeds one event at monotonic time now_ns (arg: frame id for FRAME_SENT/ACKED, else 0).
 * Returns what to do; never fails: events that do not apply are reported as ignored. */
struct sasae_hs_out sasae_hs_event(struct sasae_hs *hs, enum sasae_hs_event ev, uint32_t arg,
                                   uint64_t now_ns);

/* Records that the END message was handed to the network: nothing may be sent after. */
void sasae_hs_mark_end_sent(struct sasae_hs *hs);
/* Gatekeeper for every outgoing application message (wire type, enum sasae_wire_type). */
bool sasae_hs_may_send(const struct sasae_hs *hs, int wire_type);
/* Gatekeeper for every incoming application message. false = drop it (and for types not
 * expected at all in this state, the driver reports PROTOCOL_ERROR). */
bool sasae_hs_accepts(const struct sasae_hs *hs, int wire_type);
/* True while the driver may inject mouse and key events (control granted, no prompt). */
bool sasae_hs_input_allowed(const struct sasae_hs *hs);
/* True while a new video frame may be started: sharing, < MAX_INFLIGHT unacked frames, and
 * either nothing in flight or fewer than byte_window unacked bytes (so one frame always
 * goes, but a big frame is not followed by another until the link has carried it). */
bool sasae_hs_may_send_frame(const struct sasae_hs *hs);
/* Sets the byte window (e.g. what the link carries in 250 ms at the current bitrate);
 * 0 = limit by frames only. */
void sasae_hs_set_byte_window(struct sasae_hs *hs, uint32_t bytes);
/* Size and kind of the frame the next FRAME_SENT event reports; call just before it. */
void sasae_hs_frame_meta(struct sasae_hs *hs, uint32_t bytes, bool keyframe);
/* True while a keyframe is sent and not acknowledged (no top-off pass then: it would only
 * queue more bytes behind the picture the viewer still waits for). */
bool sasae_hs_keyframe_unacked(const struct sasae_hs *hs);
/* Seconds left on the showing prompt (rounded up), or -1 if no prompt shows. */
int sasae_hs_prompt_seconds_left(const struct sasae_hs *hs, uint64_t now_ns);

const char *sasae_hs_state_str(enum sasae_hs_state s);
const char *sasae_hs_event_str(enum sasae_hs_event e);
const char *sasae_hs_end_str(enum sasae_hs_end r);
/* "none", "expired", "burned", "relay" */
const char *sasae_hs_renew_str(enum sasae_hs_renew r);
/* How long the driver waits before it opens the new relay connection a RENEW_CODE action
 * asked for: 0 for an expired or burned code, an exponential backoff while the relay is
 * unreachable (1 s doubling to SASAE_HS_RECONNECT_MAX_DELAY_NS). */
uint64_t sasae_hs_renew_delay_ns(const struct sasae_hs *hs);
/* Wire END reason (enum sasae_wire_end_reason) for a host end reason. */
int sasae_hs_end_wire_reason(enum sasae_hs_end r);

/* ==== Dirty rectangles ================================================================== */

struct sasae_rect {
    int x, y, w, h;
};

/* A bounded set of dirty rectangles; when it overflows it collapses to their bounding box. */
#define SASAE_DIRTY_MAX 64
struct sasae_dirty {
    int n;
    struct sasae_rect r[SASAE_DIRTY_MAX];
};

/* Adds r expanded outwards to the 16-pixel grid and clipped to width x height. Rectangles
 * that become empty are skipped; overlapping ones are merged. */
void sasae_dirty_add(struct sasae_dirty *d, struct sasae_rect r, int width, int height);
/* Adds every rectangle of src (merging a dropped capture's damage into the next). */
void sasae_dirty_merge(struct sasae_dirty *d, const struct sasae_dirty *src, int width, int height);
/* Total area covered (rectangles do not overlap after _add). */
long sasae_dirty_area(const struct sasae_dirty *d);

/* ==== Capture =========================================================================== */

/* One captured screen image, BGRA (B,G,R,A byte order, A ignored), owned by the source and
 * valid until its next capture call or free. */
struct sasae_frame {
    int width, height, stride;
    const uint8_t *bgra;
    uint64_t capture_us; /* wall clock of the capture */
};

struct sasae_cursor {
    int x, y;        /* pointer position relative to the captured area */
    bool visible;    /* inside the captured area */
    uint32_t serial; /* changes with the shape */
    int w, h, hot_x, hot_y;
    uint8_t *bgra; /* w*h*4, owned by the source */
};

struct sasae_cap;

/* Which backend: "screen" (the platform's own, first that opens: "x11" on Linux, the
 * $DISPLAY or display given; "dxgi" then "gdi" on Windows), one of those by name,
 * "synthetic" (deterministic animated screen, width x height, no display), "file:PATH"
 * (y4m I420 or raw BGRA). */
struct sasae_cap_opts {
    const char *source;  /* "screen", "x11", "gdi", "dxgi", "synthetic", "file:PATH" */
    const char *display; /* x11: X display name, NULL = $DISPLAY */
    int monitor;         /* x11: -1 = whole desktop, else XRandR monitor index */
    int width, height;   /* synthetic and raw files: size (0 = 1280x720) */
    int fps;             /* file/synthetic: frames per second of the source (0 = 30) */
};

/* Opens a capture source. NULL on error, reason in err (errlen bytes). */
struct sasae_cap *sasae_cap_open(const struct sasae_cap_opts *o, char *err, size_t errlen);
void sasae_cap_free(struct sasae_cap *c);
/* True if source names the real screen ("screen" or one of this platform's backends). */
bool sasae_cap_is_screen(const char *source);
/* Size of what is captured. */
void sasae_cap_size(const struct sasae_cap *c, int *w, int *h);
/* Captures what changed since the previous call (the first call reports the whole screen):
 * the dirty rectangles are added to *dirty (16-px aligned) and *frame shows the current
 * image. Returns 1 when something changed, 0 when nothing did, negative errno on error
 * (-EPIPE: display gone, or end of file for a non-looping file source). */
int sasae_cap_grab(struct sasae_cap *c, struct sasae_dirty *dirty, struct sasae_frame *frame);
/* Waits up to timeout_ms for the screen to change (X11: damage events; others: their
 * frame clock). Returns 1 if a change may be waiting, 0 on timeout, negative on error. */
int sasae_cap_wait(struct sasae_cap *c, int timeout_ms);
/* Current cursor; returns 1 if shape or position changed since the last call, 0 if not,
 * -ENOTSUP for sources without a cursor. */
int sasae_cap_cursor(struct sasae_cap *c, struct sasae_cursor *cur);
/* Origin of the captured area on the X screen (monitor offset), for input injection. */
void sasae_cap_origin(const struct sasae_cap *c, int *x, int *y);

/* One monitor of the customer's desktop, as the capture options' `monitor` index counts. */
#define SASAE_MONITORS_MAX 16
struct sasae_monitor {
    int x, y, w, h; /* on the desktop (X screen; Windows virtual screen) */
    bool primary;
    char name[33]; /* "HDMI-1", "\\.\DISPLAY1"; may be empty */
};
/* Lists the monitors the source o can capture one by one, in the order o->monitor counts
 * them (X: XRandR monitors of o->display; Windows: EnumDisplayMonitors). A source that is not
 * the real screen (synthetic, file) has one: the open capture c's size. Returns how many
 * (<= max), or a negative errno (no display, no RandR). */
int sasae_cap_monitors(const struct sasae_cap *c, const struct sasae_cap_opts *o,
                       struct sasae_monitor *out, int max);

/* ==== Input injection (XTest) =========================================================== */

struct sasae_inject;
/* Opens the display for XTest. NULL (reason in err) if XTest is missing. The captured area
 * (x, y, w, h on the X screen, e.g. one monitor) bounds all mouse input: coordinates are
 * relative to its origin, moves and button releases are clamped into it, and presses and
 * wheel events outside it are dropped (-ERANGE): the operator can never click on a monitor
 * that is not shared. */
struct sasae_inject *sasae_inject_open(const char *display, int x, int y, int w, int h, char *err,
                                       size_t errlen);
void sasae_inject_free(struct sasae_inject *in);
/* Mouse: move to (x, y), then for button events press/release button 1..9, for wheel events
 * dy notches up (+) or down (-), dx right (+) or left (-). Returns 0 or negative errno. */
int sasae_inject_move(struct sasae_inject *in, int x, int y);
int sasae_inject_button(struct sasae_inject *in, int x, int y, int button, bool down);
int sasae_inject_wheel(struct sasae_inject *in, int x, int y, int dx, int dy);
/* Key by X11 keysym. Unknown keysyms: -EINVAL. Key presses stay inside what is shared: a
 * press while the screen's pointer is outside the area (the customer moved it to a monitor
 * that is not shared, where the focused window may be) is dropped with -ERANGE; the release
 * of a key this injector pressed always goes out. */
int sasae_inject_key(struct sasae_inject *in, uint32_t keysym, bool down);
/* Releases every key and button this injector pressed (when control ends mid-press). */
void sasae_inject_release_all(struct sasae_inject *in);

/* ==== Annotation overlay (the operator's pen and pointing marker) ====================== */

/* An override-redirect X11 window over the shared area, shaped to show only the strokes and
 * the pointing hand, and click-through (empty input shape): the customer keeps using the desktop.
 * Thread-safe: calls may come from the network thread. Strokes and the marker only update
 * memory; the overlay's own thread redraws at most SASAE_OVERLAY_FPS times a second, so a
 * flood of pen messages costs no X work in the caller. The pen is always red on the host. */
struct sasae_overlay;

#define SASAE_OVERLAY_FPS 30
/* The only pen colour the customer ever sees (0xRRGGBB): an operator cannot paint look-alike
 * buttons or labels in other colours. */
#define SASAE_OVERLAY_RED 0xff0000u
#define SASAE_OVERLAY_MAX_KEEPOUT 4

/* Opens the overlay over x,y,w,h of the X screen (the captured area). NULL + err. */
struct sasae_overlay *sasae_overlay_open(const char *display, int x, int y, int w, int h, char *err,
                                         size_t errlen);
void sasae_overlay_free(struct sasae_overlay *o);
/* Moves (or hides) the pointing hand (common/marker.c); its fingertip is at (x, y) in area
 * coordinates. The hand glides there from where it is shown and fades out after
 * SASAE_MARKER_IDLE_MS without an update. */
void sasae_overlay_pointer(struct sasae_overlay *o, int x, int y, bool visible);
/* Adds points to stroke id (a new id starts a new stroke); xy holds n (x, y) pairs. Colour
 * 0xRRGGBBAA is ignored: every stroke is drawn in SASAE_OVERLAY_RED. Width 1..64. Old strokes
 * are dropped beyond a total point budget. Returns 0 or -EINVAL for bad arguments. */
int sasae_overlay_stroke(struct sasae_overlay *o, uint32_t id, const int32_t *xy, int n,
                         uint32_t rgba, int width);
/* Removes the stroke id (the operator's undo): 0, or -ENOENT when no stroke has that id
 * (never drawn, or dropped by the point budget). Other strokes stay. */
int sasae_overlay_undo(struct sasae_overlay *o, uint32_t id);
/* Removes every stroke (the marker stays). */
void sasae_overlay_clear(struct sasae_overlay *o);
/* Removes strokes and marker and unmaps the window at once (end of session). */
void sasae_overlay_hide(struct sasae_overlay *o);
/* on: unmaps the window at once and keeps it unmapped (a prompt is showing: nothing may
 * cover it); off: shows the drawing again. */
void sasae_overlay_suspend(struct sasae_overlay *o, bool on);
/* Rectangles of the X screen (x, y, w, h each) the overlay never covers: the customer's
 * session bar and prompts. Replaces the previous set; n <= SASAE_OVERLAY_MAX_KEEPOUT. */
void sasae_overlay_keepout(struct sasae_overlay *o, const int *xywh, int n);
/* How many times the window was redrawn so far (logs and tests of the rate limit). */
unsigned long sasae_overlay_redraws(struct sasae_overlay *o);

/* ==== System information ================================================================ */

/* Writes a UTF-8 text report, one "key=value" per line as docs/protocol.md asks (os, kernel,
 * cpu, cores, memory_mb, disk, displays, display) into out (cap bytes, NUL-terminated,
 * truncated at a line if short). display: X display to list monitors of (NULL = $DISPLAY; skipped
 * if none). Returns the length written. */
size_t sasae_sysinfo_collect(char *out, size_t cap, const char *display);

#endif
