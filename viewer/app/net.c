/* The network session source: relay client (JOIN with the code), end-to-end channel as
 * initiator with the operator's certificate, wire messages, chunk reassembly, decode,
 * frame acks, keyframe requests and stats. Relay callbacks only queue; everything else
 * runs on the thread that calls pump(). */
#include <errno.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "sasae/chan.h"
#include "sasae/common.h"
#include "sasae/envelope.h"
#include "sasae/link.h"
#include "sasae/relayclient.h"
#include "sasae/supportcode.h"
#include "sasae/video.h"
#include "sasae/wire.h"

#define INBOX_MAX_BYTES (256u << 20) /* far above what 2 unacked frames can need */
#define STATS_NS 1000000000ull
#define KEYFRAME_RETRY_NS 1000000000ull
#define CLOSE_GRACE_NS 3000000000ull
/* After the host's END the host closes first, so that the relay's audit log names the side
 * that ended the session; the viewer closes itself only if the host has not by then. */
#define PEER_CLOSE_WAIT_NS 1500000000ull

enum item_kind { IT_PAIRED, IT_DATA, IT_LEFT, IT_CLOSED };

struct item {
    struct item *next;
    enum item_kind kind;
    int a, b;
    uint64_t recv_us;
    char text[SASAE_ENV_TEXT_MAX + 1];
    size_t len;
    uint8_t data[];
};

struct net {
    struct vsource base;
    const struct vcfg *cfg;
    struct sasae_relayclient *rc;
    struct sasae_chan_cred *cred;
    struct sasae_link *link; /* the end-to-end channel and its messages (codec/link) */
    struct sasae_wire_reasm *reasm;
    sasae_vdec *dec;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct item *head, *tail;
    size_t inbox_bytes;
    bool inbox_overflow;

    bool hello_seen;
    uint32_t host_caps;       /* from the host's HELLO */
    struct vmonitors mons;    /* the host's latest MONITOR_LIST (count 0: none yet) */
    struct sasae_filesend fs; /* the file being sent to the customer */
    uint32_t file_ids;
    bool closed_seen;
    bool peer_ended;   /* the host sent END: it closes first */
    bool close_called; /* sasae_relayclient_close_why done */
    uint64_t close_deadline_ns;
    bool want_keyframe;
    uint64_t keyframe_req_ns;
    uint64_t consent_since_ns;
    uint64_t last_stats_ns;
    uint64_t last_rx_ns; /* anything from the host (the link is alive) */
    struct sasae_meter meter;
    struct sasae_bwe bwe;
    uint64_t frames, decode_errors, keyframe_reqs;
    bool clip_asked; /* a CLIPBOARD_REQUEST awaits its answer */

    /* Resume after a relay loss (docs/security.md "Relay loss and re-consent"): what the
     * last established session left for it, the host key it proved, and the reconnection. */
    uint8_t ticket[SASAE_CHAN_TICKET_LEN];
    char resume_code[SASAE_CHAN_RESUME_CODE_LEN + 1];
    bool have_ticket;
    char host_fpr[SASAE_CHAN_FPR_LEN];
    uint64_t lost_ns;     /* when the relay was lost (RECONNECTING) */
    uint64_t next_try_ns; /* next resume connection (0: one is open) */
    unsigned tries;

    uint8_t *rec;  /* sealed record out */
    uint8_t *pix;  /* cursor pixels */
    char *sysinfo; /* inflated system info */
};

/* ---- relay thread side: queue and wake -------------------------------------------------- */

static void push(struct net *n, enum item_kind kind, int a, int b, const char *text,
                 const uint8_t *data, size_t len)
{
    struct item *it = malloc(sizeof *it + len);
    pthread_mutex_lock(&n->mu);
    if (!it || n->inbox_bytes + len > INBOX_MAX_BYTES) {
        /* The session cannot continue without this message: fail it, never skip it. */
        n->inbox_overflow = true;
        free(it);
    } else {
        memset(it, 0, sizeof *it);
        it->kind = kind;
        it->a = a;
        it->b = b;
        it->recv_us = sasae_wall_us();
        if (text)
            snprintf(it->text, sizeof it->text, "%s", text);
        it->len = len;
        if (len)
            memcpy(it->data, data, len);
        if (n->tail)
            n->tail->next = it;
        else
            n->head = it;
        n->tail = it;
        n->inbox_bytes += len;
    }
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
    if (n->base.sink.wake)
        n->base.sink.wake(n->base.sink.user);
}

static void cb_paired(void *u, const char *op, const char *org)
{
    push(u, IT_PAIRED, 0, 0, NULL, NULL, 0);
}

static void cb_data(void *u, const uint8_t *body, size_t len)
{
    push(u, IT_DATA, 0, 0, NULL, body, len);
}

static void cb_peer_left(void *u, int reason, const char *text)
{
    push(u, IT_LEFT, reason, 0, text, NULL, 0);
}

static void cb_closed(void *u, int end, int error_code, const char *text)
{
    push(u, IT_CLOSED, end, error_code, text, NULL, 0);
}

/* ---- sending ------------------------------------------------------------------------------ */

static void notify_state(struct net *n)
{
    if (n->base.sink.state)
        n->base.sink.state(n->base.sink.user, &n->base.sm);
}

static void apply(struct net *n, unsigned act);

static void fail(struct net *n, enum sasae_vsm_event ev, const char *fmt, const char *detail)
{
    SASAE_ERR("viewer", fmt, detail);
    apply(n, sasae_vsm_event(&n->base.sm, ev, 0).actions);
}

/* Seals and queues one application message. Returns 0 or -1 (session failed). */
static int send_msg(struct net *n, const struct sasae_wire_msg *m)
{
    if (!n->link || !sasae_link_established(n->link))
        return -1;
    size_t rlen = 0;
    enum sasae_wire_err we;
    int rc = sasae_link_seal(n->link, m, n->rec, SASAE_CHAN_MAX_RECORD, &rlen, &we);
    if (rc == -EINVAL) {
        SASAE_ERR("viewer", "cannot encode %s: %s", sasae_wire_type_name(m->type),
                  sasae_wire_strerror(we));
        return -1;
    }
    if (rc < 0) {
        SASAE_ERR("viewer", "cannot seal: %s", strerror(-rc));
        return -1;
    }
    rc = sasae_relayclient_send_data(n->rc, n->rec, rlen);
    if (rc < 0) {
        SASAE_WARN("viewer", "cannot queue %s: %s", sasae_wire_type_name(m->type), strerror(-rc));
        return -1;
    }
    return 0;
}

