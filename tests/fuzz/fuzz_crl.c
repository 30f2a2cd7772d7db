/* libFuzzer target: revocation data as the host takes it (sasae_chan_trust_new with the
 * organisation CA and an arbitrary CRL). The first byte picks the form: even = the rest is
 * PEM text as given, odd = the rest is DER in a correct PEM armour, so that the bytes reach
 * OpenSSL's DER parser and the project's signature and date checks. Every input must give a
 * trust object or NULL without a crash, leak or undefined behaviour. */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/certs.h"
#include "sasae/chan.h"

static char *g_ca;
static size_t g_ca_len;

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        abort();
    char *b = malloc(65536);
    *len = fread(b, 1, 65535, f);
    b[*len] = 0;
    fclose(f);
    return b;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char dir[] = "/tmp/sasae-fuzz-crl-XXXXXX";
    char err[256];
    if (!mkdtemp(dir) || sasae_certs_init_ca(dir, "Fuzz Org", err))
        abort();
    g_ca = slurp(dir, "ca.pem", &g_ca_len);
    size_t rl;
    char *r = slurp(dir, "crl.pem", &rl);
    /* the CA's own CRL is taken */
    struct sasae_chan_trust *t = sasae_chan_trust_new(g_ca, g_ca_len, r, rl, NULL);
    if (!t)
        abort();
    sasae_chan_trust_free(t);
    free(r);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 32768)
        return 0;
    static char pem[65536];
    size_t n;
    if (data[0] % 2 == 0) {
        n = size - 1;
        memcpy(pem, data + 1, n);
    } else {
        n = (size_t)snprintf(pem, sizeof pem, "-----BEGIN X509 CRL-----\n");
        int b64 = EVP_EncodeBlock((unsigned char *)pem + n, data + 1, (int)(size - 1));
        n += (size_t)b64;
        /* PEM wants lines of at most 64 characters: rewrap in place from the end */
        static char wrapped[65536];
        size_t w = 0, body = n - (size_t)b64;
        memcpy(wrapped, pem, body);
        w = body;
        for (int i = 0; i < b64; i++) {
            wrapped[w++] = pem[body + (size_t)i];
            if (i % 64 == 63)
                wrapped[w++] = '\n';
        }
        w += (size_t)snprintf(wrapped + w, sizeof wrapped - w, "\n-----END X509 CRL-----\n");
        memcpy(pem, wrapped, w);
        n = w;
    }
    enum sasae_chan_err err;
    struct sasae_chan_trust *t = sasae_chan_trust_new(g_ca, g_ca_len, pem, n, &err);
    sasae_chan_trust_free(t);
    return 0;
}
