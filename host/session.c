/* One host support session: state machine + secure channel + wire + capture/encode pipeline
 * + input injection + overlay. The session lock orders every decision and every record:
 * a record is sealed and queued under the lock only if the state machine allows its type
 * at that moment, so once End is handled nothing but the END record can leave. */
#include "session.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "filerecv.h"
#include "sasae/common.h"
#include "sasae/hostclip.h"
#include "sasae/link.h"
#include "sasae/supportcode.h"
#include "sasae/video.h"
#include "sasae/wire.h"

_Static_assert(SASAE_MONITORS_MAX <= SASAE_WIRE_MONITORS_MAX, "monitor list fits the wire");

/* After the viewer's END, how long the host waits for the relay to close its connection
 * before closing it itself. */
#define PEER_CLOSE_WAIT_NS 1500000000ull

#define TAG "session"
#define MS 1000000ull
#define KEEPALIVE_NS (2000 * MS)
#define FAST_NS (50 * MS)
/* Bytes the transport may hold before the pipeline stops starting frames: about a quarter
 * second at 1 Mbit/s, so a slow link never builds a queue of stale video. */
#define QUEUE_LIMIT (64 * 1024)
/* A frame leaves in chunks of this size, each queued only while the transport holds less
 * than QUEUE_LIMIT - VIDEO_CHUNK: a keyframe of hundreds of KB never sits in the queue at
 * once, so END (queued behind at most QUEUE_LIMIT bytes, about 0.5 s at 1 Mbit/s) is never
 * stuck behind video captured before the click, and no sealed record is ever dropped (the
 * channel's sequence stays whole, so END opens on the viewer). */
#define VIDEO_CHUNK (16 * 1024)
#define PACE_NS (2 * MS)
#define ACK_RING 16
/* want_monitor: no switch asked for */
#define MON_NONE (-2)

struct host_session {
    pthread_mutex_t mu;
    struct sasae_hs hs;
    struct host_session_config cfg;
    struct host_transport tr;
    uint64_t close_at; /* the viewer ended it: close then if the relay has not closed us */
    char close_why[48];
    struct sasae_link *link; /* the secure channel and its messages (codec/link) */
    struct sasae_cap *cap;
    struct sasae_inject *inject;
    struct sasae_overlay *overlay;
    struct sasae_clip *clip; /* opened with input: the clipboard only moves under control */
    enum host_notice notice;
    uint64_t notice_at;
    struct host_chat_line chat[HOST_CHAT_LINES]; /* ring: chat_serial % HOST_CHAT_LINES next */
    unsigned chat_serial;
    int keepout[4 * SASAE_OVERLAY_MAX_KEEPOUT], nkeepout;
    uint8_t *rec; /* the record being sent: sealed here, copied once by the transport */
    char fpr[SASAE_CHAN_FPR_LEN];
    char code[16], op_name[SASAE_CHAN_NAME_MAX], org[SASAE_CHAN_NAME_MAX], status[256];
    /* revocation: the newest CRL accepted, and what the relay sent on this connection */
    struct host_crl crl;
    struct sasae_chan_trust *trust; /* the organisation CA + crl, made at pairing */
    char pending_code[16];          /* a code not shown until a current CRL is held */
    uint64_t pending_since;
    int crls_seen;     /* CRL messages since the code: 1 = the answer, 2+ = at pairing */
    bool last_crl_ok;  /* the latest one was accepted */
    char crl_why[256]; /* why the latest one was refused */
    /* Resume after a relay loss (docs/security.md "Relay loss and re-consent"): the ticket
     * and code of the last established session, and the operator certificate it verified. */
    uint8_t resume_ticket[SASAE_CHAN_TICKET_LEN];
    char resume_code[SASAE_CHAN_RESUME_CODE_LEN + 1];
    bool have_ticket;
    char op_cert[65];
    /* The code shown is the relay's 7 digits, secret[] and a check digit; the secret digits
     * never leave this process except on the customer's screen. */
    char secret[SASAE_SCODE_SECRET_DIGITS + 1];
    unsigned mismatches; /* joins whose code did not match, for the current secret */
    unsigned burns;      /* secrets burned after SASAE_HS_MISMATCH_BURN mismatches */

    /* The monitors the operator may pick (MONITOR_LIST as last sent): list index -> the
     * capture options' monitor index. A host started on one monitor offers only that one,
     * and never "all". */
    struct sasae_monitor mons[SASAE_MONITORS_MAX];
    int mon_map[SASAE_MONITORS_MAX];
    int nmons;                 /* 0: this source cannot switch (no CAP_MONITORS) */
    bool mons_all;             /* "all monitors" may be picked */
    int mon_sel;               /* list index shared now, -1 all */
    atomic_int want_monitor;   /* capture monitor index to switch to (-1 all), MON_NONE */
    atomic_bool want_monitors; /* the pipeline sends MONITOR_LIST */

    pthread_t thread;
    bool thread_started;
    bool pipeline_done; /* the pipeline thread has left its loop for good (under mu) */
    atomic_bool run;
    atomic_bool want_key;
    atomic_bool want_sysinfo;
    atomic_bool want_clip; /* the operator asked for the customer's clipboard */
    atomic_int bitrate;
    atomic_uint viewer_caps; /* SASAE_WIRE_CAP_* of the viewer's HELLO */
    _Atomic uint64_t fast_until;
    uint32_t frame_id;
    uint64_t sent_at[ACK_RING]; /* mono ns per frame id % ACK_RING */
    struct host_session_stats st;
    struct host_filerecv fr; /* a file from the operator */
    char file_note[1500];    /* the last thing that happened to one, for the customer */
    uint32_t file_notes;     /* changes with each note */
    uint64_t file_asked_at;  /* mono ns the customer was asked about the offered file */
    bool file_timed_out;     /* the last note: nobody answered the file question */
};

static void wake(struct host_session *s)
{
    if (s->cfg.wake)
        s->cfg.wake(s->cfg.wake_user);
}

/* Seals and queues one application message if the state machine allows its type now. */
static int send_msg(struct host_session *s, const struct sasae_wire_msg *m)
{
    if (!s->link || !sasae_hs_may_send(&s->hs, m->type))
        return -EPERM;
    size_t rl = 0;
    enum sasae_wire_err we;
    int rc = sasae_link_seal(s->link, m, s->rec, SASAE_CHAN_MAX_RECORD, &rl, &we);
    if (rc == -EINVAL) {
        SASAE_WARN(TAG, "cannot serialize %s: %s", sasae_wire_type_name(m->type),
                   sasae_wire_strerror(we));
        return -EINVAL;
    }
    if (rc < 0) {
        SASAE_ERR(TAG, "seal: %s", strerror(-rc));
        return -EIO;
    }
    rc = s->tr.send(s->tr.ctx, s->rec, rl);
    if (rc == 0)
        s->st.bytes_sent += rl;
    return rc;
}

static void send_state(struct host_session *s, uint8_t type, uint8_t value)
{
    struct sasae_wire_msg m = {.type = type};
    if (type == SASAE_WIRE_CONSENT_STATE)
        m.u.consent.state = value;
    else
        m.u.control_state.state = value;
    send_msg(s, &m);
}

/* Pipeline thread, without the session lock: collecting opens the X display and reads the
 * disks, which must not hold up End or the network. Sent only if still allowed then. */
static void send_sysinfo(struct host_session *s)
{
    char *text = malloc(SASAE_WIRE_SYSINFO_MAX);
    if (!text)
        return;
    size_t n = sasae_sysinfo_collect(text, SASAE_WIRE_SYSINFO_MAX, s->cfg.display);
    struct sasae_wire_msg m = {.type = SASAE_WIRE_SYSINFO};
    m.u.sysinfo.text = text;
    m.u.sysinfo.text_len = n;
    pthread_mutex_lock(&s->mu);
    if (atomic_load(&s->run))
        send_msg(s, &m);
    pthread_mutex_unlock(&s->mu);
    free(text);
}

/* Pipeline thread, without the session lock: the program that owns the customer's
 * clipboard may take a while to answer. Sent only if control is still granted then. */
static void send_clipboard(struct host_session *s)
{
    char *text = malloc(SASAE_WIRE_CLIP_MAX);
    if (!text || !s->clip) {
        free(text);
        return;
    }
    int n = sasae_clip_get(s->clip, text, SASAE_WIRE_CLIP_MAX, 1000);
    if (n >= 0 && !sasae_wire_utf8_valid(text, (size_t)n))
        n = -EILSEQ;
    pthread_mutex_lock(&s->mu);
    if (n < 0) {
        SASAE_WARN(TAG, "the customer's clipboard was not sent: %s",
                   n == -E2BIG ? "more than 64 KiB" : strerror(-n));
    } else if (atomic_load(&s->run) && sasae_hs_input_allowed(&s->hs)) {
        struct sasae_wire_msg m = {.type = SASAE_WIRE_CLIPBOARD};
        m.u.clipboard.text = text;
        m.u.clipboard.len = (size_t)n;
        if (send_msg(s, &m) == 0) {
            s->st.clip_from_customer++;
            s->notice = HOST_NOTICE_CLIP_FROM;
            s->notice_at = sasae_mono_ns();
            SASAE_INFO(TAG, "clipboard: %d bytes copied from the customer's clipboard", n);
            wake(s);
        }
    } else {
        s->st.clip_refused++; /* control ended while the clipboard was read */
    }
    pthread_mutex_unlock(&s->mu);
    OPENSSL_cleanse(text, SASAE_WIRE_CLIP_MAX);
    free(text);
}

static void *pipeline_main(void *arg);

