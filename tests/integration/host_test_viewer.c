/* Test client playing the operator's viewer against a real sasae-host through a real
 * sasae-relay: joins with the code, runs the end-to-end handshake with an operator
 * certificate, decodes the video, and prints one line per event on stdout (with wall-clock
 * microseconds) so the integration scripts can check what the host sent and when.
 *
 * usage: host_test_viewer --relay URL --relay-ca CA --cert PEM --key PEM --code CODE
 *        [--no-ack] [--frames N --then end|vanish|stay] [--request-control] [--timeout S]
 *        [--probe X,Y] (print the decoded Y,U,V at that point of every frame)
 *        [--draw] (after 5 frames: pointing marker at 640,400 and a red stroke 200..600 at
 *        y=300)
 *        [--commands FILE] (a FIFO the test writes lines to, acted on in order:
 *          "type TEXT"  key presses and releases for each character (keysyms: ASCII, and
 *                       Return for the end of the line)
 *          "key HEX"    press and release one keysym, e.g. "key ff2a" (Zenkaku_Hankaku)
 *          "click X Y"  left click at X,Y of the shared screen
 *          "dump PATH"  write the next decoded frame's luma, full range, as a PGM (P5)
 *          "draw"       what --draw does after 5 frames
 *          "control"    ask for control (CONTROL_REQUEST)
 *          "monitor N"  share monitor N of the host's list (MONITOR_SELECT; "monitor all"
 *                       for all of them)
 *          "move X Y"   mouse move to X,Y of the shared picture
 *          "pointer X Y" the pointing hand at X,Y
 *          "clip TEXT"  put TEXT on the customer's clipboard (CLIPBOARD)
 *          "clipreq"    ask for the customer's clipboard (CLIPBOARD_REQUEST); the answer is
 *                       reported as "clipboard LEN TEXT"
 *          "chat TEXT"  send a chat message (CHAT); the host's are reported as "chat LEN TEXT"
 *          "sendfile N PATH [NAME]"  offer PATH (as NAME) and send it once accepted, paced
 *                       by the host's FILE_ACKs; N > 0 stalls after N bytes (a link that
 *                       stopped: "file_stalled N"); reports "file_answer STATUS OFFSET LIMIT TEXT",
 *                       "file_end STATUS TEXT", "file_abort STATUS TEXT"
 *          "cancelfile" stop the file being sent (FILE_ABORT)
 *        each acted-on command is reported as "cmd <verb>") */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sasae/chan.h"
#include "sasae/supportcode.h"
#include "sasae/common.h"
#include "sasae/filesend.h"
#include "sasae/relayclient.h"
#include "sasae/video.h"
#include "sasae/link.h"
#include "sasae/wire.h"

static struct {
    struct sasae_relayclient *rc;
    struct sasae_chan_cred *cred;
    struct sasae_link *link;
    bool was_established; /* a dead link after it: a record failed, not the handshake */
    struct sasae_wire_reasm *reasm;
    sasae_vdec *dec;
    uint8_t buf[SASAE_CHAN_MAX_RECORD];
    bool ack, request_control, draw;
    int probe_x, probe_y;
    int frames_target;
    const char *then;
    char dump_path[4096]; /* under mu: the next decoded frame goes there */
    int frames;
    bool ended;
    int after_end;
    atomic_bool done;
    pthread_mutex_t mu;
    /* the channel is used by the relay client's thread and the --commands thread */
    pthread_mutex_t chan_mu;
    bool ready;
    pthread_cond_t cv;
    struct sasae_filesend fs; /* under chan_mu */
    uint32_t file_ids;
    bool stall_told;
} V = {.mu = PTHREAD_MUTEX_INITIALIZER,
       .chan_mu = PTHREAD_MUTEX_INITIALIZER,
       .cv = PTHREAD_COND_INITIALIZER};

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%llu ", (unsigned long long)sasae_wall_us());
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    va_end(ap);
}

static void send_msg(const struct sasae_wire_msg *m)
{
    size_t rl; /* callers hold chan_mu */
    if (sasae_link_seal(V.link, m, V.buf, sizeof V.buf, &rl, NULL) != 0) {
        out("error seal");
        return;
    }
    sasae_relayclient_send_data(V.rc, V.buf, rl);
}