static uint8_t wire_end_reason(enum sasae_vsm_end e)
{
    switch (e) {
    case SASAE_VSM_END_OPERATOR:
        return SASAE_WIRE_END_OPERATOR;
    case SASAE_VSM_END_CONSENT_TIMEOUT:
    case SASAE_VSM_END_HOST_SILENT:
        return SASAE_WIRE_END_TIMEOUT;
    default:
        return SASAE_WIRE_END_ERROR;
    }
}

/* Carries out the state machine's actions, then tells the front end. */
static void apply(struct net *n, unsigned act)
{
    if (act & SASAE_VSM_ACT_START_HANDSHAKE) {
        const uint8_t *out = NULL;
        size_t len = 0;
        enum sasae_chan_err ce = n->link ? sasae_link_start(n->link, &out, &len) : SASAE_CHAN_EARG;
        if (ce != SASAE_CHAN_OK || sasae_relayclient_send_data(n->rc, out, len) < 0) {
            fail(n, SASAE_VSM_EV_PROTOCOL_ERROR, "cannot start the handshake: %s",
                 sasae_chan_strerror(ce));
            return;
        }
    }
    if (act & SASAE_VSM_ACT_SEND_CONTROL) {
        struct sasae_wire_msg m = {.type = SASAE_WIRE_CONTROL_REQUEST};
        m.u.control_req.want = (uint8_t)n->base.sm.control_want;
        send_msg(n, &m);
    }
    if (act & SASAE_VSM_ACT_SEND_END) {
        struct sasae_wire_msg m = {.type = SASAE_WIRE_END};
        m.u.end.reason = wire_end_reason(n->base.sm.end);
        send_msg(n, &m);
    }
    if ((act & SASAE_VSM_ACT_CLOSE) && n->base.sm.fault)
        SASAE_ERR("viewer", "%s", sasae_vsm_fault_text(n->base.sm.fault));
    if (act & SASAE_VSM_ACT_CLOSE) {
        /* Keys go now; the relay connection closes after the END above has been sent. */
        sasae_link_free(n->link);
        n->link = NULL;
        if (n->peer_ended) {
            n->close_deadline_ns = sasae_mono_ns() + PEER_CLOSE_WAIT_NS;
        } else {
            char why[48];
            snprintf(why, sizeof why, "end: %s", sasae_vsm_end_name(n->base.sm.end));
            sasae_relayclient_close_why(n->rc, why);
            n->close_called = true;
            n->close_deadline_ns = sasae_mono_ns() + CLOSE_GRACE_NS;
        }
    }
    notify_state(n);
}

static void step(struct net *n, enum sasae_vsm_event ev, int arg)
{
    struct sasae_vsm before = n->base.sm;
    struct sasae_vsm_out o = sasae_vsm_event(&n->base.sm, ev, arg);
    unsigned act = o.actions;
    if (o.ignored) {
        SASAE_DBG("viewer", "event %d ignored in %s", ev, sasae_vsm_state_name(before.state));
        return;
    }
    if (act == 0 && before.state == n->base.sm.state && before.control == n->base.sm.control)
        return;
    apply(n, act);
}

static void request_keyframe(struct net *n)
{
    uint64_t now = sasae_mono_ns();
    if (n->want_keyframe && now - n->keyframe_req_ns < KEYFRAME_RETRY_NS)
        return;
    struct sasae_wire_msg m = {.type = SASAE_WIRE_KEYFRAME_REQ};
    if (send_msg(n, &m) == 0) {
        n->keyframe_reqs++;
        SASAE_INFO("viewer", "keyframe requested");
    }
    n->want_keyframe = true;
    n->keyframe_req_ns = now;
}

static void send_stats(struct net *n)
{
    struct sasae_meter_stats st;
    sasae_meter_get(&n->meter, sasae_mono_ns() / 1000, &st);
    struct sasae_wire_msg m = {.type = SASAE_WIRE_STATS};
    /* The protocol has no ping: the host measures round trips from FRAME_ACK itself. */
    m.u.stats.rtt_us = 0;
    m.u.stats.decode_us = (uint32_t)(st.decode_ms * 1000.0);
    m.u.stats.bandwidth_kbps = n->bwe.estimate_kbps;
    m.u.stats.fps_x100 = (uint16_t)(st.fps * 100 > 65535 ? 65535 : st.fps * 100);
    send_msg(n, &m);
}

/* ---- receiving ---------------------------------------------------------------------------- */

/* What a decoded payload changed: the decoder writes exactly the tiles the payload carries
 * into its picture, so the window need only convert and upload those. */
static void changed_tiles(const struct sasae_wire_video *f, struct sasae_damage *d)
{
    enum { MAX = 64 }; /* more tiles than this: the upload is a large part of the picture */
    sasae_video_payload_tile t[MAX];
    sasae_video_payload_info info;
    sasae_damage_reset(d);
    if (sasae_video_payload_parse(f->data, f->data_len, &info, t, MAX) != SASAE_VIDEO_OK ||
        info.keyframe || info.ntiles > MAX) {
        sasae_damage_all(d);
        return;
    }
    for (int i = 0; i < info.ntiles; i++)
        sasae_damage_add(d, t[i].x, t[i].y, t[i].w, t[i].h);
}

static void on_video_frame(struct net *n, const struct sasae_wire_video *f, uint64_t recv_us)
{
    struct sasae_vsm_out o = sasae_vsm_event(&n->base.sm, SASAE_VSM_EV_VIDEO, 0);
    if (!(o.actions & SASAE_VSM_ACT_SHOW_VIDEO)) {
        if (!o.ignored)
            apply(n, o.actions);
        return;
    }
    struct vframe_info fi = {
        .frame_id = f->frame_id,
        .capture_us = f->capture_us,
        .recv_us = recv_us,
        .bytes = f->frame_size,
        .keyframe = (f->flags & SASAE_WIRE_VIDEO_KEYFRAME) != 0,
        .refresh = (f->flags & (SASAE_WIRE_VIDEO_TOPOFF | SASAE_WIRE_VIDEO_KEEPALIVE)) != 0};
    uint64_t t0 = sasae_mono_ns();
    sasae_video_image img;
    int rc = sasae_vdec_decode(n->dec, f->data, f->data_len, &img);
    fi.decode_us = (uint32_t)((sasae_mono_ns() - t0) / 1000);
    fi.decoded_us = sasae_wall_us();
    if (rc == SASAE_VIDEO_OK && (img.width != f->width || img.height != f->height))
        SASAE_WARN("viewer", "frame %u header says %ux%u, picture is %dx%d", f->frame_id, f->width,
                   f->height, img.width, img.height);
    if (rc != SASAE_VIDEO_OK) {
        n->decode_errors++;
        if (n->base.sink.decode_error)
            n->base.sink.decode_error(n->base.sink.user, &fi, sasae_video_strerror(rc));
        request_keyframe(n);
    } else {
        n->want_keyframe = false;
        n->frames++;
        sasae_meter_add(&n->meter, sasae_mono_ns() / 1000, fi.bytes,
                        (int64_t)(fi.decoded_us - fi.capture_us), fi.decode_us);
        struct sasae_damage dmg;
        changed_tiles(f, &dmg);
        struct vimage vi = {.w = img.width, .h = img.height, .damage = &dmg};
        for (int i = 0; i < 3; i++) {
            vi.planes[i] = img.planes[i];
            vi.strides[i] = img.strides[i];
        }
        if (n->base.sink.frame)
            n->base.sink.frame(n->base.sink.user, &vi, &fi);
    }
    /* Ack every complete frame, decoded or not: the host keeps at most two in flight. */
    struct sasae_wire_msg ack = {.type = SASAE_WIRE_FRAME_ACK};
    ack.u.ack.frame_id = f->frame_id;
    ack.u.ack.recv_us = recv_us;
    send_msg(n, &ack);
}

