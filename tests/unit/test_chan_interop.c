/* Interop: codec/chan as host against an independent Python viewer written from
 * docs/protocol.md (tests/vectors/interop_viewer.py): handshake, records both ways, key
 * updates both ways, fingerprint format. */
#include <criterion/criterion.h>

#include <signal.h>
#include <sys/wait.h>

#include "test_chan_pki.h"

/* the support code both ends bind the channel to (docs/protocol.md "Code binding") */
#define TEST_CODE "12345671234"

static FILE *g_to, *g_from;

static size_t recv_hex(uint8_t *out, size_t cap)
{
    static char line[2 * SASAE_CHAN_MAX_HANDSHAKE + 4];
    cr_assert(fgets(line, sizeof(line), g_from), "python viewer closed its output");
    size_t n = strcspn(line, "\r\n");
    cr_assert_eq(n % 2, 0);
    cr_assert_leq(n / 2, cap);
    for (size_t i = 0; i < n; i += 2) {
        unsigned b;
        cr_assert_eq(sscanf(line + i, "%2x", &b), 1);
        out[i / 2] = (uint8_t)b;
    }
    return n / 2;
}

static void send_hex(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(g_to, "%02x", b[i]);
    fputc('\n', g_to);
    fflush(g_to);
}

Test(chan_interop, python_viewer_against_c_host, .timeout = 60)
{
    if (system("python3 -c 'import cryptography' 2>/dev/null") != 0)
        cr_assert_fail("python3-cryptography missing: run scripts/setup.sh");
    char *dir = make_ca("Acme Help Desk");
    char err[256], serial[80], cert[4200], key[4200], script[1024];
    cr_assert_eq(sasae_certs_issue_operator(dir, "Py Thon", NULL, NULL, serial, err), 0);
    snprintf(cert, sizeof(cert), "%s/operators/py-thon.pem", dir);
    snprintf(key, sizeof(key), "%s/operators/py-thon.key", dir);
    snprintf(script, sizeof(script), "%s/tests/vectors/interop_viewer.py", SASAE_SOURCE_DIR);
    int in[2], out[2];
    cr_assert(pipe(in) == 0 && pipe(out) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execlp("python3", "python3", script, cert, key, TEST_CODE, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    g_to = fdopen(in[1], "w");
    g_from = fdopen(out[0], "r");

    struct sasae_chan_trust *trust = load_trust(dir, 1);
    struct sasae_chan_key *dev = sasae_chan_key_generate();
    struct sasae_chan_opts o = {2, 0}; /* host sends a key update on its 2nd record */
    struct sasae_chan *h = sasae_chan_new_host(dev, trust, TEST_CODE, &o);
    static uint8_t a[SASAE_CHAN_MAX_RECORD], b[SASAE_CHAN_MAX_RECORD];
    size_t al, bl;
    al = recv_hex(a, sizeof(a));
    cr_assert_eq(sasae_chan_handshake(h, a, al, b, sizeof(b), &bl), SASAE_CHAN_OK);
    send_hex(b, bl);
    al = recv_hex(a, sizeof(a));
    enum sasae_chan_err e = sasae_chan_handshake(h, a, al, b, sizeof(b), &bl);
    cr_assert_eq(e, SASAE_CHAN_OK, "%s", sasae_chan_strerror(e));
    send_hex(b, bl);
    cr_assert(sasae_chan_established(h));
    cr_assert_str_eq(sasae_chan_peer(h)->operator_name, "Py Thon");
    cr_assert_str_eq(sasae_chan_peer(h)->serial, serial);

    const char *hm[] = {"host record 0", "host record 1 (update)", "host record 2"};
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(sasae_chan_seal(h, (const uint8_t *)hm[i], strlen(hm[i]), b, sizeof(b), &bl),
                     SASAE_CHAN_OK);
        send_hex(b, bl);
    }
    cr_assert_eq(sasae_chan_send_epoch(h), 1);
    const char *vm[] = {"viewer record 0", "viewer record 1 (update)", "viewer record 2"};
    for (int i = 0; i < 3; i++) {
        al = recv_hex(a, sizeof(a));
        e = sasae_chan_open(h, a, al, b, sizeof(b), &bl);
        cr_assert_eq(e, SASAE_CHAN_OK, "record %d: %s", i, sasae_chan_strerror(e));
        cr_assert_eq(bl, strlen(vm[i]));
        cr_assert_arr_eq(b, vm[i], bl);
    }
    cr_assert_eq(sasae_chan_recv_epoch(h), 1);
    al = recv_hex(a, sizeof(a) - 1);
    a[al] = 0;
    char fpr[SASAE_CHAN_FPR_LEN];
    sasae_chan_key_fingerprint(dev, fpr);
    cr_assert_str_eq((char *)a, fpr);

    fclose(g_to);
    fclose(g_from);
    int st;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "python viewer failed");
    sasae_chan_free(h);
    sasae_chan_key_free(dev);
    sasae_chan_trust_free(trust);
    rm_rf(dir);
    free(dir);
}
