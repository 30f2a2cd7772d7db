/* The shared core (codec/ and the host's state machine) built for Windows and run under Wine:
 * the same library code as on Linux must give the same bytes and the same decisions.
 * usage: test_win_core.exe [VECTORS_DIR] PKI_DIR
 *   VECTORS_DIR: tests/vectors (default: the source tree's, a Linux path Wine opens as Z:)
 *   PKI_DIR: made at test time by the Linux sasae-certs (ca.pem, crl.pem,
 *            operators/hanako-sato.pem/.key, "Example Help Desk"), see tests/win/core_win.sh
 * One TAP line per check (tests/win/wintest.h); exit 0 only if every check passed. */
#include <libyuv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "sasae/brand.h"
#include "sasae/chan.h"
#include "sasae/envelope.h"
#include "sasae/host.h"
#include "sasae/spake2.h"
#include "sasae/supportcode.h"
#include "sasae/video.h"
#include "sasae/wire.h"
#include "synth_screen.h"
#include "wintest.h"

/* the support code both ends bind the channel to (docs/protocol.md "Code binding") */
#define TEST_CODE "12345671234"

/* A whole file, NUL-terminated (so it can be read as text); NULL if it cannot be read. */
static char *slurp(const char *dir, const char *name, size_t *len)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    char *b = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
        b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[n] = 0;
        *len = (size_t)n;
    }
    return b;
}

/* Hex digits to bytes; SIZE_MAX on an odd length, a non-hex digit or overflow. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0, l = strlen(s);
    if (l % 2 || l / 2 > cap)
        return SIZE_MAX;
    for (; *s; s += 2) {
        unsigned v;
        char d[3] = {s[0], s[1], 0};
        if (sscanf(d, "%2x", &v) != 1)
            return SIZE_MAX;
        out[n++] = (uint8_t)v;
    }
    return n;
}

/* Calls fn(name, hex, ctx) for each "name hex" line of a vector file (comments skipped);
 * returns the number of lines, or -1 if the file cannot be read. */
static int each_line(const char *dir, const char *file, void (*fn)(char *, char *, void *),
                     void *ctx)
{
    size_t len;
    char *text = slurp(dir, file, &len);
    if (!text)
        return -1;
    int n = 0;
    for (char *l = text, *next; l && *l; l = next) {
        next = strchr(l, '\n');
        if (next)
            *next++ = 0;
        l[strcspn(l, "\r")] = 0;
        if (l[0] == '#' || l[0] == 0)
            continue;
        char *sp = strchr(l, ' ');
        if (sp)
            *sp++ = 0;
        fn(l, sp ? sp : (char *)"", ctx);
        n++;
    }
    free(text);
    return n;
}

/* ---- wire ----------------------------------------------------------------------------- */

struct wire_run {
    int good, fields;
    int seen[256];
};

/* The decoded fields of every vector equal gen_wire.py's values (as tests/unit/test_wire.c
 * builds them): a 32-bit long, a sign, a byte order or mingw's zlib (cursor_shape, sysinfo:
 * the inflated pixels and text) could break them. An unknown name is a failure: a new vector
 * needs its values here. px/px_len: the inflated cursor pixels; text/text_len: sysinfo's. */
