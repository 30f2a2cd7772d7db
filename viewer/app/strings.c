/* The viewer's UI strings in English and Japanese, chosen by sasae_ui_lang(). */
#include "strings.h"

static const char *const en[VS__COUNT] = {
    [VS_TITLE] = "sasae — remote support viewer",
    [VS_CODE_PROMPT] = "Enter the support code the customer reads to you",
    [VS_CODE_HINT] = "12 digits — press Enter to connect",
    [VS_CODE_TYPO] = "This code has a typo: ask the customer to read it again",
    [VS_CONNECT] = "Connect",
    [VS_CLOSE] = "Close",
    [VS_ST_CONNECTING] = "Connecting to the relay…",
    [VS_ST_WAITING_PEER] = "Waiting for the customer's computer…",
    [VS_ST_HANDSHAKE] = "Setting up the encrypted connection…",
    [VS_ST_WAITING_CONSENT] = "Waiting for the customer to allow",
    [VS_ST_RECONNECTING] = "Connection to the relay lost: reconnecting…",
    [VS_ST_VIEWING] = "Viewing the customer's screen",
    [VS_ST_CONTROL_REQUESTED] = "Control requested — waiting for the customer",
    [VS_ST_CONTROL_GRANTED] = "You have control of mouse and keyboard",
    [VS_ST_ENDED] = "Session ended",
    [VS_BTN_POINTER] = "Pointer",
    [VS_BTN_PEN] = "Red pen",
    [VS_BTN_CLEAR] = "Clear",
    [VS_BTN_REQUEST_CONTROL] = "Request control",
    [VS_BTN_RELEASE_CONTROL] = "Release control",
    [VS_BTN_FIT] = "Fit",
    [VS_BTN_1TO1] = "1:1",
    [VS_BTN_END] = "End remote support",
    [VS_BTN_HIGHLIGHTER] = "Highlighter",
    [VS_BTN_UNDO] = "Undo",
    [VS_TIP_POINTER] = "Point with a hand on the customer's screen (I)",
    [VS_TIP_PEN] = "Draw in red on the customer's screen (P)",
    [VS_TIP_HIGHLIGHTER] = "A thick red pen to mark an area (H)",
    [VS_TIP_UNDO] = "Remove your last stroke (Ctrl+Z)",
    [VS_TIP_CLEAR] = "Remove all your strokes (C)",
    [VS_TIP_REQUEST_CONTROL] = "Ask the customer to let you use their mouse and keyboard",
    [VS_TIP_RELEASE_CONTROL] = "Give the mouse and keyboard back to the customer",
    [VS_TIP_MODE] = "Fit the screen to the window, or show it at 1:1 (F2)",
    [VS_TIP_END] = "End remote support now: the customer is told",
    [VS_BTN_MONITOR] = "Monitor",
    [VS_MONITOR_ALL] = "all",
    [VS_TIP_MONITOR] = "Show the customer's next monitor, or all of them as one picture (F6)",
    [VS_HOST_KEY] = "Host key",
    [VS_HOST_KEY_DETAIL] = "Host key (the PC that knew the support code signed the connection "
                           "with it; the customer's session bar shows the same):",
    [VS_HOST_NAME] = "Computer name (as the host reports it, not verified)",
    [VS_LATENCY] = "latency",
    [VS_SYSINFO_TITLE] = "System information (F4)",
    [VS_SYSINFO_NONE] = "Not received yet.",
    [VS_STATS_TITLE] = "Statistics (F3)",
    [VS_KEYS_HELP] =
        "F2 1:1/fit · F3 statistics · F4 system info · F6 monitor · F7/F8 clipboard · F9 chat · "
        "F11 full screen · P pen · H highlighter · Ctrl+Z undo · C clear",
    [VS_WAIT_CONSENT_DETAIL] =
        "The customer sees your verified name and must click Allow. Nothing is shared before.",
    [VS_TEST_PATTERN] = "TEST PATTERN (no host)",
    [VS_CHAT_YOU] = "You",
    [VS_CHAT_CUSTOMER] = "Customer",
    [VS_CHAT_HINT] = "Message to the customer, Enter to send (Esc closes)",
};

