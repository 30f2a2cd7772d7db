/* Receiving one file from the operator (FILE_* messages): name checks, the customer's
 * answer, chunks written to a partial file hashed as they come, and the rename once the
 * SHA-256 matches. One transfer at a time. No locking and no network: the session calls it
 * under its lock and sends the replies it fills in. Private to sasae-host and its tests. */
#ifndef SASAE_HOST_FILERECV_H
#define SASAE_HOST_FILERECV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sasae/wire.h"

#define HOST_FILE_NAME_MAX 200 /* bytes of UTF-8; leaves room for the partial's suffix */
#define HOST_FILE_DEFAULT_MAX (100ull * 1024 * 1024)
#define HOST_FILE_ACK_EVERY (64 * 1024)
#define HOST_FILE_PART_SUFFIX ".sasae-part"

enum host_fr_state {
    HOST_FR_IDLE = 0,
    HOST_FR_ASKING,    /* the customer is being asked */
    HOST_FR_RECEIVING, /* accepted: chunks are being written */
};

struct host_filerecv {
    enum host_fr_state state;
    uint64_t max_size;
    uint32_t id;
    char name[HOST_FILE_NAME_MAX + 1];
    uint64_t size, got, acked;
    uint8_t sha256[32];
    char dir[1024];
    char part[1400];  /* path of the partial file */
    char saved[1400]; /* path of the last file stored */
    FILE *f;
    void *md;       /* EVP_MD_CTX */
    char text[512]; /* the reply's text (replies point into it) */
};

/* Starts idle; max_size 0 = HOST_FILE_DEFAULT_MAX. */
void host_filerecv_init(struct host_filerecv *fr, uint64_t max_size);
/* Stops any transfer; the partial file stays only if keep_partial (a resumable blip). */
void host_filerecv_abort(struct host_filerecv *fr, bool keep_partial);

/* NULL if name (len bytes, not NUL-terminated) may be used as a file name on Linux and
 * Windows alike, else a static English reason (path separators, "..", device names, trailing
 * dot or space, control characters, invalid UTF-8, too long, empty). */
const char *host_file_name_check(const char *name, size_t len);

/* The partial file's path for name and sha256 in dir (resume finds it by this). */
void host_file_part_path(const char *dir, const char *name, const uint8_t sha256[32], char *out,
                         size_t cap);

/* A FILE_OFFER. Returns true if the customer must now be asked (state ASKING); false if it is
 * refused at once: *reply is then the FILE_ANSWER to send (BAD_NAME, TOO_BIG, BUSY). */
bool host_filerecv_offer(struct host_filerecv *fr, const struct sasae_wire_file *offer,
                         struct sasae_wire_file *reply);

/* The customer's answer to the offer being asked (accept: into dir, which must exist).
 * Fills *reply, the FILE_ANSWER: OK with the offset to start at (a partial file of the same
 * name, size and SHA-256 in dir resumes), DECLINED, or IO. No-op returning false if
 * nothing is being asked. */
bool host_filerecv_answer(struct host_filerecv *fr, bool accept, const char *dir,
                          struct sasae_wire_file *reply);

/* A FILE_CHUNK. Returns the wire type of the reply filled in *reply, or 0 for none:
 * FILE_ACK every HOST_FILE_ACK_EVERY bytes; FILE_END when the last byte came (OK: stored
 * under a name that did not exist, fr->saved is its path; CHECKSUM: removed); FILE_ABORT
 * (PROTOCOL, IO) when the chunk cannot be taken (the partial file is removed). */
int host_filerecv_chunk(struct host_filerecv *fr, const struct sasae_wire_file *chunk,
                        struct sasae_wire_file *reply);

/* Right after an accepting answer: a file already complete (empty, or a partial file that
 * holds it all) gets no chunks, so it is finished here: FILE_END as from _chunk, else 0. */
int host_filerecv_finish_if_done(struct host_filerecv *fr, struct sasae_wire_file *reply);

/* dir/name if free, else "name (1).ext", "name (2).ext"...: reserves the first free one by
 * creating it empty (exclusive create) and writes its path to out. 0 or negative errno. */
int host_file_unique_path(const char *dir, const char *name, char *out, size_t cap);

#endif
