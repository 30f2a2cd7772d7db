/* Unit tests for the relay envelope: byte vectors, round trips and every rejection. */
#include <criterion/criterion.h>
#include <string.h>

#include "sasae/envelope.h"

static void roundtrip(const struct sasae_env_msg *m, const uint8_t *expect, size_t elen)
{
    uint8_t buf[2048];
    size_t n = 0;
    cr_assert_eq(sasae_env_serialize(m, buf, sizeof(buf), &n), SASAE_ENV_OK);
    cr_assert_eq(n, elen, "size %zu != %zu", n, elen);
    cr_assert_eq(memcmp(buf, expect, elen), 0);
    cr_assert_eq(sasae_env_size(m), (long)elen);
    struct sasae_env_msg p;
    cr_assert_eq(sasae_env_parse(buf, n, &p), SASAE_ENV_OK);
    cr_assert_eq(p.type, m->type);
    /* One byte short must never parse (except DATA, which has no fixed length). */
    if (m->type != SASAE_ENV_DATA && n > 1)
        cr_assert_neq(sasae_env_parse(buf, n - 1, &p), SASAE_ENV_OK);
    /* One trailing byte must never parse either. */
    buf[n] = 'x';
    if (m->type != SASAE_ENV_DATA)
        cr_assert_eq(sasae_env_parse(buf, n + 1, &p), SASAE_ENV_E_TRAILING);
}

Test(envelope, register_vector)
{
    struct sasae_env_msg m = {.type = SASAE_ENV_REGISTER, .version = 1};
    const uint8_t v[] = {0x01, 0x00, 0x01};
    roundtrip(&m, v, sizeof(v));
    struct sasae_env_msg p;
    cr_assert_eq(sasae_env_parse(v, sizeof(v), &p), 0);
    cr_assert_eq(p.version, 1);
}

Test(envelope, code_vector)
{
    struct sasae_env_msg m = {.type = SASAE_ENV_CODE, .code = "1234567", .valid_secs = 600};
    const uint8_t v[] = {0x02, '1', '2', '3', '4', '5', '6', '7', 0, 0, 0x02, 0x58};
    roundtrip(&m, v, sizeof(v));
    struct sasae_env_msg p;
    cr_assert_eq(sasae_env_parse(v, sizeof(v), &p), 0);
    cr_assert_str_eq(p.code, "1234567");
    cr_assert_eq(p.valid_secs, 600);
}

Test(envelope, join_vector)
{
    struct sasae_env_msg m = {.type = SASAE_ENV_JOIN, .version = 1, .code = "0000007"};
    const uint8_t v[] = {0x03, 0, 1, '0', '0', '0', '0', '0', '0', '7'};
    roundtrip(&m, v, sizeof(v));
}

Test(envelope, peer_joined_vector)
{
    struct sasae_env_msg m = {.type = SASAE_ENV_PEER_JOINED, .text = "Ana", .org = "Kōbe"};
    const uint8_t v[] = {0x04, 3, 'A', 'n', 'a', 5, 'K', 0xc5, 0x8d, 'b', 'e'};
    roundtrip(&m, v, sizeof(v));
    struct sasae_env_msg p;
    cr_assert_eq(sasae_env_parse(v, sizeof(v), &p), 0);
    cr_assert_str_eq(p.org, "Kōbe");
    struct sasae_env_msg e = {.type = SASAE_ENV_PEER_JOINED};
    const uint8_t ve[] = {0x04, 0, 0};
    roundtrip(&e, ve, sizeof(ve));
}

Test(envelope, peer_left_error_audit_vectors)
{
    struct sasae_env_msg l = {
        .type = SASAE_ENV_PEER_LEFT, .reason = SASAE_ENV_LEFT_STUCK, .text = "ab"};
    const uint8_t vl[] = {0x05, 4, 2, 'a', 'b'};
    roundtrip(&l, vl, sizeof(vl));
    struct sasae_env_msg e = {
        .type = SASAE_ENV_ERROR, .error_code = SASAE_ENV_ERR_BAD_CODE, .text = "no"};
    const uint8_t ve[] = {0x06, 0, 3, 2, 'n', 'o'};
    roundtrip(&e, ve, sizeof(ve));
    struct sasae_env_msg a = {.type = SASAE_ENV_AUDIT, .reason = SASAE_ENV_AUDIT_END, .text = ""};
    const uint8_t va[] = {0x07, 9, 0};
    roundtrip(&a, va, sizeof(va));
}

