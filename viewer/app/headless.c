/* Headless front end: no window and no SDL video; decodes every frame, optionally dumps
 * them and logs per-frame timing, and exits with a code per end reason. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "app.h"
#include "sasae/common.h"

struct hl {
    const struct vcfg *cfg;
    struct vsource *src;
    FILE *framelog;
    struct sasae_vsm sm;
    long frames;
    uint64_t viewing_since_ns;
    struct sasae_meter meter;
    uint64_t last_print_ns;
    uint32_t link_kbps;
    bool dump_failed;
    bool file_offered;
    enum sasae_filesend_state file_shown;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    stop_requested = sig;
}

static void hl_state(void *u, const struct sasae_vsm *sm)
{
    struct hl *h = u;
    if (sm->state == SASAE_VSM_VIEWING && h->sm.state != SASAE_VSM_VIEWING)
        h->viewing_since_ns = sasae_mono_ns();
    h->sm = *sm;
    vreport_state(sm);
}

static void hl_link(void *u, uint32_t estimate_kbps)
{
    ((struct hl *)u)->link_kbps = estimate_kbps;
}

static void hl_host_key(void *u, const char *fpr)
{
    vreport_host_key(fpr);
}

static void hl_frame(void *u, const struct vimage *img, const struct vframe_info *fi)
{
    struct hl *h = u;
    /* Headless "glass" is the end of decode: nothing is displayed. */
    uint64_t shown = fi->decoded_us ? fi->decoded_us : sasae_wall_us();
    vframelog_write(h->framelog, fi, shown, img->w, img->h, false);
    sasae_meter_add(&h->meter, sasae_mono_ns() / 1000, fi->bytes, (int64_t)(shown - fi->capture_us),
                    fi->decode_us);
    if (h->cfg->dump_dir && !h->dump_failed && h->frames % h->cfg->dump_every == 0) {
        int rc = vdump_frame(h->cfg->dump_dir, h->cfg->dump_i420, img, fi->frame_id);
        if (rc < 0) {
            SASAE_ERR("viewer", "cannot dump frame %u into %s: %s", fi->frame_id, h->cfg->dump_dir,
                      strerror(-rc));
            h->dump_failed = true;
        }
    }
    h->frames++;
}

static void hl_decode_error(void *u, const struct vframe_info *fi, const char *why)
{
    struct hl *h = u;
    vframelog_write(h->framelog, fi, sasae_wall_us(), 0, 0, true);
    SASAE_WARN("viewer", "frame %u did not decode (%s); keyframe requested", fi->frame_id, why);
}

static void hl_sysinfo(void *u, const char *text, size_t len)
{
    vreport_sysinfo(text, len);
}

/* Script-friendly lines for the file being sent: "file=offered|sending|done|failed ...". */
static void hl_file(void *u, const struct sasae_filesend *fs)
{
    struct hl *h = u;
    static const char *const names[] = {"idle", "offered", "sending", "done", "failed"};
    if (fs->state == h->file_shown)
        return;
    h->file_shown = fs->state;
    printf("file=%s name=%s size=%llu status=%d text=%s\n", names[fs->state], fs->name,
           (unsigned long long)fs->size, fs->status, fs->text);
    fflush(stdout);
}

int vheadless_run(const struct vcfg *cfg)
{
    struct hl h = {.cfg = cfg};
    sasae_vsm_init(&h.sm);
    sasae_meter_init(&h.meter, 0);
    int mk = cfg->dump_dir ? sasae_mkdir(cfg->dump_dir) : 0;
    if (mk != 0) {
        SASAE_ERR("viewer", "cannot create %s: %s", cfg->dump_dir, strerror(-mk));
        return 1;
    }
    if (cfg->frame_log && !(h.framelog = vframelog_open(cfg->frame_log)))
        return 1;
    sasae_on_stop_signals(on_signal);
    struct vsink sink = {.user = &h,
                         .state = hl_state,
                         .host_key = hl_host_key,
                         .link = hl_link,
                         .frame = hl_frame,
                         .decode_error = hl_decode_error,
                         .sysinfo = hl_sysinfo,
                         .file = hl_file};
    vreport_state(&h.sm);
    h.src = vapp_source_new(cfg, &sink);
    if (!h.src) {
        if (h.framelog)
            fclose(h.framelog);
        return 1;
    }
    bool ending = false;
    while (h.src->ops->pump(h.src, 100) == 0) {
        bool limit = h.sm.state == SASAE_VSM_VIEWING &&
                     ((cfg->max_frames > 0 && h.frames >= cfg->max_frames) ||
                      (cfg->duration_s > 0 &&
                       sasae_mono_ns() - h.viewing_since_ns >= (uint64_t)(cfg->duration_s * 1e9)));
        if (!ending && (stop_requested || limit)) {
            SASAE_INFO("viewer", "ending the session (%s)", stop_requested ? "signal" : "limit");
            ending = true;
            h.src->ops->end(h.src);
        }
        /* --send-file: once the picture is there (the host's HELLO came first) */
        if (cfg->send_file && !h.file_offered && h.sm.state == SASAE_VSM_VIEWING && h.frames > 0 &&
            h.src->ops->send_file) {
            char err[300];
            h.file_offered = true;
            if (h.src->ops->send_file(h.src, cfg->send_file, err, sizeof err) != 0) {
                SASAE_ERR("viewer", "cannot send %s: %s", cfg->send_file, err);
                printf("file=failed name=%s status=-1 text=%s\n", cfg->send_file, err);
                fflush(stdout);
            }
        }
        uint64_t now = sasae_mono_ns();
        if (h.sm.state == SASAE_VSM_VIEWING && now - h.last_print_ns > 5000000000ull) {
            struct sasae_meter_stats st;
            sasae_meter_get(&h.meter, now / 1000, &st);
            SASAE_INFO("viewer",
                       "%ld frames, %.1f fps, %.0f kbit/s, latency %.1f ms, link about %u kbit/s",
                       h.frames, st.fps, st.kbps, st.latency_ms, h.link_kbps);
            h.last_print_ns = now;
        }
    }
    h.src->ops->free(h.src);
    if (h.framelog)
        fclose(h.framelog);
    SASAE_INFO("viewer", "session ended: %s after %ld frames", sasae_vsm_end_name(h.sm.end),
               h.frames);
    return sasae_vsm_exit_code(h.sm.end);
}
