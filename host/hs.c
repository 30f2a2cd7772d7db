/* The host session state machine: the single place that decides what the host may send and
 * which input it accepts. Pure: events in, actions out, time passed in by the caller. */
#include "sasae/host.h"

#include "wiretypes.h"

#include <string.h>

#define SEC_NS 1000000000ull

/* Everything that stops a session after the channel exists: local stop first. */
#define ACT_TEARDOWN                                                                               \
    (SASAE_HS_ACT_STOP_CAPTURE | SASAE_HS_ACT_INPUT_OFF | SASAE_HS_ACT_CLEAR_OVERLAY |             \
     SASAE_HS_ACT_HIDE_PROMPT | SASAE_HS_ACT_HIDE_CONTROL_PROMPT | SASAE_HS_ACT_AUDIT |            \
     SASAE_HS_ACT_CLOSE | SASAE_HS_ACT_WIPE_KEYS | SASAE_HS_ACT_SHOW_ENDED)

void sasae_hs_init(struct sasae_hs *hs)
{
    memset(hs, 0, sizeof *hs);
    hs->state = SASAE_HS_IDLE;
    hs->resume_window_ns = SASAE_HS_RESUME_WINDOW_NS;
}

static const char *end_audit(enum sasae_hs_end r)
{
    switch (r) {
    case SASAE_HS_END_CUSTOMER:
        return "end: customer";
    case SASAE_HS_END_DENIED:
        return "consent denied";
    case SASAE_HS_END_CONSENT_TIMEOUT:
        return "consent timeout";
    case SASAE_HS_END_OPERATOR:
        return "end: operator";
    case SASAE_HS_END_PEER_LEFT:
        return "end: viewer left";
    case SASAE_HS_END_PEER_TIMEOUT:
        return "end: viewer timeout";
    case SASAE_HS_END_HANDSHAKE_FAILED:
        return "end: secure channel failed";
    case SASAE_HS_END_PROTOCOL:
        return "end: protocol error";
    case SASAE_HS_END_RELAY:
        return "end: relay lost";
    case SASAE_HS_END_SIGNAL:
        return "end: host stopped";
    case SASAE_HS_END_CAPTURE_FAILED:
        return "end: screen capture failed";
    case SASAE_HS_END_RECONSENT_TIMEOUT:
        return "end: no answer to continue sharing";
    case SASAE_HS_END_RELAY_REFUSED:
        return "end: relay refused";
    case SASAE_HS_END_CODE_MISMATCH:
        return "end: too many codes that did not match";
    case SASAE_HS_END_NO_CRL:
        return "end: no current revocation list";
    default:
        return "end";
    }
}

/* Moves to ENDED. tell_peer: an END record can and should be sent (channel established and
 * the viewer did not end it itself). */
static void end_session(struct sasae_hs *hs, struct sasae_hs_out *o, enum sasae_hs_end reason,
                        bool tell_peer)
{
    bool had_channel = hs->state >= SASAE_HS_HANDSHAKE;
    bool had_consent = hs->state >= SASAE_HS_ASKING;
    hs->state = SASAE_HS_ENDED;
    hs->control = SASAE_HS_CONTROL_NONE;
    hs->end_reason = reason;
    hs->deadline = 0;
    hs->inflight = 0;
    hs->inflight_bytes = 0;
    hs->key_unacked = false;
    o->actions |= ACT_TEARDOWN;
    if (!had_channel)
        o->actions &= ~(uint32_t)SASAE_HS_ACT_WIPE_KEYS;
    if (tell_peer)
        o->actions |= SASAE_HS_ACT_SEND_END;
    else
        hs->end_sent = true; /* nothing will ever be sent */
    o->end_reason = reason;
    o->audit = end_audit(reason);
    o->audit_kind = reason == SASAE_HS_END_DENIED            ? SASAE_HS_AUDIT_CONSENT_DENIED
                    : reason == SASAE_HS_END_CONSENT_TIMEOUT ? SASAE_HS_AUDIT_CONSENT_TIMEOUT
                    : reason == SASAE_HS_END_HANDSHAKE_FAILED && !had_consent
                        ? SASAE_HS_AUDIT_HANDSHAKE_FAILED
                        : SASAE_HS_AUDIT_END;
}

