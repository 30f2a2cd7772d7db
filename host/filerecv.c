/* One file from the operator: see filerecv.h. Plain C stdio and POSIX open(), which Linux
 * and mingw both have, so this file is shared and unit-tested on Linux. */
#include "filerecv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#define IO_BLOCK (64 * 1024)

void host_filerecv_init(struct host_filerecv *fr, uint64_t max_size)
{
    memset(fr, 0, sizeof *fr);
    fr->max_size = max_size ? max_size : HOST_FILE_DEFAULT_MAX;
}

static void set_text(struct host_filerecv *fr, struct sasae_wire_file *r, const char *text)
{
    snprintf(fr->text, sizeof fr->text, "%s", text);
    r->text = fr->text;
    r->text_len = strlen(fr->text);
}

void host_filerecv_abort(struct host_filerecv *fr, bool keep_partial)
{
    if (fr->f)
        fclose(fr->f);
    fr->f = NULL;
    EVP_MD_CTX_free(fr->md);
    fr->md = NULL;
    if (fr->state == HOST_FR_RECEIVING && !keep_partial && fr->part[0])
        remove(fr->part);
    fr->part[0] = 0;
    fr->state = HOST_FR_IDLE;
}

/* Length of the UTF-8 sequence at s (n bytes left), 0 if invalid (overlong, surrogate). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len = c < 0x80             ? 1
                 : (c & 0xe0) == 0xc0 ? 2
                 : (c & 0xf0) == 0xe0 ? 3
                 : (c & 0xf8) == 0xf0 ? 4
                                      : 0;
    if (!len || len > n || (len == 2 && c < 0xc2) || c > 0xf4)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if (len == 3 && ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0)))
        return 0;
    if (len == 4 && ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90)))
        return 0;
    return len;
}

/* CON, PRN, AUX, NUL, COM1-9, LPT1-9 as the part before the first dot (Windows opens the
 * device for "nul.txt" and "CON .txt" too). */
static bool device_name(const char *name, size_t len)
{
    size_t b = 0;
    while (b < len && name[b] != '.')
        b++;
    while (b && name[b - 1] == ' ')
        b--;
    char up[5] = {0};
    if (b != 3 && b != 4)
        return false;
    for (size_t i = 0; i < b; i++)
        up[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
    if (b == 3)
        return !strcmp(up, "CON") || !strcmp(up, "PRN") || !strcmp(up, "AUX") || !strcmp(up, "NUL");
    return (!strncmp(up, "COM", 3) || !strncmp(up, "LPT", 3)) && up[3] >= '1' && up[3] <= '9';
}

const char *host_file_name_check(const char *name, size_t len)
{
    if (len == 0)
        return "the file name is empty";
    if (len > HOST_FILE_NAME_MAX)
        return "the file name is too long (over 200 bytes)";
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return "the file name is \".\" or \"..\"";
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f)
            return "the file name contains control characters";
        if (c == '/' || c == '\\')
            return "the file name contains a path separator (/ or \\)";
        if (strchr(":*?\"<>|", c) && c)
            return "the file name contains a character Windows does not allow (: * ? \" < > |)";
        size_t l = utf8_len((const unsigned char *)name + i, len - i);
        if (!l)
            return "the file name is not valid UTF-8";
        i += l;
    }
    if (name[len - 1] == '.' || name[len - 1] == ' ')
        return "the file name ends with a dot or a space";
    if (device_name(name, len))
        return "the file name is a Windows device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9)";
    return NULL;
}

static char sep_of(const char *dir)
{
    return strchr(dir, '\\') && !strchr(dir, '/') ? '\\' : '/';
}

static void join(const char *dir, const char *name, const char *suffix, char *out, size_t cap)
{
    size_t dl = strlen(dir);
    bool has_sep = dl && (dir[dl - 1] == '/' || dir[dl - 1] == '\\');
    snprintf(out, cap, "%s%s%s%s", dir, has_sep ? "" : (char[]){sep_of(dir), 0}, name, suffix);
}

void host_file_part_path(const char *dir, const char *name, const uint8_t sha256[32], char *out,
                         size_t cap)
{
    char suffix[64];
    int n = snprintf(suffix, sizeof suffix, ".");
    for (int i = 0; i < 8; i++)
        n += snprintf(suffix + n, sizeof suffix - (size_t)n, "%02x", sha256[i]);
    snprintf(suffix + n, sizeof suffix - (size_t)n, "%s", HOST_FILE_PART_SUFFIX);
    join(dir, name, suffix, out, cap);
}

