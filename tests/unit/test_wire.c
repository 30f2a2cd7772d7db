/* Tests for codec/wire: vectors both ways, round trips, malformed input, reassembler. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sasae/wire.h"

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0, l = strlen(s);
    cr_assert_eq(l % 2, 0, "odd hex length: %s", s);
    for (size_t i = 0; i + 1 < l; i += 2) {
        unsigned v;
        cr_assert_eq(sscanf(s + i, "%2x", &v), 1);
        cr_assert_lt(n, cap);
        out[n++] = (uint8_t)v;
    }
    return n;
}

/* Calls fn(name, hex) for each non-comment line of tests/vectors/<file>. */
static int each_vector(const char *file, void (*fn)(const char *, const char *))
{
    char p[1024], line[8192];
    snprintf(p, sizeof(p), "%s/tests/vectors/%s", SASAE_SOURCE_DIR, file);
    FILE *f = fopen(p, "r");
    cr_assert(f, "cannot open %s", p);
    int n = 0;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '#' || line[0] == 0)
            continue;
        char *sp = strchr(line, ' ');
        if (sp)
            *sp = 0;
        fn(line, sp ? sp + 1 : "");
        n++;
    }
    fclose(f);
    return n;
}

static const uint8_t k_video_data[] = {1, 2, 3, 4, 5}, k_chunk_data[] = {0xaa, 0xbb, 0xcc};
static uint8_t k_cursor[16];
static uint8_t k_points[16] = {0, 0, 0, 10, 0, 0, 0, 20, 0xff, 0xff, 0xff, 0xff, 0, 0, 0x10, 0};
static const char k_chat[] = "こんにちは, can you see my screen?";
static const char k_clip[] = "C:\\Users\\yuki\\請求書.pdf";
static const char k_info[] = "os=Debian GNU/Linux 12\ncpu=Intel(R) Core(TM) i5\nmemory_mb=8192\n";