Test(envelope, data)
{
    static uint8_t big[SASAE_ENV_MSG_MAX + 1];
    big[0] = SASAE_ENV_DATA;
    struct sasae_env_msg p;
    cr_assert_eq(sasae_env_parse(big, 1, &p), 0);
    cr_assert_eq(p.data_len, 0);
    cr_assert_eq(sasae_env_parse(big, SASAE_ENV_MSG_MAX, &p), 0);
    cr_assert_eq(p.data_len, SASAE_ENV_DATA_MAX);
    cr_assert_eq(p.data, big + 1);
    cr_assert_eq(sasae_env_parse(big, SASAE_ENV_MSG_MAX + 1, &p), SASAE_ENV_E_TOO_BIG);
    struct sasae_env_msg m = {
        .type = SASAE_ENV_DATA, .data = (const uint8_t *)"xyz", .data_len = 3};
    const uint8_t v[] = {0x10, 'x', 'y', 'z'};
    roundtrip(&m, v, sizeof(v));
    m.data_len = SASAE_ENV_DATA_MAX + 1;
    cr_assert_eq(sasae_env_size(&m), SASAE_ENV_E_TOO_BIG);
}

Test(envelope, crl_request_vector)
{
    struct sasae_env_msg m = {.type = SASAE_ENV_CRL_REQUEST, .version = 1};
    const uint8_t v[] = {0x08, 0x00, 0x01};
    roundtrip(&m, v, sizeof(v));
}

