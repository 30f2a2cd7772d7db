/* sasae common, Windows only: what the Windows files of several folders share. */
#ifndef SASAE_WIN_H
#define SASAE_WIN_H

#include <wchar.h>

/* A UTF-8 string as a new UTF-16 string for the wide Windows API (free it), or NULL when it
 * is not valid UTF-8 or memory runs out. */
wchar_t *sasae_win_wide(const char *utf8);

#endif
