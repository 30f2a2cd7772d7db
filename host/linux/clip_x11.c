/* The customer's clipboard on X11: the CLIPBOARD selection. A selection has no stored
 * content: its owner answers each SelectionRequest, so pasting into the customer's PC means
 * owning CLIPBOARD and serving UTF8_STRING (and the older STRING/TEXT, and TARGETS) until
 * another program takes it; copying from it means asking the owner with XConvertSelection
 * and reading the property it fills. Both need an event loop: this module runs its own
 * thread on its own display connection, so the session never waits on another program
 * while holding its lock. Transfers in pieces (INCR) are not read: an owner only uses them
 * above ~256 KiB on today's servers, far over the 64 KiB limit, and reports E2BIG. */
#include "sasae/hostclip.h"

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sasae/common.h"

#define TAG "clipboard"
#define RX_MAX (256 * 1024) /* largest answer read; callers ask for at most this */

struct sasae_clip {
    Display *dpy;
    Window win;
    Atom clipboard, utf8, targets, text, prop, incr, text_plain;
    pthread_t thread;
    int wake[2];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* under mu */
    bool stop;
    char *own; /* what we serve while we own CLIPBOARD */
    size_t own_len;
    bool owning, want_own, own_done;
    int own_rc;
    bool get_want, get_started, get_done;
    int get_rc;
    char *rx;
    size_t rx_len;
};

static void poke(struct sasae_clip *c)
{
    char b = 1;
    if (write(c->wake[1], &b, 1) < 0) {
        /* the pipe is full: the thread has wake-ups pending anyway */
    }
}

static void serve(struct sasae_clip *c, const XSelectionRequestEvent *rq)
{
    XSelectionEvent ev = {.type = SelectionNotify,
                          .display = rq->display,
                          .requestor = rq->requestor,
                          .selection = rq->selection,
                          .target = rq->target,
                          .property = rq->property ? rq->property : rq->target,
                          .time = rq->time};
    pthread_mutex_lock(&c->mu);
    if (!c->owning || rq->selection != c->clipboard) {
        ev.property = None;
    } else if (rq->target == c->targets) {
        Atom t[] = {c->targets, c->utf8, c->text_plain, XA_STRING, c->text};
        XChangeProperty(c->dpy, rq->requestor, ev.property, XA_ATOM, 32, PropModeReplace,
                        (unsigned char *)t, (int)(sizeof t / sizeof t[0]));
    } else if (rq->target == c->utf8 || rq->target == c->text_plain || rq->target == XA_STRING ||
               rq->target == c->text) {
        /* STRING is Latin-1 by definition; the text is UTF-8, which old clients show as is
         * for ASCII: better than nothing for them, exact for everyone who asks UTF8_STRING */
        XChangeProperty(c->dpy, rq->requestor, ev.property,
                        rq->target == c->text ? c->utf8 : rq->target, 8, PropModeReplace,
                        (unsigned char *)c->own, (int)c->own_len);
    } else {
        ev.property = None;
    }
    pthread_mutex_unlock(&c->mu);
    XSendEvent(c->dpy, rq->requestor, False, 0, (XEvent *)&ev);
}

static void received(struct sasae_clip *c, const XSelectionEvent *se)
{
    int rc = 0;
    size_t len = 0;
    unsigned char *data = NULL;
    if (se->property != None) {
        Atom type;
        int fmt;
        unsigned long n, after;
        if (XGetWindowProperty(c->dpy, c->win, se->property, 0, RX_MAX / 4 + 1, True,
                               AnyPropertyType, &type, &fmt, &n, &after, &data) != Success) {
            rc = -EIO;
        } else if (type == c->incr || after > 0 || n > RX_MAX) {
            rc = -E2BIG;
        } else if (fmt == 8 && (type == c->utf8 || type == XA_STRING || type == c->text_plain)) {
            len = n;
        } /* anything else is not text: an empty answer */
    }
    pthread_mutex_lock(&c->mu);
    if (c->get_want && c->get_started) {
        c->get_rc = rc;
        c->rx_len = rc == 0 ? len : 0;
        if (rc == 0 && len)
            memcpy(c->rx, data, len);
        c->get_done = true;
        pthread_cond_broadcast(&c->cv);
    }
    pthread_mutex_unlock(&c->mu);
    if (data)
        XFree(data);
}

/* Orders from the callers, run on the clipboard's own thread. */
static void orders(struct sasae_clip *c)
{
    pthread_mutex_lock(&c->mu);
    if (c->want_own) {
        c->want_own = false;
        XSetSelectionOwner(c->dpy, c->clipboard, c->win, CurrentTime);
        c->owning = XGetSelectionOwner(c->dpy, c->clipboard) == c->win;
        c->own_rc = c->owning ? 0 : -EBUSY;
        c->own_done = true;
        pthread_cond_broadcast(&c->cv);
    }
    if (c->get_want && !c->get_started) {
        c->get_started = true;
        if (c->owning) { /* our own text: no round trip through the server */
            memcpy(c->rx, c->own, c->own_len);
            c->rx_len = c->own_len;
            c->get_rc = 0;
            c->get_done = true;
            pthread_cond_broadcast(&c->cv);
        } else {
            XDeleteProperty(c->dpy, c->win, c->prop);
            XConvertSelection(c->dpy, c->clipboard, c->utf8, c->prop, c->win, CurrentTime);
        }
    }
    pthread_mutex_unlock(&c->mu);
    XFlush(c->dpy);
}