static bool wire_fields(const char *name, const struct sasae_wire_msg *m, const uint8_t *px,
                        size_t px_len, const char *text, size_t text_len)
{
    static const char info[] = "os=Debian GNU/Linux 12\ncpu=Intel(R) Core(TM) i5\nmemory_mb=8192\n";
    static const char bye[] = "Customer ended remote support";
    int32_t x0 = 0, y0 = 0, x1 = 0, y1 = 0;
#define IS(s) (strcmp(name, s) == 0)
    if (IS("hello"))
        return m->u.hello.min_version == 1 && m->u.hello.max_version == 1 &&
               m->u.hello.role == SASAE_WIRE_ROLE_VIEWER && m->u.hello.caps == 0xf &&
               m->u.hello.software_len == 18 &&
               memcmp(m->u.hello.software, "sasae-viewer 0.1.0", 18) == 0;
    if (IS("end"))
        return m->u.end.reason == SASAE_WIRE_END_CUSTOMER && m->u.end.text_len == strlen(bye) &&
               memcmp(m->u.end.text, bye, strlen(bye)) == 0;
    if (IS("end_empty"))
        return m->u.end.reason == SASAE_WIRE_END_TIMEOUT && m->u.end.text_len == 0;
    if (IS("video"))
        return m->u.video.frame_id == 0x01020304u && m->u.video.capture_us == 1764100000123456ull &&
               m->u.video.flags == SASAE_WIRE_VIDEO_KEYFRAME &&
               m->u.video.codec == SASAE_WIRE_CODEC_VP9 && m->u.video.width == 1920 &&
               m->u.video.height == 1080 && m->u.video.frame_size == 5 &&
               m->u.video.chunk_offset == 0 && m->u.video.data_len == 5 &&
               memcmp(m->u.video.data, "\1\2\3\4\5", 5) == 0;
    if (IS("video_chunk"))
        return m->u.video.frame_id == 7 && m->u.video.capture_us == 1 && m->u.video.flags == 0 &&
               m->u.video.codec == SASAE_WIRE_CODEC_VP8 && m->u.video.width == 1024 &&
               m->u.video.height == 768 && m->u.video.frame_size == 300000 &&
               m->u.video.chunk_offset == 262117 && m->u.video.data_len == 3 &&
               memcmp(m->u.video.data, "\xaa\xbb\xcc", 3) == 0;
    if (IS("frame_ack"))
        return m->u.ack.frame_id == 0x01020304u && m->u.ack.recv_us == 1764100000223456ull;
    if (IS("keyframe_req"))
        return m->type == SASAE_WIRE_KEYFRAME_REQ;
    if (IS("stats"))
        return m->u.stats.rtt_us == 45000 && m->u.stats.decode_us == 3500 &&
               m->u.stats.bandwidth_kbps == 950 && m->u.stats.fps_x100 == 2997;
    if (IS("cursor_shape")) {
        /* 2x2, hot spot (1,0), the pixels 0..15 inflated by mingw's zlib */
        bool ok = m->u.cursor.serial == 9 && m->u.cursor.width == 2 && m->u.cursor.height == 2 &&
                  m->u.cursor.hot_x == 1 && m->u.cursor.hot_y == 0 && px_len == 16;
        for (size_t i = 0; ok && i < px_len; i++)
            ok = px[i] == i;
        return ok;
    }
    if (IS("cursor_pos"))
        return m->u.cursor_pos.x == -5 && m->u.cursor_pos.y == 1079 && m->u.cursor_pos.visible == 1;
    if (IS("pointer"))
        return m->u.pointer.x == 100 && m->u.pointer.y == 200 && m->u.pointer.visible == 0;
    if (IS("pen_stroke")) {
        sasae_wire_pen_point(&m->u.pen, 0, &x0, &y0);
        sasae_wire_pen_point(&m->u.pen, 1, &x1, &y1);
        return m->u.pen.stroke_id == 3 && m->u.pen.final == 1 && m->u.pen.rgba == 0xff0000ffu &&
               m->u.pen.width == 4 && m->u.pen.npoints == 2 && x0 == 10 && y0 == 20 && x1 == -1 &&
               y1 == 4096;
    }
    if (IS("pen_clear"))
        return m->type == SASAE_WIRE_PEN_CLEAR;
    if (IS("pen_undo"))
        return m->type == SASAE_WIRE_PEN_UNDO && m->u.pen_undo.stroke_id == 0x01020304u;
    if (IS("control_request"))
        return m->u.control_req.want == 1;
    if (IS("control_state"))
        return m->u.control_state.state == SASAE_WIRE_CONSENT_ALLOWED;
    if (IS("consent_state"))
        return m->u.consent.state == SASAE_WIRE_CONSENT_REVOKED;
    if (IS("mouse_move"))
        return m->u.mouse.kind == SASAE_WIRE_MOUSE_MOVE && m->u.mouse.x == 640 &&
               m->u.mouse.y == 480 && m->u.mouse.button == 0 && m->u.mouse.down == 0 &&
               m->u.mouse.wheel_dx == 0 && m->u.mouse.wheel_dy == 0;
    if (IS("mouse_button"))
        return m->u.mouse.kind == SASAE_WIRE_MOUSE_BUTTON && m->u.mouse.x == 10 &&
               m->u.mouse.y == 20 && m->u.mouse.button == 3 && m->u.mouse.down == 1;
    if (IS("mouse_wheel"))
        return m->u.mouse.kind == SASAE_WIRE_MOUSE_WHEEL && m->u.mouse.wheel_dx == 0 &&
               m->u.mouse.wheel_dy == -2;
    if (IS("key"))
        return m->u.key.keysym == 0xff0d && m->u.key.down == 1;
    if (IS("sysinfo"))
        return m->u.sysinfo.text_len == strlen(info) && text_len == strlen(info) &&
               memcmp(text, info, text_len) == 0;
    /* the UTF-8 bytes of gen_wire.py's texts, spelled out: no source-charset question */
    if (IS("chat"))
        return m->u.chat.len == 39 &&
               memcmp(m->u.chat.text,
                      "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf, can "
                      "you see my screen?",
                      39) == 0;
    if (IS("clipboard"))
        return m->u.clipboard.len == 27 &&
               memcmp(m->u.clipboard.text,
                      "C:\\Users\\yuki\\\xe8\xab\x8b\xe6\xb1\x82\xe6\x9b\xb8.pdf", 27) == 0;
    if (IS("clipboard_empty"))
        return m->type == SASAE_WIRE_CLIPBOARD && m->u.clipboard.len == 0;
    if (IS("clipboard_request"))
        return m->type == SASAE_WIRE_CLIPBOARD_REQUEST;
    if (IS("monitor_list")) {
        const struct sasae_wire_monitor_list *l = &m->u.monitors;
        /* the second monitor's negative y: the sign survives */
        return m->type == SASAE_WIRE_MONITOR_LIST && l->count == 2 && l->selected == 1 &&
               l->flags == 0 && l->mon[0].x == 0 && l->mon[0].width == 1920 &&
               l->mon[0].height == 1080 && l->mon[0].flags == SASAE_WIRE_MONITOR_PRIMARY &&
               l->mon[0].name_len == 6 && memcmp(l->mon[0].name, "HDMI-1", 6) == 0 &&
               l->mon[1].x == 1920 && l->mon[1].y == -200 && l->mon[1].width == 1280 &&
               l->mon[1].height == 1024 && l->mon[1].flags == 0 && l->mon[1].name_len == 0;
    }
    if (IS("monitor_list_all"))
        return m->u.monitors.count == 1 && m->u.monitors.selected == SASAE_WIRE_MONITOR_ALL &&
               m->u.monitors.flags == SASAE_WIRE_MONITORS_ALL_OK &&
               m->u.monitors.mon[0].width == 800 && m->u.monitors.mon[0].height == 600;
    if (IS("monitor_select"))
        return m->type == SASAE_WIRE_MONITOR_SELECT && m->u.monitor_select.index == 1;
    if (IS("monitor_select_all"))
        return m->u.monitor_select.index == SASAE_WIRE_MONITOR_ALL;
    const struct sasae_wire_file *f = &m->u.file;
    if (IS("file_offer")) {
        static const char jname[] = "設定手順.pdf";
        bool sha = true;
        for (int i = 0; i < 32; i++)
            sha = sha && f->sha256[i] == i;
        return m->type == SASAE_WIRE_FILE_OFFER && f->id == 7 && f->size == 1048576 && sha &&
               f->text_len == strlen(jname) && memcmp(f->text, jname, f->text_len) == 0;
    }
    if (IS("file_answer"))
        return m->type == SASAE_WIRE_FILE_ANSWER && f->id == 7 && f->status == 0 &&
               f->size == 104857600 && f->offset == 65536 && f->text_len == 8 &&
               memcmp(f->text, "resuming", 8) == 0;
    if (IS("file_chunk"))
        return m->type == SASAE_WIRE_FILE_CHUNK && f->offset == 65536 && f->data_len == 3 &&
               f->data[0] == 1 && f->data[2] == 3;
    if (IS("file_end"))
        return m->type == SASAE_WIRE_FILE_END && f->status == SASAE_WIRE_FILE_CHECKSUM &&
               f->offset == 1048576 && f->text_len == 8;
    if (IS("file_abort"))
        return m->type == SASAE_WIRE_FILE_ABORT && f->status == SASAE_WIRE_FILE_CANCELLED;
    if (IS("file_ack"))
        return m->type == SASAE_WIRE_FILE_ACK && f->offset == 131072;
#undef IS
    wt_diag("vector %s: no expected values in test_win_core.c", name);
    return false;
}

