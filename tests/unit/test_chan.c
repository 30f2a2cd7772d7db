/* Tests for codec/chan: handshake success and every failure, MITM, record attacks, rekey. */
#include <criterion/criterion.h>
#include <sys/stat.h>

#include "test_chan_pki.h"

/* the support code both ends bind the channel to (docs/protocol.md "Code binding") */
#define TEST_CODE "12345671234"

static char *g_dir;
static struct sasae_chan_cred *g_cred;
static struct sasae_chan_trust *g_trust;
static struct sasae_chan_key *g_dev;
static char g_serial[80];

static void setup(void)
{
    g_dir = make_ca("Acme Help Desk");
    char err[256] = "";
    cr_assert_eq(sasae_certs_issue_operator(g_dir, "Jane Doe", NULL, NULL, g_serial, err), 0, "%s",
                 err);
    g_cred = load_cred(g_dir, "operators/jane-doe");
    g_trust = load_trust(g_dir, 1);
    g_dev = sasae_chan_key_generate();
    cr_assert(g_cred && g_trust && g_dev);
}

static void teardown(void)
{
    sasae_chan_cred_free(g_cred);
    sasae_chan_trust_free(g_trust);
    sasae_chan_key_free(g_dev);
    rm_rf(g_dir);
    free(g_dir);
}

TestSuite(chan, .init = setup, .fini = teardown);

typedef void (*tamper_fn)(int step, uint8_t *msg, size_t *len);

struct result {
    enum sasae_chan_err v, h;
};

/* Runs the four handshake messages between v and h, letting tamper edit each in flight
 * (step 0 CLIENT_HELLO, 1 SERVER_HELLO, 2 CLIENT_AUTH, 3 HOST_FINISHED). */
static struct result run(struct sasae_chan *v, struct sasae_chan *h, tamper_fn tamper)
{
    uint8_t a[SASAE_CHAN_MAX_HANDSHAKE], b[SASAE_CHAN_MAX_HANDSHAKE];
    size_t al = 0, bl = 0;
    struct result r = {SASAE_CHAN_OK, SASAE_CHAN_OK};
    if ((r.v = sasae_chan_start(v, a, sizeof(a), &al)))
        return r;
    if (tamper)
        tamper(0, a, &al);
    if ((r.h = sasae_chan_handshake(h, a, al, b, sizeof(b), &bl)))
        return r;
    if (tamper)
        tamper(1, b, &bl);
    if ((r.v = sasae_chan_handshake(v, b, bl, a, sizeof(a), &al)))
        return r;
    if (tamper)
        tamper(2, a, &al);
    if ((r.h = sasae_chan_handshake(h, a, al, b, sizeof(b), &bl)))
        return r;
    if (tamper)
        tamper(3, b, &bl);
    r.v = sasae_chan_handshake(v, b, bl, a, sizeof(a), &al);
    cr_assert_eq(al, 0);
    return r;
}

/* Sends one record from a to b and checks it arrives intact. */
static void roundtrip(struct sasae_chan *a, struct sasae_chan *b, const char *text)
{
    uint8_t rec[256], pt[256];
    size_t rl, pl;
    cr_assert_eq(sasae_chan_seal(a, (const uint8_t *)text, strlen(text), rec, sizeof(rec), &rl),
                 SASAE_CHAN_OK);
    cr_assert_eq(rl, strlen(text) + SASAE_CHAN_RECORD_OVERHEAD);
    cr_assert_eq(sasae_chan_open(b, rec, rl, pt, sizeof(pt), &pl), SASAE_CHAN_OK);
    cr_assert_eq(pl, strlen(text));
    cr_assert_arr_eq(pt, text, pl);
}

static void pair(struct sasae_chan **v, struct sasae_chan **h, const struct sasae_chan_opts *o)
{
    *v = sasae_chan_new_viewer(g_cred, TEST_CODE, o);
    *h = sasae_chan_new_host(g_dev, g_trust, TEST_CODE, o);
    cr_assert(*v && *h);
}

Test(chan, handshake_success_and_identity)
{
    struct sasae_chan *v, *h;
    pair(&v, &h, NULL);
    cr_assert_null(sasae_chan_peer(h));
    struct result r = run(v, h, NULL);
    cr_assert_eq(r.v, SASAE_CHAN_OK, "%s", sasae_chan_strerror(r.v));
    cr_assert_eq(r.h, SASAE_CHAN_OK, "%s", sasae_chan_strerror(r.h));
    cr_assert(sasae_chan_established(v) && sasae_chan_established(h));
    const struct sasae_chan_peer *hp = sasae_chan_peer(h), *vp = sasae_chan_peer(v);
    cr_assert_str_eq(hp->operator_name, "Jane Doe");
    cr_assert_str_eq(hp->organisation, "Acme Help Desk");
    cr_assert_str_eq(hp->serial, g_serial);
    cr_assert_str_eq(vp->serial, g_serial);
    char fpr[SASAE_CHAN_FPR_LEN];
    sasae_chan_key_fingerprint(g_dev, fpr);
    cr_assert_str_eq(vp->host_fingerprint, fpr);
    cr_assert_str_eq(hp->host_fingerprint, fpr);
    cr_assert_eq(strlen(fpr), 7 + 64 + 15);
    cr_assert_eq(strncmp(fpr, "SHA256:", 7), 0);
    roundtrip(v, h, "hello host");
    roundtrip(h, v, "hello viewer");
    roundtrip(h, v, "");
    /* A handshake message after establishment kills the channel. */
    uint8_t junk[69] = {1}, out[8192];
    size_t ol;
    cr_assert_eq(sasae_chan_handshake(h, junk, sizeof(junk), out, sizeof(out), &ol),
                 SASAE_CHAN_EMALFORMED);
    cr_assert(sasae_chan_dead(h));
    sasae_chan_free(v);
    sasae_chan_free(h);
}