static void on_monitors(struct net *n, const struct sasae_wire_monitor_list *l)
{
    struct vmonitors *v = &n->mons;
    memset(v, 0, sizeof *v);
    v->count = l->count;
    v->selected = l->selected;
    v->all_ok = (l->flags & SASAE_WIRE_MONITORS_ALL_OK) != 0;
    for (int i = 0; i < l->count && i < VMONITORS_MAX; i++) {
        v->mon[i].x = l->mon[i].x;
        v->mon[i].y = l->mon[i].y;
        v->mon[i].w = l->mon[i].width;
        v->mon[i].h = l->mon[i].height;
        v->mon[i].primary = (l->mon[i].flags & SASAE_WIRE_MONITOR_PRIMARY) != 0;
        snprintf(v->mon[i].name, sizeof v->mon[i].name, "%.*s", (int)l->mon[i].name_len,
                 l->mon[i].name ? l->mon[i].name : "");
    }
    SASAE_INFO("viewer", "host monitors: %d, sharing %s%d", v->count,
               v->selected == 0xff ? "all " : "monitor ",
               v->selected == 0xff ? v->count : v->selected);
    if (n->base.sink.monitors)
        n->base.sink.monitors(n->base.sink.user, v);
}

/* Bytes the relay connection may hold before file chunks wait: input, pen and acks queue
 * behind at most this much (about 0.25 s at 1 Mbit/s). */
#define FILE_QUEUE_LIMIT (32 * 1024)

/* Sends the chunks the host's window and our queue allow now. */
static void pump_file(struct net *n)
{
    struct sasae_wire_msg c;
    while (n->base.sm.state == SASAE_VSM_VIEWING &&
           sasae_relayclient_queued_bytes(n->rc) < FILE_QUEUE_LIMIT &&
           sasae_filesend_next(&n->fs, &c))
        if (send_msg(n, &c) != 0)
            break;
}

static void on_file_msg(struct net *n, const struct sasae_wire_msg *m)
{
    if (!sasae_filesend_on_msg(&n->fs, m))
        return;
    const struct sasae_wire_file *f = &m->u.file;
    if (m->type != SASAE_WIRE_FILE_ACK)
        SASAE_INFO("viewer", "file %s: %s status %u %.*s", n->fs.name,
                   sasae_wire_type_name(m->type), f->status, (int)f->text_len, f->text);
    pump_file(n);
    if (n->base.sink.file)
        n->base.sink.file(n->base.sink.user, &n->fs);
}

