/* Unit tests for the viewer session state machine: a table of (events from a start state)
 * -> (state, control, end reason, actions of the last event). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <string.h>

#include "sasae/viewer.h"

#define EV(e, a)                                                                                   \
    {                                                                                              \
        SASAE_VSM_EV_##e, a                                                                        \
    }
#define MAXEV 16

struct ev {
    enum sasae_vsm_event ev;
    int arg;
};

struct row {
    const char *name;
    struct ev evs[MAXEV]; /* terminated by ev == 0 */
    enum sasae_vsm_state state;
    enum sasae_vsm_control control;
    enum sasae_vsm_end end;
    unsigned last_act;
};

/* Event prefixes reaching each state. */
#define TO_WAITING_PEER EV(CONNECTED, 0)
#define TO_HANDSHAKE TO_WAITING_PEER, EV(PAIRED, 0)
#define TO_CONSENT TO_HANDSHAKE, EV(ESTABLISHED, 0)
#define TO_VIEWING TO_CONSENT, EV(CONSENT, SASAE_VSM_CONSENT_ALLOWED)

#define S(x) SASAE_VSM_##x
#define C(x) SASAE_VSM_CONTROL_##x
#define E(x) SASAE_VSM_END_##x
#define A(x) SASAE_VSM_ACT_##x
#define CS(x) EV(CONTROL, SASAE_VSM_CONSENT_##x)
#define UNASKED SASAE_VSM_FAULT_UNREQUESTED_CONTROL
#define FAULT_END S(ENDED), C(NONE), E(ERROR), A(CLOSE) | A(SEND_END)