/* Host-side certificate failure: the viewer must never become established either. */
static void expect_cert_failure(struct sasae_chan_cred *cred, struct sasae_chan_trust *trust,
                                enum sasae_chan_err want)
{
    struct sasae_chan *v = sasae_chan_new_viewer(cred, TEST_CODE, NULL);
    struct sasae_chan *h = sasae_chan_new_host(g_dev, trust, TEST_CODE, NULL);
    cr_assert(v && h);
    struct result r = run(v, h, NULL);
    cr_assert_eq(r.v, SASAE_CHAN_OK);
    cr_assert_eq(r.h, want, "got %s, want %s", sasae_chan_strerror(r.h), sasae_chan_strerror(want));
    cr_assert(sasae_chan_dead(h));
    cr_assert_not(sasae_chan_established(v));
    cr_assert_null(sasae_chan_peer(h));
    uint8_t rec[64];
    size_t rl;
    cr_assert_eq(sasae_chan_seal(h, (const uint8_t *)"x", 1, rec, sizeof(rec), &rl),
                 SASAE_CHAN_EDEAD);
    cr_assert_eq(sasae_chan_seal(v, (const uint8_t *)"x", 1, rec, sizeof(rec), &rl),
                 SASAE_CHAN_EARG);
    sasae_chan_free(v);
    sasae_chan_free(h);
}

Test(chan, alert_reports_reason_to_viewer)
{
    char err[256], serial[80];
    cr_assert_eq(sasae_certs_issue_operator(g_dir, "Revoked Rita", NULL, NULL, serial, err), 0);
    cr_assert_eq(sasae_certs_revoke(g_dir, serial, err), 0);
    struct sasae_chan_cred *c = load_cred(g_dir, "operators/revoked-rita");
    struct sasae_chan_trust *t = load_trust(g_dir, 1);
    struct sasae_chan *v = sasae_chan_new_viewer(c, TEST_CODE, NULL),
                      *h = sasae_chan_new_host(g_dev, t, TEST_CODE, NULL);
    struct result r = run(v, h, NULL);
    cr_assert_eq(r.h, SASAE_CHAN_ECERT_REVOKED);
    uint8_t al[8], out[SASAE_CHAN_MAX_HANDSHAKE];
    size_t n, ol;
    cr_assert_eq(sasae_chan_alert(r.h, al, sizeof(al), &n), SASAE_CHAN_OK);
    cr_assert_eq(sasae_chan_handshake(v, al, n, out, sizeof(out), &ol), SASAE_CHAN_EPEER);
    cr_assert_eq(sasae_chan_peer_error(v), SASAE_CHAN_ECERT_REVOKED);
    cr_assert(sasae_chan_dead(v));
    /* A malformed alert is just malformed. */
    struct sasae_chan *v2 = sasae_chan_new_viewer(g_cred, TEST_CODE, NULL);
    cr_assert_eq(sasae_chan_start(v2, out, sizeof(out), &ol), SASAE_CHAN_OK);
    uint8_t bad[3] = {5, 12, 0};
    cr_assert_eq(sasae_chan_handshake(v2, bad, 3, out, sizeof(out), &ol), SASAE_CHAN_EMALFORMED);
    sasae_chan_free(v2);
    sasae_chan_free(v);
    sasae_chan_free(h);
    sasae_chan_cred_free(c);
    sasae_chan_trust_free(t);
}

Test(chan, wrong_ca)
{
    char *other = make_ca("Evil Corp");
    struct sasae_chan_trust *t = load_trust(other, 1);
    expect_cert_failure(g_cred, t, SASAE_CHAN_ECERT_UNTRUSTED);
    /* And an operator of the other CA against our trust. */
    char err[256];
    cr_assert_eq(sasae_certs_issue_operator(other, "Mallory", NULL, NULL, NULL, err), 0);
    struct sasae_chan_cred *c = load_cred(other, "operators/mallory");
    expect_cert_failure(c, g_trust, SASAE_CHAN_ECERT_UNTRUSTED);
    sasae_chan_cred_free(c);
    sasae_chan_trust_free(t);
    rm_rf(other);
    free(other);
}

Test(chan, expired_and_not_yet_valid)
{
    char err[256];
    int64_t now = (int64_t)time(NULL);
    struct sasae_certs_validity past = {now - 30 * 86400, now - 86400};
    cr_assert_eq(sasae_certs_issue_operator(g_dir, "Old Timer", NULL, &past, NULL, err), 0);
    struct sasae_chan_cred *c = load_cred(g_dir, "operators/old-timer");
    expect_cert_failure(c, g_trust, SASAE_CHAN_ECERT_EXPIRED);
    sasae_chan_cred_free(c);
    struct sasae_certs_validity future = {now + 86400, now + 30 * 86400};
    cr_assert_eq(sasae_certs_issue_operator(g_dir, "Early Bird", NULL, &future, NULL, err), 0);
    c = load_cred(g_dir, "operators/early-bird");
    expect_cert_failure(c, g_trust, SASAE_CHAN_ECERT_NOT_YET_VALID);
    sasae_chan_cred_free(c);
}

