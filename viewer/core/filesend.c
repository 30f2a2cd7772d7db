/* One file to the customer: see sasae/filesend.h. */
#include "sasae/filesend.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

const char *sasae_filesend_basename(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

void sasae_filesend_close(struct sasae_filesend *fs)
{
    if (fs->f)
        fclose(fs->f);
    fs->f = NULL;
}

static int hash_file(FILE *f, uint8_t out[32], uint64_t *size, uint8_t *buf, size_t cap)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        return -ENOMEM;
    }
    size_t n;
    *size = 0;
    while ((n = fread(buf, 1, cap, f)) > 0) {
        EVP_DigestUpdate(md, buf, n);
        *size += n;
    }
    int rc = ferror(f) ? -EIO : 0;
    unsigned len = 0;
    EVP_DigestFinal_ex(md, out, &len);
    EVP_MD_CTX_free(md);
    return rc;
}

int sasae_filesend_start(struct sasae_filesend *fs, const char *path, const char *name, uint32_t id,
                         struct sasae_wire_msg *offer, char *err, size_t errlen)
{
    sasae_filesend_close(fs);
    memset(fs, 0, sizeof *fs);
    if (!name || !*name)
        name = sasae_filesend_basename(path);
    snprintf(fs->name, sizeof fs->name, "%s", name);
    fs->f = fopen(path, "rb");
    if (!fs->f) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return -e;
    }
    int rc = hash_file(fs->f, fs->sha256, &fs->size, fs->buf, sizeof fs->buf);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot read it", path);
        sasae_filesend_close(fs);
        return rc;
    }
    fs->id = id;
    fs->state = SASAE_FILESEND_OFFERED;
    memset(offer, 0, sizeof *offer);
    offer->type = SASAE_WIRE_FILE_OFFER;
    offer->u.file.id = id;
    offer->u.file.size = fs->size;
    memcpy(offer->u.file.sha256, fs->sha256, 32);
    offer->u.file.text = fs->name;
    offer->u.file.text_len = strlen(fs->name);
    return 0;
}

static void outcome(struct sasae_filesend *fs, enum sasae_filesend_state st,
                    const struct sasae_wire_file *f)
{
    fs->state = st;
    fs->status = f->status;
    snprintf(fs->text, sizeof fs->text, "%.*s", (int)f->text_len, f->text ? f->text : "");
    sasae_filesend_close(fs);
}

bool sasae_filesend_on_msg(struct sasae_filesend *fs, const struct sasae_wire_msg *m)
{
    const struct sasae_wire_file *f = &m->u.file;
    bool live = fs->state == SASAE_FILESEND_OFFERED || fs->state == SASAE_FILESEND_SENDING;
    if (!live || f->id != fs->id)
        return false;
    switch (m->type) {
    case SASAE_WIRE_FILE_ANSWER:
        if (fs->state != SASAE_FILESEND_OFFERED)
            return false;
        if (f->status != SASAE_WIRE_FILE_OK || f->offset > fs->size ||
            fseek(fs->f, (long)f->offset, SEEK_SET) != 0) {
            outcome(fs, SASAE_FILESEND_FAILED, f);
            return true;
        }
        fs->state = SASAE_FILESEND_SENDING;
        fs->next = fs->acked = f->offset; /* a resumed file starts where the host has it */
        snprintf(fs->text, sizeof fs->text, "%.*s", (int)f->text_len, f->text ? f->text : "");
        return true;
    case SASAE_WIRE_FILE_ACK:
        if (f->offset > fs->acked && f->offset <= fs->next)
            fs->acked = f->offset;
        return true;
    case SASAE_WIRE_FILE_END:
        fs->acked = f->status == SASAE_WIRE_FILE_OK ? fs->size : fs->acked;
        outcome(fs, f->status == SASAE_WIRE_FILE_OK ? SASAE_FILESEND_DONE : SASAE_FILESEND_FAILED,
                f);
        return true;
    case SASAE_WIRE_FILE_ABORT:
        outcome(fs, SASAE_FILESEND_FAILED, f);
        return true;
    default:
        return false;
    }
}

bool sasae_filesend_next(struct sasae_filesend *fs, struct sasae_wire_msg *chunk)
{
    if (fs->state != SASAE_FILESEND_SENDING || fs->next >= fs->size ||
        fs->next - fs->acked >= SASAE_FILESEND_WINDOW || (fs->stop_at && fs->next >= fs->stop_at))
        return false;
    uint64_t left = fs->size - fs->next;
    size_t want = left < sizeof fs->buf ? (size_t)left : sizeof fs->buf;
    if (fs->stop_at && fs->stop_at - fs->next < want)
        want = (size_t)(fs->stop_at - fs->next);
    size_t n = fread(fs->buf, 1, want, fs->f);
    if (n == 0)
        return false; /* the file shrank: the host's checksum will say so */
    memset(chunk, 0, sizeof *chunk);
    chunk->type = SASAE_WIRE_FILE_CHUNK;
    chunk->u.file.id = fs->id;
    chunk->u.file.offset = fs->next;
    chunk->u.file.data = fs->buf;
    chunk->u.file.data_len = n;
    fs->next += n;
    return true;
}

bool sasae_filesend_cancel(struct sasae_filesend *fs, struct sasae_wire_msg *abort)
{
    if (fs->state != SASAE_FILESEND_OFFERED && fs->state != SASAE_FILESEND_SENDING)
        return false;
    memset(abort, 0, sizeof *abort);
    abort->type = SASAE_WIRE_FILE_ABORT;
    abort->u.file.id = fs->id;
    abort->u.file.status = SASAE_WIRE_FILE_CANCELLED;
    fs->state = SASAE_FILESEND_FAILED;
    fs->status = SASAE_WIRE_FILE_CANCELLED;
    snprintf(fs->text, sizeof fs->text, "cancelled");
    sasae_filesend_close(fs);
    return true;
}
