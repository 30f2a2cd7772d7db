/* The customer UI with SDL2: support code window, consent and control prompts (Deny is the
 * default; Enter and Escape deny), the always-on-top session bar with End remote support,
 * and the "session ended" window. English or Japanese by locale (sasae/ui.h). */
#include "ui_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/common.h"
#include "sasae/ui.h"

/* A click on Allow counts only after the prompt has been visible this long, so a click
 * meant for something else cannot grant access by accident. */
#define ARM_MS 800

enum dmode {
    D_NONE,
    D_CONNECTING,
    D_CODE,
    D_VERIFYING,
    D_RECONNECTING,
    D_CONSENT,
    D_CONTROL,
    D_CONTINUE,
    D_FILE, /* a file from the operator: Save or Decline */
    D_ENDED
};

struct win {
    SDL_Window *w;
    SDL_Renderer *r;
    Uint32 id;
    int width, height;
    int nb;
    sasae_button b[3];
    enum host_ui_answer ans[3];
    bool armed_only[3]; /* button needs the arm delay */
};

struct gui {
    struct host_ui base;
    bool ja;
    sasae_font *font, *big, *small;
    Uint32 wake_type;
    struct win dialog, bar;
    enum dmode mode;
    bool bar_control;
    Uint32 dialog_since;
    char bar_name[256];
    /* chat: a window under the bar, opened by the first message (or the customer's wish) */
    struct win chat;
    unsigned chat_seen;            /* the view's chat_serial when the window last opened */
    char input[HOST_CHAT_MAX + 1]; /* the customer's reply being typed */
    size_t input_len;
    char editing[256];              /* IME composition, not yet committed */
    char outbox[HOST_CHAT_MAX + 1]; /* sent with Enter, until host_ui_take_chat */
    int outbox_len;
};

static const SDL_Color black = {0x20, 0x20, 0x20, 0xff};
static const SDL_Color grey = {0x60, 0x60, 0x60, 0xff};
static const SDL_Color red = {0xc0, 0x1c, 0x1c, 0xff};
static const SDL_Color notice_blue = {0x10, 0x3c, 0xc8, 0xff};
static const SDL_Color green = {0x1a, 0x7f, 0x37, 0xff};

static void win_close(struct win *w)
{
    if (w->r)
        SDL_DestroyRenderer(w->r);
    if (w->w)
        SDL_DestroyWindow(w->w);
    memset(w, 0, sizeof *w);
}

static int win_open(struct win *w, const char *title, int x, int y, int width, int height,
                    Uint32 flags)
{
    w->w = SDL_CreateWindow(title, x, y, width, height, flags);
    if (!w->w)
        return -1;
    w->r = SDL_CreateRenderer(w->w, -1, 0);
    if (!w->r) {
        win_close(w);
        return -1;
    }
    /* after the renderer, which may re-create the window */
    sasae_ui_set_title(w->w, title);
    w->id = SDL_GetWindowID(w->w);
    w->width = width;
    w->height = height;
    SDL_RaiseWindow(w->w);
    return 0;
}

static void add_button(struct win *w, int x, int y, int bw, int bh, const char *label, bool def,
                       SDL_Color fill, enum host_ui_answer ans, bool armed_only)
{
    if (w->nb >= 3)
        return;
    w->b[w->nb] = (sasae_button){{x, y, bw, bh}, label, def, false, fill};
    w->ans[w->nb] = ans;
    w->armed_only[w->nb] = armed_only;
    w->nb++;
}

static enum dmode wanted_mode(const struct host_view *v)
{
    switch (v->state) {
    case SASAE_HS_IDLE:
        return D_CONNECTING;
    case SASAE_HS_WAITING:
        return D_CODE;
    case SASAE_HS_HANDSHAKE:
        return v->resuming ? D_RECONNECTING : D_VERIFYING;
    case SASAE_HS_RESUMING:
        return D_RECONNECTING;
    case SASAE_HS_ASKING:
        return D_CONSENT;
    case SASAE_HS_SHARING:
        return v->continue_prompt                     ? D_CONTINUE
               : v->control == SASAE_HS_CONTROL_ASKED ? D_CONTROL
               : v->file.state == 1                   ? D_FILE
                                                      : D_NONE;
    default:
        return D_ENDED;
    }
}