static void wait_ready(void)
{
    pthread_mutex_lock(&V.mu);
    while (!V.ready)
        pthread_cond_wait(&V.cv, &V.mu);
    pthread_mutex_unlock(&V.mu);
}

static void cb_paired(void *u, const char *op, const char *org)
{
    wait_ready();
    out("paired");
    const uint8_t *ch;
    size_t n;
    if (sasae_link_start(V.link, &ch, &n) != SASAE_CHAN_OK) {
        out("error start");
        return;
    }
    sasae_relayclient_send_data(V.rc, ch, n);
}

/* The operator points at 640,400 and draws a red stroke from 200,300 to 600,300. */
static void draw(void)
{
    struct sasae_wire_msg p = {.type = SASAE_WIRE_POINTER};
    p.u.pointer = (struct sasae_wire_point){640, 400, 1};
    send_msg(&p);
    uint8_t pts[16];
    int32_t xy[4] = {200, 300, 600, 300};
    for (int i = 0; i < 4; i++) {
        uint32_t v = (uint32_t)xy[i];
        pts[4 * i] = (uint8_t)(v >> 24);
        pts[4 * i + 1] = (uint8_t)(v >> 16);
        pts[4 * i + 2] = (uint8_t)(v >> 8);
        pts[4 * i + 3] = (uint8_t)v;
    }
    struct sasae_wire_msg st = {.type = SASAE_WIRE_PEN_STROKE};
    st.u.pen = (struct sasae_wire_pen_stroke){1, 1, 0xff0000ffu, 8, 2, pts};
    send_msg(&st);
    out("drew");
}

/* Luma as a full-range PGM, comparable with a screenshot's Rec.601 luma. */
static void dump_luma(const sasae_video_image *img, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        out("error dump %s", path);
        return;
    }
    fprintf(f, "P5\n%d %d\n255\n", img->width, img->height);
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            int v = ((int)img->planes[0][y * img->strides[0] + x] - 16) * 255 / 219;
            fputc(v < 0 ? 0 : v > 255 ? 255 : v, f);
        }
    fclose(f);
    out("dumped %s", path);
}

/* Sends what the file window allows now (chan_mu held). */
static void pump_file(void)
{
    struct sasae_wire_msg c;
    while (sasae_filesend_next(&V.fs, &c))
        send_msg(&c);
    if (V.fs.state == SASAE_FILESEND_SENDING && V.fs.stop_at && V.fs.next >= V.fs.stop_at &&
        !V.stall_told) {
        V.stall_told = true;
        out("file_stalled %llu", (unsigned long long)V.fs.next);
    }
}

static void send_key(uint32_t keysym)
{
    for (int down = 1; down >= 0; down--) {
        struct sasae_wire_msg k = {.type = SASAE_WIRE_KEY};
        k.u.key = (struct sasae_wire_key){keysym, (uint8_t)down};
        send_msg(&k);
    }
}