/* The same messages as tests/vectors/gen_wire.py, built through the C structs. */
static int build(const char *name, struct sasae_wire_msg *m)
{
    memset(m, 0, sizeof(*m));
    for (int i = 0; i < 16; i++)
        k_cursor[i] = (uint8_t)i;
#define IS(s) (strcmp(name, s) == 0)
    if (IS("hello")) {
        m->type = SASAE_WIRE_HELLO;
        m->u.hello =
            (struct sasae_wire_hello){1, 1, SASAE_WIRE_ROLE_VIEWER, 0xf, "sasae-viewer 0.1.0", 18};
    } else if (IS("end")) {
        m->type = SASAE_WIRE_END;
        m->u.end =
            (struct sasae_wire_end){SASAE_WIRE_END_CUSTOMER, "Customer ended remote support", 29};
    } else if (IS("end_empty")) {
        m->type = SASAE_WIRE_END;
        m->u.end = (struct sasae_wire_end){SASAE_WIRE_END_TIMEOUT, NULL, 0};
    } else if (IS("video")) {
        m->type = SASAE_WIRE_VIDEO;
        m->u.video = (struct sasae_wire_video){0x01020304,
                                               1764100000123456ull,
                                               SASAE_WIRE_VIDEO_KEYFRAME,
                                               SASAE_WIRE_CODEC_VP9,
                                               1920,
                                               1080,
                                               5,
                                               0,
                                               k_video_data,
                                               5};
    } else if (IS("video_chunk")) {
        m->type = SASAE_WIRE_VIDEO;
        m->u.video = (struct sasae_wire_video){7,   1,      0,      SASAE_WIRE_CODEC_VP8, 1024,
                                               768, 300000, 262117, k_chunk_data,         3};
    } else if (IS("frame_ack")) {
        m->type = SASAE_WIRE_FRAME_ACK;
        m->u.ack = (struct sasae_wire_frame_ack){0x01020304, 1764100000223456ull};
    } else if (IS("keyframe_req")) {
        m->type = SASAE_WIRE_KEYFRAME_REQ;
    } else if (IS("stats")) {
        m->type = SASAE_WIRE_STATS;
        m->u.stats = (struct sasae_wire_stats){45000, 3500, 950, 2997};
    } else if (IS("cursor_shape")) {
        m->type = SASAE_WIRE_CURSOR_SHAPE;
        m->u.cursor = (struct sasae_wire_cursor_shape){9, 2, 2, 1, 0, k_cursor, NULL, 0};
    } else if (IS("cursor_pos")) {
        m->type = SASAE_WIRE_CURSOR_POS;
        m->u.cursor_pos = (struct sasae_wire_point){-5, 1079, 1};
    } else if (IS("pointer")) {
        m->type = SASAE_WIRE_POINTER;
        m->u.pointer = (struct sasae_wire_point){100, 200, 0};
    } else if (IS("pen_stroke")) {
        m->type = SASAE_WIRE_PEN_STROKE;
        m->u.pen = (struct sasae_wire_pen_stroke){3, 1, 0xff0000ff, 4, 2, k_points};
    } else if (IS("pen_clear")) {
        m->type = SASAE_WIRE_PEN_CLEAR;
    } else if (IS("pen_undo")) {
        m->type = SASAE_WIRE_PEN_UNDO;
        m->u.pen_undo.stroke_id = 0x01020304;
    } else if (IS("monitor_list")) {
        m->type = SASAE_WIRE_MONITOR_LIST;
        m->u.monitors.count = 2;
        m->u.monitors.selected = 1;
        m->u.monitors.mon[0] =
            (struct sasae_wire_monitor){0, 0, 1920, 1080, SASAE_WIRE_MONITOR_PRIMARY, "HDMI-1", 6};
        m->u.monitors.mon[1] = (struct sasae_wire_monitor){1920, -200, 1280, 1024, 0, NULL, 0};
    } else if (IS("monitor_list_all")) {
        m->type = SASAE_WIRE_MONITOR_LIST;
        m->u.monitors.count = 1;
        m->u.monitors.selected = SASAE_WIRE_MONITOR_ALL;
        m->u.monitors.flags = SASAE_WIRE_MONITORS_ALL_OK;
        m->u.monitors.mon[0] = (struct sasae_wire_monitor){0, 0, 800, 600, 0, NULL, 0};
    } else if (IS("monitor_select")) {
        m->type = SASAE_WIRE_MONITOR_SELECT;
        m->u.monitor_select.index = 1;
    } else if (IS("monitor_select_all")) {
        m->type = SASAE_WIRE_MONITOR_SELECT;
        m->u.monitor_select.index = SASAE_WIRE_MONITOR_ALL;
    } else if (IS("file_offer")) {
        static uint8_t sha[32];
        for (int i = 0; i < 32; i++)
            sha[i] = (uint8_t)i;
        m->type = SASAE_WIRE_FILE_OFFER;
        m->u.file = (struct sasae_wire_file){.id = 7, .size = 1048576, .text = "設定手順.pdf"};
        m->u.file.text_len = strlen(m->u.file.text);
        memcpy(m->u.file.sha256, sha, 32);
    } else if (IS("file_answer")) {
        m->type = SASAE_WIRE_FILE_ANSWER;
        m->u.file = (struct sasae_wire_file){
            .id = 7, .size = 104857600, .offset = 65536, .text = "resuming", .text_len = 8};
    } else if (IS("file_chunk")) {
        m->type = SASAE_WIRE_FILE_CHUNK;
        m->u.file =
            (struct sasae_wire_file){.id = 7, .offset = 65536, .data = k_video_data, .data_len = 3};
    } else if (IS("file_end")) {
        m->type = SASAE_WIRE_FILE_END;
        m->u.file = (struct sasae_wire_file){.id = 7,
                                             .status = SASAE_WIRE_FILE_CHECKSUM,
                                             .offset = 1048576,
                                             .text = "checksum",
                                             .text_len = 8};
    } else if (IS("file_abort")) {
        m->type = SASAE_WIRE_FILE_ABORT;
        m->u.file = (struct sasae_wire_file){.id = 7, .status = SASAE_WIRE_FILE_CANCELLED};
    } else if (IS("file_ack")) {
        m->type = SASAE_WIRE_FILE_ACK;
        m->u.file = (struct sasae_wire_file){.id = 7, .offset = 131072};
    } else if (IS("control_request")) {
        m->type = SASAE_WIRE_CONTROL_REQUEST;
        m->u.control_req.want = 1;
    } else if (IS("control_state")) {
        m->type = SASAE_WIRE_CONTROL_STATE;
        m->u.control_state.state = SASAE_WIRE_CONSENT_ALLOWED;
    } else if (IS("consent_state")) {
        m->type = SASAE_WIRE_CONSENT_STATE;
        m->u.consent.state = SASAE_WIRE_CONSENT_REVOKED;
    } else if (IS("mouse_move")) {
        m->type = SASAE_WIRE_MOUSE;
        m->u.mouse = (struct sasae_wire_mouse){SASAE_WIRE_MOUSE_MOVE, 640, 480, 0, 0, 0, 0};
    } else if (IS("mouse_button")) {
        m->type = SASAE_WIRE_MOUSE;
        m->u.mouse = (struct sasae_wire_mouse){SASAE_WIRE_MOUSE_BUTTON, 10, 20, 3, 1, 0, 0};
    } else if (IS("mouse_wheel")) {
        m->type = SASAE_WIRE_MOUSE;
        m->u.mouse = (struct sasae_wire_mouse){SASAE_WIRE_MOUSE_WHEEL, 0, 0, 0, 0, 0, -2};
    } else if (IS("key")) {
        m->type = SASAE_WIRE_KEY;
        m->u.key = (struct sasae_wire_key){0xff0d, 1};
    } else if (IS("sysinfo")) {
        m->type = SASAE_WIRE_SYSINFO;
        m->u.sysinfo.text = k_info;
        m->u.sysinfo.text_len = strlen(k_info);
    } else if (IS("chat")) {
        m->type = SASAE_WIRE_CHAT;
        m->u.chat.text = k_chat;
        m->u.chat.len = strlen(k_chat);
    } else if (IS("clipboard")) {
        m->type = SASAE_WIRE_CLIPBOARD;
        m->u.clipboard.text = k_clip;
        m->u.clipboard.len = strlen(k_clip);
    } else if (IS("clipboard_empty")) {
        m->type = SASAE_WIRE_CLIPBOARD;
    } else if (IS("clipboard_request")) {
        m->type = SASAE_WIRE_CLIPBOARD_REQUEST;
    } else {
        return 0;
    }
    return 1;
#undef IS
}