/* Closest pending deadline for the current state. */
static void rearm(struct sasae_hs *hs)
{
    switch (hs->state) {
    case SASAE_HS_HANDSHAKE:
        hs->deadline = hs->prompt_since + SASAE_HS_HANDSHAKE_TIMEOUT_NS;
        break;
    case SASAE_HS_RESUMING:
        hs->deadline = hs->resume_lost_at + hs->resume_window_ns;
        break;
    case SASAE_HS_ASKING:
        hs->deadline = hs->prompt_since + SASAE_HS_CONSENT_TIMEOUT_NS;
        break;
    case SASAE_HS_SHARING: {
        uint64_t d = hs->last_peer + SASAE_HS_PEER_SILENCE_NS;
        if (hs->reconsent_ns) {
            uint64_t c = hs->continue_asked ? hs->prompt_since + SASAE_HS_CONSENT_TIMEOUT_NS
                                            : hs->consent_at + hs->reconsent_ns;
            d = c < d ? c : d;
        }
        if (hs->control == SASAE_HS_CONTROL_ASKED) {
            uint64_t p = hs->prompt_since + SASAE_HS_CONSENT_TIMEOUT_NS;
            /* the viewer may be silent while the customer reads the prompt; the prompt
             * deadline still applies */
            d = p < d ? p : d;
        }
        hs->deadline = d;
        break;
    }
    default:
        hs->deadline = 0;
    }
}

static void control_to_none(struct sasae_hs *hs, struct sasae_hs_out *o, uint8_t value,
                            enum sasae_hs_audit kind, const char *audit)
{
    if (hs->control == SASAE_HS_CONTROL_GRANTED)
        o->actions |= SASAE_HS_ACT_INPUT_OFF;
    if (hs->control == SASAE_HS_CONTROL_ASKED)
        o->actions |= SASAE_HS_ACT_HIDE_CONTROL_PROMPT;
    hs->control = SASAE_HS_CONTROL_NONE;
    o->actions |= SASAE_HS_ACT_SEND_CONTROL | SASAE_HS_ACT_SHOW_BAR;
    o->control_state = value;
    if (audit) {
        o->actions |= SASAE_HS_ACT_AUDIT;
        o->audit = audit;
        o->audit_kind = kind;
    }
}

/* Ends the session for a local reason (button, window, signal) in any live state. */
static void local_end(struct sasae_hs *hs, struct sasae_hs_out *o, enum sasae_hs_end reason)
{
    bool established = hs->state == SASAE_HS_ASKING || hs->state == SASAE_HS_SHARING;
    end_session(hs, o, reason, established);
}

static void on_timeouts(struct sasae_hs *hs, struct sasae_hs_out *o, uint64_t now)
{
    if (!hs->deadline || now < hs->deadline) {
        o->ignored = true;
        return;
    }
    switch (hs->state) {
    case SASAE_HS_HANDSHAKE:
        end_session(hs, o, SASAE_HS_END_PEER_TIMEOUT, false);
        return;
    case SASAE_HS_RESUMING:
        /* the operator did not come back in time: the session ends as after any loss */
        end_session(hs, o, SASAE_HS_END_RELAY, false);
        o->actions &= ~(uint32_t)SASAE_HS_ACT_AUDIT; /* not paired: no relay to tell */
        return;
    case SASAE_HS_ASKING:
        o->actions |= SASAE_HS_ACT_SEND_CONSENT;
        o->consent = SASAE_HS_CONSENT_TIMEOUT;
        end_session(hs, o, SASAE_HS_END_CONSENT_TIMEOUT, true);
        return;
    case SASAE_HS_SHARING:
        if (hs->continue_asked && now >= hs->prompt_since + SASAE_HS_CONSENT_TIMEOUT_NS) {
            o->actions |= SASAE_HS_ACT_HIDE_CONTINUE;
            end_session(hs, o, SASAE_HS_END_RECONSENT_TIMEOUT, true);
            return;
        }
        if (hs->reconsent_ns && !hs->continue_asked && hs->control != SASAE_HS_CONTROL_ASKED &&
            now >= hs->consent_at + hs->reconsent_ns) {
            /* periodic re-consent: the picture keeps flowing, the operator's input waits */
            hs->continue_asked = true;
            hs->prompt_since = now;
            o->actions |= SASAE_HS_ACT_SHOW_CONTINUE;
            rearm(hs);
            return;
        }
        if (hs->control == SASAE_HS_CONTROL_ASKED &&
            now >= hs->prompt_since + SASAE_HS_CONSENT_TIMEOUT_NS) {
            control_to_none(hs, o, SASAE_HS_CONSENT_TIMEOUT, SASAE_HS_AUDIT_CONTROL_DENIED,
                            "control timeout");
            rearm(hs);
            if (now < hs->deadline)
                return;
        }
        if (now >= hs->last_peer + SASAE_HS_PEER_SILENCE_NS) {
            o->actions &= ~(uint32_t)SASAE_HS_ACT_SEND_CONTROL;
            end_session(hs, o, SASAE_HS_END_PEER_TIMEOUT, true);
        }
        return;
    default:
        o->ignored = true;
    }
}

