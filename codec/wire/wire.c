/* sasae wire: serialize/parse of application messages (big-endian fields, bounded). */
#include "sasae/wire.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

const char *sasae_wire_strerror(enum sasae_wire_err err)
{
    switch (err) {
    case SASAE_WIRE_OK:
        return "ok";
    case SASAE_WIRE_ETRUNCATED:
        return "message truncated";
    case SASAE_WIRE_ETRAILING:
        return "trailing bytes after message";
    case SASAE_WIRE_EUNKNOWN:
        return "unknown message type";
    case SASAE_WIRE_EVALUE:
        return "field value out of range";
    case SASAE_WIRE_ETOOBIG:
        return "length exceeds limit";
    case SASAE_WIRE_ENOSPACE:
        return "output buffer too small";
    case SASAE_WIRE_ECOMPRESS:
        return "compressed data corrupt or wrong size";
    case SASAE_WIRE_EVERSION:
        return "unsupported protocol version";
    case SASAE_WIRE_EGAP:
        return "video chunk missing";
    case SASAE_WIRE_EOVERLAP:
        return "video chunk overlaps data already received";
    case SASAE_WIRE_EINCONSISTENT:
        return "video chunk inconsistent with its frame";
    case SASAE_WIRE_ENOMEM:
        return "out of memory";
    }
    return "unknown error";
}

const char *sasae_wire_type_name(int type)
{
    switch (type) {
    case SASAE_WIRE_HELLO:
        return "HELLO";
    case SASAE_WIRE_END:
        return "END";
    case SASAE_WIRE_VIDEO:
        return "VIDEO";
    case SASAE_WIRE_FRAME_ACK:
        return "FRAME_ACK";
    case SASAE_WIRE_KEYFRAME_REQ:
        return "KEYFRAME_REQ";
    case SASAE_WIRE_STATS:
        return "STATS";
    case SASAE_WIRE_CURSOR_SHAPE:
        return "CURSOR_SHAPE";
    case SASAE_WIRE_CURSOR_POS:
        return "CURSOR_POS";
    case SASAE_WIRE_POINTER:
        return "POINTER";
    case SASAE_WIRE_PEN_STROKE:
        return "PEN_STROKE";
    case SASAE_WIRE_PEN_CLEAR:
        return "PEN_CLEAR";
    case SASAE_WIRE_PEN_UNDO:
        return "PEN_UNDO";
    case SASAE_WIRE_CONTROL_REQUEST:
        return "CONTROL_REQUEST";
    case SASAE_WIRE_CONTROL_STATE:
        return "CONTROL_STATE";
    case SASAE_WIRE_CONSENT_STATE:
        return "CONSENT_STATE";
    case SASAE_WIRE_MOUSE:
        return "MOUSE";
    case SASAE_WIRE_KEY:
        return "KEY";
    case SASAE_WIRE_SYSINFO:
        return "SYSINFO";
    case SASAE_WIRE_MONITOR_LIST:
        return "MONITOR_LIST";
    case SASAE_WIRE_MONITOR_SELECT:
        return "MONITOR_SELECT";
    case SASAE_WIRE_CHAT:
        return "CHAT";
    case SASAE_WIRE_CLIPBOARD:
        return "CLIPBOARD";
    case SASAE_WIRE_CLIPBOARD_REQUEST:
        return "CLIPBOARD_REQUEST";
    case SASAE_WIRE_FILE_OFFER:
        return "FILE_OFFER";
    case SASAE_WIRE_FILE_ANSWER:
        return "FILE_ANSWER";
    case SASAE_WIRE_FILE_CHUNK:
        return "FILE_CHUNK";
    case SASAE_WIRE_FILE_END:
        return "FILE_END";
    case SASAE_WIRE_FILE_ABORT:
        return "FILE_ABORT";
    case SASAE_WIRE_FILE_ACK:
        return "FILE_ACK";
    }
    return "UNKNOWN";
}

/* ---- byte writer / reader: all bounds checks live here ------------------------------ */
struct wr {
    uint8_t *p;
    size_t cap, n;
    int over;
};
static void put(struct wr *w, const void *src, size_t len)
{
    if (w->over || len > w->cap - w->n) {
        w->over = 1;
        return;
    }
    if (len)
        memcpy(w->p + w->n, src, len);
    w->n += len;
}
static void put8(struct wr *w, uint8_t v)
{
    put(w, &v, 1);
}
static void put16(struct wr *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(w, b, 2);
}
static void put32(struct wr *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(w, b, 4);
}
static void put64(struct wr *w, uint64_t v)
{
    put32(w, (uint32_t)(v >> 32));
    put32(w, (uint32_t)v);
}

