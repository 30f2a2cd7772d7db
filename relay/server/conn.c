/* A websocket connection's life on the relay: established (identity, admission),
 * each received fragment (framing rules, envelope dispatch), refusals, and its close. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "relay.h"

/* Tells c why it is refused/closed (ERROR envelope), then closes it. */
void relay_fail(struct relay *r, struct conn *c, uint16_t code, const char *text,
                uint8_t left_reason)
{
    if (c->state == C_CLOSING)
        return;
    relay_drop_code(r, c);
    struct sasae_env_msg m = {.type = SASAE_ENV_ERROR, .error_code = code};
    snprintf(m.text, sizeof(m.text), "%s", text ? text : "");
    c->left_reason = left_reason;
    relay_send_msg(r, c, &m);
    int status = LWS_CLOSE_STATUS_POLICY_VIOLATION;
    if (code == SASAE_ENV_ERR_TOO_BIG)
        status = LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE;
    else if (code == SASAE_ENV_ERR_SHUTDOWN)
        status = LWS_CLOSE_STATUS_GOINGAWAY;
    else if (code == SASAE_ENV_ERR_INTERNAL)
        status = LWS_CLOSE_STATUS_UNEXPECTED_CONDITION;
    relay_close_after_flush(c, status, sasae_env_error_code_str(code));
}

void relay_audit_simple(struct relay *r, const char *event, const struct conn *c,
                        const char *result, const char *reason)
{
    struct sasae_audit_rec a = {
        .event = event,
        .session = c && c->sess ? c->sess->id : 0,
        .code = c && c->code[0] ? c->code : NULL,
        .addr = c ? c->addr : NULL,
        .role = c ? (c->role == R_HOST     ? "host"
                     : c->role == R_VIEWER ? "viewer"
                                           : NULL)
                  : NULL,
        .operator_name = c && c->is_operator ? c->op : NULL,
        .org = c && c->is_operator ? c->org : NULL,
        .result = result,
        .reason = reason,
        .bytes_host_to_viewer = -1,
        .bytes_viewer_to_host = -1,
        .duration_ms = -1,
    };
    sasae_audit_write(r->audit, &a);
    r->m.audit_events++;
}

/* c broke RFC 6455 framing: ERROR protocol with the reason, then a close frame with status
 * (1002 protocol error, 1003 data type not accepted). Nothing of the frame is forwarded. */
void relay_refuse_frame(struct relay *r, struct conn *c, int status, const char *text)
{
    if (c->state == C_CLOSING)
        return;
    r->m.rej_protocol++;
    SASAE_INFO(TAG, "%s: %s: closing with %d", c->addr, text, status);
    relay_fail(r, c, SASAE_ENV_ERR_PROTOCOL, text, SASAE_ENV_LEFT_ERROR);
    c->close_status = status;
}

/* The websocket-level rules, checked before any byte of a frame is used: masked frames
 * only (RFC 6455 5.1), binary messages only (sasae.v1 carries no text; 7.4.1: 1003). */
static int frame_refused(struct relay *r, struct conn *c)
{
    if (relay_wsguard_verdict(c) != RELAY_WSG_FRAMES) {
        relay_refuse_frame(r, c, LWS_CLOSE_STATUS_PROTOCOL_ERR, "unmasked client frame");
        return 1;
    }
    if (!lws_frame_is_binary(c->wsi)) {
        relay_refuse_frame(r, c, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, "text frame");
        return 1;
    }
    return 0;
}

