/* The operator's SDL2 window: sets it up, runs the event loop (events, the source's pump,
 * the tools' timers, rendering when something changed) and tears it down. Its parts are
 * listed in window.h. */
#include <stdlib.h>
#include <string.h>

#include "sasae/common.h"
#include "strings.h"
#include "window.h"

/* What the tools send goes to the session source (only ever called with one running). */
static void tools_pen(void *user, uint32_t id, const int32_t *xy, int n, bool final, int width)
{
    struct gui *g = user;
    if (g->src)
        g->src->ops->pen(g->src, id, xy, n, final, width);
}

static void tools_pen_undo(void *user, uint32_t id)
{
    struct gui *g = user;
    if (g->src)
        g->src->ops->pen_undo(g->src, id);
}

static void tools_pen_clear(void *user)
{
    struct gui *g = user;
    if (g->src)
        g->src->ops->pen_clear(g->src);
}

static void tools_pointer(void *user, int32_t x, int32_t y, bool visible)
{
    struct gui *g = user;
    if (g->src)
        g->src->ops->pointer(g->src, x, y, visible);
}

/* SDL's default renderer, unless it is OpenGL drawn on the CPU (Mesa's llvmpipe under Xvfb
 * or on a machine without a GPU driver): then SDL's software renderer, which draws the
 * fitted picture with a plain scaled copy instead of running a GL pipeline on the CPU
 * (measured: bench/RESULTS-viewer.md "True glass to glass"). $SDL_RENDER_DRIVER still
 * decides when set. Never waits for vsync. */
static SDL_Renderer *create_renderer(SDL_Window *win)
{
    SDL_Renderer *r = SDL_CreateRenderer(win, -1, 0);
    SDL_RendererInfo info;
    if (!r || SDL_GetHint(SDL_HINT_RENDER_DRIVER) || SDL_GetRendererInfo(r, &info) != 0 ||
        strncmp(info.name, "opengl", 6) != 0)
        return r;
    /* the renderer's GL context is current: ask it who draws */
    typedef const unsigned char *(*get_string_fn)(unsigned int);
    get_string_fn get_string = (get_string_fn)SDL_GL_GetProcAddress("glGetString");
    const char *gl = get_string ? (const char *)get_string(0x1F01 /* GL_RENDERER */) : NULL;
    if (!sasae_gfx_gl_is_software(gl))
        return r;
    SDL_DestroyRenderer(r);
    r = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    if (r)
        SASAE_INFO("viewer", "OpenGL is %s (drawn on the CPU): software renderer", gl);
    else /* keep the window usable: GL again */
        r = SDL_CreateRenderer(win, -1, 0);
    return r;
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
    g->hover = -1;
    struct sasae_tools_out out = {g, tools_pen, tools_pen_undo, tools_pen_clear, tools_pointer};
    sasae_tools_init(&g->tools, &out);
    sasae_vsm_init(&g->sm);
    if (cfg->frame_log && !(g->framelog = vframelog_open(cfg->frame_log)))
        goto out;
    /* a click on the toolbar that also focuses the window must act at once */
    SDL_SetHint(SDL_HINT_MOUSE_FOCUS_CLICKTHROUGH, "1");
    /* The software renderer presents through the window's framebuffer: X11's shared-memory
     * image, not a second (GL) renderer that copies it again. */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    /* Before SDL_Init too: SDL_Quit puts back the handler it found, and an X error still in
     * flight then (the relay thread's wake-up sent to the window being destroyed) must not
     * end the process with Xlib's default handler. */
    sasae_ui_x11_errors_nonfatal();
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
    g->r = create_renderer(g->win);
    if (!g->r) {
        SASAE_ERR("viewer", "no renderer: %s", SDL_GetError());
        goto out;
    }
    /* after the renderer: an OpenGL renderer re-creates the X window, title and all */
    sasae_ui_set_title(g->win, vstr(g->lang, VS_TITLE));
    vtext_init(&g->text, g->r);
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
        vgui_start_session(g);
    } else if (g->test_pattern) {
        vgui_start_session(g);
    } else {
        g->phase = PHASE_CODE;
        SDL_StartTextInput();
    }
    g->dirty = true;
    uint64_t last_tick = 0;
    while (!g->quit) {
        SDL_Event e;
        if (SDL_WaitEventTimeout(&e, 10)) {
            do {
                if (e.type != g->wake_event)
                    vgui_handle_event(g, &e);
            } while (!g->quit && SDL_PollEvent(&e));
        }
        if (g->quit)
            break;
        /* text input (and the IME) only while the chat line is open */
        if (g->phase == PHASE_SESSION && !g->chat.typing && !g->pathbox.open &&
            SDL_IsTextInputActive())
            SDL_StopTextInput();
        /* Pump until the source is done: after the end it still flushes END and closes. */
        if (g->src && !g->src_done && g->src->ops->pump(g->src, 0) < 0)
            g->src_done = true;
        if (g->cfg->send_file && !g->file_offered && g->tex && g->sm.state == SASAE_VSM_VIEWING) {
            g->file_offered = true; /* --send-file: as if dropped once the picture shows */
            vgui_send_file(g, g->cfg->send_file);
        }
        if (g->closing && (!g->src || g->src_done || sasae_mono_ns() >= g->closing_deadline_ns)) {
            vgui_finish(g);
            break;
        }
        if (g->src)
            sasae_tools_tick(&g->tools, sasae_mono_ns());
        /* a tooltip appears after the hover delay without a mouse move */
        if (g->hover >= 0 && sasae_mono_ns() - g->hover_since_ns >= TOOLTIP_NS &&
            sasae_mono_ns() - g->hover_since_ns < TOOLTIP_NS + 50000000ull)
            g->dirty = true;
        if (g->sm.state == SASAE_VSM_VIEWING && cfg->duration_s > 0 &&
            sasae_mono_ns() - g->viewing_since_ns >= (uint64_t)(cfg->duration_s * 1e9))
            vgui_end_pressed(g);
        /* The status bar's figures move even when the picture does not; nothing else is
         * drawn again unless something changed. */
        uint64_t now = sasae_mono_ns();
        if (now - last_tick >= FIGURES_NS) {
            last_tick = now;
            g->dirty |= vgui_figures_tick(g);
        }
        if (g->dirty) {
            vgui_render(g);
            g->dirty = false;
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
    vtext_free(&g->text);
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