static const struct row rows[] = {
    {"connect", {TO_WAITING_PEER}, S(WAITING_PEER), C(NONE), E(NONE), 0},
    {"paired starts handshake", {TO_HANDSHAKE}, S(HANDSHAKE), C(NONE), E(NONE), A(START_HANDSHAKE)},
    {"established waits for consent", {TO_CONSENT}, S(WAITING_CONSENT), C(NONE), E(NONE), 0},
    {"consent waiting stays",
     {TO_CONSENT, EV(CONSENT, SASAE_VSM_CONSENT_WAITING)},
     S(WAITING_CONSENT),
     C(NONE),
     E(NONE),
     0},
    {"allow -> viewing", {TO_VIEWING}, S(VIEWING), C(NONE), E(NONE), 0},
    {"frame while viewing is shown",
     {TO_VIEWING, EV(VIDEO, 0)},
     S(VIEWING),
     C(NONE),
     E(NONE),
     A(SHOW_VIDEO)},
    {"denied",
     {TO_CONSENT, EV(CONSENT, SASAE_VSM_CONSENT_DENIED)},
     S(ENDED),
     C(NONE),
     E(DENIED),
     A(CLOSE)},
    {"prompt timeout",
     {TO_CONSENT, EV(CONSENT, SASAE_VSM_CONSENT_TIMEOUT)},
     S(ENDED),
     C(NONE),
     E(CONSENT_TIMEOUT),
     A(CLOSE)},
    {"host END denied",
     {TO_CONSENT, EV(PEER_END, SASAE_VSM_PEER_DENIED)},
     S(ENDED),
     C(NONE),
     E(DENIED),
     A(CLOSE)},
    {"host END timeout before consent",
     {TO_CONSENT, EV(PEER_END, SASAE_VSM_PEER_TIMEOUT)},
     S(ENDED),
     C(NONE),
     E(CONSENT_TIMEOUT),
     A(CLOSE)},
    {"host END timeout while viewing = lost",
     {TO_VIEWING, EV(PEER_END, SASAE_VSM_PEER_TIMEOUT)},
     S(ENDED),
     C(NONE),
     E(CONNECTION_LOST),
     A(CLOSE)},
    {"viewer failsafe consent timeout",
     {TO_CONSENT, EV(CONSENT_TIMEOUT, 0)},
     S(ENDED),
     C(NONE),
     E(CONSENT_TIMEOUT),
     A(CLOSE) | A(SEND_END)},
    {"failsafe ignored while viewing",
     {TO_VIEWING, EV(CONSENT_TIMEOUT, 0)},
     S(VIEWING),
     C(NONE),
     E(NONE),
     A(INVALID)},
    {"customer ends",
     {TO_VIEWING, EV(PEER_END, SASAE_VSM_PEER_CUSTOMER)},
     S(ENDED),
     C(NONE),
     E(CUSTOMER),
     A(CLOSE)},
    {"host program shut down",
     {TO_VIEWING, EV(PEER_END, SASAE_VSM_PEER_SHUTDOWN)},
     S(ENDED),
     C(NONE),
     E(CUSTOMER),
     A(CLOSE)},
    {"host reports error",
     {TO_VIEWING, EV(PEER_END, SASAE_VSM_PEER_ERROR)},
     S(ENDED),
     C(NONE),
     E(ERROR),
     A(CLOSE)},
    {"unknown END reason is an error",
     {TO_VIEWING, EV(PEER_END, 99)},
     S(ENDED),
     C(NONE),
     E(ERROR),
     A(CLOSE)},
    {"consent revoked while viewing",
     {TO_VIEWING, EV(CONSENT, SASAE_VSM_CONSENT_REVOKED)},
     S(ENDED),
     C(NONE),
     E(CUSTOMER),
     A(CLOSE)},
    {"consent value out of range",
     {TO_VIEWING, EV(CONSENT, 42)},
     S(ENDED),
     C(NONE),
     E(ERROR),
     A(CLOSE) | A(SEND_END)},
    {"peer left", {TO_VIEWING, EV(PEER_LEFT, 0)}, S(ENDED), C(NONE), E(HOST_LEFT), A(CLOSE)},
    {"relay closed", {TO_VIEWING, EV(CLOSED, 0)}, S(ENDED), C(NONE), E(CONNECTION_LOST), A(CLOSE)},
    {"cannot connect", {EV(CLOSED, 0)}, S(ENDED), C(NONE), E(CONNECTION_LOST), A(CLOSE)},
    {"host silent while viewing",
     {TO_VIEWING, EV(PEER_SILENT, 0)},
     S(ENDED),
     C(NONE),
     E(HOST_SILENT),
     A(CLOSE) | A(SEND_END)},
    {"host silent before viewing: not ours to judge",
     {TO_CONSENT, EV(PEER_SILENT, 0)},
     S(WAITING_CONSENT),
     C(NONE),
     E(NONE),
     A(INVALID)},
    {"relay refuses",
     {EV(CONNECTED, 0), EV(CLOSED, 1)},
     S(ENDED),
     C(NONE),
     E(RELAY_REFUSED),
     A(CLOSE)},
    {"refusal after pairing is a loss",
     {TO_VIEWING, EV(CLOSED, 1)},
     S(ENDED),
     C(NONE),
     E(CONNECTION_LOST),
     A(CLOSE)},
    {"code rejected",
     {TO_WAITING_PEER, EV(CODE_REJECTED, 0)},
     S(ENDED),
     C(NONE),
     E(CODE_REJECTED),
     A(CLOSE)},
    {"code rejected late is invalid",
     {TO_VIEWING, EV(CODE_REJECTED, 0)},
     S(VIEWING),
     C(NONE),
     E(NONE),
     A(INVALID)},
    {"security failure in handshake",
     {TO_HANDSHAKE, EV(SECURITY_ERROR, 0)},
     S(ENDED),
     C(NONE),
     E(SECURITY),
     A(CLOSE)},
    {"security failure never sends END",
     {TO_VIEWING, EV(SECURITY_ERROR, 0)},
     S(ENDED),
     C(NONE),
     E(SECURITY),
     A(CLOSE)},
    {"protocol error sends END",
     {TO_VIEWING, EV(PROTOCOL_ERROR, 0)},
     S(ENDED),
     C(NONE),
     E(ERROR),
     A(CLOSE) | A(SEND_END)},
    {"protocol error before channel: no END",
     {TO_HANDSHAKE, EV(PROTOCOL_ERROR, 0)},
     S(ENDED),
     C(NONE),
     E(ERROR),
     A(CLOSE)},
    {"video before consent is a violation",
     {TO_CONSENT, EV(VIDEO, 0)},
     S(ENDED),
     C(NONE),
     E(ERROR),
     A(CLOSE) | A(SEND_END)},
    {"operator ends while viewing",
     {TO_VIEWING, EV(OP_END, 0)},
     S(ENDED),
     C(NONE),
     E(OPERATOR),
     A(CLOSE) | A(SEND_END)},
    {"operator ends before pairing",
     {TO_WAITING_PEER, EV(OP_END, 0)},
     S(ENDED),
     C(NONE),
     E(OPERATOR),
     A(CLOSE)},
    {"operator ends during consent",
     {TO_CONSENT, EV(OP_END, 0)},
     S(ENDED),
     C(NONE),
     E(OPERATOR),
     A(CLOSE) | A(SEND_END)},
    {"request control",
     {TO_VIEWING, EV(OP_CONTROL, 1)},
     S(VIEWING),
     C(REQUESTED),
     E(NONE),
     A(SEND_CONTROL)},
    {"request control twice is invalid",
     {TO_VIEWING, EV(OP_CONTROL, 1), EV(OP_CONTROL, 1)},
     S(VIEWING),
     C(REQUESTED),
     E(NONE),
     A(INVALID)},
    {"control granted",
     {TO_VIEWING, EV(OP_CONTROL, 1), EV(CONTROL, SASAE_VSM_CONSENT_ALLOWED)},
     S(VIEWING),
     C(GRANTED),
     E(NONE),
     0},
    {"control denied",
     {TO_VIEWING, EV(OP_CONTROL, 1), EV(CONTROL, SASAE_VSM_CONSENT_DENIED)},
     S(VIEWING),
     C(NONE),
     E(NONE),
     0},
    {"control revoked by customer",
     {TO_VIEWING, EV(OP_CONTROL, 1), EV(CONTROL, SASAE_VSM_CONSENT_ALLOWED),
      EV(CONTROL, SASAE_VSM_CONSENT_REVOKED)},
     S(VIEWING),
     C(NONE),
     E(NONE),
     0},
    {"operator gives control back",
     {TO_VIEWING, EV(OP_CONTROL, 1), EV(CONTROL, SASAE_VSM_CONSENT_ALLOWED), EV(OP_CONTROL, 0)},
     S(VIEWING),
     C(NONE),
     E(NONE),
     A(SEND_CONTROL)},
    {"control before viewing is invalid",
     {TO_CONSENT, EV(OP_CONTROL, 1)},
     S(WAITING_CONSENT),
     C(NONE),
     E(NONE),
     A(INVALID)},
    {"control granted before viewing ends the session", {TO_CONSENT, CS(ALLOWED)}, FAULT_END},
    {"control taken away before viewing is ignored",
     {TO_CONSENT, CS(REVOKED)},
     S(WAITING_CONSENT),
     C(NONE),
     E(NONE),
     A(INVALID)},
    {"unrequested grant ends the session", {TO_VIEWING, CS(ALLOWED)}, FAULT_END},
    {"unrequested control prompt ends the session", {TO_VIEWING, CS(WAITING)}, FAULT_END},
    {"request, waiting, granted",
     {TO_VIEWING, EV(OP_CONTROL, 1), CS(WAITING), CS(ALLOWED)},
     S(VIEWING),
     C(GRANTED),
     E(NONE),
     0},
    {"one request, two grants",
     {TO_VIEWING, EV(OP_CONTROL, 1), CS(ALLOWED), CS(ALLOWED)},
     FAULT_END},
    {"grant after a denial", {TO_VIEWING, EV(OP_CONTROL, 1), CS(DENIED), CS(ALLOWED)}, FAULT_END},
    {"grant after a prompt timeout",
     {TO_VIEWING, EV(OP_CONTROL, 1), CS(WAITING), CS(TIMEOUT), CS(ALLOWED)},
     FAULT_END},
    {"grant after the customer revoked",
     {TO_VIEWING, EV(OP_CONTROL, 1), CS(ALLOWED), CS(REVOKED), CS(ALLOWED)},
     FAULT_END},
    {"grant after giving control back",
     {TO_VIEWING, EV(OP_CONTROL, 1), CS(ALLOWED), EV(OP_CONTROL, 0), CS(NONE), CS(ALLOWED)},
     FAULT_END},
    {"a grant crossing the operator's withdrawal gives no control",
     {TO_VIEWING, EV(OP_CONTROL, 1), EV(OP_CONTROL, 0), CS(WAITING), CS(ALLOWED)},
     S(VIEWING),
     C(NONE),
     E(NONE),
     0},
    {"... and the host's release after it is fine",
     {TO_VIEWING, EV(OP_CONTROL, 1), EV(OP_CONTROL, 0), CS(WAITING), CS(ALLOWED), CS(NONE)},
     S(VIEWING),
     C(NONE),
     E(NONE),
     0},
    {"withdrawn before the prompt: the host cancels, a later grant is a fault",
     {TO_VIEWING, EV(OP_CONTROL, 1), EV(OP_CONTROL, 0), CS(WAITING), CS(NONE), CS(ALLOWED)},
     FAULT_END},
    {"request, release, request: both answered in order",
     {TO_VIEWING, EV(OP_CONTROL, 1), EV(OP_CONTROL, 0), EV(OP_CONTROL, 1), CS(WAITING), CS(ALLOWED),
      CS(NONE), CS(WAITING), CS(ALLOWED)},
     S(VIEWING),
     C(GRANTED),
     E(NONE),
     0},
    {"request, release, request: the second answer pending shows requested",
     {TO_VIEWING, EV(OP_CONTROL, 1), EV(OP_CONTROL, 0), EV(OP_CONTROL, 1), CS(WAITING), CS(NONE)},
     S(VIEWING),
     C(REQUESTED),
     E(NONE),
     0},
    {"denied while the customer is asked to continue: ask again",
     {TO_VIEWING, EV(OP_CONTROL, 1), CS(DENIED), EV(OP_CONTROL, 1), CS(WAITING), CS(ALLOWED)},
     S(VIEWING),
     C(GRANTED),
     E(NONE),
     0},

    {"ended ignores events",
     {TO_VIEWING, EV(PEER_END, SASAE_VSM_PEER_CUSTOMER), EV(OP_END, 0)},
     S(ENDED),
     C(NONE),
     E(CUSTOMER),
     0},
    {"first reason wins",
     {TO_VIEWING, EV(OP_END, 0), EV(CLOSED, 0)},
     S(ENDED),
     C(NONE),
     E(OPERATOR),
     0},
    {"paired straight from connecting",
     {EV(PAIRED, 0)},
     S(HANDSHAKE),
     C(NONE),
     E(NONE),
     A(START_HANDSHAKE)},
    {"paired twice is invalid",
     {TO_HANDSHAKE, EV(PAIRED, 0)},
     S(HANDSHAKE),
     C(NONE),
     E(NONE),
     A(INVALID)},
    {"established twice is invalid",
     {TO_CONSENT, EV(ESTABLISHED, 0)},
     S(WAITING_CONSENT),
     C(NONE),
     E(NONE),
     A(INVALID)},
    {"video during handshake is invalid",
     {TO_HANDSHAKE, EV(VIDEO, 0)},
     S(HANDSHAKE),
     C(NONE),
     E(NONE),
     A(INVALID)},
    {"ended control resets",
     {TO_VIEWING, EV(OP_CONTROL, 1), EV(PEER_LEFT, 0)},
     S(ENDED),
     C(NONE),
     E(HOST_LEFT),
     A(CLOSE)},
};

