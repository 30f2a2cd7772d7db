/* libFuzzer target: random event sequences into both session state machines (the host's
 * sasae_hs_*, the viewer's sasae_vsm_*), with a driver that does what their actions say,
 * and the invariants of docs/architecture.md "State machines" checked after every event,
 * against a model kept here from the events alone (not from the machine's own fields):
 * - nothing leaves before the customer's Allow: no capture, no system information, no
 *   screen message may be sent (host); no video shown, no control asked (viewer);
 * - input only while control is granted: the host accepts MOUSE/KEY and injects only after
 *   the customer allowed control and until it was taken back; the viewer holds control
 *   only after the host said ALLOWED to its request;
 * - END is the last thing sent: once it went, no message type may be sent and no action
 *   sends anything;
 * - the end is absorbing: once ENDED every event is ignored and changes nothing;
 * - an ignored event changes nothing and orders nothing.
 * Input: byte 0 picks the machine (even: host, odd: viewer) and the host's re-consent
 * period; then 3 bytes per event: event, argument, time step (0..255 x 0.5 s). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/host.h"
#include "sasae/viewer.h"
#include "sasae/wire.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

/* Message types the host sends only once the customer allowed (screen and system). */
static const int after_allow[] = {
    SASAE_WIRE_VIDEO,        SASAE_WIRE_CURSOR_SHAPE, SASAE_WIRE_CURSOR_POS, SASAE_WIRE_SYSINFO,
    SASAE_WIRE_MONITOR_LIST, SASAE_WIRE_CHAT,         SASAE_WIRE_CLIPBOARD,
};

static const uint32_t hs_sends = SASAE_HS_ACT_SEND_HELLO | SASAE_HS_ACT_SEND_CONSENT |
                                 SASAE_HS_ACT_SEND_SYSINFO | SASAE_HS_ACT_SEND_CONTROL |
                                 SASAE_HS_ACT_SEND_END;

static void fuzz_host(const uint8_t *d, size_t n, uint8_t mode)
{
    struct sasae_hs hs;
    sasae_hs_init(&hs);
    hs.reconsent_ns = (mode >> 1) % 4 ? (uint64_t)((mode >> 1) % 4) * 300 * 1000000000ull : 0;
    sasae_hs_set_byte_window(&hs, (mode >> 3) & 1 ? 200000 : 0);
    uint64_t now = 1000000000ull;
    bool allowed = false, granted = false, end_sent = false;
    for (size_t i = 0; i + 3 <= n; i += 3) {
        enum sasae_hs_event ev = (enum sasae_hs_event)(d[i] % SASAE_HS_NEVENTS);
        uint32_t arg = d[i + 1];
        now += (uint64_t)d[i + 2] * 500000000ull;
        if (ev == SASAE_HS_EV_FRAME_SENT)
            sasae_hs_frame_meta(&hs, arg * 4096u, arg & 1);
        struct sasae_hs before = hs;
        enum sasae_hs_control control_before = hs.control;
        struct sasae_hs_out o = sasae_hs_event(&hs, ev, arg, now);
        if (before.state == SASAE_HS_ENDED) {
            CHECK(o.ignored);
            CHECK(memcmp(&before, &hs, sizeof hs) == 0);
        }
        if (o.ignored) {
            CHECK(o.actions == 0);
            CHECK(hs.state == before.state && hs.control == before.control);
            continue;
        }
        /* the model, from the events that took effect */
        if (ev == SASAE_HS_EV_CONSENT_ALLOW && before.state == SASAE_HS_ASKING)
            allowed = true;
        if (ev == SASAE_HS_EV_CONTROL_ALLOW && control_before == SASAE_HS_CONTROL_ASKED)
            granted = true;
        if (ev == SASAE_HS_EV_CONTROL_REVOKE || ev == SASAE_HS_EV_CONTROL_RELEASE ||
            ev == SASAE_HS_EV_CONTROL_DENY || hs.state == SASAE_HS_ENDED)
            granted = false;
        /* END last: nothing is sent after it */
        if (end_sent)
            CHECK(!(o.actions & hs_sends));
        if (o.actions & SASAE_HS_ACT_SEND_END) {
            sasae_hs_mark_end_sent(&hs);
            end_sent = true;
        }
        if (end_sent)
            for (int t = 0; t < 256; t++)
                CHECK(!sasae_hs_may_send(&hs, t));
        /* nothing before Allow */
        if (!allowed) {
            CHECK(!(o.actions & (SASAE_HS_ACT_START_CAPTURE | SASAE_HS_ACT_SEND_SYSINFO)));
            CHECK(!sasae_hs_may_send_frame(&hs));
            for (size_t k = 0; k < sizeof after_allow / sizeof after_allow[0]; k++)
                CHECK(!sasae_hs_may_send(&hs, after_allow[k]));
        }
        /* input only while granted */
        if (!granted) {
            CHECK(!(o.actions & SASAE_HS_ACT_INPUT_ON));
            CHECK(!sasae_hs_input_allowed(&hs));
            CHECK(!sasae_hs_accepts(&hs, SASAE_WIRE_MOUSE));
            CHECK(!sasae_hs_accepts(&hs, SASAE_WIRE_KEY));
        }
        if (hs.state == SASAE_HS_ENDED)
            CHECK(!sasae_hs_input_allowed(&hs) && !sasae_hs_may_send_frame(&hs));
    }
}

