/* Unit tests for the relay table: codes, single use, expiry, join limits, rate limits, caps —
 * the relay's decisions without any socket. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sasae/relaytable.h"

/* Deterministic "CSPRNG" for tests: a counter stream, optionally with a fixed prefix. */
struct fake_rng {
    uint32_t next;
    uint32_t step; /* between draws (0: 1); 1000 gives each code its own routing part */
    int fail;
};

static int fake_rand(void *ctx, uint8_t *b, size_t n)
{
    struct fake_rng *r = ctx;
    if (r->fail)
        return -1;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = r->next;
        r->next += r->step ? r->step : 1;
        for (size_t k = 0; k < 4 && i + k < n; k++)
            b[i + k] = (uint8_t)(v >> (24 - 8 * k));
    }
    return 0;
}

static struct sasae_rt_limits lim = {
    .max_sessions = 3,
    .code_ttl_s = 10,
    .max_failed_joins = 5,
    .max_conns_per_addr = 2,
    .conn_rate_per_min = 3,
    .join_rate_per_min = 6,
};

Test(relay_table, register_join_single_use)
{
    struct fake_rng rng = {.next = 1234567};
    struct sasae_rt *rt = sasae_rt_new(&lim, fake_rand, &rng);
    char code[10];
    int host = 1;
    cr_assert_eq(sasae_rt_register(rt, &host, 1000, code), SASAE_RT_OK);
    cr_assert_str_eq(code, "1234567");
    cr_assert_eq(sasae_rt_codes(rt), 1);
    void *h = NULL;
    cr_assert_eq(sasae_rt_join(rt, "10.0.0.1", NULL, code, 1, 2000, &h, NULL), SASAE_RT_OK);
    cr_assert_eq(h, &host);
    cr_assert_eq(sasae_rt_codes(rt), 0);
    cr_assert_eq(sasae_rt_sessions(rt), 1);
    /* single use */
    cr_assert_eq(sasae_rt_join(rt, "10.0.0.1", NULL, code, 1, 2000, &h, NULL), SASAE_RT_E_BAD_CODE);
    cr_assert_null(h);
    sasae_rt_session_end(rt);
    cr_assert_eq(sasae_rt_sessions(rt), 0);
    sasae_rt_free(rt);
}

Test(relay_table, codes_uniform_draw_rejects_high_values_and_pads)
{
    /* 4290000000 and above must be redrawn (bias); 5000 -> "0005000". */
    struct fake_rng rng = {.next = 4294967295u};
    struct sasae_rt *rt = sasae_rt_new(&lim, fake_rand, &rng);
    char code[10];
    int host;
    cr_assert_eq(sasae_rt_register(rt, &host, 0, code), SASAE_RT_OK);
    cr_assert_str_eq(code, "0000000"); /* 0xffffffff rejected, counter wrapped to 0 */
    rng.next = 5000;
    cr_assert_eq(sasae_rt_register(rt, &host, 0, code), SASAE_RT_OK);
    cr_assert_str_eq(code, "0005000");
    /* A live routing part draws again, whatever the check part: 0005003 collides with
     * 0005000. */
    rng.next = 5003;
    rng.step = 10;
    cr_assert_eq(sasae_rt_register(rt, &host, 0, code), SASAE_RT_OK);
    cr_assert_str_eq(code, "0005013");
    sasae_rt_free(rt);
}

Test(relay_table, rng_failure_is_an_error)
{
    struct fake_rng rng = {.fail = 1};
    struct sasae_rt *rt = sasae_rt_new(&lim, fake_rand, &rng);
    char code[10];
    int host;
    cr_assert_eq(sasae_rt_register(rt, &host, 0, code), SASAE_RT_E_RNG);
    cr_assert_eq(sasae_rt_codes(rt), 0);
    sasae_rt_free(rt);
    cr_assert_null(sasae_rt_new(&lim, NULL, NULL));
}

Test(relay_table, expiry)
{
    struct fake_rng rng = {.next = 42};
    struct sasae_rt *rt = sasae_rt_new(&lim, fake_rand, &rng);
    char code[10];
    int host = 7;
    cr_assert_eq(sasae_rt_register(rt, &host, 1000, code), SASAE_RT_OK);
    void *out[4];
    cr_assert_eq(sasae_rt_expire(rt, 10999, out, 4), 0);
    void *h;
    /* expired but not yet swept: still refused */
    cr_assert_eq(sasae_rt_join(rt, "a", NULL, code, 1, 11000, &h, NULL), SASAE_RT_E_BAD_CODE);
    cr_assert_eq(sasae_rt_expire(rt, 11000, out, 4), 1);
    cr_assert_eq(out[0], &host);
    cr_assert_eq(sasae_rt_sessions(rt), 0);
    sasae_rt_free(rt);
}

