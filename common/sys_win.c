/* The shared operating-system calls on Windows (declared in sasae/common.h): UTF-8 paths
 * become wide strings; files are binary and not inherited. */
#include "sasae/common.h"
#include "sasae/win.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <windows.h>

wchar_t *sasae_win_wide(const char *utf8)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8, -1, NULL, 0);
    if (n <= 0)
        return NULL;
    wchar_t *w = malloc((size_t)n * sizeof *w);
    if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8, -1, w, n) != n) {
        free(w);
        w = NULL;
    }
    return w;
}

int sasae_setenv(const char *name, const char *value)
{
    return _putenv_s(name, value) == 0 ? 0 : -1;
}

int sasae_mkdir(const char *path)
{
    wchar_t *w = sasae_win_wide(path);
    if (!w)
        return -EINVAL;
    int rc = 0;
    if (!CreateDirectoryW(w, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)
        rc = -EACCES;
    free(w);
    return rc;
}

int sasae_open_write(const char *path)
{
    wchar_t *w = sasae_win_wide(path);
    if (!w)
        return -EINVAL;
    int fd =
        _wopen(w, _O_WRONLY | _O_CREAT | _O_TRUNC | _O_BINARY | _O_NOINHERIT, _S_IREAD | _S_IWRITE);
    int e = errno;
    free(w);
    return fd >= 0 ? fd : -e;
}

void sasae_on_stop_signals(void (*fn)(int))
{
    signal(SIGINT, fn);
    signal(SIGTERM, fn);
    signal(SIGBREAK, fn);
}