static void open_dialog(struct gui *g, enum dmode m)
{
    int w = 620, h = 150;
    switch (m) {
    case D_CONNECTING:
        h = 180; /* and the line saying why a new code is coming */
        break;
    case D_CODE:
        h = 370; /* room for the line saying why the code was renewed */
        break;
    case D_CONSENT:
        h = 380;
        break;
    case D_CONTROL:
        h = 280;
        break;
    case D_CONTINUE:
        h = 250;
        break;
    case D_FILE:
        h = 300;
        break;
    case D_ENDED:
        h = 250;
        break;
    default:
        break;
    }
    Uint32 flags = SDL_WINDOW_SHOWN;
    if (m == D_CONSENT || m == D_CONTROL || m == D_CONTINUE || m == D_FILE)
        flags |= SDL_WINDOW_ALWAYS_ON_TOP;
    if (win_open(&g->dialog, ui_str(S_TITLE, g->ja), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                 w, h, flags) != 0) {
        SASAE_ERR("ui", "cannot open window: %s", SDL_GetError());
        return;
    }
    g->dialog_since = SDL_GetTicks();
    int bw = 150, bh = 44, by = h - bh - 20;
    if (m == D_CONSENT) {
        /* Deny is the default; Allow needs a deliberate click */
        add_button(&g->dialog, w - 2 * bw - 40, by, bw, bh, ui_str(S_DENY, g->ja), true,
                   (SDL_Color){0}, HOST_UI_DENY, false);
        add_button(&g->dialog, w - bw - 20, by, bw, bh, ui_str(S_ALLOW, g->ja), false,
                   (SDL_Color){0}, HOST_UI_ALLOW, true);
    } else if (m == D_CONTROL) {
        add_button(&g->dialog, w - 2 * bw - 40, by, bw, bh, ui_str(S_DENY, g->ja), true,
                   (SDL_Color){0}, HOST_UI_CONTROL_DENY, false);
        add_button(&g->dialog, w - bw - 20, by, bw, bh, ui_str(S_ALLOW, g->ja), false,
                   (SDL_Color){0}, HOST_UI_CONTROL_ALLOW, true);
    } else if (m == D_CONTINUE) {
        /* End is the default: an unattended screen stops being shared */
        int ew = 0, eh = 0;
        sasae_text_size(g->font, ui_str(S_END, g->ja), &ew, &eh);
        ew = ew + 36 > bw ? ew + 36 : bw;
        add_button(&g->dialog, w - ew - bw - 40, by, ew, bh, ui_str(S_END, g->ja), true, red,
                   HOST_UI_END, false);
        add_button(&g->dialog, w - bw - 20, by, bw, bh, ui_str(S_CONTINUE, g->ja), false,
                   (SDL_Color){0}, HOST_UI_CONTINUE, true);
    } else if (m == D_FILE) {
        /* Decline is the default; Save needs a deliberate click */
        add_button(&g->dialog, w - 2 * bw - 40, by, bw, bh,
                   host_ui_file_str(HOST_UI_F_DECLINE, g->ja), true, (SDL_Color){0},
                   HOST_UI_FILE_DECLINE, false);
        add_button(&g->dialog, w - bw - 20, by, bw, bh, host_ui_file_str(HOST_UI_F_SAVE, g->ja),
                   false, (SDL_Color){0}, HOST_UI_FILE_SAVE, true);
    } else if (m == D_ENDED) {
        add_button(&g->dialog, w - bw - 20, by, bw, bh, ui_str(S_CLOSE, g->ja), true,
                   (SDL_Color){0}, HOST_UI_QUIT, false);
    }
}

static void layout_bar(struct gui *g, bool control)
{
    struct win *b = &g->bar;
    b->nb = 0;
    int bh = 40, y = (b->height - bh) / 2, x = b->width - 10;
    int ew = 0, eh = 0, sw = 0, sh = 0;
    sasae_text_size(g->font, ui_str(S_END, g->ja), &ew, &eh);
    ew += 36;
    x -= ew;
    add_button(b, x, y, ew, bh, ui_str(S_END, g->ja), false, red, HOST_UI_END, false);
    if (control) {
        sasae_text_size(g->font, ui_str(S_STOP_CONTROL, g->ja), &sw, &sh);
        sw += 30;
        x -= sw + 10;
        add_button(b, x, y, sw, bh, ui_str(S_STOP_CONTROL, g->ja), false, (SDL_Color){0},
                   HOST_UI_STOP_CONTROL, false);
    }
    g->bar_control = control;
}

