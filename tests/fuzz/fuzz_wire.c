/* libFuzzer: sasae_wire_parse on arbitrary bytes; a parsed message must re-serialize to the
 * same bytes (uncompressed types) and compressed bodies must inflate within their bounds. */
#include <stdlib.h>
#include <string.h>

#include "sasae/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sasae_wire_msg m;
    if (sasae_wire_parse(data, size, &m) != SASAE_WIRE_OK)
        return 0;
    static uint8_t out[SASAE_WIRE_MAX_MSG];
    size_t n = 0;
    if (m.type == SASAE_WIRE_SYSINFO) {
        static char text[SASAE_WIRE_SYSINFO_MAX];
        size_t tl;
        if (sasae_wire_sysinfo_text(&m.u.sysinfo, text, sizeof(text), &tl) == SASAE_WIRE_OK &&
            tl != m.u.sysinfo.text_len)
            abort();
        return 0;
    }
    if (m.type == SASAE_WIRE_CURSOR_SHAPE) {
        static uint8_t px[SASAE_WIRE_CURSOR_MAX * SASAE_WIRE_CURSOR_MAX * 4];
        sasae_wire_cursor_pixels(&m.u.cursor, px, sizeof(px));
        return 0;
    }
    if (sasae_wire_serialize(&m, out, sizeof(out), &n) != SASAE_WIRE_OK || n != size ||
        memcmp(out, data, size) != 0)
        abort();
    if (m.type == SASAE_WIRE_PEN_STROKE) {
        int32_t x, y;
        sasae_wire_pen_point(&m.u.pen, (uint16_t)(m.u.pen.npoints - 1), &x, &y);
    }
    return 0;
}