static int g_seen_types[256];

static void check_vector(const char *name, const char *hex)
{
    static uint8_t want[SASAE_WIRE_MAX_MSG], got[SASAE_WIRE_MAX_MSG];
    size_t wl = unhex(hex, want, sizeof(want)), gl = 0;
    struct sasae_wire_msg m, p;
    cr_assert(build(name, &m), "vector %s has no C counterpart", name);
    g_seen_types[m.type] = 1;
    /* Serialize: exactly the vector bytes. */
    enum sasae_wire_err e = sasae_wire_serialize(&m, got, sizeof(got), &gl);
    cr_assert_eq(e, SASAE_WIRE_OK, "%s: %s", name, sasae_wire_strerror(e));
    cr_assert_eq(gl, wl, "%s: length %zu, want %zu", name, gl, wl);
    cr_assert_arr_eq(got, want, wl, "%s: bytes differ", name);
    /* Parse: the same fields (re-serializing the parse equals the vector, and the simple
     * scalar fields compare directly). */
    e = sasae_wire_parse(want, wl, &p);
    cr_assert_eq(e, SASAE_WIRE_OK, "%s: %s", name, sasae_wire_strerror(e));
    cr_assert_eq(p.type, m.type);
    if (p.type == SASAE_WIRE_SYSINFO) {
        char text[SASAE_WIRE_SYSINFO_MAX];
        size_t tl;
        cr_assert_eq(sasae_wire_sysinfo_text(&p.u.sysinfo, text, sizeof(text), &tl), SASAE_WIRE_OK);
        cr_assert_eq(tl, strlen(k_info));
        cr_assert_arr_eq(text, k_info, tl);
        return;
    }
    if (p.type == SASAE_WIRE_CURSOR_SHAPE) {
        uint8_t px[16];
        cr_assert_eq(p.u.cursor.width, 2);
        cr_assert_eq(p.u.cursor.hot_x, 1);
        cr_assert_eq(sasae_wire_cursor_pixels(&p.u.cursor, px, 15), SASAE_WIRE_ENOSPACE);
        cr_assert_eq(sasae_wire_cursor_pixels(&p.u.cursor, px, sizeof(px)), SASAE_WIRE_OK);
        cr_assert_arr_eq(px, k_cursor, 16);
        return;
    }
    cr_assert_eq(sasae_wire_serialize(&p, got, sizeof(got), &gl), SASAE_WIRE_OK);
    cr_assert_eq(gl, wl);
    cr_assert_arr_eq(got, want, wl, "%s: parse/serialize not identity", name);
    switch (p.type) {
    case SASAE_WIRE_VIDEO:
        cr_assert_eq(p.u.video.frame_id, m.u.video.frame_id);
        cr_assert_eq(p.u.video.capture_us, m.u.video.capture_us);
        cr_assert_eq(p.u.video.frame_size, m.u.video.frame_size);
        cr_assert_eq(p.u.video.chunk_offset, m.u.video.chunk_offset);
        cr_assert_eq(p.u.video.data_len, m.u.video.data_len);
        cr_assert_arr_eq(p.u.video.data, m.u.video.data, m.u.video.data_len);
        break;
    case SASAE_WIRE_PEN_STROKE: {
        int32_t x, y;
        sasae_wire_pen_point(&p.u.pen, 1, &x, &y);
        cr_assert(x == -1 && y == 4096);
        cr_assert_eq(p.u.pen.rgba, 0xff0000ffu);
        break;
    }
    case SASAE_WIRE_CURSOR_POS:
        cr_assert(p.u.cursor_pos.x == -5 && p.u.cursor_pos.y == 1079);
        break;
    case SASAE_WIRE_PEN_UNDO:
        cr_assert_eq(p.u.pen_undo.stroke_id, 0x01020304u);
        break;
    case SASAE_WIRE_MONITOR_LIST:
        cr_assert_eq(p.u.monitors.count, m.u.monitors.count);
        cr_assert_eq(p.u.monitors.selected, m.u.monitors.selected);
        cr_assert_eq(p.u.monitors.flags, m.u.monitors.flags);
        for (int i = 0; i < p.u.monitors.count; i++) {
            const struct sasae_wire_monitor *a = &p.u.monitors.mon[i], *b = &m.u.monitors.mon[i];
            cr_assert(a->x == b->x && a->y == b->y && a->width == b->width &&
                      a->height == b->height && a->flags == b->flags);
            cr_assert_eq(a->name_len, b->name_len);
            cr_assert_arr_eq(a->name, b->name ? b->name : "", a->name_len);
        }
        break;
    case SASAE_WIRE_MONITOR_SELECT:
        cr_assert_eq(p.u.monitor_select.index, m.u.monitor_select.index);
        break;
    case SASAE_WIRE_MOUSE:
        cr_assert_eq(p.u.mouse.wheel_dy, m.u.mouse.wheel_dy);
        cr_assert_eq(p.u.mouse.button, m.u.mouse.button);
        break;
    case SASAE_WIRE_HELLO:
        cr_assert_eq(p.u.hello.software_len, 18);
        cr_assert_arr_eq(p.u.hello.software, "sasae-viewer 0.1.0", 18);
        break;
    default:
        break;
    }
}