Test(relay_table, non_operators_refused_before_lookup_and_never_wear_a_code)
{
    struct fake_rng rng = {.next = 99};
    struct sasae_rt_limits l = lim;
    l.join_rate_per_min = 100;
    l.code_ttl_s = 100;
    struct sasae_rt *rt = sasae_rt_new(&l, fake_rand, &rng);
    char code[10];
    int host = 3;
    sasae_rt_register(rt, &host, 0, code);
    void *h;
    /* Same answer for a live code, an unknown code and garbage, however often. */
    for (int i = 0; i < 50; i++) {
        cr_assert_eq(sasae_rt_join(rt, "b", NULL, code, 0, 10, &h, NULL), SASAE_RT_E_NOT_AUTH);
        cr_assert_null(h);
        cr_assert_eq(sasae_rt_join(rt, "b", NULL, "0000001", 0, 10, &h, NULL), SASAE_RT_E_NOT_AUTH);
        cr_assert_eq(sasae_rt_join(rt, "b", NULL, "xx", 0, 10, &h, NULL), SASAE_RT_E_NOT_AUTH);
    }
    /* Nothing was counted: no per-address state, and the code is still good. */
    cr_assert_eq(sasae_rt_addrs(rt), 0);
    cr_assert_eq(sasae_rt_codes(rt), 1);
    cr_assert_eq(sasae_rt_join(rt, "b", NULL, code, 1, 10, &h, NULL), SASAE_RT_OK);
    cr_assert_eq(h, &host);
    sasae_rt_free(rt);
}

Test(relay_table, failed_operator_joins_limited_per_address_ipv6_by_64)
{
    struct fake_rng rng = {.next = 7};
    struct sasae_rt_limits l = lim;
    l.join_rate_per_min = 1000;
    l.max_failed_joins = 5;
    l.code_ttl_s = 1000;
    struct sasae_rt *rt = sasae_rt_new(&l, fake_rand, &rng);
    char code[10];
    int host;
    sasae_rt_register(rt, &host, 0, code);
    void *h;
    for (int i = 0; i < 5; i++)
        cr_assert_eq(sasae_rt_join(rt, "2001:db8:1:2::1", NULL, "9999999", 1, 0, &h, NULL),
                     SASAE_RT_E_BAD_CODE);
    /* Same /64, other interface id: same budget, and the live code learns nothing. */
    cr_assert_eq(sasae_rt_join(rt, "2001:db8:1:2:ffff:1:2:3", NULL, code, 1, 0, &h, NULL),
                 SASAE_RT_E_RATE);
    cr_assert_eq(sasae_rt_join(rt, "2001:0db8:0001:0002::9", NULL, "9999999", 1, 0, &h, NULL),
                 SASAE_RT_E_RATE);
    /* Neighbouring /64 is separate. */
    cr_assert_eq(sasae_rt_join(rt, "2001:db8:1:3::1", NULL, "9999999", 1, 0, &h, NULL),
                 SASAE_RT_E_BAD_CODE);
    /* IPv4 per address; IPv4-mapped is the same address. */
    for (int i = 0; i < 5; i++)
        cr_assert_eq(sasae_rt_join(rt, "192.0.2.1", NULL, "9999999", 1, 0, &h, NULL),
                     SASAE_RT_E_BAD_CODE);
    cr_assert_eq(sasae_rt_join(rt, "::ffff:192.0.2.1", NULL, "9999999", 1, 0, &h, NULL),
                 SASAE_RT_E_RATE);
    cr_assert_eq(sasae_rt_join(rt, "192.0.2.2", NULL, "9999999", 1, 0, &h, NULL),
                 SASAE_RT_E_BAD_CODE);
    /* 5 per minute: one failure back after 12 s; successful joins cost no failure. */
    cr_assert_eq(sasae_rt_join(rt, "2001:db8:1:2::1", NULL, code, 1, 11000, &h, NULL),
                 SASAE_RT_E_RATE);
    cr_assert_eq(sasae_rt_join(rt, "2001:db8:1:2::1", NULL, code, 1, 12000, &h, NULL), SASAE_RT_OK);
    sasae_rt_free(rt);
}