struct rd {
    const uint8_t *p;
    size_t len, n;
    int under;
};
static const uint8_t *get(struct rd *r, size_t len)
{
    if (r->under || len > r->len - r->n) {
        r->under = 1;
        return NULL;
    }
    const uint8_t *s = r->p + r->n;
    r->n += len;
    return s;
}
static uint8_t get8(struct rd *r)
{
    const uint8_t *b = get(r, 1);
    return b ? b[0] : 0;
}
static uint16_t get16(struct rd *r)
{
    const uint8_t *b = get(r, 2);
    return b ? (uint16_t)(b[0] << 8 | b[1]) : 0;
}
static uint32_t get32(struct rd *r)
{
    const uint8_t *b = get(r, 4);
    return b ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3] : 0;
}
static uint64_t get64(struct rd *r)
{
    uint64_t hi = get32(r);
    return hi << 32 | get32(r);
}

/* Appends zlib(src) as the rest of the message. Level 9 with the system zlib makes the
 * bytes reproducible for test vectors. */
static enum sasae_wire_err put_z(struct wr *w, const uint8_t *src, size_t len)
{
    if (w->over)
        return SASAE_WIRE_ENOSPACE;
    uLongf zlen = (uLongf)(w->cap - w->n);
    int zr = compress2(w->p + w->n, &zlen, src, (uLong)len, 9);
    if (zr == Z_BUF_ERROR)
        return SASAE_WIRE_ENOSPACE;
    if (zr != Z_OK)
        return SASAE_WIRE_ECOMPRESS;
    w->n += zlen;
    return SASAE_WIRE_OK;
}

/* Inflates exactly want bytes into out; a stream that would produce more (a bomb) or less
 * is ECOMPRESS. Output never exceeds want bytes. */
static enum sasae_wire_err inflate_exact(const uint8_t *z, size_t zlen, uint8_t *out, size_t want)
{
    z_stream s;
    memset(&s, 0, sizeof(s));
    if (inflateInit(&s) != Z_OK)
        return SASAE_WIRE_ENOMEM;
    uint8_t spare;
    s.next_in = (Bytef *)z;
    s.avail_in = (uInt)zlen;
    s.next_out = out;
    s.avail_out = (uInt)want;
    int zr = inflate(&s, Z_FINISH);
    if (zr == Z_BUF_ERROR && s.avail_out == 0) {
        /* Output full but stream not finished: one more byte proves it is too long. */
        s.next_out = &spare;
        s.avail_out = 1;
        zr = inflate(&s, Z_FINISH);
        if (s.avail_out == 0)
            zr = Z_DATA_ERROR;
    }
    int ok = zr == Z_STREAM_END && s.total_out == want && s.avail_in == 0;
    inflateEnd(&s);
    return ok ? SASAE_WIRE_OK : SASAE_WIRE_ECOMPRESS;
}

/* ---- validation shared by both directions --------------------------------------------- */
static enum sasae_wire_err check_video(const struct sasae_wire_video *v)
{
    if (v->codec != SASAE_WIRE_CODEC_VP9 && v->codec != SASAE_WIRE_CODEC_VP8)
        return SASAE_WIRE_EVALUE;
    if (v->flags &
        ~(SASAE_WIRE_VIDEO_KEYFRAME | SASAE_WIRE_VIDEO_TOPOFF | SASAE_WIRE_VIDEO_KEEPALIVE))
        return SASAE_WIRE_EVALUE;
    if (v->width == 0 || v->height == 0)
        return SASAE_WIRE_EVALUE;
    if (v->frame_size == 0 || v->frame_size > SASAE_WIRE_VIDEO_MAX_FRAME)
        return SASAE_WIRE_ETOOBIG;
    if (v->data_len == 0 || v->data_len > SASAE_WIRE_VIDEO_CHUNK_MAX)
        return v->data_len ? SASAE_WIRE_ETOOBIG : SASAE_WIRE_EVALUE;
    if (v->chunk_offset > v->frame_size || v->data_len > v->frame_size - v->chunk_offset)
        return SASAE_WIRE_EVALUE;
    return SASAE_WIRE_OK;
}

static enum sasae_wire_err check_cursor(const struct sasae_wire_cursor_shape *c)
{
    if (c->width == 0 || c->height == 0 || c->width > SASAE_WIRE_CURSOR_MAX ||
        c->height > SASAE_WIRE_CURSOR_MAX)
        return SASAE_WIRE_ETOOBIG;
    if (c->hot_x >= c->width || c->hot_y >= c->height)
        return SASAE_WIRE_EVALUE;
    return SASAE_WIRE_OK;
}

static enum sasae_wire_err check_pen(const struct sasae_wire_pen_stroke *p)
{
    if (p->final > 1 || p->width == 0 || p->width > 64 || p->npoints == 0)
        return SASAE_WIRE_EVALUE;
    if (p->npoints > SASAE_WIRE_PEN_MAX_POINTS)
        return SASAE_WIRE_ETOOBIG;
    return SASAE_WIRE_OK;
}

