/* Unit tests for support-code entry, frame log lines and the status-bar meter. */
#include <criterion/criterion.h>
#include <string.h>

#include "sasae/viewer.h"

Test(viewer_code, parse)
{
    /* 12 digits, the last the Damm check digit of the first 11 (123456789018 checks) */
    char d[SASAE_CODE_DIGITS + 1];
    cr_assert_eq(sasae_code_parse("123456789018", d), 0);
    cr_assert_str_eq(d, "123456789018");
    cr_assert_eq(sasae_code_parse("123 456 789 018", d), 0);
    cr_assert_str_eq(d, "123456789018");
    cr_assert_eq(sasae_code_parse(" 123-456-789-018\n", d), 0);
    cr_assert_str_eq(d, "123456789018");
    cr_assert_eq(sasae_code_parse("123456789017", d), -2, "check digit wrong: a typo");
    cr_assert_eq(sasae_code_parse("123456789108", d), -2, "two digits swapped: a typo");
    cr_assert_eq(sasae_code_parse("12345678901", d), -1, "too short");
    cr_assert_eq(sasae_code_parse("1234567890188", d), -1, "too long");
    cr_assert_eq(sasae_code_parse("12345678901a", d), -1, "letter");
    cr_assert_eq(sasae_code_parse("１２３４５６７８９０１８", d), -1, "full-width digits");
    cr_assert_eq(sasae_code_parse("", d), -1);
    cr_assert_eq(sasae_code_parse(NULL, d), -1);
}

Test(viewer_code, format_groups)
{
    char s[SASAE_CODE_SHOWN];
    sasae_code_format("123456789018", s);
    cr_assert_str_eq(s, "123 456 789 018");
    sasae_code_format("1234", s);
    cr_assert_str_eq(s, "123 4");
    sasae_code_format("123", s);
    cr_assert_str_eq(s, "123");
    sasae_code_format("", s);
    cr_assert_str_eq(s, "");
    sasae_code_format("12-34 5x678901899", s);
    cr_assert_str_eq(s, "123 456 789 018", "non-digits skipped, at most 12");
}