static void *clip_main(void *arg)
{
    struct sasae_clip *c = arg;
    for (;;) {
        pthread_mutex_lock(&c->mu);
        bool stop = c->stop;
        pthread_mutex_unlock(&c->mu);
        if (stop)
            break;
        orders(c);
        while (XPending(c->dpy)) {
            XEvent e;
            XNextEvent(c->dpy, &e);
            if (e.type == SelectionRequest) {
                serve(c, &e.xselectionrequest);
            } else if (e.type == SelectionClear && e.xselectionclear.selection == c->clipboard) {
                pthread_mutex_lock(&c->mu);
                c->owning = false; /* another program took it: our copy is no longer served */
                pthread_mutex_unlock(&c->mu);
            } else if (e.type == SelectionNotify && e.xselection.selection == c->clipboard) {
                received(c, &e.xselection);
            }
        }
        XFlush(c->dpy);
        struct pollfd p[2] = {{ConnectionNumber(c->dpy), POLLIN, 0}, {c->wake[0], POLLIN, 0}};
        if (poll(p, 2, 500) > 0 && (p[1].revents & POLLIN)) {
            char buf[64];
            if (read(c->wake[0], buf, sizeof buf) < 0) {
                /* nothing to drain */
            }
        }
    }
    return NULL;
}

struct sasae_clip *sasae_clip_open(const char *display, char *err, size_t errlen)
{
    struct sasae_clip *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->wake[0] = c->wake[1] = -1;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    c->rx = malloc(RX_MAX);
    c->own = malloc(1);
    if (!c->rx || !c->own) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    c->dpy = XOpenDisplay(display);
    if (!c->dpy) {
        snprintf(err, errlen, "cannot open X display for the clipboard");
        goto fail;
    }
    if (pipe(c->wake) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        goto fail;
    }
    c->win = XCreateSimpleWindow(c->dpy, DefaultRootWindow(c->dpy), 0, 0, 1, 1, 0, 0, 0);
    c->clipboard = XInternAtom(c->dpy, "CLIPBOARD", False);
    c->utf8 = XInternAtom(c->dpy, "UTF8_STRING", False);
    c->targets = XInternAtom(c->dpy, "TARGETS", False);
    c->text = XInternAtom(c->dpy, "TEXT", False);
    c->text_plain = XInternAtom(c->dpy, "text/plain;charset=utf-8", False);
    c->incr = XInternAtom(c->dpy, "INCR", False);
    c->prop = XInternAtom(c->dpy, "SASAE_CLIP", False);
    XFlush(c->dpy);
    if (pthread_create(&c->thread, NULL, clip_main, c) != 0) {
        snprintf(err, errlen, "cannot start the clipboard thread");
        goto fail;
    }
    return c;
fail:
    if (c->dpy)
        XCloseDisplay(c->dpy);
    if (c->wake[0] >= 0)
        close(c->wake[0]), close(c->wake[1]);
    free(c->rx);
    free(c->own);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    free(c);
    return NULL;
}

void sasae_clip_free(struct sasae_clip *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stop = true;
    pthread_mutex_unlock(&c->mu);
    poke(c);
    pthread_join(c->thread, NULL);
    /* closing the connection gives the selection up: text the operator pasted does not
     * outlive the session unless the customer pasted it somewhere */
    XCloseDisplay(c->dpy);
    close(c->wake[0]);
    close(c->wake[1]);
    free(c->rx);
    free(c->own);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    free(c);
}

/* Waits on cv until *flag or the deadline (CLOCK_REALTIME, as pthread_cond_timedwait). */
static bool wait_flag(struct sasae_clip *c, const bool *flag, int timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    while (!*flag)
        if (pthread_cond_timedwait(&c->cv, &c->mu, &ts) != 0)
            break;
    return *flag;
}

int sasae_clip_set(struct sasae_clip *c, const char *utf8, size_t len)
{
    char *copy = malloc(len ? len : 1);
    if (!copy)
        return -ENOMEM;
    if (len)
        memcpy(copy, utf8, len);
    pthread_mutex_lock(&c->mu);
    free(c->own);
    c->own = copy;
    c->own_len = len;
    c->want_own = true;
    c->own_done = false;
    pthread_mutex_unlock(&c->mu);
    poke(c);
    pthread_mutex_lock(&c->mu);
    int rc = wait_flag(c, &c->own_done, 2000) ? c->own_rc : -ETIMEDOUT;
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int sasae_clip_get(struct sasae_clip *c, char *out, size_t cap, int timeout_ms)
{
    pthread_mutex_lock(&c->mu);
    c->get_want = true;
    c->get_started = c->get_done = false;
    pthread_mutex_unlock(&c->mu);
    poke(c);
    pthread_mutex_lock(&c->mu);
    int rc;
    if (!wait_flag(c, &c->get_done, timeout_ms))
        rc = -ETIMEDOUT; /* an owner that never answers; a late answer is dropped */
    else if (c->get_rc < 0)
        rc = c->get_rc;
    else if (c->rx_len > cap)
        rc = -E2BIG;
    else {
        memcpy(out, c->rx, c->rx_len);
        rc = (int)c->rx_len;
    }
    c->get_want = false;
    pthread_mutex_unlock(&c->mu);
    if (rc == -ETIMEDOUT)
        SASAE_WARN(TAG, "the program that owns the clipboard did not answer");
    return rc;
}
