/* sasae conf: the one syntax of sasae's configuration files (relay, host and viewer):
 *
 *   # a comment: a line whose first non-blank character is '#'
 *   name = value        blanks around the name and the value are dropped
 *   name = "a value"    double quotes keep blanks and '#'; inside them \" and \\ stand
 *                       for " and \
 *   name                a switch (an option without a value): the callback gets NULL
 *
 * A '#' inside a value is part of the value (a proxy password, a URL), never a comment.
 * Names are lower-case letters, digits and '-'. Lines end with LF or CRLF; at most 4096
 * bytes each. docs/operations.md shows the same rules. */
#ifndef SASAE_CONF_H
#define SASAE_CONF_H

#include <stddef.h>

/* Takes one setting; value is NUL-terminated and only valid during the call (NULL for a
 * switch). Returns 0,
 * or -1 with a reason in err (reported with the line number). */
typedef int (*sasae_conf_fn)(void *ctx, const char *name, const char *value, char *err,
                             size_t errlen);

/* Parses text[0..len) (pure: no files), calling fn for each setting in order. Returns 0,
 * or -1 with err = "line N: reason" at the first bad line (nothing after it is applied). */
int sasae_conf_parse(const char *text, size_t len, sasae_conf_fn fn, void *ctx, char *err,
                     size_t errlen);

/* Reads the file at path (at most 1 MiB) and parses it. Returns 0; -ENOENT when there is
 * no such file (err set too); -1 with err = "PATH: reason" or "PATH:N: reason". */
int sasae_conf_load(const char *path, sasae_conf_fn fn, void *ctx, char *err, size_t errlen);

#endif