static void on_message(struct net *n, const struct sasae_wire_msg *m, uint64_t recv_us)
{
    const struct vsink *k = &n->base.sink;
    if (!n->hello_seen && m->type != SASAE_WIRE_HELLO) {
        fail(n, SASAE_VSM_EV_PROTOCOL_ERROR, "host sent %s before HELLO",
             sasae_wire_type_name(m->type));
        return;
    }
    switch (m->type) {
    case SASAE_WIRE_HELLO: {
        uint16_t v = 0;
        if (n->hello_seen || m->u.hello.role != SASAE_WIRE_ROLE_HOST ||
            sasae_wire_hello_version(&m->u.hello, &v) != SASAE_WIRE_OK) {
            fail(n, SASAE_VSM_EV_PROTOCOL_ERROR, "%s", "unacceptable HELLO from the host");
            return;
        }
        n->hello_seen = true;
        n->host_caps = m->u.hello.caps;
        SASAE_INFO("viewer", "host software %.*s, protocol version %u",
                   (int)m->u.hello.software_len, m->u.hello.software, v);
        return;
    }
    case SASAE_WIRE_FILE_ANSWER:
    case SASAE_WIRE_FILE_ACK:
    case SASAE_WIRE_FILE_END:
    case SASAE_WIRE_FILE_ABORT:
        on_file_msg(n, m);
        return;
    case SASAE_WIRE_END:
        SASAE_INFO("viewer", "host ended the session: reason %u %.*s", m->u.end.reason,
                   (int)m->u.end.text_len, m->u.end.text);
        n->peer_ended = true;
        step(n, SASAE_VSM_EV_PEER_END, m->u.end.reason);
        return;
    case SASAE_WIRE_CONSENT_STATE:
        /* a refusal ends the session on the host's side: it closes first */
        if (m->u.consent.state == SASAE_WIRE_CONSENT_DENIED ||
            m->u.consent.state == SASAE_WIRE_CONSENT_TIMEOUT)
            n->peer_ended = true;
        step(n, SASAE_VSM_EV_CONSENT, m->u.consent.state);
        return;
    case SASAE_WIRE_CONTROL_STATE:
        step(n, SASAE_VSM_EV_CONTROL, m->u.control_state.state);
        return;
    case SASAE_WIRE_VIDEO: {
        int done = 0;
        struct sasae_wire_video frame;
        enum sasae_wire_err we = sasae_wire_reasm_push(n->reasm, &m->u.video, &done, &frame);
        if (we != SASAE_WIRE_OK) {
            fail(n, SASAE_VSM_EV_PROTOCOL_ERROR, "video chunk refused: %s",
                 sasae_wire_strerror(we));
            return;
        }
        /* the estimator sees bytes as they arrive, not a whole frame at its last byte */
        if (sasae_bwe_chunk(&n->bwe, recv_us, m->u.video.capture_us, m->u.video.chunk_offset,
                            (uint32_t)m->u.video.data_len))
            SASAE_DBG("viewer", "bandwidth estimate %u kbit/s", n->bwe.estimate_kbps);
        if (done)
            on_video_frame(n, &frame, recv_us);
        return;
    }
    case SASAE_WIRE_CURSOR_SHAPE: {
        const struct sasae_wire_cursor_shape *c = &m->u.cursor;
        enum sasae_wire_err we = sasae_wire_cursor_pixels(
            c, n->pix, (size_t)SASAE_WIRE_CURSOR_MAX * SASAE_WIRE_CURSOR_MAX * 4);
        if (we != SASAE_WIRE_OK) {
            fail(n, SASAE_VSM_EV_PROTOCOL_ERROR, "bad cursor shape: %s", sasae_wire_strerror(we));
            return;
        }
        if (k->cursor_shape)
            k->cursor_shape(k->user, c->width, c->height, c->hot_x, c->hot_y, n->pix);
        return;
    }
    case SASAE_WIRE_CURSOR_POS:
        if (k->cursor_pos)
            k->cursor_pos(k->user, m->u.cursor_pos.x, m->u.cursor_pos.y,
                          m->u.cursor_pos.visible != 0);
        return;
    case SASAE_WIRE_SYSINFO: {
        size_t len = 0;
        enum sasae_wire_err we =
            sasae_wire_sysinfo_text(&m->u.sysinfo, n->sysinfo, SASAE_WIRE_SYSINFO_MAX, &len);
        if (we != SASAE_WIRE_OK) {
            fail(n, SASAE_VSM_EV_PROTOCOL_ERROR, "bad system information: %s",
                 sasae_wire_strerror(we));
            return;
        }
        if (k->sysinfo)
            k->sysinfo(k->user, n->sysinfo, len);
        return;
    }
    case SASAE_WIRE_MONITOR_LIST:
        if (!(n->host_caps & SASAE_WIRE_CAP_MONITORS)) {
            fail(n, SASAE_VSM_EV_PROTOCOL_ERROR, "host sent %s it did not announce",
                 "a monitor list");
            return;
        }
        on_monitors(n, &m->u.monitors);
        return;
    case SASAE_WIRE_CHAT:
        if (n->base.sm.state != SASAE_VSM_VIEWING) {
            SASAE_WARN("viewer", "chat message before the customer allowed: dropped");
            return;
        }
        SASAE_INFO("viewer", "chat: message from the customer (%lu bytes)",
                   (unsigned long)m->u.chat.len);
        if (k->chat)
            k->chat(k->user, m->u.chat.text, m->u.chat.len);
        return;
    case SASAE_WIRE_CLIPBOARD:
        /* only the answer to our request, and only while control is still ours: a host that
         * sends its customer's clipboard unasked is not believed */
        if (!n->clip_asked || n->base.sm.state != SASAE_VSM_VIEWING ||
            n->base.sm.control != SASAE_VSM_CONTROL_GRANTED) {
            SASAE_WARN("viewer", "clipboard text the operator did not ask for: dropped");
            return;
        }
        n->clip_asked = false;
        SASAE_INFO("viewer", "clipboard: %lu bytes from the customer's clipboard",
                   (unsigned long)m->u.clipboard.len);
        if (k->clipboard)
            k->clipboard(k->user, m->u.clipboard.text, m->u.clipboard.len);
        return;
    default:
        fail(n, SASAE_VSM_EV_PROTOCOL_ERROR, "host sent a viewer message (%s)",
             sasae_wire_type_name(m->type));
        return;
    }
}

static void on_established(struct net *n, const struct sasae_chan_peer *p)
{
    if (n->host_fpr[0] && strcmp(n->host_fpr, p->host_fingerprint) != 0) {
        /* a resume must reach the very computer the customer allowed */
        SASAE_ERR("viewer",
                  "the resumed session's host signed with another key (%s, was %s): refused",
                  p->host_fingerprint, n->host_fpr);
        step(n, SASAE_VSM_EV_SECURITY_ERROR, 0);
        return;
    }
    if (n->host_fpr[0])
        SASAE_INFO("viewer", "resumed: the same host key, verified over new keys");
    snprintf(n->host_fpr, sizeof n->host_fpr, "%s", p->host_fingerprint);
    n->have_ticket = sasae_link_resume_secrets(n->link, n->ticket, n->resume_code) == SASAE_CHAN_OK;
    n->hello_seen = false; /* the host says hello on each new channel */
    /* What was checked: the host knew the support code's secret digits (SPAKE2: the keys
     * depend on them) and signed the handshake with this key. */
    SASAE_INFO("viewer",
               "end-to-end channel up: the host knew the support code and signed the "
               "handshake with device key %s (the customer's session bar shows the same)",
               p->host_fingerprint);
    if (n->base.sink.host_key)
        n->base.sink.host_key(n->base.sink.user, p->host_fingerprint);
    step(n, SASAE_VSM_EV_ESTABLISHED, 0);
    n->consent_since_ns = sasae_mono_ns();
    struct sasae_wire_msg h = {.type = SASAE_WIRE_HELLO};
    static const char sw[] = "sasae-viewer " SASAE_VERSION;
    h.u.hello.min_version = 1;
    h.u.hello.max_version = SASAE_WIRE_VERSION;
    h.u.hello.role = SASAE_WIRE_ROLE_VIEWER;
    h.u.hello.caps = SASAE_WIRE_CAP_VP9 | SASAE_WIRE_CAP_VP8 | SASAE_WIRE_CAP_PEN |
                     SASAE_WIRE_CAP_CONTROL | SASAE_WIRE_CAP_VIDEO_MOVE |
                     SASAE_WIRE_CAP_VIDEO_PATCH;
    h.u.hello.software = sw;
    h.u.hello.software_len = sizeof sw - 1;
    if (send_msg(n, &h) != 0)
        fail(n, SASAE_VSM_EV_PROTOCOL_ERROR, "%s", "cannot send HELLO");
}

