/* Unit tests for support-code entry, frame log lines and the status-bar meter. */
#include <criterion/criterion.h>
#include <string.h>

#include "sasae/viewer.h"

Test(viewer_code, parse)
{
    char d[SASAE_CODE_DIGITS + 1];
    cr_assert_eq(sasae_code_parse("123456789", d), 0);
    cr_assert_str_eq(d, "123456789");
    cr_assert_eq(sasae_code_parse("123 456 789", d), 0);
    cr_assert_str_eq(d, "123456789");
    cr_assert_eq(sasae_code_parse(" 123-456-789\n", d), 0);
    cr_assert_str_eq(d, "123456789");
    cr_assert_eq(sasae_code_parse("12345678", d), -1, "too short");
    cr_assert_eq(sasae_code_parse("1234567890", d), -1, "too long");
    cr_assert_eq(sasae_code_parse("12345678a", d), -1, "letter");
    cr_assert_eq(sasae_code_parse("１２３４５６７８９", d), -1, "full-width digits");
    cr_assert_eq(sasae_code_parse("", d), -1);
    cr_assert_eq(sasae_code_parse(NULL, d), -1);
}

Test(viewer_code, format_groups)
{
    char s[SASAE_CODE_SHOWN];
    sasae_code_format("123456789", s);
    cr_assert_str_eq(s, "123 456 789");
    sasae_code_format("1234", s);
    cr_assert_str_eq(s, "123 4");
    sasae_code_format("123", s);
    cr_assert_str_eq(s, "123");
    sasae_code_format("", s);
    cr_assert_str_eq(s, "");
    sasae_code_format("12-34 5x6789999", s);
    cr_assert_str_eq(s, "123 456 789", "non-digits skipped, at most 9");
}

Test(viewer_code, entry_editing)
{
    struct sasae_code_entry e = {0};
    cr_assert(sasae_code_entry_type(&e, "12"));
    cr_assert_not(sasae_code_entry_type(&e, "x"));
    cr_assert(sasae_code_entry_type(&e, "3 456-78"));
    cr_assert_not(sasae_code_entry_complete(&e));
    cr_assert(sasae_code_entry_type(&e, "90")); /* only the 9 fits */
    cr_assert(sasae_code_entry_complete(&e));
    cr_assert_str_eq(e.digits, "123456789");
    cr_assert_not(sasae_code_entry_type(&e, "1"), "full box ignores more digits");
    cr_assert(sasae_code_entry_backspace(&e));
    cr_assert_str_eq(e.digits, "12345678");
    for (int i = 0; i < 8; i++)
        cr_assert(sasae_code_entry_backspace(&e));
    cr_assert_not(sasae_code_entry_backspace(&e));
    cr_assert_eq(e.len, 0);
}

Test(viewer_framelog, line)
{
    struct sasae_frame_rec r = {.frame_id = 42,
                                .capture_us = 1700000000000000ull,
                                .recv_us = 1700000000012000ull,
                                .shown_us = 1700000000015500ull,
                                .decode_us = 2250,
                                .bytes = 12345,
                                .width = 1920,
                                .height = 1080,
                                .keyframe = true};
    char buf[256];
    int n = sasae_frame_log_line(&r, buf, sizeof buf);
    cr_assert_eq(n, (int)strlen(buf));
    cr_assert_str_eq(buf, "42\t1700000000000000\t1700000000012000\t1700000000015500\t2.250\t12345"
                          "\t15.500\t1920\t1080\tK\n");
    r.keyframe = false;
    r.decode_error = true;
    r.shown_us = r.capture_us - 1000; /* clocks disagree: negative, not a huge number */
    sasae_frame_log_line(&r, buf, sizeof buf);
    cr_assert(strstr(buf, "\t-1.000\t"), "%s", buf);
    cr_assert(strstr(buf, "\tE\n"), "%s", buf);
    r.decode_error = false;
    sasae_frame_log_line(&r, buf, sizeof buf);
    cr_assert(strstr(buf, "\t-\n"), "%s", buf);
    /* Column count matches the header. */
    int tabs_h = 0, tabs_l = 0;
    for (const char *p = sasae_frame_log_header(); *p; p++)
        tabs_h += *p == '\t';
    for (const char *p = buf; *p; p++)
        tabs_l += *p == '\t';
    cr_assert_eq(tabs_h, tabs_l);
    cr_assert_gt(sasae_frame_log_line(&r, buf, 8), 8, "truncation reported like snprintf");
}