static const char *const ja[VS__COUNT] = {
    [VS_TITLE] = "sasae — リモートサポート ビューアー",
    [VS_CODE_PROMPT] = "お客様から伝えられたサポートコードを入力してください",
    [VS_CODE_HINT] = "12桁の数字 — Enter キーで接続します",
    [VS_CODE_TYPO] = "コードに入力誤りがあります。もう一度読み上げてもらってください",
    [VS_CONNECT] = "接続",
    [VS_CLOSE] = "閉じる",
    [VS_ST_CONNECTING] = "中継サーバーに接続しています…",
    [VS_ST_WAITING_PEER] = "お客様のコンピューターを待っています…",
    [VS_ST_HANDSHAKE] = "暗号化された接続を確立しています…",
    [VS_ST_WAITING_CONSENT] = "お客様の許可を待っています",
    [VS_ST_RECONNECTING] = "中継サーバーとの接続が切れました。再接続しています…",
    [VS_ST_VIEWING] = "お客様の画面を表示しています",
    [VS_ST_CONTROL_REQUESTED] = "操作を要求しました — お客様の許可を待っています",
    [VS_ST_CONTROL_GRANTED] = "マウスとキーボードを操作できます",
    [VS_ST_ENDED] = "セッションは終了しました",
    [VS_BTN_POINTER] = "指さし",
    [VS_BTN_PEN] = "赤ペン",
    [VS_BTN_CLEAR] = "消去",
    [VS_BTN_REQUEST_CONTROL] = "操作を要求",
    [VS_BTN_RELEASE_CONTROL] = "操作を返す",
    [VS_BTN_FIT] = "全体表示",
    [VS_BTN_1TO1] = "等倍",
    [VS_BTN_END] = "リモートサポートを終了",
    [VS_BTN_HIGHLIGHTER] = "太ペン",
    [VS_BTN_UNDO] = "元に戻す",
    [VS_TIP_POINTER] = "お客様の画面を指さしで示します (I)",
    [VS_TIP_PEN] = "お客様の画面に赤ペンで書きます (P)",
    [VS_TIP_HIGHLIGHTER] = "太い赤ペンで範囲を示します (H)",
    [VS_TIP_UNDO] = "最後に書いた線を消します (Ctrl+Z)",
    [VS_TIP_CLEAR] = "書いた線をすべて消します (C)",
    [VS_TIP_REQUEST_CONTROL] = "お客様にマウスとキーボードの操作を許可してもらいます",
    [VS_TIP_RELEASE_CONTROL] = "マウスとキーボードの操作をお客様に返します",
    [VS_TIP_MODE] = "画面全体表示と等倍を切り替えます (F2)",
    [VS_TIP_END] = "リモートサポートを今すぐ終了します（お客様に通知されます）",
    [VS_BTN_MONITOR] = "モニター",
    [VS_MONITOR_ALL] = "すべて",
    [VS_TIP_MONITOR] = "お客様の次のモニター、または全モニターをまとめて表示します (F6)",
    [VS_HOST_KEY] = "ホスト鍵",
    [VS_HOST_KEY_DETAIL] = "ホスト鍵（サポートコードを知っている PC がこの鍵で接続に署名しました。"
                           "お客様のセッションバーにも同じものが表示されます）:",
    [VS_HOST_NAME] = "コンピューター名（ホストの申告、未確認）",
    [VS_LATENCY] = "遅延",
    [VS_SYSINFO_TITLE] = "システム情報 (F4)",
    [VS_SYSINFO_NONE] = "まだ受信していません。",
    [VS_STATS_TITLE] = "統計 (F3)",
    [VS_KEYS_HELP] = "F2 等倍/全体 · F3 統計 · F4 システム情報 · F6 モニター · F7/F8 "
                     "クリップボード · F9 チャット · "
                     "F11 全画面 · P ペン · H 太ペン · Ctrl+Z 元に戻す · C 消去",
    [VS_WAIT_CONSENT_DETAIL] =
        "お客様には確認済みのお名前が表示され、「許可」を押すまで何も共有されません。",
    [VS_TEST_PATTERN] = "テストパターン（ホストなし）",
    [VS_CHAT_YOU] = "あなた",
    [VS_CHAT_CUSTOMER] = "お客様",
    [VS_CHAT_HINT] = "お客様へのメッセージ（Enter で送信、Esc で閉じる）",
};

