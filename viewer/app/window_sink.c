/* What the session source tells the window (the vsink callbacks: state, host key, frames,
 * cursor, monitors, chat, clipboard, system information, file progress, link), and
 * starting and ending the session. Called from vsource pump on the window's thread; wake
 * from any thread. */
#include <stdlib.h>
#include <string.h>

#include "sasae/common.h"
#include "window.h"

static void on_wake(void *u)
{
    struct gui *g = u;
    SDL_Event ev = {.type = g->wake_event};
    SDL_PushEvent(&ev);
}

static void on_state(void *u, const struct sasae_vsm *sm)
{
    struct gui *g = u;
    bool was_viewing = g->sm.state == SASAE_VSM_VIEWING;
    g->sm = *sm;
    if (sm->state == SASAE_VSM_ENDED) /* End while drawing: nothing more goes out */
        sasae_tools_session_ended(&g->tools);
    if (sm->state != SASAE_VSM_VIEWING) /* no file to send any more: its prompt goes */
        vpathbox_close(&g->pathbox);
    if (sm->state == SASAE_VSM_VIEWING && !was_viewing)
        g->viewing_since_ns = sasae_mono_ns();
    if (sm->control == SASAE_VSM_CONTROL_GRANTED) /* plain mouse use goes to the customer */
        sasae_tools_control_granted(&g->tools);
    g->dirty = true;
    vreport_state(sm);
}

static void on_host_key(void *u, const char *fpr)
{
    struct gui *g = u;
    snprintf(g->host_fpr, sizeof g->host_fpr, "%s", fpr);
    vreport_host_key(fpr);
    g->dirty = true;
}

static void on_link(void *u, uint32_t estimate_kbps)
{
    struct gui *g = u;
    g->link_kbps = estimate_kbps;
}

static void on_frame(void *u, const struct vimage *img, const struct vframe_info *fi)
{
    struct gui *g = u;
    if (!vgui_upload_frame(g, img)) /* no texture: nothing shows, nothing is counted */
        return;
    if (g->npending < PENDING_MAX)
        g->pending[g->npending++] = *fi;
    g->frames++;
    g->dirty = true;
}

static void on_decode_error(void *u, const struct vframe_info *fi, const char *why)
{
    struct gui *g = u;
    g->decode_errors++;
    g->tex_stale = true; /* tiles decoded before the error are in the picture, not uploaded */
    vframelog_write(g->framelog, fi, sasae_wall_us(), 0, 0, true);
    SASAE_WARN("viewer", "frame %u did not decode (%s); keyframe requested", fi->frame_id, why);
}

static void on_cursor_shape(void *u, int w, int h, int hx, int hy, const uint8_t *bgra)
{
    struct gui *g = u;
    vgui_upload_cursor(g, w, h, hx, hy, bgra);
    if (g->cur_tex)
        g->dirty = true;
}

static void on_cursor_pos(void *u, int x, int y, bool visible)
{
    struct gui *g = u;
    g->cur_x = x;
    g->cur_y = y;
    g->cur_visible = visible;
    g->dirty = true;
}

static void on_monitors(void *u, const struct vmonitors *list)
{
    struct gui *g = u;
    g->mons = *list;
    g->dirty = true;
}

static void on_chat(void *u, const char *text, size_t len)
{
    struct gui *g = u;
    vchat_add(&g->chat, true, text, len);
    vreport_chat("received", text, len);
    g->dirty = true;
}

static void on_clipboard(void *u, const char *text, size_t len)
{
    struct gui *g = u;
    char *c = malloc(len + 1);
    if (!c)
        return;
    memcpy(c, text, len);
    c[len] = '\0';
    if (SDL_SetClipboardText(c) != 0)
        SASAE_WARN("viewer", "cannot set the clipboard: %s", SDL_GetError());
    else
        vreport_clipboard("received", (long)len, NULL);
    free(c);
    g->dirty = true;
}

static void on_sysinfo(void *u, const char *text, size_t len)
{
    struct gui *g = u;
    char *c = malloc(len + 1);
    if (!c)
        return;
    memcpy(c, text, len);
    c[len] = '\0';
    free(g->sysinfo);
    g->sysinfo = c;
    g->sysinfo_len = len;
    sasae_sysinfo_value(c, len, "computer", g->host_name, sizeof g->host_name);
    vreport_sysinfo(text, len);
    g->dirty = true;
}

static void on_file(void *u, const struct sasae_filesend *fs)
{
    struct gui *g = u;
    vfile_line(fs, g->lang == SASAE_LANG_JA, g->file_line, sizeof g->file_line);
    g->file_active = fs->state == SASAE_FILESEND_OFFERED || fs->state == SASAE_FILESEND_SENDING;
    g->dirty = true;
}

void vgui_start_session(struct gui *g)
{
    g->session_cfg = *g->cfg;
    memcpy(g->session_cfg.code, g->code.digits, sizeof g->session_cfg.code);
    struct vsink sink = {.user = g,
                         .wake = on_wake,
                         .state = on_state,
                         .host_key = on_host_key,
                         .frame = on_frame,
                         .decode_error = on_decode_error,
                         .cursor_shape = on_cursor_shape,
                         .cursor_pos = on_cursor_pos,
                         .sysinfo = on_sysinfo,
                         .monitors = on_monitors,
                         .clipboard = on_clipboard,
                         .chat = on_chat,
                         .file = on_file,
                         .link = on_link};
    g->phase = PHASE_SESSION;
    sasae_vsm_init(&g->sm);
    vreport_state(&g->sm);
    g->src = vapp_source_new(&g->session_cfg, &sink);
    if (!g->src) {
        g->sm.state = SASAE_VSM_ENDED;
        g->sm.end = SASAE_VSM_END_ERROR;
        vreport_state(&g->sm);
    }
    g->dirty = true;
}

void vgui_end_pressed(struct gui *g)
{
    if (g->src && g->sm.state != SASAE_VSM_ENDED)
        g->src->ops->end(g->src);
    g->dirty = true;
}

void vgui_finish(struct gui *g)
{
    g->exit_code = g->phase == PHASE_CODE ? 0 : sasae_vsm_exit_code(g->sm.end);
    g->quit = true;
}