Test(chan, revoked)
{
    char err[256], serial[80];
    cr_assert_eq(sasae_certs_issue_operator(g_dir, "Gone Person", NULL, NULL, serial, err), 0);
    cr_assert_eq(sasae_certs_revoke(g_dir, serial, err), 0, "%s", err);
    struct sasae_chan_cred *c = load_cred(g_dir, "operators/gone-person");
    struct sasae_chan_trust *t = load_trust(g_dir, 1);
    expect_cert_failure(c, t, SASAE_CHAN_ECERT_REVOKED);
    /* Jane is still fine with the new CRL. */
    struct sasae_chan *v = sasae_chan_new_viewer(g_cred, TEST_CODE, NULL),
                      *h = sasae_chan_new_host(g_dev, t, TEST_CODE, NULL);
    struct result r = run(v, h, NULL);
    cr_assert_eq(r.h, SASAE_CHAN_OK);
    cr_assert_eq(r.v, SASAE_CHAN_OK);
    sasae_chan_free(v);
    sasae_chan_free(h);
    sasae_chan_cred_free(c);
    sasae_chan_trust_free(t);
}

Test(chan, crl_from_other_ca_fails_closed)
{
    char *other = make_ca("Evil Corp");
    size_t cl = 0, rl = 0;
    char *ca = slurp(g_dir, "ca.pem", &cl), *crl = slurp(other, "crl.pem", &rl);
    struct sasae_chan_trust *t = sasae_chan_trust_new(ca, cl, crl, rl, NULL);
    cr_assert(t);
    expect_cert_failure(g_cred, t, SASAE_CHAN_ECERT_CRL);
    sasae_chan_trust_free(t);
    free(ca);
    free(crl);
    rm_rf(other);
    free(other);
}

Test(chan, wrong_purpose)
{
    /* Ed25519, clientAuth only: lacks the sasae operator purpose. */
    make_custom(g_dir, "noop", "ED25519", "clientAuth", 0, -300, 86400);
    struct sasae_chan_cred *c = load_cred(g_dir, "noop");
    cr_assert(c);
    expect_cert_failure(c, g_trust, SASAE_CHAN_ECERT_PURPOSE);
    sasae_chan_cred_free(c);
    /* Operator OID but serverAuth instead of clientAuth. */
    make_custom(g_dir, "server", "ED25519", "serverAuth," SASAE_CHAN_OPERATOR_OID, 0, -300, 86400);
    c = load_cred(g_dir, "server");
    cr_assert(c);
    expect_cert_failure(c, g_trust, SASAE_CHAN_ECERT_PURPOSE);
    sasae_chan_cred_free(c);
    /* A CA certificate is not an operator even with the right EKU. */
    make_custom(g_dir, "subca", "ED25519", "clientAuth," SASAE_CHAN_OPERATOR_OID, 1, -300, 86400);
    c = load_cred(g_dir, "subca");
    cr_assert(c);
    expect_cert_failure(c, g_trust, SASAE_CHAN_ECERT_PURPOSE);
    sasae_chan_cred_free(c);
}

Test(chan, key_usage_digital_signature_required)
{
    const char *eku = "clientAuth," SASAE_CHAN_OPERATOR_OID;
    /* No keyUsage extension at all: the SSL-client purpose check alone would pass it. */
    make_custom_ku(g_dir, "noku", "noku", "ED25519", eku, NULL, 0, -300, 86400);
    struct sasae_chan_cred *c = load_cred(g_dir, "noku");
    cr_assert(c);
    expect_cert_failure(c, g_trust, SASAE_CHAN_ECERT_PURPOSE);
    sasae_chan_cred_free(c);
    /* keyUsage present but without digitalSignature. */
    make_custom_ku(g_dir, "keyenc", "keyenc", "ED25519", eku, "critical,keyAgreement", 0, -300,
                   86400);
    c = load_cred(g_dir, "keyenc");
    cr_assert(c);
    expect_cert_failure(c, g_trust, SASAE_CHAN_ECERT_PURPOSE);
    sasae_chan_cred_free(c);
    /* The same profile with digitalSignature (non-critical even) passes. */
    make_custom_ku(g_dir, "ds", "ds", "ED25519", eku, "digitalSignature", 0, -300, 86400);
    c = load_cred(g_dir, "ds");
    cr_assert(c);
    struct sasae_chan *v = sasae_chan_new_viewer(c, TEST_CODE, NULL),
                      *h = sasae_chan_new_host(g_dev, g_trust, TEST_CODE, NULL);
    struct result r = run(v, h, NULL);
    cr_assert_eq(r.h, SASAE_CHAN_OK);
    cr_assert_eq(r.v, SASAE_CHAN_OK);
    sasae_chan_free(v);
    sasae_chan_free(h);
    sasae_chan_cred_free(c);
}