/* Reads the --commands FIFO line by line until it closes (see the usage above). */
static void *commands_main(void *arg)
{
    FILE *f = fopen(arg, "r");
    char line[4000];
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        pthread_mutex_lock(&V.chan_mu);
        int x, y;
        unsigned ks;
        if (strncmp(line, "type ", 5) == 0) {
            for (const char *c = line + 5; *c; c++)
                send_key((unsigned char)*c);
            send_key(0xff0d);
            out("cmd type");
        } else if (sscanf(line, "key %x", &ks) == 1) {
            send_key(ks);
            out("cmd key");
        } else if (sscanf(line, "click %d %d", &x, &y) == 2) {
            for (int down = 1; down >= 0; down--) {
                struct sasae_wire_msg m = {.type = SASAE_WIRE_MOUSE};
                m.u.mouse = (struct sasae_wire_mouse){SASAE_WIRE_MOUSE_BUTTON, x, y, 1,
                                                      (uint8_t)down,           0, 0};
                send_msg(&m);
            }
            out("cmd click");
        } else if (strncmp(line, "dump ", 5) == 0) {
            pthread_mutex_lock(&V.mu);
            snprintf(V.dump_path, sizeof V.dump_path, "%s", line + 5);
            pthread_mutex_unlock(&V.mu);
            /* a fresh frame to dump: ask for one */
            struct sasae_wire_msg k = {.type = SASAE_WIRE_KEYFRAME_REQ};
            send_msg(&k);
            out("cmd dump");
        } else if (strcmp(line, "draw") == 0) {
            draw();
            out("cmd draw");
        } else if (strcmp(line, "badrecord") == 0) {
            /* a record damaged on the way (one bit of its ciphertext flipped), as a
             * tampering relay would send it */
            size_t rl;
            struct sasae_wire_msg k = {.type = SASAE_WIRE_KEYFRAME_REQ};
            if (sasae_link_seal(V.link, &k, V.buf, sizeof V.buf, &rl, NULL) == 0) {
                V.buf[rl - 1] ^= 0x01;
                sasae_relayclient_send_data(V.rc, V.buf, rl);
            }
            out("cmd badrecord");
        } else if (strcmp(line, "monitor all") == 0 || sscanf(line, "monitor %d", &x) == 1) {
            struct sasae_wire_msg m = {.type = SASAE_WIRE_MONITOR_SELECT};
            m.u.monitor_select.index =
                strcmp(line, "monitor all") == 0 ? SASAE_WIRE_MONITOR_ALL : (uint8_t)x;
            send_msg(&m);
            out("cmd monitor");
        } else if (sscanf(line, "move %d %d", &x, &y) == 2) {
            struct sasae_wire_msg m = {.type = SASAE_WIRE_MOUSE};
            m.u.mouse = (struct sasae_wire_mouse){SASAE_WIRE_MOUSE_MOVE, x, y, 0, 0, 0, 0};
            send_msg(&m);
            out("cmd move");
        } else if (sscanf(line, "pointer %d %d", &x, &y) == 2) {
            struct sasae_wire_msg p = {.type = SASAE_WIRE_POINTER};
            p.u.pointer = (struct sasae_wire_point){x, y, 1};
            send_msg(&p);
            out("cmd pointer");
        } else if (strncmp(line, "sendfile ", 9) == 0) {
            unsigned long long stop = 0;
            char path[2048] = "";
            int used = 0;
            if (sscanf(line + 9, "%llu %2047s %n", &stop, path, &used) >= 2) {
                const char *name = used ? line + 9 + used : "";
                struct sasae_wire_msg o;
                char err[256];
                if (sasae_filesend_start(&V.fs, path, name, ++V.file_ids, &o, err, sizeof err) ==
                    0) {
                    V.fs.stop_at = stop;
                    V.stall_told = false;
                    send_msg(&o);
                    out("cmd sendfile %llu", (unsigned long long)V.fs.size);
                } else {
                    out("error sendfile %s", err);
                }
            } else {
                out("error command '%s'", line);
            }
        } else if (strcmp(line, "cancelfile") == 0) {
            struct sasae_wire_msg a;
            if (sasae_filesend_cancel(&V.fs, &a))
                send_msg(&a);
            out("cmd cancelfile");
        } else if (strcmp(line, "control") == 0) {
            struct sasae_wire_msg c = {.type = SASAE_WIRE_CONTROL_REQUEST};
            c.u.control_req.want = 1;
            send_msg(&c);
            out("cmd control");
        } else if (strncmp(line, "clip ", 5) == 0) {
            struct sasae_wire_msg c = {.type = SASAE_WIRE_CLIPBOARD};
            c.u.clipboard = (struct sasae_wire_text){line + 5, strlen(line + 5)};
            send_msg(&c);
            out("cmd clip");
        } else if (strcmp(line, "clipreq") == 0) {
            struct sasae_wire_msg c = {.type = SASAE_WIRE_CLIPBOARD_REQUEST};
            send_msg(&c);
            out("cmd clipreq");
        } else if (strncmp(line, "chat ", 5) == 0) {
            struct sasae_wire_msg c = {.type = SASAE_WIRE_CHAT};
            c.u.chat = (struct sasae_wire_text){line + 5, strlen(line + 5)};
            send_msg(&c);
            out("cmd chat");
        } else if (line[0]) {
            out("error command '%s'", line);
        }
        pthread_mutex_unlock(&V.chan_mu);
    }
    if (f)
        fclose(f);
    return NULL;
}

