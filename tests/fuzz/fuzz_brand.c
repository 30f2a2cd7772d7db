/* libFuzzer target: the brand block parser on arbitrary areas (whole or cut). */
#include <stdint.h>
#include <string.h>

#include "sasae/brand.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t area[SASAE_BRAND_AREA];
    /* a valid marker most of the time, so the fuzzer reaches the fields */
    sasae_brand_blank(area);
    size_t n = size < SASAE_BRAND_AREA - SASAE_BRAND_MARKER_LEN
                   ? size
                   : SASAE_BRAND_AREA - SASAE_BRAND_MARKER_LEN;
    memcpy(area + SASAE_BRAND_MARKER_LEN, data, n);
    struct sasae_brand b;
    char err[256];
    if (sasae_brand_parse(area, SASAE_BRAND_MARKER_LEN + n, &b, err, sizeof err) == 0) {
        /* every field lies inside the area */
        const char *f[] = {b.relay_url, b.relay_ca, b.org_ca, b.crl, b.org_name};
        size_t l[] = {b.relay_url_len, b.relay_ca_len, b.org_ca_len, b.crl_len, b.org_name_len};
        for (int i = 0; i < 5; i++)
            if (f[i] && ((const uint8_t *)f[i] < area ||
                         (const uint8_t *)f[i] + l[i] > area + SASAE_BRAND_MARKER_LEN + n))
                __builtin_trap();
    }
    return 0;
}