Test(wire, vectors_both_ways)
{
    memset(g_seen_types, 0, sizeof(g_seen_types));
    int n = each_vector("wire.hex", check_vector);
    cr_assert_geq(n, 21);
    /* Every message type has at least one vector. */
    for (int t = 0; t < 256; t++)
        if (strcmp(sasae_wire_type_name(t), "UNKNOWN") != 0)
            cr_assert(g_seen_types[t], "no vector for %s", sasae_wire_type_name(t));
}

static void check_bad(const char *errname, const char *hex)
{
    static uint8_t b[4096];
    size_t n = unhex(hex, b, sizeof(b));
    struct sasae_wire_msg m;
    enum sasae_wire_err e = sasae_wire_parse(b, n, &m);
    static const char *names[] = {"OK",      "ETRUNCATED", "ETRAILING", "EUNKNOWN", "EVALUE",
                                  "ETOOBIG", "ENOSPACE",   "ECOMPRESS", "EVERSION"};
    const char *got = e < sizeof(names) / sizeof(names[0]) ? names[e] : "?";
    cr_expect_str_eq(got, errname, "vector '%s': got %s (%s)", hex, got, sasae_wire_strerror(e));
}

Test(wire, malformed_vectors_rejected)
{
    cr_assert_geq(each_vector("wire_bad.hex", check_bad), 20);
}

