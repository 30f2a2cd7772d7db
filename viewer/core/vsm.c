/* The viewer's session state machine: relay, handshake, consent, viewing, end. Pure. */
#include "sasae/viewer.h"

void sasae_vsm_init(struct sasae_vsm *sm)
{
    *sm = (struct sasae_vsm){.state = SASAE_VSM_CONNECTING};
}

/* Enters ENDED with reason e; END is only sent over an established channel, and never
 * after a security failure (the channel can no longer be trusted). */
static unsigned end_with(struct sasae_vsm *sm, enum sasae_vsm_end e, bool send_end)
{
    sm->state = SASAE_VSM_ENDED;
    sm->end = e;
    sm->control = SASAE_VSM_CONTROL_NONE;
    unsigned act = SASAE_VSM_ACT_CLOSE;
    if (send_end && sm->secure)
        act |= SASAE_VSM_ACT_SEND_END;
    return act;
}

static enum sasae_vsm_end peer_reason(const struct sasae_vsm *sm, int reason)
{
    switch (reason) {
    case SASAE_VSM_PEER_CUSTOMER:
    case SASAE_VSM_PEER_SHUTDOWN: /* the customer closed sasae-host */
        return SASAE_VSM_END_CUSTOMER;
    case SASAE_VSM_PEER_OPERATOR:
        return SASAE_VSM_END_OPERATOR;
    case SASAE_VSM_PEER_DENIED:
        return SASAE_VSM_END_DENIED;
    case SASAE_VSM_PEER_TIMEOUT:
        /* Before consent it is the prompt timing out; later it means the link went silent. */
        return sm->state == SASAE_VSM_WAITING_CONSENT ? SASAE_VSM_END_CONSENT_TIMEOUT
                                                      : SASAE_VSM_END_CONNECTION_LOST;
    case SASAE_VSM_PEER_RELAY:
        return SASAE_VSM_END_CONNECTION_LOST;
    default:
        return SASAE_VSM_END_ERROR;
    }
}

static unsigned on_consent(struct sasae_vsm *sm, int c)
{
    if (sm->state == SASAE_VSM_WAITING_CONSENT) {
        switch (c) {
        case SASAE_VSM_CONSENT_NONE:
        case SASAE_VSM_CONSENT_WAITING:
            return 0;
        case SASAE_VSM_CONSENT_ALLOWED:
            sm->state = SASAE_VSM_VIEWING;
            return 0;
        case SASAE_VSM_CONSENT_DENIED:
            return end_with(sm, SASAE_VSM_END_DENIED, false);
        case SASAE_VSM_CONSENT_TIMEOUT:
            return end_with(sm, SASAE_VSM_END_CONSENT_TIMEOUT, false);
        case SASAE_VSM_CONSENT_REVOKED:
            return end_with(sm, SASAE_VSM_END_CUSTOMER, false);
        }
        return end_with(sm, SASAE_VSM_END_ERROR, true);
    }
    if (sm->state == SASAE_VSM_VIEWING) {
        switch (c) {
        case SASAE_VSM_CONSENT_ALLOWED:
            return 0;
        case SASAE_VSM_CONSENT_DENIED:
        case SASAE_VSM_CONSENT_TIMEOUT:
        case SASAE_VSM_CONSENT_REVOKED:
        case SASAE_VSM_CONSENT_NONE:
            /* Consent withdrawn while viewing: the customer stopped sharing. */
            return end_with(sm, SASAE_VSM_END_CUSTOMER, false);
        }
        return end_with(sm, SASAE_VSM_END_ERROR, true);
    }
    return SASAE_VSM_ACT_INVALID;
}

static unsigned host_fault(struct sasae_vsm *sm, enum sasae_vsm_fault f)
{
    sm->fault = f;
    return end_with(sm, SASAE_VSM_END_ERROR, true);
}

