/* The host's process-level platform seam: what sasae-host needs from the operating system
 * beyond capture, input, overlay and system information (whose interfaces are in
 * sasae/host.h). One implementation per platform: host/linux/plat_linux.c,
 * host/win/plat_win.c. Private to sasae-host and its tests. */
#ifndef SASAE_HOST_PLATFORM_H
#define SASAE_HOST_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "sasae/brand.h"
#include "ui.h"

/* Once at start, before any thread: Xlib threads and error handler on Linux; DPI awareness,
 * console attachment and the session-end watcher on Windows. 0 or negative errno (err). */
int host_plat_init(char *err, size_t errlen);

/* A helper run of this program that the platform starts itself (on Windows, the DXGI check
 * in a child process, "--dxgi-probe N"): if argv is one, runs it, stores its exit status in
 * *rc and returns true; false for an ordinary start (always on Linux). */
bool host_plat_helper_run(int argc, char **argv, int *rc);

/* Requests to stop from outside (SIGINT/SIGTERM/SIGHUP; Ctrl-C, console close, logoff,
 * shutdown) are caught from now on; each ends remote support as the End button does.
 * host_plat_stop_requested() returns a nonzero code for the next pending request (and
 * clears it), 0 if none; host_plat_stop_name() names a code for the log. wake is called
 * (from any thread) when a request arrives, so the UI loop notices at once; may be NULL. */
void host_plat_catch_stop(void (*wake)(void *user), void *user);
int host_plat_stop_requested(void);
const char *host_plat_stop_name(int code);
/* Tells the platform the session has ended: Windows lets a pending shutdown go on, and
 * returns once the handler that waited for it has answered Windows (at most 5 s). */
void host_plat_stop_done(void);

/* The default state directory (device key, logs): ~/.local/state/sasae on Linux,
 * %LOCALAPPDATA%\sasae on Windows. Parents are created. 0 or -1 with err. */
int host_plat_state_dir(char *out, size_t cap, char *err, size_t errlen);

/* The customer's Downloads folder, where files from the operator go unless the customer
 * picks another: $XDG_DOWNLOAD_DIR (user-dirs.dirs) or ~/Downloads on Linux,
 * FOLDERID_Downloads on Windows. Created if missing. 0 or -1 with err. */
int host_plat_download_dir(char *out, size_t cap, char *err, size_t errlen);

/* Whether the log also goes to host.log in the state directory by default (Windows: a
 * program started by double-click has no console to show it). */
bool host_plat_log_in_state_dir(void);

/* Creates dir readable only by this user (mode 0700; on Windows a protected DACL granting
 * only the user), or accepts it if it exists. 0 or -1 with err. */
int host_plat_private_dir(const char *dir, char *err, size_t errlen);
/* Creates path (must not exist) readable only by this user and writes len bytes, flushed.
 * 0 or -1 with err (the partial file is removed). */
int host_plat_private_file_write(const char *path, const void *data, size_t len, char *err,
                                 size_t errlen);
/* 1 if path exists and only this user can read it, 0 if it does not exist, -1 with err if
 * others can read it (or it cannot be checked): a key others can read is never used. */
int host_plat_private_file_check(const char *path, char *err, size_t errlen);

/* The operating system's proxy for https, as "http://host:port", when the customer's
 * computer is set to use one (Windows: the manual proxy of the Internet settings; Linux:
 * none, $https_proxy is read by the relay client). 1 if written, 0 if none. */
int host_plat_system_proxy(char *out, size_t cap);

/* This program's own brand block (a help desk's copy of the Windows exe): 0 branded (b
 * filled), 1 not branded (Linux: never), negative if damaged (err says how). */
int host_brand_load(struct sasae_brand *b, char *err, size_t errlen);

/* Is there a desktop to show windows on (an X display; always on Windows)? */
bool host_plat_has_desktop(const char *display);
/* The terminal UI (--consent=tty), or NULL with err where there is none (Windows) or stdin
 * is not a terminal: answers must come from a person, never from a pipe. */
struct host_ui *host_plat_tty_ui(char *err, size_t errlen);

#endif