/* The overlay over the captured area (session lock held). */
static void open_overlay(struct host_session *s)
{
    int ox, oy, w, h;
    char err[256];
    sasae_cap_origin(s->cap, &ox, &oy);
    sasae_cap_size(s->cap, &w, &h);
    s->overlay = sasae_overlay_open(s->cfg.display, ox, oy, w, h, err, sizeof err);
    if (!s->overlay)
        SASAE_WARN(TAG, "no annotation overlay: %s", err);
    else
        sasae_overlay_keepout(s->overlay, s->keepout, s->nkeepout);
}

/* Input injection bounded by the captured area (session lock held). */
static void open_inject(struct host_session *s)
{
    char err[256];
    int ox, oy, w, h;
    sasae_cap_origin(s->cap, &ox, &oy);
    sasae_cap_size(s->cap, &w, &h);
    s->inject = sasae_inject_open(s->cfg.display, ox, oy, w, h, err, sizeof err);
    if (!s->inject)
        SASAE_WARN(TAG, "remote control unavailable: %s", err);
}

static void start_capture(struct host_session *s)
{
    atomic_store(&s->run, true);
    if (s->thread_started && !s->pipeline_done)
        atomic_store(&s->want_key, true); /* still running: a resumed viewer needs a keyframe */
    if (s->cfg.platform_io && !s->overlay)
        open_overlay(s);
    if (s->thread_started && s->pipeline_done) {
        /* stopped at a relay loss and gone (it marks itself done under s->mu and takes
         * nothing after): a resumed session starts a new one */
        pthread_join(s->thread, NULL);
        s->thread_started = false;
        s->pipeline_done = false;
    }
    if (!s->thread_started) {
        if (pthread_create(&s->thread, NULL, pipeline_main, s) != 0) {
            SASAE_ERR(TAG, "cannot start the capture thread");
            atomic_store(&s->run, false);
            return;
        }
        s->thread_started = true;
    }
}

/* Runs the state machine's orders, lowest bit first: local stops before any network. */
static void run_actions(struct host_session *s, const struct sasae_hs_out *o)
{
    uint32_t a = o->actions;
    if (a & SASAE_HS_ACT_STOP_CAPTURE)
        atomic_store(&s->run, false);
    if ((a & SASAE_HS_ACT_INPUT_OFF) && s->inject)
        sasae_inject_release_all(s->inject);
    if ((a & SASAE_HS_ACT_CLEAR_OVERLAY) && s->overlay)
        sasae_overlay_hide(s->overlay);
    /* nothing the operator draws may cover a prompt: the overlay hides while one shows */
    if ((a & SASAE_HS_ACT_SHOW_CONTROL_PROMPT) && s->overlay)
        sasae_overlay_suspend(s->overlay, true);
    if ((a & SASAE_HS_ACT_HIDE_CONTROL_PROMPT) && s->overlay)
        sasae_overlay_suspend(s->overlay, false);
    if (a & SASAE_HS_ACT_START_CAPTURE)
        start_capture(s);
    if ((a & SASAE_HS_ACT_INPUT_ON) && s->cfg.platform_io && !s->inject)
        open_inject(s);
    if ((a & SASAE_HS_ACT_INPUT_ON) && s->cfg.platform_io && !s->clip) {
        char err[256];
        s->clip = sasae_clip_open(s->cfg.display, err, sizeof err);
        if (!s->clip)
            SASAE_WARN(TAG, "clipboard unavailable: %s", err);
    }
    if (a & SASAE_HS_ACT_SEND_HELLO) {
        static const char sw[] = "sasae-host 0.1";
        struct sasae_wire_msg m = {.type = SASAE_WIRE_HELLO};
        m.u.hello = (struct sasae_wire_hello){
            1,
            SASAE_WIRE_VERSION,
            SASAE_WIRE_ROLE_HOST,
            SASAE_WIRE_CAP_VP9 | SASAE_WIRE_CAP_PEN | SASAE_WIRE_CAP_PEN_UNDO |
                SASAE_WIRE_CAP_CHAT | (s->cfg.download_dir ? SASAE_WIRE_CAP_FILE : 0) |
                (s->cfg.platform_io ? SASAE_WIRE_CAP_CONTROL | SASAE_WIRE_CAP_CLIPBOARD : 0) |
                (s->nmons ? SASAE_WIRE_CAP_MONITORS : 0),
            sw,
            sizeof sw - 1};
        send_msg(s, &m);
    }
    if (a & SASAE_HS_ACT_SEND_CONSENT)
        send_state(s, SASAE_WIRE_CONSENT_STATE, o->consent);
    if (a & SASAE_HS_ACT_SEND_SYSINFO) {
        atomic_store(&s->want_sysinfo, true); /* the pipeline collects and sends it */
        atomic_store(&s->want_monitors, s->nmons > 0);
    }
    if (a & SASAE_HS_ACT_SEND_CONTROL)
        send_state(s, SASAE_WIRE_CONTROL_STATE, o->control_state);
    if (a & SASAE_HS_ACT_SEND_END) {
        const char *text = sasae_hs_end_str(o->end_reason);
        struct sasae_wire_msg m = {.type = SASAE_WIRE_END};
        m.u.end.reason = (uint8_t)sasae_hs_end_wire_reason(o->end_reason);
        m.u.end.text = text;
        m.u.end.text_len = strlen(text);
        send_msg(s, &m);
        sasae_hs_mark_end_sent(&s->hs);
    }
    if (a & SASAE_HS_ACT_AUDIT) {
        char text[300];
        snprintf(text, sizeof text, "%s%s%s", o->audit ? o->audit : "", s->status[0] ? ": " : "",
                 s->status);
        s->tr.audit(s->tr.ctx, o->audit_kind, text);
    }
    if (a & SASAE_HS_ACT_CLOSE) {
        snprintf(s->close_why, sizeof s->close_why, "end: %s", sasae_hs_end_str(o->end_reason));
        if (o->end_reason == SASAE_HS_END_OPERATOR) {
            /* the viewer ended it and closes first, so that the relay's audit log names the
             * side that ended the session; the host closes itself only if it has not */
            s->close_at = sasae_mono_ns() + PEER_CLOSE_WAIT_NS;
        } else {
            s->tr.close(s->tr.ctx, s->close_why);
        }
    }
    if (a & SASAE_HS_ACT_RESUME) {
        s->crls_seen = 0; /* the operator is checked against the CRL sent for the new pairing */
        s->tr.renew(s->tr.ctx);
    }
    if (a & SASAE_HS_ACT_RENEW_CODE) {
        s->code[0] = 0; /* the old code is dead: never show it again */
        s->tr.renew(s->tr.ctx);
    }
    if (a & SASAE_HS_ACT_WIPE_KEYS) {
        /* every key and the last plaintext messages both ways (the pipeline wipes its own
         * buffers) */
        sasae_link_free(s->link);
        s->link = NULL;
        if (s->hs.state != SASAE_HS_RESUMING) {
            /* only a session waiting to resume keeps what resuming needs */
            OPENSSL_cleanse(s->resume_ticket, sizeof s->resume_ticket);
            OPENSSL_cleanse(s->resume_code, sizeof s->resume_code);
            s->have_ticket = false;
        }
    }
    if (o->actions)
        wake(s);
    if (a & SASAE_HS_ACT_SHOW_ENDED)
        SASAE_INFO(TAG, "session ended: %s", sasae_hs_end_str(o->end_reason));
}

/* Now on the clock of the session's deadlines. */
static uint64_t deadline_now(const struct host_session *s)
{
    return s->cfg.clock_ns ? s->cfg.clock_ns(s->cfg.clock_user) : sasae_mono_ns();
}

static void event(struct host_session *s, enum sasae_hs_event ev, uint32_t arg)
{
    enum sasae_hs_state before = s->hs.state;
    struct sasae_hs_out o = sasae_hs_event(&s->hs, ev, arg, deadline_now(s));
    if (o.ignored)
        return;
    if (s->hs.state != before)
        SASAE_INFO(TAG, "%s -> %s (%s)", sasae_hs_state_str(before),
                   sasae_hs_state_str(s->hs.state), sasae_hs_event_str(ev));
    run_actions(s, &o);
    bool resuming = s->hs.state == SASAE_HS_RESUMING;
    if ((s->hs.state == SASAE_HS_ENDED || resuming) && s->fr.state != HOST_FR_IDLE) {
        /* End stops a transfer and removes its partial file; a lost link keeps it, so the
         * same file offered again resumes (also after the session itself resumed) */
        enum sasae_hs_end r = s->hs.end_reason;
        bool keep = resuming || r == SASAE_HS_END_PEER_LEFT || r == SASAE_HS_END_PEER_TIMEOUT ||
                    r == SASAE_HS_END_RELAY;
        SASAE_INFO(TAG, "file %s stopped at %llu of %llu bytes (%s)", s->fr.name,
                   (unsigned long long)s->fr.got, (unsigned long long)s->fr.size,
                   keep ? "partial file kept to resume" : "partial file removed");
        host_filerecv_abort(&s->fr, keep);
    }
}

/* ---- monitors -------------------------------------------------------------------------- */

static bool prompt_showing(const struct host_session *s);

/* Builds the list the operator may pick from (session lock held): every monitor and "all",
 * or only the one the host was started on. The selection is the capture's monitor now
 * (cur: -1 all). */