/* The host's CONTROL_STATE. Control exists only as the answer to this operator's request: a
 * host (or whoever plays one) that asks the customer or grants control unasked is broken or
 * hostile, and the operator must not be led to type into a screen they did not ask to
 * drive. Requests and releases cross answers on the wire, so an answer to a request the
 * operator has since withdrawn is legitimate; it is accepted but gives no control. */
static unsigned on_control(struct sasae_vsm *sm, int c)
{
    switch (c) {
    case SASAE_VSM_CONSENT_WAITING:
        if (sm->state != SASAE_VSM_VIEWING || sm->control_asks == 0 ||
            sm->host_control != SASAE_VSM_CONTROL_NONE)
            return host_fault(sm, SASAE_VSM_FAULT_UNREQUESTED_CONTROL);
        sm->host_control = SASAE_VSM_CONTROL_REQUESTED;
        sm->control = sm->control_want ? SASAE_VSM_CONTROL_REQUESTED : SASAE_VSM_CONTROL_NONE;
        return 0;
    case SASAE_VSM_CONSENT_ALLOWED:
        if (sm->state != SASAE_VSM_VIEWING || sm->control_asks == 0 ||
            sm->host_control == SASAE_VSM_CONTROL_GRANTED)
            return host_fault(sm, SASAE_VSM_FAULT_UNREQUESTED_CONTROL);
        sm->control_asks--;
        sm->host_control = SASAE_VSM_CONTROL_GRANTED;
        sm->control = sm->control_want ? SASAE_VSM_CONTROL_GRANTED : SASAE_VSM_CONTROL_NONE;
        return 0;
    case SASAE_VSM_CONSENT_NONE:
    case SASAE_VSM_CONSENT_DENIED:
    case SASAE_VSM_CONSENT_TIMEOUT:
    case SASAE_VSM_CONSENT_REVOKED:
        /* Taking control away is always accepted. */
        if (sm->state != SASAE_VSM_VIEWING)
            return SASAE_VSM_ACT_INVALID;
        /* After a grant this acknowledges a release or revocation, not a request. */
        if (sm->host_control != SASAE_VSM_CONTROL_GRANTED && sm->control_asks > 0)
            sm->control_asks--;
        sm->host_control = SASAE_VSM_CONTROL_NONE;
        if (sm->control_asks == 0)
            sm->control_want = 0;
        sm->control = sm->control_asks && sm->control_want ? SASAE_VSM_CONTROL_REQUESTED
                                                           : SASAE_VSM_CONTROL_NONE;
        return 0;
    }
    return SASAE_VSM_ACT_INVALID;
}

