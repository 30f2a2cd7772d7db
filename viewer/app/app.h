/* sasae-viewer internals shared by main, the window and headless front ends. */
#ifndef SASAE_VIEWER_APP_H
#define SASAE_VIEWER_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sasae/viewer.h"
#include "vsource.h"

/* Everything the command line and config file set. Strings are owned by the config. */
struct vcfg {
    char code[SASAE_CODE_DIGITS + 1]; /* "" = ask in the window */
    char *relay, *relay_ca, *relay_pin, *cert, *key, *proxy;
    bool headless;
    char *dump_dir;
    bool dump_i420; /* else PNG */
    int dump_every; /* dump every Nth frame (1 = all) */
    char *frame_log;
    long max_frames;     /* headless: end after this many frames (0 = no limit) */
    double duration_s;   /* end after this long viewing (0 = no limit) */
    int consent_wait_s;  /* viewer-side failsafe while waiting for Allow */
    int resume_window_s; /* after a relay loss while viewing, try to resume this long (0-60) */
    int win_w, win_h;
    bool fullscreen, one_to_one;
    /* --test-pattern debug source */
    int tp_w, tp_h, tp_fps;
    enum sasae_vsm_end tp_end;
    int tp_end_ms;
    char *send_file; /* offer this file once viewing (tests; the window also takes drops) */
};

/* Creates the session source the config asks for (network or test pattern), bound to sink.
 * The source keeps cfg (it must outlive the source); sink is copied. NULL with a logged
 * reason on failure. */
struct vsource *vapp_source_new(const struct vcfg *cfg, const struct vsink *sink);

/* The network session: relay client, end-to-end channel, wire messages, decoder. NULL with
 * a logged reason when the configuration is incomplete or unusable. */
struct vsource *vsource_net_new(const struct vcfg *cfg, const struct vsink *sink);

/* Script-friendly stdout lines ("state=viewing", "end=customer-ended exit=3", ...). */
void vreport_state(const struct sasae_vsm *sm);
void vreport_host_key(const char *fpr);
void vreport_sysinfo(const char *text, size_t len);
/* "clipboard=sent bytes=N", "clipboard=received bytes=N", "clipboard=refused why=..." (never
 * the text itself). */
void vreport_clipboard(const char *what, long bytes, const char *why);
/* "chat=received text=..." / "chat=sent text=..." (one line: line breaks become spaces). */
void vreport_chat(const char *what, const char *text, size_t len);

/* Frame log: opens cfg->frame_log (NULL when not configured or on error, logged). */
FILE *vframelog_open(const char *path);
void vframelog_write(FILE *f, const struct vframe_info *fi, uint64_t shown_us, int w, int h,
                     bool decode_error);

/* Writes one decoded picture as PNG (RGB) or raw I420 into dir as frame-<id>.png/.yuv.
 * Returns 0 or -errno. */
int vdump_frame(const char *dir, bool i420, const struct vimage *img, uint32_t frame_id);

/* The status bar's line about the file being sent ("" when there is none). */
void vfile_line(const struct sasae_filesend *fs, bool japanese, char *out, size_t cap);

/* Runs the SDL window until the session ends and the operator closes it; returns the exit
 * code (sasae_vsm_exit_code of the end reason, 0 when closed from the code box). */
int vgui_run(const struct vcfg *cfg);
/* Runs without any window; returns the exit code of the end reason. */
int vheadless_run(const struct vcfg *cfg);

#endif
