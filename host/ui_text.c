/* The customer UI's strings in English and Japanese, and what both UIs share. */
#include "ui_impl.h"

#include <stdio.h>
#include <unistd.h>

/* clang-format off */
static const char *const en[UI_NSTR] = {
    [S_TITLE] = "sasae remote support",
    [S_CONNECTING] = "Connecting to the support center...",
    [S_CODE_LABEL] = "Your support code:",
    [S_CODE_HINT] = "Read this code to the support operator on the phone.",
    [S_CODE_HINT2] = "It works once and expires after 10 minutes; a new one then appears here.",
    [S_WAITING] = "Waiting for the operator...",
    [S_VERIFYING] = "An operator is connecting. Checking their identity...",
    [S_ASK_TITLE] = "Remote support request",
    [S_VERIFIED] = "Identity verified by the support center's certificate",
    [S_ASKS_TO] = "asks to:",
    [S_ASK_SEE] = "- see your screen",
    [S_ASK_DRAW] = "- point and draw on your screen",
    [S_ASK_INFO] = "- see basic system information (OS, computer name, CPU, memory, disk, displays, network)",
    [S_ASK_NOTHING] = "Nothing is shared until you click Allow.",
    [S_AUTO_DENY] = "Denied automatically in %d s",
    [S_ALLOW] = "Allow",
    [S_DENY] = "Deny",
    [S_CONTROL_TITLE] = "Remote control request",
    [S_CONTROL_ASK] = "asks to control your mouse and keyboard.",
    [S_CONTROL_HINT] = "You can take control back at any time with Stop control.",
    [S_SHARING] = "Sharing your screen with %s",
    [S_HAS_CONTROL] = "(has control)",
    [S_END] = "End remote support",
    [S_STOP_CONTROL] = "Stop control",
    [S_ENDED] = "The remote support session has ended.",
    [S_ENDED_DETAIL] = "Screen sharing and remote control have stopped; the session keys were erased.",
    [S_CLOSE] = "Close",
    [S_TTY_ASK] = "Allow? [y/N] ",
    [S_TTY_NOTHING] = "Nothing is shared until you type y (Allow) and Enter.",
    [S_CONTINUE_TITLE] = "Continue remote support?",
    [S_CONTINUE_ASK] = "Your screen is still being shared with %s (%s). Continue sharing?",
    [S_CONTINUE] = "Continue",
    [S_TTY_CONTINUE] = "Continue sharing? [y/N] ",
    [S_AUTO_END] = "Remote support ends automatically in %d s",
    [S_TTY_CONTROL] = "Allow control? [y/N] ",
    [S_TTY_END_HINT] = "Type 'end' and Enter (or press Ctrl-C) to end remote support.",
    [S_FPR_LABEL] = "This computer's key (the operator can check it):",
    [S_FPR_SHORT] = "Computer key %s",
    [S_MONITOR_OF] = "(monitor %d of %d)",
    [S_CLIP_TO] = "The operator copied text to your clipboard",
    [S_CLIP_FROM] = "The operator copied text from your clipboard",
    [S_CHAT_TITLE] = "sasae chat",
    [S_CHAT_YOU] = "You",
    [S_CHAT_HINT] = "Type a reply and press Enter",
    [S_RECONNECTING] = "Reconnecting to the support center...",
    [S_RECONNECT_DETAIL] = "Nothing is shared while the connection is away; the operator's control and drawing have stopped.",
    [S_RESUMED] = "Reconnected; sharing continues with %s",
};

