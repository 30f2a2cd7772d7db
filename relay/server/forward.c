/* Send queues and forwarding: fragments queued per connection (blocks recycled from a
 * pool), forwarded fragment by fragment with backpressure (the sender is paused while its
 * peer's queue is full), and flushed as websocket frames, several per write. */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/rand.h>

#include "relay.h"

/* Fragments of at least half a block come from the free list; smaller ones are malloc'd
 * to size, so a queue (whose limit counts payload bytes) never holds more than twice its
 * limit in blocks. */
#define FRAG_POOL_MIN_SHARE 2
#define FRAG_POOL_MAX 256 /* blocks kept for reuse (4 MiB with the 16 KiB default rx-buffer) */

struct frag *relay_frag_new(struct relay *r, const uint8_t *data, size_t len, int first, int final)
{
    struct frag *f;
    int pooled = len <= r->frag_block && len >= r->frag_block / FRAG_POOL_MIN_SHARE;
    if (pooled && r->free_frags) {
        f = r->free_frags;
        r->free_frags = f->next;
        r->n_free_frags--;
    } else {
        f = malloc(sizeof(*f) + (pooled ? r->frag_block : len));
        if (!f)
            return NULL;
    }
    f->pooled = (uint8_t)pooled;
    f->next = NULL;
    f->len = len;
    f->first = (uint8_t)first;
    f->final = (uint8_t) final;
    if (len)
        memcpy(f->buf, data, len);
    return f;
}

static void flush_dirty(lws_sorted_usec_list_t *sul);

/* c has fragments queued that were not flushed: make sure flush_dirty() sees them. */
static void mark_dirty(struct relay *r, struct conn *c)
{
    if (c->dirty)
        return;
    c->dirty = 1;
    c->dnext = r->dirty;
    if (!r->dirty)
        lws_sul_schedule(r->ctx, 0, &r->flush_sul, flush_dirty, 0);
    r->dirty = c;
}

void relay_unmark_dirty(struct relay *r, struct conn *c)
{
    if (!c->dirty)
        return;
    for (struct conn **pp = &r->dirty; *pp; pp = &(*pp)->dnext)
        if (*pp == c) {
            *pp = c->dnext;
            break;
        }
    c->dirty = 0;
    c->dnext = NULL;
}

void relay_q_append(struct conn *c, struct frag *f)
{
    if (c->qt)
        c->qt->next = f;
    else
        c->qh = f;
    c->qt = f;
    c->qbytes += f->len;
    c->out_mid = !f->final;
}

void relay_frag_free(struct relay *r, struct frag *f)
{
    if (f->pooled && r->n_free_frags < FRAG_POOL_MAX) {
        f->next = r->free_frags;
        r->free_frags = f;
        r->n_free_frags++;
        return;
    }
    free(f);
}

void relay_q_free(struct relay *r, struct conn *c)
{
    for (struct frag *f = c->qh, *n; f; f = n) {
        n = f->next;
        relay_frag_free(r, f);
    }
    c->qh = c->qt = NULL;
    c->qbytes = 0;
}

int relay_send_msg(struct relay *r, struct conn *c, const struct sasae_env_msg *m)
{
    uint8_t buf[SASAE_ENV_CONTROL_MAX];
    size_t n;
    if (c->out_mid || sasae_env_serialize(m, buf, sizeof(buf), &n) != SASAE_ENV_OK)
        return -1;
    struct frag *f = relay_frag_new(r, buf, n, 1, 1);
    if (!f)
        return -1;
    relay_q_append(c, f);
    lws_callback_on_writable(c->wsi);
    return 0;
}

/* Queues the CRL to host c as one message in fragments of at most CONTROL_MAX bytes (the
 * relay's send buffer holds one control message). */
int relay_send_crl(struct relay *r, struct conn *c)
{
    if (c->out_mid)
        return -1;
    relay_refresh_served_crl(r, 0);
    size_t n = 1 + r->crl_der_len;
    uint8_t *buf = malloc(n);
    if (!buf)
        return -1;
    buf[0] = SASAE_ENV_CRL;
    if (r->crl_der_len)
        memcpy(buf + 1, r->crl_der, r->crl_der_len);
    for (size_t off = 0; off < n;) {
        size_t chunk = n - off < SASAE_ENV_CONTROL_MAX ? n - off : SASAE_ENV_CONTROL_MAX;
        struct frag *f = relay_frag_new(r, buf + off, chunk, off == 0, off + chunk == n);
        if (!f) {
            free(buf);
            return -1; /* the message is cut: the caller fails the connection */
        }
        relay_q_append(c, f);
        off += chunk;
    }
    free(buf);
    r->crl_served++;
    lws_callback_on_writable(c->wsi);
    return 0;
}