Test(chan, operator_signed_by_intermediate_refused)
{
    /* A sub-CA that the trust file also lists: the CRL covers only certificates the root
     * signs directly, so a chain through an intermediate must not verify. */
    make_custom_ku(g_dir, "sub", "Sub CA", "EC", NULL, "critical,keyCertSign,cRLSign", 1, -300,
                   86400);
    char sub[2048], p[3000], q[3000];
    snprintf(sub, sizeof(sub), "%.2000s/subdir", g_dir);
    cr_assert_eq(mkdir(sub, 0700), 0);
    snprintf(p, sizeof(p), "%s/sub.pem", g_dir);
    snprintf(q, sizeof(q), "%s/ca.pem", sub);
    cr_assert_eq(rename(p, q), 0);
    snprintf(p, sizeof(p), "%s/sub.key", g_dir);
    snprintf(q, sizeof(q), "%s/ca.key", sub);
    cr_assert_eq(rename(p, q), 0);
    make_custom(sub, "leaf", "ED25519", "clientAuth," SASAE_CHAN_OPERATOR_OID, 0, -300, 86400);
    struct sasae_chan_cred *c = load_cred(sub, "leaf");
    cr_assert(c);
    size_t rl = 0, il = 0, cl = 0;
    char *root = slurp(g_dir, "ca.pem", &rl), *inter = slurp(sub, "ca.pem", &il);
    char *crl = slurp(g_dir, "crl.pem", &cl);
    char *bundle = malloc(rl + il + 1);
    memcpy(bundle, root, rl);
    memcpy(bundle + rl, inter, il);
    struct sasae_chan_trust *t = sasae_chan_trust_new(bundle, rl + il, crl, cl, NULL);
    cr_assert(t);
    expect_cert_failure(c, t, SASAE_CHAN_ECERT_UNTRUSTED);
    sasae_chan_trust_free(t);
    /* Also without a CRL, where nothing else would stop the chain. */
    t = sasae_chan_trust_new(bundle, rl + il, NULL, 0, NULL);
    cr_assert(t);
    expect_cert_failure(c, t, SASAE_CHAN_ECERT_UNTRUSTED);
    sasae_chan_trust_free(t);
    sasae_chan_cred_free(c);
    free(root);
    free(inter);
    free(crl);
    free(bundle);
}

Test(chan, ecdsa_key_refused_as_operator)
{
    make_custom(g_dir, "ecop", "EC", "clientAuth," SASAE_CHAN_OPERATOR_OID, 0, -300, 86400);
    cr_assert_null(load_cred(g_dir, "ecop"));
}

static void flip_ca_sig(int step, uint8_t *m, size_t *len)
{
    if (step == 2)
        m[*len - 48 - 10] ^= 0x01; /* inside the operator's transcript signature */
}
static void flip_ca_finished(int step, uint8_t *m, size_t *len)
{
    if (step == 2)
        m[*len - 1] ^= 0x80;
}
static void flip_cert_sig(int step, uint8_t *m, size_t *len)
{
    if (step == 2)
        m[*len - 48 - 64 - 5] ^= 0x01; /* last bytes of the certificate: CA signature */
}
static void flip_sh_sig(int step, uint8_t *m, size_t *len)
{
    if (step == 1)
        m[*len - 1] ^= 0x01;
}
static void flip_hf(int step, uint8_t *m, size_t *len)
{
    if (step == 3)
        m[10] ^= 0x01;
}
static void bad_version(int step, uint8_t *m, size_t *len)
{
    if (step == 0)
        m[2] = 1; /* a version 1 viewer (no code binding) is refused */
}
static void bad_spake2_share(int step, uint8_t *m, size_t *len)
{
    if (step == 0)
        m[*len - 1] ^= 0x01; /* last byte of the viewer's SPAKE2 share: off the curve */
}
static void truncate_ca(int step, uint8_t *m, size_t *len)
{
    if (step == 2)
        *len -= 1;
}

static struct result run_fresh(tamper_fn t)
{
    struct sasae_chan *v, *h;
    pair(&v, &h, NULL);
    struct result r = run(v, h, t);
    cr_assert_not(sasae_chan_established(v) && sasae_chan_established(h));
    cr_assert_not(sasae_chan_established(v));
    sasae_chan_free(v);
    sasae_chan_free(h);
    return r;
}

Test(chan, tampered_handshake)
{
    cr_assert_eq(run_fresh(flip_ca_sig).h, SASAE_CHAN_ESIGNATURE);
    /* signed transcripts, so a bad Finished can only mean another SPAKE2 key */
    cr_assert_eq(run_fresh(flip_ca_finished).h, SASAE_CHAN_ECODE);
    cr_assert_eq(run_fresh(flip_cert_sig).h, SASAE_CHAN_ECERT_UNTRUSTED);
    cr_assert_eq(run_fresh(flip_sh_sig).v, SASAE_CHAN_ESIGNATURE);
    cr_assert_eq(run_fresh(flip_hf).v, SASAE_CHAN_ECODE);
    cr_assert_eq(run_fresh(bad_spake2_share).h, SASAE_CHAN_EMALFORMED);
    cr_assert_eq(run_fresh(bad_version).h, SASAE_CHAN_EVERSION);
    cr_assert_eq(run_fresh(truncate_ca).h, SASAE_CHAN_EMALFORMED);
}