Test(envelope, crl_vector)
{
    static const uint8_t der[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    struct sasae_env_msg m = {.type = SASAE_ENV_CRL, .data = der, .data_len = sizeof der};
    const uint8_t v[] = {0x09, 0x30, 0x03, 0x02, 0x01, 0x00};
    uint8_t buf[16];
    size_t n = 0;
    cr_assert_eq(sasae_env_serialize(&m, buf, sizeof buf, &n), SASAE_ENV_OK);
    cr_assert_eq(n, sizeof v);
    cr_assert_eq(memcmp(buf, v, n), 0);
    struct sasae_env_msg p;
    cr_assert_eq(sasae_env_parse(v, sizeof v, &p), SASAE_ENV_OK);
    cr_assert_eq(p.data_len, sizeof der);
    cr_assert_eq(memcmp(p.data, der, sizeof der), 0);
    /* empty: the relay has no CRL to give */
    cr_assert_eq(sasae_env_parse(v, 1, &p), SASAE_ENV_OK);
    cr_assert_eq(p.data_len, 0);
    /* bounded: a relay cannot make the host swallow a huge "CRL" */
    static uint8_t big[1 + SASAE_ENV_CRL_MAX + 1] = {0x09};
    cr_assert_eq(sasae_env_parse(big, sizeof big - 1, &p), SASAE_ENV_OK);
    cr_assert_eq(sasae_env_parse(big, sizeof big, &p), SASAE_ENV_E_TOO_BIG);
    m.data_len = SASAE_ENV_CRL_MAX + 1;
    m.data = big;
    cr_assert_eq(sasae_env_size(&m), SASAE_ENV_E_TOO_BIG);
}

Test(envelope, resume_vector)
{
    struct sasae_env_msg m = {.type = SASAE_ENV_RESUME, .version = 1, .reason = 2};
    uint8_t v[4 + SASAE_ENV_TICKET_LEN] = {0x0a, 0, 1, 2};
    for (int i = 0; i < SASAE_ENV_TICKET_LEN; i++)
        m.ticket[i] = v[4 + i] = (uint8_t)(0xa0 + i);
    roundtrip(&m, v, sizeof(v));
    struct sasae_env_msg p;
    cr_assert_eq(sasae_env_parse(v, sizeof(v), &p), 0);
    cr_assert_eq(p.reason, SASAE_ENV_RESUME_VIEWER);
    cr_assert_eq(memcmp(p.ticket, m.ticket, SASAE_ENV_TICKET_LEN), 0);
    /* only the two roles exist */
    v[3] = 3;
    cr_assert_eq(sasae_env_parse(v, sizeof(v), &p), SASAE_ENV_E_VALUE);
    v[3] = 0;
    cr_assert_eq(sasae_env_parse(v, sizeof(v), &p), SASAE_ENV_E_VALUE);
    m.reason = 0;
    cr_assert_eq(sasae_env_size(&m), SASAE_ENV_E_VALUE);
    cr_assert_str_eq(sasae_env_type_str(SASAE_ENV_RESUME), "resume");
}

Test(envelope, rejects)
{
    struct sasae_env_msg p;
    cr_assert_eq(sasae_env_parse(NULL, 0, &p), SASAE_ENV_E_EMPTY);
    cr_assert_eq(sasae_env_parse(NULL, 3, &p), SASAE_ENV_E_ARG);
    const uint8_t unk[] = {0x0b, 0};
    cr_assert_eq(sasae_env_parse(unk, 2, &p), SASAE_ENV_E_TYPE);
    const uint8_t unk2[] = {0xff};
    cr_assert_eq(sasae_env_parse(unk2, 1, &p), SASAE_ENV_E_TYPE);
    const uint8_t badcode[] = {0x03, 0, 1, '1', '2', '3', 'a', '5', '6', '7'};
    cr_assert_eq(sasae_env_parse(badcode, sizeof(badcode), &p), SASAE_ENV_E_DIGITS);
    const uint8_t ctl[] = {0x06, 0, 1, 2, 'a', '\n'};
    cr_assert_eq(sasae_env_parse(ctl, sizeof(ctl), &p), SASAE_ENV_E_TEXT);
    const uint8_t overlong[] = {0x06, 0, 1, 2, 0xc0, 0xaf};
    cr_assert_eq(sasae_env_parse(overlong, sizeof(overlong), &p), SASAE_ENV_E_TEXT);
    const uint8_t surrogate[] = {0x06, 0, 1, 3, 0xed, 0xa0, 0x80};
    cr_assert_eq(sasae_env_parse(surrogate, sizeof(surrogate), &p), SASAE_ENV_E_TEXT);
    const uint8_t cut[] = {0x06, 0, 1, 2, 0xe3, 0x81};
    cr_assert_eq(sasae_env_parse(cut, sizeof(cut), &p), SASAE_ENV_E_TEXT);
    const uint8_t lenpast[] = {0x06, 0, 1, 9, 'a'};
    cr_assert_eq(sasae_env_parse(lenpast, sizeof(lenpast), &p), SASAE_ENV_E_SHORT);
    const uint8_t badreason[] = {0x05, 0, 0};
    cr_assert_eq(sasae_env_parse(badreason, sizeof(badreason), &p), SASAE_ENV_E_VALUE);
    const uint8_t badreason2[] = {0x05, SASAE_ENV_LEFT_MAX + 1, 0};
    cr_assert_eq(sasae_env_parse(badreason2, sizeof(badreason2), &p), SASAE_ENV_E_VALUE);
    const uint8_t badkind[] = {0x07, SASAE_ENV_AUDIT_MAX + 1, 0};
    cr_assert_eq(sasae_env_parse(badkind, sizeof(badkind), &p), SASAE_ENV_E_VALUE);
    const uint8_t baderr[] = {0x06, 0, 0, 0};
    cr_assert_eq(sasae_env_parse(baderr, sizeof(baderr), &p), SASAE_ENV_E_VALUE);
    const uint8_t baderr2[] = {0x06, 0, SASAE_ENV_ERR_MAX + 1, 0};
    cr_assert_eq(sasae_env_parse(baderr2, sizeof(baderr2), &p), SASAE_ENV_E_VALUE);
    /* 13 (burned) is the newest code: numbers never move */
    const uint8_t burned[] = {0x06, 0, 13, 0};
    cr_assert_eq(sasae_env_parse(burned, sizeof(burned), &p), SASAE_ENV_OK);
    cr_assert_eq(p.error_code, SASAE_ENV_ERR_BURNED);
}

Test(envelope, serialize_rejects)
{
    uint8_t buf[600];
    size_t n;
    struct sasae_env_msg m = {.type = SASAE_ENV_JOIN, .code = "123456"};
    cr_assert_eq(sasae_env_serialize(&m, buf, sizeof(buf), &n), SASAE_ENV_E_DIGITS);
    m = (struct sasae_env_msg){.type = SASAE_ENV_ERROR, .error_code = 1};
    memset(m.text, 'a', SASAE_ENV_TEXT_MAX);
    cr_assert_eq(sasae_env_serialize(&m, buf, sizeof(buf), &n), 0);
    cr_assert_eq(n, 4 + SASAE_ENV_TEXT_MAX);
    cr_assert_eq(sasae_env_serialize(&m, buf, n - 1, &n), SASAE_ENV_E_BUFFER);
    m.text[2] = '\t';
    cr_assert_eq(sasae_env_serialize(&m, buf, sizeof(buf), &n), SASAE_ENV_E_TEXT);
    m = (struct sasae_env_msg){.type = (enum sasae_env_type)0x42};
    cr_assert_eq(sasae_env_serialize(&m, buf, sizeof(buf), &n), SASAE_ENV_E_TYPE);
    cr_assert_eq(sasae_env_serialize(NULL, buf, sizeof(buf), &n), SASAE_ENV_E_ARG);
}

Test(envelope, strings)
{
    for (int e = 0; e >= -10; e--)
        cr_assert_str_neq(sasae_env_strerror(e), "unknown error");
    cr_assert_str_eq(sasae_env_strerror(-99), "unknown error");
    cr_assert_str_eq(sasae_env_type_str(0x10), "data");
    cr_assert_str_eq(sasae_env_audit_str(SASAE_ENV_AUDIT_CONSENT_ALLOWED), "consent-allowed");
    cr_assert_str_eq(sasae_env_audit_str(200), "unknown");
    cr_assert_str_eq(sasae_env_left_str(200), "unknown");
    cr_assert_str_eq(sasae_env_error_code_str(0xffff), "unknown");
    cr_assert_str_eq(sasae_env_error_code_str(SASAE_ENV_ERR_BURNED),
                     "code burned after 5 failed joins");
    cr_assert_str_eq(sasae_env_error_code_str(SASAE_ENV_ERR_MAX + 1), "unknown");
    cr_assert(sasae_env_code_valid("0000000"));
    cr_assert(!sasae_env_code_valid("00000000"));
    cr_assert(!sasae_env_code_valid(NULL));
}
