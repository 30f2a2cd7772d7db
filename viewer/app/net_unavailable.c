/* Built only when the relay client, channel, wire or video libraries are missing from the
 * tree: the viewer then says so instead of pretending to connect. */
#include "app.h"
#include "sasae/common.h"

struct vsource *vsource_net_new(const struct vcfg *cfg, const struct vsink *sink)
{
    SASAE_ERR("viewer", "this build has no network session (relay client, channel, wire or "
                        "video library missing from the source tree); only --test-pattern works");
    return NULL;
}