static void set_monitors(struct host_session *s, const struct sasae_monitor *m, int n, int cur)
{
    int only = s->cfg.cap.monitor;
    s->nmons = 0;
    s->mons_all = only < 0;
    s->mon_sel = -1;
    for (int i = 0; i < n && s->nmons < SASAE_MONITORS_MAX; i++) {
        if (only >= 0 && i != only)
            continue;
        if (i == cur)
            s->mon_sel = s->nmons;
        s->mons[s->nmons] = m[i];
        s->mon_map[s->nmons++] = i;
    }
    if (s->nmons == 0)
        s->mons_all = false; /* nothing to switch between: no CAP_MONITORS */
}

/* Pipeline thread: lists the monitors now (opening the display without the session lock)
 * and sends MONITOR_LIST with the current selection. */
static void send_monitors(struct host_session *s, int cur)
{
    struct sasae_monitor m[SASAE_MONITORS_MAX];
    int n = sasae_cap_monitors(s->cap, &s->cfg.cap, m, SASAE_MONITORS_MAX);
    if (n < 0)
        SASAE_WARN(TAG, "cannot list the monitors: %s", strerror(-n));
    pthread_mutex_lock(&s->mu);
    if (n >= 0)
        set_monitors(s, m, n, cur);
    struct sasae_wire_msg w = {.type = SASAE_WIRE_MONITOR_LIST};
    struct sasae_wire_monitor_list *l = &w.u.monitors;
    l->count = (uint8_t)s->nmons;
    l->selected = s->mon_sel < 0 ? SASAE_WIRE_MONITOR_ALL : (uint8_t)s->mon_sel;
    l->flags = s->mons_all ? SASAE_WIRE_MONITORS_ALL_OK : 0;
    for (int i = 0; i < s->nmons; i++) {
        const struct sasae_monitor *d = &s->mons[i];
        l->mon[i] = (struct sasae_wire_monitor){d->x,
                                                d->y,
                                                (uint16_t)(d->w < 1       ? 1
                                                           : d->w > 65535 ? 65535
                                                                          : d->w),
                                                (uint16_t)(d->h < 1       ? 1
                                                           : d->h > 65535 ? 65535
                                                                          : d->h),
                                                d->primary ? SASAE_WIRE_MONITOR_PRIMARY : 0,
                                                d->name,
                                                strnlen(d->name, SASAE_WIRE_MONITOR_NAME_MAX)};
    }
    if (s->nmons > 0 && atomic_load(&s->run))
        send_msg(s, &w);
    pthread_mutex_unlock(&s->mu);
    wake(s); /* the session bar names the monitor shared */
}

/* Pipeline thread: captures monitor `target` (-1 all) from now on. The new capture opens
 * without the session lock; the swap, and moving input injection and the overlay onto the
 * new area, happen under it, so no input lands with the old offset after the switch.
 * 0, or negative errno with the old capture kept. */
static int switch_capture(struct host_session *s, int target)
{
    struct sasae_cap_opts o = s->cfg.cap;
    o.monitor = target;
    char err[256];
    struct sasae_cap *c = sasae_cap_open(&o, err, sizeof err);
    if (!c) {
        SASAE_WARN(TAG, "cannot share monitor %d: %s", target, err);
        return -ENODEV;
    }
    pthread_mutex_lock(&s->mu);
    struct sasae_cap *old = s->cap;
    s->cap = c;
    if (s->inject) {
        /* nothing held down stays pressed on the area the operator leaves */
        sasae_inject_release_all(s->inject);
        sasae_inject_free(s->inject);
        s->inject = NULL;
        open_inject(s);
    }
    if (s->overlay) {
        /* strokes belong to the picture they were drawn on */
        sasae_overlay_free(s->overlay);
        s->overlay = NULL;
        open_overlay(s);
        if (s->overlay && prompt_showing(s))
            sasae_overlay_suspend(s->overlay, true);
    }
    pthread_mutex_unlock(&s->mu);
    sasae_cap_free(old);
    int x, y, w, h;
    sasae_cap_origin(c, &x, &y);
    sasae_cap_size(c, &w, &h);
    if (target < 0)
        SASAE_INFO(TAG, "sharing all monitors: %dx%d at +%d+%d", w, h, x, y);
    else
        SASAE_INFO(TAG, "sharing monitor %d: %dx%d at +%d+%d", target, w, h, x, y);
    return 0;
}

/* ---- pipeline thread ------------------------------------------------------------------ */

/* Changes up to this many pixels (a few typed characters with the cursor: 16x16 blocks)
 * are encoded as soon as they are captured, not on the frame clock: one costs about 1 ms to
 * encode and a few hundred bytes to send, and a person typing waits for each. */
#define SMALL_UPDATE_PX (24 * 16 * 16)

static int64_t dirty_area(const struct sasae_dirty *d)
{
    int64_t a = 0;
    for (int i = 0; i < d->n; i++)
        a += (int64_t)d->r[i].w * d->r[i].h;
    return a;
}

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void send_cursor(struct host_session *s, const struct sasae_cursor *c, bool shape)
{
    if (shape && c->bgra && c->w > 0 && c->h > 0 && c->w <= SASAE_WIRE_CURSOR_MAX &&
        c->h <= SASAE_WIRE_CURSOR_MAX) {
        struct sasae_wire_msg m = {.type = SASAE_WIRE_CURSOR_SHAPE};
        m.u.cursor.serial = c->serial;
        m.u.cursor.width = (uint16_t)c->w;
        m.u.cursor.height = (uint16_t)c->h;
        m.u.cursor.hot_x = (uint16_t)c->hot_x;
        m.u.cursor.hot_y = (uint16_t)c->hot_y;
        m.u.cursor.bgra = c->bgra;
        send_msg(s, &m);
    }
    struct sasae_wire_msg p = {.type = SASAE_WIRE_CURSOR_POS};
    /* where the pointer is on a monitor that is not shared is none of the viewer's business */
    p.u.cursor_pos =
        c->visible ? (struct sasae_wire_point){c->x, c->y, 1} : (struct sasae_wire_point){0, 0, 0};
    send_msg(s, &p);
}

/* Splits one encoded frame into VIDEO chunks and queues them, paced against the transport's
 * queue; false if not allowed now. Called with the session lock held, which it releases
 * while waiting for the link. */
static bool send_frame(struct host_session *s, const uint8_t *payload, size_t len,
                       uint64_t capture_us, uint8_t flags, int w, int h)
{
    if (!atomic_load(&s->run) || !sasae_hs_may_send(&s->hs, SASAE_WIRE_VIDEO))
        return false;
    uint32_t id = ++s->frame_id;
    struct sasae_wire_video hdr = {.frame_id = id,
                                   .capture_us = capture_us,
                                   .flags = flags,
                                   .codec = SASAE_WIRE_CODEC_VP9,
                                   .width = (uint16_t)w,
                                   .height = (uint16_t)h};
    size_t off = 0;
    struct sasae_wire_msg m;
    while (sasae_wire_video_next_chunk(&hdr, payload, len, VIDEO_CHUNK, &off, &m) == 1) {
        /* pace against the link with the lock released, so End is handled between chunks;
         * after End the rest of the frame is never queued */
        while (s->tr.queued(s->tr.ctx) > QUEUE_LIMIT - VIDEO_CHUNK) {
            pthread_mutex_unlock(&s->mu);
            sleep_ns(PACE_NS);
            pthread_mutex_lock(&s->mu);
            if (!atomic_load(&s->run) || !sasae_hs_may_send(&s->hs, SASAE_WIRE_VIDEO))
                return false;
        }
        if (send_msg(s, &m) != 0)
            return false;
    }
    s->sent_at[id % ACK_RING] = sasae_mono_ns();
    sasae_hs_frame_meta(&s->hs, (uint32_t)len, (flags & SASAE_WIRE_VIDEO_KEYFRAME) != 0);
    event(s, SASAE_HS_EV_FRAME_SENT, id);
    s->st.frames_sent++;
    s->st.video_bytes += len;
    if (flags & SASAE_WIRE_VIDEO_KEYFRAME)
        s->st.keyframes++;
    if (flags & SASAE_WIRE_VIDEO_KEEPALIVE)
        s->st.keepalives++;
    return true;
}

