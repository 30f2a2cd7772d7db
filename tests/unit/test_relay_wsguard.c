/* Unit tests for the relay's client frame masking check (relay/server/wsguard.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "wsguard.h"

static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n";

/* A client frame header: opcode, FIN, masked or not, payload length (any encoding). */
static size_t frame(uint8_t *b, int opcode, int masked, uint64_t len)
{
    size_t n = 0;
    b[n++] = (uint8_t)(0x80 | opcode);
    uint8_t m = masked ? 0x80 : 0;
    if (len < 126) {
        b[n++] = (uint8_t)(m | len);
    } else if (len < 65536) {
        b[n++] = m | 126;
        b[n++] = (uint8_t)(len >> 8);
        b[n++] = (uint8_t)len;
    } else {
        b[n++] = m | 127;
        for (int i = 7; i >= 0; i--)
            b[n++] = (uint8_t)(len >> (8 * i));
    }
    if (masked) {
        memcpy(b + n, "\x11\x22\x33\x44", 4);
        n += 4;
    }
    return n;
}

Test(relay_wsguard, request_then_masked_frames_of_every_length)
{
    struct relay_wsg g = {0};
    cr_assert_eq(relay_wsg_feed(&g, (const uint8_t *)req, 10), RELAY_WSG_HTTP);
    cr_assert_eq(relay_wsg_feed(&g, (const uint8_t *)req + 10, sizeof(req) - 11), RELAY_WSG_FRAMES);
    static uint8_t payload[70000]; /* masked-looking bytes: must be skipped, not parsed */
    memset(payload, 0x01, sizeof(payload));
    uint64_t lens[] = {0, 1, 125, 126, 65535, 65536, 70000};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        uint8_t h[14];
        size_t hn = frame(h, 2, 1, lens[i]);
        /* header split byte by byte, payload in two pieces */
        for (size_t k = 0; k < hn; k++)
            cr_assert_eq(relay_wsg_feed(&g, h + k, 1), RELAY_WSG_FRAMES);
        size_t half = (size_t)lens[i] / 2;
        cr_assert_eq(relay_wsg_feed(&g, payload, half), RELAY_WSG_FRAMES);
        cr_assert_eq(relay_wsg_feed(&g, payload, (size_t)lens[i] - half), RELAY_WSG_FRAMES);
    }
    uint8_t h[14];
    size_t hn = frame(h, 9, 1, 0); /* masked empty ping */
    cr_assert_eq(relay_wsg_feed(&g, h, hn), RELAY_WSG_FRAMES);
}

Test(relay_wsguard, unmasked_frame_after_masked_ones_in_one_read)
{
    struct relay_wsg g = {0};
    uint8_t b[256];
    size_t n = 0;
    memcpy(b, req, sizeof(req) - 1);
    n += sizeof(req) - 1;
    n += frame(b + n, 2, 1, 3);
    memcpy(b + n, "abc", 3);
    n += 3;
    n += frame(b + n, 2, 0, 3);
    memcpy(b + n, "abc", 3);
    n += 3;
    cr_assert_eq(relay_wsg_feed(&g, b, n), RELAY_WSG_UNMASKED);
    /* sticky: later masked frames do not clear it */
    size_t hn = frame(b, 2, 1, 0);
    cr_assert_eq(relay_wsg_feed(&g, b, hn), RELAY_WSG_UNMASKED);
}

Test(relay_wsguard, unmasked_control_and_text_frames)
{
    int ops[] = {1, 8, 9, 10};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        struct relay_wsg g = {0};
        relay_wsg_feed(&g, (const uint8_t *)req, sizeof(req) - 1);
        uint8_t h[14];
        size_t hn = frame(h, ops[i], 0, 0);
        cr_assert_eq(relay_wsg_feed(&g, h, hn), RELAY_WSG_UNMASKED, "opcode %d", ops[i]);
    }
}

Test(relay_wsguard, bare_lf_request_end_as_lws_accepts_it)
{
    struct relay_wsg g = {0};
    const char *r = "GET / HTTP/1.1\nHost: x\n\n";
    cr_assert_eq(relay_wsg_feed(&g, (const uint8_t *)r, strlen(r)), RELAY_WSG_FRAMES);
    struct relay_wsg g2 = {0};
    const char *r2 = "GET / HTTP/1.1\r\nHost: x\n\r\n";
    cr_assert_eq(relay_wsg_feed(&g2, (const uint8_t *)r2, strlen(r2)), RELAY_WSG_FRAMES);
    /* a CR inside a line is no line end */
    struct relay_wsg g3 = {0};
    const char *r3 = "GET / HTTP/1.1\r\nX: a\rb\r\n";
    cr_assert_eq(relay_wsg_feed(&g3, (const uint8_t *)r3, strlen(r3)), RELAY_WSG_HTTP);
}

Test(relay_wsguard, second_request_on_the_connection_is_no_masked_frame)
{
    /* keep-alive then an upgrade: the guard reads the second request as frames ('G', then
     * 'E' = 0x45 without the mask bit) and the relay refuses the upgrade. */
    struct relay_wsg g = {0};
    const char *two = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n";
    cr_assert_eq(relay_wsg_feed(&g, (const uint8_t *)two, strlen(two)), RELAY_WSG_UNMASKED);
}
