/* The customer UI on a terminal (--consent=tty): the same information and questions as the
 * windows, answered by typing; the default answer is No. Input typed before a question
 * appears is discarded, so type-ahead can never answer it; and the "[y/N]" input line only
 * appears once the terminal has been quiet for QUIET_MS after the question was printed
 * (input during that time is discarded and restarts the wait), so a program feeding answers
 * blindly (`yes | script ...`) never gets to answer: the question times out as No. */
#include "ui_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sasae/common.h"
#include "sasae/ui.h"

#define QUIET_MS 500

struct tty {
    struct host_ui base;
    int in, out;
    int wake[2];
    bool ja, eof;
    char line[256];
    size_t len;
    /* what was printed last */
    enum sasae_hs_state shown;
    enum sasae_hs_control shown_control;
    bool shown_continue;
    char shown_code[16]; /* a renewed code can follow the old one without a visible IDLE */
    bool started;
    /* a question is printed but its [y/N] line is held back until input has been quiet */
    const char *pending_ask;
    uint64_t quiet_since;
    /* files from the operator: what was printed last, and the folder typed */
    int file_state, file_pct;
    uint32_t file_id, file_note;
    char file_dir[1024];
};

static void say(struct tty *t, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1, off = 0;
    int waits = 0;
    while (off < len) {
        ssize_t w = write(t->out, buf + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        /* stdin is non-blocking and on a terminal stdout shares its file description: a
         * full terminal buffer must delay the text (the customer has to read it), not drop
         * it; a terminal nobody reads for 2 s loses the rest */
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && waits++ < 20) {
            struct pollfd pw = {t->out, POLLOUT, 0};
            poll(&pw, 1, 100);
            continue;
        }
        if (w <= 0)
            return;
        off += (size_t)w;
    }
}

/* Forgets anything typed so far (before a question was asked). */
static void discard_input(struct tty *t)
{
    if (isatty(t->in))
        tcflush(t->in, TCIFLUSH);
    char junk[256];
    while (read(t->in, junk, sizeof junk) > 0)
        ;
    t->len = 0;
}

