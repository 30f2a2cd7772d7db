/* sasae brand: the brand block, what a help desk writes into its copy of sasae-host.exe (relay
 * address, the CA of the relay's certificate, the organisation CA, its CRL and name) so a customer
 * starts the program with no arguments and no files beside it. Pure: parsed and built from
 * bytes, no OS calls (fuzzed). The exe's own area is in host/win/brand_win.c; the command
 * that writes it is `sasae-certs brand` (relay/certs/brand.c): both agree on this format.
 *
 * Layout of the SASAE_BRAND_AREA-byte area (in the exe's .sbrand section):
 *   marker   32 bytes  "SASAE-BRAND-AREA-v1", zero-padded
 *   length   u32 BE    payload bytes; 0 = not branded
 *   payload  fields: u8 type, u16 BE length, bytes (each type at most once)
 *   sha256   32 bytes  over marker, length and payload
 *   zeros    to the end of the area (checked too: any byte changed is refused)
 * The relay URL is printable ASCII, the name UTF-8 without control characters, and the
 * PEM fields start with "-----BEGIN " (what lws's in-memory CA reader needs). */
#ifndef SASAE_BRAND_H
#define SASAE_BRAND_H

#include <stddef.h>
#include <stdint.h>

#define SASAE_BRAND_AREA 65536
#define SASAE_BRAND_MARKER "SASAE-BRAND-AREA-v1"
#define SASAE_BRAND_MARKER_LEN 32
#define SASAE_BRAND_HEADER (SASAE_BRAND_MARKER_LEN + 4)
#define SASAE_BRAND_MAX_PAYLOAD (SASAE_BRAND_AREA - SASAE_BRAND_HEADER - 32)
#define SASAE_BRAND_MAX_URL 512  /* bytes; the host keeps the URL in a fixed buffer */
#define SASAE_BRAND_MAX_NAME 256 /* bytes of UTF-8 */

enum sasae_brand_field {
    SASAE_BRAND_RELAY_URL = 1, /* wss://host:port/ */
    SASAE_BRAND_RELAY_CA = 2,  /* PEM: the CA(s) that signed the relay's certificate */
    SASAE_BRAND_ORG_CA = 3,    /* PEM: the organisation CA operators chain to */
    SASAE_BRAND_CRL = 4,       /* PEM: the organisation's CRL (optional) */
    SASAE_BRAND_ORG_NAME = 5,  /* UTF-8 display name (optional) */
};

/* The parsed fields point into the area (not NUL-terminated: use the lengths). */
struct sasae_brand {
    const char *relay_url, *relay_ca, *org_ca, *crl, *org_name;
    size_t relay_url_len, relay_ca_len, org_ca_len, crl_len, org_name_len;
};

/* Parses an area of len bytes. 0 = branded (b filled; relay URL, relay CA and org CA are
 * present, the URL is wss://), 1 = a clean unbranded area, negative = damaged: err says why
 * ("checksum mismatch", "truncated", ...). Never falls back to anything on damage. */
int sasae_brand_parse(const uint8_t *area, size_t len, struct sasae_brand *b, char *err,
                      size_t errlen);

/* Writes a branded area (SASAE_BRAND_AREA bytes) from b (lengths as given; crl and org_name
 * may be NULL). 0, or -1 with err: anything sasae_brand_parse would refuse (a field too
 * large, a missing field, not wss://, control characters, not PEM) is refused here. */
int sasae_brand_build(const struct sasae_brand *b, uint8_t *area, char *err, size_t errlen);

/* An unbranded area as the exe ships it: the marker, length 0, zeros. */
void sasae_brand_blank(uint8_t *area);

#endif