static void open_bar(struct gui *g)
{
    SDL_Rect db = {0, 0, 1024, 768};
    SDL_GetDisplayBounds(0, &db);
    int w = db.w < 860 ? db.w : 860, h = 60;
    if (getenv("SASAE_TEST_NO_BAR")) {
        /* tests: a window system that refuses the bar */
        SASAE_ERR("ui", "cannot open the session bar: SASAE_TEST_NO_BAR");
        return;
    }
    if (win_open(&g->bar, ui_str(S_TITLE, g->ja), db.x + (db.w - w) / 2, db.y, w, h,
                 SDL_WINDOW_HIDDEN | SDL_WINDOW_ALWAYS_ON_TOP | SDL_WINDOW_SKIP_TASKBAR) != 0) {
        SASAE_ERR("ui", "cannot open the session bar: %s", SDL_GetError());
        return;
    }
    /* the window type must be set before the window manager first sees the window */
    sasae_ui_make_bar(g->bar.w);
    SDL_ShowWindow(g->bar.w);
}

static void render_dialog(struct gui *g, const struct host_view *v)
{
    struct win *d = &g->dialog;
    SDL_Renderer *r = d->r;
    int x = 24, y = 20, mw = d->width - 48;
    char buf[600], code[16];
    SDL_SetRenderDrawColor(r, 0xfa, 0xfa, 0xfa, 0xff);
    SDL_RenderClear(r);
    switch (g->mode) {
    case D_CONNECTING:
        host_ui_renew_text(v->renewed, NULL, g->ja, buf, sizeof buf);
        if (buf[0])
            y += sasae_text_draw_wrapped(r, g->small, buf, x, y, mw, 0, red) + 6;
        y += sasae_text_draw_wrapped(r, g->font, ui_str(S_CONNECTING, g->ja), x, y, mw, 0, black) +
             8;
        sasae_text_draw_wrapped(r, g->small, v->status, x, y, mw, 0, grey);
        break;
    case D_CODE:
        /* the reason alone: the new code is the big one right below it */
        if (*host_ui_renew_why(v->renewed, g->ja)) {
            snprintf(buf, sizeof buf, "%s%s", host_ui_renew_why(v->renewed, g->ja),
                     g->ja ? "。" : ".");
            y += sasae_text_draw_wrapped(r, g->small, buf, x, y, mw, 0, red) + 6;
        }
        y += sasae_text_draw_wrapped(r, g->font, ui_str(S_CODE_LABEL, g->ja), x, y, mw, 0, black) +
             6;
        ui_format_code(v->code, code);
        sasae_text_draw(r, g->big, code, x, y, (SDL_Color){0x10, 0x3c, 0x8c, 0xff});
        y += sasae_font_height(g->big) + 10;
        y += sasae_text_draw_wrapped(r, g->font, ui_str(S_CODE_HINT, g->ja), x, y, mw, 0, black);
        y += sasae_text_draw_wrapped(r, g->small, ui_str(S_CODE_HINT2, g->ja), x, y, mw, 0, grey) +
             8;
        y += sasae_text_draw_wrapped(r, g->small, ui_str(S_WAITING, g->ja), x, y, mw, 0, grey) + 12;
        if (v->fingerprint[0]) {
            y +=
                sasae_text_draw_wrapped(r, g->small, ui_str(S_FPR_LABEL, g->ja), x, y, mw, 0, grey);
            sasae_text_draw_wrapped(r, g->small, v->fingerprint, x, y, mw, 0, black);
        }
        break;
    case D_VERIFYING:
        sasae_text_draw_wrapped(r, g->font, ui_str(S_VERIFYING, g->ja), x, y, mw, 0, black);
        break;
    case D_RECONNECTING:
        y +=
            sasae_text_draw_wrapped(r, g->font, ui_str(S_RECONNECTING, g->ja), x, y, mw, 0, black) +
            6;
        sasae_text_draw_wrapped(r, g->small, ui_str(S_RECONNECT_DETAIL, g->ja), x, y, mw, 0, grey);
        break;
    case D_CONSENT:
        y += sasae_text_draw_wrapped(r, g->big, ui_str(S_ASK_TITLE, g->ja), x, y, mw, 0, black) + 8;
        snprintf(buf, sizeof buf, "%s (%s)", v->operator_name, v->organisation);
        y += sasae_text_draw_wrapped(r, g->font, buf, x, y, mw, 0,
                                     (SDL_Color){0x10, 0x3c, 0x8c, 0xff});
        y +=
            sasae_text_draw_wrapped(r, g->small, ui_str(S_VERIFIED, g->ja), x, y, mw, 0, green) + 6;
        y += sasae_text_draw_wrapped(r, g->font, ui_str(S_ASKS_TO, g->ja), x, y, mw, 0, black);
        y += sasae_text_draw_wrapped(r, g->font, ui_str(S_ASK_SEE, g->ja), x + 16, y, mw - 16, 0,
                                     black);
        y += sasae_text_draw_wrapped(r, g->font, ui_str(S_ASK_DRAW, g->ja), x + 16, y, mw - 16, 0,
                                     black);
        y += sasae_text_draw_wrapped(r, g->font, ui_str(S_ASK_INFO, g->ja), x + 16, y, mw - 16, 0,
                                     black) +
             6;
        y += sasae_text_draw_wrapped(r, g->small, ui_str(S_ASK_NOTHING, g->ja), x, y, mw, 0, grey);
        snprintf(buf, sizeof buf, ui_str(S_AUTO_DENY, g->ja), v->seconds_left);
        sasae_text_draw(r, g->small, buf, x, d->height - 64 + 12, red);
        break;
    case D_CONTROL:
        y +=
            sasae_text_draw_wrapped(r, g->big, ui_str(S_CONTROL_TITLE, g->ja), x, y, mw, 0, black) +
            8;
        snprintf(buf, sizeof buf, "%s (%s) %s", v->operator_name, v->organisation,
                 ui_str(S_CONTROL_ASK, g->ja));
        y += sasae_text_draw_wrapped(r, g->font, buf, x, y, mw, 0, black) + 6;
        y += sasae_text_draw_wrapped(r, g->small, ui_str(S_CONTROL_HINT, g->ja), x, y, mw, 0, grey);
        snprintf(buf, sizeof buf, ui_str(S_AUTO_DENY, g->ja), v->seconds_left);
        sasae_text_draw(r, g->small, buf, x, d->height - 64 + 12, red);
        break;
    case D_CONTINUE:
        y += sasae_text_draw_wrapped(r, g->big, ui_str(S_CONTINUE_TITLE, g->ja), x, y, mw, 0,
                                     black) +
             8;
        snprintf(buf, sizeof buf, ui_str(S_CONTINUE_ASK, g->ja), v->operator_name, v->organisation);
        sasae_text_draw_wrapped(r, g->font, buf, x, y, mw, 0, black);
        snprintf(buf, sizeof buf, ui_str(S_AUTO_END, g->ja), v->seconds_left);
        /* above the buttons: the End button's label is long in Japanese */
        sasae_text_draw(r, g->small, buf, x, d->height - 64 - 28, red);
        break;
    case D_FILE: {
        char size[32];
        y += sasae_text_draw_wrapped(r, g->big, host_ui_file_str(HOST_UI_F_TITLE, g->ja), x, y, mw,
                                     0, black) +
             8;
        snprintf(buf, sizeof buf, host_ui_file_str(HOST_UI_F_ASK, g->ja), v->operator_name,
                 v->organisation);
        y += sasae_text_draw_wrapped(r, g->font, buf, x, y, mw, 0, black) + 4;
        host_ui_file_size(v->file.size, size, sizeof size);
        snprintf(buf, sizeof buf, "%.400s (%s)", v->file.name, size);
        y += sasae_text_draw_wrapped(r, g->font, buf, x + 16, y, mw - 16, 0,
                                     (SDL_Color){0x10, 0x3c, 0x8c, 0xff}) +
             4;
        snprintf(buf, sizeof buf, host_ui_file_str(HOST_UI_F_SAVE_TO, g->ja), v->file.dir);
        y += sasae_text_draw_wrapped(r, g->small, buf, x, y, mw, 0, black) + 4;
        sasae_text_draw_wrapped(r, g->small, host_ui_file_str(HOST_UI_F_HINT, g->ja), x, y, mw, 0,
                                grey);
        break;
    }
    case D_ENDED:
        y += sasae_text_draw_wrapped(r, g->big, ui_str(S_ENDED, g->ja), x, y, mw, 0, black) + 8;
        y += sasae_text_draw_wrapped(r, g->font,
                                     host_ui_end_text(v->end_reason, v->verified, v->shared, g->ja),
                                     x, y, mw, 0, black) +
             6;
        y += sasae_text_draw_wrapped(r, g->small, host_ui_end_detail(v->shared, g->ja), x, y, mw, 0,
                                     grey);
        if (v->status[0])
            sasae_text_draw_wrapped(r, g->small, v->status, x, y + 4, mw, 0, grey);
        break;
    default:
        break;
    }
    bool armed = SDL_GetTicks() - g->dialog_since >= ARM_MS;
    for (int i = 0; i < d->nb; i++) {
        sasae_button b = d->b[i];
        if (d->armed_only[i] && !armed)
            b.fill = (SDL_Color){0xf0, 0xf0, 0xf0, 0xff};
        sasae_button_draw(r, g->font, &b);
    }
    SDL_RenderPresent(r);
}