static void handle_control(struct relay *r, struct conn *c)
{
    struct sasae_env_msg m;
    int rc = sasae_env_parse(c->ctl, c->ctl_len, &m);
    if (rc) {
        r->m.rej_protocol++;
        relay_fail(r, c, SASAE_ENV_ERR_PROTOCOL, sasae_env_strerror(rc), SASAE_ENV_LEFT_ERROR);
        return;
    }
    if (m.type == SASAE_ENV_REGISTER && c->state == C_NEW && c->link != 2)
        relay_handle_register(r, c, &m);
    else if (m.type == SASAE_ENV_JOIN && c->state == C_NEW)
        relay_handle_join(r, c, &m);
    else if (m.type == SASAE_ENV_RESUME && c->state == C_NEW && c->link != 1)
        relay_handle_resume(r, c, &m);
    else if (m.type == SASAE_ENV_AUDIT && c->state == C_PAIRED && c->role == R_HOST)
        relay_handle_audit(r, c, &m);
    else if (m.type == SASAE_ENV_CRL_REQUEST && (c->state == C_WAITING || c->state == C_RESUMING) &&
             c->role == R_HOST && m.version == SASAE_ENV_VERSION && !c->crl_sub) {
        c->crl_sub = 1;
        if (relay_send_crl(r, c))
            relay_fail(r, c, SASAE_ENV_ERR_INTERNAL, "cannot send the CRL", SASAE_ENV_LEFT_ERROR);
    } else if (m.type == SASAE_ENV_CRL_REQUEST && c->state == C_PAIRED && c->role == R_HOST &&
               m.version == SASAE_ENV_VERSION && !c->crl_sub && c->joined_held_ms) {
        /* resumed second: the CRL, then PEER_JOINED to both (relay_pair_session) */
        c->crl_sub = 1;
        if (relay_send_crl(r, c))
            relay_fail(r, c, SASAE_ENV_ERR_INTERNAL, "cannot send the CRL", SASAE_ENV_LEFT_ERROR);
        else
            relay_release_joined(r, c);
    } else {
        r->m.rej_protocol++;
        char t[80];
        snprintf(t, sizeof(t), "unexpected %s message", sasae_env_type_str(m.type));
        relay_fail(r, c, SASAE_ENV_ERR_PROTOCOL, t, SASAE_ENV_LEFT_ERROR);
    }
}

int relay_on_receive(struct relay *r, struct conn *c, const uint8_t *in, size_t len)
{
    if (c->state == C_CLOSING)
        return 0; /* discard: we are only flushing our goodbye */
    /* Our own link receives the other node's server frames (unmasked by rule). */
    if (c->link == 1 ? !lws_frame_is_binary(c->wsi) : frame_refused(r, c)) {
        if (c->link == 1)
            relay_refuse_frame(r, c, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, "text frame");
        return 0;
    }
    if (c->splice)
        return relay_splice_receive(r, c, in, len);
    int final = lws_is_final_fragment(c->wsi) && !lws_remaining_packet_payload(c->wsi);
    if (!c->in_msg) {
        if (!len) {
            if (final) {
                r->m.rej_protocol++;
                relay_fail(r, c, SASAE_ENV_ERR_PROTOCOL, "empty message", SASAE_ENV_LEFT_ERROR);
            }
            return 0;
        }
        c->in_msg = 1;
        c->msg_type = in[0];
        c->msg_len = 0;
        c->ctl_len = 0;
        if (!sasae_env_type_known(c->msg_type)) {
            r->m.rej_protocol++;
            relay_fail(r, c, SASAE_ENV_ERR_PROTOCOL, "unknown message type", SASAE_ENV_LEFT_ERROR);
            return 0;
        }
    }
    int first = c->msg_len == 0;
    c->msg_len += len;
    if (c->msg_len > SASAE_ENV_MSG_MAX) {
        r->m.rej_toobig++;
        relay_fail(r, c, SASAE_ENV_ERR_TOO_BIG, "message over 1 MiB + 65 bytes",
                   SASAE_ENV_LEFT_ERROR);
        return 0;
    }
    if (c->msg_type == SASAE_ENV_DATA) {
        struct conn *p = c->peer;
        if (c->state != C_PAIRED || !p) {
            r->m.rej_protocol++;
            relay_fail(r, c, SASAE_ENV_ERR_PROTOCOL, "data before pairing", SASAE_ENV_LEFT_ERROR);
            return 0;
        }
        relay_forward(r, c, p, in, len, first, final, c->role == R_HOST);
    } else {
        if (!c->ctl && !(c->ctl = malloc(SASAE_ENV_CONTROL_MAX))) {
            relay_fail(r, c, SASAE_ENV_ERR_INTERNAL, "out of memory", SASAE_ENV_LEFT_ERROR);
            return 0;
        }
        if (c->ctl_len + len > SASAE_ENV_CONTROL_MAX) {
            r->m.rej_protocol++;
            relay_fail(r, c, SASAE_ENV_ERR_PROTOCOL, "control message too long",
                       SASAE_ENV_LEFT_ERROR);
            return 0;
        }
        memcpy(c->ctl + c->ctl_len, in, len);
        c->ctl_len += len;
    }
    if (final) {
        c->in_msg = 0;
        if (c->msg_type != SASAE_ENV_DATA) {
            handle_control(r, c);
            free(c->ctl);
            c->ctl = NULL;
        }
    }
    return 0;
}