/* Parse, then serialize what was parsed: the vector's exact bytes. Compressed bodies are
 * inflated and compressed again, so mingw's zlib must give Linux's bytes too. */
static void wire_good(char *name, char *hex, void *ctx)
{
    struct wire_run *r = ctx;
    static uint8_t in[SASAE_WIRE_MAX_MSG], out[SASAE_WIRE_MAX_MSG], px[256 * 256 * 4];
    static char text[SASAE_WIRE_SYSINFO_MAX];
    size_t n = unhex(hex, in, sizeof in), ol = 0, tl = 0, pl = 0;
    struct sasae_wire_msg m;
    enum sasae_wire_err e = n == SIZE_MAX ? SASAE_WIRE_EVALUE : sasae_wire_parse(in, n, &m);
    if (e == SASAE_WIRE_OK && m.type == SASAE_WIRE_CURSOR_SHAPE) {
        pl = (size_t)m.u.cursor.width * m.u.cursor.height * 4;
        memset(px, 0xee, pl < sizeof px ? pl : sizeof px); /* nothing left from before */
        e = sasae_wire_cursor_pixels(&m.u.cursor, px, sizeof px);
        m.u.cursor.bgra = px;
    } else if (e == SASAE_WIRE_OK && m.type == SASAE_WIRE_SYSINFO) {
        e = sasae_wire_sysinfo_text(&m.u.sysinfo, text, sizeof text, &tl);
        m.u.sysinfo.text = text;
    }
    if (e == SASAE_WIRE_OK)
        e = sasae_wire_serialize(&m, out, sizeof out, &ol);
    if (e != SASAE_WIRE_OK)
        wt_diag("vector %s: %s", name, sasae_wire_strerror(e));
    else if (ol != n || memcmp(in, out, n) != 0)
        wt_diag("vector %s: serialized %zu bytes differ from the vector's %zu", name, ol, n);
    else {
        r->good++;
        r->seen[m.type] = 1;
        if (wire_fields(name, &m, px, pl, text, tl))
            r->fields++;
        else
            wt_diag("vector %s: decoded fields differ from gen_wire.py's", name);
    }
}

static const char *wire_err_name(enum sasae_wire_err e)
{
    static const char *const names[] = {
        "OK",        "ETRUNCATED", "ETRAILING", "EUNKNOWN", "EVALUE",        "ETOOBIG", "ENOSPACE",
        "ECOMPRESS", "EVERSION",   "EGAP",      "EOVERLAP", "EINCONSISTENT", "ENOMEM"};
    return (size_t)e < sizeof names / sizeof names[0] ? names[e] : "?";
}

/* Each malformed message is refused with exactly the error its line names. */
static void wire_bad(char *want, char *hex, void *ctx)
{
    struct wire_run *r = ctx;
    static uint8_t in[SASAE_WIRE_MAX_MSG];
    size_t n = unhex(hex, in, sizeof in);
    struct sasae_wire_msg m;
    const char *got = n == SIZE_MAX ? "bad hex" : wire_err_name(sasae_wire_parse(in, n, &m));
    if (strcmp(got, want) == 0)
        r->good++;
    else
        wt_diag("malformed '%s': got %s, want %s", hex, got, want);
}

static void wire(const char *dir)
{
    struct wire_run r = {0};
    int n = each_line(dir, "wire.hex", wire_good, &r);
    CHECK(n > 0, "wire.hex opened from Windows (%s)", dir);
    int missing = 0;
    for (int t = 0; t < 256; t++)
        if (strcmp(sasae_wire_type_name(t), "UNKNOWN") != 0 && !r.seen[t]) {
            wt_diag("no good vector for %s", sasae_wire_type_name(t));
            missing++;
        }
    CHECK(n >= 21 && r.good == n && !missing,
          "wire vectors parse and serialize to their exact bytes: %d of %d, every type", r.good, n);
    CHECK(n >= 21 && r.fields == n, "wire vectors decode to gen_wire.py's field values: %d of %d",
          r.fields, n);
    struct wire_run b = {0};
    n = each_line(dir, "wire_bad.hex", wire_bad, &b);
    CHECK(n >= 20 && b.good == n, "malformed wire messages refused with the named error: %d of %d",
          b.good, n);
}

/* ---- envelope ------------------------------------------------------------------------- */

