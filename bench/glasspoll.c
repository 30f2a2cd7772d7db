/* glasspoll: the visible end of "true glass to glass". It reads a rectangle of a window's
 * pixels on an X display (the operator viewer's window on a second Xvfb) as fast as the
 * X server hands them over (MIT-SHM, a copy into shared memory, with a short sleep between
 * reads) and prints one line for every read whose pixels differ from the read before:
 * `MONO_US REAL_US` (CLOCK_MONOTONIC and CLOCK_REALTIME, microseconds), the time taken just
 * after the read came back, so a change is never stamped before it was in the window. The
 * monotonic stamp is compared with the source's (bench/typist on the host's display, same
 * machine); the real-time one matches the change to the viewer's frame log. Runs until
 * SIGTERM/SIGINT or SECONDS; prints the number of reads and their rate on stderr. */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <time.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static uint64_t clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int main(int argc, char **argv)
{
    if (argc < 6 || argc > 8) {
        fprintf(stderr, "usage: glasspoll WINDOW_ID X Y W H [SECONDS [SLEEP_US]]   (DISPLAY: the "
                        "viewer's screen; X Y W H in the window)\n");
        return 2;
    }
    Window win = (Window)strtoul(argv[1], NULL, 0);
    int x = atoi(argv[2]), y = atoi(argv[3]), w = atoi(argv[4]), h = atoi(argv[5]);
    double secs = argc >= 7 ? atof(argv[6]) : 0;
    long sleep_us = argc >= 8 ? atol(argv[7]) : 200;
    int rc = 1;
    Display *dpy = XOpenDisplay(NULL);
    XImage *img = NULL;
    XShmSegmentInfo shm = {.shmid = -1, .shmaddr = (char *)-1};
    unsigned char *prev = NULL;
    if (!dpy || w < 1 || h < 1) {
        fprintf(stderr, "glasspoll: %s\n", dpy ? "bad arguments" : "cannot open the display");
        goto out;
    }
    if (!XShmQueryExtension(dpy)) {
        fprintf(stderr, "glasspoll: the X server has no MIT-SHM\n");
        goto out;
    }
    XWindowAttributes wa;
    if (!XGetWindowAttributes(dpy, win, &wa) || x < 0 || y < 0 || x + w > wa.width ||
        y + h > wa.height) {
        fprintf(stderr, "glasspoll: window 0x%lx is %dx%d, the rectangle does not fit\n", win,
                wa.width, wa.height);
        goto out;
    }
    img = XShmCreateImage(dpy, wa.visual, (unsigned)wa.depth, ZPixmap, NULL, &shm, (unsigned)w,
                          (unsigned)h);
    if (!img)
        goto out;
    size_t size = (size_t)img->bytes_per_line * (size_t)img->height;
    shm.shmid = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
    if (shm.shmid < 0) {
        fprintf(stderr, "glasspoll: shmget: %s\n", strerror(errno));
        goto out;
    }
    shm.shmaddr = img->data = shmat(shm.shmid, NULL, 0);
    shm.readOnly = False;
    if (shm.shmaddr == (char *)-1 || !XShmAttach(dpy, &shm)) {
        fprintf(stderr, "glasspoll: cannot share memory with the X server\n");
        goto out;
    }
    XSync(dpy, False);
    /* Marked for removal now: it goes when both of us detach, even if we are killed. */
    shmctl(shm.shmid, IPC_RMID, NULL);
    prev = malloc(size);
    if (!prev)
        goto out;
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    uint64_t start = clock_us(CLOCK_MONOTONIC), reads = 0, changes = 0;
    int have_prev = 0;
    while (!stop && (secs <= 0 || clock_us(CLOCK_MONOTONIC) - start < secs * 1e6)) {
        if (!XShmGetImage(dpy, win, img, x, y, AllPlanes)) {
            fprintf(stderr, "glasspoll: the window went away\n");
            goto out;
        }
        uint64_t mono = clock_us(CLOCK_MONOTONIC), real = clock_us(CLOCK_REALTIME);
        reads++;
        if (have_prev && memcmp(prev, img->data, size)) {
            printf("%" PRIu64 " %" PRIu64 "\n", mono, real);
            fflush(stdout);
            changes++;
        }
        memcpy(prev, img->data, size);
        have_prev = 1;
        if (sleep_us > 0) {
            struct timespec d = {0, sleep_us * 1000L};
            nanosleep(&d, NULL);
        }
    }
    double span = (double)(clock_us(CLOCK_MONOTONIC) - start) / 1e6;
    fprintf(stderr,
            "glasspoll: %" PRIu64 " reads of %dx%d in %.1f s (%.0f per second), %" PRIu64
            " changes\n",
            reads, w, h, span, span > 0 ? (double)reads / span : 0.0, changes);
    rc = 0;
out:
    free(prev);
    if (shm.shmaddr != (char *)-1) {
        if (dpy)
            XShmDetach(dpy, &shm);
        shmdt(shm.shmaddr);
    }
    if (img) {
        img->data = NULL;
        XDestroyImage(img);
    }
    if (dpy)
        XCloseDisplay(dpy);
    return rc;
}