static void show(struct tty *t, const struct host_view *v)
{
    bool j = t->ja;
    char code[16];
    if (t->started && v->state == t->shown && v->control == t->shown_control &&
        v->continue_prompt == t->shown_continue && strcmp(v->code, t->shown_code) == 0)
        return;
    bool prev_continue = t->shown_continue;
    t->shown_continue = v->continue_prompt;
    enum sasae_hs_state prev = t->shown;
    enum sasae_hs_control prevc = t->shown_control;
    t->started = true;
    t->pending_ask = NULL; /* a new view: any held-back question is gone or re-asked */
    t->shown = v->state;
    t->shown_control = v->control;
    snprintf(t->shown_code, sizeof t->shown_code, "%s", v->code);
    char renew[256];
    switch (v->state) {
    case SASAE_HS_IDLE:
        host_ui_renew_text(v->renewed, NULL, j, renew, sizeof renew);
        if (renew[0])
            say(t, "\n%s\n", renew);
        say(t, "%s\n", ui_str(S_CONNECTING, j));
        break;
    case SASAE_HS_WAITING:
        host_ui_renew_text(v->renewed, v->code, j, renew, sizeof renew);
        if (renew[0])
            say(t, "\n%s\n", renew);
        ui_format_code(v->code, code);
        say(t, "\n%s %s\n%s\n%s\n", ui_str(S_CODE_LABEL, j), code, ui_str(S_CODE_HINT, j),
            ui_str(S_CODE_HINT2, j));
        if (v->fingerprint[0])
            say(t, "%s\n  %s\n", ui_str(S_FPR_LABEL, j), v->fingerprint);
        break;
    case SASAE_HS_HANDSHAKE:
        if (!v->resuming) /* a resume still reads "Reconnecting" until it is through */
            say(t, "%s\n", ui_str(S_VERIFYING, j));
        break;
    case SASAE_HS_RESUMING:
        say(t, "\n%s\n%s\n", ui_str(S_RECONNECTING, j), ui_str(S_RECONNECT_DETAIL, j));
        break;
    case SASAE_HS_ASKING:
        discard_input(t);
        say(t, "\n== %s ==\n%s (%s)\n[%s]\n%s\n  %s\n  %s\n  %s\n%s\n(", ui_str(S_ASK_TITLE, j),
            v->operator_name, v->organisation, ui_str(S_VERIFIED, j), ui_str(S_ASKS_TO, j),
            ui_str(S_ASK_SEE, j), ui_str(S_ASK_DRAW, j), ui_str(S_ASK_INFO, j),
            ui_str(S_TTY_NOTHING, j));
        say(t, ui_str(S_AUTO_DENY, j), v->seconds_left);
        say(t, ")\n");
        t->pending_ask = ui_str(S_TTY_ASK, j);
        t->quiet_since = sasae_mono_ns();
        break;
    case SASAE_HS_SHARING:
        if (prev != SASAE_HS_SHARING && v->notice == HOST_NOTICE_RESUMED) {
            say(t, "\n");
            say(t, ui_str(S_RESUMED, j), v->operator_name);
            say(t, "\n%s\n", ui_str(S_TTY_END_HINT, j));
        } else if (prev != SASAE_HS_SHARING) {
            say(t, "\n");
            say(t, ui_str(S_SHARING, j), v->operator_name);
            if (v->fingerprint[0]) {
                char fpr[64];
                host_ui_fingerprint_short(v->fingerprint, 4, fpr, sizeof fpr);
                say(t, " (");
                say(t, ui_str(S_FPR_SHORT, j), fpr);
                say(t, ")");
            }
            say(t, "\n%s\n", ui_str(S_TTY_END_HINT, j));
        }
        if (v->continue_prompt) {
            discard_input(t);
            say(t, "\n== %s ==\n", ui_str(S_CONTINUE_TITLE, j));
            say(t, ui_str(S_CONTINUE_ASK, j), v->operator_name, v->organisation);
            say(t, "\n(");
            say(t, ui_str(S_AUTO_END, j), v->seconds_left);
            say(t, ")\n");
            t->pending_ask = ui_str(S_TTY_CONTINUE, j);
            t->quiet_since = sasae_mono_ns();
        } else if (prev_continue) {
            say(t, "\n");
            say(t, ui_str(S_SHARING, j), v->operator_name);
            say(t, "\n");
        }
        if (v->continue_prompt) {
            /* one question at a time */
        } else if (v->control == SASAE_HS_CONTROL_ASKED) {
            discard_input(t);
            say(t, "\n== %s ==\n%s (%s) %s\n%s\n(", ui_str(S_CONTROL_TITLE, j), v->operator_name,
                v->organisation, ui_str(S_CONTROL_ASK, j), ui_str(S_CONTROL_HINT, j));
            say(t, ui_str(S_AUTO_DENY, j), v->seconds_left);
            say(t, ")\n");
            t->pending_ask = ui_str(S_TTY_CONTROL, j);
            t->quiet_since = sasae_mono_ns();
        } else if (v->control == SASAE_HS_CONTROL_GRANTED) {
            say(t, "%s %s — 'stop' = %s\n", v->operator_name, ui_str(S_HAS_CONTROL, j),
                ui_str(S_STOP_CONTROL, j));
        } else if (prevc != SASAE_HS_CONTROL_NONE && prev == SASAE_HS_SHARING) {
            say(t, "-- %s\n", ui_str(S_STOP_CONTROL, j));
        }
        break;
    case SASAE_HS_ENDED:
        say(t, "\n%s\n%s\n%s\n", ui_str(S_ENDED, j),
            host_ui_end_text(v->end_reason, v->verified, v->shared, j),
            host_ui_end_detail(v->shared, j));
        if (v->status[0])
            say(t, "%s\n", v->status);
        break;
    default:
        break;
    }
}

