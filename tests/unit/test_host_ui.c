/* Unit tests for the customer UI's shared logic (no display): answers given together. */
#include <criterion/criterion.h>

#include <string.h>

#include "ui.h"

Test(host_ui, a_stop_wins_over_an_allow_in_the_same_batch)
{
    enum host_ui_answer allows[] = {HOST_UI_ALLOW, HOST_UI_CONTROL_ALLOW};
    enum host_ui_answer stops[] = {HOST_UI_DENY, HOST_UI_CONTROL_DENY, HOST_UI_WINDOW_CLOSE,
                                   HOST_UI_END, HOST_UI_STOP_CONTROL};
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 5; j++) {
            cr_assert_eq(host_ui_answer_merge(allows[i], stops[j]), stops[j], "%s then %s",
                         host_ui_answer_str(allows[i]), host_ui_answer_str(stops[j]));
            cr_assert_eq(host_ui_answer_merge(stops[j], allows[i]), stops[j], "%s then %s",
                         host_ui_answer_str(stops[j]), host_ui_answer_str(allows[i]));
        }
    cr_assert_eq(host_ui_answer_merge(HOST_UI_DENY, HOST_UI_END), HOST_UI_END);
    cr_assert_eq(host_ui_answer_merge(HOST_UI_WINDOW_CLOSE, HOST_UI_CONTROL_DENY),
                 HOST_UI_WINDOW_CLOSE);
    cr_assert_eq(host_ui_answer_merge(HOST_UI_STOP_CONTROL, HOST_UI_CONTROL_DENY),
                 HOST_UI_CONTROL_DENY);
    cr_assert_eq(host_ui_answer_merge(HOST_UI_NONE, HOST_UI_ALLOW), HOST_UI_ALLOW);
    cr_assert_eq(host_ui_answer_merge(HOST_UI_ALLOW, HOST_UI_NONE), HOST_UI_ALLOW);
    cr_assert_eq(host_ui_answer_merge(HOST_UI_NONE, HOST_UI_NONE), HOST_UI_NONE);
}

Test(host_ui, fingerprint_short_form)
{
    const char *f = "SHA256:0A1B 2C3D 4E5F 6071 8293 A4B5 C6D7 E8F9 0A1B 2C3D 4E5F 6071 8293 "
                    "A4B5 C6D7 E8F9";
    char out[64];
    host_ui_fingerprint_short(f, 4, out, sizeof out);
    cr_assert_str_eq(out, "SHA256:0A1B 2C3D 4E5F 6071");
    host_ui_fingerprint_short(f, 4, out, 12);
    cr_assert_str_eq(out, "SHA256:0A1B");
    host_ui_fingerprint_short("", 4, out, sizeof out);
    cr_assert_str_eq(out, "");
}

Test(host_ui, renewed_code_says_why)
{
    char out[256];
    host_ui_renew_text(SASAE_HS_RENEW_NONE, "123456789", false, out, sizeof out);
    cr_assert_str_eq(out, "");
    host_ui_renew_text(SASAE_HS_RENEW_EXPIRED, "123456789", false, out, sizeof out);
    cr_assert_str_eq(out, "Your previous code expired; new code: 123 456 789");
    host_ui_renew_text(SASAE_HS_RENEW_BURNED, "123456789", false, out, sizeof out);
    cr_assert_str_eq(
        out, "Your previous code was blocked after 5 wrong attempts; new code: 123 456 789");
    host_ui_renew_text(SASAE_HS_RENEW_EXPIRED, NULL, false, out, sizeof out);
    cr_assert_str_eq(out, "Your previous code expired; getting a new code...");
    host_ui_renew_text(SASAE_HS_RENEW_EXPIRED, "123456789", true, out, sizeof out);
    cr_assert_str_eq(out, "前のコードは有効期限が切れました。新しいコード：123 456 789");
    host_ui_renew_text(SASAE_HS_RENEW_BURNED, "", true, out, sizeof out);
    cr_assert_str_eq(out, "前のコードは誤った入力が5回あったため無効になりました。"
                          "新しいコードを取得しています…");
    cr_assert_str_eq(host_ui_renew_why(SASAE_HS_RENEW_EXPIRED, false),
                     "Your previous code expired");
    cr_assert_str_eq(host_ui_renew_why(SASAE_HS_RENEW_NONE, true), "");
    host_ui_renew_text(SASAE_HS_RENEW_BURNED, "123456789", false, out, 10); /* truncated */
    cr_assert_eq(strlen(out), 9);
    /* the operator's code did not match: the customer reads the code again */
    host_ui_renew_text(SASAE_HS_RENEW_MISMATCH, "123456789018", false, out, sizeof out);
    cr_assert_str_eq(out,
                     "The code the operator entered does not match; new code: 123 456 789 018");
    host_ui_renew_text(SASAE_HS_RENEW_MISMATCH, "123456789018", true, out, sizeof out);
    cr_assert_str_eq(out,
                     "担当者が入力したコードが一致しませんでした。新しいコード：123 456 789 018");
    host_ui_renew_text(SASAE_HS_RENEW_TOO_MANY, NULL, false, out, sizeof out);
    cr_assert_str_eq(out, "Your previous code was blocked after 5 codes that did not match; "
                          "getting a new code...");
    cr_assert_str_eq(host_ui_renew_why(SASAE_HS_RENEW_TOO_MANY, true),
                     "一致しないコードが5回入力されたため、前のコードは無効になりました");
}

/* Every end reason, in every state it can happen in, shows a true sentence: never "nothing
 * was shared" after the customer allowed, never "could not be verified" after the operator
 * was verified, and no two reasons share a sentence. */
Test(host_ui, every_end_reason_has_a_true_sentence)
{
    static const struct {
        bool verified, shared;
    } st[] = {{false, false}, {true, false}, {true, true}};
    for (int j = 0; j < 2; j++)
        for (size_t k = 0; k < sizeof st / sizeof st[0]; k++) {
            const char *seen[32] = {0};
            const char *detail = host_ui_end_detail(st[k].shared, j);
            bool says_nothing = strstr(detail, "Nothing was shared") || strstr(detail, "何も共有");
            cr_assert_eq(says_nothing, !st[k].shared, "detail '%s'", detail);
            for (int r = SASAE_HS_END_CUSTOMER; r <= SASAE_HS_END_NO_CRL; r++) {
                const char *t = host_ui_end_text(r, st[k].verified, st[k].shared, j);
                cr_assert(t && *t, "reason %d has no sentence", r);
                if (st[k].shared)
                    cr_assert(!strstr(t, "nothing was shared") && !strstr(t, "何も共有"),
                              "reason %d after sharing: '%s'", r, t);
                if (st[k].verified)
                    cr_assert(!strstr(t, "could not be verified") && !strstr(t, "本人確認ができ"),
                              "reason %d after verification: '%s'", r, t);
                for (int q = SASAE_HS_END_CUSTOMER; q < r; q++)
                    cr_assert(strcmp(seen[q], t) != 0, "reasons %d and %d: '%s'", q, r, t);
                seen[r] = t;
            }
        }
}
