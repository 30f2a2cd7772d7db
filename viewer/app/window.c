/* The operator's SDL2 window: code entry, status, the customer's screen (I420 texture fed
 * straight from the decoder planes), cursor, tools, overlays and end screens. */
#include <SDL.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "chat.h"
#include "keys.h"
#include "sasae/annot.h"
#include "sasae/common.h"
#include "sasae/marker.h"
#include "sasae/ui.h"
#include "strings.h"

#define TOOLBAR_H 44
#define STATUS_H 30
#define PENDING_MAX 16
#define TOOLTIP_NS 600000000ull /* hover this long before a tooltip shows */

enum tool { TOOL_NONE, TOOL_POINTER, TOOL_PEN, TOOL_HIGHLIGHTER };
enum phase { PHASE_CODE, PHASE_SESSION };
/* the toolbar, left to right; End at the right end */
enum btn {
    B_POINTER,
    B_PEN,
    B_HIGHLIGHTER,
    B_UNDO,
    B_CLEAR,
    B_CONTROL,
    B_MONITOR,
    B_MODE,
    B_END,
    B_CONNECT,
    B_CLOSE,
    B__COUNT
};

struct gui {
    const struct vcfg *cfg;
    struct vcfg session_cfg; /* cfg with the code typed in: the source keeps a pointer to it */
    enum sasae_lang lang;
    SDL_Window *win;
    SDL_Renderer *r;
    sasae_font *font, *big, *small;
    Uint32 wake_event;
    enum phase phase;
    struct sasae_code_entry code;
    bool code_error;

    struct vsource *src;
    bool src_done;
    struct sasae_vsm sm;
    char host_fpr[128];
    char host_name[80]; /* "computer=" of the host's system information: its own claim */
    bool test_pattern;

    SDL_Texture *tex;
    int tex_w, tex_h;
    struct sasae_view view;

    SDL_Texture *cur_tex;
    int cur_w, cur_h, cur_hx, cur_hy, cur_x, cur_y;
    bool cur_visible;

    char *sysinfo;
    size_t sysinfo_len;
    bool file_offered;   /* --send-file done */
    char file_line[600]; /* the file being sent (dropped on the window), or why it was not */

    struct vmonitors mons; /* the host's monitors (count 0: it cannot switch) */
    char mon_label[64];

    struct sasae_meter meter;
    struct vframe_info pending[PENDING_MAX];
    int npending;
    uint64_t frames, decode_errors;
    FILE *framelog;

    bool show_stats, show_sysinfo, fullscreen;
    struct vchat chat;
    enum tool tool;
    struct sasae_pen pen;
    struct sasae_pointer ptr;
    int mouse_x, mouse_y;
    SDL_Cursor *hand; /* the pointing hand as the mouse cursor over the picture */
    double hand_scale;
    int hover; /* toolbar button under the mouse, -1 none */
    uint64_t hover_since_ns;

    sasae_button btn[B__COUNT];
    bool dirty;
    bool closing; /* window closed: quit once the source is done */
    uint64_t closing_deadline_ns;
    bool quit;
    int exit_code;
    uint64_t viewing_since_ns;
};

static const SDL_Color FG = {0x20, 0x20, 0x20, 0xff};
static const SDL_Color LIGHT = {0xf0, 0xf0, 0xf0, 0xff};

/* ---- sink callbacks (called from vsource pump on this thread, wake from any) ----------- */

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
        sasae_pen_reset(&g->pen);
    if (sm->state == SASAE_VSM_VIEWING && !was_viewing)
        g->viewing_since_ns = sasae_mono_ns();
    if (sm->control == SASAE_VSM_CONTROL_GRANTED && g->tool == TOOL_POINTER)
        g->tool = TOOL_NONE; /* with control, plain mouse use goes to the customer */
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

static void on_frame(void *u, const struct vimage *img, const struct vframe_info *fi)
{
    struct gui *g = u;
    if (!g->tex || g->tex_w != img->w || g->tex_h != img->h) {
        if (g->tex)
            SDL_DestroyTexture(g->tex);
        g->tex = SDL_CreateTexture(g->r, SDL_PIXELFORMAT_IYUV, SDL_TEXTUREACCESS_STREAMING, img->w,
                                   img->h);
        if (!g->tex) {
            SASAE_ERR("viewer", "cannot create %dx%d texture: %s", img->w, img->h, SDL_GetError());
            return;
        }
        g->tex_w = img->w;
        g->tex_h = img->h;
        g->view.screen_w = img->w;
        g->view.screen_h = img->h;
        sasae_view_clamp(&g->view);
    }
    /* Straight from the decoder's planes into the texture: no intermediate copy. */
    if (SDL_UpdateYUVTexture(g->tex, NULL, img->planes[0], img->strides[0], img->planes[1],
                             img->strides[1], img->planes[2], img->strides[2]) != 0)
        SASAE_WARN("viewer", "texture update failed: %s", SDL_GetError());
    if (g->npending < PENDING_MAX)
        g->pending[g->npending++] = *fi;
    g->frames++;
    g->dirty = true;
}