unsigned sasae_vsm_step(struct sasae_vsm *sm, enum sasae_vsm_event ev, int arg)
{
    if (sm->state == SASAE_VSM_ENDED)
        return 0;
    switch (ev) {
    case SASAE_VSM_EV_CONNECTED:
        if (sm->state != SASAE_VSM_CONNECTING)
            return SASAE_VSM_ACT_INVALID;
        sm->state = SASAE_VSM_WAITING_PEER;
        return 0;
    case SASAE_VSM_EV_PAIRED:
        /* The relay may pair us before the driver learns the connection is up. */
        if (sm->state != SASAE_VSM_WAITING_PEER && sm->state != SASAE_VSM_CONNECTING &&
            sm->state != SASAE_VSM_RECONNECTING)
            return SASAE_VSM_ACT_INVALID;
        sm->state = SASAE_VSM_HANDSHAKE;
        return SASAE_VSM_ACT_START_HANDSHAKE;
    case SASAE_VSM_EV_ESTABLISHED:
        if (sm->state != SASAE_VSM_HANDSHAKE)
            return SASAE_VSM_ACT_INVALID;
        sm->state = SASAE_VSM_WAITING_CONSENT;
        sm->secure = true;
        return 0;
    case SASAE_VSM_EV_CONSENT:
        return on_consent(sm, arg);
    case SASAE_VSM_EV_CONTROL:
        return on_control(sm, arg);
    case SASAE_VSM_EV_VIDEO:
        if (sm->state == SASAE_VSM_VIEWING)
            return SASAE_VSM_ACT_SHOW_VIDEO;
        if (sm->state == SASAE_VSM_WAITING_CONSENT)
            /* The host must never stream before Allow: treat it as a protocol violation. */
            return host_fault(sm, SASAE_VSM_FAULT_EARLY_VIDEO);
        return SASAE_VSM_ACT_INVALID;
    case SASAE_VSM_EV_PEER_END:
        return end_with(sm, peer_reason(sm, arg), false);
    case SASAE_VSM_EV_PEER_LEFT:
        /* the relay still works: the customer's PC (or its sasae-host) went away without END */
        return end_with(sm, SASAE_VSM_END_HOST_LEFT, false);
    case SASAE_VSM_EV_CLOSED:
        if (arg && (sm->state == SASAE_VSM_CONNECTING || sm->state == SASAE_VSM_WAITING_PEER))
            return end_with(sm, SASAE_VSM_END_RELAY_REFUSED, false);
        return end_with(sm, SASAE_VSM_END_CONNECTION_LOST, false);
    case SASAE_VSM_EV_CODE_REJECTED:
        if (sm->state != SASAE_VSM_CONNECTING && sm->state != SASAE_VSM_WAITING_PEER)
            return SASAE_VSM_ACT_INVALID;
        return end_with(sm, SASAE_VSM_END_CODE_REJECTED, false);
    case SASAE_VSM_EV_SECURITY_ERROR:
        return end_with(sm, SASAE_VSM_END_SECURITY, false);
    case SASAE_VSM_EV_CODE_MISMATCH:
        if (sm->state != SASAE_VSM_HANDSHAKE)
            return SASAE_VSM_ACT_INVALID;
        return end_with(sm, SASAE_VSM_END_CODE_MISMATCH, false);
    case SASAE_VSM_EV_PROTOCOL_ERROR:
        return end_with(sm, SASAE_VSM_END_ERROR, true);
    case SASAE_VSM_EV_OP_END:
        return end_with(sm, SASAE_VSM_END_OPERATOR, true);
    case SASAE_VSM_EV_OP_CONTROL:
        if (sm->state != SASAE_VSM_VIEWING)
            return SASAE_VSM_ACT_INVALID;
        if (arg && sm->control == SASAE_VSM_CONTROL_NONE) {
            sm->control = SASAE_VSM_CONTROL_REQUESTED;
            sm->control_want = 1;
            sm->control_asks++;
            return SASAE_VSM_ACT_SEND_CONTROL;
        }
        if (!arg && sm->control != SASAE_VSM_CONTROL_NONE) {
            sm->control = SASAE_VSM_CONTROL_NONE;
            sm->control_want = 0;
            return SASAE_VSM_ACT_SEND_CONTROL;
        }
        return SASAE_VSM_ACT_INVALID;
    case SASAE_VSM_EV_CONSENT_TIMEOUT:
        if (sm->state != SASAE_VSM_WAITING_CONSENT)
            return SASAE_VSM_ACT_INVALID;
        return end_with(sm, SASAE_VSM_END_CONSENT_TIMEOUT, true);
    case SASAE_VSM_EV_RELAY_LOST:
        /* arg 1: the handshake running is a resume's (lost again while coming back) */
        if (sm->state != SASAE_VSM_VIEWING && !(arg == 1 && sm->state == SASAE_VSM_HANDSHAKE))
            return SASAE_VSM_ACT_INVALID;
        /* the old channel is gone: no control, nothing can be sent until a new handshake */
        sm->state = SASAE_VSM_RECONNECTING;
        sm->secure = false;
        sm->control = SASAE_VSM_CONTROL_NONE;
        sm->host_control = SASAE_VSM_CONTROL_NONE;
        sm->control_asks = 0;
        sm->control_want = 0;
        return 0;
    case SASAE_VSM_EV_PEER_SILENT:
        if (sm->state != SASAE_VSM_VIEWING)
            return SASAE_VSM_ACT_INVALID;
        /* END in case only the host's direction is cut: the host then ends at once */
        return end_with(sm, SASAE_VSM_END_HOST_SILENT, true);
    }
    return SASAE_VSM_ACT_INVALID;
}