Test(viewer_meter, window_figures)
{
    struct sasae_meter m;
    sasae_meter_init(&m, 1000000);
    struct sasae_meter_stats st;
    sasae_meter_get(&m, 5000000, &st);
    cr_assert_float_eq(st.fps, 0.0, 1e-9);
    /* 30 frames in the last second, 1000 bytes each, latencies 10..39 ms. */
    for (int i = 0; i < 30; i++)
        sasae_meter_add(&m, 4000000 + (uint64_t)i * 33000, 1000, (10 + i) * 1000, 2000);
    sasae_meter_get(&m, 4999999, &st);
    cr_assert_float_eq(st.fps, 30.0, 1e-9);
    cr_assert_float_eq(st.kbps, 240.0, 1e-9);
    cr_assert_float_eq(st.latency_ms, 24.5, 1e-9);
    cr_assert_float_eq(st.latency_max_ms, 39.0, 1e-9);
    cr_assert_float_eq(st.decode_ms, 2.0, 1e-9);
    /* Frames older than the window drop out. */
    sasae_meter_get(&m, 5500000, &st);
    cr_assert_lt(st.fps, 30.0);
    cr_assert_gt(st.fps, 0.0);
    sasae_meter_get(&m, 9000000, &st);
    cr_assert_float_eq(st.fps, 0.0, 1e-9);
    cr_assert_eq(m.total_frames, 30);
    cr_assert_eq(m.total_bytes, 30000);
}

Test(viewer_meter, ring_overflow_keeps_newest)
{
    struct sasae_meter m;
    sasae_meter_init(&m, 0);
    for (int i = 0; i < 1000; i++)
        sasae_meter_add(&m, (uint64_t)i * 1000, 10, i, 0);
    struct sasae_meter_stats st;
    sasae_meter_get(&m, 999500, &st);
    cr_assert_float_eq(st.fps, SASAE_METER_SLOTS, 1e-9);
    cr_assert_float_eq(st.latency_max_ms, 0.999, 1e-9);
}

/* Feeds frames of `bytes` every 33 ms for `ms`, with one-way delay `delay_us` (plus a
 * clock offset the estimator must not care about). */
static void feed(struct sasae_bwe *b, uint64_t *t, int ms, uint32_t bytes, int64_t delay_us)
{
    const uint64_t offset = 3600000000ull; /* host clock one hour behind */
    for (int i = 0; i < ms / 33; i++) {
        *t += 33000;
        sasae_bwe_frame(b, *t, *t - offset - (uint64_t)delay_us, bytes);
    }
}

Test(viewer_bwe, queueing_caps_then_recovers)
{
    struct sasae_bwe b;
    sasae_bwe_init(&b);
    uint64_t t = 1700000000000000ull;
    /* Uncongested 1 Mbit/s (4125 bytes per 33 ms): nothing seen, no limit. */
    feed(&b, &t, 3000, 4125, 20000);
    cr_assert_eq(b.estimate_kbps, 0);
    /* The link fills: delay climbs 200 ms while 600 kbit/s arrive. */
    feed(&b, &t, 2000, 2475, 220000);
    cr_assert_gt(b.estimate_kbps, 450);
    cr_assert_lt(b.estimate_kbps, 750, "estimate %u", b.estimate_kbps);
    uint32_t capped = b.estimate_kbps;
    /* Queue drained, the host following the estimate as sasae-host does (85 % of it):
     * the estimate grows again. */
    for (int i = 0; i < 10; i++)
        feed(&b, &t, 500, b.estimate_kbps * 85 / 100 * 33 / 8, 20000);
    cr_assert_gt(b.estimate_kbps, capped * 2, "estimate %u from %u", b.estimate_kbps, capped);
    /* A sender that does not use the estimate does not make it grow without bound. */
    uint32_t followed = b.estimate_kbps;
    feed(&b, &t, 5000, capped * 33 / 8, 20000);
    cr_assert_leq(b.estimate_kbps, followed * 115 / 100 + 1, "at most the interval in flight");
    followed = b.estimate_kbps;
    feed(&b, &t, 3000, capped * 33 / 8, 20000);
    cr_assert_eq(b.estimate_kbps, followed, "neither grown nor cut: %u vs %u", b.estimate_kbps,
                 followed);
    /* Idle screen (tiny frames): kept, neither grown nor cut. */
    uint32_t before = b.estimate_kbps;
    feed(&b, &t, 3000, 50, 20000);
    cr_assert_eq(b.estimate_kbps, before);
    /* No frames at all: ticks keep it too. */
    for (int i = 0; i < 10; i++)
        sasae_bwe_tick(&b, t += 500000);
    cr_assert_eq(b.estimate_kbps, before);
}
