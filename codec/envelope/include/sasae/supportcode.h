/* sasae supportcode: the 12-digit support code the customer reads aloud (docs/envelope.md
 * "Codes"): the relay's 7 digits (6 routing + 1 check, all the relay ever sees), 4 secret
 * digits the host draws itself, and a Damm check digit over the first 11 that catches
 * every single-digit typo and every swap of neighbours locally, before any network
 * attempt. Host and viewer bind the session to the first 11 (the channel's password). */
#ifndef SASAE_SUPPORTCODE_H
#define SASAE_SUPPORTCODE_H

#include <stddef.h>

#define SASAE_SCODE_RELAY_DIGITS 7  /* sent to the relay in JOIN, issued by it in CODE */
#define SASAE_SCODE_SECRET_DIGITS 4 /* never sent to the relay */
#define SASAE_SCODE_PASSWORD_DIGITS (SASAE_SCODE_RELAY_DIGITS + SASAE_SCODE_SECRET_DIGITS)
#define SASAE_SCODE_DIGITS (SASAE_SCODE_PASSWORD_DIGITS + 1) /* 12, the last the check digit */
#define SASAE_SCODE_SHOWN 16                                 /* "123 456 789 012" + NUL */

/* Damm check digit ('0'..'9') of n ASCII digits; -1 if one is not a digit. */
int sasae_scode_damm(const char *digits, size_t n);

/* Host: the full code from the relay's 7 digits and 4 fresh secret digits (CSPRNG, uniform),
 * with its check digit: full gets 12 digits + NUL. 0, -EINVAL (relay not 7 digits) or -EIO
 * (no randomness). */
int sasae_scode_compose(const char *relay, char full[SASAE_SCODE_DIGITS + 1]);

/* As _compose with given secret digits (4 ASCII digits): for keeping the secret when only
 * the relay part changes, and for tests. 0 or -EINVAL. */
int sasae_scode_compose_with(const char *relay, const char *secret,
                             char full[SASAE_SCODE_DIGITS + 1]);

/* Viewer: normalises what the operator typed (spaces, dashes, dots, tabs and newlines are
 * separators) to the 12 digits. 0; -EINVAL if it is not 12 digits; -EBADMSG if the check
 * digit does not match (a typo: nothing should be sent anywhere). */
int sasae_scode_parse(const char *in, char full[SASAE_SCODE_DIGITS + 1]);

/* The parts of a full (parsed) code: the relay's 7 digits and the channel password (the
 * first 11), each NUL-terminated. */
void sasae_scode_relay_part(const char *full, char relay[SASAE_SCODE_RELAY_DIGITS + 1]);
void sasae_scode_password(const char *full, char pw[SASAE_SCODE_PASSWORD_DIGITS + 1]);

/* Up to 12 digits in groups of three for reading aloud: "1234" -> "123 4",
 * "123456789012" -> "123 456 789 012". Non-digits are skipped. */
void sasae_scode_format(const char *digits, char out[SASAE_SCODE_SHOWN]);

#endif