const char *sasae_vsm_state_name(enum sasae_vsm_state s)
{
    switch (s) {
    case SASAE_VSM_CONNECTING:
        return "connecting";
    case SASAE_VSM_WAITING_PEER:
        return "waiting-for-peer";
    case SASAE_VSM_HANDSHAKE:
        return "handshake";
    case SASAE_VSM_WAITING_CONSENT:
        return "waiting-for-consent";
    case SASAE_VSM_VIEWING:
        return "viewing";
    case SASAE_VSM_RECONNECTING:
        return "reconnecting";
    case SASAE_VSM_ENDED:
        return "ended";
    }
    return "unknown";
}

const char *sasae_vsm_end_name(enum sasae_vsm_end e)
{
    switch (e) {
    case SASAE_VSM_END_NONE:
        return "none";
    case SASAE_VSM_END_CUSTOMER:
        return "customer-ended";
    case SASAE_VSM_END_DENIED:
        return "customer-denied";
    case SASAE_VSM_END_CONSENT_TIMEOUT:
        return "consent-timeout";
    case SASAE_VSM_END_CONNECTION_LOST:
        return "connection-lost";
    case SASAE_VSM_END_OPERATOR:
        return "operator-ended";
    case SASAE_VSM_END_CODE_REJECTED:
        return "code-rejected";
    case SASAE_VSM_END_SECURITY:
        return "security-failure";
    case SASAE_VSM_END_HOST_LEFT:
        return "host-disconnected";
    case SASAE_VSM_END_RELAY_REFUSED:
        return "relay-refused";
    case SASAE_VSM_END_HOST_SILENT:
        return "host-silent";
    case SASAE_VSM_END_CODE_MISMATCH:
        return "code-mismatch";
    case SASAE_VSM_END_ERROR:
        return "error";
    }
    return "unknown";
}

const char *sasae_vsm_fault_text(enum sasae_vsm_fault f)
{
    switch (f) {
    case SASAE_VSM_FAULT_NONE:
        return "";
    case SASAE_VSM_FAULT_UNREQUESTED_CONTROL:
        return "the host offered control of the customer's computer that this operator never "
               "requested: protocol violation, session ended (no input was sent)";
    case SASAE_VSM_FAULT_EARLY_VIDEO:
        return "the host sent its screen before the customer allowed: protocol violation, "
               "session ended";
    }
    return "unknown protocol violation";
}

int sasae_vsm_exit_code(enum sasae_vsm_end e)
{
    switch (e) {
    case SASAE_VSM_END_OPERATOR:
        return 0;
    case SASAE_VSM_END_CUSTOMER:
        return 3;
    case SASAE_VSM_END_DENIED:
        return 4;
    case SASAE_VSM_END_CONSENT_TIMEOUT:
        return 5;
    case SASAE_VSM_END_CONNECTION_LOST:
        return 6;
    case SASAE_VSM_END_CODE_REJECTED:
    case SASAE_VSM_END_CODE_MISMATCH:
        return 7;
    case SASAE_VSM_END_SECURITY:
        return 8;
    case SASAE_VSM_END_HOST_LEFT:
        return 9;
    case SASAE_VSM_END_RELAY_REFUSED:
        return 10;
    case SASAE_VSM_END_HOST_SILENT:
        return 11;
    case SASAE_VSM_END_NONE:
    case SASAE_VSM_END_ERROR:
        break;
    }
    return 1;
}