int host_file_unique_path(const char *dir, const char *name, char *out, size_t cap)
{
    /* "report.tar.gz" -> "report (1).tar.gz" would be nicer, but the last dot is what every
     * file manager treats as the extension */
    const char *dot = strrchr(name, '.');
    size_t base = dot && dot != name ? (size_t)(dot - name) : strlen(name);
    for (int i = 0; i < 1000; i++) {
        char n[HOST_FILE_NAME_MAX + 16];
        if (i == 0)
            snprintf(n, sizeof n, "%s", name);
        else
            snprintf(n, sizeof n, "%.*s (%d)%s", (int)base, name, i, name + base);
        join(dir, n, "", out, cap);
        int fd = open(out, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd >= 0) {
            close(fd);
            return 0;
        }
        if (errno != EEXIST)
            return -errno;
    }
    return -EEXIST;
}

static void answer_fields(struct sasae_wire_file *r, uint32_t id, uint8_t status, uint64_t limit)
{
    memset(r, 0, sizeof *r);
    r->id = id;
    r->status = status;
    r->size = limit;
}

bool host_filerecv_offer(struct host_filerecv *fr, const struct sasae_wire_file *o,
                         struct sasae_wire_file *reply)
{
    answer_fields(reply, o->id, SASAE_WIRE_FILE_OK, fr->max_size);
    if (fr->state != HOST_FR_IDLE) {
        reply->status = SASAE_WIRE_FILE_BUSY;
        set_text(fr, reply, "another file is being sent");
        return false;
    }
    const char *why = host_file_name_check(o->text, o->text_len);
    if (why) {
        reply->status = SASAE_WIRE_FILE_BAD_NAME;
        set_text(fr, reply, why);
        return false;
    }
    if (o->size > fr->max_size) {
        char t[160];
        snprintf(t, sizeof t, "the file is larger than this computer accepts (%llu MiB)",
                 (unsigned long long)(fr->max_size >> 20));
        reply->status = SASAE_WIRE_FILE_TOO_BIG;
        set_text(fr, reply, t);
        return false;
    }
    fr->id = o->id;
    memcpy(fr->name, o->text, o->text_len);
    fr->name[o->text_len] = 0;
    fr->size = o->size;
    memcpy(fr->sha256, o->sha256, sizeof fr->sha256);
    fr->got = fr->acked = 0;
    fr->state = HOST_FR_ASKING;
    return true;
}

/* Opens (or resumes) the partial file and primes the hash with what it already holds. */
static int open_part(struct host_filerecv *fr, char *why, size_t whylen)
{
    host_file_part_path(fr->dir, fr->name, fr->sha256, fr->part, sizeof fr->part);
    EVP_MD_CTX_free(fr->md); /* normally none left: a transfer ends through abort */
    fr->md = EVP_MD_CTX_new();
    if (!fr->md || EVP_DigestInit_ex(fr->md, EVP_sha256(), NULL) != 1) {
        snprintf(why, whylen, "out of memory");
        return -ENOMEM;
    }
    FILE *f = fopen(fr->part, "rb");
    uint64_t have = 0;
    if (f) {
        uint8_t *buf = malloc(IO_BLOCK);
        size_t n;
        while (buf && have <= fr->size && (n = fread(buf, 1, IO_BLOCK, f)) > 0) {
            EVP_DigestUpdate(fr->md, buf, n);
            have += n;
        }
        free(buf);
        fclose(f);
        if (have > fr->size) { /* not ours after all: start again */
            EVP_DigestInit_ex(fr->md, EVP_sha256(), NULL);
            have = 0;
        }
    }
    fr->f = fopen(fr->part, have ? "ab" : "wb");
    if (!fr->f) {
        int e = errno;
        snprintf(why, whylen, "cannot write in %.200s: %s", fr->dir, strerror(e));
        return -e;
    }
    fr->got = fr->acked = have;
    return 0;
}