static void envelope(void)
{
    static const uint8_t data[] = {0x00, 0xff, 0x10, 0x0d, 0x0a};
    const struct sasae_env_msg msgs[] = {
        {.type = SASAE_ENV_REGISTER, .version = SASAE_ENV_VERSION},
        {.type = SASAE_ENV_CODE, .code = "1234567", .valid_secs = 600},
        {.type = SASAE_ENV_JOIN, .version = SASAE_ENV_VERSION, .code = "0000007"},
        {.type = SASAE_ENV_PEER_JOINED, .text = "佐藤 花子", .org = "Example Help Desk"},
        {.type = SASAE_ENV_PEER_LEFT, .reason = SASAE_ENV_LEFT_STUCK, .text = "stuck"},
        {.type = SASAE_ENV_ERROR, .error_code = SASAE_ENV_ERR_BAD_CODE, .text = "no"},
        {.type = SASAE_ENV_AUDIT, .reason = SASAE_ENV_AUDIT_END, .text = "customer ended"},
        {.type = SASAE_ENV_DATA, .data = data, .data_len = sizeof data},
    };
    int good = 0, total = (int)(sizeof msgs / sizeof msgs[0]);
    for (int i = 0; i < total; i++) {
        const struct sasae_env_msg *m = &msgs[i];
        uint8_t buf[SASAE_ENV_CONTROL_MAX];
        size_t n = 0;
        struct sasae_env_msg p;
        if (sasae_env_serialize(m, buf, sizeof buf, &n) != SASAE_ENV_OK ||
            (long)n != sasae_env_size(m) || sasae_env_parse(buf, n, &p) != SASAE_ENV_OK) {
            wt_diag("envelope %s does not round trip", sasae_env_type_str((uint8_t)m->type));
            continue;
        }
        if (p.type == m->type && p.version == m->version && strcmp(p.code, m->code) == 0 &&
            p.valid_secs == m->valid_secs && p.reason == m->reason &&
            p.error_code == m->error_code && strcmp(p.text, m->text) == 0 &&
            strcmp(p.org, m->org) == 0 && p.data_len == m->data_len &&
            (!m->data_len || memcmp(p.data, m->data, m->data_len) == 0))
            good++;
        else
            wt_diag("envelope %s parsed back different", sasae_env_type_str((uint8_t)m->type));
    }
    CHECK(good == total, "envelope: every type serializes and parses back the same (%d of %d)",
          good, total);

    /* each malformed message refused with its reason */
    static const struct {
        uint8_t b[16];
        size_t n;
        int want;
    } bad[] = {
        {{0}, 0, SASAE_ENV_E_EMPTY},
        {{0xee, 1, 2}, 3, SASAE_ENV_E_TYPE},
        {{0x01, 0x00}, 2, SASAE_ENV_E_SHORT},
        {{0x01, 0x00, 0x01, 'x'}, 4, SASAE_ENV_E_TRAILING},
        {{0x03, 0, 1, '0', '0', '0', '0', 'x', '0', '0', '0', '7'}, 12, SASAE_ENV_E_DIGITS},
        {{0x04, 2, 'A', 0x07, 0}, 5, SASAE_ENV_E_TEXT},
        {{0x04, 2, 0xc3, 0x28, 0}, 5, SASAE_ENV_E_TEXT},
        {{0x05, 99, 0}, 3, SASAE_ENV_E_VALUE},
    };
    int refused = 0, nbad = (int)(sizeof bad / sizeof bad[0]);
    for (int i = 0; i < nbad; i++) {
        struct sasae_env_msg p;
        int rc = sasae_env_parse(bad[i].b, bad[i].n, &p);
        if (rc == bad[i].want)
            refused++;
        else
            wt_diag("malformed envelope %d: got %s, want %s", i, sasae_env_strerror(rc),
                    sasae_env_strerror(bad[i].want));
    }
    CHECK(refused == nbad, "malformed envelopes refused with their reason (%d of %d)", refused,
          nbad);
}

/* ---- chan: known answers ------------------------------------------------------------- */

static struct {
    char name[64];
    uint8_t v[256];
    size_t n;
} kv_tab[64];
static int kv_count;

static void kv_add(char *name, char *hex, void *ctx)
{
    if (kv_count >= 64 || strlen(name) >= sizeof kv_tab[0].name)
        return;
    size_t n = unhex(hex, kv_tab[kv_count].v, sizeof kv_tab[0].v);
    if (n == SIZE_MAX)
        return;
    strcpy(kv_tab[kv_count].name, name);
    kv_tab[kv_count++].n = n;
}

/* The named vector if it has want bytes (0: any length); NULL otherwise. */
static const uint8_t *kv(const char *name, size_t want, size_t *len)
{
    for (int i = 0; i < kv_count; i++)
        if (strcmp(kv_tab[i].name, name) == 0 && (!want || kv_tab[i].n == want)) {
            if (len)
                *len = kv_tab[i].n;
            return kv_tab[i].v;
        }
    wt_diag("chan_kdf.hex: no %s of %zu bytes", name, want);
    return NULL;
}

static bool same(const uint8_t *got, const char *name, size_t n)
{
    const uint8_t *want = kv(name, n, NULL);
    if (want && memcmp(got, want, n) == 0)
        return true;
    wt_diag("%s differs from the vector", name);
    return false;
}