/* MITM 1: the relay swaps both X25519 public keys for its own but cannot re-sign. */
static uint8_t g_mitm_pub[32];
static void swap_keys(int step, uint8_t *m, size_t *len)
{
    if (step == 0 || step == 1)
        memcpy(m + 37, g_mitm_pub, 32);
}

Test(chan, mitm_key_swap_detected)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    size_t n = 32;
    EVP_PKEY_get_raw_public_key(k, g_mitm_pub, &n);
    EVP_PKEY_free(k);
    struct sasae_chan *v, *h;
    pair(&v, &h, NULL);
    struct result r = run(v, h, swap_keys);
    cr_assert_eq(r.v, SASAE_CHAN_ESIGNATURE, "%s", sasae_chan_strerror(r.v));
    cr_assert(sasae_chan_dead(v));
    cr_assert_not(sasae_chan_established(h));
    uint8_t rec[64];
    size_t rl;
    cr_assert_neq(sasae_chan_seal(v, (const uint8_t *)"x", 1, rec, sizeof(rec), &rl),
                  SASAE_CHAN_OK);
    cr_assert_neq(sasae_chan_seal(h, (const uint8_t *)"x", 1, rec, sizeof(rec), &rl),
                  SASAE_CHAN_OK);
    sasae_chan_free(v);
    sasae_chan_free(h);
}

/* MITM 2: the relay runs a full fake host (own device key) towards the viewer and relays
 * the viewer's CLIENT_AUTH to the real host with its own CLIENT_HELLO. The real host must
 * refuse (the operator signature covers the viewer's transcript), so the customer's host
 * never sends a record; and the fake host, not knowing the code's secret digits, cannot
 * finish the handshake with the viewer either (ECODE). */
Test(chan, mitm_full_relay_impersonation)
{
    struct sasae_chan_key *fake_dev = sasae_chan_key_generate();
    struct sasae_chan *v = sasae_chan_new_viewer(g_cred, TEST_CODE, NULL);
    /* the relay knows the code's routing digits, not the customer's secret ones */
    struct sasae_chan *fake_host = sasae_chan_new_host(fake_dev, g_trust, "12345670000", NULL);
    struct sasae_chan *fake_viewer =
        sasae_chan_new_viewer(g_cred, TEST_CODE, NULL); /* only its CH */
    struct sasae_chan *h = sasae_chan_new_host(g_dev, g_trust, TEST_CODE, NULL);
    uint8_t a[8192], b[8192], c[8192], d[8192];
    size_t al, bl, cl, dl;
    cr_assert_eq(sasae_chan_start(v, a, sizeof(a), &al), SASAE_CHAN_OK);
    cr_assert_eq(sasae_chan_handshake(fake_host, a, al, b, sizeof(b), &bl), SASAE_CHAN_OK);
    cr_assert_eq(sasae_chan_start(fake_viewer, c, sizeof(c), &cl), SASAE_CHAN_OK);
    cr_assert_eq(sasae_chan_handshake(h, c, cl, d, sizeof(d), &dl), SASAE_CHAN_OK);
    /* Viewer accepts the fake host's SERVER_HELLO (it has no prior key for the host). */
    cr_assert_eq(sasae_chan_handshake(v, b, bl, a, sizeof(a), &al), SASAE_CHAN_OK);
    /* The real host gets the viewer's CLIENT_AUTH: refused. */
    enum sasae_chan_err e = sasae_chan_handshake(h, a, al, d, sizeof(d), &dl);
    cr_assert(e == SASAE_CHAN_ESIGNATURE, "%s", sasae_chan_strerror(e));
    cr_assert_eq(dl, 0);
    cr_assert(sasae_chan_dead(h));
    cr_assert_null(sasae_chan_peer(h));
    /* The fake host cannot check the viewer's Finished (another SPAKE2 key) and cannot make
     * one the viewer accepts: whatever it sends, the viewer refuses with ECODE. */
    cr_assert_eq(sasae_chan_handshake(fake_host, a, al, b, sizeof(b), &bl), SASAE_CHAN_ECODE);
    b[0] = 0x04; /* a HOST_FINISHED with the MAC the fake host could compute: none fits */
    memset(b + 1, 0x5a, 48);
    cr_assert_eq(sasae_chan_handshake(v, b, 49, a, sizeof(a), &al), SASAE_CHAN_ECODE);
    cr_assert_null(sasae_chan_peer(v));
    cr_assert(sasae_chan_dead(v));
    sasae_chan_free(v);
    sasae_chan_free(fake_host);
    sasae_chan_free(fake_viewer);
    sasae_chan_free(h);
    sasae_chan_key_free(fake_dev);
}

/* A viewer with another code: the host refuses with ECODE after checking the operator
 * (so the attempt is one the host counts), nothing is established on either side. */
