/* libFuzzer: the secure channel's parsers. Mode byte 0: arbitrary CLIENT_HELLO then
 * CLIENT_AUTH into a host; 1: arbitrary SERVER_HELLO then HOST_FINISHED into a viewer;
 * 2: a real handshake with one message mutated in flight; 3: arbitrary records into an
 * established channel. No input may establish a channel with a forged peer or crash. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sasae/certs.h"
#include "sasae/chan.h"

/* the support code both ends bind the channel to (docs/protocol.md "Code binding") */
#define TEST_CODE "12345671234"

static struct sasae_chan_cred *g_cred;
static struct sasae_chan_trust *g_trust;
static struct sasae_chan_key *g_dev;

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
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
    char dir[] = "/tmp/sasae-fuzz-chan-XXXXXX";
    char err[256];
    if (!mkdtemp(dir) || sasae_certs_init_ca(dir, "Fuzz Org", err) ||
        sasae_certs_issue_operator(dir, "Fuzz Operator", NULL, NULL, NULL, err))
        abort();
    size_t cl, kl, al, rl;
    char *c = slurp(dir, "operators/fuzz-operator.pem", &cl);
    char *k = slurp(dir, "operators/fuzz-operator.key", &kl);
    char *a = slurp(dir, "ca.pem", &al), *r = slurp(dir, "crl.pem", &rl);
    g_cred = sasae_chan_cred_new(c, cl, k, kl, NULL);
    g_trust = sasae_chan_trust_new(a, al, r, rl, NULL);
    g_dev = sasae_chan_key_generate();
    if (!g_cred || !g_trust || !g_dev)
        abort();
    free(c);
    free(k);
    free(a);
    free(r);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        abort();
    return 0;
}

static uint8_t g_out[SASAE_CHAN_MAX_HANDSHAKE], g_a[SASAE_CHAN_MAX_HANDSHAKE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] & 3;
    data++;
    size--;
    size_t split = size > 1 ? (size_t)data[0] * size / 256 : 0;
    struct sasae_chan *h = sasae_chan_new_host(g_dev, g_trust, TEST_CODE, NULL);
    struct sasae_chan *v = sasae_chan_new_viewer(g_cred, TEST_CODE, NULL);
    size_t n, an;
    if (mode == 0) {
        if (sasae_chan_handshake(h, data, split, g_out, sizeof(g_out), &n) == SASAE_CHAN_OK &&
            sasae_chan_handshake(h, data + split, size - split, g_out, sizeof(g_out), &n) ==
                SASAE_CHAN_OK)
            abort(); /* a forged CLIENT_AUTH was accepted */
    } else if (mode == 1) {
        sasae_chan_start(v, g_a, sizeof(g_a), &an);
        if (sasae_chan_handshake(v, data, split, g_out, sizeof(g_out), &n) == SASAE_CHAN_OK &&
            sasae_chan_handshake(v, data + split, size - split, g_out, sizeof(g_out), &n) ==
                SASAE_CHAN_OK)
            abort(); /* HOST_FINISHED forged without the host's keys */
    } else if (mode == 2 && size >= 3) {
        /* Real handshake; data[0] picks the message, then (offset, xor) pairs mutate it. */
        int step = data[0] % 4, changed = 0;
        struct sasae_chan *from[4] = {v, h, v, h}, *to[4] = {h, v, h, v};
        (void)from;
        if (sasae_chan_start(v, g_a, sizeof(g_a), &an))
            goto out;
        for (int s = 0; s < 4; s++) {
            if (s == step && an) {
                static uint8_t before[SASAE_CHAN_MAX_HANDSHAKE];
                memcpy(before, g_a, an);
                for (size_t i = 1; i + 1 < size; i += 2)
                    g_a[data[i] % an] ^= data[i + 1];
                changed = memcmp(before, g_a, an) != 0;
            }
            if (sasae_chan_handshake(to[s], g_a, an, g_out, sizeof(g_out), &n))
                break;
            memcpy(g_a, g_out, n);
            an = n;
        }
        /* Every byte of every handshake message is in the transcript: any change must
         * stop at least one side. */
        if (changed && sasae_chan_established(v) && sasae_chan_established(h))
            abort();
    } else if (mode == 3) {
        if (sasae_chan_start(v, g_a, sizeof(g_a), &an) ||
            sasae_chan_handshake(h, g_a, an, g_out, sizeof(g_out), &n) ||
            sasae_chan_handshake(v, g_out, n, g_a, sizeof(g_a), &an) ||
            sasae_chan_handshake(h, g_a, an, g_out, sizeof(g_out), &n) ||
            sasae_chan_handshake(v, g_out, n, g_a, sizeof(g_a), &an))
            abort();
        static uint8_t pt[SASAE_CHAN_MAX_RECORD];
        size_t off = 0, pl;
        while (off + 2 <= size) {
            size_t len = (size_t)data[off] << 8 | data[off + 1];
            off += 2;
            if (len > size - off)
                len = size - off;
            /* Without the keys no record can authenticate. */
            if (sasae_chan_open(h, data + off, len, pt, sizeof(pt), &pl) == SASAE_CHAN_OK)
                abort();
            off += len;
        }
    }
out:
    sasae_chan_free(h);
    sasae_chan_free(v);
    return 0;
}