static void render_bar(struct gui *g, const struct host_view *v)
{
    struct win *b = &g->bar;
    SDL_Renderer *r = b->r;
    char buf[600];
    SDL_SetRenderDrawColor(r, 0xff, 0xf4, 0xd6, 0xff);
    SDL_RenderClear(r);
    SDL_SetRenderDrawColor(r, 0xc0, 0x1c, 0x1c, 0xff);
    SDL_Rect dot = {14, b->height / 2 - 7, 14, 14};
    SDL_RenderFillRect(r, &dot);
    snprintf(buf, sizeof buf, ui_str(S_SHARING, g->ja), v->operator_name);
    if (v->monitor >= 0 && v->monitors > 1) {
        /* the customer knows which screen the operator sees */
        char mon[64];
        snprintf(mon, sizeof mon, ui_str(S_MONITOR_OF, g->ja), v->monitor + 1, v->monitors);
        strncat(buf, " ", sizeof buf - strlen(buf) - 1);
        strncat(buf, mon, sizeof buf - strlen(buf) - 1);
    }
    if (v->control == SASAE_HS_CONTROL_GRANTED) {
        strncat(buf, " ", sizeof buf - strlen(buf) - 1);
        strncat(buf, ui_str(S_HAS_CONTROL, g->ja), sizeof buf - strlen(buf) - 1);
    }
    int maxw = (b->nb ? b->b[b->nb - 1].rect.x : b->width) - 50;
    int tw = 0, th = 0;
    sasae_text_size(g->font, buf, &tw, &th);
    sasae_font *f = tw > maxw ? g->small : g->font;
    sasae_text_size(f, buf, &tw, &th);
    /* second line: the start of this computer's key, to read to the operator */
    char fpr[64] = "", line2[1600] = "";
    host_ui_fingerprint_short(v->fingerprint, 4, fpr, sizeof fpr);
    /* or, while a file comes and after, its progress and outcome */
    host_ui_file_line(&v->file, g->ja, line2, sizeof line2);
    if (fpr[0] && !line2[0])
        snprintf(line2, sizeof line2, ui_str(S_FPR_SHORT, g->ja), fpr);
    /* a clipboard transfer is announced in place of the key for a few seconds */
    bool notice = v->notice != HOST_NOTICE_NONE;
    if (notice && v->notice == HOST_NOTICE_RESUMED)
        snprintf(line2, sizeof line2, host_ui_notice_text(v->notice, g->ja), v->operator_name);
    else if (notice)
        snprintf(line2, sizeof line2, "%s", host_ui_notice_text(v->notice, g->ja));
    int th2 = line2[0] ? sasae_font_height(g->small) : 0;
    int ty = (b->height - th - th2) / 2;
    sasae_text_draw(r, f, buf, 38, ty, black);
    if (line2[0])
        sasae_text_draw(r, g->small, line2, 38, ty + th, notice ? notice_blue : grey);
    for (int i = 0; i < b->nb; i++)
        sasae_button_draw(r, g->font, &b->b[i]);
    SDL_RenderPresent(r);
}

