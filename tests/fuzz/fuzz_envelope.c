/* libFuzzer target: the envelope parser must never crash, and whatever it accepts must
 * serialize back to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sasae_env_msg m;
    if (sasae_env_parse(data, size, &m) != SASAE_ENV_OK)
        return 0;
    uint8_t *buf = malloc(size ? size : 1);
    size_t n = 0;
    if (!buf)
        return 0;
    if (sasae_env_serialize(&m, buf, size, &n) != SASAE_ENV_OK || n != size ||
        memcmp(buf, data, size) != 0)
        abort();
    free(buf);
    return 0;
}
