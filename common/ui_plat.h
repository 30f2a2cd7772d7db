/* Private to sasae_ui: what each platform's file (ui_x11.c, ui_win.c) provides. */
#ifndef SASAE_COMMON_UI_PLAT_H
#define SASAE_COMMON_UI_PLAT_H

#include <SDL_ttf.h>

/* The platform's UI font covering Latin and Japanese at px, or NULL. */
TTF_Font *ui_plat_font_open(int px);
/* What to install or set when no font opens, for the error message. */
const char *ui_plat_font_hint(void);

#endif