static enum sasae_wire_err check_mouse(const struct sasae_wire_mouse *m)
{
    switch (m->kind) {
    case SASAE_WIRE_MOUSE_MOVE:
    case SASAE_WIRE_MOUSE_WHEEL:
        if (m->button || m->down)
            return SASAE_WIRE_EVALUE;
        if (m->kind == SASAE_WIRE_MOUSE_MOVE && (m->wheel_dx || m->wheel_dy))
            return SASAE_WIRE_EVALUE;
        return SASAE_WIRE_OK;
    case SASAE_WIRE_MOUSE_BUTTON:
        if (m->button == 0 || m->button > 9 || m->down > 1 || m->wheel_dx || m->wheel_dy)
            return SASAE_WIRE_EVALUE;
        return SASAE_WIRE_OK;
    }
    return SASAE_WIRE_EVALUE;
}

static enum sasae_wire_err check_monitors(const struct sasae_wire_monitor_list *l)
{
    if (l->count < 1 || l->count > SASAE_WIRE_MONITORS_MAX)
        return SASAE_WIRE_EVALUE;
    if (l->flags & ~SASAE_WIRE_MONITORS_ALL_OK)
        return SASAE_WIRE_EVALUE;
    if (l->selected >= l->count &&
        (l->selected != SASAE_WIRE_MONITOR_ALL || !(l->flags & SASAE_WIRE_MONITORS_ALL_OK)))
        return SASAE_WIRE_EVALUE;
    for (int i = 0; i < l->count; i++) {
        const struct sasae_wire_monitor *m = &l->mon[i];
        if (m->width == 0 || m->height == 0 || (m->flags & ~SASAE_WIRE_MONITOR_PRIMARY))
            return SASAE_WIRE_EVALUE;
        if (m->name_len > SASAE_WIRE_MONITOR_NAME_MAX)
            return SASAE_WIRE_ETOOBIG;
    }
    return SASAE_WIRE_OK;
}

static int valid_monitor_index(uint8_t i)
{
    return i < SASAE_WIRE_MONITORS_MAX || i == SASAE_WIRE_MONITOR_ALL;
}

int sasae_wire_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned cp, min;
        if ((c & 0xe0) == 0xc0)
            n = 1, cp = c & 0x1f, min = 0x80;
        else if ((c & 0xf0) == 0xe0)
            n = 2, cp = c & 0x0f, min = 0x800;
        else if ((c & 0xf8) == 0xf0)
            n = 3, cp = c & 0x07, min = 0x10000;
        else
            return 0;
        if (n > len - i - 1)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += n + 1;
    }
    return 1;
}

static enum sasae_wire_err check_text(int type, const struct sasae_wire_text *t)
{
    size_t max = type == SASAE_WIRE_CHAT ? SASAE_WIRE_CHAT_MAX : SASAE_WIRE_CLIP_MAX;
    if (t->len > max)
        return SASAE_WIRE_ETOOBIG;
    if (type == SASAE_WIRE_CHAT && t->len == 0)
        return SASAE_WIRE_EVALUE; /* an empty chat message is nothing to show */
    if (t->len && !t->text)
        return SASAE_WIRE_EVALUE;
    if (!sasae_wire_utf8_valid(t->text, t->len))
        return SASAE_WIRE_EVALUE;
    return SASAE_WIRE_OK;
}

static int valid_state(uint8_t s)
{
    return s <= SASAE_WIRE_CONSENT_REVOKED;
}

/* ---- serialize -------------------------------------------------------------------------- */
/* FILE_*: one layout for all six types; sha256 only in OFFER, data only in CHUNK. */
static bool is_file_type(int t)
{
    return t >= SASAE_WIRE_FILE_OFFER && t <= SASAE_WIRE_FILE_ACK;
}
static enum sasae_wire_err check_file(int type, const struct sasae_wire_file *f)
{
    if (f->status > SASAE_WIRE_FILE_STATUS_MAX || (f->text_len && !f->text))
        return SASAE_WIRE_EVALUE;
    if (f->text_len > SASAE_WIRE_FILE_TEXT_MAX || f->data_len > SASAE_WIRE_FILE_CHUNK_MAX)
        return SASAE_WIRE_ETOOBIG;
    if (type == SASAE_WIRE_FILE_CHUNK ? f->data_len == 0 || !f->data : f->data_len != 0)
        return SASAE_WIRE_EVALUE;
    if (type == SASAE_WIRE_FILE_OFFER && f->text_len == 0)
        return SASAE_WIRE_EVALUE;
    return SASAE_WIRE_OK;
}
static enum sasae_wire_err put_file(struct wr *w, int type, const struct sasae_wire_file *f)
{
    enum sasae_wire_err e = check_file(type, f);
    if (e)
        return e;
    put32(w, f->id);
    put8(w, f->status);
    put64(w, f->size);
    put64(w, f->offset);
    if (type == SASAE_WIRE_FILE_OFFER)
        put(w, f->sha256, sizeof f->sha256);
    put16(w, (uint16_t)f->text_len);
    put(w, f->text, f->text_len);
    put(w, f->data, f->data_len);
    return SASAE_WIRE_OK;
}
static enum sasae_wire_err get_file(struct rd *r, int type, struct sasae_wire_file *f)
{
    memset(f, 0, sizeof *f);
    f->id = get32(r);
    f->status = get8(r);
    f->size = get64(r);
    f->offset = get64(r);
    if (type == SASAE_WIRE_FILE_OFFER) {
        const uint8_t *h = get(r, sizeof f->sha256);
        if (h)
            memcpy(f->sha256, h, sizeof f->sha256);
    }
    f->text_len = get16(r);
    if (r->under)
        return SASAE_WIRE_ETRUNCATED;
    if (f->text_len > SASAE_WIRE_FILE_TEXT_MAX)
        return SASAE_WIRE_ETOOBIG;
    f->text = (const char *)get(r, f->text_len);
    if (r->under)
        return SASAE_WIRE_ETRUNCATED;
    if (type == SASAE_WIRE_FILE_CHUNK) { /* elsewhere, bytes left over are ETRAILING */
        f->data_len = r->len - r->n;
        f->data = get(r, f->data_len);
    }
    return check_file(type, f);
}

