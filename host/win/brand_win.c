/* The brand area of sasae-host.exe: SASAE_BRAND_AREA bytes in a section of their own
 * (.sbrand), shipped blank; `sasae-certs brand` fills a copy of the exe before it is signed,
 * so the Authenticode signature covers it. Read from memory: the section is mapped with the
 * program, no file is opened. */
#include "platform.h"

#include <string.h>

/* volatile: the compiler must read what `sasae-certs brand` wrote into the file, not the
 * blank it initialised; used: kept even though nothing refers to it by name but this file */
__attribute__((section(".sbrand"),
               used)) static const volatile uint8_t brand_area[SASAE_BRAND_AREA] =
    SASAE_BRAND_MARKER;

/* The fields point into this copy, read byte by byte through the volatile area (a plain
 * read could be folded by the compiler into the blank initialiser). */
static uint8_t brand_copy[SASAE_BRAND_AREA];

int host_brand_load(struct sasae_brand *b, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof brand_copy; i++)
        brand_copy[i] = brand_area[i];
    return sasae_brand_parse(brand_copy, sizeof brand_copy, b, err, errlen);
}