Test(chan, wrong_code_refused_by_host)
{
    struct sasae_chan *v = sasae_chan_new_viewer(g_cred, "12345671235", NULL);
    struct sasae_chan *h = sasae_chan_new_host(g_dev, g_trust, TEST_CODE, NULL);
    struct result r = run(v, h, NULL);
    cr_assert_eq(r.h, SASAE_CHAN_ECODE, "%s", sasae_chan_strerror(r.h));
    cr_assert_not(sasae_chan_established(h));
    cr_assert_not(sasae_chan_established(v));
    cr_assert_str_eq(sasae_chan_strerror(SASAE_CHAN_ECODE),
                     "the code does not match (mistyped, or not the customer's computer)");
    uint8_t al[2];
    size_t n;
    cr_assert_eq(sasae_chan_alert(SASAE_CHAN_ECODE, al, sizeof al, &n), SASAE_CHAN_OK);
    cr_assert_eq(al[1], 21);
    sasae_chan_free(v);
    sasae_chan_free(h);
}

/* Resume after a relay loss: both ends derive the same ticket and code from their session,
 * another session gives others, the ticket says nothing of the code, and the next
 * handshake bound to that code works and names the same operator certificate. */
Test(chan, resume_secrets)
{
    struct sasae_chan *v, *h;
    pair(&v, &h, NULL);
    uint8_t tv[SASAE_CHAN_TICKET_LEN], th[SASAE_CHAN_TICKET_LEN];
    char cv[SASAE_CHAN_RESUME_CODE_LEN + 1], ch[SASAE_CHAN_RESUME_CODE_LEN + 1];
    cr_assert_eq(sasae_chan_resume_secrets(v, tv, cv), SASAE_CHAN_EARG); /* not yet */
    struct result r = run(v, h, NULL);
    cr_assert(r.v == SASAE_CHAN_OK && r.h == SASAE_CHAN_OK);
    cr_assert_eq(sasae_chan_resume_secrets(v, tv, cv), SASAE_CHAN_OK);
    cr_assert_eq(sasae_chan_resume_secrets(h, th, ch), SASAE_CHAN_OK);
    cr_assert_eq(memcmp(tv, th, sizeof tv), 0);
    cr_assert_str_eq(cv, ch);
    cr_assert_eq(strlen(cv), SASAE_CHAN_RESUME_CODE_LEN);
    char first_cert[65];
    snprintf(first_cert, sizeof first_cert, "%s", sasae_chan_peer(h)->cert_sha256);
    cr_assert_eq(strlen(first_cert), 64);
    sasae_chan_free(v);
    sasae_chan_free(h);

    /* the resumed session: a fresh handshake bound to the resume code */
    struct sasae_chan *v2 = sasae_chan_new_viewer(g_cred, cv, NULL);
    struct sasae_chan *h2 = sasae_chan_new_host(g_dev, g_trust, ch, NULL);
    r = run(v2, h2, NULL);
    cr_assert(r.v == SASAE_CHAN_OK && r.h == SASAE_CHAN_OK);
    cr_assert_str_eq(sasae_chan_peer(h2)->cert_sha256, first_cert);
    uint8_t t2[SASAE_CHAN_TICKET_LEN];
    char c2[SASAE_CHAN_RESUME_CODE_LEN + 1];
    cr_assert_eq(sasae_chan_resume_secrets(h2, t2, c2), SASAE_CHAN_OK);
    cr_assert_neq(memcmp(t2, th, sizeof t2), 0); /* a ticket serves once */
    cr_assert_str_neq(c2, ch);
    sasae_chan_free(v2);
    sasae_chan_free(h2);

    /* someone with the ticket but not the code (the relay) cannot resume */
    v2 = sasae_chan_new_viewer(g_cred, "00000000000000000000000000000000", NULL);
    h2 = sasae_chan_new_host(g_dev, g_trust, ch, NULL);
    r = run(v2, h2, NULL);
    cr_assert_eq(r.h, SASAE_CHAN_ECODE);
    sasae_chan_free(v2);
    sasae_chan_free(h2);
}

Test(chan_kat, resume_derivation)
{
    struct sasae_chan_traffic a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(a.secret, 0x11, 48);
    memset(b.secret, 0x22, 48);
    uint8_t t1[32], t2[32];
    char c1[33], c2[33];
    cr_assert_eq(sasae_chan_kdf_resume(&a, &b, t1, c1), SASAE_CHAN_OK);
    cr_assert_eq(sasae_chan_kdf_resume(&a, &b, t2, c2), SASAE_CHAN_OK);
    cr_assert_eq(memcmp(t1, t2, 32), 0); /* deterministic */
    cr_assert_str_eq(c1, c2);
    /* the directions are not interchangeable, and either secret changes both outputs */
    cr_assert_eq(sasae_chan_kdf_resume(&b, &a, t2, c2), SASAE_CHAN_OK);
    cr_assert_neq(memcmp(t1, t2, 32), 0);
    cr_assert_str_neq(c1, c2);
    b.secret[47] ^= 1;
    cr_assert_eq(sasae_chan_kdf_resume(&a, &b, t2, c2), SASAE_CHAN_OK);
    cr_assert_neq(memcmp(t1, t2, 32), 0);
    cr_assert_str_neq(c1, c2);
    /* the code is not the ticket in hex */
    char th[65];
    for (int i = 0; i < 16; i++)
        snprintf(th + 2 * i, 3, "%02x", t1[i]);
    cr_assert_str_neq(c1, th);
}

Test(chan, code_required)
{
    cr_assert_null(sasae_chan_new_viewer(g_cred, NULL, NULL));
    cr_assert_null(sasae_chan_new_viewer(g_cred, "", NULL));
    cr_assert_null(sasae_chan_new_host(g_dev, g_trust, NULL, NULL));
}