/* A file offer (asked like the other questions), progress every 10 %, and the outcome. */
static void show_file(struct tty *t, const struct host_view *v)
{
    const struct host_view_file *f = &v->file;
    bool j = t->ja;
    if (v->state != SASAE_HS_SHARING)
        return;
    int pct = f->state == 2 && f->size ? (int)(f->got * 100 / f->size) / 10 * 10 : 0;
    if (f->state == t->file_state && f->id == t->file_id && pct == t->file_pct &&
        f->note_seq == t->file_note)
        return;
    bool again = f->state == t->file_state && f->id == t->file_id;
    t->file_state = f->state;
    t->file_id = f->id;
    t->file_pct = pct;
    t->file_note = f->note_seq;
    char size[32], line[1600];
    if (f->state == 1 && !again) {
        discard_input(t);
        host_ui_file_size(f->size, size, sizeof size);
        say(t, "\n== %s ==\n", host_ui_file_str(HOST_UI_F_TITLE, j));
        say(t, host_ui_file_str(HOST_UI_F_ASK, j), v->operator_name, v->organisation);
        say(t, "\n  %s (%s)\n", f->name, size);
        say(t, host_ui_file_str(HOST_UI_F_SAVE_TO, j), f->dir);
        say(t, "\n%s\n", host_ui_file_str(HOST_UI_F_HINT, j));
        t->pending_ask = host_ui_file_str(HOST_UI_F_TTY_ASK, j);
        t->quiet_since = sasae_mono_ns();
        return;
    }
    host_ui_file_line(f, j, line, sizeof line);
    if (line[0])
        say(t, "-- %s\n", line);
}

static bool yes(const char *s)
{
    return strcasecmp(s, "y") == 0 || strcasecmp(s, "yes") == 0 || strcmp(s, "はい") == 0;
}

static enum host_ui_answer answer(struct tty *t, const struct host_view *v, const char *l)
{
    if (v->state == SASAE_HS_ASKING)
        return yes(l) ? HOST_UI_ALLOW : HOST_UI_DENY; /* anything else, even empty, is No */
    if (v->state != SASAE_HS_SHARING) {
        if (strcasecmp(l, "end") == 0 && v->state != SASAE_HS_ENDED)
            return HOST_UI_END;
        return HOST_UI_NONE;
    }
    if (strcasecmp(l, "end") == 0)
        return HOST_UI_END;
    if (v->continue_prompt) /* anything but yes ends it, as a No would */
        return yes(l) ? HOST_UI_CONTINUE : HOST_UI_END;
    if (v->control == SASAE_HS_CONTROL_ASKED)
        return yes(l) ? HOST_UI_CONTROL_ALLOW : HOST_UI_CONTROL_DENY;
    if (v->control == SASAE_HS_CONTROL_GRANTED && strcasecmp(l, "stop") == 0)
        return HOST_UI_STOP_CONTROL;
    if (v->file.state == 1) {
        /* y: the folder shown; a typed folder (an absolute path): there; anything else: No */
        t->file_dir[0] = 0;
        if (l[0] == '/')
            snprintf(t->file_dir, sizeof t->file_dir, "%s", l);
        return yes(l) || l[0] == '/' ? HOST_UI_FILE_SAVE : HOST_UI_FILE_DECLINE;
    }
    return HOST_UI_NONE;
}