static void chan_kat(const char *dir)
{
    int n = each_line(dir, "chan_kdf.hex", kv_add, NULL);
    if (!CHECK(n >= 20 && kv_count == n, "chan_kdf.hex read (%d vectors)", kv_count))
        return;

    /* OpenSSL's X25519 in the Windows build: the vector's keys give the vector's secret */
    const uint8_t *vpriv = kv("viewer_x25519_priv", 32, NULL),
                  *hpub = kv("host_x25519_pub", 32, NULL);
    EVP_PKEY *v = vpriv ? EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, vpriv, 32) : NULL;
    EVP_PKEY *h = hpub ? EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, hpub, 32) : NULL;
    EVP_PKEY_CTX *c = v ? EVP_PKEY_CTX_new(v, NULL) : NULL;
    uint8_t pub[32], shared[32];
    size_t pl = sizeof pub, sl = sizeof shared;
    bool ok = v && h && c && EVP_PKEY_get_raw_public_key(v, pub, &pl) == 1 &&
              same(pub, "viewer_x25519_pub", 32) && EVP_PKEY_derive_init(c) == 1 &&
              EVP_PKEY_derive_set_peer(c, h) == 1 && EVP_PKEY_derive(c, shared, &sl) == 1 &&
              sl == 32 && same(shared, "shared", 32);
    CHECK(ok, "X25519 public key and shared secret match the vectors");
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(v);
    EVP_PKEY_free(h);

    uint8_t fv[48], fh[48];
    struct sasae_chan_traffic v2h, h2v, u1, u2;
    const uint8_t *sh = kv("shared", 32, NULL), *th_sh = kv("th_sh", 48, NULL),
                  *th_ca = kv("th_ca", 48, NULL), *ke = kv("spake2_ke", 16, NULL);
    bool sched = sh && th_sh && th_ca && ke &&
                 sasae_chan_kdf_schedule(sh, ke, th_sh, th_ca, fv, fh, &v2h, &h2v) == SASAE_CHAN_OK;
    ok = sched && same(fv, "fin_v", 48) && same(fh, "fin_h", 48) &&
         same(v2h.secret, "v2h_secret", 48) && same(v2h.key, "v2h_key", 32) &&
         same(v2h.iv, "v2h_iv", 12) && same(h2v.secret, "h2v_secret", 48) &&
         same(h2v.key, "h2v_key", 32) && same(h2v.iv, "h2v_iv", 12);
    CHECK(ok, "key schedule: finished keys, both traffic secrets, keys and IVs");
    bool upd = sched && sasae_chan_kdf_update(&v2h, &u1) == SASAE_CHAN_OK &&
               same(u1.secret, "v2h1_secret", 48) && same(u1.key, "v2h1_key", 32) &&
               same(u1.iv, "v2h1_iv", 12) && sasae_chan_kdf_update(&u1, &u2) == SASAE_CHAN_OK &&
               same(u2.secret, "v2h2_secret", 48) && same(u2.key, "v2h2_key", 32) &&
               same(u2.iv, "v2h2_iv", 12);
    CHECK(upd, "key updates: two generations");

    /* records sealed with the vector's keys: the vector's bytes */
    static const struct {
        const char *name;
        uint64_t seq;
        int update, empty;
    } recs[] = {{"rec_v2h_seq0", 0, 0, 0},
                {"rec_v2h_seq1_empty", 1, 0, 1},
                {"rec_v2h_seq0102030405060708_update", 0x0102030405060708ull, 1, 0}};
    size_t ptl = 0;
    const uint8_t *pt = kv("rec_pt", 0, &ptl);
    int good = 0;
    for (size_t i = 0; sched && pt && i < sizeof recs / sizeof recs[0]; i++) {
        uint8_t out[512];
        size_t n_out = 0, wl = 0;
        const uint8_t *want = kv(recs[i].name, 0, &wl);
        if (want &&
            sasae_chan_kat_seal(&v2h, recs[i].seq, recs[i].update, recs[i].empty ? NULL : pt,
                                recs[i].empty ? 0 : ptl, out, sizeof out,
                                &n_out) == SASAE_CHAN_OK &&
            n_out == wl && memcmp(out, want, wl) == 0)
            good++;
        else
            wt_diag("record %s differs", recs[i].name);
    }
    CHECK(good == 3, "AES-256-GCM records match the vectors (%d of 3)", good);

    /* the code binding: SPAKE2-P256 on the Windows OpenSSL gives the Python SPAKE2's values */
    size_t cl = 0;
    const uint8_t *code = kv("code", 0, &cl), *sx = kv("spake2_x", 32, NULL),
                  *sy = kv("spake2_y", 32, NULL);
    uint8_t w[32], pa[65], pb[65];
    struct sasae_spake2_keys k;
    struct sasae_spake2 *a = NULL, *b = NULL;
    bool pake = code && sx && sy && sasae_spake2_password_w(code, cl, w) == 0 &&
                same(w, "spake2_w", 32) && (a = sasae_spake2_new_kat(SASAE_SPAKE2_A, w, sx)) &&
                (b = sasae_spake2_new_kat(SASAE_SPAKE2_B, w, sy));
    if (pake) {
        sasae_spake2_share(a, pa);
        sasae_spake2_share(b, pb);
        pake = same(pa, "spake2_pa", 65) && same(pb, "spake2_pb", 65) &&
               sasae_spake2_finish(a, pb, (const uint8_t *)"sasae viewer", 12,
                                   (const uint8_t *)"sasae host", 10, &k) == 0 &&
               same(k.ke, "spake2_ke", 16);
    }
    sasae_spake2_free(a);
    sasae_spake2_free(b);
    CHECK(pake, "SPAKE2-P256: password scalar, both shares and Ke match the vectors");
    char full[SASAE_SCODE_DIGITS + 1];
    CHECK(sasae_scode_compose("1234567", full) == 0 && sasae_scode_parse(full, full) == 0 &&
              sasae_scode_parse("123 456 789 018", full) == 0 &&
              sasae_scode_parse("123 456 789 017", full) != 0,
          "support code: composed with secret digits, check digit verified");
}

/* ---- chan: a handshake with the Linux-made PKI ----------------------------------------- */

/* Viewer and host exchange the four handshake messages; the first error, or OK. */
static enum sasae_chan_err handshake(struct sasae_chan *v, struct sasae_chan *h)
{
    static uint8_t a[SASAE_CHAN_MAX_HANDSHAKE], b[SASAE_CHAN_MAX_HANDSHAKE];
    size_t an = 0, bn = 0;
    enum sasae_chan_err e;
    if ((e = sasae_chan_start(v, a, sizeof a, &an)) ||
        (e = sasae_chan_handshake(h, a, an, b, sizeof b, &bn)) ||
        (e = sasae_chan_handshake(v, b, bn, a, sizeof a, &an)) ||
        (e = sasae_chan_handshake(h, a, an, b, sizeof b, &bn)) ||
        (e = sasae_chan_handshake(v, b, bn, a, sizeof a, &an)))
        return e;
    return SASAE_CHAN_OK;
}