/* ---- record layer attacks ---------------------------------------------------------- */
static void established(struct sasae_chan **v, struct sasae_chan **h, uint64_t rekey)
{
    struct sasae_chan_opts o = {rekey, 0};
    pair(v, h, &o);
    struct result r = run(*v, *h, NULL);
    cr_assert(r.v == SASAE_CHAN_OK && r.h == SASAE_CHAN_OK);
}

static size_t seal(struct sasae_chan *c, const char *t, uint8_t *out)
{
    size_t n;
    cr_assert_eq(sasae_chan_seal(c, (const uint8_t *)t, strlen(t), out, 512, &n), SASAE_CHAN_OK);
    return n;
}

static void assert_dead_after(struct sasae_chan *v, struct sasae_chan *h, const uint8_t *rec,
                              size_t len, enum sasae_chan_err want)
{
    uint8_t out[512], good[512];
    size_t ol = 12345;
    cr_assert_eq(sasae_chan_open(h, rec, len, out, sizeof(out), &ol), want);
    cr_assert_eq(ol, 12345, "no output on failure");
    cr_assert(sasae_chan_dead(h));
    size_t gl = seal(v, "valid later record", good);
    cr_assert_eq(sasae_chan_open(h, good, gl, out, sizeof(out), &ol), SASAE_CHAN_EDEAD);
    cr_assert_eq(sasae_chan_seal(h, good, 4, out, sizeof(out), &ol), SASAE_CHAN_EDEAD);
}

Test(chan, tampered_record_rejected)
{
    for (int where = 0; where < 3; where++) {
        struct sasae_chan *v, *h;
        established(&v, &h, 0);
        uint8_t r[512];
        size_t n = seal(v, "move mouse to 10,10", r);
        size_t idx = where == 0 ? 0 : where == 1 ? 5 : n - 1; /* type, body, tag */
        r[idx] ^= (where == 0) ? 0x0f : 0x01;
        assert_dead_after(v, h, r, n, SASAE_CHAN_ERECORD);
        sasae_chan_free(v);
        sasae_chan_free(h);
    }
}

Test(chan, replayed_and_duplicated_record_rejected)
{
    struct sasae_chan *v, *h;
    established(&v, &h, 0);
    uint8_t r[512], out[512];
    size_t n = seal(v, "key down", r), ol;
    cr_assert_eq(sasae_chan_open(h, r, n, out, sizeof(out), &ol), SASAE_CHAN_OK);
    assert_dead_after(v, h, r, n, SASAE_CHAN_ERECORD);
    sasae_chan_free(v);
    sasae_chan_free(h);
}

Test(chan, reordered_record_rejected)
{
    struct sasae_chan *v, *h;
    established(&v, &h, 0);
    uint8_t r1[512], r2[512];
    seal(v, "first", r1);
    size_t n2 = seal(v, "second", r2);
    assert_dead_after(v, h, r2, n2, SASAE_CHAN_ERECORD);
    sasae_chan_free(v);
    sasae_chan_free(h);
}

Test(chan, dropped_record_detected)
{
    struct sasae_chan *v, *h;
    established(&v, &h, 0);
    uint8_t r1[512], r2[512], out[512];
    size_t n1 = seal(v, "first", r1), ol;
    cr_assert_eq(sasae_chan_open(h, r1, n1, out, sizeof(out), &ol), SASAE_CHAN_OK);
    seal(v, "dropped by relay", r1);
    size_t n2 = seal(v, "third", r2);
    assert_dead_after(v, h, r2, n2, SASAE_CHAN_ERECORD);
    sasae_chan_free(v);
    sasae_chan_free(h);
}

Test(chan, truncated_record_rejected)
{
    struct sasae_chan *v, *h;
    established(&v, &h, 0);
    uint8_t r[512];
    size_t n = seal(v, "truncate me", r);
    assert_dead_after(v, h, r, n - 1, SASAE_CHAN_ERECORD);
    sasae_chan_free(v);
    sasae_chan_free(h);
    established(&v, &h, 0);
    n = seal(v, "x", r);
    assert_dead_after(v, h, r, 10, SASAE_CHAN_ERECORD); /* shorter than the tag */
    sasae_chan_free(v);
    sasae_chan_free(h);
}

Test(chan, record_from_other_session_rejected)
{
    struct sasae_chan *v1, *h1, *v2, *h2;
    established(&v1, &h1, 0);
    established(&v2, &h2, 0);
    uint8_t r[512];
    size_t n = seal(v1, "for session 1", r);
    assert_dead_after(v2, h2, r, n, SASAE_CHAN_ERECORD);
    sasae_chan_free(v1);
    sasae_chan_free(h1);
    sasae_chan_free(v2);
    sasae_chan_free(h2);
}

Test(chan, record_before_handshake_refused)
{
    struct sasae_chan *v, *h;
    pair(&v, &h, NULL);
    uint8_t rec[40] = {0x17}, out[64];
    size_t ol;
    cr_assert_neq(sasae_chan_open(h, rec, sizeof(rec), out, sizeof(out), &ol), SASAE_CHAN_OK);
    cr_assert(sasae_chan_dead(h));
    sasae_chan_free(v);
    sasae_chan_free(h);
}

