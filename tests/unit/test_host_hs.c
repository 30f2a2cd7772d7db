/* Unit tests for the host session state machine: every event in every state (table-driven),
 * the deadlines, the send and input gates, and frame pacing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sasae/host.h"

#define S 1000000000ull
#define T0 (1000 * S)

/* Pseudo-states: SHARING split by its control sub-state. */
enum ps {
    P_IDLE,
    P_WAITING,
    P_HANDSHAKE,
    P_ASKING,
    P_SH_NONE,
    P_SH_ASKED,
    P_SH_GRANTED,
    P_RESUMING,
    P_ENDED,
    P_N
};
static const char *const ps_name[] = {
    "idle",          "waiting",         "handshake", "asking", "sharing/none",
    "sharing/asked", "sharing/granted", "resuming",  "ended"};

static void drive(struct sasae_hs *hs, enum sasae_hs_event ev)
{
    struct sasae_hs_out o = sasae_hs_event(hs, ev, 0, T0);
    cr_assert(!o.ignored, "setup event %s ignored in %s", sasae_hs_event_str(ev),
              sasae_hs_state_str(hs->state));
}

static void reach(struct sasae_hs *hs, enum ps p)
{
    sasae_hs_init(hs);
    if (p == P_IDLE)
        return;
    if (p == P_ENDED) {
        drive(hs, SASAE_HS_EV_SIGNAL);
        return;
    }
    drive(hs, SASAE_HS_EV_REGISTERED);
    if (p == P_WAITING)
        return;
    drive(hs, SASAE_HS_EV_PEER_JOINED);
    if (p == P_HANDSHAKE)
        return;
    drive(hs, SASAE_HS_EV_HANDSHAKE_OK);
    if (p == P_ASKING)
        return;
    drive(hs, SASAE_HS_EV_CONSENT_ALLOW);
    if (p == P_SH_NONE)
        return;
    if (p == P_RESUMING) {
        drive(hs, SASAE_HS_EV_RELAY_ERROR);
        return;
    }
    drive(hs, SASAE_HS_EV_CONTROL_REQUEST);
    if (p == P_SH_ASKED)
        return;
    drive(hs, SASAE_HS_EV_CONTROL_ALLOW);
}

static enum ps classify(const struct sasae_hs *hs)
{
    switch (hs->state) {
    case SASAE_HS_IDLE:
        return P_IDLE;
    case SASAE_HS_WAITING:
        return P_WAITING;
    case SASAE_HS_HANDSHAKE:
        return P_HANDSHAKE;
    case SASAE_HS_ASKING:
        return P_ASKING;
    case SASAE_HS_SHARING:
        return hs->control == SASAE_HS_CONTROL_NONE    ? P_SH_NONE
               : hs->control == SASAE_HS_CONTROL_ASKED ? P_SH_ASKED
                                                       : P_SH_GRANTED;
    case SASAE_HS_RESUMING:
        return P_RESUMING;
    default:
        return P_ENDED;
    }
}

#define A(x) SASAE_HS_ACT_##x
#define TEAR                                                                                       \
    (A(STOP_CAPTURE) | A(INPUT_OFF) | A(CLEAR_OVERLAY) | A(HIDE_PROMPT) | A(HIDE_CONTROL_PROMPT) | \
     A(AUDIT) | A(CLOSE) | A(WIPE_KEYS) | A(SHOW_ENDED))
#define TEAR_NOCHAN (TEAR & ~A(WIPE_KEYS))
/* a relay lost while sharing: everything local stops, nothing is sent, resume is tried */
#define RESUME_ACTS                                                                                \
    (A(STOP_CAPTURE) | A(INPUT_OFF) | A(CLEAR_OVERLAY) | A(HIDE_CONTROL_PROMPT) |                  \
     A(HIDE_CONTINUE) | A(WIPE_KEYS) | A(RESUME))

struct row {
    enum ps from;
    enum sasae_hs_event ev;
    enum ps to;
    uint32_t actions;
    enum sasae_hs_end end;
    int value; /* consent or control value sent, -1 = not checked */
};

#define E(x) SASAE_HS_EV_##x
#define R(x) SASAE_HS_END_##x
#define C(x) SASAE_HS_CONSENT_##x

/* Every transition that is not ignored. Any (state, event) pair absent here must be ignored
 * with no action and no change. */