struct sasae_hs_out sasae_hs_event(struct sasae_hs *hs, enum sasae_hs_event ev, uint32_t arg,
                                   uint64_t now)
{
    struct sasae_hs_out o = {0};
    enum sasae_hs_state st = hs->state;

    if (st == SASAE_HS_ENDED) {
        o.ignored = true;
        return o;
    }

    switch (ev) {
    case SASAE_HS_EV_REGISTERED:
        if (st != SASAE_HS_IDLE)
            goto ignore;
        hs->state = SASAE_HS_WAITING;
        hs->relay_fails = 0;
        o.actions = SASAE_HS_ACT_SHOW_CODE;
        break;
    case SASAE_HS_EV_PEER_JOINED:
        if (st != SASAE_HS_WAITING && st != SASAE_HS_RESUMING)
            goto ignore;
        hs->resuming = st == SASAE_HS_RESUMING;
        hs->state = SASAE_HS_HANDSHAKE;
        hs->prompt_since = now;
        o.actions = SASAE_HS_ACT_SHOW_CONNECTING;
        break;
    case SASAE_HS_EV_HANDSHAKE_OK:
        if (st != SASAE_HS_HANDSHAKE)
            goto ignore;
        if (hs->resuming && arg == 1 && now - hs->resume_lost_at < hs->resume_window_ns) {
            /* the same operator certificate, verified again over new keys, within the
             * window: sharing goes on without a new prompt (docs/security.md) */
            hs->resuming = false;
            hs->resumes++;
            hs->state = SASAE_HS_SHARING;
            hs->control = SASAE_HS_CONTROL_NONE;
            hs->last_peer = now;
            o.actions = SASAE_HS_ACT_SEND_HELLO | SASAE_HS_ACT_SEND_CONSENT |
                        SASAE_HS_ACT_START_CAPTURE | SASAE_HS_ACT_SHOW_BAR |
                        SASAE_HS_ACT_SEND_SYSINFO | SASAE_HS_ACT_AUDIT;
            o.consent = SASAE_HS_CONSENT_ALLOWED;
            o.audit = "session resumed: same operator certificate and host key within 60 s";
            o.audit_kind = SASAE_HS_AUDIT_CONSENT_ALLOWED;
            break;
        }
        /* a new session, or a resume that does not qualify: the customer is asked */
        hs->resuming = false;
        hs->state = SASAE_HS_ASKING;
        hs->prompt_since = now;
        hs->last_peer = now;
        o.actions = SASAE_HS_ACT_SHOW_PROMPT | SASAE_HS_ACT_SEND_HELLO | SASAE_HS_ACT_SEND_CONSENT |
                    SASAE_HS_ACT_AUDIT;
        o.consent = SASAE_HS_CONSENT_WAITING;
        hs->verified = true;
        o.audit = "handshake done";
        o.audit_kind = SASAE_HS_AUDIT_HANDSHAKE_DONE;
        break;
    case SASAE_HS_EV_CHANNEL_FAILED:
        if (st < SASAE_HS_HANDSHAKE || st == SASAE_HS_RESUMING) /* RESUMING: no channel */
            goto ignore;
        /* a dead channel cannot carry an END; arg names a more precise reason (0: none) */
        end_session(hs, &o,
                    arg == SASAE_HS_END_CODE_MISMATCH ? SASAE_HS_END_CODE_MISMATCH
                                                      : SASAE_HS_END_HANDSHAKE_FAILED,
                    false);
        break;
    case SASAE_HS_EV_HELLO:
        if ((st != SASAE_HS_ASKING && st != SASAE_HS_SHARING) || hs->hello_seen)
            goto ignore;
        hs->hello_seen = true;
        break;
    case SASAE_HS_EV_CONSENT_ALLOW:
        if (st != SASAE_HS_ASKING)
            goto ignore;
        hs->state = SASAE_HS_SHARING;
        hs->shared = true;
        hs->consent_at = now;
        hs->control = SASAE_HS_CONTROL_NONE;
        hs->last_peer = now; /* the viewer had nothing to say while the customer read */
        o.actions = SASAE_HS_ACT_HIDE_PROMPT | SASAE_HS_ACT_START_CAPTURE | SASAE_HS_ACT_SHOW_BAR |
                    SASAE_HS_ACT_SEND_CONSENT | SASAE_HS_ACT_SEND_SYSINFO | SASAE_HS_ACT_AUDIT;
        o.consent = SASAE_HS_CONSENT_ALLOWED;
        o.audit = "consent allowed";
        o.audit_kind = SASAE_HS_AUDIT_CONSENT_ALLOWED;
        break;
    case SASAE_HS_EV_CONSENT_DENY:
        if (st != SASAE_HS_ASKING)
            goto ignore;
        o.actions = SASAE_HS_ACT_SEND_CONSENT;
        o.consent = SASAE_HS_CONSENT_DENIED;
        end_session(hs, &o, SASAE_HS_END_DENIED, true);
        break;
    case SASAE_HS_EV_CONTROL_REQUEST:
        if (st != SASAE_HS_SHARING || hs->control != SASAE_HS_CONTROL_NONE)
            goto ignore;
        if (hs->continue_asked) { /* one question at a time: ask again after the answer */
            o.actions = SASAE_HS_ACT_SEND_CONTROL;
            o.control_state = SASAE_HS_CONSENT_DENIED;
            break;
        }
        hs->control = SASAE_HS_CONTROL_ASKED;
        hs->prompt_since = now;
        o.actions = SASAE_HS_ACT_SHOW_CONTROL_PROMPT | SASAE_HS_ACT_SEND_CONTROL;
        o.control_state = SASAE_HS_CONSENT_WAITING;
        break;
    case SASAE_HS_EV_CONTINUE:
        if (st != SASAE_HS_SHARING || !hs->continue_asked)
            goto ignore;
        hs->continue_asked = false;
        hs->consent_at = now;
        o.actions = SASAE_HS_ACT_HIDE_CONTINUE | SASAE_HS_ACT_SHOW_BAR | SASAE_HS_ACT_AUDIT;
        o.audit = "continued sharing";
        o.audit_kind = SASAE_HS_AUDIT_CONSENT_ALLOWED;
        break;
    case SASAE_HS_EV_CONTROL_RELEASE:
        if (st != SASAE_HS_SHARING || hs->control == SASAE_HS_CONTROL_NONE)
            goto ignore;
        control_to_none(hs, &o, SASAE_HS_CONSENT_NONE, SASAE_HS_AUDIT_CONTROL_REVOKED,
                        "control released by operator");
        break;
    case SASAE_HS_EV_CONTROL_ALLOW:
        if (st != SASAE_HS_SHARING || hs->control != SASAE_HS_CONTROL_ASKED)
            goto ignore;
        hs->control = SASAE_HS_CONTROL_GRANTED;
        o.actions = SASAE_HS_ACT_HIDE_CONTROL_PROMPT | SASAE_HS_ACT_INPUT_ON |
                    SASAE_HS_ACT_SHOW_BAR | SASAE_HS_ACT_SEND_CONTROL | SASAE_HS_ACT_AUDIT;
        o.control_state = SASAE_HS_CONSENT_ALLOWED;
        o.audit = "control allowed";
        o.audit_kind = SASAE_HS_AUDIT_CONTROL_ALLOWED;
        break;
    case SASAE_HS_EV_CONTROL_DENY:
        if (st != SASAE_HS_SHARING || hs->control != SASAE_HS_CONTROL_ASKED)
            goto ignore;
        control_to_none(hs, &o, SASAE_HS_CONSENT_DENIED, SASAE_HS_AUDIT_CONTROL_DENIED,
                        "control denied");
        break;
    case SASAE_HS_EV_CONTROL_REVOKE:
        if (st != SASAE_HS_SHARING || hs->control != SASAE_HS_CONTROL_GRANTED)
            goto ignore;
        control_to_none(hs, &o, SASAE_HS_CONSENT_REVOKED, SASAE_HS_AUDIT_CONTROL_REVOKED,
                        "control revoked by customer");
        break;
    case SASAE_HS_EV_END_BUTTON:
        local_end(hs, &o, SASAE_HS_END_CUSTOMER);
        break;
    case SASAE_HS_EV_WINDOW_CLOSE:
        if (st == SASAE_HS_ASKING) {
            /* closing the consent prompt is a Deny */
            o.actions = SASAE_HS_ACT_SEND_CONSENT;
            o.consent = SASAE_HS_CONSENT_DENIED;
            end_session(hs, &o, SASAE_HS_END_DENIED, true);
        } else {
            local_end(hs, &o, SASAE_HS_END_CUSTOMER);
        }
        break;
    case SASAE_HS_EV_SIGNAL:
        local_end(hs, &o, SASAE_HS_END_SIGNAL);
        break;
    case SASAE_HS_EV_VIEWER_END:
        if (st != SASAE_HS_ASKING && st != SASAE_HS_SHARING)
            goto ignore;
        end_session(hs, &o, SASAE_HS_END_OPERATOR, false);
        break;
    case SASAE_HS_EV_PEER_LEFT:
        if (st < SASAE_HS_HANDSHAKE || st == SASAE_HS_RESUMING) /* RESUMING: not paired */
            goto ignore;
        end_session(hs, &o, SASAE_HS_END_PEER_LEFT, false);
        break;
    case SASAE_HS_EV_CODE_LOST:
        if (st == SASAE_HS_HANDSHAKE &&
            (arg == SASAE_HS_RENEW_MISMATCH || arg == SASAE_HS_RENEW_TOO_MANY)) {
            /* The joiner's code did not match ours: nothing was verified, asked or shared.
             * Tell the relay, drop the channel and offer the code again on a new connection
             * (the relay consumed the old join). */
            hs->state = SASAE_HS_IDLE;
            hs->renewed = (enum sasae_hs_renew)arg;
            hs->renewals++;
            hs->deadline = 0;
            o.actions = SASAE_HS_ACT_AUDIT | SASAE_HS_ACT_CLOSE | SASAE_HS_ACT_WIPE_KEYS |
                        SASAE_HS_ACT_RENEW_CODE;
            o.audit = "code mismatch";
            o.audit_kind = SASAE_HS_AUDIT_HANDSHAKE_FAILED;
            break;
        }
        if (st == SASAE_HS_WAITING && arg <= SASAE_HS_RENEW_BURNED) {
            /* Nobody has joined, nothing was asked: a new code on a new connection is all
             * the customer needs, not an ended session. */
            hs->state = SASAE_HS_IDLE;
            hs->renewed =
                arg == SASAE_HS_RENEW_BURNED ? SASAE_HS_RENEW_BURNED : SASAE_HS_RENEW_EXPIRED;
            hs->renewals++;
            o.actions = SASAE_HS_ACT_CLOSE | SASAE_HS_ACT_RENEW_CODE;
            break;
        }
        /* a code cannot be lost once it was used: the relay misbehaves, end as for an error */
        end_session(hs, &o, SASAE_HS_END_RELAY, false);
        o.actions &= ~(uint32_t)SASAE_HS_ACT_AUDIT;
        break;
    case SASAE_HS_EV_RELAY_ERROR:
        if (hs->resume_window_ns &&
            (st == SASAE_HS_SHARING ||
             ((st == SASAE_HS_RESUMING || (st == SASAE_HS_HANDSHAKE && hs->resuming)) &&
              now - hs->resume_lost_at < hs->resume_window_ns))) {
            /* Lost while sharing (or while coming back from that): stop everything local
             * at once and reconnect with the resume ticket; nothing is shared until a new
             * handshake proves the same operator again. */
            if (st == SASAE_HS_SHARING) {
                hs->resume_lost_at = now;
                hs->relay_fails = 0;
            }
            hs->state = SASAE_HS_RESUMING;
            hs->resuming = false;
            hs->relay_fails++;
            hs->control = SASAE_HS_CONTROL_NONE;
            hs->continue_asked = false;
            hs->hello_seen = false;
            hs->inflight = 0;
            hs->inflight_bytes = 0;
            hs->key_unacked = false;
            o.actions = SASAE_HS_ACT_STOP_CAPTURE | SASAE_HS_ACT_INPUT_OFF |
                        SASAE_HS_ACT_CLEAR_OVERLAY | SASAE_HS_ACT_HIDE_CONTROL_PROMPT |
                        SASAE_HS_ACT_HIDE_CONTINUE | SASAE_HS_ACT_WIPE_KEYS | SASAE_HS_ACT_RESUME;
            break;
        }
        if (arg == 2 && st <= SASAE_HS_WAITING) {
            /* fail closed: no operator can be checked, so no code may be offered */
            end_session(hs, &o, SASAE_HS_END_NO_CRL, false);
            o.actions &= ~(uint32_t)SASAE_HS_ACT_AUDIT;
            break;
        }
        /* Nobody has joined (or the relay went away while we reconnected after such a
         * loss): the code died with the connection; nothing was asked or shared, so a new
         * code once the relay is back is all the customer needs, for a while. Once an
         * operator joined, a relay loss always ends the session (docs/security.md: no
         * session resumes without a new prompt). */
        if (st == SASAE_HS_WAITING ||
            (st == SASAE_HS_IDLE && hs->renewed == SASAE_HS_RENEW_RELAY && hs->relay_fails &&
             now - hs->relay_lost_at < SASAE_HS_RECONNECT_FOR_NS)) {
            if (st == SASAE_HS_WAITING)
                hs->relay_lost_at = now;
            hs->state = SASAE_HS_IDLE;
            hs->renewed = SASAE_HS_RENEW_RELAY;
            hs->relay_fails++;
            if (st == SASAE_HS_WAITING)
                hs->renewals++;
            o.actions = SASAE_HS_ACT_CLOSE | SASAE_HS_ACT_RENEW_CODE;
            break;
        }
        /* refused before any code: the relay cannot serve us now, which is not a loss */
        end_session(hs, &o,
                    arg && st == SASAE_HS_IDLE ? SASAE_HS_END_RELAY_REFUSED : SASAE_HS_END_RELAY,
                    false);
        o.actions &= ~(uint32_t)SASAE_HS_ACT_AUDIT; /* no relay to tell */
        break;
    case SASAE_HS_EV_PROTOCOL_ERROR:
        if (st < SASAE_HS_HANDSHAKE || st == SASAE_HS_RESUMING)
            goto ignore;
        end_session(hs, &o, SASAE_HS_END_PROTOCOL, st != SASAE_HS_HANDSHAKE);
        break;
    case SASAE_HS_EV_FRAME_SENT:
        if (st != SASAE_HS_SHARING)
            goto ignore;
        hs->last_sent_id = arg;
        hs->inflight++;
        hs->sent_bytes += hs->next_bytes;
        hs->inflight_bytes += hs->next_bytes;
        hs->sent[arg % SASAE_HS_SENT_RING].id = arg;
        hs->sent[arg % SASAE_HS_SENT_RING].sent_bytes = hs->sent_bytes;
        if (hs->next_key) {
            hs->key_unacked = true;
            hs->key_id = arg;
        }
        hs->next_bytes = 0;
        hs->next_key = false;
        break;
    case SASAE_HS_EV_FRAME_ACKED:
        if (st != SASAE_HS_SHARING || hs->inflight == 0)
            goto ignore;
        /* An ack covers every frame up to its id; acks for unsent or already acked frames
         * change nothing. Ids wrap, so compare by signed distance. */
        {
            int32_t ahead = (int32_t)(hs->last_sent_id - arg);
            int32_t fresh = (int32_t)(arg - hs->last_acked_id);
            if (ahead < 0 || fresh <= 0)
                goto ignore;
            hs->last_acked_id = arg;
            hs->inflight = (uint32_t)ahead;
            /* bytes still in flight: everything sent after the acked frame (unknown if the
             * ring forgot it, then only whole frames count: nothing or all of it) */
            const uint32_t slot = arg % SASAE_HS_SENT_RING;
            if (ahead == 0)
                hs->inflight_bytes = 0;
            else if (hs->sent[slot].id == arg)
                hs->inflight_bytes = hs->sent_bytes - hs->sent[slot].sent_bytes;
            if (hs->key_unacked && (int32_t)(arg - hs->key_id) >= 0)
                hs->key_unacked = false;
        }
        break;
    case SASAE_HS_EV_PEER_ACTIVITY:
        if (st != SASAE_HS_ASKING && st != SASAE_HS_SHARING)
            goto ignore;
        hs->last_peer = now;
        break;
    case SASAE_HS_EV_TICK:
        on_timeouts(hs, &o, now);
        return o;
    case SASAE_HS_EV_CAPTURE_FAILED:
        if (st != SASAE_HS_SHARING)
            goto ignore;
        end_session(hs, &o, SASAE_HS_END_CAPTURE_FAILED, true);
        break;
    default:
        goto ignore;
    }
    rearm(hs);
    return o;
ignore:
    o.ignored = true;
    return o;
}

