/* sasae supportcode: compose, check and format the 12-digit support code. */
#include "sasae/supportcode.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

/* The Damm quasigroup (totally anti-symmetric, order 10): with it a check digit catches all
 * single substitutions and all adjacent transpositions. */
static const unsigned char DAMM[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3}, {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6}, {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7}, {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0}};

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int sasae_scode_damm(const char *digits, size_t n)
{
    if (!digits || !all_digits(digits, n))
        return -1;
    unsigned interim = 0;
    for (size_t i = 0; i < n; i++)
        interim = DAMM[interim][digits[i] - '0'];
    return '0' + (int)interim;
}

int sasae_scode_compose_with(const char *relay, const char *secret,
                             char full[SASAE_SCODE_DIGITS + 1])
{
    if (!relay || !secret || !full ||
        strnlen(relay, SASAE_SCODE_RELAY_DIGITS + 1) != SASAE_SCODE_RELAY_DIGITS ||
        strnlen(secret, SASAE_SCODE_SECRET_DIGITS + 1) != SASAE_SCODE_SECRET_DIGITS ||
        !all_digits(relay, SASAE_SCODE_RELAY_DIGITS) ||
        !all_digits(secret, SASAE_SCODE_SECRET_DIGITS))
        return -EINVAL;
    memcpy(full, relay, SASAE_SCODE_RELAY_DIGITS);
    memcpy(full + SASAE_SCODE_RELAY_DIGITS, secret, SASAE_SCODE_SECRET_DIGITS);
    full[SASAE_SCODE_PASSWORD_DIGITS] = (char)sasae_scode_damm(full, SASAE_SCODE_PASSWORD_DIGITS);
    full[SASAE_SCODE_DIGITS] = '\0';
    return 0;
}

int sasae_scode_compose(const char *relay, char full[SASAE_SCODE_DIGITS + 1])
{
    /* 10^4 secret values, uniform: 32-bit draws at or above 429496 * 10^4 are drawn again */
    uint32_t v = 0;
    for (;;) {
        unsigned char b[4];
        if (RAND_bytes(b, sizeof b) != 1)
            return -EIO;
        v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        OPENSSL_cleanse(b, sizeof b);
        if (v < 4294960000u)
            break;
    }
    char secret[SASAE_SCODE_SECRET_DIGITS + 1];
    v %= 10000u;
    for (int i = SASAE_SCODE_SECRET_DIGITS - 1; i >= 0; i--, v /= 10)
        secret[i] = (char)('0' + v % 10);
    secret[SASAE_SCODE_SECRET_DIGITS] = '\0';
    int rc = sasae_scode_compose_with(relay, secret, full);
    OPENSSL_cleanse(secret, sizeof secret);
    OPENSSL_cleanse(&v, sizeof v);
    return rc;
}

int sasae_scode_parse(const char *in, char full[SASAE_SCODE_DIGITS + 1])
{
    size_t n = 0;
    if (!in || !full)
        return -EINVAL;
    for (const char *p = in; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n == SASAE_SCODE_DIGITS)
                return -EINVAL;
            full[n++] = *p;
        } else if (*p != ' ' && *p != '-' && *p != '.' && *p != '\t' && *p != '\n' && *p != '\r') {
            return -EINVAL;
        }
    }
    full[n] = '\0';
    if (n != SASAE_SCODE_DIGITS)
        return -EINVAL;
    return sasae_scode_damm(full, SASAE_SCODE_PASSWORD_DIGITS) == full[SASAE_SCODE_PASSWORD_DIGITS]
               ? 0
               : -EBADMSG;
}

void sasae_scode_relay_part(const char *full, char relay[SASAE_SCODE_RELAY_DIGITS + 1])
{
    memcpy(relay, full, SASAE_SCODE_RELAY_DIGITS);
    relay[SASAE_SCODE_RELAY_DIGITS] = '\0';
}

void sasae_scode_password(const char *full, char pw[SASAE_SCODE_PASSWORD_DIGITS + 1])
{
    memcpy(pw, full, SASAE_SCODE_PASSWORD_DIGITS);
    pw[SASAE_SCODE_PASSWORD_DIGITS] = '\0';
}

void sasae_scode_format(const char *digits, char out[SASAE_SCODE_SHOWN])
{
    int n = 0, o = 0;
    for (const char *p = digits; p && *p && n < SASAE_SCODE_DIGITS; p++) {
        if (*p < '0' || *p > '9')
            continue;
        if (n > 0 && n % 3 == 0)
            out[o++] = ' ';
        out[o++] = *p;
        n++;
    }
    out[o] = '\0';
}