static void on_frame(const struct sasae_wire_video *f)
{
    sasae_video_image img;
    int rc = sasae_vdec_decode(V.dec, f->data, f->data_len, &img);
    V.frames++;
    char probe[64] = "";
    if (rc == 0 && V.probe_x >= 0 && V.probe_x < img.width && V.probe_y < img.height) {
        int x = V.probe_x, y = V.probe_y;
        snprintf(probe, sizeof probe, " probe=%u,%u,%u", img.planes[0][y * img.strides[0] + x],
                 img.planes[1][(y / 2) * img.strides[1] + x / 2],
                 img.planes[2][(y / 2) * img.strides[2] + x / 2]);
    }
    if (rc == 0) {
        pthread_mutex_lock(&V.mu);
        if (V.dump_path[0]) {
            dump_luma(&img, V.dump_path);
            V.dump_path[0] = 0;
        }
        pthread_mutex_unlock(&V.mu);
    }
    out("frame %u %zu %llu %s %dx%d flags=%u%s", f->frame_id, f->data_len,
        (unsigned long long)f->capture_us, rc == 0 ? "decoded" : sasae_video_strerror(rc),
        rc == 0 ? img.width : 0, rc == 0 ? img.height : 0, f->flags, probe);
    if (V.draw && V.frames == 5)
        draw();
    if (V.ack) {
        struct sasae_wire_msg a = {.type = SASAE_WIRE_FRAME_ACK};
        a.u.ack.frame_id = f->frame_id;
        a.u.ack.recv_us = sasae_wall_us();
        send_msg(&a);
    }
    if (V.frames_target && V.frames == V.frames_target) {
        if (strcmp(V.then, "end") == 0) {
            struct sasae_wire_msg e = {.type = SASAE_WIRE_END};
            e.u.end.reason = SASAE_WIRE_END_OPERATOR;
            send_msg(&e);
            out("sent end");
            sasae_relayclient_close(V.rc);
        } else if (strcmp(V.then, "vanish") == 0) {
            out("vanish");
            _exit(0); /* no close, no goodbye: the connection just drops */
        }
    }
}

static void on_data(const uint8_t *body, size_t len);

static void cb_data(void *u, const uint8_t *body, size_t len)
{
    wait_ready();
    pthread_mutex_lock(&V.chan_mu);
    on_data(body, len);
    pthread_mutex_unlock(&V.chan_mu);
}