bool sasae_hs_may_send(const struct sasae_hs *hs, int t)
{
    switch (hs->state) {
    case SASAE_HS_ASKING:
        return t == HS_WIRE_HELLO || t == HS_WIRE_CONSENT_STATE || t == HS_WIRE_END;
    case SASAE_HS_SHARING:
        return t == HS_WIRE_HELLO || t == HS_WIRE_CONSENT_STATE || t == HS_WIRE_END ||
               t == HS_WIRE_VIDEO || t == HS_WIRE_CURSOR_SHAPE || t == HS_WIRE_CURSOR_POS ||
               t == HS_WIRE_SYSINFO || t == HS_WIRE_CONTROL_STATE || t == HS_WIRE_MONITOR_LIST ||
               t == HS_WIRE_CHAT || (t == HS_WIRE_CLIPBOARD && sasae_hs_input_allowed(hs)) ||
               t == HS_WIRE_FILE_ANSWER || t == HS_WIRE_FILE_END || t == HS_WIRE_FILE_ABORT ||
               t == HS_WIRE_FILE_ACK;
    case SASAE_HS_ENDED:
        /* the final consent answer and exactly one END, only if the session ended in a way
         * the viewer must hear; nothing once END is out */
        return (t == HS_WIRE_END || t == HS_WIRE_CONSENT_STATE) && !hs->end_sent;
    default:
        return false;
    }
}

