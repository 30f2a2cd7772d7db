/* libFuzzer: codec/link, the glue both endpoints run on every relay DATA body. Mode byte 0:
 * arbitrary messages (each after a u16 big-endian length) into a fresh host link; 1: the
 * same into a viewer link after its CLIENT_HELLO; 2: a real handshake between two links,
 * then arbitrary records into the established viewer. Checks the link's contract: nothing
 * establishes against a forged peer, no MESSAGE before ESTABLISHED, a final failure stays
 * final, every event's pointers are readable, and nothing crashes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sasae/certs.h"
#include "sasae/link.h"

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
    (void)argc;
    (void)argv;
    char dir[] = "/tmp/sasae-fuzz-link-XXXXXX";
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

static volatile uint8_t g_sink;

/* Reads every byte an event points at (ASan finds a stale or short pointer). */
static void touch(const struct sasae_link_event *ev)
{
    for (size_t i = 0; i < ev->out_len; i++)
        g_sink ^= ev->out[i];
    if (ev->kind == SASAE_LINK_EV_MESSAGE && ev->msg.type == SASAE_WIRE_VIDEO)
        for (size_t i = 0; i < ev->msg.u.video.data_len; i++)
            g_sink ^= ev->msg.u.video.data[i];
}

/* Feeds the length-prefixed messages of data into l; checks the contract as it goes. */
static void feed(struct sasae_link *l, const uint8_t *data, size_t size, int established)
{
    static uint8_t buf[SASAE_CHAN_MAX_RECORD + 2];
    int final = 0;
    size_t off = 0;
    while (off + 2 <= size) {
        size_t len = (size_t)data[off] << 8 | data[off + 1];
        off += 2;
        if (len > size - off)
            len = size - off;
        memcpy(buf, data + off, len); /* an exact-size copy for ASan */
        off += len;
        struct sasae_link_event ev;
        sasae_link_input(l, buf, len, &ev);
        touch(&ev);
        if (final && (ev.kind != SASAE_LINK_EV_FAILED || ev.fail != SASAE_LINK_FAIL_DEAD))
            abort(); /* a final failure was not final */
        if (!established &&
            (ev.kind == SASAE_LINK_EV_ESTABLISHED || ev.kind == SASAE_LINK_EV_MESSAGE))
            abort(); /* forged handshake accepted, or a message read before it */
        if (ev.kind == SASAE_LINK_EV_FAILED && ev.fail != SASAE_LINK_FAIL_MESSAGE) {
            final = 1;
            if (sasae_link_established(l))
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] % 3;
    data++;
    size--;
    struct sasae_link *h = sasae_link_new(sasae_chan_new_host(g_dev, g_trust, TEST_CODE, NULL));
    struct sasae_link *v = sasae_link_new(sasae_chan_new_viewer(g_cred, TEST_CODE, NULL));
    if (!h || !v)
        abort();
    const uint8_t *out;
    size_t n;
    if (mode == 0) {
        feed(h, data, size, 0);
    } else if (mode == 1) {
        if (sasae_link_start(v, &out, &n))
            abort();
        feed(v, data, size, 0);
    } else {
        static uint8_t m[SASAE_CHAN_MAX_HANDSHAKE];
        struct sasae_link_event ev = {0};
        if (sasae_link_start(v, &out, &n))
            abort();
        struct sasae_link *to = h;
        for (int i = 0; i < 4; i++) {
            memcpy(m, out, n);
            sasae_link_input(to, m, n, &ev);
            out = ev.out;
            n = ev.out_len;
            to = to == h ? v : h;
        }
        if (!sasae_link_established(v) || !sasae_link_established(h))
            abort();
        feed(v, data, size, 1);
    }
    sasae_link_free(h);
    sasae_link_free(v);
    return 0;
}