Test(wire, every_truncation_of_every_vector_fails)
{
    /* Cutting any valid message short must give an error, never a shorter valid message. */
    static const char *names[] = {
        "hello",        "end",        "video",        "frame_ack",      "stats",
        "cursor_shape", "cursor_pos", "pen_stroke",   "pen_undo",       "control_state",
        "mouse_button", "key",        "monitor_list", "monitor_select", "chat",
        "clipboard",    "file_offer", "file_answer",  "file_end"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct sasae_wire_msg m, p;
        uint8_t buf[1024];
        size_t n;
        cr_assert(build(names[i], &m));
        cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof(buf), &n), SASAE_WIRE_OK);
        for (size_t cut = 0; cut < n; cut++) {
            enum sasae_wire_err e = sasae_wire_parse(buf, cut, &p);
            /* A video message cut inside its payload is still well formed but must then
             * disagree with frame_size only if it was the whole frame: here frame 5 bytes
             * at offset 0, so any cut leaves fewer bytes; still structurally valid. */
            if (m.type == SASAE_WIRE_VIDEO && cut > SASAE_WIRE_VIDEO_HDR)
                continue;
            /* Compressed bodies: a cut stream parses but must not inflate. */
            if (m.type == SASAE_WIRE_CURSOR_SHAPE && e == SASAE_WIRE_OK) {
                uint8_t px[16];
                e = sasae_wire_cursor_pixels(&p.u.cursor, px, sizeof(px));
            }
            cr_assert_neq(e, SASAE_WIRE_OK, "%s cut to %zu parsed", names[i], cut);
        }
        /* One extra byte is trailing garbage; in a compressed body it breaks inflation. */
        buf[n] = 0;
        enum sasae_wire_err e = sasae_wire_parse(buf, n + 1, &p);
        if (m.type == SASAE_WIRE_CURSOR_SHAPE) {
            uint8_t px[16];
            cr_assert_eq(e, SASAE_WIRE_OK);
            cr_assert_eq(sasae_wire_cursor_pixels(&p.u.cursor, px, sizeof(px)),
                         SASAE_WIRE_ECOMPRESS);
        } else if (m.type != SASAE_WIRE_VIDEO && m.type != SASAE_WIRE_HELLO &&
                   m.type != SASAE_WIRE_END) {
            cr_assert_eq(e, SASAE_WIRE_ETRAILING, "%s", names[i]);
        } else {
            cr_assert_neq(e, SASAE_WIRE_OK, "%s", names[i]);
        }
    }
}

Test(wire, text_messages_bounds_and_utf8)
{
    static char big[SASAE_WIRE_CLIP_MAX + 1];
    static uint8_t buf[SASAE_WIRE_CLIP_MAX + 16];
    memset(big, 'a', sizeof big);
    struct sasae_wire_msg m = {.type = SASAE_WIRE_CLIPBOARD}, p;
    size_t n;
    m.u.clipboard = (struct sasae_wire_text){big, SASAE_WIRE_CLIP_MAX};
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_OK);
    cr_assert_eq(sasae_wire_parse(buf, n, &p), SASAE_WIRE_OK);
    cr_assert_eq(p.u.clipboard.len, SASAE_WIRE_CLIP_MAX);
    m.u.clipboard.len++;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_ETOOBIG);
    m.type = SASAE_WIRE_CHAT;
    m.u.chat = (struct sasae_wire_text){big, SASAE_WIRE_CHAT_MAX};
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_OK);
    m.u.chat.len++;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_ETOOBIG);
    m.u.chat.len = 0;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_EVALUE);
    /* a multi-byte character cut at the limit is not sent */
    m.u.chat = (struct sasae_wire_text){"\xe3\x81", 2};
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_EVALUE);
    static const struct {
        const char *s;
        int ok;
    } u[] = {{"a", 1},
             {"\xc3\xa9", 1},
             {"\xf0\x9f\x98\x80", 1},
             {"\xc3", 0},
             {"\xe0\x80\xaf", 0},
             {"\xed\xa0\x80", 0},
             {"\xf4\x90\x80\x80", 0},
             {"\xff", 0},
             {"\x80", 0},
             {"\xc3\x28", 0}};
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        cr_assert_eq(sasae_wire_utf8_valid(u[i].s, strlen(u[i].s)), u[i].ok, "case %zu", i);
    cr_assert_eq(sasae_wire_utf8_valid("a\0b", 3), 0);
}

Test(wire, serialize_bounds)
{
    struct sasae_wire_msg m;
    uint8_t buf[64];
    size_t n;
    cr_assert(build("hello", &m));
    for (size_t cap = 0; cap < 30; cap++)
        cr_assert_eq(sasae_wire_serialize(&m, buf, cap, &n), SASAE_WIRE_ENOSPACE);
    m.u.hello.software_len = SASAE_WIRE_TEXT_MAX + 1;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof(buf), &n), SASAE_WIRE_ETOOBIG);
    m.type = 0x7e;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof(buf), &n), SASAE_WIRE_EUNKNOWN);
    cr_assert(build("cursor_shape", &m));
    m.u.cursor.width = 257;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof(buf), &n), SASAE_WIRE_ETOOBIG);
    cr_assert(build("pen_stroke", &m));
    m.u.pen.npoints = SASAE_WIRE_PEN_MAX_POINTS + 1;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof(buf), &n), SASAE_WIRE_ETOOBIG);
    cr_assert(build("video", &m));
    m.u.video.chunk_offset = 1; /* 1 + 5 > frame_size 5 */
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof(buf), &n), SASAE_WIRE_EVALUE);
    cr_assert_str_eq(sasae_wire_strerror(SASAE_WIRE_EGAP), "video chunk missing");
}