bool sasae_hs_accepts(const struct sasae_hs *hs, int t)
{
    switch (hs->state) {
    case SASAE_HS_ASKING:
        /* while the customer decides, the viewer can only say hello, give up, or ask for
         * things the host remembers or ignores (docs/protocol.md) */
        return t == HS_WIRE_HELLO || t == HS_WIRE_END || t == HS_WIRE_KEYFRAME_REQ ||
               t == HS_WIRE_CONTROL_REQUEST;
    case SASAE_HS_SHARING:
        switch (t) {
        case HS_WIRE_MOUSE:
        case HS_WIRE_KEY:
        /* the customer's clipboard is as private as the keyboard: only under control */
        case HS_WIRE_CLIPBOARD:
        case HS_WIRE_CLIPBOARD_REQUEST:
            return sasae_hs_input_allowed(hs);
        case HS_WIRE_HELLO:
        case HS_WIRE_END:
        case HS_WIRE_FRAME_ACK:
        case HS_WIRE_KEYFRAME_REQ:
        case HS_WIRE_STATS:
        case HS_WIRE_POINTER:
        case HS_WIRE_PEN_STROKE:
        case HS_WIRE_PEN_CLEAR:
        case HS_WIRE_PEN_UNDO:
        case HS_WIRE_CONTROL_REQUEST:
        case HS_WIRE_MONITOR_SELECT:
        case HS_WIRE_CHAT:
        /* files only once the customer allowed the session; each is asked again */
        case HS_WIRE_FILE_OFFER:
        case HS_WIRE_FILE_CHUNK:
        case HS_WIRE_FILE_ABORT:
            return true;
        default:
            return false;
        }
    default:
        return false;
    }
}

