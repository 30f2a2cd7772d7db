/* libFuzzer: a stream of VIDEO messages (each u16 length-prefixed) parsed and pushed into
 * the reassembler; completed frames must have exactly frame_size bytes. */
#include <stdlib.h>

#include "sasae/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sasae_wire_reasm *r = sasae_wire_reasm_new(1 << 20);
    if (!r)
        return 0;
    size_t off = 0;
    while (off + 2 <= size) {
        size_t len = (size_t)data[off] << 8 | data[off + 1];
        off += 2;
        if (len > size - off)
            len = size - off;
        struct sasae_wire_msg m;
        if (sasae_wire_parse(data + off, len, &m) == SASAE_WIRE_OK && m.type == SASAE_WIRE_VIDEO) {
            struct sasae_wire_video f;
            int done = 0;
            if (sasae_wire_reasm_push(r, &m.u.video, &done, &f) == SASAE_WIRE_OK && done) {
                if (f.data_len != f.frame_size || f.chunk_offset != 0)
                    abort();
                volatile uint8_t sink = f.data[f.data_len - 1];
                (void)sink;
            }
        }
        off += len;
    }
    sasae_wire_reasm_free(r);
    return 0;
}