static void on_decode_error(void *u, const struct vframe_info *fi, const char *why)
{
    struct gui *g = u;
    g->decode_errors++;
    vframelog_write(g->framelog, fi, sasae_wall_us(), 0, 0, true);
    SASAE_WARN("viewer", "frame %u did not decode (%s); keyframe requested", fi->frame_id, why);
}

static void on_cursor_shape(void *u, int w, int h, int hx, int hy, const uint8_t *bgra)
{
    struct gui *g = u;
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

/* ---- monitor switch ---------------------------------------------------------------------- */

static void on_monitors(void *u, const struct vmonitors *list)
{
    struct gui *g = u;
    g->mons = *list;
    g->dirty = true;
}

/* Something to switch between: more than one monitor. */
static bool monitor_choice(const struct gui *g)
{
    return g->mons.count > 1;
}

/* "Monitor: 2/3" or "Monitor: all", in the viewer's language. */
static const char *monitor_label(struct gui *g)
{
    if (g->mons.selected == 0xff)
        snprintf(g->mon_label, sizeof g->mon_label, "%s: %s", vstr(g->lang, VS_BTN_MONITOR),
                 vstr(g->lang, VS_MONITOR_ALL));
    else
        snprintf(g->mon_label, sizeof g->mon_label, "%s: %d/%d", vstr(g->lang, VS_BTN_MONITOR),
                 g->mons.selected + 1, g->mons.count);
    return g->mon_label;
}

/* The button and F6: asks the host for the next monitor; the label follows the host's
 * answer (its next MONITOR_LIST), not the click. */
static void monitor_next(struct gui *g)
{
    if (!monitor_choice(g) || !g->src || !g->src->ops->monitor || g->sm.state != SASAE_VSM_VIEWING)
        return;
    g->src->ops->monitor(g->src,
                         sasae_view_next_monitor(g->mons.count, g->mons.selected, g->mons.all_ok));
}

static void on_chat(void *u, const char *text, size_t len)
{
    struct gui *g = u;
    vchat_add(&g->chat, true, text, len);
    vreport_chat("received", text, len);
    g->dirty = true;
}

/* F9 opens the chat line; Enter sends (only after consent: the host refuses it before). */
static bool chat_event(struct gui *g, const SDL_Event *e)
{
    if (e->type == SDL_KEYDOWN && e->key.keysym.sym == SDLK_F9 && !g->chat.typing &&
        g->phase == PHASE_SESSION && g->sm.state == SASAE_VSM_VIEWING) {
        vchat_set_typing(&g->chat, true);
        g->dirty = true;
        return true;
    }
    char msg[VCHAT_MAX + 1];
    int n = vchat_event(&g->chat, e, msg, sizeof msg);
    if (n < 0)
        return false;
    g->dirty = true;
    if (n > 0) {
        const struct vsource_ops *o = g->src ? g->src->ops : NULL;
        int rc = o && o->chat ? o->chat(g->src, msg, (size_t)n) : -ENOTSUP;
        if (rc == 0) {
            vchat_add(&g->chat, false, msg, (size_t)n);
            vreport_chat("sent", msg, (size_t)n);
        } else {
            SASAE_WARN("viewer", "chat message not sent (%d)", rc);
        }
    }
    return true;
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

/* ---- layout ------------------------------------------------------------------------------ */

static void layout(struct gui *g)
{
    int ww, wh;
    SDL_GetRendererOutputSize(g->r, &ww, &wh);
    g->view.area_x = 0;
    g->view.area_y = TOOLBAR_H;
    g->view.area_w = ww;
    g->view.area_h = wh - TOOLBAR_H - STATUS_H;
    if (g->view.area_h < 1)
        g->view.area_h = 1;
    sasae_view_clamp(&g->view);

    const char *labels[B__COUNT] = {
        [B_POINTER] = vstr(g->lang, VS_BTN_POINTER),
        [B_PEN] = vstr(g->lang, VS_BTN_PEN),
        [B_HIGHLIGHTER] = vstr(g->lang, VS_BTN_HIGHLIGHTER),
        [B_UNDO] = vstr(g->lang, VS_BTN_UNDO),
        [B_CLEAR] = vstr(g->lang, VS_BTN_CLEAR),
        [B_CONTROL] =
            vstr(g->lang, g->sm.control == SASAE_VSM_CONTROL_NONE ? VS_BTN_REQUEST_CONTROL
                                                                  : VS_BTN_RELEASE_CONTROL),
        [B_MONITOR] = monitor_label(g),
        [B_MODE] = vstr(g->lang, g->view.mode == SASAE_VIEW_FIT ? VS_BTN_1TO1 : VS_BTN_FIT),
        [B_END] = vstr(g->lang, VS_BTN_END),
        [B_CONNECT] = vstr(g->lang, VS_CONNECT),
        [B_CLOSE] = vstr(g->lang, VS_CLOSE),
    };
    int x = 8;
    for (int i = B_POINTER; i <= B_MODE; i++) {
        if (i == B_MONITOR && !monitor_choice(g)) {
            g->btn[i].rect = (SDL_Rect){0};
            continue; /* no gap where there is nothing to switch */
        }
        int tw = 0, th = 0;
        sasae_text_size(g->font, labels[i], &tw, &th);
        g->btn[i].rect = (SDL_Rect){x, 6, tw + 24, TOOLBAR_H - 12};
        g->btn[i].label = labels[i];
        x += tw + 24 + 6;
    }
    int tw = 0, th = 0;
    sasae_text_size(g->font, labels[B_END], &tw, &th);
    g->btn[B_END].rect = (SDL_Rect){ww - tw - 32, 6, tw + 24, TOOLBAR_H - 12};
    g->btn[B_END].label = labels[B_END];
    g->btn[B_END].fill = (SDL_Color){0xc0, 0x20, 0x20, 0xff};
    g->btn[B_POINTER].fill =
        g->tool == TOOL_POINTER ? (SDL_Color){0x9f, 0xc5, 0xf8, 0xff} : (SDL_Color){0};
    g->btn[B_PEN].fill = g->tool == TOOL_PEN ? (SDL_Color){0xf8, 0xa0, 0xa0, 0xff} : (SDL_Color){0};
    g->btn[B_HIGHLIGHTER].fill =
        g->tool == TOOL_HIGHLIGHTER ? (SDL_Color){0xf8, 0xa0, 0xa0, 0xff} : (SDL_Color){0};
    /* nothing to take back: greyed */
    g->btn[B_UNDO].fill =
        sasae_pen_can_undo(&g->pen) ? (SDL_Color){0} : (SDL_Color){0xdc, 0xdc, 0xdc, 0xff};
    g->btn[B_CONTROL].fill = g->sm.control == SASAE_VSM_CONTROL_GRANTED
                                 ? (SDL_Color){0xf0, 0xc0, 0x40, 0xff}
                                 : (SDL_Color){0};
    for (int i = B_CONNECT; i <= B_CLOSE; i++) {
        sasae_text_size(g->font, labels[i], &tw, &th);
        g->btn[i].rect = (SDL_Rect){(ww - tw - 48) / 2, wh / 2 + 60, tw + 48, 40};
        g->btn[i].label = labels[i];
        g->btn[i].is_default = true;
    }
}

static bool btn_visible(const struct gui *g, enum btn b)
{
    if (g->phase == PHASE_CODE)
        return b == B_CONNECT;
    if (g->sm.state == SASAE_VSM_ENDED)
        return b == B_CLOSE;
    if (b == B_END)
        return true;
    if (b == B_CONNECT || b == B_CLOSE)
        return false;
    if (b == B_MONITOR && !monitor_choice(g))
        return false;
    return g->sm.state == SASAE_VSM_VIEWING;
}

/* ---- drawing ----------------------------------------------------------------------------- */

static void draw_centered(struct gui *g, sasae_font *f, const char *text, int cy, SDL_Color c)
{
    int ww, wh, tw = 0, th = 0;
    SDL_GetRendererOutputSize(g->r, &ww, &wh);
    sasae_text_size(f, text, &tw, &th);
    sasae_text_draw(g->r, f, text, (ww - tw) / 2, cy - th / 2, c);
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
    int w = sasae_text_draw(g->r, g->small, state_text(g), x, ty, LIGHT);
    x += (w > 0 ? w : 0) + 24;

    char buf[256];
    if (g->host_fpr[0]) {
        /* The first four groups identify the key at a glance; F3 shows all of it. */
        char shortfp[40];
        snprintf(shortfp, sizeof shortfp, "%.26s", g->host_fpr);
        snprintf(buf, sizeof buf, "%s %s%s", vstr(g->lang, VS_HOST_KEY), shortfp,
                 strlen(g->host_fpr) > 26 ? "… (F3)" : "");
        w = sasae_text_draw(g->r, g->small, buf, x, ty, (SDL_Color){0xc8, 0xd8, 0xff, 0xff});
        x += (w > 0 ? w : 0) + 24;
    }
    if (g->file_line[0])
        sasae_text_draw(g->r, g->small, g->file_line, x, ty, (SDL_Color){0xff, 0xe0, 0x90, 0xff});
    if (g->sm.state == SASAE_VSM_VIEWING && !g->file_line[0]) {
        struct sasae_meter_stats st;
        sasae_meter_get(&g->meter, sasae_mono_ns() / 1000, &st);
        snprintf(buf, sizeof buf, "%s %.0f ms · %.1f fps · %.2f Mbit/s", vstr(g->lang, VS_LATENCY),
                 st.latency_ms, st.fps, st.kbps / 1000.0);
        int tw = 0, th = 0;
        sasae_text_size(g->small, buf, &tw, &th);
        int rx = ww - tw - 10;
        sasae_text_draw(g->r, g->small, buf, rx > x ? rx : x, ty, LIGHT);
    }
}

static void draw_toolbar(struct gui *g, int ww)
{
    SDL_Rect bar = {0, 0, ww, TOOLBAR_H};
    SDL_SetRenderDrawColor(g->r, 0xf4, 0xf4, 0xf4, 0xff);
    SDL_RenderFillRect(g->r, &bar);
    SDL_SetRenderDrawColor(g->r, 0xc0, 0xc0, 0xc0, 0xff);
    SDL_RenderDrawLine(g->r, 0, TOOLBAR_H - 1, ww, TOOLBAR_H - 1);
    if (g->test_pattern && g->sm.state != SASAE_VSM_ENDED) {
        int tw = 0, th = 0;
        const char *t = vstr(g->lang, VS_TEST_PATTERN);
        sasae_text_size(g->small, t, &tw, &th);
        int x = g->btn[B_END].rect.x - tw - 16;
        if (x > g->btn[B_MODE].rect.x + g->btn[B_MODE].rect.w + 8)
            sasae_text_draw(g->r, g->small, t, x, (TOOLBAR_H - th) / 2,
                            (SDL_Color){0xc0, 0x20, 0x20, 0xff});
    }
    for (int i = B_POINTER; i <= B_END; i++)
        if (btn_visible(g, i))
            sasae_button_draw(g->r, g->font, &g->btn[i]);
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
    const struct sasae_pen *p = &g->pen;
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
    sasae_text_draw(g->r, g->small, title, x + 10, y + 8, (SDL_Color){0xff, 0xd0, 0x60, 0xff});
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
    sasae_button_draw(g->r, g->font, &g->btn[B_CONNECT]);
}

static enum vstr tooltip_of(const struct gui *g, int b)
{
    switch (b) {
    case B_POINTER:
        return VS_TIP_POINTER;
    case B_PEN:
        return VS_TIP_PEN;
    case B_HIGHLIGHTER:
        return VS_TIP_HIGHLIGHTER;
    case B_UNDO:
        return VS_TIP_UNDO;
    case B_CLEAR:
        return VS_TIP_CLEAR;
    case B_CONTROL:
        return g->sm.control == SASAE_VSM_CONTROL_NONE ? VS_TIP_REQUEST_CONTROL
                                                       : VS_TIP_RELEASE_CONTROL;
    case B_MONITOR:
        return VS_TIP_MONITOR;
    case B_MODE:
        return VS_TIP_MODE;
    case B_END:
        return VS_TIP_END;
    }
    return VS__COUNT;
}

/* The hovered toolbar button's tooltip, in the viewer's language, below the toolbar and
 * inside the window. */
static void draw_tooltip(struct gui *g, int ww)
{
    if (g->hover < 0 || !btn_visible(g, g->hover) ||
        sasae_mono_ns() - g->hover_since_ns < TOOLTIP_NS)
        return;
    enum vstr id = tooltip_of(g, g->hover);
    if (id == VS__COUNT)
        return;
    const char *t = vstr(g->lang, id);
    int tw = 0, th = 0;
    sasae_text_size(g->small, t, &tw, &th);
    const SDL_Rect *b = &g->btn[g->hover].rect;
    int x = b->x, y = TOOLBAR_H + 4;
    if (x + tw + 16 > ww - 4)
        x = ww - 4 - tw - 16;
    x = x < 4 ? 4 : x;
    SDL_Rect box = {x, y, tw + 16, th + 10};
    SDL_SetRenderDrawColor(g->r, 0xff, 0xfb, 0xe0, 0xff);
    SDL_RenderFillRect(g->r, &box);
    SDL_SetRenderDrawColor(g->r, 0x80, 0x80, 0x80, 0xff);
    SDL_RenderDrawRect(g->r, &box);
    sasae_text_draw(g->r, g->small, t, x + 8, y + 5, FG);
}

static void render(struct gui *g)
{
    int ww, wh;
    layout(g);
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
        sasae_button_draw(g->r, g->font, &g->btn[B_CLOSE]);
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
    draw_toolbar(g, ww);
    if (g->show_stats)
        draw_stats(g);
    if (g->show_sysinfo)
        draw_sysinfo(g);
    if (g->sm.state == SASAE_VSM_VIEWING)
        vchat_draw(&g->chat, g->r, g->small, 8, wh - 40, ww / 2, vstr(g->lang, VS_CHAT_YOU),
                   vstr(g->lang, VS_CHAT_CUSTOMER), vstr(g->lang, VS_CHAT_HINT));
    draw_status(g, ww, wh);
    draw_tooltip(g, ww);
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

/* ---- operator tools ---------------------------------------------------------------------- */

static bool in_area(const struct gui *g, int x, int y)
{
    return y >= g->view.area_y && y < g->view.area_y + g->view.area_h;
}

static void pen_send(void *user, uint32_t id, const int32_t *xy, int n, bool final, int width)
{
    struct gui *g = user;
    g->src->ops->pen(g->src, id, xy, n, final, width);
}

static bool pen_tool(const struct gui *g)
{
    return g->tool == TOOL_PEN || g->tool == TOOL_HIGHLIGHTER;
}

static void pen_at(struct gui *g, int wx, int wy, int what)
{
    int sx, sy;
    sasae_view_to_screen(&g->view, wx, wy, &sx, &sy);
    uint64_t now = sasae_mono_ns();
    if (what == 0)
        sasae_pen_down(&g->pen, sx, sy,
                       g->tool == TOOL_HIGHLIGHTER ? SASAE_PEN_WIDTH_HIGHLIGHTER : SASAE_PEN_WIDTH,
                       now, pen_send, g);
    else if (what == 1)
        sasae_pen_move(&g->pen, sx, sy, now, pen_send, g);
    else
        sasae_pen_up(&g->pen, sx, sy, now, pen_send, g);
    g->dirty = true;
}

/* Takes back the operator's last stroke (all the ids it was sent under). */
static void pen_undo(struct gui *g)
{
    uint32_t ids[SASAE_PEN_UNDO_IDS];
    int n = sasae_pen_undo(&g->pen, ids, SASAE_PEN_UNDO_IDS);
    for (int i = 0; i < n; i++)
        g->src->ops->pen_undo(g->src, ids[i]);
    g->dirty = true;
}

static void pen_clear(struct gui *g)
{
    sasae_pen_reset(&g->pen);
    g->src->ops->pen_clear(g->src);
    g->dirty = true;
}

static void pointer_update(struct gui *g, int wx, int wy)
{
    int sx, sy;
    bool inside = sasae_view_to_screen(&g->view, wx, wy, &sx, &sy) && in_area(g, wx, wy);
    if (sasae_pointer_move(&g->ptr, sx, sy, inside, sasae_mono_ns()))
        g->src->ops->pointer(g->src, g->ptr.x, g->ptr.y, g->ptr.visible);
}

/* The pointing hand as the mouse cursor while the pointer tool is on, at the size the
 * customer's screen shows it scaled as the picture is: the operator's hand covers the one
 * in the video. */
static void update_cursor(struct gui *g)
{
    bool want = g->phase == PHASE_SESSION && g->sm.state == SASAE_VSM_VIEWING &&
                g->tool == TOOL_POINTER && g->tex_h > 0 && in_area(g, g->mouse_x, g->mouse_y);
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

static bool control_granted(const struct gui *g)
{
    return g->sm.state == SASAE_VSM_VIEWING && g->sm.control == SASAE_VSM_CONTROL_GRANTED;
}

static void set_tool(struct gui *g, enum tool t)
{
    if (g->tool == TOOL_POINTER && t != TOOL_POINTER && sasae_pointer_hide(&g->ptr))
        g->src->ops->pointer(g->src, g->ptr.x, g->ptr.y, false);
    if (g->pen.down) /* a tool change mid-stroke ends the stroke where it is */
        sasae_pen_up(&g->pen, g->pen.pts[g->pen.n - 1][0], g->pen.pts[g->pen.n - 1][1],
                     sasae_mono_ns(), pen_send, g);
    g->tool = g->tool == t ? TOOL_NONE : t;
    g->dirty = true;
}

static void on_file(void *u, const struct sasae_filesend *fs)
{
    struct gui *g = u;
    vfile_line(fs, g->lang == SASAE_LANG_JA, g->file_line, sizeof g->file_line);
    g->dirty = true;
}

/* A file dropped on the window (or given with --send-file) goes to the customer, who is
 * asked first. */
static void send_file(struct gui *g, const char *path)
{
    char err[300];
    if (g->phase != PHASE_SESSION || !g->src->ops->send_file)
        return;
    if (g->src->ops->send_file(g->src, path, err, sizeof err) != 0)
        snprintf(g->file_line, sizeof g->file_line, "%s: %s", sasae_filesend_basename(path), err);
    g->dirty = true;
}

static void start_session(struct gui *g)
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
                         .file = on_file};
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

static void end_pressed(struct gui *g)
{
    if (g->src && g->sm.state != SASAE_VSM_ENDED)
        g->src->ops->end(g->src);
    g->dirty = true;
}

static void finish(struct gui *g)
{
    g->exit_code = g->phase == PHASE_CODE ? 0 : sasae_vsm_exit_code(g->sm.end);
    g->quit = true;
}

static void toggle_fullscreen(struct gui *g)
{
    g->fullscreen = !g->fullscreen;
    SDL_SetWindowFullscreen(g->win, g->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    g->dirty = true;
}

/* The clipboard keys (F7 paste into the customer's PC, F8 copy from it): only while control
 * is granted; the host refuses them otherwise too. */
static void clipboard_key(struct gui *g, SDL_Keycode k)
{
    const struct vsource_ops *o = g->src ? g->src->ops : NULL;
    int rc = -ENOTSUP;
    if (!control_granted(g)) {
        rc = -EPERM;
    } else if (k == SDLK_F7 && o && o->clipboard_send) {
        char *text = SDL_GetClipboardText();
        size_t len = text ? strlen(text) : 0;
        rc = len ? o->clipboard_send(g->src, text, len) : -ENODATA;
        if (rc == 0)
            vreport_clipboard("sent", (long)len, NULL);
        SDL_free(text);
    } else if (k == SDLK_F8 && o && o->clipboard_request) {
        rc = o->clipboard_request(g->src);
    }
    if (rc < 0) {
        const char *why = rc == -EPERM     ? "no-control"
                          : rc == -E2BIG   ? "too-big"
                          : rc == -ENODATA ? "empty"
                                           : "unavailable";
        SASAE_INFO("viewer", "clipboard (%s): %s", k == SDLK_F7 ? "F7" : "F8", why);
        vreport_clipboard("refused", 0, why);
    }
}

/* Keys the viewer keeps for itself even when the operator has control. */
static bool viewer_key(struct gui *g, SDL_Keycode k)
{
    switch (k) {
    case SDLK_F2:
        g->view.mode = g->view.mode == SASAE_VIEW_FIT ? SASAE_VIEW_1TO1 : SASAE_VIEW_FIT;
        sasae_view_clamp(&g->view);
        break;
    case SDLK_F3:
        g->show_stats = !g->show_stats;
        break;
    case SDLK_F4:
        g->show_sysinfo = !g->show_sysinfo;
        break;
    case SDLK_F6:
        monitor_next(g);
        break;
    case SDLK_F11:
        toggle_fullscreen(g);
        break;
    case SDLK_F7:
    case SDLK_F8:
        clipboard_key(g, k);
        break;
    default:
        return false;
    }
    g->dirty = true;
    return true;
}

static void on_key(struct gui *g, const SDL_KeyboardEvent *e)
{
    SDL_Keycode k = e->keysym.sym;
    bool down = e->type == SDL_KEYDOWN;
    if (g->phase == PHASE_CODE) {
        if (!down)
            return;
        if (k == SDLK_BACKSPACE && sasae_code_entry_backspace(&g->code))
            g->dirty = true;
        else if ((k == SDLK_RETURN || k == SDLK_KP_ENTER) && sasae_code_entry_complete(&g->code))
            start_session(g);
        else if (k == SDLK_v && (e->keysym.mod & KMOD_CTRL)) {
            char *clip = SDL_GetClipboardText();
            if (clip && sasae_code_entry_type(&g->code, clip))
                g->dirty = true;
            SDL_free(clip);
        } else if (k == SDLK_ESCAPE)
            finish(g);
        return;
    }
    if (down && viewer_key(g, k))
        return;
    if (g->sm.state == SASAE_VSM_ENDED) {
        if (down && (k == SDLK_RETURN || k == SDLK_ESCAPE || k == SDLK_KP_ENTER))
            finish(g);
        return;
    }
    if (control_granted(g)) {
        uint32_t ks = vkeys_keysym(e->keysym.scancode, k, vkeys_layout_jis());
        if (ks && !e->repeat)
            g->src->ops->key(g->src, ks, down);
        else if (ks && e->repeat && down)
            g->src->ops->key(g->src, ks, true);
        return;
    }
    if (!down || g->sm.state != SASAE_VSM_VIEWING)
        return;
    int step = 64;
    switch (k) {
    case SDLK_z:
        if (!(e->keysym.mod & KMOD_CTRL))
            return;
        pen_undo(g);
        break;
    case SDLK_c:
        pen_clear(g);
        break;
    case SDLK_p:
        set_tool(g, TOOL_PEN);
        break;
    case SDLK_h:
        set_tool(g, TOOL_HIGHLIGHTER);
        break;
    case SDLK_i:
        set_tool(g, TOOL_POINTER);
        break;
    case SDLK_LEFT:
        sasae_view_scroll(&g->view, -step, 0);
        break;
    case SDLK_RIGHT:
        sasae_view_scroll(&g->view, step, 0);
        break;
    case SDLK_UP:
        sasae_view_scroll(&g->view, 0, -step);
        break;
    case SDLK_DOWN:
        sasae_view_scroll(&g->view, 0, step);
        break;
    default:
        return;
    }
    g->dirty = true;
}

static int sdl_button_to_x11(Uint8 b)
{
    switch (b) {
    case SDL_BUTTON_LEFT:
        return 1;
    case SDL_BUTTON_MIDDLE:
        return 2;
    case SDL_BUTTON_RIGHT:
        return 3;
    case SDL_BUTTON_X1:
        return 8;
    case SDL_BUTTON_X2:
        return 9;
    }
    return 0;
}

static bool click_button(struct gui *g, int x, int y)
{
    for (int i = 0; i < B__COUNT; i++) {
        if (!btn_visible(g, i) || !sasae_button_hit(&g->btn[i], x, y))
            continue;
        switch (i) {
        case B_POINTER:
            set_tool(g, TOOL_POINTER);
            break;
        case B_PEN:
            set_tool(g, TOOL_PEN);
            break;
        case B_HIGHLIGHTER:
            set_tool(g, TOOL_HIGHLIGHTER);
            break;
        case B_UNDO:
            pen_undo(g);
            break;
        case B_CLEAR:
            pen_clear(g);
            break;
        case B_CONTROL:
            g->src->ops->control(g->src, g->sm.control == SASAE_VSM_CONTROL_NONE);
            break;
        case B_MONITOR:
            monitor_next(g);
            break;
        case B_MODE:
            viewer_key(g, SDLK_F2);
            break;
        case B_END:
            end_pressed(g);
            break;
        case B_CONNECT:
            if (sasae_code_entry_complete(&g->code))
                start_session(g);
            break;
        case B_CLOSE:
            finish(g);
            break;
        }
        g->dirty = true;
        return true;
    }
    return false;
}

static void on_mouse(struct gui *g, const SDL_Event *e)
{
    if (e->type == SDL_MOUSEMOTION) {
        g->mouse_x = e->motion.x;
        g->mouse_y = e->motion.y;
        bool hover_changed = false;
        int over = -1;
        for (int i = 0; i < B__COUNT; i++) {
            bool h = sasae_button_hit(&g->btn[i], g->mouse_x, g->mouse_y);
            hover_changed |= h != g->btn[i].hover;
            g->btn[i].hover = h;
            if (h && btn_visible(g, i))
                over = i;
        }
        if (over != g->hover) {
            g->hover = over;
            g->hover_since_ns = sasae_mono_ns();
        }
        g->dirty |= hover_changed;
        update_cursor(g);
    }
    if (g->phase != PHASE_SESSION || g->sm.state != SASAE_VSM_VIEWING) {
        if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT)
            click_button(g, e->button.x, e->button.y);
        return;
    }
    int x = e->type == SDL_MOUSEMOTION ? e->motion.x : e->button.x;
    int y = e->type == SDL_MOUSEMOTION ? e->motion.y : e->button.y;
    switch (e->type) {
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT && click_button(g, x, y))
            return;
        if (!in_area(g, x, y))
            return;
        if (pen_tool(g) && e->button.button == SDL_BUTTON_LEFT) {
            pen_at(g, x, y, 0);
        } else if (control_granted(g) && g->tool == TOOL_NONE) {
            int sx, sy;
            if (sasae_view_to_screen(&g->view, x, y, &sx, &sy))
                g->src->ops->mouse(g->src, VMOUSE_BUTTON, sx, sy,
                                   sdl_button_to_x11(e->button.button), true, 0, 0);
        }
        break;
    case SDL_MOUSEBUTTONUP:
        if (g->pen.down && e->button.button == SDL_BUTTON_LEFT) {
            pen_at(g, x, y, 2);
        } else if (control_granted(g) && g->tool == TOOL_NONE) {
            int sx, sy;
            sasae_view_to_screen(&g->view, x, y, &sx, &sy);
            g->src->ops->mouse(g->src, VMOUSE_BUTTON, sx, sy, sdl_button_to_x11(e->button.button),
                               false, 0, 0);
        }
        break;
    case SDL_MOUSEMOTION:
        if (g->pen.down) {
            pen_at(g, x, y, 1);
        } else if (g->tool == TOOL_POINTER) {
            pointer_update(g, x, y);
        } else if (control_granted(g) && g->tool == TOOL_NONE && in_area(g, x, y)) {
            int sx, sy;
            if (sasae_view_to_screen(&g->view, x, y, &sx, &sy))
                g->src->ops->mouse(g->src, VMOUSE_MOVE, sx, sy, 0, false, 0, 0);
        } else if (g->view.mode == SASAE_VIEW_1TO1 && (e->motion.state & SDL_BUTTON_MMASK)) {
            /* Middle-drag pans in 1:1 when the mouse is not the customer's. */
            sasae_view_scroll(&g->view, -e->motion.xrel, -e->motion.yrel);
            g->dirty = true;
        }
        break;
    case SDL_MOUSEWHEEL: {
        if (control_granted(g) && g->tool == TOOL_NONE) {
            int sx, sy;
            sasae_view_to_screen(&g->view, g->mouse_x, g->mouse_y, &sx, &sy);
            g->src->ops->mouse(g->src, VMOUSE_WHEEL, sx, sy, 0, false, e->wheel.x, e->wheel.y);
        } else {
            bool shift = SDL_GetModState() & KMOD_SHIFT;
            int d = -e->wheel.y * 96;
            sasae_view_scroll(&g->view, shift ? d : e->wheel.x * 96, shift ? 0 : d);
            g->dirty = true;
        }
        break;
    }
    }
}

static void handle_event(struct gui *g, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT:
        /* Closing the window ends the session as the operator's End would; the loop then
         * lets the source send END and close before quitting. */
        end_pressed(g);
        if (!g->closing) {
            g->closing = true;
            g->closing_deadline_ns = sasae_mono_ns() + 3000000000ull;
        }
        break;
    case SDL_WINDOWEVENT:
        g->dirty = true;
        break;
    case SDL_DROPFILE:
        send_file(g, e->drop.file);
        SDL_free(e->drop.file);
        break;
    case SDL_TEXTINPUT:
        if (g->phase == PHASE_SESSION && chat_event(g, e))
            break;
        if (g->phase == PHASE_CODE && sasae_code_entry_type(&g->code, e->text.text))
            g->dirty = true;
        break;
    case SDL_TEXTEDITING:
        if (g->phase == PHASE_SESSION)
            chat_event(g, e);
        break;
    case SDL_KEYDOWN:
    case SDL_KEYUP:
        if (g->phase == PHASE_SESSION && chat_event(g, e))
            break;
        on_key(g, &e->key);
        break;
    case SDL_MOUSEMOTION:
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
    case SDL_MOUSEWHEEL:
        on_mouse(g, e);
        break;
    default:
        break;
    }
}

int vgui_run(const struct vcfg *cfg)
{
    struct gui *g = calloc(1, sizeof *g);
    if (!g)
        return 1;
    int rc = 1;
    g->cfg = cfg;
    g->lang = sasae_ui_lang();
    g->test_pattern = cfg->tp_w > 0;
    g->view.mode = cfg->one_to_one ? SASAE_VIEW_1TO1 : SASAE_VIEW_FIT;
    sasae_meter_init(&g->meter, 0);
    g->tool = TOOL_POINTER;
    g->hover = -1;
    sasae_pen_init(&g->pen);
    sasae_vsm_init(&g->sm);
    if (cfg->frame_log && !(g->framelog = vframelog_open(cfg->frame_log)))
        goto out;
    /* a click on the toolbar that also focuses the window must act at once */
    SDL_SetHint(SDL_HINT_MOUSE_FOCUS_CLICKTHROUGH, "1");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        SASAE_ERR("viewer", "cannot start SDL video: %s", SDL_GetError());
        goto out;
    }
    sasae_ui_x11_errors_nonfatal();
    g->wake_event = SDL_RegisterEvents(1);
    g->win = SDL_CreateWindow(
        vstr(g->lang, VS_TITLE), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, cfg->win_w,
        cfg->win_h, SDL_WINDOW_RESIZABLE | (cfg->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0));
    g->fullscreen = cfg->fullscreen;
    if (!g->win) {
        SASAE_ERR("viewer", "cannot open window: %s", SDL_GetError());
        goto out;
    }
    g->r = SDL_CreateRenderer(g->win, -1, 0);
    if (!g->r) {
        SASAE_ERR("viewer", "no renderer: %s", SDL_GetError());
        goto out;
    }
    /* after the renderer: an OpenGL renderer re-creates the X window, title and all */
    sasae_ui_set_title(g->win, vstr(g->lang, VS_TITLE));
    g->font = sasae_font_open(16);
    g->big = sasae_font_open(28);
    g->small = sasae_font_open(14);
    if (!g->font || !g->big || !g->small) {
        SASAE_ERR("viewer", "%s", SDL_GetError());
        goto out;
    }
    if (cfg->code[0]) {
        memcpy(g->code.digits, cfg->code, sizeof g->code.digits);
        g->code.len = SASAE_CODE_DIGITS;
        start_session(g);
    } else if (g->test_pattern) {
        start_session(g);
    } else {
        g->phase = PHASE_CODE;
        SDL_StartTextInput();
    }
    g->dirty = true;
    uint64_t last_render = 0;
    while (!g->quit) {
        SDL_Event e;
        if (SDL_WaitEventTimeout(&e, 10)) {
            do {
                if (e.type != g->wake_event)
                    handle_event(g, &e);
            } while (!g->quit && SDL_PollEvent(&e));
        }
        if (g->quit)
            break;
        /* text input (and the IME) only while the chat line is open */
        if (g->phase == PHASE_SESSION && !g->chat.typing && SDL_IsTextInputActive())
            SDL_StopTextInput();
        /* Pump until the source is done: after the end it still flushes END and closes. */
        if (g->src && !g->src_done && g->src->ops->pump(g->src, 0) < 0)
            g->src_done = true;
        if (g->cfg->send_file && !g->file_offered && g->tex && g->sm.state == SASAE_VSM_VIEWING) {
            g->file_offered = true; /* --send-file: as if dropped once the picture shows */
            send_file(g, g->cfg->send_file);
        }
        if (g->closing && (!g->src || g->src_done || sasae_mono_ns() >= g->closing_deadline_ns)) {
            finish(g);
            break;
        }
        if (g->src && sasae_pointer_tick(&g->ptr, sasae_mono_ns()))
            g->src->ops->pointer(g->src, g->ptr.x, g->ptr.y, g->ptr.visible);
        if (g->src)
            sasae_pen_tick(&g->pen, sasae_mono_ns(), pen_send, g);
        /* a tooltip appears after the hover delay without a mouse move */
        if (g->hover >= 0 && sasae_mono_ns() - g->hover_since_ns >= TOOLTIP_NS &&
            sasae_mono_ns() - g->hover_since_ns < TOOLTIP_NS + 50000000ull)
            g->dirty = true;
        if (g->sm.state == SASAE_VSM_VIEWING && cfg->duration_s > 0 &&
            sasae_mono_ns() - g->viewing_since_ns >= (uint64_t)(cfg->duration_s * 1e9))
            end_pressed(g);
        /* The status bar's figures move even when the picture does not. */
        uint64_t now = sasae_mono_ns();
        if (g->dirty || now - last_render > 250000000ull) {
            render(g);
            g->dirty = false;
            last_render = now;
        }
    }
    rc = g->exit_code;
out:
    if (g->src)
        g->src->ops->free(g->src);
    if (g->framelog)
        fclose(g->framelog);
    if (g->tex)
        SDL_DestroyTexture(g->tex);
    if (g->cur_tex)
        SDL_DestroyTexture(g->cur_tex);
    if (g->hand)
        SDL_FreeCursor(g->hand);
    sasae_font_free(g->font);
    sasae_font_free(g->big);
    sasae_font_free(g->small);
    if (g->r)
        SDL_DestroyRenderer(g->r);
    if (g->win)
        SDL_DestroyWindow(g->win);
    free(g->sysinfo);
    free(g);
    SDL_Quit();
    return rc;
}
