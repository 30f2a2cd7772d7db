/* The operator's keyboard and mouse in the window: the code box's keys, the viewer's own
 * keys (F2-F11), the toolbar's clicks, the tools (pen, highlighter, pointer: the pure
 * sasae_tools model fed screen coordinates), and input forwarded to the customer while
 * control is granted; the chat line and the file path prompt take keys first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "sasae/common.h"
#include "strings.h"
#include "window.h"

/* The button and F6: asks the host for the next monitor; the label follows the host's
 * answer (its next MONITOR_LIST), not the click. */
static void monitor_next(struct gui *g)
{
    if (!vgui_monitor_choice(g) || !g->src || !g->src->ops->monitor ||
        g->sm.state != SASAE_VSM_VIEWING)
        return;
    g->src->ops->monitor(g->src,
                         sasae_view_next_monitor(g->mons.count, g->mons.selected, g->mons.all_ok));
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

/* The pen's (and highlighter's) press, drag or release at window point (wx, wy). */
enum pen_what { PEN_PRESS, PEN_DRAG, PEN_RELEASE };
static void pen_at(struct gui *g, int wx, int wy, enum pen_what what)
{
    int sx, sy;
    sasae_view_to_screen(&g->view, wx, wy, &sx, &sy);
    uint64_t now = sasae_mono_ns();
    if (what == PEN_PRESS)
        sasae_tools_press(&g->tools, sx, sy, now);
    else if (what == PEN_DRAG)
        sasae_tools_drag(&g->tools, sx, sy, now);
    else
        sasae_tools_release(&g->tools, sx, sy, now);
    g->dirty = true;
}

/* Takes back the operator's last stroke (all the ids it was sent under). */
static void pen_undo(struct gui *g)
{
    sasae_tools_undo(&g->tools);
    g->dirty = true;
}

static void pen_clear(struct gui *g)
{
    sasae_tools_clear(&g->tools);
    g->dirty = true;
}

static void pointer_update(struct gui *g, int wx, int wy)
{
    int sx, sy;
    bool inside = sasae_view_to_screen(&g->view, wx, wy, &sx, &sy) && vgui_in_area(g, wx, wy);
    sasae_tools_point(&g->tools, sx, sy, inside, sasae_mono_ns());
}

static bool control_granted(const struct gui *g)
{
    return g->sm.state == SASAE_VSM_VIEWING && g->sm.control == SASAE_VSM_CONTROL_GRANTED;
}

static void set_tool(struct gui *g, enum sasae_tool t)
{
    sasae_tools_select(&g->tools, t, sasae_mono_ns());
    g->dirty = true;
}

/* A file dropped on the window (or given with --send-file) goes to the customer, who is
 * asked first. */
void vgui_send_file(struct gui *g, const char *path)
{
    char err[300];
    if (g->phase != PHASE_SESSION || !g->src->ops->send_file)
        return;
    if (g->src->ops->send_file(g->src, path, err, sizeof err) != 0)
        snprintf(g->file_line, sizeof g->file_line, "%s: %s", sasae_filesend_basename(path), err);
    g->dirty = true;
}

/* The file button (and F5): Send file… opens the path prompt; while a file is offered or
 * sent, Cancel transfer stops it (the customer's PC deletes the part it has). */
static void file_button(struct gui *g)
{
    if (g->phase != PHASE_SESSION || g->sm.state != SASAE_VSM_VIEWING || !g->src->ops->send_file)
        return;
    if (g->file_active) {
        if (g->src->ops->cancel_file)
            g->src->ops->cancel_file(g->src);
    } else if (g->pathbox.open) {
        vpathbox_close(&g->pathbox);
    } else {
        vpathbox_open(&g->pathbox);
    }
    g->dirty = true;
}

static bool pathbox_event(struct gui *g, const SDL_Event *e)
{
    char path[VPATH_MAX + 256];
    int n = vpathbox_event(&g->pathbox, e, path, sizeof path);
    if (n < 0)
        return false;
    if (n > 0)
        vgui_send_file(g, path);
    g->dirty = true;
    return true;
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
    case SDLK_F5:
        file_button(g);
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
            vgui_start_session(g);
        else if (k == SDLK_v && (e->keysym.mod & KMOD_CTRL)) {
            char *clip = SDL_GetClipboardText();
            if (clip && sasae_code_entry_type(&g->code, clip))
                g->dirty = true;
            SDL_free(clip);
        } else if (k == SDLK_ESCAPE)
            vgui_finish(g);
        return;
    }
    if (down && viewer_key(g, k))
        return;
    if (g->sm.state == SASAE_VSM_ENDED) {
        if (down && (k == SDLK_RETURN || k == SDLK_ESCAPE || k == SDLK_KP_ENTER))
            vgui_finish(g);
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
        set_tool(g, SASAE_TOOL_PEN);
        break;
    case SDLK_h:
        set_tool(g, SASAE_TOOL_HIGHLIGHTER);
        break;
    case SDLK_i:
        set_tool(g, SASAE_TOOL_POINTER);
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
        if (!vgui_btn_visible(g, i) || !sasae_button_hit(&g->btn[i], x, y))
            continue;
        switch (i) {
        case B_POINTER:
            set_tool(g, SASAE_TOOL_POINTER);
            break;
        case B_PEN:
            set_tool(g, SASAE_TOOL_PEN);
            break;
        case B_HIGHLIGHTER:
            set_tool(g, SASAE_TOOL_HIGHLIGHTER);
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
        case B_FILE:
            file_button(g);
            break;
        case B_MODE:
            viewer_key(g, SDLK_F2);
            break;
        case B_END:
            vgui_end_pressed(g);
            break;
        case B_CONNECT:
            if (sasae_code_entry_complete(&g->code))
                vgui_start_session(g);
            break;
        case B_CLOSE:
            vgui_finish(g);
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
            if (h && vgui_btn_visible(g, i))
                over = i;
        }
        if (over != g->hover) {
            g->hover = over;
            g->hover_since_ns = sasae_mono_ns();
        }
        g->dirty |= hover_changed;
        vgui_update_cursor(g);
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
        if (!vgui_in_area(g, x, y))
            return;
        if (sasae_tools_draws(&g->tools) && e->button.button == SDL_BUTTON_LEFT) {
            pen_at(g, x, y, PEN_PRESS);
        } else if (control_granted(g) && g->tools.tool == SASAE_TOOL_NONE) {
            int sx, sy;
            if (sasae_view_to_screen(&g->view, x, y, &sx, &sy))
                g->src->ops->mouse(g->src, VMOUSE_BUTTON, sx, sy,
                                   sdl_button_to_x11(e->button.button), true, 0, 0);
        }
        break;
    case SDL_MOUSEBUTTONUP:
        if (sasae_tools_drawing(&g->tools) && e->button.button == SDL_BUTTON_LEFT) {
            pen_at(g, x, y, PEN_RELEASE);
        } else if (control_granted(g) && g->tools.tool == SASAE_TOOL_NONE) {
            int sx, sy;
            sasae_view_to_screen(&g->view, x, y, &sx, &sy);
            g->src->ops->mouse(g->src, VMOUSE_BUTTON, sx, sy, sdl_button_to_x11(e->button.button),
                               false, 0, 0);
        }
        break;
    case SDL_MOUSEMOTION:
        if (sasae_tools_drawing(&g->tools)) {
            pen_at(g, x, y, PEN_DRAG);
        } else if (g->tools.tool == SASAE_TOOL_POINTER) {
            pointer_update(g, x, y);
        } else if (control_granted(g) && g->tools.tool == SASAE_TOOL_NONE &&
                   vgui_in_area(g, x, y)) {
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
        if (control_granted(g) && g->tools.tool == SASAE_TOOL_NONE) {
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

void vgui_handle_event(struct gui *g, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT:
        /* Closing the window ends the session as the operator's End would; the loop then
         * lets the source send END and close before quitting. */
        vgui_end_pressed(g);
        if (!g->closing) {
            g->closing = true;
            g->closing_deadline_ns = sasae_mono_ns() + 3000000000ull;
        }
        break;
    case SDL_WINDOWEVENT:
        g->dirty = true;
        break;
    case SDL_RENDER_DEVICE_RESET:
        /* every texture is gone: texts render again, the picture's texture is made anew and
         * filled whole from the next frame */
        vtext_free(&g->text);
        if (g->tex)
            SDL_DestroyTexture(g->tex);
        g->tex = NULL;
        g->dirty = true;
        break;
    case SDL_DROPFILE:
        vgui_send_file(g, e->drop.file);
        SDL_free(e->drop.file);
        break;
    case SDL_TEXTINPUT:
        if (g->phase == PHASE_SESSION && (pathbox_event(g, e) || chat_event(g, e)))
            break;
        if (g->phase == PHASE_CODE && sasae_code_entry_type(&g->code, e->text.text))
            g->dirty = true;
        break;
    case SDL_TEXTEDITING:
        if (g->phase == PHASE_SESSION && !pathbox_event(g, e))
            chat_event(g, e);
        break;
    case SDL_KEYDOWN:
    case SDL_KEYUP:
        if (g->phase == PHASE_SESSION && (pathbox_event(g, e) || chat_event(g, e)))
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
