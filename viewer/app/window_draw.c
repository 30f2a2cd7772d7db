/* The window's drawing and presenting: the customer's screen (an RGB streaming texture, the
 * decoder's changed tiles converted into it), its cursor, the stroke being drawn, the code box, the
 * state screens, the stats and system information panels, the status bar; and the mouse
 * cursor over the picture. */
#include <stdlib.h>
#include <libyuv.h>
#include <string.h>

#include "sasae/common.h"
#include "sasae/marker.h"
#include "strings.h"
#include "window.h"

/* Converts the picture's rectangle {x, y, w, h} (grown to even edges: I420 shares a chroma
 * sample between two pixels) into the texture. Locking only that rectangle keeps the work to
 * what changed: the software renderer hands out its own pixels, the GL and Direct3D ones
 * upload just the rectangle on unlock. */
static void upload_rect(struct gui *g, const struct vimage *img, int x, int y, int w, int h)
{
    int x1 = x + w + ((x + w) & 1), y1 = y + h + ((y + h) & 1);
    x = x < 0 ? 0 : x & ~1;
    y = y < 0 ? 0 : y & ~1;
    x1 = x1 > img->w ? img->w : x1;
    y1 = y1 > img->h ? img->h : y1;
    if (x1 <= x || y1 <= y)
        return;
    SDL_Rect r = {x, y, x1 - x, y1 - y};
    void *px;
    int pitch;
    if (SDL_LockTexture(g->tex, &r, &px, &pitch) != 0) {
        SASAE_WARN("viewer", "texture update failed: %s", SDL_GetError());
        return;
    }
    /* libyuv's ARGB is SDL's ARGB8888 in memory; BT.601 limited range, as the host's
     * ARGBToI420 made it */
    I420ToARGB(img->planes[0] + (size_t)y * img->strides[0] + x, img->strides[0],
               img->planes[1] + (size_t)(y / 2) * img->strides[1] + x / 2, img->strides[1],
               img->planes[2] + (size_t)(y / 2) * img->strides[2] + x / 2, img->strides[2], px,
               pitch, r.w, r.h);
    SDL_UnlockTexture(g->tex);
}

bool vgui_upload_frame(struct gui *g, const struct vimage *img)
{
    bool whole = g->tex_stale || !img->damage || img->damage->full;
    if (!g->tex || g->tex_w != img->w || g->tex_h != img->h) {
        if (g->tex)
            SDL_DestroyTexture(g->tex);
        /* RGB, not IYUV: SDL converts an IYUV texture whole on every update, whatever the
         * rectangle; converting here does only the changed tiles */
        g->tex = SDL_CreateTexture(g->r, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING,
                                   img->w, img->h);
        if (!g->tex) {
            SASAE_ERR("viewer", "cannot create %dx%d texture: %s", img->w, img->h, SDL_GetError());
            return false;
        }
        SDL_SetTextureBlendMode(g->tex, SDL_BLENDMODE_NONE);
        g->tex_w = img->w;
        g->tex_h = img->h;
        g->view.screen_w = img->w;
        g->view.screen_h = img->h;
        sasae_view_clamp(&g->view);
        whole = true;
    }
    if (whole)
        upload_rect(g, img, 0, 0, img->w, img->h);
    else
        for (int i = 0; i < img->damage->n; i++)
            upload_rect(g, img, img->damage->rects[i][0], img->damage->rects[i][1],
                        img->damage->rects[i][2], img->damage->rects[i][3]);
    g->tex_stale = false;
    return true;
}

void vgui_upload_cursor(struct gui *g, int w, int h, int hx, int hy, const uint8_t *bgra)
{
    if (g->cur_tex)
        SDL_DestroyTexture(g->cur_tex);
    /* BGRA bytes are ARGB8888 words on a little-endian machine. */
    g->cur_tex = SDL_CreateTexture(g->r, SDL_PIXELFORMAT_BGRA32, SDL_TEXTUREACCESS_STATIC, w, h);
    if (!g->cur_tex)
        return;
    SDL_UpdateTexture(g->cur_tex, NULL, bgra, w * 4);
    SDL_SetTextureBlendMode(g->cur_tex, SDL_BLENDMODE_BLEND);
    g->cur_w = w;
    g->cur_h = h;
    g->cur_hx = hx;
    g->cur_hy = hy;
}