Test(viewer_vsm, table)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *r = &rows[i];
        struct sasae_vsm sm;
        sasae_vsm_init(&sm);
        unsigned act = 0;
        for (int k = 0; k < MAXEV && r->evs[k].ev; k++)
            act = sasae_vsm_step(&sm, r->evs[k].ev, r->evs[k].arg);
        cr_expect_eq(sm.state, r->state, "%s: state %s, want %s", r->name,
                     sasae_vsm_state_name(sm.state), sasae_vsm_state_name(r->state));
        cr_expect_eq(sm.control, r->control, "%s: control %d, want %d", r->name, sm.control,
                     r->control);
        cr_expect_eq(sm.end, r->end, "%s: end %s, want %s", r->name, sasae_vsm_end_name(sm.end),
                     sasae_vsm_end_name(r->end));
        /* An error the host caused by a CONTROL_STATE or VIDEO is named; others are not. */
        enum sasae_vsm_event last = r->evs[0].ev;
        for (int k = 0; k < MAXEV && r->evs[k].ev; k++)
            last = r->evs[k].ev;
        enum sasae_vsm_fault want = SASAE_VSM_FAULT_NONE;
        if (sm.end == E(ERROR) && last == SASAE_VSM_EV_CONTROL)
            want = UNASKED;
        if (sm.end == E(ERROR) && last == SASAE_VSM_EV_VIDEO)
            want = SASAE_VSM_FAULT_EARLY_VIDEO;
        cr_expect_eq(sm.fault, want, "%s: fault %d, want %d", r->name, sm.fault, want);
        cr_expect_eq(act, r->last_act, "%s: actions 0x%x, want 0x%x", r->name, act, r->last_act);
    }
}