static void *pipeline_main(void *arg)
{
    struct host_session *s = arg;
    int w, h;
    sasae_cap_size(s->cap, &w, &h);
    int fps = s->cfg.fps > 0 ? s->cfg.fps : 30;
    sasae_video_config vc;
    sasae_video_config_default(&vc, w, h);
    vc.fps = fps;
    vc.bitrate_kbps = atomic_load(&s->bitrate);
    /* scrolling as a move of what the viewer already has (viewers that decode moves) */
    vc.scroll = (atomic_load(&s->viewer_caps) & SASAE_WIRE_CAP_VIDEO_MOVE) != 0;
    /* text and flat UI exact as patches (viewers that decode them) */
    vc.patches = (atomic_load(&s->viewer_caps) & SASAE_WIRE_CAP_VIDEO_PATCH) != 0;
    int cur_kbps = vc.bitrate_kbps;
    sasae_venc *enc = NULL;
    uint8_t *payload = NULL;
    sasae_video_rect *rects = NULL;
    size_t cap = 0;
    const char *failed = NULL; /* why the pipeline stopped on its own */
    /* declared before the first jump to out: a resumed session may come back through it */
    struct sasae_dirty pending = {0};
    struct sasae_frame frame = {0};
    bool have_frame = false, first = true, scrolling = false;
    uint64_t period = 1000000000ull / (uint64_t)fps, last_encode = 0, last_send = 0;
    uint32_t cursor_serial = 0;
    bool cursor_sent = false;
    int cur_monitor = s->cfg.cap.monitor;
    int rc = sasae_venc_new(&vc, &enc);
    if (rc != 0) {
        SASAE_ERR(TAG, "video encoder: %s", sasae_video_strerror(rc));
        failed = sasae_video_strerror(rc);
        goto out;
    }
    cap = sasae_venc_max_payload(enc);
    payload = malloc(cap);
    rects = malloc(sizeof *rects * SASAE_DIRTY_MAX);
    if (!payload || !rects) {
        failed = "out of memory";
        goto out;
    }
again:
    while (atomic_load(&s->run)) {
        if (atomic_exchange(&s->want_sysinfo, false))
            send_sysinfo(s);
        int target = atomic_exchange(&s->want_monitor, MON_NONE);
        if (target != MON_NONE && target != cur_monitor && switch_capture(s, target) == 0) {
            /* a new picture: a new encoder of its size, starting with a keyframe */
            cur_monitor = target;
            sasae_cap_size(s->cap, &w, &h);
            sasae_venc_free(enc);
            enc = NULL;
            sasae_video_config_default(&vc, w, h);
            vc.fps = fps;
            vc.bitrate_kbps = cur_kbps;
            vc.scroll = (atomic_load(&s->viewer_caps) & SASAE_WIRE_CAP_VIDEO_MOVE) != 0;
            vc.patches = (atomic_load(&s->viewer_caps) & SASAE_WIRE_CAP_VIDEO_PATCH) != 0;
            rc = sasae_venc_new(&vc, &enc);
            if (rc != 0) {
                failed = sasae_video_strerror(rc);
                SASAE_ERR(TAG, "video encoder: %s", failed);
                break;
            }
            size_t need = sasae_venc_max_payload(enc);
            if (need > cap) {
                OPENSSL_cleanse(payload, cap);
                free(payload);
                cap = need;
                payload = malloc(cap);
                if (!payload) {
                    failed = "out of memory";
                    break;
                }
            }
            pending.n = 0;
            have_frame = false;
            first = true;
            cursor_sent = false;
            last_encode = 0;
        }
        if (target != MON_NONE || atomic_exchange(&s->want_monitors, false))
            send_monitors(s, cur_monitor); /* also the answer to MONITOR_SELECT */
        if (atomic_exchange(&s->want_clip, false))
            send_clipboard(s);
        uint64_t now = sasae_mono_ns();
        bool fast = now < atomic_load(&s->fast_until);
        uint64_t gap = fast ? period / 3 : period;
        uint64_t due = last_encode ? last_encode + gap : 0; /* the frame clock's next tick */
        int idle_ms = fast ? 5 : (int)(period / MS);
        int wait_ms = pending.n ? 0 : idle_ms;
        if (now < due) {
            if (pending.n) {
                /* a big change held for the tick: sleep to it, then take it with whatever
                 * came meanwhile */
                sleep_ns(due - now);
                wait_ms = 0;
            } else {
                /* wait for the screen to change, up to the tick plus the idle wait (the pace of
                 * refreshes), or just the tick while a resting screen is being sharpened: a
                 * small change (a keystroke) is taken the moment it is drawn, even just after
                 * a big one, rather than on the next tick */
                wait_ms = (int)((due - now + MS - 1) / MS) +
                          (sasae_venc_pending_topoff(enc) ? 0 : idle_ms);
            }
        }
        int wr = sasae_cap_wait(s->cap, wait_ms);
        if (!atomic_load(&s->run))
            break;
        if (wr < 0) {
            SASAE_ERR(TAG, "capture: %s", strerror(-wr));
            failed = strerror(-wr);
            break;
        }
        int gr = sasae_cap_grab(s->cap, &pending, &frame);
        if (gr < 0) {
            SASAE_ERR(TAG, "capture: %s", strerror(-gr));
            failed = strerror(-gr);
            break;
        }
        if (gr >= 0 && frame.bgra)
            have_frame = true;
        struct sasae_cursor cur;
        int cr = sasae_cap_cursor(s->cap, &cur);
        if (cr == 1 || (cr == 0 && !cursor_sent)) {
            pthread_mutex_lock(&s->mu);
            send_cursor(s, &cur, !cursor_sent || cur.serial != cursor_serial);
            pthread_mutex_unlock(&s->mu);
            cursor_serial = cur.serial;
            cursor_sent = true;
        }
        now = sasae_mono_ns();
        /* a big change that arrived before the tick waits for it (its damage stays pending;
         * the next turn sleeps to the tick), unless the last frame was a scroll: a scroll
         * goes as a move plus the rows it brought, as cheap as a typed line */
        bool small = pending.n > 0 && (dirty_area(&pending) <= SMALL_UPDATE_PX || scrolling);
        if (now < due && pending.n && !small)
            continue;
        pthread_mutex_lock(&s->mu);
        /* bytes in flight too, not just frames: a big frame is followed by the next only
         * once the link has carried most of it (what it carries in ~250 ms at our rate) */
        sasae_hs_set_byte_window(&s->hs, (uint32_t)atomic_load(&s->bitrate) * 1000u / 8u / 4u);
        bool can = sasae_hs_may_send_frame(&s->hs) && s->tr.queued(s->tr.ctx) < QUEUE_LIMIT;
        bool key_unacked = sasae_hs_keyframe_unacked(&s->hs);
        /* link busy: this capture is stale; its damage stays in `pending` and goes out
         * with the next frame */
        if (!can && gr == 1)
            s->st.frames_dropped++;
        pthread_mutex_unlock(&s->mu);
        if (!can)
            continue;
        bool key = first || atomic_exchange(&s->want_key, false);
        bool keepalive = now - last_send >= KEEPALIVE_NS;
        /* sharpening waits until the keyframe has arrived: it would queue behind it */
        bool topoff = !key_unacked && sasae_venc_pending_topoff(enc);
        if (!have_frame || (pending.n == 0 && !key && !keepalive && !topoff))
            continue;
        int kbps = atomic_load(&s->bitrate);
        if (kbps != cur_kbps && sasae_venc_set_bitrate(enc, kbps) == 0)
            cur_kbps = kbps;
        unsigned flags = key ? SASAE_VENC_KEYFRAME : 0;
        uint8_t wflags = key ? SASAE_WIRE_VIDEO_KEYFRAME : 0;
        if (pending.n == 0 && !key) {
            if (topoff)
                wflags |= SASAE_WIRE_VIDEO_TOPOFF;
            else {
                flags |= SASAE_VENC_FORCE;
                wflags |= SASAE_WIRE_VIDEO_KEEPALIVE;
            }
        }
        for (int i = 0; i < pending.n; i++)
            rects[i] =
                (sasae_video_rect){pending.r[i].x, pending.r[i].y, pending.r[i].w, pending.r[i].h};
        size_t len = 0;
        sasae_video_frame vf = {frame.bgra, frame.stride, pending.n ? rects : NULL,
                                (size_t)pending.n, (int64_t)(sasae_mono_ns() / 1000)};
        unsigned long moves = sasae_venc_moves(enc);
        /* the frame clock ticks from the start of an encode: a big change every frame (a
         * window dragged) goes out every period, not every period plus the encode time */
        last_encode = sasae_mono_ns();
        rc = sasae_venc_encode(enc, &vf, flags, payload, cap, &len);
        scrolling = rc == 0 && sasae_venc_moves(enc) != moves;
        if (rc != 0) {
            SASAE_WARN(TAG, "encode: %s", sasae_video_strerror(rc));
            atomic_store(&s->want_key, true);
            continue;
        }
        SASAE_DBG(TAG, "frame cap %llu: %lu B, q %d, %d mb coded, %d rects (%d,%d %dx%d)%s%s",
                  (unsigned long long)frame.capture_us, (unsigned long)len, sasae_venc_last_q(enc),
                  sasae_venc_last_coded_mbs(enc), pending.n, pending.n ? rects[0].x : 0,
                  pending.n ? rects[0].y : 0, pending.n ? rects[0].w : 0,
                  pending.n ? rects[0].h : 0, scrolling ? ", move" : "",
                  wflags & SASAE_WIRE_VIDEO_TOPOFF ? ", top-off" : "");
        pending.n = 0;
        first = false;
        if (len == 0)
            continue;
        pthread_mutex_lock(&s->mu);
        bool sent = send_frame(s, payload, len, frame.capture_us, wflags, w, h);
        pthread_mutex_unlock(&s->mu);
        if (sent)
            last_send = sasae_mono_ns();
    }
out:
    pthread_mutex_lock(&s->mu);
    if (!failed && atomic_load(&s->run)) {
        /* stopped at a relay loss and started again (resumed) before we got here: go on,
         * from a keyframe and with the cursor shape for the new viewer */
        pthread_mutex_unlock(&s->mu);
        first = true;
        cursor_sent = false;
        goto again;
    }
    if (failed && atomic_load(&s->run)) {
        /* a frozen picture must not pass for a live one: end the session, telling the
         * viewer (END error) */
        snprintf(s->status, sizeof s->status, "screen capture stopped: %s", failed);
        event(s, SASAE_HS_EV_CAPTURE_FAILED, 0);
    }
    s->pipeline_done = true;
    pthread_mutex_unlock(&s->mu);
    free(rects);
    if (payload)
        OPENSSL_cleanse(payload, cap); /* the last encoded picture of the screen */
    free(payload);
    sasae_venc_free(enc);
    return NULL;
}

/* ---- receiving ------------------------------------------------------------------------ */

static bool host_to_viewer_only(int t)
{
    return t == SASAE_WIRE_VIDEO || t == SASAE_WIRE_CURSOR_SHAPE || t == SASAE_WIRE_CURSOR_POS ||
           t == SASAE_WIRE_CONTROL_STATE || t == SASAE_WIRE_CONSENT_STATE ||
           t == SASAE_WIRE_SYSINFO || t == SASAE_WIRE_MONITOR_LIST;
}