enum sasae_wire_err sasae_wire_serialize(const struct sasae_wire_msg *m, uint8_t *out, size_t cap,
                                         size_t *out_len)
{
    if (!m || !out_len || (!out && cap))
        return SASAE_WIRE_EVALUE;
    if (cap > SASAE_WIRE_MAX_MSG)
        cap = SASAE_WIRE_MAX_MSG; /* never produce what the peer would refuse */
    struct wr w = {out, cap, 0, 0};
    enum sasae_wire_err e = SASAE_WIRE_OK;
    put8(&w, m->type);
    switch (m->type) {
    case SASAE_WIRE_HELLO: {
        const struct sasae_wire_hello *h = &m->u.hello;
        if (h->min_version == 0 || h->min_version > h->max_version)
            return SASAE_WIRE_EVERSION;
        if (h->role != SASAE_WIRE_ROLE_HOST && h->role != SASAE_WIRE_ROLE_VIEWER)
            return SASAE_WIRE_EVALUE;
        if (h->software_len > SASAE_WIRE_TEXT_MAX)
            return SASAE_WIRE_ETOOBIG;
        put16(&w, h->min_version);
        put16(&w, h->max_version);
        put8(&w, h->role);
        put32(&w, h->caps);
        put16(&w, (uint16_t)h->software_len);
        put(&w, h->software, h->software_len);
        break;
    }
    case SASAE_WIRE_END:
        if (m->u.end.reason < SASAE_WIRE_END_CUSTOMER || m->u.end.reason > SASAE_WIRE_END_SHUTDOWN)
            return SASAE_WIRE_EVALUE;
        if (m->u.end.text_len > SASAE_WIRE_TEXT_MAX)
            return SASAE_WIRE_ETOOBIG;
        put8(&w, m->u.end.reason);
        put16(&w, (uint16_t)m->u.end.text_len);
        put(&w, m->u.end.text, m->u.end.text_len);
        break;
    case SASAE_WIRE_VIDEO: {
        const struct sasae_wire_video *v = &m->u.video;
        if ((e = check_video(v)))
            return e;
        put32(&w, v->frame_id);
        put64(&w, v->capture_us);
        put8(&w, v->flags);
        put8(&w, v->codec);
        put16(&w, v->width);
        put16(&w, v->height);
        put32(&w, v->frame_size);
        put32(&w, v->chunk_offset);
        put(&w, v->data, v->data_len);
        break;
    }
    case SASAE_WIRE_FRAME_ACK:
        put32(&w, m->u.ack.frame_id);
        put64(&w, m->u.ack.recv_us);
        break;
    case SASAE_WIRE_KEYFRAME_REQ:
    case SASAE_WIRE_PEN_CLEAR:
    case SASAE_WIRE_CLIPBOARD_REQUEST:
        break;
    case SASAE_WIRE_CHAT:
    case SASAE_WIRE_CLIPBOARD: {
        const struct sasae_wire_text *t = m->type == SASAE_WIRE_CHAT ? &m->u.chat : &m->u.clipboard;
        if ((e = check_text(m->type, t)))
            return e;
        put32(&w, (uint32_t)t->len);
        put(&w, t->text, t->len);
        break;
    }
    case SASAE_WIRE_STATS:
        put32(&w, m->u.stats.rtt_us);
        put32(&w, m->u.stats.decode_us);
        put32(&w, m->u.stats.bandwidth_kbps);
        put16(&w, m->u.stats.fps_x100);
        break;
    case SASAE_WIRE_CURSOR_SHAPE: {
        const struct sasae_wire_cursor_shape *c = &m->u.cursor;
        if ((e = check_cursor(c)))
            return e;
        put32(&w, c->serial);
        put16(&w, c->width);
        put16(&w, c->height);
        put16(&w, c->hot_x);
        put16(&w, c->hot_y);
        if (!c->bgra)
            return SASAE_WIRE_EVALUE;
        if ((e = put_z(&w, c->bgra, (size_t)c->width * c->height * 4)))
            return e;
        break;
    }
    case SASAE_WIRE_CURSOR_POS:
    case SASAE_WIRE_POINTER: {
        const struct sasae_wire_point *p =
            m->type == SASAE_WIRE_POINTER ? &m->u.pointer : &m->u.cursor_pos;
        if (p->visible > 1)
            return SASAE_WIRE_EVALUE;
        put32(&w, (uint32_t)p->x);
        put32(&w, (uint32_t)p->y);
        put8(&w, p->visible);
        break;
    }
    case SASAE_WIRE_PEN_STROKE: {
        const struct sasae_wire_pen_stroke *p = &m->u.pen;
        if ((e = check_pen(p)))
            return e;
        put32(&w, p->stroke_id);
        put8(&w, p->final);
        put32(&w, p->rgba);
        put16(&w, p->width);
        put16(&w, p->npoints);
        put(&w, p->points, (size_t)p->npoints * 8);
        break;
    }
    case SASAE_WIRE_PEN_UNDO:
        put32(&w, m->u.pen_undo.stroke_id);
        break;
    case SASAE_WIRE_CONTROL_REQUEST:
        if (m->u.control_req.want > 1)
            return SASAE_WIRE_EVALUE;
        put8(&w, m->u.control_req.want);
        break;
    case SASAE_WIRE_CONTROL_STATE:
    case SASAE_WIRE_CONSENT_STATE: {
        uint8_t s =
            m->type == SASAE_WIRE_CONSENT_STATE ? m->u.consent.state : m->u.control_state.state;
        if (!valid_state(s))
            return SASAE_WIRE_EVALUE;
        put8(&w, s);
        break;
    }
    case SASAE_WIRE_MOUSE: {
        const struct sasae_wire_mouse *mo = &m->u.mouse;
        if ((e = check_mouse(mo)))
            return e;
        put8(&w, mo->kind);
        put32(&w, (uint32_t)mo->x);
        put32(&w, (uint32_t)mo->y);
        put8(&w, mo->button);
        put8(&w, mo->down);
        put16(&w, (uint16_t)mo->wheel_dx);
        put16(&w, (uint16_t)mo->wheel_dy);
        break;
    }
    case SASAE_WIRE_KEY:
        if (m->u.key.down > 1 || m->u.key.keysym == 0 || m->u.key.keysym > 0x1fffffff)
            return SASAE_WIRE_EVALUE;
        put32(&w, m->u.key.keysym);
        put8(&w, m->u.key.down);
        break;
    case SASAE_WIRE_SYSINFO: {
        const struct sasae_wire_sysinfo *s = &m->u.sysinfo;
        if (s->text_len > SASAE_WIRE_SYSINFO_MAX)
            return SASAE_WIRE_ETOOBIG;
        if (s->text_len && !s->text)
            return SASAE_WIRE_EVALUE;
        put32(&w, (uint32_t)s->text_len);
        if ((e = put_z(&w, (const uint8_t *)(s->text ? s->text : ""), s->text_len)))
            return e;
        break;
    }
    case SASAE_WIRE_MONITOR_LIST: {
        const struct sasae_wire_monitor_list *l = &m->u.monitors;
        if ((e = check_monitors(l)))
            return e;
        put8(&w, l->count);
        put8(&w, l->selected);
        put8(&w, l->flags);
        for (int i = 0; i < l->count; i++) {
            const struct sasae_wire_monitor *mo = &l->mon[i];
            if (mo->name_len && !mo->name)
                return SASAE_WIRE_EVALUE;
            put32(&w, (uint32_t)mo->x);
            put32(&w, (uint32_t)mo->y);
            put16(&w, mo->width);
            put16(&w, mo->height);
            put8(&w, mo->flags);
            put8(&w, (uint8_t)mo->name_len);
            put(&w, mo->name, mo->name_len);
        }
        break;
    }
    case SASAE_WIRE_MONITOR_SELECT:
        if (!valid_monitor_index(m->u.monitor_select.index))
            return SASAE_WIRE_EVALUE;
        put8(&w, m->u.monitor_select.index);
        break;
    default:
        if (!is_file_type(m->type))
            return SASAE_WIRE_EUNKNOWN;
        if ((e = put_file(&w, m->type, &m->u.file)))
            return e;
        break;
    }
    if (w.over)
        return SASAE_WIRE_ENOSPACE;
    *out_len = w.n;
    return SASAE_WIRE_OK;
}