/* Relay lost while viewing: RECONNECTING without control or a channel (END cannot be sent),
 * back through PAIRED and a new handshake to whatever consent the host reports; CLOSED ends
 * it as connection-lost; only a viewing session (or a resume's handshake, arg 1) resumes. */
Test(viewer_vsm, relay_lost_resumes)
{
    struct sasae_vsm sm;
    sasae_vsm_init(&sm);
    sasae_vsm_step(&sm, SASAE_VSM_EV_CONNECTED, 0);
    sasae_vsm_step(&sm, SASAE_VSM_EV_PAIRED, 0);
    cr_assert_eq(sasae_vsm_step(&sm, SASAE_VSM_EV_RELAY_LOST, 0), SASAE_VSM_ACT_INVALID);
    sasae_vsm_step(&sm, SASAE_VSM_EV_ESTABLISHED, 0);
    cr_assert_eq(sasae_vsm_step(&sm, SASAE_VSM_EV_RELAY_LOST, 0), SASAE_VSM_ACT_INVALID);
    sasae_vsm_step(&sm, SASAE_VSM_EV_CONSENT, SASAE_VSM_CONSENT_ALLOWED);
    sasae_vsm_step(&sm, SASAE_VSM_EV_OP_CONTROL, 1);
    sasae_vsm_step(&sm, SASAE_VSM_EV_CONTROL, SASAE_VSM_CONSENT_ALLOWED);
    cr_assert_eq(sm.control, SASAE_VSM_CONTROL_GRANTED);
    cr_assert_eq(sasae_vsm_step(&sm, SASAE_VSM_EV_RELAY_LOST, 0), 0u);
    cr_assert_eq(sm.state, SASAE_VSM_RECONNECTING);
    cr_assert_eq(sm.control, SASAE_VSM_CONTROL_NONE, "control does not survive the loss");
    cr_assert(!sm.secure);
    cr_assert_str_eq(sasae_vsm_state_name(sm.state), "reconnecting");
    cr_assert_eq(sasae_vsm_step(&sm, SASAE_VSM_EV_VIDEO, 0), SASAE_VSM_ACT_INVALID);
    cr_assert_eq(sasae_vsm_step(&sm, SASAE_VSM_EV_OP_CONTROL, 1), SASAE_VSM_ACT_INVALID);
    cr_assert_eq(sasae_vsm_step(&sm, SASAE_VSM_EV_PAIRED, 0), SASAE_VSM_ACT_START_HANDSHAKE);
    /* lost again during the resume's handshake */
    cr_assert_eq(sasae_vsm_step(&sm, SASAE_VSM_EV_RELAY_LOST, 1), 0u);
    cr_assert_eq(sm.state, SASAE_VSM_RECONNECTING);
    sasae_vsm_step(&sm, SASAE_VSM_EV_PAIRED, 0);
    sasae_vsm_step(&sm, SASAE_VSM_EV_ESTABLISHED, 0);
    cr_assert_eq(sm.state, SASAE_VSM_WAITING_CONSENT);
    /* video before the host says allowed is still a violation */
    struct sasae_vsm early = sm;
    sasae_vsm_step(&early, SASAE_VSM_EV_VIDEO, 0);
    cr_assert_eq(early.fault, SASAE_VSM_FAULT_EARLY_VIDEO);
    sasae_vsm_step(&sm, SASAE_VSM_EV_CONSENT, SASAE_VSM_CONSENT_ALLOWED);
    cr_assert_eq(sm.state, SASAE_VSM_VIEWING);
    /* given up: connection lost, nothing to send */
    sasae_vsm_step(&sm, SASAE_VSM_EV_RELAY_LOST, 0);
    unsigned act = sasae_vsm_step(&sm, SASAE_VSM_EV_CLOSED, 0);
    cr_assert_eq(sm.end, SASAE_VSM_END_CONNECTION_LOST);
    cr_assert_eq(act, SASAE_VSM_ACT_CLOSE);
}