/* ---- chat: the operator's messages and the customer's replies ---------------------------- */
#define CHAT_H 170

static void chat_open(struct gui *g)
{
    int bx = 0, by = 0, bw = 860, bh = 60;
    SDL_GetWindowPosition(g->bar.w, &bx, &by);
    SDL_GetWindowSize(g->bar.w, &bw, &bh);
    if (win_open(&g->chat, ui_str(S_CHAT_TITLE, g->ja), bx, by + bh + 4, bw, CHAT_H,
                 SDL_WINDOW_ALWAYS_ON_TOP | SDL_WINDOW_SKIP_TASKBAR) != 0) {
        SASAE_WARN("ui", "cannot open the chat window: %s", SDL_GetError());
        return;
    }
    /* typing (and the IME's composition) goes to the reply line */
    SDL_Rect box = {12, CHAT_H - 40, bw - 24, 30};
    SDL_SetTextInputRect(&box);
    SDL_StartTextInput();
}

static void chat_close(struct gui *g)
{
    if (!g->chat.w)
        return;
    SDL_StopTextInput();
    win_close(&g->chat);
}

/* A new message opens the window (again, if the customer closed it); the end closes it. */
static void chat_sync(struct gui *g, const struct host_view *v, bool sharing)
{
    if (!sharing) {
        chat_close(g);
        g->input_len = 0;
        g->input[0] = g->editing[0] = 0;
        g->chat_seen = 0;
        return;
    }
    if (v->chat_serial != g->chat_seen && g->bar.w && !g->chat.w) {
        chat_open(g);
        SASAE_INFO("ui", "chat window shown (message %u)", v->chat_serial);
    }
    g->chat_seen = v->chat_serial;
}