bool host_filerecv_answer(struct host_filerecv *fr, bool accept, const char *dir,
                          struct sasae_wire_file *reply)
{
    if (fr->state != HOST_FR_ASKING)
        return false;
    answer_fields(reply, fr->id, SASAE_WIRE_FILE_DECLINED, fr->max_size);
    if (!accept) {
        set_text(fr, reply, "the customer declined the file");
        fr->state = HOST_FR_IDLE;
        return true;
    }
    snprintf(fr->dir, sizeof fr->dir, "%s", dir);
    char why[300];
    fr->state = HOST_FR_RECEIVING;
    if (open_part(fr, why, sizeof why) != 0) {
        fr->part[0] = 0; /* nothing of ours to remove */
        host_filerecv_abort(fr, false);
        reply->status = SASAE_WIRE_FILE_IO;
        set_text(fr, reply, why);
        return true;
    }
    reply->status = SASAE_WIRE_FILE_OK;
    reply->offset = fr->got;
    set_text(fr, reply, fr->got ? "resuming" : "accepted");
    return true;
}

/* The last byte came: compare, then move the partial file to a name that is free. */
static int finish(struct host_filerecv *fr, struct sasae_wire_file *reply)
{
    uint8_t got[32];
    unsigned len = 0;
    int rc = fflush(fr->f) == 0 ? 0 : -errno;
    fclose(fr->f);
    fr->f = NULL;
    EVP_DigestFinal_ex(fr->md, got, &len);
    answer_fields(reply, fr->id, SASAE_WIRE_FILE_OK, 0);
    reply->offset = fr->got;
    if (rc != 0) {
        reply->status = SASAE_WIRE_FILE_IO;
        set_text(fr, reply, strerror(-rc));
    } else if (memcmp(got, fr->sha256, sizeof got) != 0) {
        reply->status = SASAE_WIRE_FILE_CHECKSUM;
        set_text(fr, reply, "the SHA-256 of the data received does not match the offer");
    } else if ((rc = host_file_unique_path(fr->dir, fr->name, fr->saved, sizeof fr->saved)) != 0) {
        reply->status = SASAE_WIRE_FILE_IO;
        set_text(fr, reply, strerror(-rc));
    } else if (rename(fr->part, fr->saved) != 0 &&
               (remove(fr->saved) != 0 || rename(fr->part, fr->saved) != 0)) {
        /* Windows' rename does not replace: the empty placeholder we reserved goes first */
        reply->status = SASAE_WIRE_FILE_IO;
        set_text(fr, reply, strerror(errno));
        remove(fr->saved);
    } else {
        const char *base = fr->saved + strlen(fr->dir);
        while (*base == '/' || *base == '\\')
            base++;
        set_text(fr, reply, base); /* the name it was stored under */
        fr->part[0] = 0;
    }
    host_filerecv_abort(fr, false);
    return SASAE_WIRE_FILE_END;
}

int host_filerecv_chunk(struct host_filerecv *fr, const struct sasae_wire_file *c,
                        struct sasae_wire_file *reply)
{
    answer_fields(reply, c->id, SASAE_WIRE_FILE_PROTOCOL, 0);
    if (fr->state != HOST_FR_RECEIVING || c->id != fr->id || c->offset != fr->got ||
        c->data_len > fr->size - fr->got) {
        set_text(fr, reply,
                 fr->state != HOST_FR_RECEIVING || c->id != fr->id
                     ? "no such transfer"
                     : "chunk out of order or past the announced size");
        if (fr->state == HOST_FR_RECEIVING && c->id == fr->id)
            host_filerecv_abort(fr, false);
        return SASAE_WIRE_FILE_ABORT;
    }
    if (fwrite(c->data, 1, c->data_len, fr->f) != c->data_len) {
        reply->status = SASAE_WIRE_FILE_IO;
        set_text(fr, reply, strerror(errno));
        host_filerecv_abort(fr, false);
        return SASAE_WIRE_FILE_ABORT;
    }
    EVP_DigestUpdate(fr->md, c->data, c->data_len);
    fr->got += c->data_len;
    if (fr->got == fr->size)
        return finish(fr, reply);
    if (fr->got - fr->acked >= HOST_FILE_ACK_EVERY) {
        fr->acked = fr->got;
        reply->status = SASAE_WIRE_FILE_OK;
        reply->offset = fr->got;
        return SASAE_WIRE_FILE_ACK;
    }
    return 0;
}

int host_filerecv_finish_if_done(struct host_filerecv *fr, struct sasae_wire_file *reply)
{
    if (fr->state != HOST_FR_RECEIVING || fr->got != fr->size)
        return 0;
    return finish(fr, reply);
}