static const struct row table[] = {
    {P_IDLE, E(REGISTERED), P_WAITING, A(SHOW_CODE), R(NONE), -1},
    {P_IDLE, E(END_BUTTON), P_ENDED, TEAR_NOCHAN, R(CUSTOMER), -1},
    {P_IDLE, E(WINDOW_CLOSE), P_ENDED, TEAR_NOCHAN, R(CUSTOMER), -1},
    {P_IDLE, E(SIGNAL), P_ENDED, TEAR_NOCHAN, R(SIGNAL), -1},
    {P_IDLE, E(RELAY_ERROR), P_ENDED, TEAR_NOCHAN & ~A(AUDIT), R(RELAY), -1},
    {P_IDLE, E(CODE_LOST), P_ENDED, TEAR_NOCHAN & ~A(AUDIT), R(RELAY), -1},

    {P_WAITING, E(PEER_JOINED), P_HANDSHAKE, A(SHOW_CONNECTING), R(NONE), -1},
    {P_WAITING, E(END_BUTTON), P_ENDED, TEAR_NOCHAN, R(CUSTOMER), -1},
    {P_WAITING, E(WINDOW_CLOSE), P_ENDED, TEAR_NOCHAN, R(CUSTOMER), -1},
    {P_WAITING, E(SIGNAL), P_ENDED, TEAR_NOCHAN, R(SIGNAL), -1},
    /* the only ways back: a lost code or relay before anyone joined means a new code */
    {P_WAITING, E(RELAY_ERROR), P_IDLE, A(CLOSE) | A(RENEW_CODE), R(NONE), -1},
    {P_WAITING, E(CODE_LOST), P_IDLE, A(CLOSE) | A(RENEW_CODE), R(NONE), -1},

    {P_HANDSHAKE, E(HANDSHAKE_OK), P_ASKING,
     A(SHOW_PROMPT) | A(SEND_HELLO) | A(SEND_CONSENT) | A(AUDIT), R(NONE), C(WAITING)},
    {P_HANDSHAKE, E(CHANNEL_FAILED), P_ENDED, TEAR, R(HANDSHAKE_FAILED), -1},
    {P_HANDSHAKE, E(END_BUTTON), P_ENDED, TEAR, R(CUSTOMER), -1},
    {P_HANDSHAKE, E(WINDOW_CLOSE), P_ENDED, TEAR, R(CUSTOMER), -1},
    {P_HANDSHAKE, E(SIGNAL), P_ENDED, TEAR, R(SIGNAL), -1},
    {P_HANDSHAKE, E(PEER_LEFT), P_ENDED, TEAR, R(PEER_LEFT), -1},
    {P_HANDSHAKE, E(RELAY_ERROR), P_ENDED, TEAR & ~A(AUDIT), R(RELAY), -1},
    {P_HANDSHAKE, E(CODE_LOST), P_ENDED, TEAR & ~A(AUDIT), R(RELAY), -1},
    {P_HANDSHAKE, E(PROTOCOL_ERROR), P_ENDED, TEAR, R(PROTOCOL), -1},

    {P_ASKING, E(CHANNEL_FAILED), P_ENDED, TEAR, R(HANDSHAKE_FAILED), -1},
    {P_ASKING, E(HELLO), P_ASKING, 0, R(NONE), -1},
    {P_ASKING, E(CONSENT_ALLOW), P_SH_NONE,
     A(HIDE_PROMPT) | A(START_CAPTURE) | A(SHOW_BAR) | A(SEND_CONSENT) | A(SEND_SYSINFO) | A(AUDIT),
     R(NONE), C(ALLOWED)},
    {P_ASKING, E(CONSENT_DENY), P_ENDED, TEAR | A(SEND_END) | A(SEND_CONSENT), R(DENIED),
     C(DENIED)},
    {P_ASKING, E(END_BUTTON), P_ENDED, TEAR | A(SEND_END), R(CUSTOMER), -1},
    {P_ASKING, E(WINDOW_CLOSE), P_ENDED, TEAR | A(SEND_END) | A(SEND_CONSENT), R(DENIED),
     C(DENIED)},
    {P_ASKING, E(SIGNAL), P_ENDED, TEAR | A(SEND_END), R(SIGNAL), -1},
    {P_ASKING, E(VIEWER_END), P_ENDED, TEAR, R(OPERATOR), -1},
    {P_ASKING, E(PEER_LEFT), P_ENDED, TEAR, R(PEER_LEFT), -1},
    {P_ASKING, E(RELAY_ERROR), P_ENDED, TEAR & ~A(AUDIT), R(RELAY), -1},
    {P_ASKING, E(CODE_LOST), P_ENDED, TEAR & ~A(AUDIT), R(RELAY), -1},
    {P_ASKING, E(PROTOCOL_ERROR), P_ENDED, TEAR | A(SEND_END), R(PROTOCOL), -1},
    {P_ASKING, E(PEER_ACTIVITY), P_ASKING, 0, R(NONE), -1},

#define SHARING_COMMON(p)                                                                          \
    {p, E(CHANNEL_FAILED), P_ENDED, TEAR, R(HANDSHAKE_FAILED), -1},                                \
        {p, E(HELLO), p, 0, R(NONE), -1},                                                          \
        {p, E(END_BUTTON), P_ENDED, TEAR | A(SEND_END), R(CUSTOMER), -1},                          \
        {p, E(WINDOW_CLOSE), P_ENDED, TEAR | A(SEND_END), R(CUSTOMER), -1},                        \
        {p, E(SIGNAL), P_ENDED, TEAR | A(SEND_END), R(SIGNAL), -1},                                \
        {p, E(VIEWER_END), P_ENDED, TEAR, R(OPERATOR), -1},                                        \
        {p, E(PEER_LEFT), P_ENDED, TEAR, R(PEER_LEFT), -1},                                        \
        {p, E(RELAY_ERROR), P_RESUMING, RESUME_ACTS, R(NONE), -1},                                 \
        {p, E(CODE_LOST), P_ENDED, TEAR & ~A(AUDIT), R(RELAY), -1},                                \
        {p, E(PROTOCOL_ERROR), P_ENDED, TEAR | A(SEND_END), R(PROTOCOL), -1},                      \
        {p, E(FRAME_SENT), p, 0, R(NONE), -1},                                                     \
        {p, E(CAPTURE_FAILED), P_ENDED, TEAR | A(SEND_END), R(CAPTURE_FAILED), -1},                \
    {                                                                                              \
        p, E(PEER_ACTIVITY), p, 0, R(NONE), -1                                                     \
    }

    SHARING_COMMON(P_SH_NONE),
    {P_SH_NONE, E(CONTROL_REQUEST), P_SH_ASKED, A(SHOW_CONTROL_PROMPT) | A(SEND_CONTROL), R(NONE),
     C(WAITING)},

    SHARING_COMMON(P_SH_ASKED),
    {P_SH_ASKED, E(CONTROL_RELEASE), P_SH_NONE,
     A(HIDE_CONTROL_PROMPT) | A(SEND_CONTROL) | A(SHOW_BAR) | A(AUDIT), R(NONE), C(NONE)},
    {P_SH_ASKED, E(CONTROL_ALLOW), P_SH_GRANTED,
     A(HIDE_CONTROL_PROMPT) | A(INPUT_ON) | A(SHOW_BAR) | A(SEND_CONTROL) | A(AUDIT), R(NONE),
     C(ALLOWED)},
    {P_SH_ASKED, E(CONTROL_DENY), P_SH_NONE,
     A(HIDE_CONTROL_PROMPT) | A(SEND_CONTROL) | A(SHOW_BAR) | A(AUDIT), R(NONE), C(DENIED)},

    SHARING_COMMON(P_SH_GRANTED),
    {P_SH_GRANTED, E(CONTROL_RELEASE), P_SH_NONE,
     A(INPUT_OFF) | A(SEND_CONTROL) | A(SHOW_BAR) | A(AUDIT), R(NONE), C(NONE)},
    {P_SH_GRANTED, E(CONTROL_REVOKE), P_SH_NONE,
     A(INPUT_OFF) | A(SEND_CONTROL) | A(SHOW_BAR) | A(AUDIT), R(NONE), C(REVOKED)},

    /* waiting to resume: no channel, nothing to send; only the pairing, another loss or the
     * customer's stop mean anything */
    {P_RESUMING, E(PEER_JOINED), P_HANDSHAKE, A(SHOW_CONNECTING), R(NONE), -1},
    {P_RESUMING, E(RELAY_ERROR), P_RESUMING, RESUME_ACTS, R(NONE), -1},
    {P_RESUMING, E(END_BUTTON), P_ENDED, TEAR, R(CUSTOMER), -1},
    {P_RESUMING, E(WINDOW_CLOSE), P_ENDED, TEAR, R(CUSTOMER), -1},
    {P_RESUMING, E(SIGNAL), P_ENDED, TEAR, R(SIGNAL), -1},
    {P_RESUMING, E(CODE_LOST), P_ENDED, TEAR & ~A(AUDIT), R(RELAY), -1},
};