static void chat_render(struct gui *g, const struct host_view *v)
{
    struct win *c = &g->chat;
    SDL_Renderer *r = c->r;
    SDL_SetRenderDrawColor(r, 0xff, 0xfb, 0xee, 0xff);
    SDL_RenderClear(r);
    int lh = sasae_font_height(g->small) + 2, y = CHAT_H - 46 - lh * v->nchat;
    for (int i = 0; i < v->nchat; i++, y += lh) {
        char line[HOST_CHAT_MAX + 300];
        snprintf(line, sizeof line, "%s: %s",
                 v->chat[i].from_customer ? ui_str(S_CHAT_YOU, g->ja) : v->operator_name,
                 v->chat[i].text);
        for (char *p = line; *p; p++)
            if (*p == '\n' || *p == '\r' || *p == '\t')
                *p = ' '; /* one line per message */
        sasae_text_draw(r, g->small, line, 12, y < 4 ? 4 : y,
                        v->chat[i].from_customer ? grey : notice_blue);
    }
    SDL_Rect box = {12, CHAT_H - 40, c->width - 24, 30};
    SDL_SetRenderDrawColor(r, 0xff, 0xff, 0xff, 0xff);
    SDL_RenderFillRect(r, &box);
    SDL_SetRenderDrawColor(r, 0x60, 0x60, 0x60, 0xff);
    SDL_RenderDrawRect(r, &box);
    char shown[HOST_CHAT_MAX + 300];
    snprintf(shown, sizeof shown, "%s%s", g->input, g->editing);
    if (shown[0])
        sasae_text_draw(r, g->small, shown, 18, box.y + 5, black);
    else
        sasae_text_draw(r, g->small, ui_str(S_CHAT_HINT, g->ja), 18, box.y + 5, grey);
    SDL_RenderPresent(r);
}

/* Drops the last UTF-8 character of the reply. */
static void chat_backspace(struct gui *g)
{
    while (g->input_len > 0 && ((unsigned char)g->input[--g->input_len] & 0xc0) == 0x80)
        ;
    g->input[g->input_len] = 0;
}

/* Events for the chat window; true if taken. */
static bool chat_event(struct gui *g, const SDL_Event *e)
{
    if (!g->chat.w)
        return false;
    switch (e->type) {
    case SDL_WINDOWEVENT:
        if (e->window.windowID != g->chat.id || e->window.event != SDL_WINDOWEVENT_CLOSE)
            return false;
        chat_close(g); /* the next message opens it again */
        return true;
    case SDL_TEXTEDITING:
        if (e->edit.windowID != g->chat.id)
            return false;
        snprintf(g->editing, sizeof g->editing, "%s", e->edit.text);
        return true;
    case SDL_TEXTINPUT: {
        if (e->text.windowID != g->chat.id)
            return false;
        size_t n = strlen(e->text.text);
        if (g->input_len + n <= HOST_CHAT_MAX) {
            memcpy(g->input + g->input_len, e->text.text, n + 1);
            g->input_len += n;
        }
        g->editing[0] = 0;
        return true;
    }
    case SDL_KEYDOWN:
        if (e->key.windowID != g->chat.id)
            return false;
        if (e->key.keysym.sym == SDLK_BACKSPACE && !g->editing[0]) {
            chat_backspace(g);
        } else if ((e->key.keysym.sym == SDLK_RETURN || e->key.keysym.sym == SDLK_KP_ENTER) &&
                   !g->editing[0] && g->input_len && !g->outbox_len) {
            memcpy(g->outbox, g->input, g->input_len + 1);
            g->outbox_len = (int)g->input_len;
            g->input_len = 0;
            g->input[0] = 0;
        }
        return true;
    default:
        return false;
    }
}

static int gui_take_chat(struct host_ui *ui, char *out, size_t cap)
{
    struct gui *g = (struct gui *)ui;
    int n = g->outbox_len;
    if (n <= 0 || (size_t)n >= cap)
        return 0;
    memcpy(out, g->outbox, (size_t)n + 1);
    g->outbox_len = 0;
    return n;
}

/* Applies the view: opens, closes and re-lays out windows as the state requires. Returns
 * HOST_UI_END when sharing would go on without a visible End button (fail closed). */
