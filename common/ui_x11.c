/* The SDL2 toolkit's Linux part: language from the locale, Debian's fonts, X errors. */
#include "sasae/ui.h"

#include <SDL_syswm.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sasae/common.h"
#include "ui_plat.h"

enum sasae_lang sasae_ui_lang(void)
{
    const char *vars[] = {"SASAE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strncmp(v, "ja", 2) == 0 ? SASAE_LANG_JA : SASAE_LANG_EN;
    }
    return SASAE_LANG_EN;
}

static const char *const font_paths[] = {
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
};

TTF_Font *ui_plat_font_open(int px)
{
    for (size_t i = 0; i < sizeof font_paths / sizeof font_paths[0]; i++)
        if (access(font_paths[i], R_OK) == 0) {
            TTF_Font *f = TTF_OpenFontIndex(font_paths[i], px, 0);
            if (f)
                return f;
        }
    return NULL;
}

const char *ui_plat_font_hint(void)
{
    return "install fonts-noto-cjk or set SASAE_FONT";
}

/* Xlib's default handler exits: a window SDL is destroying while a focus or wake-up
 * message is in flight would take the customer's End button, or the operator's view,
 * with it. */
static int x_error_nonfatal(Display *dpy, XErrorEvent *e)
{
    char text[128] = "";
    XGetErrorText(dpy, e->error_code, text, sizeof text);
    SASAE_WARN("ui", "X error: %s (request %u.%u, resource %#lx)", text, e->request_code,
               e->minor_code, (unsigned long)e->resourceid);
    return 0;
}

void sasae_ui_x11_errors_nonfatal(void)
{
    XSetErrorHandler(x_error_nonfatal);
}

/* The window's X display and id, or false under another SDL video driver. */
static bool x11_window(SDL_Window *w, Display **dpy, Window *xw)
{
    SDL_SysWMinfo info;
    SDL_VERSION(&info.version);
    if (!w || !SDL_GetWindowWMInfo(w, &info) || info.subsystem != SDL_SYSWM_X11)
        return false;
    *dpy = info.info.x11.display;
    *xw = info.info.x11.window;
    return true;
}

void sasae_ui_set_title(SDL_Window *w, const char *utf8)
{
    SDL_SetWindowTitle(w, utf8);
    Display *dpy;
    Window xw;
    if (!x11_window(w, &dpy, &xw))
        return;
    Atom utf8_string = XInternAtom(dpy, "UTF8_STRING", False);
    const char *names[] = {"_NET_WM_NAME", "_NET_WM_ICON_NAME", "WM_NAME", "WM_ICON_NAME"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        XChangeProperty(dpy, xw, XInternAtom(dpy, names[i], False), utf8_string, 8, PropModeReplace,
                        (const unsigned char *)utf8, (int)strlen(utf8));
    XFlush(dpy);
}

void sasae_ui_make_bar(SDL_Window *w)
{
    Display *dpy;
    Window xw;
    if (!x11_window(w, &dpy, &xw))
        return;
    /* A dock is what panels and taskbars are: no frame, no minimise or close, kept above
     * normal windows, left out of the task list (EWMH). */
    Atom type = XInternAtom(dpy, "_NET_WM_WINDOW_TYPE", False);
    Atom dock = XInternAtom(dpy, "_NET_WM_WINDOW_TYPE_DOCK", False);
    XChangeProperty(dpy, xw, type, XA_ATOM, 32, PropModeReplace, (const unsigned char *)&dock, 1);
    /* and for window managers without EWMH types: Motif hints, no decorations, functions
     * move only (flags: functions|decorations; MWM_FUNC_MOVE = 4) */
    long mwm[5] = {1 | 2, 4, 0, 0, 0};
    Atom motif = XInternAtom(dpy, "_MOTIF_WM_HINTS", False);
    XChangeProperty(dpy, xw, motif, motif, 32, PropModeReplace, (const unsigned char *)mwm, 5);
    XFlush(dpy);
}

void sasae_ui_show_inactive(SDL_Window *w)
{
    Display *dpy;
    Window xw;
    if (x11_window(w, &dpy, &xw)) {
        long t = 0; /* EWMH: "the window should not be initially focused" */
        XChangeProperty(dpy, xw, XInternAtom(dpy, "_NET_WM_USER_TIME", False), XA_CARDINAL, 32,
                        PropModeReplace, (const unsigned char *)&t, 1);
        XFlush(dpy);
    }
    SDL_ShowWindow(w);
}