static void draw_centered(struct gui *g, sasae_font *f, const char *text, int cy, SDL_Color c)
{
    int ww, wh, tw = 0, th = 0;
    SDL_GetRendererOutputSize(g->r, &ww, &wh);
    sasae_text_size(f, text, &tw, &th);
    vtext_draw(&g->text, f, text, (ww - tw) / 2, cy - th / 2, c);
}

static const char *state_text(const struct gui *g)
{
    switch (g->sm.state) {
    case SASAE_VSM_CONNECTING:
        return vstr(g->lang, VS_ST_CONNECTING);
    case SASAE_VSM_WAITING_PEER:
        return vstr(g->lang, VS_ST_WAITING_PEER);
    case SASAE_VSM_HANDSHAKE:
        return vstr(g->lang, VS_ST_HANDSHAKE);
    case SASAE_VSM_WAITING_CONSENT:
        return vstr(g->lang, VS_ST_WAITING_CONSENT);
    case SASAE_VSM_VIEWING:
        if (g->sm.control == SASAE_VSM_CONTROL_REQUESTED)
            return vstr(g->lang, VS_ST_CONTROL_REQUESTED);
        if (g->sm.control == SASAE_VSM_CONTROL_GRANTED)
            return vstr(g->lang, VS_ST_CONTROL_GRANTED);
        return vstr(g->lang, VS_ST_VIEWING);
    case SASAE_VSM_RECONNECTING:
        return vstr(g->lang, VS_ST_RECONNECTING);
    case SASAE_VSM_ENDED:
        return vstr_end(g->lang, g->sm.end);
    }
    return "";
}

static SDL_Color state_colour(const struct gui *g)
{
    switch (g->sm.state) {
    case SASAE_VSM_VIEWING:
        return g->sm.control == SASAE_VSM_CONTROL_GRANTED ? (SDL_Color){0xe0, 0xa0, 0x00, 0xff}
                                                          : (SDL_Color){0x20, 0xa0, 0x40, 0xff};
    case SASAE_VSM_ENDED:
        return g->sm.end == SASAE_VSM_END_OPERATOR ? (SDL_Color){0x80, 0x80, 0x80, 0xff}
                                                   : (SDL_Color){0xd0, 0x30, 0x30, 0xff};
    default:
        return (SDL_Color){0x30, 0x70, 0xd0, 0xff};
    }
}

/* The status bar's latency, rate and bitrate, renewed only by the loop's tick: a text that
 * changed on every frame would be rendered again on every frame. */
static void update_figures(struct gui *g)
{
    struct sasae_meter_stats st;
    sasae_meter_get(&g->meter, sasae_mono_ns() / 1000, &st);
    snprintf(g->figures, sizeof g->figures, "%s %.0f ms · %.1f fps · %.2f Mbit/s",
             vstr(g->lang, VS_LATENCY), st.latency_ms, st.fps, st.kbps / 1000.0);
}

bool vgui_figures_tick(struct gui *g)
{
    if (g->show_stats) /* the panel's figures (link estimate, counters) move too */
        return true;
    if (g->sm.state != SASAE_VSM_VIEWING || g->file_line[0])
        return false; /* no figures shown */
    char before[sizeof g->figures];
    memcpy(before, g->figures, sizeof before);
    update_figures(g);
    return strcmp(before, g->figures) != 0;
}

