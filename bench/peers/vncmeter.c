/* vncmeter: a VNC client that only measures, for bench/peers/run.sh. It connects to a VNC
 * server on loopback (no password), asks for the encodings a viewer would (Tight first, as
 * x11vnc and TigerVNC serve it best), decodes every update into its own frame buffer (so it
 * does the work a real viewer does before showing it) and prints one line per completed
 * FramebufferUpdate: the wall-clock time (CLOCK_REALTIME, microseconds: the clock
 * bench/typist stamps its drawing with), the number of rectangles and their bounding box.
 * Bytes are not counted here: the harness reads the process's socket reads from /proc.
 * Usage: vncmeter PORT [SECONDS]   (ends on SIGTERM/SIGINT or after SECONDS) */
#include <rfb/rfbclient.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop;
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
    rfbClientLog = rfbClientErr; /* keep stdout for the update lines */
    rfbClient *cl = rfbGetClient(8, 3, 4);
    if (!cl)
        return 1;
    cl->serverHost = strdup("127.0.0.1");
    cl->serverPort = port;
    cl->appData.encodingsString = "tight zrle copyrect hextile zlib corre rre raw";
    cl->GotFrameBufferUpdate = on_rect;
    cl->FinishedFrameBufferUpdate = on_done;
    if (!rfbInitClient(cl, NULL, NULL)) /* frees cl on failure */
        return 1;
    uint64_t end = secs > 0 ? wall_us() + (uint64_t)(secs * 1e6) : 0;
    int rc = 0;
    while (!stop && (!end || wall_us() < end)) {
        int n = WaitForMessage(cl, 100000);
        if (n < 0 || (n > 0 && !HandleRFBServerMessage(cl))) {
            rc = 1;
            break;
        }
    }
    rfbClientCleanup(cl);
    return rc;
}