/* Keeps a chat message for the UI (the last HOST_CHAT_LINES; wiped at the end). */
static void chat_keep(struct host_session *s, bool from_customer, const char *text, size_t len)
{
    struct host_chat_line *l = &s->chat[s->chat_serial++ % HOST_CHAT_LINES];
    l->from_customer = from_customer;
    memcpy(l->text, text, len);
    l->text[len] = 0;
    wake(s);
}

/* Refused clipboard messages are counted and logged: the operator's viewer offers the
 * clipboard only under control, so one here is a viewer out of step (or not ours). */
static void clip_refused(struct host_session *s, int type)
{
    s->st.clip_refused++;
    SASAE_INFO(TAG, "clipboard: %s refused (control not granted)", sasae_wire_type_name(type));
}

/* A consent or control prompt is on screen: pen and pointer are dropped (not queued: the
 * operator sees in the video that they did not land). */
static bool prompt_showing(const struct host_session *s)
{
    return s->hs.state == SASAE_HS_ASKING ||
           (s->hs.state == SASAE_HS_SHARING && s->hs.control == SASAE_HS_CONTROL_ASKED);
}

/* What the customer is told about a file last (shown once per change of file_notes). */
static void file_note(struct host_session *s, int status, const char *text, size_t len)
{
    s->file_notes++;
    s->file_timed_out = false;
    snprintf(s->file_note, sizeof s->file_note, "%d\t%.*s", status, (int)len, text);
}

static void send_file_reply(struct host_session *s, int type, const struct sasae_wire_file *f)
{
    struct sasae_wire_msg r = {.type = (uint8_t)type};
    r.u.file = *f;
    send_msg(s, &r);
}

/* FILE_OFFER, FILE_CHUNK, FILE_ABORT from the viewer (only while sharing: accepts()). */
static void on_file(struct host_session *s, int type, const struct sasae_wire_file *f)
{
    struct sasae_wire_file reply;
    int t = 0;
    if (type == SASAE_WIRE_FILE_OFFER) {
        if (host_filerecv_offer(&s->fr, f, &reply)) {
            SASAE_INFO(TAG, "file offered: %s, %llu bytes: asking the customer", s->fr.name,
                       (unsigned long long)f->size);
            s->file_note[0] = 0;
            s->file_asked_at = sasae_mono_ns();
            wake(s);
            return;
        }
        SASAE_WARN(TAG, "file offer refused: %.*s", (int)reply.text_len, reply.text);
        file_note(s, reply.status, reply.text, reply.text_len);
        t = SASAE_WIRE_FILE_ANSWER;
    } else if (type == SASAE_WIRE_FILE_ABORT) {
        if (s->fr.state == HOST_FR_IDLE || f->id != s->fr.id)
            return;
        SASAE_INFO(TAG, "file %s cancelled by the operator", s->fr.name);
        file_note(s, SASAE_WIRE_FILE_CANCELLED, s->fr.name, strlen(s->fr.name));
        host_filerecv_abort(&s->fr, false);
        wake(s);
        return;
    } else {
        uint64_t before = s->fr.got;
        t = host_filerecv_chunk(&s->fr, f, &reply);
        if (t == SASAE_WIRE_FILE_END || t == SASAE_WIRE_FILE_ABORT) {
            SASAE_INFO(TAG, "file %s: %s (%.*s)", s->fr.name,
                       t == SASAE_WIRE_FILE_END && reply.status == SASAE_WIRE_FILE_OK ? "stored"
                                                                                      : "failed",
                       (int)reply.text_len, reply.text);
            const char *what = reply.status == SASAE_WIRE_FILE_OK ? s->fr.saved : s->fr.name;
            file_note(s, reply.status, what, strlen(what));
        }
        /* progress in the session bar: a refresh every 1 % is plenty */
        if (t || (s->fr.size && (s->fr.got * 100 / s->fr.size) != (before * 100 / s->fr.size)))
            wake(s);
    }
    if (t)
        send_file_reply(s, t, &reply);
}

static void handle_msg(struct host_session *s, const struct sasae_wire_msg *m)
{
    uint64_t now = sasae_mono_ns();
    switch (m->type) {
    case SASAE_WIRE_HELLO: {
        uint16_t v;
        if (sasae_wire_hello_version(&m->u.hello, &v) != SASAE_WIRE_OK ||
            m->u.hello.role != SASAE_WIRE_ROLE_VIEWER) {
            snprintf(s->status, sizeof s->status, "viewer speaks no common protocol version");
            event(s, SASAE_HS_EV_PROTOCOL_ERROR, 0);
            return;
        }
        atomic_store(&s->viewer_caps, m->u.hello.caps);
        event(s, SASAE_HS_EV_HELLO, 0);
        return;
    }
    case SASAE_WIRE_END:
        event(s, SASAE_HS_EV_VIEWER_END, 0);
        return;
    case SASAE_WIRE_FRAME_ACK: {
        uint32_t id = m->u.ack.frame_id;
        uint32_t before = s->hs.inflight;
        event(s, SASAE_HS_EV_FRAME_ACKED, id);
        if (s->hs.inflight != before || before == 0) {
            s->st.acks++;
            uint64_t sent = s->sent_at[id % ACK_RING];
            if (sent && now > sent)
                s->st.last_rtt_us = (now - sent) / 1000;
        }
        return;
    }
    case SASAE_WIRE_KEYFRAME_REQ:
        atomic_store(&s->want_key, true);
        return;
    case SASAE_WIRE_STATS: {
        /* follow the viewer's measured bandwidth, leaving headroom for input and cursor */
        uint32_t bw = m->u.stats.bandwidth_kbps;
        if (bw) {
            int kbps = (int)(bw * 85 / 100);
            kbps = kbps < 100 ? 100 : kbps > 20000 ? 20000 : kbps;
            atomic_store(&s->bitrate, kbps);
            s->st.bitrate_kbps = kbps;
        }
        return;
    }
    case SASAE_WIRE_POINTER:
        if (s->overlay && !prompt_showing(s))
            sasae_overlay_pointer(s->overlay, m->u.pointer.x, m->u.pointer.y, m->u.pointer.visible);
        return;
    case SASAE_WIRE_PEN_STROKE:
        if (s->overlay && !prompt_showing(s)) {
            const struct sasae_wire_pen_stroke *p = &m->u.pen;
            int32_t *xy = malloc(sizeof *xy * 2 * p->npoints);
            if (!xy)
                return;
            for (uint16_t i = 0; i < p->npoints; i++)
                sasae_wire_pen_point(p, i, &xy[2 * i], &xy[2 * i + 1]);
            sasae_overlay_stroke(s->overlay, p->stroke_id, xy, p->npoints, p->rgba, p->width);
            free(xy);
        }
        return;
    case SASAE_WIRE_PEN_CLEAR:
        if (s->overlay)
            sasae_overlay_clear(s->overlay);
        return;
    case SASAE_WIRE_PEN_UNDO:
        /* like clear, also while a prompt shows: removing a drawing is always safe */
        if (s->overlay)
            sasae_overlay_undo(s->overlay, m->u.pen_undo.stroke_id);
        return;
    case SASAE_WIRE_CONTROL_REQUEST:
        event(s, m->u.control_req.want ? SASAE_HS_EV_CONTROL_REQUEST : SASAE_HS_EV_CONTROL_RELEASE,
              0);
        return;
    case SASAE_WIRE_MONITOR_SELECT: {
        uint8_t i = m->u.monitor_select.index;
        bool all = i == SASAE_WIRE_MONITOR_ALL;
        if (all ? !s->mons_all : i >= s->nmons) {
            /* only what the list offers: a host started on one monitor never shows more */
            snprintf(s->status, sizeof s->status,
                     "the operator asked for a monitor this computer does not offer (%u)", i);
            SASAE_WARN(TAG, "%s", s->status);
            event(s, SASAE_HS_EV_PROTOCOL_ERROR, 0);
            return;
        }
        atomic_store(&s->want_monitor, all ? -1 : s->mon_map[i]);
        return;
    }
    case SASAE_WIRE_CHAT:
        s->st.chat_in++;
        SASAE_INFO(TAG, "chat: message %llu from the operator (%lu bytes)",
                   (unsigned long long)s->st.chat_in, (unsigned long)m->u.chat.len);
        chat_keep(s, false, m->u.chat.text, m->u.chat.len);
        return;
    case SASAE_WIRE_CLIPBOARD: {
        /* accepts() checked control is granted; re-checked here for defence in depth */
        if (!sasae_hs_input_allowed(&s->hs) || !s->clip) {
            clip_refused(s, m->type);
            return;
        }
        int rc = sasae_clip_set(s->clip, m->u.clipboard.text, m->u.clipboard.len);
        if (rc != 0) {
            SASAE_WARN(TAG, "clipboard: cannot set the customer's clipboard: %s", strerror(-rc));
            return;
        }
        s->st.clip_to_customer++;
        s->notice = HOST_NOTICE_CLIP_TO;
        s->notice_at = now;
        SASAE_INFO(TAG, "clipboard: %lu bytes copied to the customer's clipboard",
                   (unsigned long)m->u.clipboard.len);
        wake(s);
        return;
    }
    case SASAE_WIRE_CLIPBOARD_REQUEST:
        if (!sasae_hs_input_allowed(&s->hs) || !s->clip) {
            clip_refused(s, m->type);
            return;
        }
        atomic_store(&s->want_clip, true); /* the pipeline reads it, outside the lock */
        return;
    case SASAE_WIRE_FILE_OFFER:
    case SASAE_WIRE_FILE_CHUNK:
    case SASAE_WIRE_FILE_ABORT:
        on_file(s, m->type, &m->u.file);
        return;
    case SASAE_WIRE_MOUSE: {
        /* accepts() checked control is granted; re-checked here for defence in depth */
        if (!sasae_hs_input_allowed(&s->hs) || !s->inject) {
            s->st.inputs_dropped++;
            return;
        }
        const struct sasae_wire_mouse *mo = &m->u.mouse;
        if (mo->kind == SASAE_WIRE_MOUSE_MOVE)
            sasae_inject_move(s->inject, mo->x, mo->y);
        else if (mo->kind == SASAE_WIRE_MOUSE_BUTTON)
            sasae_inject_button(s->inject, mo->x, mo->y, mo->button, mo->down);
        else
            sasae_inject_wheel(s->inject, mo->x, mo->y, mo->wheel_dx, mo->wheel_dy);
        s->st.inputs_injected++;
        atomic_store(&s->fast_until, now + FAST_NS);
        return;
    }
    case SASAE_WIRE_KEY:
        if (!sasae_hs_input_allowed(&s->hs) || !s->inject) {
            s->st.inputs_dropped++;
            return;
        }
        if (sasae_inject_key(s->inject, m->u.key.keysym, m->u.key.down) == -ERANGE) {
            s->st.inputs_dropped++; /* the pointer is on a monitor that is not shared */
            return;
        }
        s->st.inputs_injected++;
        atomic_store(&s->fast_until, now + FAST_NS);
        return;
    default:
        return;
    }
}