static void draw_status(struct gui *g, int ww, int wh)
{
    SDL_Rect bar = {0, wh - STATUS_H, ww, STATUS_H};
    SDL_SetRenderDrawColor(g->r, 0x2b, 0x2b, 0x2b, 0xff);
    SDL_RenderFillRect(g->r, &bar);
    SDL_Color c = state_colour(g);
    SDL_Rect dot = {8, wh - STATUS_H + 9, 12, 12};
    SDL_SetRenderDrawColor(g->r, c.r, c.g, c.b, 0xff);
    SDL_RenderFillRect(g->r, &dot);
    int ty = wh - STATUS_H + (STATUS_H - sasae_font_height(g->small)) / 2;
    int x = 28;
    int w = vtext_draw(&g->text, g->small, state_text(g), x, ty, LIGHT);
    x += (w > 0 ? w : 0) + 24;

    char buf[256];
    if (g->host_fpr[0]) {
        /* The first four groups identify the key at a glance; F3 shows all of it. */
        char shortfp[40];
        snprintf(shortfp, sizeof shortfp, "%.26s", g->host_fpr);
        snprintf(buf, sizeof buf, "%s %s%s", vstr(g->lang, VS_HOST_KEY), shortfp,
                 strlen(g->host_fpr) > 26 ? "… (F3)" : "");
        w = vtext_draw(&g->text, g->small, buf, x, ty, (SDL_Color){0xc8, 0xd8, 0xff, 0xff});
        x += (w > 0 ? w : 0) + 24;
    }
    if (g->file_line[0])
        vtext_draw(&g->text, g->small, g->file_line, x, ty, (SDL_Color){0xff, 0xe0, 0x90, 0xff});
    if (g->sm.state == SASAE_VSM_VIEWING && !g->file_line[0]) {
        if (!g->figures[0]) /* then the loop's tick (vgui_figures_tick) renews them */
            update_figures(g);
        int tw = 0, th = 0;
        vtext_size(&g->text, g->small, g->figures, &tw, &th);
        int rx = ww - tw - 10;
        vtext_draw(&g->text, g->small, g->figures, rx > x ? rx : x, ty, LIGHT);
    }
}

/* One piece of a thick line as triangles: a solid core and, where the renderer blends, a
 * one-pixel rim fading to transparent on each side (antialiased edges). */
static int line_quad(SDL_Vertex *v, float x0, float y0, float x1, float y1, float half, SDL_Color c)
{
    float dx = x1 - x0, dy = y1 - y0, l = SDL_sqrtf(dx * dx + dy * dy);
    if (l < 0.01f)
        return 0;
    float nx = -dy / l, ny = dx / l;
    SDL_Color clear = {c.r, c.g, c.b, 0};
    /* offsets across the line: rim out, core edge, core edge, rim out */
    float off[4] = {-(half + 0.5f), -(half - 0.5f), half - 0.5f, half + 0.5f};
    SDL_Color col[4] = {clear, c, c, clear};
    int n = 0;
    for (int band = 0; band < 3; band++) {
        SDL_Vertex a = {{x0 + nx * off[band], y0 + ny * off[band]}, col[band], {0, 0}};
        SDL_Vertex b = {{x1 + nx * off[band], y1 + ny * off[band]}, col[band], {0, 0}};
        SDL_Vertex c2 = {{x1 + nx * off[band + 1], y1 + ny * off[band + 1]}, col[band + 1], {0, 0}};
        SDL_Vertex d = {{x0 + nx * off[band + 1], y0 + ny * off[band + 1]}, col[band + 1], {0, 0}};
        v[n++] = a, v[n++] = b, v[n++] = c2;
        v[n++] = a, v[n++] = c2, v[n++] = d;
    }
    return n;
}

/* A round join/cap: a disc of radius half with a fading rim. */
static int disc(SDL_Vertex *v, float x, float y, float half, SDL_Color c)
{
    enum { SEG = 12 };
    SDL_Color clear = {c.r, c.g, c.b, 0};
    int n = 0;
    for (int i = 0; i < SEG; i++) {
        float a0 = 6.2831853f * (float)i / SEG, a1 = 6.2831853f * (float)(i + 1) / SEG;
        float c0 = SDL_cosf(a0), s0 = SDL_sinf(a0), c1 = SDL_cosf(a1), s1 = SDL_sinf(a1);
        float r = half - 0.5f > 0 ? half - 0.5f : 0, R = half + 0.5f;
        SDL_Vertex o = {{x, y}, c, {0, 0}};
        SDL_Vertex p0 = {{x + c0 * r, y + s0 * r}, c, {0, 0}};
        SDL_Vertex p1 = {{x + c1 * r, y + s1 * r}, c, {0, 0}};
        SDL_Vertex q0 = {{x + c0 * R, y + s0 * R}, clear, {0, 0}};
        SDL_Vertex q1 = {{x + c1 * R, y + s1 * R}, clear, {0, 0}};
        v[n++] = o, v[n++] = p0, v[n++] = p1;
        v[n++] = p0, v[n++] = q0, v[n++] = q1;
        v[n++] = p0, v[n++] = q1, v[n++] = p1;
    }
    return n;
}