bool sasae_hs_input_allowed(const struct sasae_hs *hs)
{
    /* never while a prompt shows: injected input must not answer it */
    return hs->state == SASAE_HS_SHARING && hs->control == SASAE_HS_CONTROL_GRANTED &&
           !hs->continue_asked;
}

bool sasae_hs_may_send_frame(const struct sasae_hs *hs)
{
    if (hs->state != SASAE_HS_SHARING || hs->inflight >= SASAE_HS_MAX_INFLIGHT)
        return false;
    return hs->inflight == 0 || hs->byte_window == 0 || hs->inflight_bytes < hs->byte_window;
}

void sasae_hs_set_byte_window(struct sasae_hs *hs, uint32_t bytes)
{
    hs->byte_window = bytes;
}

void sasae_hs_frame_meta(struct sasae_hs *hs, uint32_t bytes, bool keyframe)
{
    hs->next_bytes = bytes;
    hs->next_key = keyframe;
}

bool sasae_hs_keyframe_unacked(const struct sasae_hs *hs)
{
    return hs->state == SASAE_HS_SHARING && hs->key_unacked;
}

int sasae_hs_prompt_seconds_left(const struct sasae_hs *hs, uint64_t now)
{
    bool prompt = hs->state == SASAE_HS_ASKING ||
                  (hs->state == SASAE_HS_SHARING &&
                   (hs->control == SASAE_HS_CONTROL_ASKED || hs->continue_asked));
    if (!prompt)
        return -1;
    uint64_t end = hs->prompt_since + SASAE_HS_CONSENT_TIMEOUT_NS;
    if (now >= end)
        return 0;
    return (int)((end - now + SEC_NS - 1) / SEC_NS);
}

