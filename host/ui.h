/* The customer's UI, private to sasae-host: a view of the session to show, and the
 * customer's answers back. Two implementations: SDL2 windows (gui) and the terminal (tty). */
#ifndef SASAE_HOST_UI_H
#define SASAE_HOST_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/host.h"

enum host_notice {
    HOST_NOTICE_NONE = 0,
    HOST_NOTICE_CLIP_TO,   /* the operator copied text to the customer's clipboard */
    HOST_NOTICE_CLIP_FROM, /* the operator copied text from the customer's clipboard */
    HOST_NOTICE_RESUMED,   /* the session resumed after a relay loss (a format: %s operator) */
};
#define HOST_NOTICE_SHOW_S 8

/* Chat: the last few messages, both ways (UTF-8, NUL-terminated, at most HOST_CHAT_MAX
 * bytes: the wire's CHAT limit). */
#define HOST_CHAT_MAX 1024
#define HOST_CHAT_LINES 4
struct host_chat_line {
    bool from_customer;
    char text[HOST_CHAT_MAX + 1];
};

/* What the UI shows: a snapshot the session fills under its lock. */
struct host_view {
    enum sasae_hs_state state;
    enum sasae_hs_control control;
    enum sasae_hs_end end_reason;
    char code[16];               /* 12 digits, "" until registered */
    enum sasae_hs_renew renewed; /* why the code shown (or coming) replaced an earlier one */
    char operator_name[256];
    char organisation[256];
    char status[256]; /* a line of detail (errors), may be empty */
    /* this computer's device key, "SHA256:XXXX XXXX ..." (16 groups): the customer can read
     * it to the operator, whose viewer shows the key it verified */
    char fingerprint[96];
    int seconds_left;     /* of the showing prompt, -1 = none */
    bool end_on_close;    /* ENDED: the UI may close itself after a moment (tests) */
    bool verified;        /* the operator's identity was verified */
    bool shared;          /* the screen was shared (the customer allowed) */
    bool continue_prompt; /* SHARING: "Continue sharing with ...?" shows (seconds_left) */
    bool resuming;        /* RESUMING, or the HANDSHAKE of a resume: "Reconnecting..." */
    /* SHARING: which of the monitors the operator sees: monitor (0-based) of monitors, or
     * -1 for all of them (or a single one: nothing to say) */
    int monitor, monitors;
    /* what the operator just did with the clipboard, shown in the session bar for
     * HOST_NOTICE_SHOW_S seconds (every transfer is shown) */
    enum host_notice notice;
    /* chat, oldest first; chat_serial counts every message so far (a new one shows) */
    struct host_chat_line chat[HOST_CHAT_LINES];
    int nchat;
    unsigned chat_serial;
    struct host_view_file {
        int state;   /* enum host_fr_state: 0 none, 1 the customer is asked, 2 receiving */
        uint32_t id; /* changes with each offer */
        char name[256];
        uint64_t size, got;
        char dir[1024]; /* where it goes (receiving) or would go by default (asked) */
        /* the last outcome: enum sasae_wire_file_status (-1 none) and the stored path (OK)
         * or the file name or reason */
        int note_status;
        uint32_t note_seq; /* changes with each outcome */
        char note[1500];
    } file;
};

enum host_ui_answer {
    HOST_UI_NONE = 0,
    HOST_UI_ALLOW,
    HOST_UI_DENY,
    HOST_UI_CONTROL_ALLOW,
    HOST_UI_CONTROL_DENY,
    HOST_UI_STOP_CONTROL,
    HOST_UI_CONTINUE,     /* "Continue sharing" at the periodic re-consent */
    HOST_UI_END,          /* End remote support */
    HOST_UI_WINDOW_CLOSE, /* a session window was closed */
    HOST_UI_QUIT,         /* the "session ended" window was dismissed */
    HOST_UI_FILE_SAVE,    /* save the offered file (host_ui_file_dir says where) */
    HOST_UI_FILE_DECLINE, /* decline the offered file */
};

const char *host_ui_answer_str(enum host_ui_answer a);
/* The state-machine event an answer stands for; a must be between HOST_UI_NONE and
 * HOST_UI_QUIT (exclusive). */