/* A handshake at verify_time t (no CRL: the certificate's own dates decide). */
static enum sasae_chan_err handshake_at(const struct sasae_chan_cred *cred,
                                        const struct sasae_chan_key *dev,
                                        const struct sasae_chan_trust *trust, int64_t t)
{
    struct sasae_chan_opts o = {.verify_time = t};
    struct sasae_chan *v = sasae_chan_new_viewer(cred, TEST_CODE, &o),
                      *h = sasae_chan_new_host(dev, trust, TEST_CODE, &o);
    enum sasae_chan_err e = v && h ? handshake(v, h) : SASAE_CHAN_ENOMEM;
    sasae_chan_free(v);
    sasae_chan_free(h);
    return e;
}

static void chan(const char *pki)
{
    size_t cl = 0, kl = 0, al = 0, rl = 0;
    char *cert = slurp(pki, "operators/hanako-sato.pem", &cl);
    char *key = slurp(pki, "operators/hanako-sato.key", &kl);
    char *ca = slurp(pki, "ca.pem", &al);
    char *crl = slurp(pki, "crl.pem", &rl);
    enum sasae_chan_err e = SASAE_CHAN_OK;
    struct sasae_chan_cred *cred = NULL;
    struct sasae_chan_trust *trust = NULL, *trust_nocrl = NULL;
    struct sasae_chan_key *dev = NULL;
    struct sasae_chan *v = NULL, *h = NULL;
    if (!CHECK(cert && key && ca && crl, "PKI files made by the Linux sasae-certs readable (%s)",
               pki))
        goto out;
    cred = sasae_chan_cred_new(cert, cl, key, kl, &e);
    trust = sasae_chan_trust_new(ca, al, crl, rl, &e);
    trust_nocrl = sasae_chan_trust_new(ca, al, NULL, 0, &e);
    dev = sasae_chan_key_generate();
    if (!CHECK(cred && trust && trust_nocrl && dev,
               "operator credential, CA + CRL trust, device key"))
        goto out;
    v = sasae_chan_new_viewer(cred, TEST_CODE, NULL);
    h = sasae_chan_new_host(dev, trust, TEST_CODE, NULL);
    e = v && h ? handshake(v, h) : SASAE_CHAN_ENOMEM;
    if (e)
        wt_diag("handshake: %s", sasae_chan_strerror(e));
    if (!CHECK(!e && sasae_chan_established(v) && sasae_chan_established(h),
               "handshake: operator certificate and CRL verified by the host"))
        goto out;
    const struct sasae_chan_peer *pv = sasae_chan_peer(v), *ph = sasae_chan_peer(h);
    char fpr[SASAE_CHAN_FPR_LEN];
    sasae_chan_key_fingerprint(dev, fpr);
    CHECK(ph && pv && strcmp(ph->operator_name, "Hanako Sato") == 0 &&
              strcmp(ph->organisation, "Example Help Desk") == 0 &&
              strcmp(ph->host_fingerprint, fpr) == 0 && strcmp(pv->host_fingerprint, fpr) == 0,
          "peer facts: operator \"%s\" of \"%s\", the same host fingerprint on both sides",
          ph ? ph->operator_name : "", ph ? ph->organisation : "");

    static uint8_t a[1024], c[1024], pt[1024];
    const char msg[] = "sasae on Windows: 画面共有";
    size_t an = 0, cn = 0, pn = 0;
    bool ok =
        sasae_chan_seal(h, (const uint8_t *)msg, sizeof msg, a, sizeof a, &an) == SASAE_CHAN_OK &&
        sasae_chan_open(v, a, an, pt, sizeof pt, &pn) == SASAE_CHAN_OK && pn == sizeof msg &&
        memcmp(pt, msg, pn) == 0;
    CHECK(ok, "record host -> viewer");
    ok = sasae_chan_seal(v, (const uint8_t *)msg, sizeof msg, c, sizeof c, &cn) == SASAE_CHAN_OK &&
         sasae_chan_open(h, c, cn, pt, sizeof pt, &pn) == SASAE_CHAN_OK && pn == sizeof msg &&
         memcmp(pt, msg, pn) == 0;
    CHECK(ok, "record viewer -> host");
    /* a key update crosses: both sides move to the next keys */
    ok = sasae_chan_request_rekey(h) == SASAE_CHAN_OK &&
         sasae_chan_seal(h, (const uint8_t *)msg, sizeof msg, c, sizeof c, &cn) == SASAE_CHAN_OK &&
         sasae_chan_open(v, c, cn, pt, sizeof pt, &pn) == SASAE_CHAN_OK &&
         sasae_chan_send_epoch(h) == 1 && sasae_chan_recv_epoch(v) == 1;
    CHECK(ok, "key update host -> viewer");
    /* one flipped bit in a fresh record kills the host's side (a dead side refuses
     * everything, so each refusal is checked on a side that was still alive) */
    ok = sasae_chan_seal(v, (const uint8_t *)msg, sizeof msg, c, sizeof c, &cn) == SASAE_CHAN_OK;
    c[cn / 2] ^= 0x10;
    e = ok ? sasae_chan_open(h, c, cn, pt, sizeof pt, &pn) : SASAE_CHAN_EARG;
    CHECK(e == SASAE_CHAN_ERECORD && sasae_chan_dead(h), "record with one flipped bit refused (%s)",
          sasae_chan_strerror(e));
    /* a replayed record (the first one again) kills the viewer's side (still alive: the
     * altered record went to the host) */
    e = sasae_chan_open(v, a, an, pt, sizeof pt, &pn);
    CHECK(e == SASAE_CHAN_ERECORD && sasae_chan_dead(v), "replayed record refused (%s)",
          sasae_chan_strerror(e));

    /* the certificate's dates through mingw's time handling: now ok, in 3 years expired,
     * a year ago not yet valid */
    int64_t now = (int64_t)time(NULL);
    enum sasae_chan_err e_now = handshake_at(cred, dev, trust_nocrl, now),
                        e_late = handshake_at(cred, dev, trust_nocrl, now + 3 * 365 * 86400LL),
                        e_early = handshake_at(cred, dev, trust_nocrl, now - 365 * 86400LL);
    CHECK(e_now == SASAE_CHAN_OK && e_late == SASAE_CHAN_ECERT_EXPIRED &&
              e_early == SASAE_CHAN_ECERT_NOT_YET_VALID,
          "certificate validity: now %s; in 3 years %s; a year ago %s", sasae_chan_strerror(e_now),
          sasae_chan_strerror(e_late), sasae_chan_strerror(e_early));
out:
    sasae_chan_free(v);
    sasae_chan_free(h);
    sasae_chan_key_free(dev);
    sasae_chan_trust_free(trust);
    sasae_chan_trust_free(trust_nocrl);
    sasae_chan_cred_free(cred);
    free(cert);
    free(key);
    free(ca);
    free(crl);
}

