/* Private to the UI implementations: the ops table and the string table. */
#ifndef SASAE_HOST_UI_IMPL_H
#define SASAE_HOST_UI_IMPL_H

#include "ui.h"

struct ui_ops {
    enum host_ui_answer (*step)(struct host_ui *ui, const struct host_view *v, int timeout_ms);
    void (*wake)(struct host_ui *ui);
    void (*free)(struct host_ui *ui);
    int (*windows)(struct host_ui *ui, int *xywh, int max);      /* may be NULL */
    int (*take_chat)(struct host_ui *ui, char *out, size_t cap); /* may be NULL */
    const char *(*file_dir)(struct host_ui *ui);                 /* may be NULL: the default */
};

struct host_ui {
    const struct ui_ops *ops;
};

enum ui_str {
    S_TITLE,
    S_CONNECTING,
    S_CODE_LABEL,
    S_CODE_HINT,
    S_CODE_HINT2,
    S_WAITING,
    S_VERIFYING,
    S_ASK_TITLE,
    S_VERIFIED,
    S_ASKS_TO,
    S_ASK_SEE,
    S_ASK_DRAW,
    S_ASK_INFO,
    S_ASK_NOTHING,
    S_AUTO_DENY,
    S_ALLOW,
    S_DENY,
    S_CONTROL_TITLE,
    S_CONTROL_ASK,
    S_CONTROL_HINT,
    S_SHARING,
    S_HAS_CONTROL,
    S_END,
    S_STOP_CONTROL,
    S_ENDED,
    S_ENDED_DETAIL,
    S_CLOSE,
    S_TTY_ASK,
    S_TTY_NOTHING,
    S_CONTINUE_TITLE,
    S_CONTINUE_ASK,
    S_CONTINUE,
    S_TTY_CONTINUE,
    S_AUTO_END,
    S_TTY_CONTROL,
    S_TTY_END_HINT,
    S_FPR_LABEL,
    S_FPR_SHORT,
    S_MONITOR_OF,
    S_CLIP_TO,
    S_CLIP_FROM,
    S_CHAT_TITLE,
    S_CHAT_YOU,
    S_CHAT_HINT,
    S_RECONNECTING,
    S_RECONNECT_DETAIL,
    S_RESUMED,
    UI_NSTR
};

const char *ui_str(enum ui_str s, bool japanese);
void ui_format_code(const char *code, char out[16]);

#endif