static enum host_ui_answer sync_windows(struct gui *g, const struct host_view *v)
{
    enum dmode m = wanted_mode(v);
    if (m != g->mode) {
        win_close(&g->dialog);
        g->mode = m;
        if (m != D_NONE)
            open_dialog(g, m);
    }
    bool sharing = v->state == SASAE_HS_SHARING;
    if (sharing && !g->bar.w) {
        open_bar(g);
        if (g->bar.w)
            layout_bar(g, v->control == SASAE_HS_CONTROL_GRANTED);
    } else if (!sharing && g->bar.w) {
        win_close(&g->bar);
    }
    if (g->bar.w && g->bar_control != (v->control == SASAE_HS_CONTROL_GRANTED))
        layout_bar(g, v->control == SASAE_HS_CONTROL_GRANTED);
    if (sharing && g->bar.w && (SDL_GetWindowFlags(g->bar.w) & SDL_WINDOW_HIDDEN))
        SDL_ShowWindow(g->bar.w);
    chat_sync(g, v, sharing);
    if (sharing && (!g->bar.w || (SDL_GetWindowFlags(g->bar.w) & SDL_WINDOW_HIDDEN))) {
        SASAE_ERR("ui", "no session bar: ending remote support");
        return HOST_UI_END;
    }
    return HOST_UI_NONE;
}

static enum host_ui_answer close_answer(struct gui *g, Uint32 wid)
{
    if (g->dialog.w && wid == g->dialog.id) {
        if (g->mode == D_ENDED)
            return HOST_UI_QUIT;
        if (g->mode == D_CONTROL)
            return HOST_UI_CONTROL_DENY;
        if (g->mode == D_FILE)
            return HOST_UI_FILE_DECLINE;
        return g->mode == D_CONSENT ? HOST_UI_DENY : HOST_UI_WINDOW_CLOSE;
    }
    if (g->bar.w && wid == g->bar.id)
        return HOST_UI_WINDOW_CLOSE;
    return HOST_UI_NONE;
}

static enum host_ui_answer handle(struct gui *g, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_CLOSE)
            return close_answer(g, e->window.windowID);
        /* the End button must stay in sight: a bar minimised anyway (Win+D, a window
         * manager that ignores its type) comes straight back */
        if (e->window.event == SDL_WINDOWEVENT_MINIMIZED && g->bar.w &&
            e->window.windowID == g->bar.id) {
            SASAE_INFO("ui", "session bar minimised: restoring it");
            SDL_RestoreWindow(g->bar.w);
        }
        return HOST_UI_NONE;
    case SDL_QUIT:
        return g->mode == D_ENDED ? HOST_UI_QUIT : HOST_UI_WINDOW_CLOSE;
    case SDL_KEYDOWN: {
        SDL_Keycode k = e->key.keysym.sym;
        bool enter_esc = k == SDLK_RETURN || k == SDLK_KP_ENTER || k == SDLK_ESCAPE;
        if (!enter_esc || !g->dialog.w || e->key.windowID != g->dialog.id)
            return HOST_UI_NONE;
        if (g->mode == D_CONSENT)
            return HOST_UI_DENY;
        if (g->mode == D_CONTROL)
            return HOST_UI_CONTROL_DENY;
        if (g->mode == D_CONTINUE)
            return HOST_UI_END;
        if (g->mode == D_FILE)
            return HOST_UI_FILE_DECLINE;
        if (g->mode == D_ENDED)
            return HOST_UI_QUIT;
        return HOST_UI_NONE;
    }
    case SDL_MOUSEMOTION: {
        struct win *w = e->motion.windowID == g->dialog.id ? &g->dialog
                        : e->motion.windowID == g->bar.id  ? &g->bar
                                                           : NULL;
        for (int i = 0; w && i < w->nb; i++)
            w->b[i].hover = sasae_button_hit(&w->b[i], e->motion.x, e->motion.y);
        return HOST_UI_NONE;
    }
    case SDL_MOUSEBUTTONUP: {
        SASAE_DBG("ui", "click %d at %d,%d in window %u (kbd %u), dialog age %u ms",
                  e->button.button, e->button.x, e->button.y, e->button.windowID,
                  SDL_GetKeyboardFocus() ? SDL_GetWindowID(SDL_GetKeyboardFocus()) : 0,
                  SDL_GetTicks() - g->dialog_since);
        if (e->button.button != SDL_BUTTON_LEFT)
            return HOST_UI_NONE;
        struct win *w = g->dialog.w && e->button.windowID == g->dialog.id ? &g->dialog
                        : g->bar.w && e->button.windowID == g->bar.id     ? &g->bar
                                                                          : NULL;
        for (int i = 0; w && i < w->nb; i++) {
            if (!sasae_button_hit(&w->b[i], e->button.x, e->button.y))
                continue;
            if (w->armed_only[i] && SDL_GetTicks() - g->dialog_since < ARM_MS) {
                SASAE_DBG("ui", "click on %s ignored: prompt shown %u ms ago", w->b[i].label,
                          SDL_GetTicks() - g->dialog_since);
                return HOST_UI_NONE;
            }
            return w->ans[i];
        }
        return HOST_UI_NONE;
    }
    default:
        return HOST_UI_NONE;
    }
}