Test(wire, max_size_messages)
{
    /* A full cursor (256x256 BGRA) and a full pen stroke fit in one record. */
    static uint8_t px[256 * 256 * 4], pts[SASAE_WIRE_PEN_MAX_POINTS * 8], buf[SASAE_WIRE_MAX_MSG];
    struct sasae_wire_msg m = {.type = SASAE_WIRE_CURSOR_SHAPE}, p;
    m.u.cursor = (struct sasae_wire_cursor_shape){1, 256, 256, 255, 255, px, NULL, 0};
    size_t n;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof(buf), &n), SASAE_WIRE_OK);
    cr_assert_eq(sasae_wire_parse(buf, n, &p), SASAE_WIRE_OK);
    cr_assert_eq(sasae_wire_cursor_pixels(&p.u.cursor, px, sizeof(px)), SASAE_WIRE_OK);
    /* Incompressible pixels do not fit a record: a clear error, the host scales down. */
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(px); i++) {
        x = x * 1103515245u + 12345u;
        px[i] = (uint8_t)(x >> 23);
    }
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof(buf), &n), SASAE_WIRE_ENOSPACE);
    m.type = SASAE_WIRE_PEN_STROKE;
    m.u.pen = (struct sasae_wire_pen_stroke){1, 0, 0xff0000ff, 64, SASAE_WIRE_PEN_MAX_POINTS, pts};
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof(buf), &n), SASAE_WIRE_OK);
    cr_assert_eq(sasae_wire_parse(buf, n, &p), SASAE_WIRE_OK);
    cr_assert_eq(sasae_wire_parse(buf, SASAE_WIRE_MAX_MSG + 1, &p), SASAE_WIRE_ETOOBIG);
}

Test(wire, sysinfo_bomb_and_corruption)
{
    static char big[SASAE_WIRE_SYSINFO_MAX], out[SASAE_WIRE_SYSINFO_MAX];
    memset(big, 'A', sizeof(big));
    uint8_t buf[4096];
    size_t n, tl;
    struct sasae_wire_msg m = {.type = SASAE_WIRE_SYSINFO}, p;
    m.u.sysinfo.text = big;
    m.u.sysinfo.text_len = sizeof(big);
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof(buf), &n), SASAE_WIRE_OK);
    cr_assert_lt(n, 1024);
    cr_assert_eq(sasae_wire_parse(buf, n, &p), SASAE_WIRE_OK);
    cr_assert_eq(sasae_wire_sysinfo_text(&p.u.sysinfo, out, sizeof(out), &tl), SASAE_WIRE_OK);
    cr_assert_eq(tl, sizeof(big));
    cr_assert_eq(sasae_wire_sysinfo_text(&p.u.sysinfo, out, 100, &tl), SASAE_WIRE_ENOSPACE);
    /* Announce less than the stream inflates to: refused without writing past it. */
    buf[1] = 0, buf[2] = 0, buf[3] = 0, buf[4] = 10;
    cr_assert_eq(sasae_wire_parse(buf, n, &p), SASAE_WIRE_OK);
    cr_assert_eq(sasae_wire_sysinfo_text(&p.u.sysinfo, out, sizeof(out), &tl),
                 SASAE_WIRE_ECOMPRESS);
    /* Announce more than it inflates to. */
    m.u.sysinfo.text_len = 100;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof(buf), &n), SASAE_WIRE_OK);
    buf[4] = 101;
    cr_assert_eq(sasae_wire_parse(buf, n, &p), SASAE_WIRE_OK);
    cr_assert_eq(sasae_wire_sysinfo_text(&p.u.sysinfo, out, sizeof(out), &tl),
                 SASAE_WIRE_ECOMPRESS);
    /* Corrupt stream. */
    buf[4] = 100;
    buf[n - 1] ^= 0xff;
    cr_assert_eq(sasae_wire_parse(buf, n, &p), SASAE_WIRE_OK);
    cr_assert_eq(sasae_wire_sysinfo_text(&p.u.sysinfo, out, sizeof(out), &tl),
                 SASAE_WIRE_ECOMPRESS);
    /* Oversized announcement. */
    m.u.sysinfo.text_len = SASAE_WIRE_SYSINFO_MAX + 1;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof(buf), &n), SASAE_WIRE_ETOOBIG);
}