/* Closes c once its queue is flushed (status + short text in the close frame). */
void relay_close_after_flush(struct conn *c, int status, const char *text)
{
    if (c->close_after)
        return;
    c->close_after = 1;
    c->close_status = status;
    snprintf(c->close_text, sizeof(c->close_text), "%s", text);
    c->state = C_CLOSING;
    lws_callback_on_writable(c->wsi);
    /* A receiver that never reads would never flush: bound the wait. */
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, 5);
}

/* Queues one received fragment of a DATA message for the peer p and forwards it: at the end
 * of each message, or once half a TX chunk is waiting, every fragment of a message that came
 * in one TLS read goes out in one write, without a POLLOUT round trip (two epoll_ctl calls
 * and a wakeup per message). Counts the bytes in the session's direction (h2v: from the
 * host) and pauses reading from c while p's queue is full. Shared by clients and the
 * node-to-node link. */
void relay_forward(struct relay *r, struct conn *c, struct conn *p, const uint8_t *in, size_t len,
                   int first, int final, bool h2v)
{
    struct frag *f = relay_frag_new(r, in, len, first, final);
    if (!f) {
        relay_fail(r, c, SASAE_ENV_ERR_INTERNAL, "out of memory", SASAE_ENV_LEFT_ERROR);
        return;
    }
    relay_q_append(p, f);
    if (final || p->qbytes >= TX_CHUNK / 2)
        relay_flush_now(r, p);
    else
        mark_dirty(r, p);
    uint64_t t = now_ms();
    c->last_data_ms = t;
    if (c->sess) {
        if (h2v)
            c->sess->h2v += len, r->m.bytes_h2v += len;
        else
            c->sess->v2h += len, r->m.bytes_v2h += len;
    }
    if (p->link)
        r->m.link_tx += len;
    if (c->link)
        r->m.link_rx += len;
    if (final)
        r->m.msgs_fwd++;
    /* Backpressure: the peer's queue is full, stop reading this sender until it drains;
     * TCP then pushes back on the sender. */
    if (p->qbytes > (size_t)r->cfg.queue_kb * 1024 && !p->paused_peer) {
        p->paused_peer = 1;
        p->stuck_since_ms = t;
        r->m.pauses++;
        lws_rx_flow_control(c->wsi, 0);
    }
}

/* Writes one server (unmasked) websocket frame header for a payload of len bytes; returns
 * its size (at most WS_HDR_MAX). */
static size_t ws_frame_header_len(uint8_t *h, int opcode, int fin, size_t len);

static size_t ws_frame_header(uint8_t *h, int opcode, int fin, size_t len, const uint8_t *mask)
{
    size_t n = ws_frame_header_len(h, opcode, fin, len);
    if (mask) {
        h[1] |= 0x80;
        memcpy(h + n, mask, 4);
        n += 4;
    }
    return n;
}