static void on_link_failed(struct net *n, const struct sasae_link_event *ev)
{
    switch (ev->fail) {
    case SASAE_LINK_FAIL_MESSAGE:
        fail(n, SASAE_VSM_EV_PROTOCOL_ERROR, "malformed message from the host: %s",
             sasae_wire_strerror(ev->wire_err));
        return;
    case SASAE_LINK_FAIL_RECORD:
    case SASAE_LINK_FAIL_OVERSIZE:
        SASAE_ERR("viewer", "record refused: %s",
                  ev->fail == SASAE_LINK_FAIL_OVERSIZE ? "record larger than the channel allows"
                                                       : sasae_chan_strerror(ev->reason));
        step(n, SASAE_VSM_EV_SECURITY_ERROR, 0);
        return;
    default:
        break;
    }
    /* the handshake: tell the host why (the link made the ALERT; none answers the host's) */
    if (ev->out_len)
        sasae_relayclient_send_data(n->rc, ev->out, ev->out_len);
    SASAE_ERR("viewer", "end-to-end handshake failed%s: %s",
              ev->by_peer ? " (refused by the host)" : "", sasae_chan_strerror(ev->reason));
    /* the code did not match, seen here (a host without our code: maybe not the customer's)
     * or by the host (its ALERT) */
    if (ev->fail == SASAE_LINK_FAIL_CODE)
        step(n, SASAE_VSM_EV_CODE_MISMATCH, 0);
    else
        step(n,
             ev->fail == SASAE_LINK_FAIL_LOCAL ? SASAE_VSM_EV_PROTOCOL_ERROR
                                               : SASAE_VSM_EV_SECURITY_ERROR,
             0);
}

static void on_data(struct net *n, const uint8_t *data, size_t len, uint64_t recv_us)
{
    n->last_rx_ns = sasae_mono_ns();
    if (!n->link)
        return;
    if (n->base.sm.state != SASAE_VSM_HANDSHAKE && !sasae_link_established(n->link))
        return; /* after the end, or before pairing: nothing may be read */
    struct sasae_link_event ev;
    sasae_link_input(n->link, data, len, &ev);
    switch (ev.kind) {
    case SASAE_LINK_EV_HANDSHAKE:
    case SASAE_LINK_EV_ESTABLISHED:
        if (ev.out_len && sasae_relayclient_send_data(n->rc, ev.out, ev.out_len) < 0) {
            fail(n, SASAE_VSM_EV_PROTOCOL_ERROR, "%s", "cannot send a handshake message");
            return;
        }
        if (ev.kind == SASAE_LINK_EV_ESTABLISHED)
            on_established(n, ev.peer);
        return;
    case SASAE_LINK_EV_MESSAGE:
        on_message(n, &ev.msg, recv_us);
        return;
    case SASAE_LINK_EV_FAILED:
        on_link_failed(n, &ev);
        return;
    case SASAE_LINK_EV_NONE:
        return;
    }
}

/* Relay lost while viewing: drop the channel at once and reconnect with the resume ticket
 * (backoff 1, 2, 4, 8, 16 s) until the window closes. */
static bool start_resume(struct net *n, int end)
{
    enum sasae_vsm_state st = n->base.sm.state;
    bool lost = end == SASAE_RELAYCLIENT_END_LOST || end == SASAE_RELAYCLIENT_END_CONNECT ||
                end == SASAE_RELAYCLIENT_END_RELAY_ERROR;
    if (!lost || !n->have_ticket || n->cfg->resume_window_s <= 0)
        return false;
    uint64_t now = sasae_mono_ns();
    if (st == SASAE_VSM_VIEWING) {
        n->lost_ns = now;
        n->tries = 0;
        /* a file being sent stops here (nothing can carry its ABORT); the host keeps the
         * part, so offering the same file again continues it */
        struct sasae_wire_msg unused;
        if (sasae_filesend_cancel(&n->fs, &unused) && n->base.sink.file)
            n->base.sink.file(n->base.sink.user, &n->fs);
        SASAE_WARN("viewer",
                   "connection to the relay lost: reconnecting to resume (for up to %d s)",
                   n->cfg->resume_window_s);
        step(n, SASAE_VSM_EV_RELAY_LOST, 0);
    } else if (st != SASAE_VSM_RECONNECTING && st != SASAE_VSM_HANDSHAKE) {
        return false;
    } else if (!n->lost_ns) {
        return false; /* a handshake of the first session, not of a resume */
    }
    if (n->base.sm.state == SASAE_VSM_HANDSHAKE)
        step(n, SASAE_VSM_EV_RELAY_LOST, 1); /* lost again while resuming */
    sasae_link_free(n->link);
    n->link = NULL;
    unsigned d = n->tries < 4 ? 1u << n->tries : 16u;
    n->tries++;
    n->next_try_ns = now + (uint64_t)d * 1000000000ull;
    notify_state(n);
    return true;
}

static void on_closed(struct net *n, int end, int error_code, const char *text)
{
    n->closed_seen = true;
    if (n->base.sm.state == SASAE_VSM_ENDED)
        return;
    if (start_resume(n, end))
        return;
    SASAE_WARN("viewer", "relay connection ended: %s%s%s", sasae_relayclient_end_str(end),
               text && *text ? ": " : "", text ? text : "");
    if (end == SASAE_RELAYCLIENT_END_RELAY_ERROR &&
        (error_code == SASAE_ENV_ERR_BAD_CODE || error_code == SASAE_ENV_ERR_UNPAIRED))
        step(n, SASAE_VSM_EV_CODE_REJECTED, 0);
    else if (end == SASAE_RELAYCLIENT_END_RELAY_ERROR && error_code == SASAE_ENV_ERR_NOT_OPERATOR)
        step(n, SASAE_VSM_EV_SECURITY_ERROR, 0);
    else if (end == SASAE_RELAYCLIENT_END_PEER_LEFT)
        step(n, SASAE_VSM_EV_PEER_LEFT, 0);
    else
        step(n, SASAE_VSM_EV_CLOSED,
             end == SASAE_RELAYCLIENT_END_RELAY_ERROR &&
                 (error_code == SASAE_ENV_ERR_FULL || error_code == SASAE_ENV_ERR_INTERNAL ||
                  error_code == SASAE_ENV_ERR_SHUTDOWN));
}

static struct sasae_relayclient_config relay_config(const struct net *n, const char *relay_part);
static struct sasae_chan_cred *load_cred(const struct vcfg *cfg);
static const struct sasae_relayclient_callbacks net_cb;