/* ---- reassembler ------------------------------------------------------------------- */
static struct sasae_wire_video g_hdr = {42,
                                        1764100000000000ull,
                                        SASAE_WIRE_VIDEO_KEYFRAME,
                                        SASAE_WIRE_CODEC_VP9,
                                        3840,
                                        2160,
                                        0,
                                        0,
                                        NULL,
                                        0};

Test(wire, split_and_reassemble_large_frame)
{
    size_t len = 3 * 1024 * 1024 + 17;
    uint8_t *frame = malloc(len), *ser = malloc(SASAE_WIRE_MAX_MSG);
    for (size_t i = 0; i < len; i++)
        frame[i] = (uint8_t)(i * 31 + (i >> 11));
    struct sasae_wire_reasm *r = sasae_wire_reasm_new(0);
    size_t off = 0, n;
    int chunks = 0, done = 0;
    struct sasae_wire_msg m, p;
    struct sasae_wire_video out;
    while (sasae_wire_video_next_chunk(&g_hdr, frame, len, 0, &off, &m)) {
        cr_assert_eq(done, 0);
        /* Through the real encoding: serialize, then parse what a record would carry. */
        cr_assert_eq(sasae_wire_serialize(&m, ser, SASAE_WIRE_MAX_MSG, &n), SASAE_WIRE_OK);
        cr_assert_leq(n, SASAE_WIRE_MAX_MSG);
        cr_assert_eq(sasae_wire_parse(ser, n, &p), SASAE_WIRE_OK);
        cr_assert_eq(sasae_wire_reasm_push(r, &p.u.video, &done, &out), SASAE_WIRE_OK);
        chunks++;
    }
    cr_assert_eq(chunks,
                 (int)((len + SASAE_WIRE_VIDEO_CHUNK_MAX - 1) / SASAE_WIRE_VIDEO_CHUNK_MAX));
    cr_assert_eq(done, 1);
    cr_assert_eq(out.frame_id, 42);
    cr_assert_eq(out.data_len, len);
    cr_assert_eq(out.width, 3840);
    cr_assert_arr_eq(out.data, frame, len);
    sasae_wire_reasm_free(r);
    free(frame);
    free(ser);
}

static struct sasae_wire_video chunk(uint32_t id, uint32_t size, uint32_t off, const uint8_t *d,
                                     size_t n)
{
    struct sasae_wire_video v = g_hdr;
    v.frame_id = id;
    v.frame_size = size;
    v.chunk_offset = off;
    v.data = d;
    v.data_len = n;
    return v;
}

Test(wire, reassembler_errors)
{
    static uint8_t d[100];
    struct sasae_wire_reasm *r = sasae_wire_reasm_new(1000);
    struct sasae_wire_video out, c;
    int done;
    /* Single-chunk frame. */
    c = chunk(1, 100, 0, d, 100);
    cr_assert_eq(sasae_wire_reasm_push(r, &c, &done, &out), SASAE_WIRE_OK);
    cr_assert(done);
    /* Missing first chunk. */
    c = chunk(2, 300, 100, d, 100);
    cr_assert_eq(sasae_wire_reasm_push(r, &c, &done, &out), SASAE_WIRE_EGAP);
    /* Gap in the middle. */
    c = chunk(3, 300, 0, d, 100);
    cr_assert_eq(sasae_wire_reasm_push(r, &c, &done, &out), SASAE_WIRE_OK);
    c = chunk(3, 300, 200, d, 100);
    cr_assert_eq(sasae_wire_reasm_push(r, &c, &done, &out), SASAE_WIRE_EGAP);
    /* Overlap. */
    c = chunk(4, 300, 0, d, 100);
    cr_assert_eq(sasae_wire_reasm_push(r, &c, &done, &out), SASAE_WIRE_OK);
    c = chunk(4, 300, 50, d, 100);
    cr_assert_eq(sasae_wire_reasm_push(r, &c, &done, &out), SASAE_WIRE_EOVERLAP);
    /* New frame while one is incomplete. */
    c = chunk(5, 300, 0, d, 100);
    cr_assert_eq(sasae_wire_reasm_push(r, &c, &done, &out), SASAE_WIRE_OK);
    c = chunk(6, 300, 0, d, 100);
    cr_assert_eq(sasae_wire_reasm_push(r, &c, &done, &out), SASAE_WIRE_EGAP);
    /* Inconsistent size. */
    c = chunk(7, 300, 0, d, 100);
    cr_assert_eq(sasae_wire_reasm_push(r, &c, &done, &out), SASAE_WIRE_OK);
    c = chunk(7, 400, 100, d, 100);
    cr_assert_eq(sasae_wire_reasm_push(r, &c, &done, &out), SASAE_WIRE_EINCONSISTENT);
    /* Oversize for this reassembler. */
    c = chunk(8, 1001, 0, d, 100);
    cr_assert_eq(sasae_wire_reasm_push(r, &c, &done, &out), SASAE_WIRE_ETOOBIG);
    /* After errors it recovers on a fresh frame. */
    c = chunk(9, 200, 0, d, 100);
    cr_assert_eq(sasae_wire_reasm_push(r, &c, &done, &out), SASAE_WIRE_OK);
    cr_assert_eq(done, 0);
    c = chunk(9, 200, 100, d, 100);
    cr_assert_eq(sasae_wire_reasm_push(r, &c, &done, &out), SASAE_WIRE_OK);
    cr_assert_eq(done, 1);
    cr_assert_eq(out.data_len, 200);
    /* Anything above 16 MiB is refused even by a default reassembler. */
    struct sasae_wire_reasm *r2 = sasae_wire_reasm_new(0);
    c = chunk(10, SASAE_WIRE_VIDEO_MAX_FRAME + 1, 0, d, 100);
    cr_assert_eq(sasae_wire_reasm_push(r2, &c, &done, &out), SASAE_WIRE_ETOOBIG);
    sasae_wire_reasm_free(r2);
    sasae_wire_reasm_free(r);
}