/* ---- video ---------------------------------------------------------------------------- */

struct vpair {
    sasae_venc *enc;
    sasae_vdec *dec;
    uint8_t *out, *bgra, *ref;
    size_t cap;
    int w, h;
    sasae_video_image img;
};

/* Encodes the current picture with its dirty rects and decodes the payload, if any. */
static int vstep(struct vpair *p, const sasae_video_rect *r, size_t nr, size_t *len)
{
    sasae_video_frame f = {p->bgra, p->w * 4, r, nr, 0};
    *len = 0;
    int rc = sasae_venc_encode(p->enc, &f, 0, p->out, p->cap, len);
    if (!rc && *len)
        rc = sasae_vdec_decode(p->dec, p->out, *len, &p->img);
    return rc;
}

/* Unchanged frames while the encoder tops off; the frames fed, or -1 on an error. */
static int vsettle(struct vpair *p)
{
    int i = 0;
    size_t len;
    for (; i < 600 && sasae_venc_pending_topoff(p->enc); i++)
        if (vstep(p, NULL, 0, &len))
            return -1;
    return i;
}

/* PSNR of the decoded picture against libyuv's full conversion of the source. */
static double vpsnr(struct vpair *p)
{
    int w = p->w, h = p->h, cw = (w + 1) / 2;
    size_t ysz = (size_t)w * h, csz = (size_t)cw * ((h + 1) / 2);
    ARGBToI420(p->bgra, w * 4, p->ref, w, p->ref + ysz, cw, p->ref + ysz + csz, cw, w, h);
    sasae_video_image r = {w, h, {p->ref, p->ref + ysz, p->ref + ysz + csz}, {w, cw, cw}};
    return sasae_video_psnr(&r, &p->img);
}

/* A 1280x720 text screen through the tiled encoder and the decoder: keyframe, top-off, one
 * typed glyph, a new page. The same sizes and thresholds as the Linux unit tests. */
static void video(enum sasae_video_codec codec, double min_psnr)
{
    const char *cn = codec == SASAE_VIDEO_VP9 ? "VP9" : "VP8";
    struct vpair p = {.w = 1280, .h = 720};
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, p.w, p.h);
    cfg.codec = codec;
    cfg.bitrate_kbps = 1500;
    int rc = sasae_venc_new(&cfg, &p.enc);
    if (!rc)
        rc = sasae_vdec_new(&p.dec);
    if (!CHECK(!rc, "%s encoder and decoder (%s)", cn, sasae_video_strerror(rc)))
        goto out;
    p.cap = sasae_venc_max_payload(p.enc);
    p.out = malloc(p.cap);
    p.bgra = malloc((size_t)p.w * p.h * 4);
    p.ref = malloc((size_t)p.w * p.h * 2);
    if (!CHECK(p.out && p.bgra && p.ref, "%s buffers", cn))
        goto out;
    synth_text(p.bgra, p.w * 4, p.w, p.h, 0);
    size_t len = 0;
    sasae_video_payload_info info = {0};
    rc = vstep(&p, NULL, 0, &len);
    CHECK(!rc && len && sasae_video_payload_parse(p.out, len, &info, NULL, 0) == 0 &&
              info.keyframe && p.img.width == p.w && p.img.height == p.h,
          "%s first frame: a keyframe payload decoded at %dx%d (%zu bytes; %s)", cn, p.w, p.h, len,
          sasae_video_strerror(rc));
    int frames = vsettle(&p);
    double ps = frames >= 0 ? vpsnr(&p) : 0;
    CHECK(frames >= 0 && frames < 600 && ps >= min_psnr,
          "%s text screen after %d top-off frames: PSNR %.2f dB >= %.0f", cn, frames, ps, min_psnr);

    /* one typed glyph: one tile, no keyframe, a small payload */
    synth_glyph(p.bgra, p.w * 4, 200, 300, 7);
    sasae_video_rect g = {200, 300, SYNTH_GLYPH_W, SYNTH_GLYPH_H};
    size_t glyph = 0;
    sasae_video_payload_tile tiles[4];
    rc = vstep(&p, &g, 1, &glyph);
    bool ok = !rc && glyph && sasae_video_payload_parse(p.out, glyph, &info, tiles, 4) == 0 &&
              info.ntiles == 1 && !tiles[0].keyframe;
    /* a different page, all of it changed */
    synth_text(p.bgra, p.w * 4, p.w, p.h, 5000);
    sasae_video_rect full = {0, 0, p.w, p.h};
    size_t page = 0;
    rc = ok ? vstep(&p, &full, 1, &page) : rc;
    CHECK(ok && !rc && glyph * 10 < page,
          "%s typed glyph: one tile, no keyframe, %zu bytes (a new page: %zu bytes)", cn, glyph,
          page);
    frames = rc ? -1 : vsettle(&p);
    ps = frames >= 0 ? vpsnr(&p) : 0;
    CHECK(frames >= 0 && frames < 600 && ps >= min_psnr,
          "%s new page after %d top-off frames: PSNR %.2f dB >= %.0f", cn, frames, ps, min_psnr);