static const struct row *find(enum ps p, enum sasae_hs_event ev)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].from == p && table[i].ev == ev)
            return &table[i];
    return NULL;
}

Test(host_hs, every_event_in_every_state)
{
    int checked = 0;
    for (int p = 0; p < P_N; p++) {
        for (int ev = 0; ev < SASAE_HS_NEVENTS; ev++) {
            struct sasae_hs hs;
            reach(&hs, (enum ps)p);
            struct sasae_hs before = hs;
            const struct row *r = find((enum ps)p, (enum sasae_hs_event)ev);
            /* one second later: no deadline is due, so TICK must be a no-op everywhere */
            struct sasae_hs_out o = sasae_hs_event(&hs, (enum sasae_hs_event)ev, 0, T0 + S);
            const char *en = sasae_hs_event_str((enum sasae_hs_event)ev);
            if (!r) {
                cr_assert(o.ignored, "%s in %s should be ignored", en, ps_name[p]);
                cr_assert_eq(o.actions, 0u, "%s in %s: actions %#x", en, ps_name[p], o.actions);
                cr_assert_eq(hs.state, before.state, "%s in %s changed state", en, ps_name[p]);
                cr_assert_eq(hs.control, before.control);
            } else {
                cr_assert(!o.ignored, "%s in %s ignored", en, ps_name[p]);
                cr_assert_eq(classify(&hs), r->to, "%s in %s: went to %s, want %s", en, ps_name[p],
                             ps_name[classify(&hs)], ps_name[r->to]);
                cr_assert_eq(o.actions, r->actions, "%s in %s: actions %#x, want %#x", en,
                             ps_name[p], o.actions, r->actions);
                cr_assert_eq(o.end_reason, r->end, "%s in %s: end %s", en, ps_name[p],
                             sasae_hs_end_str(o.end_reason));
                if (r->value >= 0 && (o.actions & A(SEND_CONSENT)))
                    cr_assert_eq(o.consent, r->value, "%s in %s: consent value", en, ps_name[p]);
                if (r->value >= 0 && (o.actions & A(SEND_CONTROL)))
                    cr_assert_eq(o.control_state, r->value, "%s in %s: control value", en,
                                 ps_name[p]);
                if (o.actions & A(AUDIT)) {
                    cr_assert(o.audit && *o.audit, "%s in %s: audit text", en, ps_name[p]);
                    cr_assert(o.audit_kind >= 1 && o.audit_kind <= 9, "%s in %s: audit kind", en,
                              ps_name[p]);
                }
                if (r->to == P_ENDED)
                    cr_assert_eq(hs.end_reason, r->end);
            }
            checked++;
        }
    }
    cr_assert_eq(checked, P_N * SASAE_HS_NEVENTS);
}

/* An operator whose code did not match (handshake, nothing verified): the host tells the
 * relay's audit log, drops the channel and registers again; only these two reasons renew
 * from HANDSHAKE, and never once the operator is verified. */
Test(host_hs, code_mismatch_renews_from_the_handshake)
{
    struct sasae_hs hs;
    reach(&hs, P_HANDSHAKE);
    struct sasae_hs_out o =
        sasae_hs_event(&hs, SASAE_HS_EV_CODE_LOST, SASAE_HS_RENEW_MISMATCH, T0 + S);
    cr_assert_eq(hs.state, SASAE_HS_IDLE);
    cr_assert_eq(o.actions, A(AUDIT) | A(CLOSE) | A(WIPE_KEYS) | A(RENEW_CODE));
    cr_assert_eq(o.audit_kind, SASAE_HS_AUDIT_HANDSHAKE_FAILED);
    cr_assert_eq(hs.renewed, SASAE_HS_RENEW_MISMATCH);
    cr_assert_eq(hs.renewals, 1);
    cr_assert_eq(hs.deadline, 0, "no handshake timeout left running");
    cr_assert_not(hs.verified);
    sasae_hs_event(&hs, SASAE_HS_EV_REGISTERED, 0, T0 + 3 * S);
    sasae_hs_event(&hs, SASAE_HS_EV_PEER_JOINED, 0, T0 + 4 * S);
    o = sasae_hs_event(&hs, SASAE_HS_EV_CODE_LOST, SASAE_HS_RENEW_TOO_MANY, T0 + 5 * S);
    cr_assert_eq(hs.state, SASAE_HS_IDLE);
    cr_assert_eq(hs.renewed, SASAE_HS_RENEW_TOO_MANY);
    cr_assert_str_eq(sasae_hs_renew_str(SASAE_HS_RENEW_TOO_MANY), "too_many");
    /* expiry reasons do not renew from the handshake, mismatch reasons not from WAITING */
    struct sasae_hs h2;
    reach(&h2, P_HANDSHAKE);
    sasae_hs_event(&h2, SASAE_HS_EV_CODE_LOST, SASAE_HS_RENEW_EXPIRED, T0 + S);
    cr_assert_eq(h2.state, SASAE_HS_ENDED);
    reach(&h2, P_WAITING);
    sasae_hs_event(&h2, SASAE_HS_EV_CODE_LOST, SASAE_HS_RENEW_MISMATCH, T0 + S);
    cr_assert_eq(h2.state, SASAE_HS_ENDED);
    /* once verified (ASKING), a mismatch report is an error, not a renewal */
    reach(&h2, P_ASKING);
    sasae_hs_event(&h2, SASAE_HS_EV_CODE_LOST, SASAE_HS_RENEW_MISMATCH, T0 + S);
    cr_assert_eq(h2.state, SASAE_HS_ENDED);
}

/* A burned or expired code while waiting: back to IDLE with a new registration, as often as
 * it happens, each time remembering why; once an operator joined, a lost code ends. */
