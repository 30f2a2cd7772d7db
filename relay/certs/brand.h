/* `sasae-certs brand` (relay/certs/brand.c), called by the tool's main. */
#ifndef SASAE_CERTS_BRAND_H
#define SASAE_CERTS_BRAND_H

/* argv[0] is "brand". Returns the process exit code (0, 1 failure, 2 usage). */
int certs_brand_main(int argc, char **argv);

#endif
