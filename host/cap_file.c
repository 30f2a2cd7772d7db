/* File capture source: a y4m (I420) or raw BGRA file played in a loop at the source frame
 * rate, with dirty rectangles found by comparing 16x16 blocks with the previous frame. */
#include "cap_backend.h"

#include <errno.h>
#include <libyuv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/common.h"

struct filesrc {
    FILE *f;
    bool y4m;
    long data_start; /* offset of the first frame */
    size_t frame_bytes;
    uint8_t *raw;        /* one frame as read */
    uint8_t *img, *prev; /* BGRA, current and previous */
    int stride;
    uint64_t n, period_ns, next_ns;
};

/* Parses "YUV4MPEG2 W<w> H<h> F<n>:<d> ... C<cs>\n". Only 4:2:0 8-bit is accepted. */
static int parse_y4m_header(FILE *f, int *w, int *h, int *fps, char *err, size_t errlen)
{
    char line[512];
    if (!fgets(line, sizeof line, f) || strncmp(line, "YUV4MPEG2 ", 10) != 0 ||
        !strchr(line, '\n')) {
        snprintf(err, errlen, "not a y4m file (bad header)");
        return -EINVAL;
    }
    *w = *h = 0;
    for (char *tok = strtok(line + 10, " \n"); tok; tok = strtok(NULL, " \n")) {
        if (tok[0] == 'W')
            *w = atoi(tok + 1);
        else if (tok[0] == 'H')
            *h = atoi(tok + 1);
        else if (tok[0] == 'F') {
            int num = 0, den = 0;
            if (sscanf(tok + 1, "%d:%d", &num, &den) == 2 && num > 0 && den > 0)
                *fps = (num + den / 2) / den > 0 ? (num + den / 2) / den : 1;
        } else if (tok[0] == 'C' && strncmp(tok + 1, "420", 3) != 0) {
            snprintf(err, errlen, "y4m colour space %s not supported (need 4:2:0)", tok + 1);
            return -ENOTSUP;
        } else if (tok[0] == 'I' && tok[1] != 'p' && tok[1] != '?') {
            snprintf(err, errlen, "interlaced y4m not supported");
            return -ENOTSUP;
        }
    }
    return 0;
}

/* Reads the next frame into fs->raw, rewinding at the end. */
static int read_frame(struct filesrc *fs)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (fs->y4m) {
            char tag[6];
            int ch;
            if (fread(tag, 1, 5, fs->f) == 5 && memcmp(tag, "FRAME", 5) == 0) {
                /* skip frame parameters up to the newline, bounded */
                int k = 0;
                while ((ch = fgetc(fs->f)) != EOF && ch != '\n' && k++ < 256)
                    ;
                if (ch == '\n' && fread(fs->raw, 1, fs->frame_bytes, fs->f) == fs->frame_bytes)
                    return 0;
            }
        } else if (fread(fs->raw, 1, fs->frame_bytes, fs->f) == fs->frame_bytes) {
            return 0;
        }
        if (fs->n == 0 && attempt == 0)
            return -EPIPE; /* not even one whole frame */
        if (fseek(fs->f, fs->data_start, SEEK_SET) != 0)
            return -EIO;
    }
    return -EPIPE;
}

static int file_grab(struct sasae_cap *c, struct sasae_dirty *dirty, struct sasae_frame *f)
{
    struct filesrc *fs = c->impl;
    int w = c->width, h = c->height;
    int rc = read_frame(fs);
    if (rc < 0)
        return rc;
    uint8_t *t = fs->prev;
    fs->prev = fs->img;
    fs->img = t;
    if (fs->y4m) {
        const uint8_t *y = fs->raw;
        int cw = (w + 1) / 2, ch = (h + 1) / 2;
        const uint8_t *u = y + (size_t)w * (size_t)h;
        const uint8_t *v = u + (size_t)cw * (size_t)ch;
        I420ToARGB(y, w, u, cw, v, cw, fs->img, fs->stride, w, h);
    } else {
        memcpy(fs->img, fs->raw, fs->frame_bytes);
    }
    int changed;
    if (fs->n == 0) {
        sasae_dirty_add(dirty, (struct sasae_rect){0, 0, w, h}, w, h);
        changed = 1;
    } else {
        changed = cap_diff_blocks(fs->prev, fs->img, w, h, fs->stride, dirty);
    }
    fs->n++;
    f->width = w;
    f->height = h;
    f->stride = fs->stride;
    f->bgra = fs->img;
    f->capture_us = sasae_wall_us();
    return changed > 0;
}

static int file_wait(struct sasae_cap *c, int timeout_ms)
{
    struct filesrc *fs = c->impl;
    uint64_t now = sasae_mono_ns();
    if (fs->next_ns == 0 || fs->next_ns + 10 * fs->period_ns < now)
        fs->next_ns = now;
    int r = cap_sleep_until(fs->next_ns, timeout_ms);
    if (r)
        fs->next_ns += fs->period_ns;
    return r;
}

static void file_free(struct sasae_cap *c)
{
    struct filesrc *fs = c->impl;
    if (!fs)
        return;
    if (fs->f)
        fclose(fs->f);
    free(fs->raw);
    free(fs->img);
    free(fs->prev);
    free(fs);
}

static const struct cap_ops file_ops = {file_grab, file_wait, NULL, file_free};

int cap_file_open(struct sasae_cap *c, const struct sasae_cap_opts *o, const char *path, char *err,
                  size_t errlen)
{
    int rc = -ENOMEM;
    struct filesrc *fs = calloc(1, sizeof *fs);
    if (!fs) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    c->impl = fs;
    c->ops = &file_ops;
    fs->f = fopen(path, "rb");
    if (!fs->f) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto fail;
    }
    char magic[10] = {0};
    size_t got = fread(magic, 1, sizeof magic, fs->f);
    rewind(fs->f);
    int w = o->width, h = o->height, fps = o->fps > 0 ? o->fps : 30;
    if (got == sizeof magic && memcmp(magic, "YUV4MPEG2 ", 10) == 0) {
        fs->y4m = true;
        rc = parse_y4m_header(fs->f, &w, &h, &fps, err, errlen);
        if (rc < 0)
            goto fail;
    } else if (w <= 0 || h <= 0) {
        snprintf(err, errlen, "%s: raw BGRA needs --size WxH", path);
        rc = -EINVAL;
        goto fail;
    }
    if (w < 1 || h < 1 || w > 8192 || h > 8192) {
        snprintf(err, errlen, "%s: frame size %dx%d out of range 1..8192", path, w, h);
        rc = -EINVAL;
        goto fail;
    }
    fs->data_start = ftell(fs->f);
    fs->frame_bytes =
        fs->y4m ? (size_t)w * (size_t)h + 2 * (size_t)((w + 1) / 2) * (size_t)((h + 1) / 2)
                : (size_t)w * (size_t)h * 4;
    fs->stride = w * 4;
    fs->raw = malloc(fs->frame_bytes);
    fs->img = calloc((size_t)h, (size_t)fs->stride);
    fs->prev = calloc((size_t)h, (size_t)fs->stride);
    if (!fs->raw || !fs->img || !fs->prev) {
        snprintf(err, errlen, "out of memory");
        rc = -ENOMEM;
        goto fail;
    }
    fs->period_ns = 1000000000ull / (uint64_t)fps;
    c->width = w;
    c->height = h;
    return 0;
fail:
    file_free(c);
    c->impl = NULL;
    return rc;
}