void relay_conn_established(struct relay *r, struct conn *c, struct lws *wsi)
{
    memset(c, 0, sizeof(*c));
    c->wsi = wsi;
    c->opened_ms = now_ms();
    lws_get_peer_simple(wsi, c->addr, sizeof(c->addr));
    norm_addr(c->addr);
    c->next = r->conns;
    if (r->conns)
        r->conns->prev = c;
    r->conns = c;
    r->n_conns++;
    r->m.ws_total++;
    relay_auth_operator(c, wsi);
    if (r->cluster_vh && lws_get_vhost(wsi) == r->cluster_vh && relay_link_accept(r, c)) {
        SASAE_WARN(TAG, "%s: node-to-node link with a bad request path: refused", c->addr);
        relay_fail(r, c, SASAE_ENV_ERR_PROTOCOL, "not a node-to-node link", 0);
        return;
    }
    if (r->draining) {
        relay_fail(r, c, SASAE_ENV_ERR_SHUTDOWN, "", 0);
        return;
    }
    /* The guard must have found the end of the upgrade request where lws did, or it could
     * not follow the frames after it. */
    if (relay_wsguard_verdict(c) != RELAY_WSG_FRAMES) {
        relay_refuse_frame(r, c, LWS_CLOSE_STATUS_PROTOCOL_ERR,
                           relay_wsguard_verdict(c) == RELAY_WSG_HTTP
                               ? "upgrade request not understood"
                               : "unmasked client frame");
        return;
    }
    if (c->link == 2)
        return; /* the viewer's connection is counted on its own node */
    int rc = sasae_rt_conn_open(r->rt, c->addr, c->opened_ms);
    if (rc) {
        r->m.rej_addr++;
        relay_fail(r, c, SASAE_ENV_ERR_RATE, sasae_rt_strerror(rc), 0);
        return;
    }
    c->counted = 1;
}

/* A close frame (2-byte status, then UTF-8 text) whose text is "end: REASON" tells why the
 * endpoint ended its session (the END record itself is end-to-end encrypted): REASON, in
 * letters, digits, spaces, '_' and '-' only, goes to the audit log. */
void relay_peer_end_reason(struct conn *c, const void *in, size_t len)
{
    static const char pfx[] = "end: ";
    const char *t = (const char *)in + 2;
    c->peer_end[0] = 0;
    if (!in || len < 2 + sizeof pfx || memcmp(t, pfx, sizeof pfx - 1) != 0)
        return;
    size_t n = 0, i;
    for (i = 2 + sizeof pfx - 1; i < len && n < sizeof c->peer_end - 1; i++) {
        char ch = ((const char *)in)[i];
        if (!(isalnum((unsigned char)ch) || ch == ' ' || ch == '_' || ch == '-'))
            break;
        c->peer_end[n++] = ch;
    }
    c->peer_end[i == len ? n : 0] = 0; /* anything else in it: not recorded */
}

void relay_conn_closed(struct relay *r, struct conn *c)
{
    if (!c->wsi)
        return; /* never established */
    if (c->counted)
        sasae_rt_conn_release(r->rt, c->addr);
    if (c->state == C_WAITING) {
        relay_audit_simple(r, "end", c, "unpaired", "host left before anyone joined");
        relay_drop_code(r, c);
    }
    if (c->state == C_RESUMING)
        relay_resume_gone(r, c);
    if (c->peer) {
        uint8_t reason = c->left_reason            ? c->left_reason
                         : c->peer_closed_normally ? SASAE_ENV_LEFT_CLOSED
                                                   : SASAE_ENV_LEFT_LOST;
        relay_detach_peer(r, c, reason,
                          reason == SASAE_ENV_LEFT_CLOSED && c->peer_end[0]
                              ? c->peer_end
                              : sasae_env_left_str(reason));
    }
    relay_unmark_dirty(r, c);
    relay_session_unref(c->sess);
    c->sess = NULL;
    free(c->ctl);
    c->ctl = NULL;
    relay_q_free(r, c);
    if (c->prev)
        c->prev->next = c->next;
    else
        r->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    r->n_conns--;
    c->wsi = NULL;
}
