/* Linux hosts are configured by options and files: there is no brand block. */
#include "platform.h"

int host_brand_load(struct sasae_brand *b, char *err, size_t errlen)
{
    (void)b;
    (void)err;
    (void)errlen;
    return 1;
}
