/* The 12-digit support code (codec/envelope/supportcode.c): Damm check digit, composition
 * by the host, parsing by the viewer, grouping for reading aloud. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sasae/supportcode.h"

Test(supportcode, damm_known_values)
{
    /* the textbook example: 572 -> 4, and a code with its digit appended checks to 0 */
    cr_assert_eq(sasae_scode_damm("572", 3), '4');
    cr_assert_eq(sasae_scode_damm("5724", 4), '0');
    cr_assert_eq(sasae_scode_damm("", 0), '0');
    cr_assert_eq(sasae_scode_damm("12a", 3), -1);
}

Test(supportcode, compose_and_parse)
{
    char full[SASAE_SCODE_DIGITS + 1], back[SASAE_SCODE_DIGITS + 1], shown[SASAE_SCODE_SHOWN];
    char relay[8], pw[12];
    cr_assert_eq(sasae_scode_compose_with("1234567", "0042", full), 0);
    cr_assert_eq(strlen(full), 12);
    cr_assert_eq(strncmp(full, "12345670042", 11), 0);
    cr_assert_eq(full[11], sasae_scode_damm("12345670042", 11));
    sasae_scode_format(full, shown);
    cr_assert_eq(strlen(shown), 15);
    cr_assert_eq(sasae_scode_parse(shown, back), 0);
    cr_assert_str_eq(back, full);
    sasae_scode_relay_part(full, relay);
    cr_assert_str_eq(relay, "1234567");
    sasae_scode_password(full, pw);
    cr_assert_str_eq(pw, "12345670042");
    cr_assert_eq(sasae_scode_compose_with("123456", "0042", full), -EINVAL);
    cr_assert_eq(sasae_scode_compose_with("1234567", "42", full), -EINVAL);
    cr_assert_eq(sasae_scode_compose_with("123456x", "0042", full), -EINVAL);
}

Test(supportcode, every_single_typo_and_neighbour_swap_is_caught)
{
    char full[SASAE_SCODE_DIGITS + 1], t[SASAE_SCODE_DIGITS + 1], out[SASAE_SCODE_DIGITS + 1];
    for (int k = 0; k < 200; k++) {
        cr_assert_eq(sasae_scode_compose("7654321", full), 0);
        for (int i = 0; i < SASAE_SCODE_DIGITS; i++)
            for (char d = '0'; d <= '9'; d++) {
                if (d == full[i])
                    continue;
                memcpy(t, full, sizeof t);
                t[i] = d;
                cr_assert_eq(sasae_scode_parse(t, out), -EBADMSG, "%s", t);
            }
        for (int i = 0; i + 1 < SASAE_SCODE_DIGITS; i++) {
            if (full[i] == full[i + 1])
                continue;
            memcpy(t, full, sizeof t);
            t[i] = full[i + 1];
            t[i + 1] = full[i];
            cr_assert_eq(sasae_scode_parse(t, out), -EBADMSG, "%s", t);
        }
    }
}

Test(supportcode, secret_digits_are_spread)
{
    /* 2000 draws over 10^4 secrets: each first digit about 200 times, never stuck */
    int first[10] = {0};
    char full[SASAE_SCODE_DIGITS + 1];
    for (int k = 0; k < 2000; k++) {
        cr_assert_eq(sasae_scode_compose("0000000", full), 0);
        cr_assert_eq(strncmp(full, "0000000", 7), 0);
        first[full[7] - '0']++;
    }
    for (int d = 0; d < 10; d++)
        cr_assert(first[d] > 120 && first[d] < 280, "digit %d: %d", d, first[d]);
}

Test(supportcode, parse_refuses)
{
    char out[SASAE_SCODE_DIGITS + 1];
    cr_assert_eq(sasae_scode_parse("12345678901", out), -EINVAL, "11 digits");
    cr_assert_eq(sasae_scode_parse("1234567890123", out), -EINVAL, "13 digits");
    cr_assert_eq(sasae_scode_parse("12345678901a", out), -EINVAL);
    cr_assert_eq(sasae_scode_parse("", out), -EINVAL);
    cr_assert_eq(sasae_scode_parse(NULL, out), -EINVAL);
    cr_assert_eq(sasae_scode_parse("１２３４５６７８９０１２", out), -EINVAL, "full-width digits");
}

Test(supportcode, format_groups)
{
    char s[SASAE_SCODE_SHOWN];
    sasae_scode_format("123456789012", s);
    cr_assert_str_eq(s, "123 456 789 012");
    sasae_scode_format("1234", s);
    cr_assert_str_eq(s, "123 4");
    sasae_scode_format("", s);
    cr_assert_str_eq(s, "");
    sasae_scode_format("12-34 5x678901234567", s);
    cr_assert_str_eq(s, "123 456 789 012", "non-digits skipped, at most 12");
}