/* RECONNECTING: the next resume attempt when due, the end when the window is over. */
static void resume_timers(struct net *n, uint64_t now)
{
    if (n->base.sm.state != SASAE_VSM_RECONNECTING && n->base.sm.state != SASAE_VSM_HANDSHAKE)
        return;
    if (!n->lost_ns)
        return;
    if (now - n->lost_ns >= (uint64_t)n->cfg->resume_window_s * 1000000000ull) {
        SASAE_WARN("viewer", "the session did not resume within %d s", n->cfg->resume_window_s);
        n->lost_ns = 0;
        step(n, SASAE_VSM_EV_CLOSED, 0);
        return;
    }
    if (n->base.sm.state != SASAE_VSM_RECONNECTING || !n->next_try_ns || now < n->next_try_ns)
        return;
    n->next_try_ns = 0;
    n->closed_seen = false;
    struct sasae_chan_cred *cred = load_cred(n->cfg);
    if (!cred) {
        fail(n, SASAE_VSM_EV_PROTOCOL_ERROR, "%s",
             "cannot resume without the operator certificate");
        return;
    }
    sasae_chan_cred_free(n->cred); /* no channel uses it now */
    n->cred = cred;
    n->link = sasae_link_new(sasae_chan_new_viewer(n->cred, n->resume_code, NULL));
    struct sasae_relayclient_config rcfg = relay_config(n, NULL);
    rcfg.resume_ticket = n->ticket;
    rcfg.reconnect_attempts = 0;     /* the backoff is ours */
    sasae_wire_reasm_free(n->reasm); /* a message cut by the loss never completes */
    n->reasm = sasae_wire_reasm_new(0);
    struct sasae_relayclient *old = n->rc, *nc = NULL;
    int rc = n->link && n->reasm ? sasae_relayclient_new(&rcfg, &net_cb, n, &nc) : -ENOMEM;
    if (rc == 0) {
        sasae_relayclient_free(old); /* closed: its thread is done */
        n->rc = nc;
    }
    if (rc < 0) {
        fail(n, SASAE_VSM_EV_PROTOCOL_ERROR, "cannot reconnect to the relay: %s", strerror(-rc));
        return;
    }
    SASAE_INFO("viewer", "reconnecting to the relay to resume (attempt %u)", n->tries);
}

static void timers(struct net *n)
{
    uint64_t now = sasae_mono_ns();
    resume_timers(n, now);
    if (n->base.sm.state == SASAE_VSM_WAITING_CONSENT &&
        now - n->consent_since_ns >= (uint64_t)n->cfg->consent_wait_s * 1000000000ull) {
        SASAE_WARN("viewer", "no answer from the customer after %d s", n->cfg->consent_wait_s);
        step(n, SASAE_VSM_EV_CONSENT_TIMEOUT, 0);
    }
    if (n->base.sm.state != SASAE_VSM_VIEWING)
        return;
    if (n->last_rx_ns &&
        now - n->last_rx_ns >= (uint64_t)SASAE_VSM_HOST_SILENCE_S * 1000000000ull) {
        SASAE_WARN("viewer", "nothing from the host for %d s: the link is lost",
                   SASAE_VSM_HOST_SILENCE_S);
        step(n, SASAE_VSM_EV_PEER_SILENT, 0);
        return;
    }
    if (n->want_keyframe && now - n->keyframe_req_ns >= KEYFRAME_RETRY_NS)
        request_keyframe(n);
    if (sasae_bwe_tick(&n->bwe, sasae_wall_us())) {
        SASAE_DBG("viewer", "bandwidth estimate %u kbit/s", n->bwe.estimate_kbps);
        if (n->base.sink.link)
            n->base.sink.link(n->base.sink.user, n->bwe.estimate_kbps);
    }
    if (now - n->last_stats_ns >= STATS_NS) {
        send_stats(n);
        n->last_stats_ns = now;
    }
}

static int net_pump(struct vsource *s, int timeout_ms)
{
    struct net *n = (struct net *)s;
    pthread_mutex_lock(&n->mu);
    if (!n->head && !n->inbox_overflow && timeout_ms > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += timeout_ms / 1000;
        ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&n->cv, &n->mu, &ts);
    }
    struct item *list = n->head;
    bool overflow = n->inbox_overflow;
    n->head = n->tail = NULL;
    n->inbox_bytes = 0;
    n->inbox_overflow = false;
    pthread_mutex_unlock(&n->mu);

    while (list) {
        struct item *it = list;
        list = it->next;
        switch (it->kind) {
        case IT_PAIRED:
            SASAE_INFO("viewer", "paired with the host through the relay");
            step(n, SASAE_VSM_EV_PAIRED, 0);
            break;
        case IT_DATA:
            on_data(n, it->data, it->len, it->recv_us);
            break;
        case IT_LEFT:
            SASAE_WARN("viewer", "host left: %s %s", sasae_env_left_str((uint8_t)it->a), it->text);
            step(n, SASAE_VSM_EV_PEER_LEFT, 0);
            break;
        case IT_CLOSED:
            on_closed(n, it->a, it->b, it->text);
            break;
        }
        free(it);
    }
    if (overflow)
        fail(n, SASAE_VSM_EV_PROTOCOL_ERROR, "%s", "receive queue overflow");
    timers(n);
    pump_file(n); /* the relay queue drained since */
    if (n->base.sm.state == SASAE_VSM_ENDED && !n->closed_seen && !n->close_called &&
        sasae_mono_ns() >= n->close_deadline_ns) {
        /* the host sent END but has not closed: close now, politely */
        sasae_relayclient_close_why(n->rc, "end: host did not close");
        n->close_called = true;
        n->close_deadline_ns = sasae_mono_ns() + CLOSE_GRACE_NS;
    }
    if (n->base.sm.state == SASAE_VSM_ENDED &&
        (n->closed_seen || sasae_mono_ns() >= n->close_deadline_ns))
        return -1;
    return 0;
}

/* ---- operator actions ----------------------------------------------------------------------- */

static bool viewing(const struct net *n)
{
    return n->base.sm.state == SASAE_VSM_VIEWING;
}

static void net_pointer(struct vsource *s, int x, int y, bool visible)
{
    struct net *n = (struct net *)s;
    if (!viewing(n))
        return;
    struct sasae_wire_msg m = {.type = SASAE_WIRE_POINTER};
    m.u.pointer.x = x;
    m.u.pointer.y = y;
    m.u.pointer.visible = visible;
    send_msg(n, &m);
}

static void net_pen(struct vsource *s, uint32_t stroke_id, const int32_t *xy, int npoints,
                    bool final, int width)
{
    struct net *n = (struct net *)s;
    if (!viewing(n) || npoints < 1 || npoints > SASAE_WIRE_PEN_MAX_POINTS)
        return;
    uint8_t pts[SASAE_WIRE_PEN_MAX_POINTS * 8];
    for (int i = 0; i < npoints; i++) {
        uint32_t x = (uint32_t)xy[2 * i], y = (uint32_t)xy[2 * i + 1];
        uint8_t *p = pts + 8 * i;
        p[0] = (uint8_t)(x >> 24), p[1] = (uint8_t)(x >> 16), p[2] = (uint8_t)(x >> 8);
        p[3] = (uint8_t)x;
        p[4] = (uint8_t)(y >> 24), p[5] = (uint8_t)(y >> 16), p[6] = (uint8_t)(y >> 8);
        p[7] = (uint8_t)y;
    }
    struct sasae_wire_msg m = {.type = SASAE_WIRE_PEN_STROKE};
    m.u.pen.stroke_id = stroke_id;
    m.u.pen.final = final;
    m.u.pen.rgba = 0xe01010ffu;
    m.u.pen.width = (uint16_t)(width < 1 ? 1 : width > 64 ? 64 : width);
    m.u.pen.npoints = (uint16_t)npoints;
    m.u.pen.points = pts;
    send_msg(n, &m);
}