/* ---- parse ------------------------------------------------------------------------------ */
enum sasae_wire_err sasae_wire_parse(const uint8_t *buf, size_t len, struct sasae_wire_msg *m)
{
    if (!m || (!buf && len))
        return SASAE_WIRE_EVALUE;
    if (len == 0)
        return SASAE_WIRE_ETRUNCATED;
    if (len > SASAE_WIRE_MAX_MSG)
        return SASAE_WIRE_ETOOBIG;
    memset(m, 0, sizeof(*m));
    struct rd r = {buf, len, 0, 0};
    enum sasae_wire_err e = SASAE_WIRE_OK;
    m->type = get8(&r);
    switch (m->type) {
    case SASAE_WIRE_HELLO: {
        struct sasae_wire_hello *h = &m->u.hello;
        h->min_version = get16(&r);
        h->max_version = get16(&r);
        h->role = get8(&r);
        h->caps = get32(&r);
        h->software_len = get16(&r);
        if (r.under)
            return SASAE_WIRE_ETRUNCATED;
        if (h->software_len > SASAE_WIRE_TEXT_MAX)
            return SASAE_WIRE_ETOOBIG;
        h->software = (const char *)get(&r, h->software_len);
        if (h->min_version == 0 || h->min_version > h->max_version)
            return SASAE_WIRE_EVERSION;
        if (h->role != SASAE_WIRE_ROLE_HOST && h->role != SASAE_WIRE_ROLE_VIEWER)
            e = SASAE_WIRE_EVALUE;
        break;
    }
    case SASAE_WIRE_END:
        m->u.end.reason = get8(&r);
        m->u.end.text_len = get16(&r);
        if (r.under)
            return SASAE_WIRE_ETRUNCATED;
        if (m->u.end.text_len > SASAE_WIRE_TEXT_MAX)
            return SASAE_WIRE_ETOOBIG;
        m->u.end.text = (const char *)get(&r, m->u.end.text_len);
        if (m->u.end.reason < SASAE_WIRE_END_CUSTOMER || m->u.end.reason > SASAE_WIRE_END_SHUTDOWN)
            e = SASAE_WIRE_EVALUE;
        break;
    case SASAE_WIRE_VIDEO: {
        struct sasae_wire_video *v = &m->u.video;
        v->frame_id = get32(&r);
        v->capture_us = get64(&r);
        v->flags = get8(&r);
        v->codec = get8(&r);
        v->width = get16(&r);
        v->height = get16(&r);
        v->frame_size = get32(&r);
        v->chunk_offset = get32(&r);
        if (r.under)
            return SASAE_WIRE_ETRUNCATED;
        v->data_len = r.len - r.n;
        v->data = get(&r, v->data_len);
        e = check_video(v);
        break;
    }
    case SASAE_WIRE_FRAME_ACK:
        m->u.ack.frame_id = get32(&r);
        m->u.ack.recv_us = get64(&r);
        break;
    case SASAE_WIRE_KEYFRAME_REQ:
    case SASAE_WIRE_PEN_CLEAR:
    case SASAE_WIRE_CLIPBOARD_REQUEST:
        break;
    case SASAE_WIRE_CHAT:
    case SASAE_WIRE_CLIPBOARD: {
        struct sasae_wire_text *t = m->type == SASAE_WIRE_CHAT ? &m->u.chat : &m->u.clipboard;
        uint32_t tlen = get32(&r);
        if (r.under)
            return SASAE_WIRE_ETRUNCATED;
        if (tlen > (m->type == SASAE_WIRE_CHAT ? SASAE_WIRE_CHAT_MAX : SASAE_WIRE_CLIP_MAX))
            return SASAE_WIRE_ETOOBIG;
        t->len = tlen;
        t->text = (const char *)get(&r, tlen);
        if (r.under)
            return SASAE_WIRE_ETRUNCATED;
        e = check_text(m->type, t);
        break;
    }
    case SASAE_WIRE_STATS:
        m->u.stats.rtt_us = get32(&r);
        m->u.stats.decode_us = get32(&r);
        m->u.stats.bandwidth_kbps = get32(&r);
        m->u.stats.fps_x100 = get16(&r);
        break;
    case SASAE_WIRE_CURSOR_SHAPE: {
        struct sasae_wire_cursor_shape *c = &m->u.cursor;
        c->serial = get32(&r);
        c->width = get16(&r);
        c->height = get16(&r);
        c->hot_x = get16(&r);
        c->hot_y = get16(&r);
        if (r.under)
            return SASAE_WIRE_ETRUNCATED;
        if ((e = check_cursor(c)))
            return e;
        c->zdata_len = r.len - r.n;
        c->zdata = get(&r, c->zdata_len);
        if (c->zdata_len < 8) /* zlib header + adler32 at least */
            e = SASAE_WIRE_ETRUNCATED;
        break;
    }
    case SASAE_WIRE_CURSOR_POS:
    case SASAE_WIRE_POINTER: {
        struct sasae_wire_point *p =
            m->type == SASAE_WIRE_POINTER ? &m->u.pointer : &m->u.cursor_pos;
        p->x = (int32_t)get32(&r);
        p->y = (int32_t)get32(&r);
        p->visible = get8(&r);
        if (!r.under && p->visible > 1)
            e = SASAE_WIRE_EVALUE;
        break;
    }
    case SASAE_WIRE_PEN_STROKE: {
        struct sasae_wire_pen_stroke *p = &m->u.pen;
        p->stroke_id = get32(&r);
        p->final = get8(&r);
        p->rgba = get32(&r);
        p->width = get16(&r);
        p->npoints = get16(&r);
        if (r.under)
            return SASAE_WIRE_ETRUNCATED;
        if ((e = check_pen(p)))
            return e;
        p->points = get(&r, (size_t)p->npoints * 8);
        break;
    }
    case SASAE_WIRE_PEN_UNDO:
        m->u.pen_undo.stroke_id = get32(&r);
        break;
    case SASAE_WIRE_CONTROL_REQUEST:
        m->u.control_req.want = get8(&r);
        if (!r.under && m->u.control_req.want > 1)
            e = SASAE_WIRE_EVALUE;
        break;
    case SASAE_WIRE_CONTROL_STATE:
    case SASAE_WIRE_CONSENT_STATE: {
        uint8_t s = get8(&r);
        if (m->type == SASAE_WIRE_CONSENT_STATE)
            m->u.consent.state = s;
        else
            m->u.control_state.state = s;
        if (!r.under && !valid_state(s))
            e = SASAE_WIRE_EVALUE;
        break;
    }
    case SASAE_WIRE_MOUSE: {
        struct sasae_wire_mouse *mo = &m->u.mouse;
        mo->kind = get8(&r);
        mo->x = (int32_t)get32(&r);
        mo->y = (int32_t)get32(&r);
        mo->button = get8(&r);
        mo->down = get8(&r);
        mo->wheel_dx = (int16_t)get16(&r);
        mo->wheel_dy = (int16_t)get16(&r);
        if (!r.under)
            e = check_mouse(mo);
        break;
    }
    case SASAE_WIRE_KEY:
        m->u.key.keysym = get32(&r);
        m->u.key.down = get8(&r);
        if (!r.under && (m->u.key.down > 1 || m->u.key.keysym == 0 || m->u.key.keysym > 0x1fffffff))
            e = SASAE_WIRE_EVALUE;
        break;
    case SASAE_WIRE_SYSINFO: {
        struct sasae_wire_sysinfo *s = &m->u.sysinfo;
        s->text_len = get32(&r);
        if (r.under)
            return SASAE_WIRE_ETRUNCATED;
        if (s->text_len > SASAE_WIRE_SYSINFO_MAX)
            return SASAE_WIRE_ETOOBIG;
        s->zdata_len = r.len - r.n;
        s->zdata = get(&r, s->zdata_len);
        if (s->zdata_len < 8) /* zlib header + adler32 at least */
            e = SASAE_WIRE_ETRUNCATED;
        break;
    }
    case SASAE_WIRE_MONITOR_LIST: {
        struct sasae_wire_monitor_list *l = &m->u.monitors;
        l->count = get8(&r);
        l->selected = get8(&r);
        l->flags = get8(&r);
        if (r.under)
            return SASAE_WIRE_ETRUNCATED;
        if (l->count < 1 || l->count > SASAE_WIRE_MONITORS_MAX)
            return SASAE_WIRE_EVALUE;
        for (int i = 0; i < l->count && !r.under; i++) {
            struct sasae_wire_monitor *mo = &l->mon[i];
            mo->x = (int32_t)get32(&r);
            mo->y = (int32_t)get32(&r);
            mo->width = get16(&r);
            mo->height = get16(&r);
            mo->flags = get8(&r);
            mo->name_len = get8(&r);
            mo->name = (const char *)get(&r, mo->name_len);
        }
        if (!r.under)
            e = check_monitors(l);
        break;
    }
    case SASAE_WIRE_MONITOR_SELECT:
        m->u.monitor_select.index = get8(&r);
        if (!r.under && !valid_monitor_index(m->u.monitor_select.index))
            e = SASAE_WIRE_EVALUE;
        break;
    default:
        if (!is_file_type(m->type))
            return SASAE_WIRE_EUNKNOWN;
        if ((e = get_file(&r, m->type, &m->u.file)))
            return e;
        break;
    }
    if (r.under)
        return SASAE_WIRE_ETRUNCATED;
    if (e)
        return e;
    if (r.n != r.len)
        return SASAE_WIRE_ETRAILING;
    return SASAE_WIRE_OK;
}