Test(host_hs, lost_code_renews_only_while_waiting)
{
    struct sasae_hs hs;
    reach(&hs, P_WAITING);
    cr_assert_eq(hs.renewed, SASAE_HS_RENEW_NONE);
    struct sasae_hs_out o =
        sasae_hs_event(&hs, SASAE_HS_EV_CODE_LOST, SASAE_HS_RENEW_BURNED, T0 + S);
    cr_assert_eq(hs.state, SASAE_HS_IDLE);
    cr_assert_eq(o.actions, A(CLOSE) | A(RENEW_CODE));
    cr_assert_eq(hs.renewed, SASAE_HS_RENEW_BURNED);
    cr_assert_eq(hs.renewals, 1);
    cr_assert(!sasae_hs_may_send(&hs, 1) && !sasae_hs_may_send(&hs, 2));
    o = sasae_hs_event(&hs, SASAE_HS_EV_REGISTERED, 0, T0 + 2 * S);
    cr_assert_eq(hs.state, SASAE_HS_WAITING);
    cr_assert_eq(o.actions, A(SHOW_CODE));
    o = sasae_hs_event(&hs, SASAE_HS_EV_CODE_LOST, SASAE_HS_RENEW_EXPIRED, T0 + 600 * S);
    cr_assert_eq(o.actions, A(CLOSE) | A(RENEW_CODE));
    cr_assert_eq(hs.renewed, SASAE_HS_RENEW_EXPIRED);
    cr_assert_eq(hs.renewals, 2);
    /* while renewing (IDLE) a second loss cannot renew again: it ends */
    struct sasae_hs idle = hs;
    o = sasae_hs_event(&idle, SASAE_HS_EV_CODE_LOST, SASAE_HS_RENEW_BURNED, T0 + 601 * S);
    cr_assert_eq(idle.state, SASAE_HS_ENDED);
    cr_assert_eq(idle.end_reason, SASAE_HS_END_RELAY);
    cr_assert_eq(o.actions & A(RENEW_CODE), 0u);
    /* the renewed code pairs like the first; afterwards a lost code is an error, not a renew */
    sasae_hs_event(&hs, SASAE_HS_EV_REGISTERED, 0, T0 + 601 * S);
    sasae_hs_event(&hs, SASAE_HS_EV_PEER_JOINED, 0, T0 + 602 * S);
    cr_assert_eq(hs.state, SASAE_HS_HANDSHAKE);
    o = sasae_hs_event(&hs, SASAE_HS_EV_CODE_LOST, SASAE_HS_RENEW_BURNED, T0 + 603 * S);
    cr_assert_eq(hs.state, SASAE_HS_ENDED);
    cr_assert_eq(o.actions & A(RENEW_CODE), 0u);
    cr_assert_eq(hs.renewals, 2);
    cr_assert_str_eq(sasae_hs_renew_str(SASAE_HS_RENEW_BURNED), "burned");
    cr_assert_str_eq(sasae_hs_renew_str(SASAE_HS_RENEW_EXPIRED), "expired");
    cr_assert_str_eq(sasae_hs_renew_str((enum sasae_hs_renew)9), "?");
}

/* The relay lost while only a code showed: back to IDLE for a new code, retried with a
 * doubling delay (1, 2, 4, 8, 16, 16 s) for SASAE_HS_RECONNECT_FOR_NS from the loss, then
 * ended; a new code resets the count. A relay lost at the first connection, or after an
 * operator joined, ends at once (never a silent resume). */
Test(host_hs, relay_lost_while_waiting_reconnects_with_backoff)
{
    struct sasae_hs hs;
    reach(&hs, P_WAITING);
    cr_assert_eq(sasae_hs_renew_delay_ns(&hs), 0);
    struct sasae_hs_out o = sasae_hs_event(&hs, SASAE_HS_EV_RELAY_ERROR, 0, T0 + S);
    cr_assert_eq(hs.state, SASAE_HS_IDLE);
    cr_assert_eq(o.actions, A(CLOSE) | A(RENEW_CODE));
    cr_assert_eq(hs.renewed, SASAE_HS_RENEW_RELAY);
    cr_assert_eq(hs.renewals, 1);
    cr_assert_eq(sasae_hs_renew_delay_ns(&hs), 1 * S);
    cr_assert(!sasae_hs_may_send(&hs, 1) && !sasae_hs_may_send_frame(&hs));
    uint64_t want[] = {2 * S, 4 * S, 8 * S, 16 * S, 16 * S};
    uint64_t t = T0 + S;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        t += 5 * S;
        o = sasae_hs_event(&hs, SASAE_HS_EV_RELAY_ERROR, 0, t); /* the reconnect failed */
        cr_assert_eq(hs.state, SASAE_HS_IDLE, "failure %zu", i);
        cr_assert_eq(o.actions, A(CLOSE) | A(RENEW_CODE));
        cr_assert_eq(sasae_hs_renew_delay_ns(&hs), want[i], "failure %zu: %llu", i,
                     (unsigned long long)sasae_hs_renew_delay_ns(&hs));
    }
    cr_assert_eq(hs.renewals, 1, "failed reconnects replace no code");
    /* back: a new code, the count starts again */
    struct sasae_hs back = hs;
    o = sasae_hs_event(&back, SASAE_HS_EV_REGISTERED, 0, t + S);
    cr_assert_eq(back.state, SASAE_HS_WAITING);
    cr_assert_eq(back.relay_fails, 0);
    cr_assert_eq(sasae_hs_renew_delay_ns(&back), 0);
    cr_assert_eq(back.renewed, SASAE_HS_RENEW_RELAY, "the customer is told why the code changed");
    /* never back within the window: ended, the customer told the relay is gone */
    o = sasae_hs_event(&hs, SASAE_HS_EV_RELAY_ERROR, 0, T0 + S + SASAE_HS_RECONNECT_FOR_NS);
    cr_assert_eq(hs.state, SASAE_HS_ENDED);
    cr_assert_eq(hs.end_reason, SASAE_HS_END_RELAY);
    cr_assert_eq(o.actions & A(RENEW_CODE), 0u);
    /* an operator joined: a relay loss ends the session, whatever came before */
    sasae_hs_event(&back, SASAE_HS_EV_PEER_JOINED, 0, t + 2 * S);
    o = sasae_hs_event(&back, SASAE_HS_EV_RELAY_ERROR, 0, t + 3 * S);
    cr_assert_eq(back.state, SASAE_HS_ENDED);
    cr_assert_eq(back.end_reason, SASAE_HS_END_RELAY);
    cr_assert(o.actions & A(STOP_CAPTURE) && o.actions & A(INPUT_OFF) &&
              o.actions & A(CLEAR_OVERLAY) && o.actions & A(WIPE_KEYS));
    cr_assert_str_eq(sasae_hs_renew_str(SASAE_HS_RENEW_RELAY), "relay");
}

/* The relay refusing service (arg 1) before any code is not a loss: its own end reason;
 * while waiting it is a loss like any other (reconnect), once joined it ends as relay. */
