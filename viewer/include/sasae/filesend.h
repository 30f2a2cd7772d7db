/* Sending one file to the customer (FILE_* messages) as logic without a window or socket:
 * the offer (name, size, SHA-256), chunks paced by the host's FILE_ACKs so a file never fills
 * the relay's queue, resume from the offset the host answers, and the outcome. The caller
 * seals and sends the messages it hands back. */
#ifndef SASAE_FILESEND_H
#define SASAE_FILESEND_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sasae/wire.h"

#define SASAE_FILESEND_CHUNK (16 * 1024)   /* like the host's video chunks */
#define SASAE_FILESEND_WINDOW (128 * 1024) /* bytes sent and not yet acknowledged */

enum sasae_filesend_state {
    SASAE_FILESEND_IDLE = 0,
    SASAE_FILESEND_OFFERED, /* waiting for the customer */
    SASAE_FILESEND_SENDING,
    SASAE_FILESEND_DONE,   /* stored: text = the name it got */
    SASAE_FILESEND_FAILED, /* refused, declined, damaged or stopped: status and text say */
};

struct sasae_filesend {
    enum sasae_filesend_state state;
    uint32_t id;
    char name[256];
    uint64_t size, next, acked, stop_at; /* stop_at: tests stall there (0 = never) */
    uint8_t sha256[32];
    int status; /* enum sasae_wire_file_status of the outcome */
    char text[SASAE_WIRE_FILE_TEXT_MAX + 1];
    FILE *f;
    uint8_t buf[SASAE_FILESEND_CHUNK];
};

/* Opens path and hashes it; *offer is then the FILE_OFFER to send (name borrowed from fs).
 * name: what the customer sees ("" or NULL = the last part of path). Any transfer before is
 * forgotten. 0 or a negative errno (err says why). */
int sasae_filesend_start(struct sasae_filesend *fs, const char *path, const char *name, uint32_t id,
                         struct sasae_wire_msg *offer, char *err, size_t errlen);

/* A FILE_ANSWER, FILE_ACK, FILE_END or FILE_ABORT from the host: true if it was for this
 * transfer (its state changed). */
bool sasae_filesend_on_msg(struct sasae_filesend *fs, const struct sasae_wire_msg *m);

/* The next FILE_CHUNK to send now (data points into fs until the next call): true, or false
 * when the window is full or nothing is left. Call until false after each on_msg. */
bool sasae_filesend_next(struct sasae_filesend *fs, struct sasae_wire_msg *chunk);

/* Stops it (the operator cancels): true with *abort the FILE_ABORT to send if a transfer was
 * under way. */
bool sasae_filesend_cancel(struct sasae_filesend *fs, struct sasae_wire_msg *abort);

/* Closes the file; the state stays readable. */
void sasae_filesend_close(struct sasae_filesend *fs);

/* The last part of a path ("C:\\x\\a.txt" and "/x/a.txt" give "a.txt"). */
const char *sasae_filesend_basename(const char *path);

#endif
