/* Unit tests for the relay table's code split and burn: 6-digit routing part + 1-digit check
 * part, near misses counted per code, the 5th burns it, the check part compared with
 * CRYPTO_memcmp (linked with -Wl,--wrap=CRYPTO_memcmp to see that it is the one used). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sasae/relaytable.h"

/* ---- the constant-time compare, observed ---- */
int __real_CRYPTO_memcmp(const void *a, const void *b, size_t len);
int __wrap_CRYPTO_memcmp(const void *a, const void *b, size_t len);
static int ct_calls;
static size_t ct_last_len;

int __wrap_CRYPTO_memcmp(const void *a, const void *b, size_t len)
{
    ct_calls++;
    ct_last_len = len;
    return __real_CRYPTO_memcmp(a, b, len);
}

/* A "CSPRNG" that hands out a list of 32-bit values, then fails. */
struct list_rng {
    const uint32_t *v;
    size_t n, i;
};

static int list_rand(void *ctx, uint8_t *b, size_t n)
{
    struct list_rng *r = ctx;
    if (n != 4 || r->i >= r->n)
        return -1;
    uint32_t x = r->v[r->i++];
    b[0] = (uint8_t)(x >> 24);
    b[1] = (uint8_t)(x >> 16);
    b[2] = (uint8_t)(x >> 8);
    b[3] = (uint8_t)x;
    return 0;
}

/* Generous limits: only the per-code burn is under test unless a test lowers them. */
static const struct sasae_rt_limits roomy = {
    .max_sessions = 100,
    .code_ttl_s = 600,
    .max_failed_joins = 100,
    .max_failed_joins_global = 1000,
    .join_rate_per_min = 1000,
};

static struct sasae_rt *table(struct list_rng *rng, const struct sasae_rt_limits *l)
{
    struct sasae_rt *rt = sasae_rt_new(l ? l : &roomy, list_rand, rng);
    cr_assert_not_null(rt);
    return rt;
}

/* code with its check part replaced by check (1 digit) */
static void with_check(const char *code, const char *check, char out[10])
{
    memcpy(out, code, 6);
    memcpy(out + 6, check, 1);
    out[7] = 0;
}

Test(relay_burn, split_routing_and_check)
{
    static const uint32_t v[] = {1234567};
    struct list_rng rng = {v, 1, 0};
    struct sasae_rt *rt = table(&rng, NULL);
    char code[10], bad[10];
    int host = 1;
    void *h;
    cr_assert_eq(sasae_rt_register(rt, &host, 0, code), SASAE_RT_OK);
    cr_assert_str_eq(code, "1234567");
    /* other routing part, same check part: an unknown code, not a near miss */
    cr_assert_eq(sasae_rt_join(rt, "10.0.0.1", NULL, "1234577", 1, 10, &h, NULL),
                 SASAE_RT_E_BAD_CODE);
    /* same routing part, any wrong check digit: refused */
    const char *checks[] = {"8", "6", "0", "9"};
    for (int i = 0; i < 4; i++) {
        with_check(code, checks[i], bad);
        cr_assert_eq(sasae_rt_join(rt, "10.0.0.1", NULL, bad, 1, 10, &h, NULL),
                     SASAE_RT_E_BAD_CODE);
        cr_assert_null(h);
    }
    cr_assert_eq(sasae_rt_codes(rt), 1);
    cr_assert_eq(sasae_rt_join(rt, "10.0.0.1", NULL, code, 1, 10, &h, NULL), SASAE_RT_OK);
    cr_assert_eq(h, &host);
    sasae_rt_free(rt);
}

Test(relay_burn, check_mismatch_counts_for_address_and_relay)
{
    static const uint32_t v[] = {1112223, 4445556};
    struct list_rng rng = {v, 2, 0};
    struct sasae_rt_limits l = roomy;
    l.max_failed_joins = 2;
    l.max_failed_joins_global = 3;
    struct sasae_rt *rt = table(&rng, &l);
    char a[10], b[10], bad[10];
    int ha = 1, hb = 2;
    void *h;
    cr_assert_eq(sasae_rt_register(rt, &ha, 0, a), SASAE_RT_OK);
    cr_assert_eq(sasae_rt_register(rt, &hb, 0, b), SASAE_RT_OK);
    with_check(a, "0", bad);
    /* two near misses use up the address's failures: the third try is refused unlooked */
    cr_assert_eq(sasae_rt_join(rt, "192.0.2.1", NULL, bad, 1, 0, &h, NULL), SASAE_RT_E_BAD_CODE);
    cr_assert_eq(sasae_rt_join(rt, "192.0.2.1", NULL, bad, 1, 0, &h, NULL), SASAE_RT_E_BAD_CODE);
    cr_assert_eq(sasae_rt_join(rt, "192.0.2.1", NULL, a, 1, 0, &h, NULL), SASAE_RT_E_RATE);
    /* and they count relay-wide: one more failure anywhere reaches the cap of 3 */
    cr_assert_eq(sasae_rt_join(rt, "192.0.2.2", NULL, bad, 1, 0, &h, NULL), SASAE_RT_E_BAD_CODE);
    cr_assert_eq(sasae_rt_join(rt, "192.0.2.3", NULL, b, 1, 0, &h, NULL), SASAE_RT_E_GLOBAL_RATE);
    /* 3 near misses on a: not burned; once the buckets refill it still pairs */
    cr_assert_eq(sasae_rt_codes(rt), 2);
    cr_assert_eq(sasae_rt_join(rt, "192.0.2.3", NULL, a, 1, 60000, &h, NULL), SASAE_RT_OK);
    cr_assert_eq(h, &ha);
    cr_assert_eq(sasae_rt_join(rt, "192.0.2.3", NULL, b, 1, 60000, &h, NULL), SASAE_RT_OK);
    cr_assert_eq(h, &hb);
    sasae_rt_free(rt);
}

