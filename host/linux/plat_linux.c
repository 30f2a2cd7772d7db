/* The host's process-level platform seam on Linux: Xlib threads and errors, signals, the
 * state directory under ~/.local/state, private files by mode bits, the terminal UI. */
#include "platform.h"

#include <X11/Xlib.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sasae/common.h"
#include "sasae/ui.h"

#define TAG "host"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    got_signal = sig;
}

bool host_plat_helper_run(int argc, char **argv, int *rc)
{
    (void)argc;
    (void)argv;
    (void)rc;
    return false; /* the Linux host starts no helper runs of itself */
}

int host_plat_init(char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    XInitThreads(); /* capture, overlay and injection use Xlib from several threads */
    /* the process's one X error handler, the same the customer's windows use: an X protocol
     * error (a window gone, a screen resized under a request) is logged, not Xlib's exit */
    sasae_ui_x11_errors_nonfatal();
    return 0;
}

void host_plat_catch_stop(void (*wake)(void *user), void *user)
{
    /* the main loop polls at least every 100 ms; a signal also interrupts its wait */
    (void)wake;
    (void)user;
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* a closed terminal or a logout hangs up: end remote support as the button does */
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int host_plat_stop_requested(void)
{
    int s = got_signal;
    got_signal = 0;
    return s;
}

const char *host_plat_stop_name(int code)
{
    switch (code) {
    case SIGINT:
        return "SIGINT";
    case SIGTERM:
        return "SIGTERM";
    case SIGHUP:
        return "SIGHUP";
    default:
        return "signal";
    }
}

void host_plat_stop_done(void) {}

int host_plat_state_dir(char *out, size_t cap, char *err, size_t errlen)
{
    const char *home = getenv("HOME");
    if (!home || !*home) {
        snprintf(err, errlen, "HOME is not set: give --state-dir");
        return -1;
    }
    char p[4096];
    snprintf(p, sizeof p, "%s/.local", home);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/.local/state", home);
    mkdir(p, 0700);
    if ((size_t)snprintf(out, cap, "%s/.local/state/sasae", home) >= cap) {
        snprintf(err, errlen, "HOME is too long");
        return -1;
    }
    return 0;
}

/* XDG_DOWNLOAD_DIR="$HOME/Downloads" from user-dirs.dirs, as xdg-user-dir reads it. */
static bool xdg_download(const char *home, char *out, size_t cap)
{
    const char *xch = getenv("XDG_CONFIG_HOME");
    char p[4096], line[4096];
    if (xch && *xch)
        snprintf(p, sizeof p, "%s/user-dirs.dirs", xch);
    else
        snprintf(p, sizeof p, "%s/.config/user-dirs.dirs", home);
    FILE *f = fopen(p, "r");
    bool found = false;
    while (f && !found && fgets(line, sizeof line, f)) {
        const char *v = line;
        while (*v == ' ' || *v == '\t')
            v++;
        if (strncmp(v, "XDG_DOWNLOAD_DIR=\"", 18) != 0)
            continue;
        v += 18;
        char *end = strchr(v, '"');
        if (!end)
            continue;
        *end = 0;
        if (strncmp(v, "$HOME", 5) == 0)
            found = (size_t)snprintf(out, cap, "%s%s", home, v + 5) < cap;
        else if (v[0] == '/')
            found = (size_t)snprintf(out, cap, "%s", v) < cap;
        /* "$HOME/" alone means the feature is off: use ~/Downloads */
        if (found && strcmp(out, home) == 0)
            found = false;
    }
    if (f)
        fclose(f);
    return found;
}

int host_plat_download_dir(char *out, size_t cap, char *err, size_t errlen)
{
    const char *home = getenv("HOME");
    if (!home || !*home) {
        snprintf(err, errlen, "HOME is not set: give --download-dir");
        return -1;
    }
    if (!xdg_download(home, out, cap) && (size_t)snprintf(out, cap, "%s/Downloads", home) >= cap) {
        snprintf(err, errlen, "HOME is too long");
        return -1;
    }
    if (mkdir(out, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", out, strerror(errno));
        return -1;
    }
    return 0;
}

bool host_plat_log_in_state_dir(void)
{
    return false;
}

int host_plat_private_dir(const char *dir, char *err, size_t errlen)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int host_plat_private_file_write(const char *path, const void *data, size_t len, char *err,
                                 size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
    int e = errno;
    if (fd >= 0)
        close(fd);
    if (!ok) {
        snprintf(err, errlen, "%.400s: %s", path, strerror(e));
        if (fd >= 0)
            unlink(path);
        return -1;
    }
    return 0;
}

int host_plat_private_file_check(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%.400s: %s", path, strerror(errno));
        return -1;
    }
    if (st.st_mode & 077) {
        snprintf(err, errlen, "%.400s is readable by others (mode %03o): refusing to use it", path,
                 st.st_mode & 0777);
        return -1;
    }
    return 1;
}

int host_plat_system_proxy(char *out, size_t cap)
{
    (void)out;
    (void)cap;
    return 0;
}

bool host_plat_has_desktop(const char *display)
{
    return display && *display;
}

struct host_ui *host_plat_tty_ui(char *err, size_t errlen)
{
    if (!isatty(STDIN_FILENO)) {
        /* answers must come from a person at a terminal, not from a pipe or a file */
        snprintf(err, errlen, "--consent=tty needs a terminal on standard input");
        return NULL;
    }
    return host_ui_tty_new(STDIN_FILENO, STDOUT_FILENO, err, errlen);
}