const char *vstr(enum sasae_lang lang, enum vstr id)
{
    if (id < 0 || id >= VS__COUNT)
        return "";
    const char *s = (lang == SASAE_LANG_JA ? ja : en)[id];
    return s ? s : en[id] ? en[id] : "";
}

const char *vstr_fault(enum sasae_lang lang, enum sasae_vsm_fault f)
{
    bool j = lang == SASAE_LANG_JA;
    switch (f) {
    case SASAE_VSM_FAULT_UNREQUESTED_CONTROL:
        return j ? "要求していない操作権がホストから送られたため、接続を閉じました（入力は送信して"
                   "いません）"
                 : "The host offered control you did not request — the session was closed (no "
                   "input was sent)";
    case SASAE_VSM_FAULT_EARLY_VIDEO:
        return j ? "お客様の許可の前に画面が送られたため、接続を閉じました"
                 : "The host sent its screen before the customer allowed — the session was closed";
    case SASAE_VSM_FAULT_NONE:
        break;
    }
    return "";
}

const char *vstr_end(enum sasae_lang lang, enum sasae_vsm_end e)
{
    bool j = lang == SASAE_LANG_JA;
    switch (e) {
    case SASAE_VSM_END_CUSTOMER:
        return j ? "お客様がリモートサポートを終了しました" : "The customer ended remote support";
    case SASAE_VSM_END_DENIED:
        return j ? "お客様がリクエストを拒否しました" : "The customer denied the request";
    case SASAE_VSM_END_CONSENT_TIMEOUT:
        return j ? "お客様の応答がないまま時間切れになりました"
                 : "The customer did not answer in time";
    case SASAE_VSM_END_CONNECTION_LOST:
        return j ? "中継サーバーとの接続が切れました" : "The connection to the relay was lost";
    case SASAE_VSM_END_HOST_LEFT:
        return j ? "お客様のコンピューターとの接続が切れました" : "The customer's PC disconnected";
    case SASAE_VSM_END_HOST_SILENT:
        return j ? "お客様のコンピューターから20秒間何も届かず、接続が切れました"
                 : "Nothing arrived from the customer's PC for 20 s: the connection was lost";
    case SASAE_VSM_END_RELAY_REFUSED:
        return j ? "中継サーバーが現在新しいセッションを受け付けていません。数分後にお試しください"
                 : "The relay cannot take new sessions right now — try again in a few minutes";
    case SASAE_VSM_END_OPERATOR:
        return j ? "リモートサポートを終了しました" : "You ended remote support";
    case SASAE_VSM_END_CODE_REJECTED:
        return j ? "サポートコードが無効です（誤りまたは期限切れ）"
                 : "The support code was not accepted (wrong or expired)";
    case SASAE_VSM_END_SECURITY:
        return j ? "セキュリティ検証に失敗したため接続を閉じました"
                 : "Security check failed — the session was closed";
    case SASAE_VSM_END_CODE_MISMATCH:
        return j ? "コードが一致しません。お客様にもう一度読み上げてもらってください"
                 : "The code does not match: ask the customer to read it again";
    case SASAE_VSM_END_ERROR:
        return j ? "エラーのため接続を閉じました" : "An error closed the session";
    case SASAE_VSM_END_NONE:
        break;
    }
    return "";
}
