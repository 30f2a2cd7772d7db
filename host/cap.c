/* Capture front end: picks a backend from the options and forwards to it. */
#include "cap_backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/common.h"

static const struct cap_backend *find_backend(const char *name)
{
    for (const struct cap_backend *b = cap_platform_backends; b->name; b++)
        if (strcmp(b->name, name) == 0)
            return b;
    return NULL;
}

struct sasae_cap *sasae_cap_open(const struct sasae_cap_opts *o, char *err, size_t errlen)
{
    struct sasae_cap *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    const char *src = o->source ? o->source : "screen";
    int rc;
    if (strcmp(src, "screen") == 0) {
        /* the platform's bootstrap list: the first backend that opens wins (Windows: DXGI
         * Desktop Duplication, then GDI); each failure is logged, the last one reported */
        rc = -ENODEV;
        snprintf(err, errlen, "no screen capture backend");
        for (const struct cap_backend *b = cap_platform_backends; b->name; b++) {
            rc = b->open(c, o, err, errlen);
            if (rc >= 0) {
                SASAE_INFO("cap", "screen capture: %s", b->name);
                err[0] = '\0'; /* an earlier backend's reason is history now */
                break;
            }
            SASAE_WARN("cap", "capture backend %s unavailable: %s", b->name, err);
            memset(c, 0, sizeof *c);
        }
    } else if (find_backend(src)) {
        rc = find_backend(src)->open(c, o, err, errlen);
    } else if (strcmp(src, "synthetic") == 0) {
        rc = cap_synth_open(c, o, err, errlen);
    } else if (strncmp(src, "file:", 5) == 0 && src[5]) {
        rc = cap_file_open(c, o, src + 5, err, errlen);
    } else {
        char names[128] = "";
        for (const struct cap_backend *b = cap_platform_backends; b->name; b++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s, ", b->name);
        snprintf(err, errlen, "unknown capture source '%s' (screen, %ssynthetic or file:PATH)", src,
                 names);
        rc = -EINVAL;
    }
    if (rc < 0) {
        free(c);
        return NULL;
    }
    return c;
}

bool sasae_cap_is_screen(const char *source)
{
    return source && (strcmp(source, "screen") == 0 || find_backend(source) != NULL);
}

int sasae_cap_monitors(const struct sasae_cap *c, const struct sasae_cap_opts *o,
                       struct sasae_monitor *out, int max)
{
    if (max < 1)
        return -EINVAL;
    if (sasae_cap_is_screen(o->source ? o->source : "screen"))
        return cap_platform_monitors(o, out, max);
    memset(out, 0, sizeof *out);
    out->w = c->width;
    out->h = c->height;
    out->primary = true;
    return 1;
}

void sasae_cap_free(struct sasae_cap *c)
{
    if (!c)
        return;
    c->ops->free(c);
    free(c);
}

void sasae_cap_size(const struct sasae_cap *c, int *w, int *h)
{
    *w = c->width;
    *h = c->height;
}

void sasae_cap_origin(const struct sasae_cap *c, int *x, int *y)
{
    *x = c->origin_x;
    *y = c->origin_y;
}

int sasae_cap_grab(struct sasae_cap *c, struct sasae_dirty *dirty, struct sasae_frame *frame)
{
    return c->ops->grab(c, dirty, frame);
}

int sasae_cap_wait(struct sasae_cap *c, int timeout_ms)
{
    return c->ops->wait(c, timeout_ms);
}

int sasae_cap_cursor(struct sasae_cap *c, struct sasae_cursor *cur)
{
    if (!c->ops->cursor)
        return -ENOTSUP;
    return c->ops->cursor(c, cur);
}