/* An operator (verified certificate, valid signature) used another code. Counted here, by
 * the host, whatever the relay counts: the 5th burns the secret digits, and after
 * SASAE_HS_MAX_BURNS burns the host stops offering codes, so a relay that also holds an
 * operator certificate gets at most 15 online guesses at 4 secret digits. */
static void code_mismatch(struct host_session *s)
{
    s->mismatches++;
    SASAE_WARN(TAG, "the operator's code did not match (%u of %d)", s->mismatches,
               SASAE_HS_MISMATCH_BURN);
    if (s->mismatches < SASAE_HS_MISMATCH_BURN) {
        event(s, SASAE_HS_EV_CODE_LOST, SASAE_HS_RENEW_MISMATCH);
        return;
    }
    s->mismatches = 0;
    OPENSSL_cleanse(s->secret, sizeof s->secret);
    if (++s->burns >= SASAE_HS_MAX_BURNS) {
        snprintf(s->status, sizeof s->status, "too many codes that did not match");
        event(s, SASAE_HS_EV_CHANNEL_FAILED, SASAE_HS_END_CODE_MISMATCH);
        return;
    }
    event(s, SASAE_HS_EV_CODE_LOST, SASAE_HS_RENEW_TOO_MANY);
}

static void on_established(struct host_session *s, const struct sasae_chan_peer *p)
{
    snprintf(s->op_name, sizeof s->op_name, "%s", p->operator_name);
    snprintf(s->org, sizeof s->org, "%s", p->organisation);
    SASAE_INFO(TAG, "operator verified: %s (%s), certificate %s", s->op_name, s->org, p->serial);
    uint32_t same = s->hs.resuming && s->op_cert[0] && strcmp(p->cert_sha256, s->op_cert) == 0;
    if (s->hs.resuming)
        SASAE_INFO(TAG, "resuming after the relay loss: %s operator certificate",
                   same ? "the same" : "a different");
    snprintf(s->op_cert, sizeof s->op_cert, "%s", p->cert_sha256);
    s->have_ticket =
        sasae_link_resume_secrets(s->link, s->resume_ticket, s->resume_code) == SASAE_CHAN_OK;
    enum sasae_hs_state before = s->hs.state;
    event(s, SASAE_HS_EV_HANDSHAKE_OK, same);
    if (before == SASAE_HS_HANDSHAKE && s->hs.state == SASAE_HS_SHARING) {
        SASAE_INFO(TAG, "session resumed without a new prompt: sharing continues with %s",
                   s->op_name);
        s->notice = HOST_NOTICE_RESUMED;
        s->notice_at = sasae_mono_ns();
    }
}

static void on_link_failed(struct host_session *s, const struct sasae_link_event *ev)
{
    switch (ev->fail) {
    case SASAE_LINK_FAIL_MESSAGE:
        snprintf(s->status, sizeof s->status, "bad message from the viewer: %s",
                 sasae_wire_strerror(ev->wire_err));
        SASAE_WARN(TAG, "%s", s->status);
        event(s, SASAE_HS_EV_PROTOCOL_ERROR, 0);
        return;
    case SASAE_LINK_FAIL_RECORD:
    case SASAE_LINK_FAIL_OVERSIZE:
    case SASAE_LINK_FAIL_DEAD:
        snprintf(s->status, sizeof s->status, "%s",
                 ev->fail == SASAE_LINK_FAIL_OVERSIZE ? "record larger than the channel allows"
                                                      : sasae_chan_strerror(ev->reason));
        SASAE_WARN(TAG, "record rejected: %s", s->status);
        event(s, SASAE_HS_EV_CHANNEL_FAILED, 0);
        return;
    default: /* the handshake: the link has already put the ALERT telling the operator why */
        snprintf(s->status, sizeof s->status, "%s", sasae_chan_strerror(ev->reason));
        SASAE_WARN(TAG, "handshake failed: %s", s->status);
        if (ev->fail == SASAE_LINK_FAIL_CODE && !ev->by_peer)
            code_mismatch(s);
        else
            event(s, SASAE_HS_EV_CHANNEL_FAILED, 0);
        return;
    }
}

static void on_message(struct host_session *s, const struct sasae_wire_msg *m)
{
    event(s, SASAE_HS_EV_PEER_ACTIVITY, 0);
    if (!sasae_hs_accepts(&s->hs, m->type)) {
        if (host_to_viewer_only(m->type)) {
            snprintf(s->status, sizeof s->status, "viewer sent %s", sasae_wire_type_name(m->type));
            event(s, SASAE_HS_EV_PROTOCOL_ERROR, 0);
        } else if (m->type == SASAE_WIRE_MOUSE || m->type == SASAE_WIRE_KEY) {
            s->st.inputs_dropped++; /* no control granted: dropped, never injected */
        } else if (m->type == SASAE_WIRE_CLIPBOARD || m->type == SASAE_WIRE_CLIPBOARD_REQUEST) {
            clip_refused(s, m->type); /* no control granted: the clipboard is not touched */
        } else if (m->type == SASAE_WIRE_CHAT) {
            s->st.chat_refused++; /* before Allow: nothing of the operator's is shown */
            SASAE_INFO(TAG, "chat: message refused (the customer has not allowed yet)");
        }
        return;
    }
    handle_msg(s, m);
}

void host_session_on_data(struct host_session *s, const uint8_t *buf, size_t len)
{
    pthread_mutex_lock(&s->mu);
    enum sasae_hs_state st = s->hs.state;
    /* nothing can be read before the handshake or after the end */
    if (s->link && (st == SASAE_HS_HANDSHAKE || st == SASAE_HS_ASKING || st == SASAE_HS_SHARING)) {
        struct sasae_link_event ev;
        sasae_link_input(s->link, buf, len, &ev);
        if (ev.out_len) /* a handshake reply, or the ALERT (it can only end the handshake) */
            s->tr.send(s->tr.ctx, ev.out, ev.out_len);
        if (ev.kind == SASAE_LINK_EV_ESTABLISHED)
            on_established(s, ev.peer);
        else if (ev.kind == SASAE_LINK_EV_FAILED)
            on_link_failed(s, &ev);
        else if (ev.kind == SASAE_LINK_EV_MESSAGE)
            on_message(s, &ev.msg);
    }
    pthread_mutex_unlock(&s->mu);
}

/* ---- the rest of the interface --------------------------------------------------------- */

struct host_session *host_session_new(const struct host_session_config *cfg,
                                      const struct host_transport *tr, char *err, size_t errlen)
{
    struct host_session *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    s->cfg = *cfg;
    s->tr = *tr;
    sasae_hs_init(&s->hs);
    host_filerecv_init(&s->fr, cfg->file_max);
    s->hs.reconsent_ns = (uint64_t)cfg->reconsent_s * 1000000000ull;
    if (cfg->resume_window_s >= 0 && cfg->resume_window_s < 60)
        s->hs.resume_window_ns = (uint64_t)cfg->resume_window_s * 1000000000ull;
    atomic_init(&s->run, false);
    atomic_init(&s->want_key, false);
    atomic_init(&s->want_sysinfo, false);
    atomic_init(&s->want_monitor, MON_NONE);
    atomic_init(&s->want_monitors, false);
    atomic_init(&s->want_clip, false);
    atomic_init(&s->bitrate, cfg->bitrate_kbps > 0 ? cfg->bitrate_kbps : 1000);
    atomic_init(&s->fast_until, 0);
    s->st.bitrate_kbps = atomic_load(&s->bitrate);
    s->rec = malloc(SASAE_CHAN_MAX_RECORD);
    if (!s->rec) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    s->cap = sasae_cap_open(&cfg->cap, err, errlen);
    if (!s->cap)
        goto fail;
    struct sasae_monitor mons[SASAE_MONITORS_MAX];
    int nm = sasae_cap_monitors(s->cap, &cfg->cap, mons, SASAE_MONITORS_MAX);
    if (nm > 0)
        set_monitors(s, mons, nm, cfg->cap.monitor);
    if (cfg->device)
        sasae_chan_key_fingerprint(cfg->device, s->fpr);
    return s;
fail:
    host_session_free(s);
    return NULL;
}

