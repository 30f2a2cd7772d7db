/* Private to host/win/plat_win.c and its test (tests/win/test_win_plat.c): the owner-only
 * security descriptor and the verdict on a key file's descriptor, testable in memory (Wine
 * keeps no access lists on disk: it derives them from the Unix mode bits). */
#ifndef SASAE_HOST_PLAT_WIN_H
#define SASAE_HOST_PLAT_WIN_H

#include <stdbool.h>
#include <stddef.h>
#include <windows.h>

/* A security descriptor whose protected DACL grants full access to this user only (folders:
 * inherited by what is created inside). false if it cannot be built; free *sd with
 * LocalFree. */
bool host_plat_win_owner_only(PSECURITY_DESCRIPTOR *sd);

/* May a file with descriptor sd (owner and DACL) hold user's private key? 1 if only the
 * user, SYSTEM and Administrators can read it or change who can; -1 with err naming the
 * other account, or when the DACL is NULL (everyone has access). path is for the message. */
int host_plat_win_sd_check(PSECURITY_DESCRIPTOR sd, PSID user, const char *path, char *err,
                           size_t errlen);

#endif
