/* Test helper: starts a private Xvfb on a free display (Xvfb -displayfd picks it) and stops
 * it again. Used by the host's capture, injection and overlay tests. */
#ifndef SASAE_TEST_XVFB_HELPER_H
#define SASAE_TEST_XVFB_HELPER_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct xvfb {
    pid_t pid;
    char name[32]; /* ":N" */
};

/* Starts Xvfb with the given screen ("1280x720x24"). Returns 0 or -1. */
static inline int xvfb_start(struct xvfb *x, const char *screen)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* A test that dies (failed assertion, timeout) must not leave its X server behind. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() == 1)
            _exit(127);
        close(fds[0]);
        char fd[16];
        snprintf(fd, sizeof fd, "%d", fds[1]);
        int null = open("/dev/null", 1);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execlp("Xvfb", "Xvfb", "-displayfd", fd, "-screen", "0", screen, "-nolisten", "tcp",
               "-noreset", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char buf[16] = {0};
    ssize_t n = 0, r;
    /* Xvfb writes the display number and a newline once it accepts connections */
    while (n < (ssize_t)sizeof buf - 1 &&
           (r = read(fds[0], buf + n, sizeof buf - 1 - (size_t)n)) > 0) {
        n += r;
        if (memchr(buf, '\n', (size_t)n))
            break;
    }
    close(fds[0]);
    if (n <= 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        return -1;
    }
    x->pid = pid;
    snprintf(x->name, sizeof x->name, ":%d", atoi(buf));
    return 0;
}

static inline void xvfb_stop(struct xvfb *x)
{
    if (x->pid > 0) {
        kill(x->pid, SIGTERM);
        waitpid(x->pid, NULL, 0);
        x->pid = 0;
    }
}

#endif
