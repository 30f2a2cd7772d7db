/* The window's toolbar and layout: where the buttons and the picture's area are, which
 * buttons show in which state, how they are drawn, and their tooltips. */
#include "sasae/common.h"
#include "strings.h"
#include "window.h"

/* Something to switch between: more than one monitor. */
bool vgui_monitor_choice(const struct gui *g)
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

/* ---- layout ------------------------------------------------------------------------------ */

void vgui_layout(struct gui *g)
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
        [B_FILE] = vstr(g->lang, g->file_active ? VS_BTN_CANCEL_FILE : VS_BTN_SEND_FILE),
        [B_MODE] = vstr(g->lang, g->view.mode == SASAE_VIEW_FIT ? VS_BTN_1TO1 : VS_BTN_FIT),
        [B_END] = vstr(g->lang, VS_BTN_END),
        [B_CONNECT] = vstr(g->lang, VS_CONNECT),
        [B_CLOSE] = vstr(g->lang, VS_CLOSE),
    };
    int x = 8;
    for (int i = B_POINTER; i <= B_MODE; i++) {
        if (i == B_MONITOR && !vgui_monitor_choice(g)) {
            g->btn[i].rect = (SDL_Rect){0};
            continue; /* no gap where there is nothing to switch */
        }
        int tw = 0, th = 0;
        vtext_size(&g->text, g->font, labels[i], &tw, &th);
        g->btn[i].rect = (SDL_Rect){x, 6, tw + 24, TOOLBAR_H - 12};
        g->btn[i].label = labels[i];
        x += tw + 24 + 6;
    }
    int tw = 0, th = 0;
    vtext_size(&g->text, g->font, labels[B_END], &tw, &th);
    g->btn[B_END].rect = (SDL_Rect){ww - tw - 32, 6, tw + 24, TOOLBAR_H - 12};
    g->btn[B_END].label = labels[B_END];
    g->btn[B_END].fill = (SDL_Color){0xc0, 0x20, 0x20, 0xff};
    g->btn[B_POINTER].fill =
        g->tools.tool == SASAE_TOOL_POINTER ? (SDL_Color){0x9f, 0xc5, 0xf8, 0xff} : (SDL_Color){0};
    g->btn[B_PEN].fill =
        g->tools.tool == SASAE_TOOL_PEN ? (SDL_Color){0xf8, 0xa0, 0xa0, 0xff} : (SDL_Color){0};
    g->btn[B_HIGHLIGHTER].fill = g->tools.tool == SASAE_TOOL_HIGHLIGHTER
                                     ? (SDL_Color){0xf8, 0xa0, 0xa0, 0xff}
                                     : (SDL_Color){0};
    /* nothing to take back: greyed */
    g->btn[B_UNDO].fill =
        sasae_tools_can_undo(&g->tools) ? (SDL_Color){0} : (SDL_Color){0xdc, 0xdc, 0xdc, 0xff};
    g->btn[B_CONTROL].fill = g->sm.control == SASAE_VSM_CONTROL_GRANTED
                                 ? (SDL_Color){0xf0, 0xc0, 0x40, 0xff}
                                 : (SDL_Color){0};
    for (int i = B_CONNECT; i <= B_CLOSE; i++) {
        vtext_size(&g->text, g->font, labels[i], &tw, &th);
        g->btn[i].rect = (SDL_Rect){(ww - tw - 48) / 2, wh / 2 + 60, tw + 48, 40};
        g->btn[i].label = labels[i];
        g->btn[i].is_default = true;
    }
}

bool vgui_btn_visible(const struct gui *g, enum btn b)
{
    if (g->phase == PHASE_CODE)
        return b == B_CONNECT;
    if (g->sm.state == SASAE_VSM_ENDED)
        return b == B_CLOSE;
    if (b == B_END)
        return true;
    if (b == B_CONNECT || b == B_CLOSE)
        return false;
    if (b == B_MONITOR && !vgui_monitor_choice(g))
        return false;
    if (b == B_FILE && (!g->src || !g->src->ops->send_file))
        return false;
    return g->sm.state == SASAE_VSM_VIEWING;
}

void vgui_draw_toolbar(struct gui *g, int ww)
{
    SDL_Rect bar = {0, 0, ww, TOOLBAR_H};
    SDL_SetRenderDrawColor(g->r, 0xf4, 0xf4, 0xf4, 0xff);
    SDL_RenderFillRect(g->r, &bar);
    SDL_SetRenderDrawColor(g->r, 0xc0, 0xc0, 0xc0, 0xff);
    SDL_RenderDrawLine(g->r, 0, TOOLBAR_H - 1, ww, TOOLBAR_H - 1);
    if (g->test_pattern && g->sm.state != SASAE_VSM_ENDED) {
        int tw = 0, th = 0;
        const char *t = vstr(g->lang, VS_TEST_PATTERN);
        vtext_size(&g->text, g->small, t, &tw, &th);
        int x = g->btn[B_END].rect.x - tw - 16;
        if (x > g->btn[B_MODE].rect.x + g->btn[B_MODE].rect.w + 8)
            vtext_draw(&g->text, g->small, t, x, (TOOLBAR_H - th) / 2,
                       (SDL_Color){0xc0, 0x20, 0x20, 0xff});
    }
    for (int i = B_POINTER; i <= B_END; i++)
        if (vgui_btn_visible(g, i))
            vtext_button(&g->text, g->font, &g->btn[i]);
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
    case B_FILE:
        return g->file_active ? VS_TIP_CANCEL_FILE : VS_TIP_SEND_FILE;
    case B_MODE:
        return VS_TIP_MODE;
    case B_END:
        return VS_TIP_END;
    }
    return VS__COUNT;
}

/* The hovered toolbar button's tooltip, in the viewer's language, below the toolbar and
 * inside the window. */
void vgui_draw_tooltip(struct gui *g, int ww)
{
    if (g->hover < 0 || !vgui_btn_visible(g, g->hover) ||
        sasae_mono_ns() - g->hover_since_ns < TOOLTIP_NS)
        return;
    enum vstr id = tooltip_of(g, g->hover);
    if (id == VS__COUNT)
        return;
    const char *t = vstr(g->lang, id);
    int tw = 0, th = 0;
    vtext_size(&g->text, g->small, t, &tw, &th);
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
    vtext_draw(&g->text, g->small, t, x + 8, y + 5, FG);
}
/* ---- operator tools ---------------------------------------------------------------------- */

bool vgui_in_area(const struct gui *g, int x, int y)
{
    return y >= g->view.area_y && y < g->view.area_y + g->view.area_h;
}