static void on_data(const uint8_t *body, size_t len)
{
    /* Anything at all from the host after its END counts, before any decryption: a host
     * that kept sending (even records nobody can open) is caught here. */
    if (V.ended) {
        V.after_end++;
        out("after_end %zu bytes", len);
        return;
    }
    struct sasae_link_event ev;
    sasae_link_input(V.link, body, len, &ev);
    if (ev.kind == SASAE_LINK_EV_FAILED) {
        /* this viewer sends no ALERT back: the host's refusal is what is under test */
        if (ev.fail == SASAE_LINK_FAIL_MESSAGE)
            out("error parse");
        else if (ev.fail == SASAE_LINK_FAIL_RECORD || ev.fail == SASAE_LINK_FAIL_OVERSIZE ||
                 (ev.fail == SASAE_LINK_FAIL_DEAD && V.was_established))
            out("error open %s", sasae_chan_strerror(ev.reason));
        else
            out("handshake_failed %s", sasae_chan_strerror(ev.reason));
        return;
    }
    if (ev.out_len)
        sasae_relayclient_send_data(V.rc, ev.out, ev.out_len);
    if (ev.kind == SASAE_LINK_EV_ESTABLISHED) {
        V.was_established = true;
        out("established %s", ev.peer->host_fingerprint);
        struct sasae_wire_msg h = {.type = SASAE_WIRE_HELLO};
        h.u.hello = (struct sasae_wire_hello){1,
                                              1,
                                              SASAE_WIRE_ROLE_VIEWER,
                                              SASAE_WIRE_CAP_VP9 | SASAE_WIRE_CAP_VIDEO_MOVE |
                                                  SASAE_WIRE_CAP_VIDEO_PATCH,
                                              "test-viewer",
                                              11};
        send_msg(&h);
    }
    if (ev.kind != SASAE_LINK_EV_MESSAGE)
        return;
    struct sasae_wire_msg m = ev.msg;
    switch (m.type) {
    case SASAE_WIRE_HELLO:
        out("hello");
        break;
    case SASAE_WIRE_CONSENT_STATE:
        out("consent %u", m.u.consent.state);
        if (m.u.consent.state == SASAE_WIRE_CONSENT_ALLOWED && V.request_control) {
            struct sasae_wire_msg c = {.type = SASAE_WIRE_CONTROL_REQUEST};
            c.u.control_req.want = 1;
            send_msg(&c);
        }
        break;
    case SASAE_WIRE_CONTROL_STATE:
        out("control %u", m.u.control_state.state);
        break;
    case SASAE_WIRE_SYSINFO: {
        char text[SASAE_WIRE_SYSINFO_MAX + 1];
        size_t tl = 0;
        if (sasae_wire_sysinfo_text(&m.u.sysinfo, text, sizeof text - 1, &tl) == SASAE_WIRE_OK) {
            text[tl] = 0;
            for (char *nl = strchr(text, '\n'); nl; nl = strchr(nl, '\n'))
                *nl = '|'; /* the whole report on one line */
            out("sysinfo %zu %s", tl, text);
        } else {
            out("error sysinfo");
        }
        break;
    }
    case SASAE_WIRE_CURSOR_SHAPE:
        out("cursor_shape %ux%u", m.u.cursor.width, m.u.cursor.height);
        break;
    case SASAE_WIRE_CURSOR_POS:
        break;
    case SASAE_WIRE_MONITOR_LIST: {
        /* "monitors COUNT SELECTED FLAGS" then "W"x"H"+"X"+"Y" per monitor */
        char line[1024];
        int k = snprintf(line, sizeof line, "monitors %u %u %u", m.u.monitors.count,
                         m.u.monitors.selected, m.u.monitors.flags);
        for (int i = 0; i < m.u.monitors.count && k < (int)sizeof line - 64; i++)
            k += snprintf(line + k, sizeof line - (size_t)k, " %ux%u%+d%+d",
                          m.u.monitors.mon[i].width, m.u.monitors.mon[i].height,
                          m.u.monitors.mon[i].x, m.u.monitors.mon[i].y);
        out("%s", line);
        break;
    }
    case SASAE_WIRE_VIDEO: {
        int done = 0;
        struct sasae_wire_video f;
        if (sasae_wire_reasm_push(V.reasm, &m.u.video, &done, &f) != SASAE_WIRE_OK)
            out("error reassembly");
        else if (done)
            on_frame(&f);
        break;
    }
    case SASAE_WIRE_CLIPBOARD:
        out("clipboard %zu %.*s", m.u.clipboard.len, (int)m.u.clipboard.len, m.u.clipboard.text);
        break;
    case SASAE_WIRE_CHAT:
        out("chat %zu %.*s", m.u.chat.len, (int)m.u.chat.len, m.u.chat.text);
        break;
    case SASAE_WIRE_FILE_ANSWER:
    case SASAE_WIRE_FILE_ACK:
    case SASAE_WIRE_FILE_END:
    case SASAE_WIRE_FILE_ABORT: {
        const struct sasae_wire_file *f = &m.u.file;
        if (m.type == SASAE_WIRE_FILE_ANSWER)
            out("file_answer %u %llu %llu %.*s", f->status, (unsigned long long)f->offset,
                (unsigned long long)f->size, (int)f->text_len, f->text);
        else if (m.type != SASAE_WIRE_FILE_ACK)
            out("%s %u %.*s", m.type == SASAE_WIRE_FILE_END ? "file_end" : "file_abort", f->status,
                (int)f->text_len, f->text);
        sasae_filesend_on_msg(&V.fs, &m);
        pump_file();
        break;
    }
    case SASAE_WIRE_END:
        V.ended = true;
        out("end %u %.*s", m.u.end.reason, (int)m.u.end.text_len, m.u.end.text);
        break;
    default:
        out("msg %s", sasae_wire_type_name(m.type));
    }
}

static void cb_peer_left(void *u, int reason, const char *text)
{
    out("peer_left %d %s", reason, text ? text : "");
}

static void cb_closed(void *u, int end, int code, const char *text)
{
    out("closed %s %d %s", sasae_relayclient_end_str(end), code, text ? text : "");
    atomic_store(&V.done, true);
}