static const char *const ja[UI_NSTR] = {
    [S_TITLE] = "sasae リモートサポート",
    [S_CONNECTING] = "サポートセンターに接続しています…",
    [S_CODE_LABEL] = "サポートコード：",
    [S_CODE_HINT] = "このコードを電話でサポート担当者にお伝えください。",
    [S_CODE_HINT2] = "1回限り有効で、10分後に無効になります（その後、新しいコードがここに表示されます）。",
    [S_WAITING] = "担当者の接続を待っています…",
    [S_VERIFYING] = "担当者が接続しています。本人確認をしています…",
    [S_ASK_TITLE] = "リモートサポートの要求",
    [S_VERIFIED] = "サポートセンターの証明書で本人確認済み",
    [S_ASKS_TO] = "が次の許可を求めています：",
    [S_ASK_SEE] = "・画面を見る",
    [S_ASK_DRAW] = "・画面上で指し示し、書き込む",
    [S_ASK_INFO] = "・基本的なシステム情報（OS、コンピューター名、CPU、メモリ、ディスク、ディスプレイ、ネットワーク）を見る",
    [S_ASK_NOTHING] = "「許可」を押すまで何も共有されません。",
    [S_AUTO_DENY] = "あと %d 秒で自動的に拒否します",
    [S_ALLOW] = "許可",
    [S_DENY] = "拒否",
    [S_CONTROL_TITLE] = "リモート操作の要求",
    [S_CONTROL_ASK] = "がマウスとキーボードの操作を求めています。",
    [S_CONTROL_HINT] = "「操作を停止」でいつでも操作を取り戻せます。",
    [S_SHARING] = "%s に画面を共有中",
    [S_HAS_CONTROL] = "（操作中）",
    [S_END] = "リモートサポートを終了",
    [S_STOP_CONTROL] = "操作を停止",
    [S_ENDED] = "リモートサポートは終了しました。",
    [S_ENDED_DETAIL] = "画面共有とリモート操作は停止し、通信の鍵は消去されました。",
    [S_CLOSE] = "閉じる",
    [S_TTY_ASK] = "許可しますか？ [y/N] ",
    [S_TTY_NOTHING] = "「y」（許可）と Enter を入力するまで何も共有されません。",
    [S_CONTINUE_TITLE] = "リモートサポートを続けますか？",
    [S_CONTINUE_ASK] = "%s（%s）との画面共有が続いています。共有を続けますか？",
    [S_CONTINUE] = "続ける",
    [S_TTY_CONTINUE] = "共有を続けますか？ [y/N] ",
    [S_AUTO_END] = "あと %d 秒で自動的に終了します",
    [S_TTY_CONTROL] = "操作を許可しますか？ [y/N] ",
    [S_TTY_END_HINT] = "終了するには end と入力して Enter（または Ctrl-C）を押してください。",
    [S_FPR_LABEL] = "このコンピューターの鍵（担当者が確認できます）：",
    [S_FPR_SHORT] = "コンピューターの鍵 %s",
    [S_MONITOR_OF] = "（モニター %d/%d）",
    [S_CLIP_TO] = "オペレーターがクリップボードにテキストをコピーしました",
    [S_CLIP_FROM] = "オペレーターがクリップボードからテキストをコピーしました",
    [S_CHAT_TITLE] = "sasae チャット",
    [S_CHAT_YOU] = "あなた",
    [S_CHAT_HINT] = "返信を入力して Enter で送信",
    [S_RECONNECTING] = "サポートセンターに再接続しています…",
    [S_RECONNECT_DETAIL] = "接続が戻るまで何も共有されません。担当者の操作と描画は停止しています。",
    [S_RESUMED] = "再接続しました。%s さんとの共有を続けます",
};
/* clang-format on */

const char *ui_str(enum ui_str s, bool japanese)
{
    const char *v = (japanese ? ja : en)[s];
    return v ? v : en[s];
}

/* Each sentence must be true in every state it can be shown in: verified says whether the
 * operator's identity had been checked, shared whether the customer had allowed. */