Test(viewer_code, entry_editing)
{
    struct sasae_code_entry e = {0};
    cr_assert(sasae_code_entry_type(&e, "12"));
    cr_assert_not(sasae_code_entry_type(&e, "x"));
    cr_assert(sasae_code_entry_type(&e, "3 456-78"));
    cr_assert_not(sasae_code_entry_complete(&e));
    cr_assert(sasae_code_entry_type(&e, "901899")); /* only 018 fits */
    cr_assert(sasae_code_entry_complete(&e));
    cr_assert_not(sasae_code_entry_typo(&e));
    cr_assert_str_eq(e.digits, "123456789018");
    cr_assert_not(sasae_code_entry_type(&e, "1"), "full box ignores more digits");
    cr_assert(sasae_code_entry_backspace(&e));
    cr_assert_str_eq(e.digits, "12345678901");
    cr_assert_not(sasae_code_entry_typo(&e), "incomplete is not a typo yet");
    cr_assert(sasae_code_entry_type(&e, "7"));
    cr_assert(sasae_code_entry_typo(&e), "a wrong check digit shows, and never connects");
    cr_assert_not(sasae_code_entry_complete(&e));
    for (int i = 0; i < 12; i++)
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
    r.refresh = true; /* a top-off: the latency measures no change on the host's screen */
    r.keyframe = true;
    sasae_frame_log_line(&r, buf, sizeof buf);
    cr_assert(strstr(buf, "\tKR\n"), "%s", buf);
    r.refresh = r.keyframe = false;
    sasae_frame_log_line(&r, buf, sizeof buf);
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

/* A simulated bottleneck: a FIFO link of `kbps` carrying 16 KiB VIDEO chunks, 10 ms of
 * propagation, a host clock one hour behind ours (the estimator must not care), and a
 * viewer that only notices arrivals every `read_us` (as a busy event loop does). */
struct sim {
    struct sasae_bwe b;
    double kbps;
    uint64_t link_free_us;
    uint64_t read_us;
    uint32_t max_est; /* largest estimate ever reported */
    uint32_t min_est; /* smallest non-zero estimate reported after `watch_from_us` */
    uint64_t watch_from_us;
};

static const uint64_t T0 = 1700000000000000ull;
static const uint64_t HOST_OFFSET = 3600000000ull;

static void sim_init(struct sim *s, double kbps, uint64_t read_us)
{
    memset(s, 0, sizeof *s);
    sasae_bwe_init(&s->b);
    s->kbps = kbps;
    s->read_us = read_us;
    s->min_est = UINT32_MAX;
    s->link_free_us = T0;
    sasae_bwe_tick(&s->b, T0); /* the viewer's timer runs before the first chunk */
}

static void sim_note(struct sim *s, uint64_t now)
{
    uint32_t e = s->b.estimate_kbps;
    if (e > s->max_est)
        s->max_est = e;
    if (e && now >= s->watch_from_us && e < s->min_est)
        s->min_est = e;
}

/* The host captures a frame of `size` bytes at `cap` (our clock) and queues all its chunks
 * 5 ms later (encoding); returns when its last byte arrived. */
static uint64_t sim_frame(struct sim *s, uint64_t cap, uint32_t size)
{
    uint64_t send = cap + 5000, recv = 0;
    if (s->link_free_us < send)
        s->link_free_us = send;
    for (uint32_t off = 0; off < size; off += 16384) {
        uint32_t n = size - off < 16384 ? size - off : 16384;
        s->link_free_us += (uint64_t)((double)n * 8.0 * 1000.0 / s->kbps);
        recv = s->link_free_us + 10000;
        if (s->read_us)
            recv = (recv + s->read_us - 1) / s->read_us * s->read_us;
        sasae_bwe_chunk(&s->b, recv, cap - HOST_OFFSET, off, n);
        sim_note(s, recv);
    }
    return recv;
}

/* The start of a session at 1080p as measured (a 70 kB keyframe and a 61 kB frame back to
 * back), then 1.6 kB frames at 30 fps with a 20 kB frame (line wrap) every 2 s. */
static uint64_t sim_session(struct sim *s, uint64_t t, int ms)
{
    sim_frame(s, t, 70500);
    sim_frame(s, t + 33000, 61000);
    for (int i = 2; i < ms / 33; i++)
        sim_frame(s, t + (uint64_t)i * 33000, i % 60 == 0 ? 20000 : 1600);
    return t + (uint64_t)(ms / 33) * 33000;
}

Test(viewer_bwe, one_mbit_big_frames_within_line_rate)
{
    for (uint64_t read_us = 0; read_us <= 20000; read_us += 10000) {
        struct sim s;
        sim_init(&s, 1000, read_us);
        s.watch_from_us = T0 + 2000000;
        sim_session(&s, T0, 15000);
        uint32_t e = s.b.estimate_kbps;
        /* payload rate of a 1 Mbit/s link: never above 1.25x, end within +-25 % */
        cr_assert_leq(s.max_est, 1250, "read every %lu us: peak %u", (unsigned long)read_us,
                      s.max_est);
        cr_assert(e >= 750 && e <= 1250, "read every %lu us: estimate %u", (unsigned long)read_us,
                  e);
        cr_assert_geq(s.min_est, 750, "read every %lu us: dipped to %u", (unsigned long)read_us,
                      s.min_est);
    }
}

Test(viewer_bwe, slow_link_and_idle_periods_do_not_lower_it)
{
    struct sim s;
    sim_init(&s, 256, 10000);
    /* the start burst queues ~4 s at 256 kbit/s; then a few small frames while it drains */
    uint64_t t = T0;
    sim_frame(&s, t, 70500);
    sim_frame(&s, t + 33000, 61000);
    for (int i = 1; i <= 40; i++)
        sim_frame(&s, t + (uint64_t)i * 250000, 400);
    uint32_t e = s.b.estimate_kbps;
    cr_assert(e >= 192 && e <= 320, "after the burst: %u", e);
    cr_assert_leq(s.max_est, 320, "peak %u", s.max_est);
    /* idle screen: tiny keepalives every 2 s, then nothing at all (ticks only) */
    t += 10000000;
    for (int i = 0; i < 5; i++)
        sim_frame(&s, t + (uint64_t)i * 2000000, 60);
    t += 10000000;
    for (int i = 0; i < 20; i++)
        sasae_bwe_tick(&s.b, t + (uint64_t)i * 500000);
    cr_assert_geq(s.b.estimate_kbps, e, "idle lowered it: %u from %u", s.b.estimate_kbps, e);
    cr_assert_leq(s.b.estimate_kbps, 320, "idle raised it past the link: %u", s.b.estimate_kbps);
}

Test(viewer_bwe, small_frames_filling_a_slow_link_do_not_inflate_it)
{
    /* 256 kbit/s after the start burst: the host keeps at most two 1.6 kB frames in flight
     * (captures every 33 ms, a frame goes when fewer than two are unacknowledged; the ack
     * arrives 10 ms after the frame), so the link is nearly full of small frames that only
     * sometimes queue behind each other. */
    struct sim s;
    sim_init(&s, 256, 10000);
    uint64_t t = T0;
    uint64_t done[2] = {sim_frame(&s, t, 70500), 0};
    for (int i = 1; i < 600; i++) {
        uint64_t cap = t + (uint64_t)i * 33000;
        int busy = (done[0] + 10000 > cap) + (done[1] + 10000 > cap);
        if (busy == 2)
            continue;
        int slot = done[0] < done[1] ? 0 : 1;
        done[slot] = sim_frame(&s, cap, 1600);
    }
    cr_assert_leq(s.max_est, 320, "peak %u", s.max_est);
    cr_assert_geq(s.b.estimate_kbps, 192, "estimate %u", s.b.estimate_kbps);
}

Test(viewer_bwe, one_mbit_after_idle_stays_near_line_rate)
{
    struct sim s;
    sim_init(&s, 1000, 10000);
    uint64_t t = sim_session(&s, T0, 6000);
    uint32_t e = s.b.estimate_kbps;
    /* a sender-limited stretch (a few small frames per second) neither cuts nor inflates */
    for (int i = 0; i < 40; i++)
        sim_frame(&s, t + (uint64_t)i * 250000, 300);
    cr_assert(e >= 750 && e <= 1250, "before: %u", e);
    cr_assert_geq(s.b.estimate_kbps, 750, "cut towards the sender's 10 kbit/s: %u from %u",
                  s.b.estimate_kbps, e);
    cr_assert_leq(s.b.estimate_kbps, 1250);
}

Test(viewer_bwe, fast_link_grows_above_the_sender_rate)
{
    struct sim s;
    sim_init(&s, 100000, 0);
    /* a sender with plenty to send (scrolling) that follows the estimate as sasae-host does:
     * 85 % of it, starting at its own 1000 kbit/s while the estimate is 0 */
    uint32_t rate = 1000;
    uint64_t t = T0;
    for (int sec = 0; sec < 10; sec++) {
        for (int i = 0; i < 30; i++, t += 33333)
            sim_frame(&s, t, rate * 33333 / 8000);
        if (s.b.estimate_kbps)
            rate = s.b.estimate_kbps * 85 / 100;
    }
    cr_assert_gt(s.b.estimate_kbps, 4000, "estimate %u", s.b.estimate_kbps);
    cr_assert_gt(rate, 4000, "sender rate %u", rate);
    cr_assert_leq(s.b.estimate_kbps, s.b.max_kbps);
}

Test(viewer_bwe, congestion_cuts_to_the_delivered_rate)
{
    /* the sender overshoots a 600 kbit/s link by 2x for 3 s: queueing builds and the
     * estimate comes down to what the link delivers */
    struct sim s;
    sim_init(&s, 600, 10000);
    uint64_t t = T0;
    for (int i = 0; i < 90; i++, t += 33333)
        sim_frame(&s, t, 1200 * 33333 / 8000);
    uint32_t e = s.b.estimate_kbps;
    cr_assert(e >= 450 && e <= 750, "estimate %u", e);
}

Test(viewer_hostinfo, picks_the_line_and_cleans_it)
{
    static const char t[] = "os=Debian 12\ncomputer=desk-07\x01x\ncomputers=no\n";
    char out[32];
    cr_assert(sasae_sysinfo_value(t, sizeof t - 1, "computer", out, sizeof out));
    cr_assert_str_eq(out, "desk-07?x");
    cr_assert(sasae_sysinfo_value(t, sizeof t - 1, "os", out, sizeof out));
    cr_assert_str_eq(out, "Debian 12");
    cr_assert_not(sasae_sysinfo_value(t, sizeof t - 1, "comp", out, sizeof out));
    cr_assert_str_empty(out);
    /* the last line needs no newline; len, not a NUL, ends the text */
    static const char u[] = "computer=受付PC";
    cr_assert(sasae_sysinfo_value(u, sizeof u - 1, "computer", out, sizeof out));
    cr_assert_str_eq(out, "受付PC");
    cr_assert(sasae_sysinfo_value(u, sizeof u - 3, "computer", out, sizeof out));
    cr_assert_str_eq(out, "受付");
}

Test(viewer_hostinfo, cuts_between_characters)
{
    static const char t[] = "computer=ab受付";
    char out[6]; /* room for "ab" + 3 bytes: 受 fits, 付 does not */
    cr_assert(sasae_sysinfo_value(t, sizeof t - 1, "computer", out, sizeof out));
    cr_assert_str_eq(out, "ab受");
    char small[5]; /* "ab" + 2 bytes: 受 would be cut, so it goes */
    cr_assert(sasae_sysinfo_value(t, sizeof t - 1, "computer", small, sizeof small));
    cr_assert_str_eq(small, "ab");
}