/* The stroke being drawn, as the customer will see it (red, the pen's width at the view's
 * scale): the host's own drawing arrives with the next frames. */
static void draw_pen_preview(struct gui *g)
{
    const struct sasae_pen *p = &g->tools.pen;
    if (!p->down || p->n < 1)
        return;
    /* per point: one segment (3 bands, 18 vertices) and one disc (12 x 9) */
    enum { PER_POINT = 18 + 12 * 9, CAP = 32 * PER_POINT };
    SDL_Vertex v[CAP];
    SDL_Color red = {0xff, 0x00, 0x00, 0xff};
    float half = (float)(p->width * sasae_view_scale(&g->view)) / 2.0f;
    half = half < 1.0f ? 1.0f : half;
    SDL_Rect area = {g->view.area_x, g->view.area_y, g->view.area_w, g->view.area_h};
    SDL_RenderSetClipRect(g->r, &area);
    SDL_SetRenderDrawBlendMode(g->r, SDL_BLENDMODE_BLEND);
    int nv = 0, px = 0, py = 0;
    for (int i = 0; i < p->n; i++) {
        int wx, wy;
        sasae_view_to_window(&g->view, p->pts[i][0], p->pts[i][1], &wx, &wy);
        if (i > 0)
            nv += line_quad(v + nv, (float)px, (float)py, (float)wx, (float)wy, half, red);
        nv += disc(v + nv, (float)wx, (float)wy, half, red);
        px = wx;
        py = wy;
        if (nv > CAP - PER_POINT || i == p->n - 1) {
            SDL_RenderGeometry(g->r, NULL, v, nv, NULL, 0);
            nv = 0;
        }
    }
    SDL_SetRenderDrawBlendMode(g->r, SDL_BLENDMODE_NONE);
    SDL_RenderSetClipRect(g->r, NULL);
}

static void draw_screen(struct gui *g)
{
    int src[4], dst[4];
    if (!g->tex || !sasae_view_layout(&g->view, src, dst))
        return;
    SDL_Rect s = {src[0], src[1], src[2], src[3]}, d = {dst[0], dst[1], dst[2], dst[3]};
    SDL_RenderCopy(g->r, g->tex, &s, &d);
    if (g->cur_tex && g->cur_visible) {
        double k = sasae_view_scale(&g->view);
        int wx, wy;
        sasae_view_to_window(&g->view, g->cur_x, g->cur_y, &wx, &wy);
        SDL_Rect cr = {wx - (int)(g->cur_hx * k), wy - (int)(g->cur_hy * k),
                       (int)(g->cur_w * k + 0.5), (int)(g->cur_h * k + 0.5)};
        if (cr.w < 1)
            cr.w = 1;
        if (cr.h < 1)
            cr.h = 1;
        SDL_Rect area = {g->view.area_x, g->view.area_y, g->view.area_w, g->view.area_h};
        SDL_RenderSetClipRect(g->r, &area);
        SDL_RenderCopy(g->r, g->cur_tex, NULL, &cr);
        SDL_RenderSetClipRect(g->r, NULL);
    }
    draw_pen_preview(g);
}

/* A translucent panel with a title and lines; a line wider than the panel wraps, its
 * continuation indented, so nothing is cut off at the edge. */