const char *sasae_hs_state_str(enum sasae_hs_state s)
{
    static const char *const n[] = {"idle",    "waiting",  "handshake", "asking",
                                    "sharing", "resuming", "ended"};
    return (unsigned)s < SASAE_HS_NSTATES ? n[s] : "?";
}

const char *sasae_hs_event_str(enum sasae_hs_event e)
{
    static const char *const n[] = {
        "registered",      "peer_joined",   "handshake_ok",   "channel_failed",
        "hello",           "consent_allow", "consent_deny",   "control_request",
        "control_release", "control_allow", "control_deny",   "control_revoke",
        "end_button",      "window_close",  "signal",         "viewer_end",
        "peer_left",       "relay_error",   "protocol_error", "frame_sent",
        "frame_acked",     "peer_activity", "tick",           "capture_failed",
        "code_lost",       "continue",
    };
    return (unsigned)e < SASAE_HS_NEVENTS ? n[e] : "?";
}

const char *sasae_hs_end_str(enum sasae_hs_end r)
{
    static const char *const n[] = {
        "none",
        "customer",
        "denied",
        "consent_timeout",
        "operator",
        "peer_left",
        "peer_timeout",
        "handshake_failed",
        "protocol",
        "relay",
        "signal",
        "capture_failed",
        "reconsent_timeout",
        "relay_refused",
        "code_mismatch",
        "no_crl",
    };
    return (unsigned)r <= SASAE_HS_END_NO_CRL ? n[r] : "?";
}

