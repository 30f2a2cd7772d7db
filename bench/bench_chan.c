/* bench_chan: secure channel seal/open throughput (1 KiB and 64 KiB records) against
 * `openssl speed -evp aes-256-gcm` on the same machine, and full handshake time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sasae/certs.h"
#include "sasae/chan.h"
#include "sasae/common.h"

/* the support code both ends bind the channel to (docs/protocol.md "Code binding") */
#define TEST_CODE "12345671234"

#define RUNS 5
#define BATCH 32

static struct sasae_chan_cred *g_cred;
static struct sasae_chan_trust *g_trust;
static struct sasae_chan_key *g_dev;

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        exit(1);
    char *b = malloc(65536);
    *len = fread(b, 1, 65535, f);
    b[*len] = 0;
    fclose(f);
    return b;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void handshake(struct sasae_chan **v, struct sasae_chan **h)
{
    static uint8_t a[SASAE_CHAN_MAX_HANDSHAKE], b[SASAE_CHAN_MAX_HANDSHAKE];
    size_t al, bl;
    *v = sasae_chan_new_viewer(g_cred, TEST_CODE, NULL);
    *h = sasae_chan_new_host(g_dev, g_trust, TEST_CODE, NULL);
    if (sasae_chan_start(*v, a, sizeof(a), &al) ||
        sasae_chan_handshake(*h, a, al, b, sizeof(b), &bl) ||
        sasae_chan_handshake(*v, b, bl, a, sizeof(a), &al) ||
        sasae_chan_handshake(*h, a, al, b, sizeof(b), &bl) ||
        sasae_chan_handshake(*v, b, bl, a, sizeof(a), &al)) {
        fprintf(stderr, "handshake failed\n");
        exit(1);
    }
}

/* Bytes per second of openssl speed for one record size, or 0 if unavailable. */
static double openssl_speed(size_t bytes)
{
    char cmd[256], line[512];
    snprintf(cmd, sizeof(cmd),
             "openssl speed -mr -evp aes-256-gcm -bytes %zu -seconds 1 2>/dev/null", bytes);
    FILE *p = popen(cmd, "r");
    double bps = 0;
    if (!p)
        return 0;
    while (fgets(line, sizeof(line), p)) {
        char *s = strrchr(line, ':');
        if (strncmp(line, "+F:", 3) == 0 && s)
            bps = strtod(s + 1, NULL);
    }
    pclose(p);
    return bps;
}

static void throughput(size_t size)
{
    struct sasae_chan *v, *h;
    handshake(&v, &h);
    uint8_t *pt = malloc(size), *out = malloc(size);
    uint8_t *recs = malloc((size + SASAE_CHAN_RECORD_OVERHEAD) * BATCH);
    size_t rl[BATCH], ol;
    memset(pt, 0x5a, size);
    double seal_r[RUNS], open_r[RUNS];
    size_t target = 64u << 20; /* bytes per run */
    for (int r = 0; r < RUNS; r++) {
        uint64_t ts = 0, to = 0, bytes = 0;
        while (bytes < target) {
            uint64_t t0 = sasae_mono_ns();
            for (int i = 0; i < BATCH; i++)
                if (sasae_chan_seal(v, pt, size, recs + i * (size + 17), size + 17, &rl[i]))
                    exit(1);
            uint64_t t1 = sasae_mono_ns();
            for (int i = 0; i < BATCH; i++)
                if (sasae_chan_open(h, recs + i * (size + 17), rl[i], out, size, &ol))
                    exit(1);
            uint64_t t2 = sasae_mono_ns();
            ts += t1 - t0;
            to += t2 - t1;
            bytes += (uint64_t)size * BATCH;
        }
        seal_r[r] = (double)bytes / ((double)ts / 1e9);
        open_r[r] = (double)bytes / ((double)to / 1e9);
    }
    double s = median(seal_r, RUNS), o = median(open_r, RUNS), ref = openssl_speed(size);
    printf("%6zu B records: seal %8.1f MB/s  open %8.1f MB/s  openssl speed %8.1f MB/s  "
           "ratio seal %.2f open %.2f\n",
           size, s / 1e6, o / 1e6, ref / 1e6, ref ? s / ref : 0, ref ? o / ref : 0);
    free(pt);
    free(out);
    free(recs);
    sasae_chan_free(v);
    sasae_chan_free(h);
}

int main(void)
{
    char dir[] = "/tmp/sasae-bench-chan-XXXXXX", err[256];
    if (!mkdtemp(dir) || sasae_certs_init_ca(dir, "Bench Org", err) ||
        sasae_certs_issue_operator(dir, "Bench Operator", NULL, NULL, NULL, err)) {
        fprintf(stderr, "setup failed: %s\n", err);
        return 1;
    }
    size_t cl, kl, al, rl;
    char *c = slurp(dir, "operators/bench-operator.pem", &cl);
    char *k = slurp(dir, "operators/bench-operator.key", &kl);
    char *a = slurp(dir, "ca.pem", &al), *r = slurp(dir, "crl.pem", &rl);
    g_cred = sasae_chan_cred_new(c, cl, k, kl, NULL);
    g_trust = sasae_chan_trust_new(a, al, r, rl, NULL);
    g_dev = sasae_chan_key_generate();
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (!g_cred || !g_trust || !g_dev || system(cmd) != 0)
        return 1;

    throughput(1024);
    throughput(64 * 1024);

    enum { N = 201 };
    static double t[N];
    for (int i = 0; i < N; i++) {
        struct sasae_chan *v, *h;
        uint64_t t0 = sasae_mono_ns();
        handshake(&v, &h);
        t[i] = (double)(sasae_mono_ns() - t0) / 1e3;
        sasae_chan_free(v);
        sasae_chan_free(h);
    }
    printf("handshake (both sides, incl. X.509 + CRL check, one process): median %.0f us "
           "over %d\n",
           median(t, N), N);
    free(c);
    free(k);
    free(a);
    free(r);
    sasae_chan_cred_free(g_cred);
    sasae_chan_trust_free(g_trust);
    sasae_chan_key_free(g_dev);
    return 0;
}