Test(host_hs, relay_refusal)
{
    struct sasae_hs hs;
    reach(&hs, P_IDLE);
    sasae_hs_event(&hs, SASAE_HS_EV_RELAY_ERROR, 1, T0 + S);
    cr_assert_eq(hs.state, SASAE_HS_ENDED);
    cr_assert_eq(hs.end_reason, SASAE_HS_END_RELAY_REFUSED);
    cr_assert_str_eq(sasae_hs_end_str(SASAE_HS_END_RELAY_REFUSED), "relay_refused");
    reach(&hs, P_WAITING);
    sasae_hs_event(&hs, SASAE_HS_EV_RELAY_ERROR, 1, T0 + S);
    cr_assert_eq(hs.state, SASAE_HS_IDLE);
    cr_assert_eq(hs.renewed, SASAE_HS_RENEW_RELAY);
    sasae_hs_event(&hs, SASAE_HS_EV_RELAY_ERROR, 1, T0 + 3 * S); /* still busy: retry */
    cr_assert_eq(hs.state, SASAE_HS_IDLE);
    cr_assert_eq(sasae_hs_renew_delay_ns(&hs), 2 * S);
    reach(&hs, P_SH_NONE);
    sasae_hs_event(&hs, SASAE_HS_EV_RELAY_ERROR, 1, T0 + S);
    cr_assert_eq(hs.state, SASAE_HS_RESUMING); /* lost while sharing: resume is tried */
    reach(&hs, P_ASKING);
    sasae_hs_event(&hs, SASAE_HS_EV_RELAY_ERROR, 1, T0 + S);
    cr_assert_eq(hs.end_reason, SASAE_HS_END_RELAY);
}

/* Relay loss while sharing (docs/security.md "Relay loss and re-consent"): nothing is shared
 * or injected while the relay is away; the session resumes without a prompt only when a new
 * handshake finds the same operator certificate within 60 s of the loss; a different
 * certificate, or the same one too late, is asked again; past 60 s without a pairing, or
 * with resuming off, it ends as before. */
static void lose_relay(struct sasae_hs *hs, uint64_t at)
{
    reach(hs, P_SH_GRANTED);
    struct sasae_hs_out o = sasae_hs_event(hs, E(RELAY_ERROR), 0, at);
    cr_assert_eq(hs->state, SASAE_HS_RESUMING);
    cr_assert_eq(o.actions, RESUME_ACTS);
    cr_assert_eq(o.actions & (A(SEND_END) | A(SEND_CONSENT) | A(AUDIT)), 0u);
    cr_assert(!sasae_hs_may_send(hs, 0x10 /* VIDEO */) && !sasae_hs_may_send_frame(hs));
    cr_assert(!sasae_hs_accepts(hs, 0x50 /* MOUSE */) && !sasae_hs_input_allowed(hs));
    cr_assert_eq(hs->control, SASAE_HS_CONTROL_NONE);
}

Test(host_hs, relay_loss_while_sharing_resumes_same_operator_within_60s)
{
    struct sasae_hs hs;
    lose_relay(&hs, T0);
    cr_assert_eq(sasae_hs_renew_delay_ns(&hs), 1 * S);
    /* the relay is still down: backoff 1, 2, 4, 8, 16 s */
    sasae_hs_event(&hs, E(RELAY_ERROR), 0, T0 + 1 * S);
    cr_assert_eq(sasae_hs_renew_delay_ns(&hs), 2 * S);
    sasae_hs_event(&hs, E(RELAY_ERROR), 0, T0 + 3 * S);
    cr_assert_eq(sasae_hs_renew_delay_ns(&hs), 4 * S);
    cr_assert(sasae_hs_event(&hs, E(TICK), 0, T0 + 59 * S).ignored);
    sasae_hs_event(&hs, E(PEER_JOINED), 0, T0 + 20 * S);
    cr_assert_eq(hs.state, SASAE_HS_HANDSHAKE);
    cr_assert(hs.resuming);
    cr_assert(!sasae_hs_may_send(&hs, 0x10));
    struct sasae_hs_out o = sasae_hs_event(&hs, E(HANDSHAKE_OK), 1, T0 + 21 * S);
    cr_assert_eq(hs.state, SASAE_HS_SHARING);
    cr_assert_eq(hs.resumes, 1);
    cr_assert(o.actions & A(START_CAPTURE) && o.actions & A(SEND_CONSENT));
    cr_assert_eq(o.actions & (A(SHOW_PROMPT) | A(INPUT_ON)), 0u, "no prompt; control not back");
    cr_assert_eq(o.consent, C(ALLOWED));
    cr_assert(strstr(o.audit, "resumed"));
    cr_assert_eq(hs.control, SASAE_HS_CONTROL_NONE);
    cr_assert(sasae_hs_may_send_frame(&hs));
    /* alive again: the viewer's silence counts from the resume */
    cr_assert(sasae_hs_event(&hs, E(TICK), 0, T0 + 40 * S).ignored);
}

Test(host_hs, relay_loss_different_operator_or_late_is_asked_again)
{
    struct sasae_hs hs;
    lose_relay(&hs, T0);
    sasae_hs_event(&hs, E(PEER_JOINED), 0, T0 + 5 * S);
    struct sasae_hs_out o = sasae_hs_event(&hs, E(HANDSHAKE_OK), 0, T0 + 6 * S);
    cr_assert_eq(hs.state, SASAE_HS_ASKING, "another operator certificate: asked again");
    cr_assert(o.actions & A(SHOW_PROMPT));
    cr_assert_eq(o.actions & A(START_CAPTURE), 0u);
    cr_assert(!sasae_hs_may_send(&hs, 0x10));

    lose_relay(&hs, T0);
    sasae_hs_event(&hs, E(PEER_JOINED), 0, T0 + 59 * S);
    o = sasae_hs_event(&hs, E(HANDSHAKE_OK), 1, T0 + 60 * S);
    cr_assert_eq(hs.state, SASAE_HS_ASKING, "the same operator after 60 s: asked again");
    cr_assert(o.actions & A(SHOW_PROMPT));

    /* lost again during the resume handshake, within the window: back to resuming */
    lose_relay(&hs, T0);
    sasae_hs_event(&hs, E(PEER_JOINED), 0, T0 + 5 * S);
    sasae_hs_event(&hs, E(RELAY_ERROR), 0, T0 + 6 * S);
    cr_assert_eq(hs.state, SASAE_HS_RESUMING);
}