int main(int argc, char **argv)
{
    const char *relay = NULL, *ca = NULL, *cert = NULL, *key = NULL, *code = NULL;
    int timeout = 60;
    const char *commands = NULL;
    V.ack = true;
    V.then = "stay";
    V.probe_x = V.probe_y = -1;
    static const struct option lo[] = {{"relay", 1, 0, 'r'},    {"relay-ca", 1, 0, 'a'},
                                       {"cert", 1, 0, 'c'},     {"key", 1, 0, 'k'},
                                       {"code", 1, 0, 'C'},     {"no-ack", 0, 0, 'n'},
                                       {"frames", 1, 0, 'f'},   {"then", 1, 0, 't'},
                                       {"timeout", 1, 0, 'T'},  {"request-control", 0, 0, 'R'},
                                       {"probe", 1, 0, 'P'},    {"draw", 0, 0, 'D'},
                                       {"commands", 1, 0, 'X'}, {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (o) {
        case 'r':
            relay = optarg;
            break;
        case 'a':
            ca = optarg;
            break;
        case 'c':
            cert = optarg;
            break;
        case 'k':
            key = optarg;
            break;
        case 'C':
            code = optarg;
            break;
        case 'n':
            V.ack = false;
            break;
        case 'f':
            V.frames_target = atoi(optarg);
            break;
        case 't':
            V.then = optarg;
            break;
        case 'T':
            timeout = atoi(optarg);
            break;
        case 'R':
            V.request_control = true;
            break;
        case 'P':
            if (sscanf(optarg, "%d,%d", &V.probe_x, &V.probe_y) != 2)
                return 2;
            break;
        case 'D':
            V.draw = true;
            break;
        case 'X':
            commands = optarg;
            break;
        default:
            return 2;
        }
    }
    if (!relay || !ca || !cert || !key || !code) {
        fprintf(stderr, "usage: see the comment at the top of host_test_viewer.c\n");
        return 2;
    }
    char cp[65536], kp[65536];
    FILE *f = fopen(cert, "rb");
    size_t cl = f ? fread(cp, 1, sizeof cp, f) : 0;
    if (f)
        fclose(f);
    f = fopen(key, "rb");
    size_t kl = f ? fread(kp, 1, sizeof kp, f) : 0;
    if (f)
        fclose(f);
    enum sasae_chan_err ce;
    V.cred = sasae_chan_cred_new(cp, cl, kp, kl, &ce);
    if (!V.cred) {
        fprintf(stderr, "credential: %s\n", sasae_chan_strerror(ce));
        return 1;
    }
    /* the code the customer reads: 12 digits; the relay gets 7, the channel binds to 11 */
    char full[SASAE_SCODE_DIGITS + 1], relay_part[SASAE_SCODE_RELAY_DIGITS + 1],
        pw[SASAE_SCODE_PASSWORD_DIGITS + 1];
    if (!code || sasae_scode_parse(code, full) != 0) {
        fprintf(stderr, "--code: not a 12-digit support code with its check digit\n");
        return 2;
    }
    sasae_scode_relay_part(full, relay_part);
    sasae_scode_password(full, pw);
    V.link = sasae_link_new(sasae_chan_new_viewer(V.cred, pw, NULL));
    V.reasm = sasae_wire_reasm_new(0);
    sasae_vdec_new(&V.dec);
    struct sasae_relayclient_config cfg = {.url = relay,
                                           .role = SASAE_RELAYCLIENT_VIEWER,
                                           .code = relay_part,
                                           .ca_file = ca,
                                           .cert_file = cert,
                                           .key_file = key,
                                           .proxy = ""};
    struct sasae_relayclient_callbacks cb = {NULL,         cb_paired, cb_data,
                                             cb_peer_left, cb_closed, NULL};
    int rc = sasae_relayclient_new(&cfg, &cb, NULL, &V.rc);
    if (rc < 0) {
        fprintf(stderr, "relay client: %s\n", strerror(-rc));
        return 1;
    }
    pthread_mutex_lock(&V.mu);
    V.ready = true;
    pthread_cond_broadcast(&V.cv);
    pthread_mutex_unlock(&V.mu);
    pthread_t cmd_thread;
    if (commands && pthread_create(&cmd_thread, NULL, commands_main, (void *)commands) == 0)
        pthread_detach(cmd_thread);
    for (int i = 0; i < timeout * 10 && !atomic_load(&V.done); i++)
        usleep(100000);
    if (!atomic_load(&V.done))
        out("timeout");
    sasae_relayclient_free(V.rc);
    out("exit frames=%d after_end=%d", V.frames, V.after_end);
    sasae_link_free(V.link);
    sasae_chan_cred_free(V.cred);
    sasae_wire_reasm_free(V.reasm);
    sasae_vdec_free(V.dec);
    return 0;
}
