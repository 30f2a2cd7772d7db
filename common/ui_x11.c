/* The SDL2 toolkit's Linux part: language from the locale, Debian's fonts, X errors. */
#include "sasae/ui.h"

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
    const char *drv = SDL_GetCurrentVideoDriver();
    if (drv && strcmp(drv, "x11") == 0)
        XSetErrorHandler(x_error_nonfatal);
}