const char *host_ui_end_text(enum sasae_hs_end r, bool verified, bool shared, bool j)
{
    switch (r) {
    case SASAE_HS_END_CUSTOMER:
        return j ? "「リモートサポートを終了」で終了しました。" : "You ended the session.";
    case SASAE_HS_END_DENIED:
        return j ? "要求を拒否しました。" : "You denied the request.";
    case SASAE_HS_END_CONSENT_TIMEOUT:
        return j ? "60 秒以内に応答がなかったため拒否しました。"
                 : "No answer within 60 seconds: the request was denied.";
    case SASAE_HS_END_OPERATOR:
        return j ? "担当者が終了しました。" : "The operator ended the session.";
    case SASAE_HS_END_PEER_LEFT:
        return j ? "担当者の接続が切れました。" : "The operator disconnected.";
    case SASAE_HS_END_PEER_TIMEOUT:
        return j ? "担当者からの応答がなくなりました。" : "The operator stopped responding.";
    case SASAE_HS_END_HANDSHAKE_FAILED:
        if (!verified)
            return j ? "担当者の本人確認ができなかったため接続しませんでした。"
                     : "The operator's identity could not be verified, so they were not "
                       "connected.";
        /* verified, then a message failed its security check: the link was tampered with or
         * broke */
        return j ? "担当者との暗号化された通信が検証に失敗したため、終了しました。"
                 : "A message on the encrypted connection to the operator failed its security "
                   "check, so the session was ended.";
    case SASAE_HS_END_PROTOCOL:
        return j ? "通信エラーのため終了しました。" : "A communication error ended the session.";
    case SASAE_HS_END_RELAY:
        return j ? "サポートセンターとの接続が切れました。"
                 : "The connection to the support center was lost.";
    case SASAE_HS_END_SIGNAL:
        return j ? "サポートプログラムが停止されました。" : "The support program was stopped.";
    case SASAE_HS_END_RECONSENT_TIMEOUT:
        return j ? "「共有を続けますか？」に 60 秒以内に応答がなかったため終了しました。"
                 : "No answer within 60 seconds to \"Continue sharing?\", so the session ended.";
    case SASAE_HS_END_RELAY_REFUSED:
        /* only before any code was shown */
        return j ? "サポートセンターは現在新しいセッションを開始できません。数分後にもう一度お試し"
                   "ください。"
                 : "The support center cannot start a session right now. Please try again in a "
                   "few minutes.";
    case SASAE_HS_END_CODE_MISMATCH:
        /* only before anything was verified or asked */
        return j ? "一致しないコードが何度も入力されたため、新しいコードは表示しません。"
                   "担当者の準備ができたら、もう一度サポートを開始してください。"
                 : "Codes that did not match yours were entered too often, so no new code is "
                   "shown. Start support again when the operator is ready.";
    case SASAE_HS_END_NO_CRL:
        /* only before any code was shown */
        return j ? "組織の失効リストが最新ではないため、安全に接続できません。サポートセンターに"
                   "連絡してください。"
                 : "Your organisation's list of revoked operators is not current, so no one can "
                   "connect safely. Please call the support center.";
    case SASAE_HS_END_CAPTURE_FAILED:
        /* only ever while sharing */
        return j ? "画面を取得できなくなったため終了しました。"
                 : "Your screen could no longer be captured, so the session ended.";
    default:
        (void)shared;
        return j ? "リモートサポートは終了しました。" : "The remote support session has ended.";
    }
}

const char *host_ui_end_detail(bool shared, bool j)
{
    if (shared)
        return ui_str(S_ENDED_DETAIL, j);
    return j ? "担当者には何も共有されていません。" : "Nothing was shared with the operator.";
}

const char *host_ui_renew_why(enum sasae_hs_renew r, bool j)
{
    switch (r) {
    case SASAE_HS_RENEW_BURNED:
        return j ? "前のコードは誤った入力が5回あったため無効になりました"
                 : "Your previous code was blocked after 5 wrong attempts";
    case SASAE_HS_RENEW_EXPIRED:
        return j ? "前のコードは有効期限が切れました" : "Your previous code expired";
    case SASAE_HS_RENEW_RELAY:
        return j ? "サポートセンターとの接続が切れたため、前のコードは使えなくなりました"
                 : "The connection to the support center was lost, so your previous code no "
                   "longer works";
    case SASAE_HS_RENEW_MISMATCH:
        return j ? "担当者が入力したコードが一致しませんでした"
                 : "The code the operator entered does not match";
    case SASAE_HS_RENEW_TOO_MANY:
        return j ? "一致しないコードが5回入力されたため、前のコードは無効になりました"
                 : "Your previous code was blocked after 5 codes that did not match";
    default:
        return "";
    }
}

void host_ui_renew_text(enum sasae_hs_renew r, const char *code, bool j, char *out, size_t cap)
{
    if (!cap)
        return;
    out[0] = 0;
    const char *why = host_ui_renew_why(r, j);
    if (!*why)
        return;
    if (code && *code) {
        char c[16];
        ui_format_code(code, c);
        snprintf(out, cap, j ? "%s。新しいコード：%s" : "%s; new code: %s", why, c);
    } else {
        snprintf(out, cap, j ? "%s。新しいコードを取得しています…" : "%s; getting a new code...",
                 why);
    }
}