static void net_pen_undo(struct vsource *s, uint32_t stroke_id)
{
    struct net *n = (struct net *)s;
    if (!viewing(n))
        return;
    if (!(n->host_caps & SASAE_WIRE_CAP_PEN_UNDO)) {
        /* an older host would end the session on the unknown message */
        SASAE_INFO("viewer", "the host cannot undo a stroke (no pen undo in its HELLO)");
        return;
    }
    struct sasae_wire_msg m = {.type = SASAE_WIRE_PEN_UNDO};
    m.u.pen_undo.stroke_id = stroke_id;
    send_msg(n, &m);
}

static void net_monitor(struct vsource *s, int index)
{
    struct net *n = (struct net *)s;
    if (!viewing(n) || !(n->host_caps & SASAE_WIRE_CAP_MONITORS) || n->mons.count == 0)
        return; /* a host without the switch would end the session on the unknown message */
    if (index == 0xff ? !n->mons.all_ok : (index < 0 || index >= n->mons.count))
        return; /* only what the host offers */
    struct sasae_wire_msg m = {.type = SASAE_WIRE_MONITOR_SELECT};
    m.u.monitor_select.index = (uint8_t)index;
    send_msg(n, &m);
}

static void net_pen_clear(struct vsource *s)
{
    struct net *n = (struct net *)s;
    if (!viewing(n))
        return;
    struct sasae_wire_msg m = {.type = SASAE_WIRE_PEN_CLEAR};
    send_msg(n, &m);
}

static void net_control(struct vsource *s, bool want)
{
    step((struct net *)s, SASAE_VSM_EV_OP_CONTROL, want);
}

static bool has_control(const struct net *n)
{
    return viewing(n) && n->base.sm.control == SASAE_VSM_CONTROL_GRANTED;
}

static void net_mouse(struct vsource *s, enum vmouse_kind kind, int x, int y, int button, bool down,
                      int dx, int dy)
{
    struct net *n = (struct net *)s;
    if (!has_control(n))
        return;
    struct sasae_wire_msg m = {.type = SASAE_WIRE_MOUSE};
    m.u.mouse.kind = (uint8_t)kind;
    m.u.mouse.x = x;
    m.u.mouse.y = y;
    if (kind == VMOUSE_BUTTON) {
        if (button == 0)
            return;
        m.u.mouse.button = (uint8_t)button;
        m.u.mouse.down = down;
    } else if (kind == VMOUSE_WHEEL) {
        m.u.mouse.wheel_dx = (int16_t)dx;
        m.u.mouse.wheel_dy = (int16_t)dy;
    }
    send_msg(n, &m);
}

static void net_key(struct vsource *s, uint32_t keysym, bool down)
{
    struct net *n = (struct net *)s;
    if (!has_control(n))
        return;
    struct sasae_wire_msg m = {.type = SASAE_WIRE_KEY};
    m.u.key.keysym = keysym;
    m.u.key.down = down;
    send_msg(n, &m);
}

static int net_clipboard_send(struct vsource *s, const char *text, size_t len)
{
    struct net *n = (struct net *)s;
    if (!has_control(n))
        return -EPERM;
    if (!(n->host_caps & SASAE_WIRE_CAP_CLIPBOARD))
        return -ENOTSUP; /* an older host would end the session on the unknown message */
    if (len > SASAE_WIRE_CLIP_MAX)
        return -E2BIG;
    if (!sasae_wire_utf8_valid(text, len))
        return -EILSEQ;
    struct sasae_wire_msg m = {.type = SASAE_WIRE_CLIPBOARD};
    m.u.clipboard.text = text;
    m.u.clipboard.len = len;
    int rc = send_msg(n, &m) == 0 ? 0 : -EIO;
    if (rc == 0)
        SASAE_INFO("viewer", "clipboard: %lu bytes sent to the customer's clipboard",
                   (unsigned long)len);
    return rc;
}

static int net_clipboard_request(struct vsource *s)
{
    struct net *n = (struct net *)s;
    if (!has_control(n))
        return -EPERM;
    if (!(n->host_caps & SASAE_WIRE_CAP_CLIPBOARD))
        return -ENOTSUP;
    struct sasae_wire_msg m = {.type = SASAE_WIRE_CLIPBOARD_REQUEST};
    int rc = send_msg(n, &m) == 0 ? 0 : -EIO;
    if (rc == 0)
        n->clip_asked = true;
    return rc;
}

static int net_chat(struct vsource *s, const char *text, size_t len)
{
    struct net *n = (struct net *)s;
    if (!viewing(n))
        return -EPERM;
    if (!(n->host_caps & SASAE_WIRE_CAP_CHAT))
        return -ENOTSUP;
    if (len == 0 || len > SASAE_WIRE_CHAT_MAX || !sasae_wire_utf8_valid(text, len))
        return -EINVAL;
    struct sasae_wire_msg m = {.type = SASAE_WIRE_CHAT};
    m.u.chat.text = text;
    m.u.chat.len = len;
    return send_msg(n, &m) == 0 ? 0 : -EIO;
}

static int net_send_file(struct vsource *s, const char *path, char *err, size_t errlen)
{
    struct net *n = (struct net *)s;
    if (!viewing(n)) {
        snprintf(err, errlen, "not connected to a customer");
        return -ENOTCONN;
    }
    if (!(n->host_caps & SASAE_WIRE_CAP_FILE)) {
        snprintf(err, errlen, "this customer's computer does not take files");
        return -ENOTSUP;
    }
    if (n->fs.state == SASAE_FILESEND_OFFERED || n->fs.state == SASAE_FILESEND_SENDING) {
        snprintf(err, errlen, "a file is being sent already");
        return -EBUSY;
    }
    struct sasae_wire_msg offer;
    int rc = sasae_filesend_start(&n->fs, path, NULL, ++n->file_ids, &offer, err, errlen);
    if (rc != 0)
        return rc;
    SASAE_INFO("viewer", "offering %s (%llu bytes) to the customer", n->fs.name,
               (unsigned long long)n->fs.size);
    if (send_msg(n, &offer) != 0) {
        sasae_filesend_close(&n->fs);
        n->fs.state = SASAE_FILESEND_IDLE;
        snprintf(err, errlen, "cannot send the offer");
        return -EIO;
    }
    if (n->base.sink.file)
        n->base.sink.file(n->base.sink.user, &n->fs);
    return 0;
}