enum sasae_hs_event host_ui_answer_event(enum host_ui_answer a);
/* Of two answers given in the same moment, the one that stops more: End and closing a window
 * beat any Deny, which beats Stop control, which beats any Allow. */
enum host_ui_answer host_ui_answer_merge(enum host_ui_answer a, enum host_ui_answer b);

struct host_ui;

/* Opens the SDL UI (needs a display). NULL with a reason in err. */
struct host_ui *host_ui_gui_new(char *err, size_t errlen);
/* Terminal UI on fds in/out (a tty or a pipe); default answer No. */
struct host_ui *host_ui_tty_new(int in_fd, int out_fd, char *err, size_t errlen);
void host_ui_free(struct host_ui *ui);

/* Shows v and waits up to timeout_ms for one answer from the customer. Thread: the one
 * that created the UI (SDL's main thread). */
enum host_ui_answer host_ui_step(struct host_ui *ui, const struct host_view *v, int timeout_ms);

/* Screen rectangles (x, y, w, h each) of the UI's windows now shown, at most max; returns
 * how many (0 for the terminal). Same thread as host_ui_step. */
int host_ui_windows(struct host_ui *ui, int *xywh, int max);

/* A chat message the customer typed and sent (Enter) since the last call: copied to out
 * (cap bytes, NUL-terminated), returns its length; 0 if none (always for the terminal). Same
 * thread as host_ui_step. */
int host_ui_take_chat(struct host_ui *ui, char *out, size_t cap);
/* After HOST_UI_FILE_SAVE: the folder the customer chose, "" for the default one. */
const char *host_ui_file_dir(struct host_ui *ui);

/* Wakes a host_ui_step waiting in another thread (the view changed). Thread-safe. */
void host_ui_wake(struct host_ui *ui);

/* The UI's strings (English or Japanese), exposed for tests. */
const char *host_ui_end_text(enum sasae_hs_end r, bool verified, bool shared, bool japanese);
/* The line under it: what stopped if the screen was shared, else that nothing was. */
const char *host_ui_end_detail(bool shared, bool japanese);
/* Why the code changed by itself: "" for SASAE_HS_RENEW_NONE. With a code (12 digits) the
 * line names the new one ("Your previous code expired; new code: 123 456 789 012"); with NULL
 * or "" it says a new one is coming. */
void host_ui_renew_text(enum sasae_hs_renew r, const char *code, bool japanese, char *out,
                        size_t cap);
/* Just the reason ("Your previous code expired"), no punctuation; "" for NONE. */
const char *host_ui_renew_why(enum sasae_hs_renew r, bool japanese);
/* The session bar's line for a notice; "" for HOST_NOTICE_NONE. */
const char *host_ui_notice_text(enum host_notice n, bool japanese);
/* The first n groups of a fingerprint ("SHA256:AAAA BBBB ..."), for places with little room. */
void host_ui_fingerprint_short(const char *fpr, int groups, char *out, size_t cap);

/* Words for files from the operator (host/ui_file.c). */
enum host_ui_fstr {
    HOST_UI_F_TITLE,
    HOST_UI_F_ASK, /* %s operator, %s organisation */
    HOST_UI_F_SAVE_TO,
    HOST_UI_F_SAVE,
    HOST_UI_F_DECLINE,
    HOST_UI_F_FOLDER,
    HOST_UI_F_HINT,
    HOST_UI_F_TTY_ASK,
    HOST_UI_F_RECEIVING, /* %s name, %d percent, %s size */
    HOST_UI_F_SAVED,     /* %s path */
    HOST_UI_F_DECLINED,
    HOST_UI_F_REFUSED,   /* %s reason */
    HOST_UI_F_CHECKSUM,  /* %s name */
    HOST_UI_F_CANCELLED, /* %s name */
    HOST_UI_F_FAILED,    /* %s reason */
    HOST_UI_F_N
};
const char *host_ui_file_str(enum host_ui_fstr s, bool japanese);
/* "512 B", "1.5 KB", "12.3 MB", "1.25 GB" (binary units). */
void host_ui_file_size(uint64_t n, char *out, size_t cap);
/* The session bar's file line: progress while receiving, else the last outcome; "" if none. */
void host_ui_file_line(const struct host_view_file *f, bool japanese, char *out, size_t cap);

#endif