void host_session_free(struct host_session *s)
{
    if (!s)
        return;
    atomic_store(&s->run, false);
    if (s->thread_started)
        pthread_join(s->thread, NULL);
    host_filerecv_abort(&s->fr, false);
    sasae_overlay_free(s->overlay);
    sasae_inject_free(s->inject);
    sasae_clip_free(s->clip);
    sasae_link_free(s->link);
    OPENSSL_cleanse(s->resume_ticket, sizeof s->resume_ticket);
    OPENSSL_cleanse(s->resume_code, sizeof s->resume_code);
    sasae_chan_trust_free(s->trust);
    host_crl_clear(&s->crl);
    sasae_cap_free(s->cap);
    free(s->rec);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static int64_t crl_now(const struct host_session *s)
{
    return s->cfg.verify_time ? (int64_t)s->cfg.verify_time : (int64_t)time(NULL);
}

/* No current revocation data: nobody may be admitted, and no code is shown. */
static void refuse_without_crl(struct host_session *s, const char *why)
{
    snprintf(s->status, sizeof s->status,
             "No current revocation list for your organisation (%s): nobody can connect "
             "until the help desk fixes it.",
             why);
    SASAE_ERR(TAG, "%s", s->status);
    s->pending_code[0] = '\0';
    event(s, SASAE_HS_EV_RELAY_ERROR, 2);
}

static void show_code(struct host_session *s)
{
    char shown[SASAE_SCODE_SHOWN];
    sasae_scode_format(s->code, shown);
    SASAE_INFO(TAG, "registered, support code: %s (the relay knows only its first %d digits)",
               shown, SASAE_SCODE_RELAY_DIGITS);
    event(s, SASAE_HS_EV_REGISTERED, 0);
}

int host_session_on_registered(struct host_session *s, const char *relay_code)
{
    pthread_mutex_lock(&s->mu);
    s->crls_seen = 0;
    /* The secret digits survive only a code that did not match: the customer reads the
     * same last digits again, and the mismatch count stays with them. */
    char full[sizeof s->code];
    int rc = s->secret[0] && s->hs.renewed == SASAE_HS_RENEW_MISMATCH
                 ? sasae_scode_compose_with(relay_code, s->secret, full)
                 : sasae_scode_compose(relay_code, full);
    if (rc == 0) {
        memcpy(s->secret, full + SASAE_SCODE_RELAY_DIGITS, SASAE_SCODE_SECRET_DIGITS);
        s->secret[SASAE_SCODE_SECRET_DIGITS] = '\0';
        if (s->hs.renewed != SASAE_HS_RENEW_MISMATCH)
            s->mismatches = 0;
        /* shown only once a current revocation list is held (fail closed) */
        if (host_crl_current(&s->crl, crl_now(s))) {
            snprintf(s->code, sizeof s->code, "%s", full);
            show_code(s);
        } else {
            snprintf(s->pending_code, sizeof s->pending_code, "%s", full);
            s->pending_since = sasae_mono_ns();
        }
    } else {
        s->code[0] = '\0';
        SASAE_ERR(TAG, "cannot make a support code from the relay's %s", relay_code);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void host_session_on_crl(struct host_session *s, const uint8_t *der, size_t len)
{
    pthread_mutex_lock(&s->mu);
    struct host_crl fresh = {0};
    char why[256] = "";
    int64_t now = crl_now(s);
    enum host_crl_err e = host_crl_check(s->cfg.org_ca, s->cfg.org_ca_len, der, len, now, &s->crl,
                                         &fresh, why, sizeof why);
    s->crls_seen++;
    s->last_crl_ok = e == HOST_CRL_OK;
    if (e == HOST_CRL_OK) {
        char until[40];
        host_crl_time(fresh.next_update, until, sizeof until);
        SASAE_INFO(TAG,
                   "revocation list from the relay: signed by the organisation CA, %d "
                   "revoked, valid until %s",
                   fresh.revoked, until);
        host_crl_clear(&s->crl);
        s->crl = fresh;
        s->crl_why[0] = '\0';
    } else {
        SASAE_WARN(TAG, "revocation list from the relay refused: %s", why);
        snprintf(s->crl_why, sizeof s->crl_why, "%s", why);
    }
    if (s->pending_code[0]) {
        if (host_crl_current(&s->crl, now)) {
            snprintf(s->code, sizeof s->code, "%s", s->pending_code);
            s->pending_code[0] = '\0';
            show_code(s);
        } else {
            refuse_without_crl(s, why);
        }
    }
    pthread_mutex_unlock(&s->mu);
}

/* Is this pairing's operator to be checked at all? Only against the CRL the relay sent for
 * this pairing, accepted and current; otherwise why says what is wrong. */
static bool pairing_crl_ok(struct host_session *s, char *why, size_t whylen)
{
    if (s->crls_seen < 2)
        snprintf(why, whylen, "%s",
                 "the support center sent no revocation list with the operator's request");
    else if (!s->last_crl_ok)
        snprintf(why, whylen, "%s", s->crl_why);
    else if (!host_crl_current(&s->crl, crl_now(s)))
        snprintf(why, whylen, "%s", "the organisation's revocation list has expired");
    else
        return true;
    return false;
}

void host_session_on_paired(struct host_session *s)
{
    pthread_mutex_lock(&s->mu);
    bool resume = s->hs.state == SASAE_HS_RESUMING && s->have_ticket;
    if (s->hs.state == SASAE_HS_WAITING || resume) {
        struct sasae_chan_opts o = {.verify_time = (int64_t)s->cfg.verify_time};
        char why[256];
        enum sasae_chan_err ce = SASAE_CHAN_OK;
        if (!pairing_crl_ok(s, why, sizeof why)) {
            /* The operator is refused before any certificate is looked at: tell them why
             * (an unauthenticated ALERT, like any handshake refusal) and the customer. */
            snprintf(s->status, sizeof s->status,
                     "The operator was not admitted: %.200s. Nothing was shared.", why);
            SASAE_WARN(TAG, "operator refused: %s", why);
            size_t al = 0;
            if (sasae_chan_alert(SASAE_CHAN_ECERT_CRL, s->rec, SASAE_CHAN_MAX_RECORD, &al) ==
                SASAE_CHAN_OK)
                s->tr.send(s->tr.ctx, s->rec, al);
            event(s, SASAE_HS_EV_PEER_JOINED, 0);
            event(s, SASAE_HS_EV_CHANNEL_FAILED, 0);
            pthread_mutex_unlock(&s->mu);
            return;
        }
        sasae_chan_trust_free(s->trust);
        s->trust =
            sasae_chan_trust_new(s->cfg.org_ca, s->cfg.org_ca_len, s->crl.pem, s->crl.pem_len, &ce);
        /* a resume binds the new handshake to the code only the two old ends know */
        char pw[SASAE_CHAN_RESUME_CODE_LEN + 1];
        if (resume)
            memcpy(pw, s->resume_code, sizeof pw);
        else
            sasae_scode_password(s->code, pw);
        s->link =
            s->trust ? sasae_link_new(sasae_chan_new_host(s->cfg.device, s->trust, pw, &o)) : NULL;
        OPENSSL_cleanse(pw, sizeof pw);
        if (!s->link) {
            snprintf(s->status, sizeof s->status, "cannot create the secure channel");
            event(s, SASAE_HS_EV_PEER_JOINED, 0);
            event(s, SASAE_HS_EV_CHANNEL_FAILED, 0);
        } else {
            event(s, SASAE_HS_EV_PEER_JOINED, 0);
        }
    }
    pthread_mutex_unlock(&s->mu);
}

void host_session_on_peer_left(struct host_session *s, const char *why)
{
    pthread_mutex_lock(&s->mu);
    if (why && s->hs.state != SASAE_HS_ENDED)
        snprintf(s->status, sizeof s->status, "%s", why);
    event(s, SASAE_HS_EV_PEER_LEFT, 0);
    pthread_mutex_unlock(&s->mu);
}

static void relay_error(struct host_session *s, const char *why, uint32_t refused)
{
    pthread_mutex_lock(&s->mu);
    if (why && s->hs.state != SASAE_HS_ENDED)
        snprintf(s->status, sizeof s->status, "%s", why);
    uint32_t fails = s->hs.relay_fails;
    event(s, SASAE_HS_EV_RELAY_ERROR, refused);
    if (s->hs.state != SASAE_HS_ENDED)
        s->status[0] = 0; /* reconnecting: not a reason for what comes later */
    if (s->hs.relay_fails != fails)
        SASAE_WARN(TAG, "relay lost before anyone joined: new code in %llu s (attempt %u)",
                   (unsigned long long)(sasae_hs_renew_delay_ns(&s->hs) / 1000000000ull),
                   s->hs.relay_fails);
    pthread_mutex_unlock(&s->mu);
}

void host_session_on_closed(struct host_session *s, const char *why)
{
    relay_error(s, why, 0);
}

void host_session_on_refused(struct host_session *s, const char *why)
{
    relay_error(s, why, 1);
}

bool host_session_on_code_lost(struct host_session *s, enum sasae_hs_renew reason, const char *why)
{
    pthread_mutex_lock(&s->mu);
    uint32_t before = s->hs.renewals;
    if (why && s->hs.state != SASAE_HS_ENDED && s->hs.state != SASAE_HS_WAITING)
        snprintf(s->status, sizeof s->status, "%s", why);
    event(s, SASAE_HS_EV_CODE_LOST, (uint32_t)reason);
    bool renewing = s->hs.renewals != before;
    if (renewing)
        SASAE_INFO(TAG, "support code %s: registering again", sasae_hs_renew_str(reason));
    pthread_mutex_unlock(&s->mu);
    return renewing;
}

bool host_session_resume_ticket(struct host_session *s, uint8_t ticket[SASAE_CHAN_TICKET_LEN])
{
    pthread_mutex_lock(&s->mu);
    bool r = s->hs.state == SASAE_HS_RESUMING && s->have_ticket;
    if (r)
        memcpy(ticket, s->resume_ticket, SASAE_CHAN_TICKET_LEN);
    pthread_mutex_unlock(&s->mu);
    return r;
}

uint64_t host_session_renew_delay_ns(struct host_session *s)
{
    pthread_mutex_lock(&s->mu);
    uint64_t d = sasae_hs_renew_delay_ns(&s->hs);
    pthread_mutex_unlock(&s->mu);
    return d;
}

void host_session_answer(struct host_session *s, enum host_ui_answer a)
{
    if (a <= HOST_UI_NONE || a >= HOST_UI_QUIT)
        return;
    pthread_mutex_lock(&s->mu);
    event(s, host_ui_answer_event(a), 0);
    pthread_mutex_unlock(&s->mu);
}

void host_session_file_answer(struct host_session *s, bool accept, const char *dir)
{
    pthread_mutex_lock(&s->mu);
    struct sasae_wire_file reply;
    if (s->hs.state == SASAE_HS_SHARING && s->cfg.download_dir &&
        host_filerecv_answer(&s->fr, accept, dir && *dir ? dir : s->cfg.download_dir, &reply)) {
        SASAE_INFO(TAG, "file %s: customer %s%s (%.*s)", s->fr.name,
                   accept ? "accepted into " : "declined", accept ? s->fr.dir : "",
                   (int)reply.text_len, reply.text);
        if (reply.status != SASAE_WIRE_FILE_OK) /* declined, or the folder cannot be written */
            file_note(s, reply.status, reply.text, reply.text_len);
        send_file_reply(s, SASAE_WIRE_FILE_ANSWER, &reply);
        int t = host_filerecv_finish_if_done(&s->fr, &reply);
        if (t) {
            const char *what = reply.status == SASAE_WIRE_FILE_OK ? s->fr.saved : s->fr.name;
            file_note(s, reply.status, what, strlen(what));
            send_file_reply(s, t, &reply);
        }
        wake(s);
    }
    pthread_mutex_unlock(&s->mu);
}

void host_session_keepout(struct host_session *s, const int *xywh, int n)
{
    n = n < 0 ? 0 : n > SASAE_OVERLAY_MAX_KEEPOUT ? SASAE_OVERLAY_MAX_KEEPOUT : n;
    pthread_mutex_lock(&s->mu);
    memcpy(s->keepout, xywh, sizeof *xywh * 4 * (size_t)n);
    s->nkeepout = n;
    if (s->overlay)
        sasae_overlay_keepout(s->overlay, s->keepout, n);
    pthread_mutex_unlock(&s->mu);
}

int host_session_chat(struct host_session *s, const char *text, size_t len)
{
    if (len == 0 || len > SASAE_WIRE_CHAT_MAX || !sasae_wire_utf8_valid(text, len))
        return -EINVAL;
    struct sasae_wire_msg m = {.type = SASAE_WIRE_CHAT};
    m.u.chat.text = text;
    m.u.chat.len = len;
    pthread_mutex_lock(&s->mu);
    int rc = s->hs.state == SASAE_HS_SHARING ? send_msg(s, &m) : -EPERM;
    if (rc == 0) {
        s->st.chat_out++;
        SASAE_INFO(TAG, "chat: message %llu from the customer (%lu bytes)",
                   (unsigned long long)s->st.chat_out, (unsigned long)len);
        chat_keep(s, true, text, len);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void host_session_signal(struct host_session *s)
{
    pthread_mutex_lock(&s->mu);
    event(s, SASAE_HS_EV_SIGNAL, 0);
    pthread_mutex_unlock(&s->mu);
}

bool host_session_close_pending(struct host_session *s, char *why, size_t cap)
{
    pthread_mutex_lock(&s->mu);
    snprintf(why, cap, "%s", s->close_why);
    bool pending = s->close_at != 0;
    pthread_mutex_unlock(&s->mu);
    return pending;
}

/* A file question left unanswered is declined, as a consent prompt is: the operator's
 * transfer does not hang, and the question does not stay up forever. Under s->mu. */
static void file_question_deadline(struct host_session *s)
{
    int secs = s->cfg.file_ask_s > 0 ? s->cfg.file_ask_s : 60;
    if (s->hs.state != SASAE_HS_SHARING || s->fr.state != HOST_FR_ASKING ||
        sasae_mono_ns() - s->file_asked_at < (uint64_t)secs * 1000000000ull)
        return;
    struct sasae_wire_file reply;
    if (!host_filerecv_answer(&s->fr, false, s->cfg.download_dir, &reply))
        return;
    /* the viewer shows this text (the status alone reads "declined") */
    snprintf(s->fr.text, sizeof s->fr.text, "no answer within %d s", secs);
    reply.text = s->fr.text;
    reply.text_len = strlen(s->fr.text);
    SASAE_INFO(TAG, "file %s: no answer within %d s: declined", s->fr.name, secs);
    file_note(s, reply.status, s->fr.name, strlen(s->fr.name));
    s->file_timed_out = true;
    send_file_reply(s, SASAE_WIRE_FILE_ANSWER, &reply);
    wake(s);
}

void host_session_tick(struct host_session *s)
{
    pthread_mutex_lock(&s->mu);
    if (s->close_at && sasae_mono_ns() >= s->close_at) {
        s->close_at = 0;
        s->tr.close(s->tr.ctx, s->close_why);
    }
    if (s->pending_code[0] && sasae_mono_ns() - s->pending_since > HOST_SESSION_CRL_WAIT_NS)
        refuse_without_crl(s, "the support center did not send one");
    file_question_deadline(s);
    event(s, SASAE_HS_EV_TICK, 0);
    pthread_mutex_unlock(&s->mu);
}

void host_session_view(struct host_session *s, struct host_view *v)
{
    pthread_mutex_lock(&s->mu);
    memset(v, 0, sizeof *v);
    v->state = s->hs.state;
    v->control = s->hs.control;
    v->end_reason = s->hs.end_reason;
    v->verified = s->hs.verified;
    v->shared = s->hs.shared;
    v->continue_prompt = s->hs.state == SASAE_HS_SHARING && s->hs.continue_asked;
    v->resuming =
        s->hs.state == SASAE_HS_RESUMING || (s->hs.state == SASAE_HS_HANDSHAKE && s->hs.resuming);
    snprintf(v->code, sizeof v->code, "%s", s->code);
    v->renewed = s->hs.renewed;
    snprintf(v->operator_name, sizeof v->operator_name, "%s", s->op_name);
    snprintf(v->organisation, sizeof v->organisation, "%s", s->org);
    snprintf(v->status, sizeof v->status, "%s", s->status);
    snprintf(v->fingerprint, sizeof v->fingerprint, "%s", s->fpr);
    v->seconds_left = sasae_hs_prompt_seconds_left(&s->hs, deadline_now(s));
    v->monitor = s->mon_sel;
    v->monitors = s->nmons;
    if (s->notice && s->hs.state == SASAE_HS_SHARING &&
        sasae_mono_ns() - s->notice_at < HOST_NOTICE_SHOW_S * 1000000000ull)
        v->notice = s->notice;
    if (s->hs.state == SASAE_HS_SHARING) {
        unsigned n = s->chat_serial < HOST_CHAT_LINES ? s->chat_serial : HOST_CHAT_LINES;
        for (unsigned i = 0; i < n; i++)
            v->chat[i] = s->chat[(s->chat_serial - n + i) % HOST_CHAT_LINES];
        v->nchat = (int)n;
        v->chat_serial = s->chat_serial;
    }
    if (s->hs.state == SASAE_HS_SHARING) {
        v->file.state = (int)s->fr.state;
        v->file.id = s->fr.id;
        snprintf(v->file.name, sizeof v->file.name, "%s", s->fr.name);
        v->file.size = s->fr.size;
        v->file.got = s->fr.got;
        snprintf(v->file.dir, sizeof v->file.dir, "%s",
                 s->fr.state == HOST_FR_RECEIVING ? s->fr.dir
                 : s->cfg.download_dir            ? s->cfg.download_dir
                                                  : "");
        const char *tab = strchr(s->file_note, '\t');
        v->file.note_status = tab ? atoi(s->file_note) : -1;
        v->file.note_seq = s->file_notes;
        v->file.timed_out = s->file_timed_out;
        v->file.seconds_left = -1;
        int secs = s->cfg.file_ask_s > 0 ? s->cfg.file_ask_s : 60;
        v->file.ask_s = secs;
        if (s->fr.state == HOST_FR_ASKING) {
            uint64_t el = (sasae_mono_ns() - s->file_asked_at) / 1000000000ull;
            v->file.seconds_left = el >= (uint64_t)secs ? 0 : secs - (int)el;
        }
        snprintf(v->file.note, sizeof v->file.note, "%s", tab ? tab + 1 : "");
    }
    pthread_mutex_unlock(&s->mu);
}

bool host_session_ended(struct host_session *s)
{
    pthread_mutex_lock(&s->mu);
    bool e = s->hs.state == SASAE_HS_ENDED;
    pthread_mutex_unlock(&s->mu);
    return e;
}

void host_session_stats(struct host_session *s, struct host_session_stats *st)
{
    pthread_mutex_lock(&s->mu);
    *st = s->st;
    st->bitrate_kbps = atomic_load(&s->bitrate);
    pthread_mutex_unlock(&s->mu);
}