static enum host_ui_answer tty_step(struct host_ui *ui, const struct host_view *v, int timeout_ms)
{
    struct tty *t = (struct tty *)ui;
    show(t, v);
    if (!v->continue_prompt && v->control != SASAE_HS_CONTROL_ASKED)
        show_file(t, v); /* one question at a time */
    if (v->state == SASAE_HS_ENDED)
        return HOST_UI_QUIT;
    struct pollfd p[2] = {{t->in, POLLIN, 0}, {t->wake[0], POLLIN, 0}};
    if (t->pending_ask && !t->eof) {
        uint64_t quiet_ms = (sasae_mono_ns() - t->quiet_since) / 1000000u;
        if (quiet_ms >= QUIET_MS) {
            discard_input(t);
            say(t, "%s", t->pending_ask);
            t->pending_ask = NULL;
        } else if (timeout_ms < 0 || (uint64_t)timeout_ms > QUIET_MS - quiet_ms) {
            timeout_ms = (int)(QUIET_MS - quiet_ms);
        }
    }
    int n = poll(p, t->eof ? 0 : 2, timeout_ms);
    if (t->eof && n == 0) {
        /* stdin closed: a pending question gets the default answer */
        if (v->state == SASAE_HS_ASKING)
            return HOST_UI_DENY;
        if (v->state == SASAE_HS_SHARING && v->continue_prompt)
            return HOST_UI_END;
        if (v->state == SASAE_HS_SHARING && v->control == SASAE_HS_CONTROL_ASKED)
            return HOST_UI_CONTROL_DENY;
        if (v->state == SASAE_HS_SHARING && v->file.state == 1)
            return HOST_UI_FILE_DECLINE;
        poll(p + 1, 1, timeout_ms);
    }
    if (n <= 0)
        return HOST_UI_NONE;
    if (p[1].revents & POLLIN) {
        char junk[64];
        while (read(t->wake[0], junk, sizeof junk) > 0)
            ;
    }
    if (!(p[0].revents & (POLLIN | POLLHUP)))
        return HOST_UI_NONE;
    if (t->pending_ask) {
        /* typed (or fed) before the question could be read: dropped, and the wait restarts */
        char junk[256];
        ssize_t r = read(t->in, junk, sizeof junk);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
            t->eof = true;
        else if (r > 0)
            t->quiet_since = sasae_mono_ns();
        t->len = 0;
        return HOST_UI_NONE;
    }
    ssize_t r = read(t->in, t->line + t->len, sizeof t->line - 1 - t->len);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
        t->eof = true;
        return HOST_UI_NONE;
    }
    if (r < 0)
        return HOST_UI_NONE;
    t->len += (size_t)r;
    t->line[t->len] = 0;
    char *nl = strchr(t->line, '\n');
    if (!nl) {
        if (t->len == sizeof t->line - 1)
            t->len = 0; /* overlong line: drop it */
        return HOST_UI_NONE;
    }
    *nl = 0;
    char l[256];
    snprintf(l, sizeof l, "%s", t->line);
    size_t rest = t->len - (size_t)(nl + 1 - t->line);
    memmove(t->line, nl + 1, rest);
    t->len = rest;
    /* trim */
    size_t e = strlen(l);
    while (e && (l[e - 1] == '\r' || l[e - 1] == ' '))
        l[--e] = 0;
    char *s = l;
    while (*s == ' ')
        s++;
    return answer(t, v, s);
}

static void tty_wake(struct host_ui *ui)
{
    struct tty *t = (struct tty *)ui;
    char c = 1;
    if (write(t->wake[1], &c, 1) < 0) {
        /* pipe full: a wake-up is already pending */
    }
}

static const char *tty_file_dir(struct host_ui *ui)
{
    return ((struct tty *)ui)->file_dir;
}

static void tty_free(struct host_ui *ui)
{
    struct tty *t = (struct tty *)ui;
    close(t->wake[0]);
    close(t->wake[1]);
    free(t);
}

static const struct ui_ops tty_ops = {tty_step, tty_wake, tty_free, NULL, NULL, tty_file_dir};

struct host_ui *host_ui_tty_new(int in_fd, int out_fd, char *err, size_t errlen)
{
    struct tty *t = calloc(1, sizeof *t);
    if (!t || pipe2(t->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        snprintf(err, errlen, "tty UI: %s", strerror(errno));
        free(t);
        return NULL;
    }
    int fl = fcntl(in_fd, F_GETFL);
    if (fl >= 0)
        fcntl(in_fd, F_SETFL, fl | O_NONBLOCK);
    t->base.ops = &tty_ops;
    t->in = in_fd;
    t->out = out_fd;
    t->ja = sasae_ui_lang() == SASAE_LANG_JA;
    return &t->base;
}