const char *sasae_hs_renew_str(enum sasae_hs_renew r)
{
    static const char *const n[] = {"none", "expired", "burned", "relay", "mismatch", "too_many"};
    return (unsigned)r <= SASAE_HS_RENEW_TOO_MANY ? n[r] : "?";
}

uint64_t sasae_hs_renew_delay_ns(const struct sasae_hs *hs)
{
    bool resuming = hs->state == SASAE_HS_RESUMING;
    if (!resuming &&
        (hs->state != SASAE_HS_IDLE || hs->renewed != SASAE_HS_RENEW_RELAY || !hs->relay_fails))
        return 0;
    uint64_t d = 1000000000ull;
    for (uint32_t i = 1; i < hs->relay_fails && d < SASAE_HS_RECONNECT_MAX_DELAY_NS; i++)
        d *= 2;
    return d < SASAE_HS_RECONNECT_MAX_DELAY_NS ? d : SASAE_HS_RECONNECT_MAX_DELAY_NS;
}

int sasae_hs_end_wire_reason(enum sasae_hs_end r)
{
    switch (r) {
    case SASAE_HS_END_CUSTOMER:
        return HS_WIRE_END_CUSTOMER;
    case SASAE_HS_END_DENIED:
        return HS_WIRE_END_DENIED;
    case SASAE_HS_END_CONSENT_TIMEOUT:
    case SASAE_HS_END_RECONSENT_TIMEOUT:
    case SASAE_HS_END_PEER_TIMEOUT:
        return HS_WIRE_END_TIMEOUT;
    case SASAE_HS_END_OPERATOR:
        return HS_WIRE_END_OPERATOR;
    case SASAE_HS_END_RELAY:
    case SASAE_HS_END_RELAY_REFUSED:
    case SASAE_HS_END_PEER_LEFT:
        return HS_WIRE_END_RELAY;
    case SASAE_HS_END_SIGNAL:
        return HS_WIRE_END_SHUTDOWN;
    default:
        return HS_WIRE_END_ERROR;
    }
}

void sasae_hs_mark_end_sent(struct sasae_hs *hs)
{
    hs->end_sent = true;
}