Test(relay_burn, fifth_near_miss_burns_and_reports)
{
    static const uint32_t v[] = {9876549};
    struct list_rng rng = {v, 1, 0};
    struct sasae_rt *rt = table(&rng, NULL);
    char code[10], bad[10];
    int host = 5;
    void *h;
    cr_assert_eq(sasae_rt_register(rt, &host, 0, code), SASAE_RT_OK);
    cr_assert_eq(SASAE_RT_BURN_AFTER, 5);
    const char *addrs[] = {"198.51.100.1", "198.51.100.2", "2001:db8::7", "198.51.100.1",
                           "198.51.100.9"};
    struct sasae_rt_burn burn;
    for (int i = 0; i < 4; i++) {
        snprintf(bad, sizeof bad, "987654%01d", i);
        cr_assert_eq(sasae_rt_join(rt, addrs[i], NULL, bad, 1, 0, &h, &burn), SASAE_RT_E_BAD_CODE);
        cr_assert_null(h);
        cr_assert_eq(sasae_rt_codes(rt), 1, "burned after %d near misses", i + 1);
    }
    with_check(code, "8", bad);
    cr_assert_eq(sasae_rt_join(rt, addrs[4], NULL, bad, 1, 0, &h, &burn), SASAE_RT_E_BURNED);
    cr_assert_eq(h, &host, "the burn hands back the waiting host to tell");
    cr_assert_str_eq(burn.code, "9876549");
    for (int i = 0; i < 5; i++)
        cr_assert_str_eq(burn.addrs[i], addrs[i]);
    cr_assert_eq(sasae_rt_codes(rt), 0);
    cr_assert_eq(sasae_rt_sessions(rt), 0, "a burned code frees its session slot");
    /* never pairs, not even with the right digits; nothing left to expire */
    cr_assert_eq(sasae_rt_join(rt, "203.0.113.1", NULL, code, 1, 0, &h, &burn),
                 SASAE_RT_E_BAD_CODE);
    cr_assert_null(h);
    void *out[2];
    cr_assert_eq(sasae_rt_expire(rt, 10000000, out, 2), 0);
    cr_assert_str_eq(sasae_rt_strerror(SASAE_RT_E_BURNED), "code burned after 5 failed joins");
    sasae_rt_free(rt);
}

Test(relay_burn, burn_without_report_and_expiry_with_misses_frees_all)
{
    static const uint32_t v[] = {1000001, 2000002};
    struct list_rng rng = {v, 2, 0};
    struct sasae_rt *rt = table(&rng, NULL);
    char a[10], b[10], bad[10];
    int ha, hb;
    void *h;
    sasae_rt_register(rt, &ha, 0, a);
    sasae_rt_register(rt, &hb, 0, b);
    with_check(a, "5", bad);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(sasae_rt_join(rt, "x", NULL, bad, 1, 0, &h, NULL), SASAE_RT_E_BAD_CODE);
    cr_assert_eq(sasae_rt_join(rt, "x", NULL, bad, 1, 0, &h, NULL), SASAE_RT_E_BURNED);
    cr_assert_eq(h, &ha);
    /* b has near misses recorded when it expires (ASan: their addresses are freed) */
    with_check(b, "5", bad);
    cr_assert_eq(sasae_rt_join(rt, "y", NULL, bad, 1, 0, &h, NULL), SASAE_RT_E_BAD_CODE);
    /* an expired code is no longer live: its routing part gets a plain "bad code" */
    for (int i = 0; i < 6; i++)
        cr_assert_eq(sasae_rt_join(rt, "y", NULL, bad, 1, 600000, &h, NULL), SASAE_RT_E_BAD_CODE);
    void *out[2];
    cr_assert_eq(sasae_rt_expire(rt, 600000, out, 2), 1);
    cr_assert_eq(out[0], &hb);
    sasae_rt_free(rt);
}