Test(chan, rekey_across_boundary)
{
    struct sasae_chan *v, *h;
    established(&v, &h, 3);
    char msg[64];
    for (int i = 0; i < 20; i++) {
        snprintf(msg, sizeof(msg), "v2h %d", i);
        roundtrip(v, h, msg);
        snprintf(msg, sizeof(msg), "h2v %d", i);
        roundtrip(h, v, msg);
    }
    /* 20 records with a key every 3 records: 6 updates in each direction. */
    cr_assert_eq(sasae_chan_send_epoch(v), 6);
    cr_assert_eq(sasae_chan_recv_epoch(h), 6);
    cr_assert_eq(sasae_chan_send_epoch(h), 6);
    cr_assert_eq(sasae_chan_recv_epoch(v), 6);
    cr_assert_eq(sasae_chan_request_rekey(v), SASAE_CHAN_OK);
    roundtrip(v, h, "forced update");
    cr_assert_eq(sasae_chan_send_epoch(v), 7);
    cr_assert_eq(sasae_chan_recv_epoch(h), 7);
    roundtrip(v, h, "after forced update");
    /* A key-update record replayed after the switch is refused. */
    uint8_t r[512], out[512];
    size_t n = seal(v, "a", r), ol;
    cr_assert_eq(sasae_chan_open(h, r, n, out, sizeof(out), &ol), SASAE_CHAN_OK);
    assert_dead_after(v, h, r, n, SASAE_CHAN_ERECORD);
    sasae_chan_free(v);
    sasae_chan_free(h);
}

Test(chan, big_record_and_limits)
{
    struct sasae_chan *v, *h;
    established(&v, &h, 0);
    size_t n = SASAE_CHAN_MAX_PLAINTEXT;
    uint8_t *pt = malloc(n), *rec = malloc(SASAE_CHAN_MAX_RECORD + 1), *out = malloc(n);
    for (size_t i = 0; i < n; i++)
        pt[i] = (uint8_t)(i * 7);
    size_t rl, ol;
    cr_assert_eq(sasae_chan_seal(v, pt, n + 1, rec, SASAE_CHAN_MAX_RECORD + 1, &rl),
                 SASAE_CHAN_EARG);
    cr_assert_eq(sasae_chan_seal(v, pt, n, rec, n, &rl), SASAE_CHAN_ENOSPACE);
    cr_assert_eq(sasae_chan_seal(v, pt, n, rec, SASAE_CHAN_MAX_RECORD, &rl), SASAE_CHAN_OK);
    cr_assert_eq(sasae_chan_open(h, rec, rl, out, n - 1, &ol), SASAE_CHAN_ENOSPACE);
    cr_assert_not(sasae_chan_dead(h));
    cr_assert_eq(sasae_chan_open(h, rec, rl, out, n, &ol), SASAE_CHAN_OK);
    cr_assert_arr_eq(out, pt, n);
    free(pt);
    free(rec);
    free(out);
    sasae_chan_free(v);
    sasae_chan_free(h);
}

Test(chan, device_key_pem_roundtrip)
{
    char *pem;
    size_t len;
    cr_assert_eq(sasae_chan_key_to_pem(g_dev, &pem, &len), SASAE_CHAN_OK);
    cr_assert(strstr(pem, "BEGIN PRIVATE KEY"));
    struct sasae_chan_key *k = sasae_chan_key_from_pem(pem, len);
    cr_assert(k);
    char a[SASAE_CHAN_FPR_LEN], b[SASAE_CHAN_FPR_LEN];
    sasae_chan_key_fingerprint(g_dev, a);
    sasae_chan_key_fingerprint(k, b);
    cr_assert_str_eq(a, b);
    sasae_chan_key_free(k);
    sasae_chan_pem_free(pem, len);
    cr_assert_null(sasae_chan_key_from_pem("garbage", 7));
    size_t kl = 0;
    char *ec = slurp(g_dir, "ca.key", &kl); /* an ECDSA key is not a device key */
    cr_assert_null(sasae_chan_key_from_pem(ec, kl));
    free(ec);
}

Test(chan, operator_name_cannot_spoof_prompt)
{
    /* CN with a newline, a right-to-left override and a C1 control; UTF-8 letters stay. */
    make_custom_cn(g_dir, "spoof",
                   "Jos\xc3\xa9"
                   "\nAllowed by IT \xe2\x80\xae"
                   "evil\xc2\x85x",
                   "ED25519", "clientAuth," SASAE_CHAN_OPERATOR_OID, 0, -300, 86400);
    struct sasae_chan_cred *c = load_cred(g_dir, "spoof");
    struct sasae_chan *v = sasae_chan_new_viewer(c, TEST_CODE, NULL),
                      *h = sasae_chan_new_host(g_dev, g_trust, TEST_CODE, NULL);
    struct result r = run(v, h, NULL);
    cr_assert_eq(r.h, SASAE_CHAN_OK, "%s", sasae_chan_strerror(r.h));
    cr_assert_str_eq(sasae_chan_peer(h)->operator_name, "Jos\xc3\xa9"
                                                        "?Allowed by IT ?evil?x");
    sasae_chan_free(v);
    sasae_chan_free(h);
    sasae_chan_cred_free(c);
}