Test(relay_table, global_failed_join_cap)
{
    struct fake_rng rng = {.next = 11};
    struct sasae_rt_limits l = lim;
    l.join_rate_per_min = 1000;
    l.max_failed_joins = 2;
    l.max_failed_joins_global = 6;
    l.code_ttl_s = 1000;
    struct sasae_rt *rt = sasae_rt_new(&l, fake_rand, &rng);
    char code[10];
    int host;
    sasae_rt_register(rt, &host, 0, code);
    void *h;
    const char *addrs[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"};
    for (int i = 0; i < 6; i++)
        cr_assert_eq(sasae_rt_join(rt, addrs[i / 2], NULL, "9999999", 1, 0, &h, NULL),
                     SASAE_RT_E_BAD_CODE);
    /* Cap reached: every join is refused before lookup, from any address, even a live code. */
    cr_assert_eq(sasae_rt_join(rt, addrs[3], NULL, "9999999", 1, 0, &h, NULL),
                 SASAE_RT_E_GLOBAL_RATE);
    cr_assert_eq(sasae_rt_join(rt, addrs[3], NULL, code, 1, 5000, &h, NULL),
                 SASAE_RT_E_GLOBAL_RATE);
    cr_assert_null(h);
    cr_assert_str_eq(sasae_rt_strerror(SASAE_RT_E_GLOBAL_RATE),
                     "relay-wide failed-join limit reached, try again in a minute");
    /* 6 per minute: one back after 10 s. */
    cr_assert_eq(sasae_rt_join(rt, addrs[3], NULL, code, 1, 10000, &h, NULL), SASAE_RT_OK);
    cr_assert_eq(h, &host);
    sasae_rt_free(rt);
}

Test(relay_table, join_rate_limit_checked_before_code)
{
    struct fake_rng rng = {.next = 1};
    struct sasae_rt_limits l = lim;
    l.code_ttl_s = 100;
    l.max_failed_joins = 100;
    struct sasae_rt *rt = sasae_rt_new(&l, fake_rand, &rng);
    char code[10];
    int host;
    sasae_rt_register(rt, &host, 0, code);
    void *h;
    for (int i = 0; i < 6; i++)
        cr_assert_eq(sasae_rt_join(rt, "x", NULL, "9999999", 1, 0, &h, NULL), SASAE_RT_E_BAD_CODE);
    /* Out of tokens: even the right code is refused, and learns nothing. */
    cr_assert_eq(sasae_rt_join(rt, "x", NULL, code, 1, 0, &h, NULL), SASAE_RT_E_RATE);
    /* Another address is unaffected. */
    cr_assert_eq(sasae_rt_join(rt, "y", NULL, "9999999", 1, 0, &h, NULL), SASAE_RT_E_BAD_CODE);
    /* 6 per minute: one token back after 10 s. */
    cr_assert_eq(sasae_rt_join(rt, "x", NULL, code, 1, 9000, &h, NULL), SASAE_RT_E_RATE);
    cr_assert_eq(sasae_rt_join(rt, "x", NULL, code, 1, 10000, &h, NULL), SASAE_RT_OK);
    cr_assert_eq(sasae_rt_join(rt, "x", NULL, "abc", 1, 60000, &h, NULL), SASAE_RT_E_BAD_CODE);
    sasae_rt_free(rt);
}

Test(relay_table, conn_rate_and_per_address_cap)
{
    struct fake_rng rng = {.next = 1};
    struct sasae_rt *rt = sasae_rt_new(&lim, fake_rand, &rng);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(sasae_rt_conn_admit(rt, "a", 0), SASAE_RT_OK);
    cr_assert_eq(sasae_rt_conn_admit(rt, "a", 0), SASAE_RT_E_RATE);
    cr_assert_eq(sasae_rt_conn_admit(rt, "b", 0), SASAE_RT_OK);
    cr_assert_eq(sasae_rt_conn_admit(rt, "a", 20000), SASAE_RT_OK);
    cr_assert_eq(sasae_rt_conn_open(rt, "a", 0), SASAE_RT_OK);
    cr_assert_eq(sasae_rt_conn_open(rt, "a", 0), SASAE_RT_OK);
    cr_assert_eq(sasae_rt_conn_open(rt, "a", 0), SASAE_RT_E_ADDR_LIMIT);
    sasae_rt_conn_release(rt, "a");
    cr_assert_eq(sasae_rt_conn_open(rt, "a", 0), SASAE_RT_OK);
    /* gc keeps addresses with open connections, drops recovered ones */
    cr_assert_eq(sasae_rt_addrs(rt), 2);
    sasae_rt_gc(rt, 10 * 60000);
    cr_assert_eq(sasae_rt_addrs(rt), 1);
    sasae_rt_conn_release(rt, "a");
    sasae_rt_conn_release(rt, "a");
    sasae_rt_gc(rt, 20 * 60000);
    cr_assert_eq(sasae_rt_addrs(rt), 0);
    sasae_rt_free(rt);
}

Test(relay_table, session_cap_and_unregister)
{
    struct fake_rng rng = {.next = 10, .step = 1000};
    struct sasae_rt *rt = sasae_rt_new(&lim, fake_rand, &rng);
    char c1[10], c2[10], c3[10], c4[10];
    int h;
    cr_assert_eq(sasae_rt_register(rt, &h, 0, c1), SASAE_RT_OK);
    cr_assert_eq(sasae_rt_register(rt, &h, 0, c2), SASAE_RT_OK);
    cr_assert_eq(sasae_rt_register(rt, &h, 0, c3), SASAE_RT_OK);
    cr_assert_eq(sasae_rt_register(rt, &h, 0, c4), SASAE_RT_E_FULL);
    sasae_rt_unregister(rt, c2);
    cr_assert_eq(sasae_rt_codes(rt), 2);
    void *hp;
    cr_assert_eq(sasae_rt_join(rt, "z", NULL, c2, 1, 0, &hp, NULL), SASAE_RT_E_BAD_CODE);
    cr_assert_eq(sasae_rt_register(rt, &h, 0, c4), SASAE_RT_OK);
    sasae_rt_unregister(rt, "not-a-code");
    sasae_rt_free(rt);
}

/* One operator certificate spraying wrong codes from 65 addresses is limited as one joiner:
 * after max_failed_joins it is refused from every address, the relay-wide cap (300 by
 * default) is never reached, and another operator joins at once. */
Test(relay_table, one_certificate_from_many_addresses_is_limited_alone)
{
    struct fake_rng rng = {.next = 31};
    struct sasae_rt_limits l = lim;
    l.join_rate_per_min = 1000;
    l.code_ttl_s = 1000;
    l.max_failed_joins_global = 0; /* the default: 300 */
    l.max_sessions = 10;
    struct sasae_rt *rt = sasae_rt_new(&l, fake_rand, &rng);
    char code[10];
    int host;
    cr_assert_eq(sasae_rt_register(rt, &host, 0, code), SASAE_RT_OK);
    void *h;
    int bad = 0, limited = 0;
    for (int i = 0; i < 65; i++) {
        char addr[32];
        snprintf(addr, sizeof addr, "10.1.%d.%d", i / 250, i % 250 + 1);
        for (int k = 0; k < 5; k++) {
            int rc = sasae_rt_join(rt, addr, "stolen-cert", "9999999", 1, 1000, &h, NULL);
            cr_assert(rc == SASAE_RT_E_BAD_CODE || rc == SASAE_RT_E_RATE, "rc %d", rc);
            bad += rc == SASAE_RT_E_BAD_CODE;
            limited += rc == SASAE_RT_E_RATE;
        }
    }
    cr_assert_eq(bad, 5, "the certificate got %d tries, want 5", bad);
    cr_assert_eq(limited, 65 * 5 - 5);
    /* a second operator from yet another address is not locked out */
    cr_assert_eq(sasae_rt_join(rt, "10.9.9.9", "good-cert", code, 1, 1000, &h, NULL), SASAE_RT_OK);
    cr_assert_eq(h, &host);
    /* and without per-certificate counting (who NULL) the same spray would have tripped the
     * relay-wide cap: 65 addresses x 5 > 300 */
    for (int i = 0; i < 65; i++) {
        char addr[32];
        snprintf(addr, sizeof addr, "10.2.%d.%d", i / 250, i % 250 + 1);
        for (int k = 0; k < 5; k++)
            sasae_rt_join(rt, addr, NULL, "9999999", 1, 1000, &h, NULL);
    }
    cr_assert_eq(sasae_rt_join(rt, "10.9.9.8", "good-cert", "999999998", 1, 1000, &h, NULL),
                 SASAE_RT_E_GLOBAL_RATE);
    sasae_rt_free(rt);
}
