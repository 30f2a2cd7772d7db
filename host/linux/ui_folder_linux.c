/* The Linux customer UI has no folder picker: SDL2 has none, and a toolkit's (GTK, a helper
 * program such as zenity) is not on every desktop. The file question saves to the folder it
 * shows (--download-dir); the terminal UI takes a typed folder. */
#include <errno.h>

#include "ui_impl.h"

const bool ui_plat_has_folder_picker = false;

int ui_plat_pick_folder(struct SDL_Window *owner, const char *start, const char *title, char *out,
                        size_t cap)
{
    (void)owner, (void)start, (void)title, (void)out, (void)cap;
    return -ENOTSUP;
}
