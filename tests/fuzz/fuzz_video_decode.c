/* fuzz_video_decode.c: libFuzzer target for the video payload decoder input path. */
#include <stddef.h>
#include <stdint.h>

#include "sasae/video.h"

/* Each input is a sequence of payloads, each prefixed by a 2-byte little-endian length, fed
 * to one decoder so that keyframe-then-delta state is exercised too. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sasae_vdec *d;
    if (sasae_vdec_new(&d))
        return 0;
    size_t pos = 0;
    while (size - pos >= 2) {
        size_t n = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
        pos += 2;
        if (n > size - pos)
            n = size - pos;
        sasae_video_image img;
        if (sasae_vdec_decode(d, data + pos, n, &img) == 0) {
            /* Touch the corners so ASan checks the image really is that big. */
            volatile uint8_t s = img.planes[0][0];
            s = img.planes[0][(size_t)(img.height - 1) * img.strides[0] + img.width - 1];
            s = img.planes[2][(size_t)((img.height + 1) / 2 - 1) * img.strides[2] +
                              (img.width + 1) / 2 - 1];
            (void)s;
        }
        pos += n;
    }
    sasae_vdec_free(d);
    return 0;
}