static void fuzz_viewer(const uint8_t *d, size_t n)
{
    struct sasae_vsm sm;
    sasae_vsm_init(&sm);
    bool allowed = false, host_granted = false, end_sent = false, handshake = false;
    const unsigned nev = SASAE_VSM_EV_CODE_MISMATCH; /* events are 1..nev */
    for (size_t i = 0; i + 3 <= n; i += 3) {
        enum sasae_vsm_event ev = (enum sasae_vsm_event)(1 + d[i] % nev);
        int arg = d[i + 1] % 9;
        struct sasae_vsm before = sm;
        struct sasae_vsm_out o = sasae_vsm_event(&sm, ev, arg);
        if (before.state == SASAE_VSM_ENDED) {
            CHECK(o.ignored);
            CHECK(memcmp(&before, &sm, sizeof sm) == 0);
        }
        if (o.ignored) {
            CHECK(o.actions == 0);
            CHECK(memcmp(&before, &sm, sizeof sm) == 0);
            continue;
        }
        if (ev == SASAE_VSM_EV_CONSENT && arg == SASAE_WIRE_CONSENT_ALLOWED)
            allowed = true;
        if (ev == SASAE_VSM_EV_CONTROL)
            host_granted = arg == SASAE_WIRE_CONSENT_ALLOWED;
        /* END last, and sent at most once */
        if (end_sent)
            CHECK(!(o.actions & (SASAE_VSM_ACT_SEND_END | SASAE_VSM_ACT_SEND_CONTROL |
                                 SASAE_VSM_ACT_START_HANDSHAKE)));
        if (o.actions & SASAE_VSM_ACT_SEND_END) {
            CHECK(o.actions & SASAE_VSM_ACT_CLOSE);
            end_sent = true;
        }
        /* one handshake */
        if (o.actions & SASAE_VSM_ACT_START_HANDSHAKE) {
            CHECK(!handshake);
            handshake = true;
        }
        /* nothing before Allow: no picture, no control request */
        if (!allowed)
            CHECK(!(o.actions & (SASAE_VSM_ACT_SHOW_VIDEO | SASAE_VSM_ACT_SEND_CONTROL)) &&
                  sm.control == SASAE_VSM_CONTROL_NONE);
        /* control (the viewer sends MOUSE/KEY only then) only on the host's word */
        if (sm.control == SASAE_VSM_CONTROL_GRANTED)
            CHECK(host_granted && allowed && sm.state != SASAE_VSM_ENDED);
        if (sm.state == SASAE_VSM_ENDED)
            CHECK(sm.control == SASAE_VSM_CONTROL_NONE && sm.end != SASAE_VSM_END_NONE);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1)
        fuzz_viewer(data + 1, size - 1);
    else
        fuzz_host(data + 1, size - 1, data[0]);
    return 0;
}