Test(wire, hello_version_negotiation)
{
    struct sasae_wire_hello h = {1, 5, SASAE_WIRE_ROLE_HOST, 0, NULL, 0};
    uint16_t v = 0;
    cr_assert_eq(sasae_wire_hello_version(&h, &v), SASAE_WIRE_OK);
    cr_assert_eq(v, SASAE_WIRE_VERSION);
    h.min_version = 2; /* a future peer that dropped version 1 */
    cr_assert_eq(sasae_wire_hello_version(&h, &v), SASAE_WIRE_EVERSION);
    h.min_version = 0;
    cr_assert_eq(sasae_wire_hello_version(&h, &v), SASAE_WIRE_EVERSION);
}

Test(wire, monitor_messages_refuse_what_the_parser_refuses)
{
    struct sasae_wire_msg m;
    uint8_t buf[2048];
    size_t n;
    cr_assert(build("monitor_list", &m));
    m.u.monitors.selected = 2; /* beyond the two monitors */
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_EVALUE);
    m.u.monitors.selected = SASAE_WIRE_MONITOR_ALL; /* not offered by this list */
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_EVALUE);
    m.u.monitors.flags = SASAE_WIRE_MONITORS_ALL_OK;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_OK);
    m.u.monitors.flags = 0x02;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_EVALUE);
    m.u.monitors.flags = SASAE_WIRE_MONITORS_ALL_OK;
    m.u.monitors.count = 0;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_EVALUE);
    m.u.monitors.count = SASAE_WIRE_MONITORS_MAX + 1;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_EVALUE);
    cr_assert(build("monitor_list", &m));
    m.u.monitors.mon[1].height = 0;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_EVALUE);
    cr_assert(build("monitor_list", &m));
    m.u.monitors.mon[0].name_len = SASAE_WIRE_MONITOR_NAME_MAX + 1;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_ETOOBIG);
    /* the largest list fits a record many times over */
    memset(&m, 0, sizeof m);
    m.type = SASAE_WIRE_MONITOR_LIST;
    m.u.monitors.count = SASAE_WIRE_MONITORS_MAX;
    static const char name[] = "0123456789abcdef0123456789abcdef";
    for (int i = 0; i < SASAE_WIRE_MONITORS_MAX; i++)
        m.u.monitors.mon[i] = (struct sasae_wire_monitor){i * 100, -i, 65535, 1, 0, name, 32};
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_OK);
    struct sasae_wire_msg p;
    cr_assert_eq(sasae_wire_parse(buf, n, &p), SASAE_WIRE_OK);
    cr_assert_eq(p.u.monitors.mon[15].x, 1500);
    cr_assert_arr_eq(p.u.monitors.mon[15].name, name, 32);
    memset(&m, 0, sizeof m);
    m.type = SASAE_WIRE_MONITOR_SELECT;
    m.u.monitor_select.index = SASAE_WIRE_MONITORS_MAX;
    cr_assert_eq(sasae_wire_serialize(&m, buf, sizeof buf, &n), SASAE_WIRE_EVALUE);
}
