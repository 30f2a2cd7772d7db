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
    [VS_ST_HANDSHAKE] = "Verifying the customer's computer…",
    [VS_ST_WAITING_CONSENT] = "Waiting for the customer to allow",
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
    [VS_HOST_KEY] = "Host key",
    [VS_LATENCY] = "latency",
    [VS_SYSINFO_TITLE] = "System information (F4)",
    [VS_SYSINFO_NONE] = "Not received yet.",
    [VS_STATS_TITLE] = "Statistics (F3)",
    [VS_KEYS_HELP] = "F2 1:1/fit · F3 statistics · F4 system info · F11 full screen · C clear pen",
    [VS_WAIT_CONSENT_DETAIL] =
        "The customer sees your verified name and must click Allow. Nothing is shared before.",
    [VS_TEST_PATTERN] = "TEST PATTERN (no host)",
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
    [VS_ST_HANDSHAKE] = "お客様のコンピューターを確認しています…",
    [VS_ST_WAITING_CONSENT] = "お客様の許可を待っています",
    [VS_ST_VIEWING] = "お客様の画面を表示しています",
    [VS_ST_CONTROL_REQUESTED] = "操作を要求しました — お客様の許可を待っています",
    [VS_ST_CONTROL_GRANTED] = "マウスとキーボードを操作できます",
    [VS_ST_ENDED] = "セッションは終了しました",
    [VS_BTN_POINTER] = "指し示す",
    [VS_BTN_PEN] = "赤ペン",
    [VS_BTN_CLEAR] = "消去",
    [VS_BTN_REQUEST_CONTROL] = "操作を要求",
    [VS_BTN_RELEASE_CONTROL] = "操作を返す",
    [VS_BTN_FIT] = "全体表示",
    [VS_BTN_1TO1] = "等倍",
    [VS_BTN_END] = "リモートサポートを終了",
    [VS_HOST_KEY] = "ホスト鍵",
    [VS_LATENCY] = "遅延",
    [VS_SYSINFO_TITLE] = "システム情報 (F4)",
    [VS_SYSINFO_NONE] = "まだ受信していません。",
    [VS_STATS_TITLE] = "統計 (F3)",
    [VS_KEYS_HELP] = "F2 等倍/全体 · F3 統計 · F4 システム情報 · F11 全画面 · C ペン消去",
    [VS_WAIT_CONSENT_DETAIL] =
        "お客様には確認済みのお名前が表示され、「許可」を押すまで何も共有されません。",
    [VS_TEST_PATTERN] = "テストパターン（ホストなし）",
};

const char *vstr(enum sasae_lang lang, enum vstr id)
{
    if (id < 0 || id >= VS__COUNT)
        return "";
    const char *s = (lang == SASAE_LANG_JA ? ja : en)[id];
    return s ? s : en[id] ? en[id] : "";
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
        return j ? "接続が切れました" : "Connection lost";
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
