/* vncmeter: a VNC client that only measures, for bench/peers/run.sh. It connects to a VNC
 * server on loopback (no password), asks for the encodings a viewer would (Tight first, as
 * x11vnc and TigerVNC serve it best), decodes every update into its own frame buffer (so it
 * does the work a real viewer does before showing it) and prints one line per completed
 * FramebufferUpdate: the wall-clock time (CLOCK_REALTIME, microseconds: the clock
 * bench/typist stamps its drawing with), the number of rectangles and their bounding box.
 * Bytes are not counted here: the harness reads the process's socket reads from /proc.
 * On SIGUSR1 it writes its frame buffer (what a viewer would show: raw R,G,B,X bytes, width x
 * height, no header) to the file named by VNCMETER_DUMP, through a rename so that a reader
 * never sees half a picture: the harness's PSNR at rest.
 * Usage: vncmeter PORT [SECONDS]   (ends on SIGTERM/SIGINT or after SECONDS) */
#include <errno.h>
#include <rfb/rfbclient.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop, dump;
static int nrects, bx0, by0, bx1, by1;

static uint64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void on_stop(int sig)
{
    (void)sig;
    stop = 1;
}

static void on_dump(int sig)
{
    (void)sig;
    dump = 1;
}

/* The frame buffer into PATH (via PATH.tmp and a rename); 0 or a negative errno. */
static int write_fb(rfbClient *cl, const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -errno;
    size_t n = (size_t)cl->width * (size_t)cl->height * 4;
    int rc = fwrite(cl->frameBuffer, 1, n, f) == n ? 0 : -EIO;
    if (fclose(f) != 0 && !rc)
        rc = -errno;
    if (!rc && rename(tmp, path) != 0)
        rc = -errno;
    return rc;
}

static void on_rect(rfbClient *cl, int x, int y, int w, int h)
{
    (void)cl;
    if (nrects++ == 0) {
        bx0 = x, by0 = y, bx1 = x + w, by1 = y + h;
        return;
    }
    bx0 = x < bx0 ? x : bx0;
    by0 = y < by0 ? y : by0;
    bx1 = x + w > bx1 ? x + w : bx1;
    by1 = y + h > by1 ? y + h : by1;
}

/* One line per update, flushed at once: the harness matches them against typist's stamps
 * after the run, and a killed meter must not lose the tail. */
static void on_done(rfbClient *cl)
{
    (void)cl;
    printf("%llu\t%d\t%d\t%d\t%d\t%d\n", (unsigned long long)wall_us(), nrects, bx0, by0, bx1, by1);
    fflush(stdout);
    nrects = 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: vncmeter PORT [SECONDS]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    double secs = argc == 3 ? atof(argv[2]) : 0;
    signal(SIGTERM, on_stop);
    signal(SIGINT, on_stop);
    signal(SIGUSR1, on_dump);
    const char *dump_path = getenv("VNCMETER_DUMP");
    rfbClientLog = rfbClientErr; /* keep stdout for the update lines */
    rfbClient *cl = rfbGetClient(8, 3, 4);
    if (!cl)
        return 1;
    cl->serverHost = strdup("127.0.0.1");
    cl->serverPort = port;
    cl->appData.encodingsString = "tight zrle copyrect hextile zlib corre rre raw";
    /* the pointer's shape apart, as real viewers ask: else the server paints it into the
     * picture, which then never equals the screen (sasae and ffmpeg leave it out too) */
    cl->appData.useRemoteCursor = TRUE;
    cl->GotFrameBufferUpdate = on_rect;
    cl->FinishedFrameBufferUpdate = on_done;
    if (!rfbInitClient(cl, NULL, NULL)) /* frees cl on failure */
        return 1;
    uint64_t end = secs > 0 ? wall_us() + (uint64_t)(secs * 1e6) : 0;
    int rc = 0;
    while (!stop && (!end || wall_us() < end)) {
        int n = WaitForMessage(cl, 100000);
        if (dump) { /* also what interrupted the wait, if it failed */
            dump = 0;
            int w = dump_path ? write_fb(cl, dump_path) : -EINVAL;
            if (w < 0)
                fprintf(stderr, "vncmeter: cannot write the frame buffer: %s\n", strerror(-w));
            if (n < 0)
                continue;
        }
        if (n < 0 || (n > 0 && !HandleRFBServerMessage(cl))) {
            rc = 1;
            break;
        }
    }
    rfbClientCleanup(cl);
    return rc;
}
