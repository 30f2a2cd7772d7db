/* The session source a front end (window.c, headless.c) runs: the relay connection, or
 * the debug test pattern. Its own file so that the front ends depend on it, not on
 * main.c, which only calls them. */
#include "app.h"
#include "sasae/common.h"

struct vsource *vapp_source_new(const struct vcfg *cfg, const struct vsink *sink)
{
    if (cfg->tp_w > 0) {
        SASAE_WARN("viewer", "debug test pattern %dx%d@%d: no host, no network", cfg->tp_w,
                   cfg->tp_h, cfg->tp_fps);
        return vsource_test_pattern_new(sink, cfg->tp_w, cfg->tp_h, cfg->tp_fps, cfg->tp_end,
                                        cfg->tp_end_ms);
    }
    return vsource_net_new(cfg, sink);
}