Test(relay_burn, constant_time_compare_is_used)
{
    static const uint32_t v[] = {3141592};
    struct list_rng rng = {v, 1, 0};
    struct sasae_rt *rt = table(&rng, NULL);
    char code[10], bad[10];
    int host;
    void *h;
    sasae_rt_register(rt, &host, 0, code);
    ct_calls = 0;
    /* unknown routing part: nothing to compare */
    cr_assert_eq(sasae_rt_join(rt, "a", NULL, "0000002", 1, 0, &h, NULL), SASAE_RT_E_BAD_CODE);
    cr_assert_eq(ct_calls, 0);
    /* a live routing part: the check part goes through CRYPTO_memcmp */
    with_check(code, "1", bad);
    cr_assert_eq(sasae_rt_join(rt, "a", NULL, bad, 1, 0, &h, NULL), SASAE_RT_E_BAD_CODE);
    cr_assert_eq(ct_calls, 1);
    cr_assert_eq(ct_last_len, 1);
    cr_assert_eq(sasae_rt_join(rt, "a", NULL, code, 1, 0, &h, NULL), SASAE_RT_OK);
    cr_assert_eq(ct_calls, 2);
    cr_assert_eq(ct_last_len, 1);
    sasae_rt_free(rt);
}

Test(relay_burn, routing_collisions_redrawn)
{
    /* 42000 is live; 42009 and 42003 share its routing part 004200 and are drawn again,
     * 4290000000 is over the unbiased range; 42019 is the first usable draw. */
    static const uint32_t v[] = {42000, 42009, 42003, 4290000000u, 42019};
    struct list_rng rng = {v, 5, 0};
    struct sasae_rt *rt = table(&rng, NULL);
    char a[10], b[10];
    int ha, hb;
    cr_assert_eq(sasae_rt_register(rt, &ha, 0, a), SASAE_RT_OK);
    cr_assert_str_eq(a, "0042000");
    cr_assert_eq(sasae_rt_register(rt, &hb, 0, b), SASAE_RT_OK);
    cr_assert_str_eq(b, "0042019");
    cr_assert_eq(rng.i, 5);
    /* only collisions and failures left: the RNG error surfaces, nothing is issued */
    static const uint32_t w[] = {42001, 43002};
    struct list_rng rng2 = {w, 2, 0};
    struct sasae_rt *rt2 = table(&rng2, NULL);
    sasae_rt_register(rt2, &ha, 0, a);
    cr_assert_str_eq(a, "0042001");
    rng2.v = v;
    rng2.n = 1;
    rng2.i = 0; /* 42000: routing 004200 is live */
    cr_assert_eq(sasae_rt_register(rt2, &hb, 0, b), SASAE_RT_E_RNG);
    cr_assert_eq(sasae_rt_codes(rt2), 1);
    sasae_rt_free(rt2);
    sasae_rt_free(rt);
}

Test(relay_burn, other_codes_unaffected_and_routing_part_reissued)
{
    static const uint32_t v[] = {5000001, 6000002, 5000007};
    struct list_rng rng = {v, 3, 0};
    struct sasae_rt *rt = table(&rng, NULL);
    char a[10], b[10], c[10], bad[10];
    int ha, hb, hc;
    void *h;
    sasae_rt_register(rt, &ha, 0, a);
    sasae_rt_register(rt, &hb, 0, b);
    /* 4 near misses on b, 5 on a: a burns, b keeps its own count (4) and still pairs */
    with_check(b, "9", bad);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(sasae_rt_join(rt, "m", NULL, bad, 1, 0, &h, NULL), SASAE_RT_E_BAD_CODE);
    with_check(a, "9", bad);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(sasae_rt_join(rt, "m", NULL, bad, 1, 0, &h, NULL), SASAE_RT_E_BAD_CODE);
    cr_assert_eq(sasae_rt_join(rt, "m", NULL, bad, 1, 0, &h, NULL), SASAE_RT_E_BURNED);
    cr_assert_eq(h, &ha);
    cr_assert_eq(sasae_rt_codes(rt), 1);
    /* a's routing part is free again and goes to a new host with another check part */
    cr_assert_eq(sasae_rt_register(rt, &hc, 0, c), SASAE_RT_OK);
    cr_assert_str_eq(c, "5000007");
    /* the burned host leaving (its old code) must not drop the new host's code */
    sasae_rt_unregister(rt, a);
    cr_assert_eq(sasae_rt_codes(rt), 2);
    /* the new code starts with no near misses; the old code still never pairs */
    with_check(c, "0", bad);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(sasae_rt_join(rt, "n", NULL, bad, 1, 0, &h, NULL), SASAE_RT_E_BAD_CODE);
    cr_assert_eq(sasae_rt_join(rt, "n", NULL, a, 1, 0, &h, NULL), SASAE_RT_E_BURNED,
                 "the old code is now a 5th near miss on the new one");
    cr_assert_eq(h, &hc);
    cr_assert_eq(sasae_rt_join(rt, "n", NULL, b, 1, 0, &h, NULL), SASAE_RT_OK);
    cr_assert_eq(h, &hb);
    sasae_rt_free(rt);
}
