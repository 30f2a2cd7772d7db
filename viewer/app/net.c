/* The network session source. Needs the relay client, secure channel and video decoder. */
#include "app.h"
#include "sasae/common.h"

struct vsource *vsource_net_new(const struct vcfg *cfg, const struct vsink *sink)
{
    SASAE_ERR("viewer", "this build has no network session yet (relay client, channel and "
                        "decoder not merged); only --test-pattern works");
    return NULL;
}