enum sasae_hs_event host_ui_answer_event(enum host_ui_answer a)
{
    static const enum sasae_hs_event map[] = {
        [HOST_UI_ALLOW] = SASAE_HS_EV_CONSENT_ALLOW,
        [HOST_UI_DENY] = SASAE_HS_EV_CONSENT_DENY,
        [HOST_UI_CONTROL_ALLOW] = SASAE_HS_EV_CONTROL_ALLOW,
        [HOST_UI_CONTROL_DENY] = SASAE_HS_EV_CONTROL_DENY,
        [HOST_UI_STOP_CONTROL] = SASAE_HS_EV_CONTROL_REVOKE,
        [HOST_UI_CONTINUE] = SASAE_HS_EV_CONTINUE,
        [HOST_UI_END] = SASAE_HS_EV_END_BUTTON,
        [HOST_UI_WINDOW_CLOSE] = SASAE_HS_EV_WINDOW_CLOSE,
    };
    return map[a];
}

const char *host_ui_answer_str(enum host_ui_answer a)
{
    static const char *const n[] = {"none",         "allow",        "deny",      "control_allow",
                                    "control_deny", "stop_control", "continue",  "end",
                                    "window_close", "quit",         "file_save", "file_decline"};
    return (unsigned)a <= HOST_UI_FILE_DECLINE ? n[a] : "?";
}

static int stop_rank(enum host_ui_answer a)
{
    switch (a) {
    case HOST_UI_END:
    case HOST_UI_WINDOW_CLOSE:
        return 4;
    case HOST_UI_DENY:
    case HOST_UI_CONTROL_DENY:
        return 3;
    case HOST_UI_STOP_CONTROL:
        return 2;
    case HOST_UI_NONE:
        return 0;
    default:
        return 1;
    }
}

enum host_ui_answer host_ui_answer_merge(enum host_ui_answer a, enum host_ui_answer b)
{
    return stop_rank(b) > stop_rank(a) ? b : a;
}

void host_ui_fingerprint_short(const char *fpr, int groups, char *out, size_t cap)
{
    if (cap == 0)
        return;
    size_t n = 0;
    int spaces = 0;
    for (size_t i = 0; fpr[i] && n + 1 < cap; i++) {
        if (fpr[i] == ' ' && ++spaces == groups)
            break;
        out[n++] = fpr[i];
    }
    out[n] = 0;
}

void ui_format_code(const char *code, char out[16])
{
    /* "123456789" -> "123 456 789" */
    size_t n = 0;
    for (size_t i = 0; code[i] && n < 15; i++) {
        if (i && i % 3 == 0)
            out[n++] = ' ';
        out[n++] = code[i];
    }
    out[n] = 0;
}

void host_ui_free(struct host_ui *ui)
{
    if (ui)
        ui->ops->free(ui);
}

enum host_ui_answer host_ui_step(struct host_ui *ui, const struct host_view *v, int timeout_ms)
{
    return ui->ops->step(ui, v, timeout_ms);
}

const char *host_ui_file_dir(struct host_ui *ui)
{
    return ui->ops->file_dir ? ui->ops->file_dir(ui) : "";
}

int host_ui_windows(struct host_ui *ui, int *xywh, int max)
{
    return ui->ops->windows ? ui->ops->windows(ui, xywh, max) : 0;
}

int host_ui_take_chat(struct host_ui *ui, char *out, size_t cap)
{
    return ui->ops->take_chat ? ui->ops->take_chat(ui, out, cap) : 0;
}

void host_ui_wake(struct host_ui *ui)
{
    if (ui->ops->wake)
        ui->ops->wake(ui);
}

const char *host_ui_notice_text(enum host_notice n, bool japanese)
{
    switch (n) {
    case HOST_NOTICE_CLIP_TO:
        return ui_str(S_CLIP_TO, japanese);
    case HOST_NOTICE_CLIP_FROM:
        return ui_str(S_CLIP_FROM, japanese);
    case HOST_NOTICE_RESUMED:
        return ui_str(S_RESUMED, japanese); /* a format: the operator's name */
    case HOST_NOTICE_NONE:
        break;
    }
    return "";
}
