/* libFuzzer: the secure channel's parsers. Mode byte 0: arbitrary CLIENT_HELLO then
 * CLIENT_AUTH into a host; 1: arbitrary SERVER_HELLO then HOST_FINISHED into a viewer
 * (modes 0 and 1: a u16 big-endian length of the first message follows the mode byte);
 * 2: a real handshake with one message mutated in flight; 3: arbitrary records into an
 * established channel. No input may establish a channel with a forged peer or crash.
 *
 * SASAE_FUZZ_CHAN_SEEDS=DIR fuzz_chan writes seeds shaped for the current channel version
 * (real messages from a real handshake, docs/protocol.md) into DIR and exits: rerun it
 * when the handshake changes, so the fuzzer starts past the version and length checks. */
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

static uint8_t g_out[SASAE_CHAN_MAX_HANDSHAKE], g_a[SASAE_CHAN_MAX_HANDSHAKE];

static void write_seed(const char *dir, const char *name, const uint8_t *head, size_t hl,
                       const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(head, 1, hl, f) != hl || (al && fwrite(a, 1, al, f) != al) ||
        (bl && fwrite(b, 1, bl, f) != bl) || fclose(f))
        abort();
}

/* One real handshake; every message and two sealed records become seeds. */
static void write_seeds(const char *dir)
{
    static uint8_t m[4][SASAE_CHAN_MAX_HANDSHAKE], rec[2][64];
    size_t ml[4], rl[2];
    struct sasae_chan *h = sasae_chan_new_host(g_dev, g_trust, TEST_CODE, NULL);
    struct sasae_chan *v = sasae_chan_new_viewer(g_cred, TEST_CODE, NULL);
    size_t last;
    if (sasae_chan_start(v, m[0], sizeof(m[0]), &ml[0]) ||
        sasae_chan_handshake(h, m[0], ml[0], m[1], sizeof(m[1]), &ml[1]) ||
        sasae_chan_handshake(v, m[1], ml[1], m[2], sizeof(m[2]), &ml[2]) ||
        sasae_chan_handshake(h, m[2], ml[2], m[3], sizeof(m[3]), &ml[3]) ||
        sasae_chan_handshake(v, m[3], ml[3], g_out, sizeof(g_out), &last) ||
        !sasae_chan_established(v) || !sasae_chan_established(h) ||
        sasae_chan_seal(v, (const uint8_t *)"\x01hello", 6, rec[0], sizeof(rec[0]), &rl[0]) ||
        sasae_chan_seal(v, (const uint8_t *)"", 0, rec[1], sizeof(rec[1]), &rl[1]))
        abort();
    /* modes 0 and 1: the host's and the viewer's inputs, each after its length */
    uint8_t hd[3] = {0, (uint8_t)(ml[0] >> 8), (uint8_t)ml[0]};
    write_seed(dir, "mode0_ch_ca", hd, 3, m[0], ml[0], m[2], ml[2]);
    write_seed(dir, "mode0_ch", hd, 3, m[0], ml[0], NULL, 0);
    hd[0] = 1, hd[1] = (uint8_t)(ml[1] >> 8), hd[2] = (uint8_t)ml[1];
    write_seed(dir, "mode1_sh_fin", hd, 3, m[1], ml[1], m[3], ml[3]);
    /* mode 2: each step unmutated (a whole handshake), and one byte flipped in each
     * message: the SPAKE2 share, the host's signature, the certificate, the MAC */
    static const uint8_t flips[4][2] = {{70, 1}, {200, 0x80}, {40, 4}, {20, 1}};
    for (uint8_t step = 0; step < 4; step++) {
        char name[32];
        uint8_t clean[4] = {2, step, 0, 0}; /* xor 0: unchanged */
        snprintf(name, sizeof(name), "mode2_step%u", step);
        write_seed(dir, name, clean, 4, NULL, 0, NULL, 0);
        uint8_t flip[4] = {2, step, flips[step][0], flips[step][1]};
        snprintf(name, sizeof(name), "mode2_step%u_flip", step);
        write_seed(dir, name, flip, 4, NULL, 0, NULL, 0);
    }
    /* mode 3: records of another channel, each after its u16 length */
    uint8_t r[2 + 64 + 2 + 64];
    size_t n = 0;
    for (int i = 0; i < 2; i++) {
        r[n++] = (uint8_t)(rl[i] >> 8);
        r[n++] = (uint8_t)rl[i];
        memcpy(r + n, rec[i], rl[i]);
        n += rl[i];
    }
    uint8_t three = 3;
    write_seed(dir, "mode3_records", &three, 1, r, n, NULL, 0);
    sasae_chan_free(h);
    sasae_chan_free(v);
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
    const char *seeds = getenv("SASAE_FUZZ_CHAN_SEEDS");
    if (seeds) {
        write_seeds(seeds);
        exit(0);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] & 3;
    data++;
    size--;
    size_t split = 0;
    if (mode <= 1) {
        /* the first message's length, so a real one can lead (the type byte is not
         * spent on choosing the split) */
        if (size < 2)
            return 0;
        split = (size_t)data[0] << 8 | data[1];
        data += 2;
        size -= 2;
        if (split > size)
            split = size;
    }
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