static void draw_panel(struct gui *g, int x, int y, int w, const char *title, char **lines, int n)
{
    int lh = sasae_font_height(g->small), tw = w - 20, h = lh;
    for (int i = 0; i < n; i++)
        h += lines[i][0] ? sasae_text_draw_wrapped(NULL, g->small, lines[i], 0, 0, tw, 24, LIGHT)
                         : lh;
    SDL_Rect box = {x, y, w, h + 20};
    SDL_SetRenderDrawBlendMode(g->r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(g->r, 0x10, 0x10, 0x10, 0xd8);
    SDL_RenderFillRect(g->r, &box);
    SDL_SetRenderDrawBlendMode(g->r, SDL_BLENDMODE_NONE);
    vtext_draw(&g->text, g->small, title, x + 10, y + 8, (SDL_Color){0xff, 0xd0, 0x60, 0xff});
    int ly = y + 8 + lh;
    for (int i = 0; i < n; i++)
        ly += lines[i][0]
                  ? sasae_text_draw_wrapped(g->r, g->small, lines[i], x + 10, ly, tw, 24, LIGHT)
                  : lh;
}

static void draw_stats(struct gui *g)
{
    struct sasae_meter_stats st;
    sasae_meter_get(&g->meter, sasae_mono_ns() / 1000, &st);
    char l[14][256];
    char *p[14];
    int n = 0;
    snprintf(l[n++], sizeof l[0], "state: %s%s", sasae_vsm_state_name(g->sm.state),
             g->sm.state == SASAE_VSM_ENDED ? "" : "");
    /* Say what was checked: the host signed the handshake with this key. Nothing yet ties the
     * key or the name to the customer's PC; the customer's session bar shows the same key. */
    snprintf(l[n++], sizeof l[0], "%s", vstr(g->lang, VS_HOST_KEY_DETAIL));
    snprintf(l[n++], sizeof l[0], "  %s", g->host_fpr[0] ? g->host_fpr : "-");
    snprintf(l[n++], sizeof l[0], "%s: %s", vstr(g->lang, VS_HOST_NAME),
             g->host_name[0] ? g->host_name : "-");
    snprintf(l[n++], sizeof l[0], "screen: %dx%d  view: %s  scale: %.3f", g->tex_w, g->tex_h,
             g->view.mode == SASAE_VIEW_FIT ? "fit" : "1:1", sasae_view_scale(&g->view));
    snprintf(l[n++], sizeof l[0], "latency (glass to glass): median %.1f ms, max %.1f ms",
             st.latency_ms, st.latency_max_ms);
    snprintf(l[n++], sizeof l[0], "frame rate: %.1f fps   decode: %.2f ms", st.fps, st.decode_ms);
    snprintf(l[n++], sizeof l[0], "bitrate: %.0f kbit/s", st.kbps);
    /* the link as measured here: what it carries (estimate) and how late frames arrive */
    if (g->link_kbps)
        snprintf(l[n++], sizeof l[0], "link: about %u kbit/s, frames %.0f ms late (median)",
                 g->link_kbps, st.latency_ms);
    else
        snprintf(l[n++], sizeof l[0], "link: not measured yet");
    snprintf(l[n++], sizeof l[0], "frames: %llu   decode errors: %llu   received: %.1f MB",
             (unsigned long long)g->meter.total_frames, (unsigned long long)g->decode_errors,
             g->meter.total_bytes / 1e6);
    snprintf(l[n++], sizeof l[0], "control: %s",
             g->sm.control == SASAE_VSM_CONTROL_GRANTED     ? "granted"
             : g->sm.control == SASAE_VSM_CONTROL_REQUESTED ? "requested"
                                                            : "none");
    for (int i = 0; i < n; i++)
        p[i] = l[i];
    int ww, wh;
    SDL_GetRendererOutputSize(g->r, &ww, &wh);
    int w = 600 < ww / 2 - 20 ? 600 : ww / 2 - 20;
    draw_panel(g, ww - w - 10, TOOLBAR_H + 10, w, vstr(g->lang, VS_STATS_TITLE), p, n);
}

static void draw_sysinfo(struct gui *g)
{
    char *lines[48];
    char l[48][200];
    int n = 0;
    if (!g->sysinfo) {
        snprintf(l[0], sizeof l[0], "%s", vstr(g->lang, VS_SYSINFO_NONE));
        n = 1;
    } else {
        const char *s = g->sysinfo;
        while (*s && n < 48) {
            const char *e = strchr(s, '\n');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            snprintf(l[n++], sizeof l[0], "%.*s", (int)(len < 199 ? len : 199), s);
            s += len + (e ? 1 : 0);
        }
    }
    for (int i = 0; i < n; i++)
        lines[i] = l[i];
    int ww, wh;
    SDL_GetRendererOutputSize(g->r, &ww, &wh);
    int w = 600 < ww / 2 - 20 ? 600 : ww / 2 - 20;
    draw_panel(g, 10, TOOLBAR_H + 10, w, vstr(g->lang, VS_SYSINFO_TITLE), lines, n);
}

static void draw_code_phase(struct gui *g, int ww, int wh)
{
    SDL_SetRenderDrawColor(g->r, 0xfa, 0xfa, 0xfa, 0xff);
    SDL_RenderClear(g->r);
    draw_centered(g, g->font, vstr(g->lang, VS_CODE_PROMPT), wh / 2 - 80, FG);
    SDL_Rect box = {ww / 2 - 170, wh / 2 - 45, 340, 64};
    SDL_SetRenderDrawColor(g->r, 0xff, 0xff, 0xff, 0xff);
    SDL_RenderFillRect(g->r, &box);
    SDL_SetRenderDrawColor(g->r, 0x1f, 0x5f, 0xbf, 0xff);
    SDL_RenderDrawRect(g->r, &box);
    char shown[SASAE_CODE_SHOWN];
    sasae_code_format(g->code.digits, shown);
    if (shown[0])
        draw_centered(g, g->big, shown, wh / 2 - 13, FG);
    if (sasae_code_entry_typo(&g->code)) /* caught before any network attempt */
        draw_centered(g, g->small, vstr(g->lang, VS_CODE_TYPO), wh / 2 + 38,
                      (SDL_Color){0xc0, 0x20, 0x20, 0xff});
    else
        draw_centered(g, g->small, vstr(g->lang, VS_CODE_HINT), wh / 2 + 38,
                      (SDL_Color){0x60, 0x60, 0x60, 0xff});
    g->btn[B_CONNECT].is_default = sasae_code_entry_complete(&g->code);
    vtext_button(&g->text, g->font, &g->btn[B_CONNECT]);
}

void vgui_render(struct gui *g)
{
    int ww, wh;
    vgui_layout(g);
    SDL_GetRendererOutputSize(g->r, &ww, &wh);
    if (g->phase == PHASE_CODE) {
        draw_code_phase(g, ww, wh);
        SDL_RenderPresent(g->r);
        return;
    }
    SDL_SetRenderDrawColor(g->r, 0x18, 0x18, 0x18, 0xff);
    SDL_RenderClear(g->r);
    if (g->sm.state == SASAE_VSM_VIEWING) {
        draw_screen(g);
    } else if (g->sm.state == SASAE_VSM_ENDED) {
        draw_centered(g, g->big, vstr_end(g->lang, g->sm.end), wh / 2 - 20, LIGHT);
        if (g->sm.fault)
            draw_centered(g, g->small, vstr_fault(g->lang, g->sm.fault), wh / 2 + 20,
                          (SDL_Color){0xff, 0x90, 0x90, 0xff});
        vtext_button(&g->text, g->font, &g->btn[B_CLOSE]);
    } else {
        draw_centered(g, g->big, state_text(g), wh / 2 - 40, LIGHT);
        if (g->sm.state == SASAE_VSM_WAITING_CONSENT)
            draw_centered(g, g->small, vstr(g->lang, VS_WAIT_CONSENT_DETAIL), wh / 2 + 10,
                          (SDL_Color){0xb0, 0xb0, 0xb0, 0xff});
        char shown[SASAE_CODE_SHOWN];
        sasae_code_format(g->code.digits, shown);
        if (shown[0])
            draw_centered(g, g->font, shown, wh / 2 + 50, (SDL_Color){0x90, 0x90, 0x90, 0xff});
    }
    vgui_draw_toolbar(g, ww);
    if (g->show_stats)
        draw_stats(g);
    if (g->show_sysinfo)
        draw_sysinfo(g);
    if (g->sm.state == SASAE_VSM_VIEWING)
        vchat_draw(&g->chat, &g->text, g->small, 8, wh - 40, ww / 2, vstr(g->lang, VS_CHAT_YOU),
                   vstr(g->lang, VS_CHAT_CUSTOMER), vstr(g->lang, VS_CHAT_HINT));
    if (g->sm.state == SASAE_VSM_VIEWING)
        vpathbox_draw(&g->pathbox, &g->text, g->small, 0, wh - STATUS_H, ww,
                      vstr(g->lang, VS_FILE_PROMPT), vstr(g->lang, VS_FILE_PROMPT_HINT));
    draw_status(g, ww, wh);
    vgui_draw_tooltip(g, ww);
    SDL_RenderPresent(g->r);

    /* Glass to glass: the frames uploaded since the last present are on screen now. */
    uint64_t shown = sasae_wall_us(), mono = sasae_mono_ns() / 1000;
    for (int i = 0; i < g->npending; i++) {
        const struct vframe_info *fi = &g->pending[i];
        sasae_meter_add(&g->meter, mono, fi->bytes, (int64_t)(shown - fi->capture_us),
                        fi->decode_us);
        vframelog_write(g->framelog, fi, shown, g->tex_w, g->tex_h, false);
    }
    g->npending = 0;
}

/* The pointing hand as the mouse cursor while the pointer tool is on, at the size the
 * customer's screen shows it scaled as the picture is: the operator's hand covers the one
 * in the video. */
void vgui_update_cursor(struct gui *g)
{
    bool want = g->phase == PHASE_SESSION && g->sm.state == SASAE_VSM_VIEWING &&
                g->tools.tool == SASAE_TOOL_POINTER && g->tex_h > 0 &&
                vgui_in_area(g, g->mouse_x, g->mouse_y);
    double k = want ? sasae_view_scale(&g->view) : 0;
    if (want && (!g->hand || k != g->hand_scale)) {
        int hh = sasae_marker_height_for(g->tex_h), w, h, hx, hy;
        sasae_marker_geometry(hh, &w, &h, &hx, &hy);
        uint32_t *px = malloc(sizeof *px * (size_t)w * (size_t)h);
        SDL_Surface *src = NULL, *dst = NULL;
        if (px && sasae_marker_render(px, w, h, hh, 255) == 0) {
            for (int i = 0; i < w * h; i++) { /* SDL wants straight alpha */
                unsigned a = px[i] >> 24, c[3];
                for (int j = 0; j < 3; j++)
                    c[j] = a ? ((px[i] >> (16 - 8 * j)) & 0xff) * 255 / a : 0;
                px[i] = (uint32_t)a << 24 | c[0] << 16 | c[1] << 8 | c[2];
            }
            src = SDL_CreateRGBSurfaceWithFormatFrom(px, w, h, 32, w * 4, SDL_PIXELFORMAT_ARGB8888);
        }
        int cw = (int)(w * k + 0.5), ch = (int)(h * k + 0.5);
        cw = cw < 24 ? 24 : cw;
        ch = ch < 30 ? 30 : ch;
        if (src)
            dst = SDL_CreateRGBSurfaceWithFormat(0, cw, ch, 32, SDL_PIXELFORMAT_ARGB8888);
        if (dst) {
            SDL_SetSurfaceBlendMode(src, SDL_BLENDMODE_NONE);
            SDL_BlitScaled(src, NULL, dst, NULL);
            SDL_Cursor *c = SDL_CreateColorCursor(dst, hx * cw / w, hy * ch / h);
            if (c) {
                if (g->hand)
                    SDL_FreeCursor(g->hand);
                g->hand = c;
                g->hand_scale = k;
            }
        }
        SDL_FreeSurface(dst);
        SDL_FreeSurface(src);
        free(px);
    }
    SDL_Cursor *cur = want && g->hand ? g->hand : SDL_GetDefaultCursor();
    if (SDL_GetCursor() != cur)
        SDL_SetCursor(cur);
}