enum sasae_wire_err sasae_wire_hello_version(const struct sasae_wire_hello *peer, uint16_t *version)
{
    if (!peer || !version)
        return SASAE_WIRE_EVALUE;
    uint16_t hi = peer->max_version < SASAE_WIRE_VERSION ? peer->max_version : SASAE_WIRE_VERSION;
    if (peer->min_version == 0 || peer->min_version > hi)
        return SASAE_WIRE_EVERSION;
    *version = hi;
    return SASAE_WIRE_OK;
}

void sasae_wire_pen_point(const struct sasae_wire_pen_stroke *p, uint16_t i, int32_t *x, int32_t *y)
{
    const uint8_t *b = p->points + (size_t)i * 8;
    *x = (int32_t)((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
    *y = (int32_t)((uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7]);
}

enum sasae_wire_err sasae_wire_sysinfo_text(const struct sasae_wire_sysinfo *s, char *out,
                                            size_t cap, size_t *out_len)
{
    if (!s || !out_len || (!out && cap))
        return SASAE_WIRE_EVALUE;
    if (s->text_len > SASAE_WIRE_SYSINFO_MAX)
        return SASAE_WIRE_ETOOBIG;
    if (cap < s->text_len)
        return SASAE_WIRE_ENOSPACE;
    enum sasae_wire_err e = inflate_exact(s->zdata, s->zdata_len, (uint8_t *)out, s->text_len);
    if (e)
        return e;
    *out_len = s->text_len;
    return SASAE_WIRE_OK;
}

enum sasae_wire_err sasae_wire_cursor_pixels(const struct sasae_wire_cursor_shape *c, uint8_t *out,
                                             size_t cap)
{
    if (!c || !out)
        return SASAE_WIRE_EVALUE;
    enum sasae_wire_err e = check_cursor(c);
    if (e)
        return e;
    size_t want = (size_t)c->width * c->height * 4;
    if (cap < want)
        return SASAE_WIRE_ENOSPACE;
    return inflate_exact(c->zdata, c->zdata_len, out, want);
}

int sasae_wire_video_next_chunk(const struct sasae_wire_video *hdr, const uint8_t *payload,
                                size_t payload_len, size_t chunk_max, size_t *offset,
                                struct sasae_wire_msg *m)
{
    if (chunk_max == 0 || chunk_max > SASAE_WIRE_VIDEO_CHUNK_MAX)
        chunk_max = SASAE_WIRE_VIDEO_CHUNK_MAX;
    if (*offset >= payload_len)
        return 0;
    size_t n = payload_len - *offset;
    if (n > chunk_max)
        n = chunk_max;
    memset(m, 0, sizeof(*m));
    m->type = SASAE_WIRE_VIDEO;
    m->u.video = *hdr;
    m->u.video.frame_size = (uint32_t)payload_len;
    m->u.video.chunk_offset = (uint32_t)*offset;
    m->u.video.data = payload + *offset;
    m->u.video.data_len = n;
    *offset += n;
    return 1;
}

/* ---- reassembler ------------------------------------------------------------------------ */
struct sasae_wire_reasm {
    size_t max_frame;
    uint8_t *buf;
    size_t buf_cap;
    int active;                  /* a frame is partly received */
    struct sasae_wire_video hdr; /* first chunk's header of the active frame */
    size_t got;
};

struct sasae_wire_reasm *sasae_wire_reasm_new(size_t max_frame)
{
    struct sasae_wire_reasm *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    if (max_frame == 0 || max_frame > SASAE_WIRE_VIDEO_MAX_FRAME)
        max_frame = SASAE_WIRE_VIDEO_MAX_FRAME;
    r->max_frame = max_frame;
    return r;
}

void sasae_wire_reasm_free(struct sasae_wire_reasm *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r);
}

static enum sasae_wire_err reasm_fail(struct sasae_wire_reasm *r, enum sasae_wire_err e)
{
    r->active = 0;
    r->got = 0;
    return e;
}

enum sasae_wire_err sasae_wire_reasm_push(struct sasae_wire_reasm *r,
                                          const struct sasae_wire_video *c, int *done,
                                          struct sasae_wire_video *frame)
{
    if (!r || !c || !done || !frame)
        return SASAE_WIRE_EVALUE;
    *done = 0;
    enum sasae_wire_err e = check_video(c);
    if (e)
        return reasm_fail(r, e);
    if (c->frame_size > r->max_frame)
        return reasm_fail(r, SASAE_WIRE_ETOOBIG);
    if (!r->active) {
        if (c->chunk_offset != 0)
            return reasm_fail(r, SASAE_WIRE_EGAP);
        /* Single-chunk frames need no copy. */
        if (c->data_len == c->frame_size) {
            *frame = *c;
            *done = 1;
            return SASAE_WIRE_OK;
        }
        if (r->buf_cap < c->frame_size) {
            uint8_t *nb = realloc(r->buf, c->frame_size);
            if (!nb)
                return reasm_fail(r, SASAE_WIRE_ENOMEM);
            r->buf = nb;
            r->buf_cap = c->frame_size;
        }
        r->hdr = *c;
        r->active = 1;
        r->got = 0;
    } else {
        const struct sasae_wire_video *h = &r->hdr;
        if (c->frame_id != h->frame_id)
            return reasm_fail(r, SASAE_WIRE_EGAP);
        if (c->frame_size != h->frame_size || c->capture_us != h->capture_us ||
            c->flags != h->flags || c->codec != h->codec || c->width != h->width ||
            c->height != h->height)
            return reasm_fail(r, SASAE_WIRE_EINCONSISTENT);
        if (c->chunk_offset < r->got)
            return reasm_fail(r, SASAE_WIRE_EOVERLAP);
        if (c->chunk_offset > r->got)
            return reasm_fail(r, SASAE_WIRE_EGAP);
    }
    memcpy(r->buf + r->got, c->data, c->data_len);
    r->got += c->data_len;
    if (r->got == r->hdr.frame_size) {
        *frame = r->hdr;
        frame->chunk_offset = 0;
        frame->data = r->buf;
        frame->data_len = r->got;
        r->active = 0;
        r->got = 0;
        *done = 1;
    }
    return SASAE_WIRE_OK;
}