static size_t ws_frame_header_len(uint8_t *h, int opcode, int fin, size_t len)
{
    h[0] = (uint8_t)((fin ? 0x80 : 0) | opcode);
    if (len < 126) {
        h[1] = (uint8_t)len;
        return 2;
    }
    if (len < 65536) {
        h[1] = 126;
        h[2] = (uint8_t)(len >> 8);
        h[3] = (uint8_t)len;
        return 4;
    }
    h[1] = 127;
    for (int i = 0; i < 8; i++)
        h[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
    return 10;
}

/* Sends as much of c's queue as fits in one TX chunk with a single lws_write: consecutive
 * queued fragments of one message become one websocket frame, and several frames (whole
 * messages, or the pieces of one) share the write, so a 4 KiB message that arrived as
 * 4096 + 1 byte fragments costs one TLS record and one syscall, not two. lws buffers a
 * partial kernel write itself and finishes it before the next WRITEABLE, so frames are
 * never interleaved with its own control frames. */
static int flush_queue(struct relay *r, struct conn *c)
{
    uint8_t *out = r->tx + LWS_PRE;
    size_t n = 0;
    struct frag *f = c->qh;
    while (f) {
        /* the run f..e: f and the following fragments of the same message that fit */
        struct frag *e = f;
        size_t plen = f->len;
        while (!e->final && e->next && n + WS_HDR_MAX + plen + e->next->len <= TX_CHUNK) {
            e = e->next;
            plen += e->len;
        }
        if (n && n + WS_HDR_MAX + plen > TX_CHUNK)
            break; /* next write (a lone fragment always fits: r->tx has room for one) */
        int first = f->first, fin = e->final;
        /* Frames we send as a websocket client (a link to another node) are masked, with a
         * fresh key each (RFC 6455 5.3). */
        uint8_t key[4];
        int mask = c->link == 1;
        if (mask && RAND_bytes(key, sizeof(key)) != 1)
            return -1;
        n += ws_frame_header(out + n, first ? 2 : 0, fin, plen, mask ? key : NULL);
        struct frag *stop = e->next;
        size_t fo = 0;
        while (f != stop) {
            struct frag *nx = f->next;
            memcpy(out + n, f->buf, f->len);
            if (mask)
                for (size_t j = 0; j < f->len; j++, fo++)
                    out[n + j] ^= key[fo & 3];
            n += f->len;
            c->qbytes -= f->len;
            relay_frag_free(r, f);
            f = nx;
        }
        if (n >= TX_CHUNK)
            break;
    }
    c->qh = f;
    if (!f)
        c->qt = NULL;
    if (lws_write(c->wsi, out, n, LWS_WRITE_RAW) < (int)n)
        return -1;
    return 0;
}

/* After frames left c's queue: resume its paused sender once the queue is down to a
 * quarter of the limit (hysteresis). */
static void after_flush(struct relay *r, struct conn *c)
{
    if (c->paused_peer && c->qbytes <= (size_t)r->cfg.queue_kb * 256) {
        c->paused_peer = 0;
        c->stuck_since_ms = 0;
        if (c->peer)
            lws_rx_flow_control(c->peer->wsi, 1);
    }
}

int relay_on_writeable(struct relay *r, struct conn *c)
{
    if (!c->qh) {
        if (c->close_after) {
            lws_close_reason(c->wsi, (enum lws_close_status)c->close_status,
                             (unsigned char *)c->close_text, strlen(c->close_text));
            return -1;
        }
        return 0;
    }
    if (flush_queue(r, c))
        return -1;
    after_flush(r, c);
    if (c->qh || c->close_after)
        lws_callback_on_writable(c->wsi);
    return 0;
}

/* Writes c's queue now unless lws still holds unsent bytes for its socket or c is closing; whatever
 * is left (socket full, more than one TX chunk, a close to send) waits for WRITEABLE. A kernel
 * write only partly accepted is buffered by lws and finished before anything else goes out on that
 * socket, so frames never interleave. */
void relay_flush_now(struct relay *r, struct conn *c)
{
    /* A closing connection (ours or the peer's close frame already on the wire) is left
     * to lws's WRITEABLE handling, which knows the websocket close state: a frame written
     * directly could follow a close frame. */
    int direct = c->state != C_CLOSING && !c->peer_closed_normally;
    if (direct && c->qh && !lws_partial_buffered(c->wsi)) {
        if (flush_queue(r, c)) {
            relay_q_free(r, c);
            lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
            return;
        }
        after_flush(r, c);
    }
    if (c->qh || c->close_after || lws_partial_buffered(c->wsi))
        lws_callback_on_writable(c->wsi);
}

/* Fallback for fragments queued without a flush (a message whose rest has not arrived):
 * lws runs ripe timers when the event loop has nothing else pending, or with its next
 * timer; the message's final fragment flushes them anyway. */
static void flush_dirty(lws_sorted_usec_list_t *sul)
{
    struct relay *r = lws_container_of(sul, struct relay, flush_sul);
    struct conn *list = r->dirty;
    r->dirty = NULL;
    while (list) {
        struct conn *c = list;
        list = c->dnext;
        c->dirty = 0;
        c->dnext = NULL;
        relay_flush_now(r, c);
    }
}