Test(viewer_vsm, control_want_follows_request)
{
    struct sasae_vsm sm;
    sasae_vsm_init(&sm);
    sasae_vsm_step(&sm, SASAE_VSM_EV_CONNECTED, 0);
    sasae_vsm_step(&sm, SASAE_VSM_EV_PAIRED, 0);
    sasae_vsm_step(&sm, SASAE_VSM_EV_ESTABLISHED, 0);
    sasae_vsm_step(&sm, SASAE_VSM_EV_CONSENT, SASAE_VSM_CONSENT_ALLOWED);
    sasae_vsm_step(&sm, SASAE_VSM_EV_OP_CONTROL, 1);
    cr_assert_eq(sm.control_want, 1);
    sasae_vsm_step(&sm, SASAE_VSM_EV_OP_CONTROL, 0);
    cr_assert_eq(sm.control_want, 0);
}

Test(viewer_vsm, fault_texts)
{
    cr_assert_str_empty(sasae_vsm_fault_text(SASAE_VSM_FAULT_NONE));
    cr_assert(strstr(sasae_vsm_fault_text(UNASKED), "never requested"));
    cr_assert(strstr(sasae_vsm_fault_text(SASAE_VSM_FAULT_EARLY_VIDEO), "before"));
}

Test(viewer_vsm, exit_codes_distinct)
{
    enum sasae_vsm_end all[] = {
        E(OPERATOR),        E(CUSTOMER),      E(DENIED),   E(CONSENT_TIMEOUT),
        E(CONNECTION_LOST), E(CODE_REJECTED), E(SECURITY), E(HOST_LEFT),
        E(RELAY_REFUSED),   E(HOST_SILENT),   E(ERROR)};
    int n = sizeof all / sizeof all[0];
    cr_assert_eq(sasae_vsm_exit_code(E(OPERATOR)), 0);
    cr_assert_eq(sasae_vsm_exit_code(E(ERROR)), 1);
    for (int i = 0; i < n; i++) {
        cr_assert_neq(sasae_vsm_exit_code(all[i]), 2, "2 is reserved for usage errors");
        cr_assert_str_neq(sasae_vsm_end_name(all[i]), "unknown");
        for (int j = i + 1; j < n; j++)
            cr_assert_neq(sasae_vsm_exit_code(all[i]), sasae_vsm_exit_code(all[j]), "%s vs %s",
                          sasae_vsm_end_name(all[i]), sasae_vsm_end_name(all[j]));
    }
}