Test(host_hs, relay_loss_ends_after_60s_or_without_resume)
{
    struct sasae_hs hs;
    lose_relay(&hs, T0);
    cr_assert(sasae_hs_event(&hs, E(TICK), 0, T0 + 60 * S - 1).ignored);
    struct sasae_hs_out o = sasae_hs_event(&hs, E(TICK), 0, T0 + 60 * S);
    cr_assert_eq(hs.state, SASAE_HS_ENDED);
    cr_assert_eq(hs.end_reason, R(RELAY));
    cr_assert_eq(o.actions & (A(SEND_END) | A(AUDIT)), 0u);
    cr_assert(o.actions & A(SHOW_ENDED));

    lose_relay(&hs, T0);
    sasae_hs_event(&hs, E(RELAY_ERROR), 0, T0 + 60 * S); /* the last retry fails too late */
    cr_assert_eq(hs.state, SASAE_HS_ENDED);
    cr_assert_eq(hs.end_reason, R(RELAY));

    /* resuming off (resume_window_ns 0): the strict side, a loss after a join ends */
    reach(&hs, P_SH_GRANTED);
    hs.resume_window_ns = 0;
    o = sasae_hs_event(&hs, E(RELAY_ERROR), 0, T0);
    cr_assert_eq(hs.state, SASAE_HS_ENDED);
    cr_assert(o.actions & A(INPUT_OFF) && o.actions & A(STOP_CAPTURE));
    /* a short window (tests) ends sooner */
    reach(&hs, P_SH_NONE);
    hs.resume_window_ns = 3 * S;
    sasae_hs_event(&hs, E(RELAY_ERROR), 0, T0);
    sasae_hs_event(&hs, E(TICK), 0, T0 + 3 * S);
    cr_assert_eq(hs.state, SASAE_HS_ENDED);
    cr_assert_str_eq(sasae_hs_state_str(SASAE_HS_RESUMING), "resuming");
}

/* Stopping capture and input must be ordered before any network action: the driver runs
 * actions in bit order, so the bits must be lower. */
Test(host_hs, local_stop_comes_before_network)
{
    cr_assert_lt(A(STOP_CAPTURE), A(SEND_END));
    cr_assert_lt(A(INPUT_OFF), A(SEND_END));
    cr_assert_lt(A(SEND_END), A(CLOSE));
    cr_assert_lt(A(CLOSE), A(WIPE_KEYS));
}

Test(host_hs, consent_timeout_is_deny_after_60s)
{
    struct sasae_hs hs;
    reach(&hs, P_ASKING);
    cr_assert_eq(sasae_hs_prompt_seconds_left(&hs, T0), 60);
    cr_assert_eq(sasae_hs_prompt_seconds_left(&hs, T0 + 59 * S + 1), 1);
    struct sasae_hs_out o = sasae_hs_event(&hs, E(TICK), 0, T0 + 60 * S - 1);
    cr_assert(o.ignored);
    cr_assert_eq(hs.state, SASAE_HS_ASKING);
    o = sasae_hs_event(&hs, E(TICK), 0, T0 + 60 * S);
    cr_assert_eq(hs.state, SASAE_HS_ENDED);
    cr_assert_eq(hs.end_reason, R(CONSENT_TIMEOUT));
    cr_assert(o.actions & A(SEND_END));
    cr_assert(o.actions & A(SEND_CONSENT));
    cr_assert_eq(o.consent, C(TIMEOUT));
    cr_assert_eq(sasae_hs_end_wire_reason(hs.end_reason), 4 /* TIMEOUT */);
    cr_assert_eq(o.audit_kind, SASAE_HS_AUDIT_CONSENT_TIMEOUT);
    cr_assert_eq(sasae_hs_prompt_seconds_left(&hs, T0), -1);
}

Test(host_hs, viewer_messages_do_not_extend_consent_prompt)
{
    struct sasae_hs hs;
    reach(&hs, P_ASKING);
    sasae_hs_event(&hs, E(PEER_ACTIVITY), 0, T0 + 50 * S);
    sasae_hs_event(&hs, E(TICK), 0, T0 + 60 * S);
    cr_assert_eq(hs.state, SASAE_HS_ENDED);
}

Test(host_hs, handshake_timeout)
{
    struct sasae_hs hs;
    reach(&hs, P_HANDSHAKE);
    cr_assert(sasae_hs_event(&hs, E(TICK), 0, T0 + 29 * S).ignored);
    struct sasae_hs_out o = sasae_hs_event(&hs, E(TICK), 0, T0 + 30 * S);
    cr_assert_eq(hs.state, SASAE_HS_ENDED);
    cr_assert_eq(hs.end_reason, R(PEER_TIMEOUT));
    cr_assert_eq(o.actions & A(SEND_END), 0u, "no channel to carry END");
}

Test(host_hs, control_prompt_timeout_is_deny_and_session_continues)
{
    struct sasae_hs hs;
    reach(&hs, P_SH_NONE);
    sasae_hs_event(&hs, E(CONTROL_REQUEST), 0, T0 + 5 * S);
    /* keep the viewer alive meanwhile */
    for (uint64_t t = 10; t <= 60; t += 10)
        sasae_hs_event(&hs, E(PEER_ACTIVITY), 0, T0 + t * S);
    cr_assert(sasae_hs_event(&hs, E(TICK), 0, T0 + 64 * S).ignored);
    struct sasae_hs_out o = sasae_hs_event(&hs, E(TICK), 0, T0 + 65 * S);
    cr_assert_eq(hs.state, SASAE_HS_SHARING);
    cr_assert_eq(hs.control, SASAE_HS_CONTROL_NONE);
    cr_assert(o.actions & A(HIDE_CONTROL_PROMPT));
    cr_assert(o.actions & A(SEND_CONTROL));
    cr_assert_eq(o.control_state, C(TIMEOUT));
    cr_assert(!sasae_hs_input_allowed(&hs));
}

/* The periodic re-consent: after reconsent_ns of sharing the host asks "Continue sharing?"
 * (the picture keeps flowing, the operator's input waits); Continue starts the period again;
 * no answer in 60 s ends the session with END(timeout); a control request meanwhile is
 * refused (one question at a time). */