out:
    sasae_venc_free(p.enc);
    sasae_vdec_free(p.dec);
    free(p.out);
    free(p.bgra);
    free(p.ref);
}

/* ---- the host's gates ----------------------------------------------------------------- */

/* Application messages the host only sends after Allow. */
static const int shared_types[] = {SASAE_WIRE_VIDEO, SASAE_WIRE_CURSOR_SHAPE, SASAE_WIRE_CURSOR_POS,
                                   SASAE_WIRE_SYSINFO, SASAE_WIRE_CONTROL_STATE};

static bool sends_any_shared(const struct sasae_hs *hs)
{
    for (size_t i = 0; i < sizeof shared_types / sizeof shared_types[0]; i++)
        if (sasae_hs_may_send(hs, shared_types[i]))
            return true;
    return sasae_hs_may_send_frame(hs);
}

static bool input_open(const struct sasae_hs *hs)
{
    return sasae_hs_input_allowed(hs) || sasae_hs_accepts(hs, SASAE_WIRE_MOUSE) ||
           sasae_hs_accepts(hs, SASAE_WIRE_KEY);
}

static void host_gates(void)
{
    struct sasae_hs hs;
    const uint64_t t = 1000000000ull;
    sasae_hs_init(&hs);
    static const enum sasae_hs_event before[] = {SASAE_HS_EV_REGISTERED, SASAE_HS_EV_PEER_JOINED,
                                                 SASAE_HS_EV_HANDSHAKE_OK, SASAE_HS_EV_HELLO};
    bool quiet = !sends_any_shared(&hs) && !input_open(&hs);
    for (size_t i = 0; i < sizeof before / sizeof before[0]; i++) {
        sasae_hs_event(&hs, before[i], 0, t);
        quiet = quiet && !sends_any_shared(&hs) && !input_open(&hs);
    }
    CHECK(quiet && hs.state == SASAE_HS_ASKING,
          "nothing of the screen and no input before Allow (idle, waiting, handshake, asking)");
    struct sasae_hs_out o = sasae_hs_event(&hs, SASAE_HS_EV_CONSENT_ALLOW, 0, t);
    CHECK((o.actions & SASAE_HS_ACT_START_CAPTURE) && sasae_hs_may_send(&hs, SASAE_WIRE_VIDEO) &&
              sasae_hs_may_send_frame(&hs) && !input_open(&hs),
          "Allow starts capture and video; input still refused without control");
    sasae_hs_event(&hs, SASAE_HS_EV_CONTROL_REQUEST, 0, t);
    bool asked_closed = !input_open(&hs);
    o = sasae_hs_event(&hs, SASAE_HS_EV_CONTROL_ALLOW, 0, t);
    CHECK(asked_closed && (o.actions & SASAE_HS_ACT_INPUT_ON) && sasae_hs_input_allowed(&hs) &&
              sasae_hs_accepts(&hs, SASAE_WIRE_MOUSE) && sasae_hs_accepts(&hs, SASAE_WIRE_KEY),
          "input only once control is allowed (not while the control prompt shows)");
    o = sasae_hs_event(&hs, SASAE_HS_EV_CONTROL_REVOKE, 0, t);
    CHECK((o.actions & SASAE_HS_ACT_INPUT_OFF) && !input_open(&hs) &&
              sasae_hs_may_send(&hs, SASAE_WIRE_VIDEO),
          "Stop control: input off, sharing goes on");
    sasae_hs_event(&hs, SASAE_HS_EV_CONTROL_REQUEST, 0, t);
    sasae_hs_event(&hs, SASAE_HS_EV_CONTROL_ALLOW, 0, t);
    o = sasae_hs_event(&hs, SASAE_HS_EV_END_BUTTON, 0, t);
    /* actions run lowest bit first: capture and input stop before END goes out */
    CHECK((o.actions & SASAE_HS_ACT_STOP_CAPTURE) && (o.actions & SASAE_HS_ACT_INPUT_OFF) &&
              (o.actions & SASAE_HS_ACT_SEND_END) &&
              SASAE_HS_ACT_STOP_CAPTURE < SASAE_HS_ACT_SEND_END &&
              SASAE_HS_ACT_INPUT_OFF < SASAE_HS_ACT_SEND_END && !input_open(&hs) &&
              !sends_any_shared(&hs) && sasae_hs_may_send(&hs, SASAE_WIRE_END),
          "End: capture and input stop first, then END (reason %s)",
          sasae_hs_end_str(o.end_reason));
    sasae_hs_mark_end_sent(&hs);
    int after = 0;
    for (int ty = 0; ty < 256; ty++)
        after += sasae_hs_may_send(&hs, ty);
    CHECK(after == 0, "END is the last message: no type may be sent after it (%d allowed)", after);
}

static void brand(void)
{
    static uint8_t area[SASAE_BRAND_AREA];
    sasae_brand_blank(area);
    struct sasae_brand b;
    char err[128];
    CHECK(sasae_brand_parse(area, sizeof area, &b, err, sizeof err) == 1,
          "a blank brand area reads as unbranded");
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: test_win_core [VECTORS_DIR] PKI_DIR\n");
        return 2;
    }
    const char *vectors = argc == 3 ? argv[1] : SASAE_SOURCE_DIR "/tests/vectors";
    const char *pki = argv[argc - 1];
    wire(vectors);
    envelope();
    chan_kat(vectors);
    chan(pki);
    video(SASAE_VIDEO_VP9, 45.0);
    video(SASAE_VIDEO_VP8, 42.0);
    host_gates();
    brand();
    return wt_done();
}