static enum host_ui_answer gui_step(struct host_ui *ui, const struct host_view *v, int timeout_ms)
{
    struct gui *g = (struct gui *)ui;
    enum host_ui_answer forced = sync_windows(g, v);
    if (forced != HOST_UI_NONE)
        return forced;
    if (g->dialog.w)
        render_dialog(g, v);
    if (g->bar.w)
        render_bar(g, v);
    if (g->chat.w)
        chat_render(g, v);
    /* wake at least every 250 ms for the countdown and the arm delay */
    int wait = timeout_ms < 250 ? timeout_ms : 250;
    SDL_Event e;
    enum host_ui_answer a = HOST_UI_NONE;
    if (!SDL_WaitEventTimeout(&e, wait < 0 ? 0 : wait))
        return HOST_UI_NONE;
    do {
        if (e.type == g->wake_type)
            continue;
        if (chat_event(g, &e))
            continue;
        /* a stop always wins over anything queued with it */
        a = host_ui_answer_merge(a, handle(g, &e));
    } while (SDL_PollEvent(&e));
    return a;
}

static void gui_wake(struct host_ui *ui)
{
    struct gui *g = (struct gui *)ui;
    SDL_Event e = {.type = g->wake_type};
    SDL_PushEvent(&e);
}

static void gui_free(struct host_ui *ui)
{
    struct gui *g = (struct gui *)ui;
    win_close(&g->dialog);
    win_close(&g->bar);
    chat_close(g);
    sasae_font_free(g->font);
    sasae_font_free(g->big);
    sasae_font_free(g->small);
    SDL_Quit();
    free(g);
}

static int gui_windows(struct host_ui *ui, int *xywh, int max)
{
    struct gui *g = (struct gui *)ui;
    struct win *ws[] = {&g->bar, &g->dialog, &g->chat};
    int n = 0;
    for (int i = 0; i < 3 && n < max; i++) {
        if (!ws[i]->w)
            continue;
        int *r = &xywh[4 * n++];
        SDL_GetWindowPosition(ws[i]->w, &r[0], &r[1]);
        SDL_GetWindowSize(ws[i]->w, &r[2], &r[3]);
    }
    return n;
}

static const struct ui_ops gui_ops = {gui_step,    gui_wake,      gui_free,
                                      gui_windows, gui_take_chat, NULL};

struct host_ui *host_ui_gui_new(char *err, size_t errlen)
{
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    /* a click that also focuses the window (the customer was working elsewhere) must press
     * the button: SDL drops it otherwise, and End would need two clicks */
    SDL_SetHint(SDL_HINT_MOUSE_FOCUS_CLICKTHROUGH, "1");
    /* SDL's automatic capture grabs the pointer for the window holding the keyboard focus,
     * not the one pressed: with the bar focused, a click on a prompt could be delivered to
     * the bar (seen once on a loaded machine: the control prompt's Allow was lost). The X
     * server's own implicit grab already keeps press and release in the pressed window. */
    SDL_SetHint(SDL_HINT_MOUSE_AUTO_CAPTURE, "0");
    SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    /* no GL behind the window surface: small dialogs need none, and it keeps Mesa out */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        snprintf(err, errlen, "no display for the consent window (%s); use --consent=tty",
                 SDL_GetError());
        return NULL;
    }
    sasae_ui_x11_errors_nonfatal();
    struct gui *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        SDL_Quit();
        return NULL;
    }
    g->base.ops = &gui_ops;
    g->ja = sasae_ui_lang() == SASAE_LANG_JA;
    g->font = sasae_font_open(20);
    g->big = sasae_font_open(30);
    g->small = sasae_font_open(16);
    g->wake_type = SDL_RegisterEvents(1);
    if (!g->font || !g->big || !g->small || g->wake_type == (Uint32)-1) {
        snprintf(err, errlen, "UI font: %s", SDL_GetError());
        gui_free(&g->base);
        return NULL;
    }
    return &g->base;
}