Test(host_hs, periodic_reconsent)
{
    struct sasae_hs hs;
    reach(&hs, P_SH_ASKED);
    sasae_hs_event(&hs, E(CONTROL_ALLOW), 0, T0);
    hs.reconsent_ns = 600 * S; /* every 10 minutes (default 30) */
    for (uint64_t t = 10; t <= 600; t += 10)
        sasae_hs_event(&hs, E(PEER_ACTIVITY), 0, T0 + t * S);
    cr_assert(sasae_hs_event(&hs, E(TICK), 0, T0 + 599 * S).ignored);
    cr_assert(sasae_hs_input_allowed(&hs));
    struct sasae_hs_out o = sasae_hs_event(&hs, E(TICK), 0, T0 + 600 * S);
    cr_assert(o.actions & A(SHOW_CONTINUE));
    cr_assert_eq(hs.state, SASAE_HS_SHARING);
    cr_assert(sasae_hs_may_send_frame(&hs), "the picture keeps flowing");
    cr_assert(!sasae_hs_input_allowed(&hs), "no input while the question shows");
    cr_assert_eq(sasae_hs_prompt_seconds_left(&hs, T0 + 610 * S), 50);
    o = sasae_hs_event(&hs, E(CONTINUE), 0, T0 + 620 * S);
    cr_assert(o.actions & A(HIDE_CONTINUE));
    cr_assert(o.actions & A(AUDIT));
    cr_assert(sasae_hs_input_allowed(&hs), "input back after Continue");
    cr_assert(sasae_hs_event(&hs, E(CONTINUE), 0, T0 + 621 * S).ignored);
    /* the next period runs from the answer: asked at 1220 s, unanswered, ended at 1280 s */
    for (uint64_t t = 630; t <= 1300; t += 10)
        sasae_hs_event(&hs, E(PEER_ACTIVITY), 0, T0 + t * S - S / 2);
    cr_assert(sasae_hs_event(&hs, E(TICK), 0, T0 + 1219 * S).ignored);
    o = sasae_hs_event(&hs, E(TICK), 0, T0 + 1220 * S);
    cr_assert(o.actions & A(SHOW_CONTINUE));
    reach(&hs, P_SH_NONE);
    hs.reconsent_ns = 600 * S;
    for (uint64_t t = 10; t <= 600; t += 10)
        sasae_hs_event(&hs, E(PEER_ACTIVITY), 0, T0 + t * S);
    sasae_hs_event(&hs, E(TICK), 0, T0 + 600 * S);
    o = sasae_hs_event(&hs, E(CONTROL_REQUEST), 0, T0 + 605 * S);
    cr_assert(o.actions & A(SEND_CONTROL));
    cr_assert_eq(o.control_state, C(DENIED), "control asked during the question: refused");
    cr_assert_eq(hs.control, SASAE_HS_CONTROL_NONE);
    sasae_hs_event(&hs, E(PEER_ACTIVITY), 0, T0 + 655 * S);
    cr_assert(sasae_hs_event(&hs, E(TICK), 0, T0 + 659 * S).ignored);
    o = sasae_hs_event(&hs, E(TICK), 0, T0 + 660 * S);
    cr_assert_eq(hs.state, SASAE_HS_ENDED);
    cr_assert_eq(hs.end_reason, R(RECONSENT_TIMEOUT));
    cr_assert(o.actions & A(SEND_END));
    cr_assert(o.actions & A(STOP_CAPTURE));
    cr_assert_eq(sasae_hs_end_wire_reason(hs.end_reason), 4, "END(timeout) on the wire");
}

Test(host_hs, silent_viewer_ends_session)
{
    struct sasae_hs hs;
    reach(&hs, P_SH_NONE);
    sasae_hs_event(&hs, E(PEER_ACTIVITY), 0, T0 + 10 * S);
    cr_assert(sasae_hs_event(&hs, E(TICK), 0, T0 + 29 * S).ignored);
    struct sasae_hs_out o = sasae_hs_event(&hs, E(TICK), 0, T0 + 30 * S);
    cr_assert_eq(hs.state, SASAE_HS_ENDED);
    cr_assert_eq(hs.end_reason, R(PEER_TIMEOUT));
    cr_assert(o.actions & A(STOP_CAPTURE));
    cr_assert(o.actions & A(SEND_END));
}

/* What may leave the host in each state: nothing of the screen before Allow, only one END
 * after the end. */
Test(host_hs, send_gate)
{
    const int screen[] = {0x10 /*VIDEO*/, 0x20 /*CURSOR_SHAPE*/, 0x21 /*CURSOR_POS*/,
                          0x60 /*SYSINFO*/};
    for (int p = 0; p < P_N; p++) {
        struct sasae_hs hs;
        reach(&hs, (enum ps)p);
        bool sharing = p >= P_SH_NONE && p <= P_SH_GRANTED;
        for (size_t i = 0; i < sizeof screen / sizeof screen[0]; i++)
            cr_assert_eq(sasae_hs_may_send(&hs, screen[i]), sharing, "type %#x in %s", screen[i],
                         ps_name[p]);
        cr_assert_eq(sasae_hs_may_send_frame(&hs), sharing);
        bool live = p == P_ASKING || sharing;
        cr_assert_eq(sasae_hs_may_send(&hs, 0x42 /*CONSENT*/), live, "consent in %s", ps_name[p]);
        for (int t = 0; t < 256; t++)
            if (p < P_ASKING)
                cr_assert(!sasae_hs_may_send(&hs, t), "type %#x before the channel", t);
    }
    struct sasae_hs hs;
    reach(&hs, P_SH_GRANTED);
    sasae_hs_event(&hs, E(END_BUTTON), 0, T0);
    for (int t = 0; t < 256; t++)
        cr_assert_eq(sasae_hs_may_send(&hs, t), t == 0x02 || t == 0x42, "type %#x after End", t);
    sasae_hs_mark_end_sent(&hs);
    for (int t = 0; t < 256; t++)
        cr_assert(!sasae_hs_may_send(&hs, t), "type %#x after END was sent", t);
    /* ended by the viewer: we never send END back */
    reach(&hs, P_SH_NONE);
    sasae_hs_event(&hs, E(VIEWER_END), 0, T0);
    cr_assert(!sasae_hs_may_send(&hs, 0x02));
}

/* Which viewer messages are accepted: input only with control granted and no prompt. */
Test(host_hs, input_gate)
{
    for (int p = 0; p < P_N; p++) {
        struct sasae_hs hs;
        reach(&hs, (enum ps)p);
        bool granted = p == P_SH_GRANTED;
        cr_assert_eq(sasae_hs_accepts(&hs, 0x50 /*MOUSE*/), granted, "mouse in %s", ps_name[p]);
        cr_assert_eq(sasae_hs_accepts(&hs, 0x51 /*KEY*/), granted, "key in %s", ps_name[p]);
        cr_assert_eq(sasae_hs_input_allowed(&hs), granted);
        bool sharing = p >= P_SH_NONE && p <= P_SH_GRANTED;
        cr_assert_eq(sasae_hs_accepts(&hs, 0x31 /*PEN*/), sharing, "pen in %s", ps_name[p]);
        cr_assert_eq(sasae_hs_accepts(&hs, 0x30 /*POINTER*/), sharing);
        cr_assert_eq(sasae_hs_accepts(&hs, 0x11 /*ACK*/), sharing);
        cr_assert_eq(sasae_hs_accepts(&hs, 0x02 /*END*/), p == P_ASKING || sharing);
        cr_assert_eq(sasae_hs_accepts(&hs, 0x12 /*KEYFRAME_REQ*/), p == P_ASKING || sharing);
        cr_assert_eq(sasae_hs_accepts(&hs, 0x13 /*STATS*/), sharing);
        cr_assert(!sasae_hs_accepts(&hs, 0x10 /*VIDEO: host->viewer only*/));
        cr_assert(!sasae_hs_accepts(&hs, 0x99));
        /* the clipboard only under control, both ways; chat once the customer allowed */
        cr_assert_eq(sasae_hs_accepts(&hs, 0x71 /*CLIPBOARD*/), granted, "clip in %s", ps_name[p]);
        cr_assert_eq(sasae_hs_accepts(&hs, 0x72 /*CLIPBOARD_REQUEST*/), granted);
        cr_assert_eq(sasae_hs_may_send(&hs, 0x71 /*CLIPBOARD*/), granted, "clip out in %s",
                     ps_name[p]);
        cr_assert_eq(sasae_hs_accepts(&hs, 0x70 /*CHAT*/), sharing, "chat in %s", ps_name[p]);
        cr_assert_eq(sasae_hs_may_send(&hs, 0x70 /*CHAT*/), sharing, "chat out in %s", ps_name[p]);
    }
}

