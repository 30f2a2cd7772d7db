/* Script-friendly stdout reports, the frame log and frame dumps (PNG/I420). */
#include <errno.h>
#include <libyuv.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "app.h"
#include "sasae/common.h"

void vreport_state(const struct sasae_vsm *sm)
{
    if (sm->state == SASAE_VSM_ENDED && sm->fault)
        printf("protocol-violation=%s\n", sasae_vsm_fault_text(sm->fault));
    if (sm->state == SASAE_VSM_ENDED)
        printf("end=%s exit=%d\n", sasae_vsm_end_name(sm->end), sasae_vsm_exit_code(sm->end));
    else
        printf("state=%s control=%s\n", sasae_vsm_state_name(sm->state),
               sm->control == SASAE_VSM_CONTROL_GRANTED     ? "granted"
               : sm->control == SASAE_VSM_CONTROL_REQUESTED ? "requested"
                                                            : "none");
    fflush(stdout);
}

void vreport_host_key(const char *fpr)
{
    printf("host-fingerprint=%s\n", fpr);
    fflush(stdout);
}

void vreport_sysinfo(const char *text, size_t len)
{
    printf("sysinfo-begin\n%.*s%ssysinfo-end\n", (int)len, text,
           len && text[len - 1] == '\n' ? "" : "\n");
    fflush(stdout);
}

void vreport_clipboard(const char *what, long bytes, const char *why)
{
    if (why)
        printf("clipboard=%s why=%s\n", what, why);
    else
        printf("clipboard=%s bytes=%ld\n", what, bytes);
    fflush(stdout);
}

void vreport_chat(const char *what, const char *text, size_t len)
{
    printf("chat=%s text=", what);
    for (size_t i = 0; i < len; i++)
        putchar(text[i] == '\n' || text[i] == '\r' ? ' ' : text[i]);
    putchar('\n');
    fflush(stdout);
}

FILE *vframelog_open(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        SASAE_ERR("viewer", "cannot write frame log %s: %s", path, strerror(errno));
        return NULL;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    fputs(sasae_frame_log_header(), f);
    return f;
}

void vframelog_write(FILE *f, const struct vframe_info *fi, uint64_t shown_us, int w, int h,
                     bool decode_error)
{
    if (!f)
        return;
    struct sasae_frame_rec r = {.frame_id = fi->frame_id,
                                .capture_us = fi->capture_us,
                                .recv_us = fi->recv_us,
                                .shown_us = shown_us,
                                .decode_us = fi->decode_us,
                                .bytes = fi->bytes,
                                .width = (uint16_t)w,
                                .height = (uint16_t)h,
                                .keyframe = fi->keyframe,
                                .refresh = fi->refresh,
                                .decode_error = decode_error};
    char line[256];
    sasae_frame_log_line(&r, line, sizeof line);
    fputs(line, f);
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int png_chunk(int fd, const char type[4], const uint8_t *data, uint32_t len)
{
    uint8_t hdr[8], crc[4];
    be32(hdr, len);
    memcpy(hdr + 4, type, 4);
    uLong c = crc32(0, hdr + 4, 4);
    if (len)
        c = crc32(c, data, len);
    be32(crc, (uint32_t)c);
    int rc = write_all(fd, hdr, 8);
    if (!rc && len)
        rc = write_all(fd, data, len);
    if (!rc)
        rc = write_all(fd, crc, 4);
    return rc;
}

/* An 8-bit RGB PNG: rows prefixed with filter 0, deflated with zlib. */
static int write_png(int fd, const uint8_t *rgb, int w, int h)
{
    size_t row = (size_t)w * 3 + 1, raw_len = row * (size_t)h;
    uint8_t *raw = malloc(raw_len);
    uLongf zlen = compressBound(raw_len);
    uint8_t *z = malloc(zlen);
    int rc = -ENOMEM;
    if (!raw || !z)
        goto out;
    for (int y = 0; y < h; y++) {
        raw[row * (size_t)y] = 0;
        memcpy(raw + row * (size_t)y + 1, rgb + (size_t)y * w * 3, (size_t)w * 3);
    }
    rc = -EIO;
    if (compress2(z, &zlen, raw, raw_len, 1) != Z_OK)
        goto out;
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint8_t ihdr[13];
    be32(ihdr, (uint32_t)w);
    be32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 2;  /* colour type RGB */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering */
    ihdr[12] = 0; /* no interlace */
    rc = write_all(fd, sig, sizeof sig);
    if (!rc)
        rc = png_chunk(fd, "IHDR", ihdr, sizeof ihdr);
    if (!rc)
        rc = png_chunk(fd, "IDAT", z, (uint32_t)zlen);
    if (!rc)
        rc = png_chunk(fd, "IEND", NULL, 0);
out:
    free(raw);
    free(z);
    return rc;
}

int vdump_frame(const char *dir, bool i420, const struct vimage *img, uint32_t frame_id)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/frame-%06u.%s", dir, frame_id, i420 ? "yuv" : "png");
    int fd = sasae_open_write(path);
    if (fd < 0)
        return fd;
    int rc = 0;
    if (i420) {
        int cw = (img->w + 1) / 2, ch = (img->h + 1) / 2;
        for (int y = 0; !rc && y < img->h; y++)
            rc = write_all(fd, img->planes[0] + (size_t)y * img->strides[0], (size_t)img->w);
        for (int p = 1; p < 3; p++)
            for (int y = 0; !rc && y < ch; y++)
                rc = write_all(fd, img->planes[p] + (size_t)y * img->strides[p], (size_t)cw);
    } else {
        uint8_t *rgb = malloc((size_t)img->w * img->h * 3);
        if (!rgb) {
            rc = -ENOMEM;
        } else {
            /* libyuv's "RAW" is R,G,B byte order, what PNG wants. */
            I420ToRAW(img->planes[0], img->strides[0], img->planes[1], img->strides[1],
                      img->planes[2], img->strides[2], rgb, img->w * 3, img->w, img->h);
            rc = write_png(fd, rgb, img->w, img->h);
            free(rgb);
        }
    }
    if (close(fd) != 0 && !rc)
        rc = -errno;
    return rc;
}