static void net_cancel_file(struct vsource *s)
{
    struct net *n = (struct net *)s;
    struct sasae_wire_msg a;
    if (sasae_filesend_cancel(&n->fs, &a)) {
        send_msg(n, &a);
        if (n->base.sink.file)
            n->base.sink.file(n->base.sink.user, &n->fs);
    }
}

static void net_end(struct vsource *s)
{
    step((struct net *)s, SASAE_VSM_EV_OP_END, 0);
}

static void net_free(struct vsource *s)
{
    struct net *n = (struct net *)s;
    if (!n)
        return;
    sasae_relayclient_free(n->rc); /* joins its thread: no callback after this */
    sasae_filesend_close(&n->fs);
    sasae_link_free(n->link);
    OPENSSL_cleanse(n->ticket, sizeof n->ticket);
    OPENSSL_cleanse(n->resume_code, sizeof n->resume_code);
    sasae_chan_cred_free(n->cred);
    sasae_wire_reasm_free(n->reasm);
    sasae_vdec_free(n->dec);
    for (struct item *it = n->head, *next; it; it = next) {
        next = it->next;
        free(it);
    }
    pthread_mutex_destroy(&n->mu);
    pthread_cond_destroy(&n->cv);
    free(n->rec);
    free(n->pix);
    free(n->sysinfo);
    free(n);
}

static const struct vsource_ops net_ops = {
    .pump = net_pump,
    .pointer = net_pointer,
    .pen = net_pen,
    .pen_undo = net_pen_undo,
    .pen_clear = net_pen_clear,
    .control = net_control,
    .monitor = net_monitor,
    .mouse = net_mouse,
    .key = net_key,
    .clipboard_send = net_clipboard_send,
    .clipboard_request = net_clipboard_request,
    .chat = net_chat,
    .send_file = net_send_file,
    .cancel_file = net_cancel_file,
    .end = net_end,
    .free = net_free,
};

/* Reads a whole (small) PEM file. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(65537);
    size_t n = buf ? fread(buf, 1, 65536, f) : 0;
    fclose(f);
    if (!buf || n == 65536) {
        free(buf);
        errno = EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The operator's certificate and key, read from their files (again for each resume: a
 * certificate renewed meanwhile is another certificate, and the customer is asked again). */
static struct sasae_chan_cred *load_cred(const struct vcfg *cfg)
{
    size_t cert_len = 0, key_len = 0;
    struct sasae_chan_cred *cred = NULL;
    char *cert = read_file(cfg->cert, &cert_len), *key = NULL;
    if (!cert) {
        SASAE_ERR("viewer", "cannot read operator certificate %s: %s", cfg->cert, strerror(errno));
        goto out;
    }
    if (!(key = read_file(cfg->key, &key_len))) {
        SASAE_ERR("viewer", "cannot read operator key %s: %s", cfg->key, strerror(errno));
        goto out;
    }
    enum sasae_chan_err ce = SASAE_CHAN_OK;
    cred = sasae_chan_cred_new(cert, cert_len, key, key_len, &ce);
    if (!cred)
        SASAE_ERR("viewer", "operator certificate/key unusable: %s", sasae_chan_strerror(ce));
out:
    if (key) {
        OPENSSL_cleanse(key, key_len);
        free(key);
    }
    free(cert);
    return cred;
}

static const struct sasae_relayclient_callbacks net_cb = {
    .paired = cb_paired, .data = cb_data, .peer_left = cb_peer_left, .closed = cb_closed};

static struct sasae_relayclient_config relay_config(const struct net *n, const char *relay_part)
{
    const struct vcfg *cfg = n->cfg;
    return (struct sasae_relayclient_config){
        .url = cfg->relay,
        .role = SASAE_RELAYCLIENT_VIEWER,
        .code = relay_part,
        .ca_file = cfg->relay_ca,
        .pin_sha256 = cfg->relay_pin,
        .cert_file = cfg->cert,
        .key_file = cfg->key,
        .proxy = cfg->proxy ? cfg->proxy : "",
        .reconnect_attempts = 2,
    };
}

struct vsource *vsource_net_new(const struct vcfg *cfg, const struct vsink *sink)
{
    if (!cfg->code[0] || !cfg->cert || !cfg->key || (!cfg->relay_ca && !cfg->relay_pin)) {
        SASAE_ERR("viewer", "a session needs --code, --cert, --key and --relay-ca or "
                            "--relay-pin (or the same in the config file)");
        return NULL;
    }
    struct net *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->base.ops = &net_ops;
    n->base.sink = *sink;
    n->cfg = cfg;
    sasae_vsm_init(&n->base.sm);
    sasae_meter_init(&n->meter, 0);
    sasae_bwe_init(&n->bwe);
    pthread_mutex_init(&n->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&n->cv, &ca);
    pthread_condattr_destroy(&ca);

    if (!(n->cred = load_cred(cfg)))
        goto fail;
    /* the relay gets its 7 digits; the channel binds to all but the check digit */
    char relay_part[SASAE_SCODE_RELAY_DIGITS + 1], pw[SASAE_SCODE_PASSWORD_DIGITS + 1];
    sasae_scode_relay_part(cfg->code, relay_part);
    sasae_scode_password(cfg->code, pw);
    n->link = sasae_link_new(sasae_chan_new_viewer(n->cred, pw, NULL));
    OPENSSL_cleanse(pw, sizeof pw);
    n->reasm = sasae_wire_reasm_new(0);
    n->rec = malloc(SASAE_CHAN_MAX_RECORD);
    n->pix = malloc((size_t)SASAE_WIRE_CURSOR_MAX * SASAE_WIRE_CURSOR_MAX * 4);
    n->sysinfo = malloc(SASAE_WIRE_SYSINFO_MAX + 1);
    if (!n->link || !n->reasm || !n->rec || !n->pix || !n->sysinfo ||
        sasae_vdec_new(&n->dec) != SASAE_VIDEO_OK) {
        SASAE_ERR("viewer", "out of memory");
        goto fail;
    }
    struct sasae_relayclient_config rcfg = relay_config(n, relay_part);
    int rc = sasae_relayclient_new(&rcfg, &net_cb, n, &n->rc);
    if (rc < 0) {
        SASAE_ERR("viewer", "cannot start the relay connection to %s: %s", cfg->relay,
                  strerror(-rc));
        goto fail;
    }
    SASAE_INFO("viewer", "connecting to %s with the relay's part of the code, %s", cfg->relay,
               relay_part);
    return &n->base;
fail:
    net_free(&n->base);
    return NULL;
}