Test(host_hs, at_most_two_frames_unacknowledged)
{
    struct sasae_hs hs;
    reach(&hs, P_SH_NONE);
    cr_assert(sasae_hs_may_send_frame(&hs));
    sasae_hs_event(&hs, E(FRAME_SENT), 1, T0);
    cr_assert(sasae_hs_may_send_frame(&hs));
    sasae_hs_event(&hs, E(FRAME_SENT), 2, T0);
    cr_assert(!sasae_hs_may_send_frame(&hs));
    cr_assert(sasae_hs_event(&hs, E(FRAME_ACKED), 3, T0).ignored, "ack of an unsent frame");
    cr_assert(!sasae_hs_may_send_frame(&hs));
    cr_assert(!sasae_hs_event(&hs, E(FRAME_ACKED), 1, T0).ignored);
    cr_assert_eq(hs.inflight, 1u);
    cr_assert(sasae_hs_event(&hs, E(FRAME_ACKED), 1, T0).ignored, "duplicate ack");
    cr_assert_eq(hs.inflight, 1u);
    sasae_hs_event(&hs, E(FRAME_SENT), 3, T0);
    cr_assert(!sasae_hs_may_send_frame(&hs));
    sasae_hs_event(&hs, E(FRAME_ACKED), 3, T0); /* cumulative */
    cr_assert_eq(hs.inflight, 0u);
    /* frame ids wrap around */
    hs.last_sent_id = hs.last_acked_id = 0xffffffffu;
    sasae_hs_event(&hs, E(FRAME_SENT), 0, T0);
    sasae_hs_event(&hs, E(FRAME_SENT), 1, T0);
    cr_assert(!sasae_hs_may_send_frame(&hs));
    sasae_hs_event(&hs, E(FRAME_ACKED), 0, T0);
    cr_assert_eq(hs.inflight, 1u);
}

/* Session start on a slow link: a 70 kB keyframe and a 61 kB frame must not go back to
 * back; small frames still go two at a time. */
Test(host_hs, big_frame_holds_the_next_until_acked)
{
    struct sasae_hs hs;
    reach(&hs, P_SH_NONE);
    sasae_hs_set_byte_window(&hs, 1000 * 1000 / 8 / 4); /* 1000 kbit/s x 250 ms */
    cr_assert(sasae_hs_may_send_frame(&hs), "one frame always goes");
    cr_assert(!sasae_hs_keyframe_unacked(&hs));
    sasae_hs_frame_meta(&hs, 70500, true);
    sasae_hs_event(&hs, E(FRAME_SENT), 1, T0);
    cr_assert_eq(hs.inflight_bytes, 70500u);
    cr_assert(!sasae_hs_may_send_frame(&hs), "second frame held behind 70 kB unacked");
    cr_assert(sasae_hs_keyframe_unacked(&hs), "no top-off while the keyframe is in flight");
    sasae_hs_event(&hs, E(FRAME_ACKED), 1, T0);
    cr_assert_eq(hs.inflight_bytes, 0u);
    cr_assert(!sasae_hs_keyframe_unacked(&hs));
    cr_assert(sasae_hs_may_send_frame(&hs));
    /* a big frame, then small ones: the window counts bytes of what is still unacked */
    sasae_hs_frame_meta(&hs, 61000, false);
    sasae_hs_event(&hs, E(FRAME_SENT), 2, T0);
    cr_assert(!sasae_hs_may_send_frame(&hs));
    cr_assert(!sasae_hs_keyframe_unacked(&hs), "not a keyframe");
    sasae_hs_event(&hs, E(FRAME_ACKED), 2, T0);
    sasae_hs_frame_meta(&hs, 1600, false);
    sasae_hs_event(&hs, E(FRAME_SENT), 3, T0);
    cr_assert(sasae_hs_may_send_frame(&hs), "1.6 kB in flight: the second frame may go");
    sasae_hs_frame_meta(&hs, 20000, false);
    sasae_hs_event(&hs, E(FRAME_SENT), 4, T0);
    cr_assert_eq(hs.inflight_bytes, 21600u);
    cr_assert(!sasae_hs_may_send_frame(&hs), "two frames: the frame limit still holds");
    sasae_hs_event(&hs, E(FRAME_ACKED), 3, T0);
    cr_assert_eq(hs.inflight_bytes, 20000u, "only frame 4's bytes remain");
    cr_assert(sasae_hs_may_send_frame(&hs), "20 kB < 31 kB window");
    /* without a byte window (0) only frames count */
    sasae_hs_set_byte_window(&hs, 0);
    sasae_hs_frame_meta(&hs, 70500, true);
    sasae_hs_event(&hs, E(FRAME_SENT), 5, T0);
    sasae_hs_event(&hs, E(FRAME_ACKED), 4, T0);
    cr_assert(sasae_hs_may_send_frame(&hs));
    cr_assert(sasae_hs_keyframe_unacked(&hs));
    /* the end of the session forgets everything in flight */
    sasae_hs_event(&hs, E(END_BUTTON), 0, T0);
    cr_assert_eq(hs.inflight_bytes, 0u);
    cr_assert(!sasae_hs_keyframe_unacked(&hs));
}

Test(host_hs, names)
{
    for (int s = 0; s < SASAE_HS_NSTATES; s++)
        cr_assert_str_neq(sasae_hs_state_str((enum sasae_hs_state)s), "?");
    for (int e = 0; e < SASAE_HS_NEVENTS; e++)
        cr_assert_str_neq(sasae_hs_event_str((enum sasae_hs_event)e), "?");
    for (int r = 0; r <= SASAE_HS_END_NO_CRL; r++)
        cr_assert_str_neq(sasae_hs_end_str((enum sasae_hs_end)r), "?");
    cr_assert_str_eq(sasae_hs_state_str(SASAE_HS_NSTATES), "?");
}
