/* The viewer's UI strings in English and Japanese. Internal to sasae-viewer. */
#ifndef SASAE_VIEWER_STRINGS_H
#define SASAE_VIEWER_STRINGS_H

#include "sasae/ui.h"
#include "sasae/viewer.h"

enum vstr {
    VS_TITLE,
    VS_CODE_PROMPT,
    VS_CODE_HINT,
    VS_CODE_TYPO,
    VS_CONNECT,
    VS_CLOSE,
    VS_ST_CONNECTING,
    VS_ST_WAITING_PEER,
    VS_ST_HANDSHAKE,
    VS_ST_WAITING_CONSENT,
    VS_ST_RECONNECTING,
    VS_ST_VIEWING,
    VS_ST_CONTROL_REQUESTED,
    VS_ST_CONTROL_GRANTED,
    VS_ST_ENDED,
    VS_BTN_POINTER,
    VS_BTN_PEN,
    VS_BTN_CLEAR,
    VS_BTN_REQUEST_CONTROL,
    VS_BTN_RELEASE_CONTROL,
    VS_BTN_FIT,
    VS_BTN_1TO1,
    VS_BTN_END,
    VS_BTN_HIGHLIGHTER,
    VS_BTN_UNDO,
    VS_TIP_POINTER,
    VS_TIP_PEN,
    VS_TIP_HIGHLIGHTER,
    VS_TIP_UNDO,
    VS_TIP_CLEAR,
    VS_TIP_REQUEST_CONTROL,
    VS_TIP_RELEASE_CONTROL,
    VS_TIP_MODE,
    VS_TIP_END,
    VS_HOST_KEY,
    VS_HOST_KEY_DETAIL,
    VS_HOST_NAME,
    VS_LATENCY,
    VS_SYSINFO_TITLE,
    VS_SYSINFO_NONE,
    VS_STATS_TITLE,
    VS_KEYS_HELP,
    VS_WAIT_CONSENT_DETAIL,
    VS_TEST_PATTERN,
    VS_BTN_MONITOR,
    VS_MONITOR_ALL,
    VS_TIP_MONITOR,
    VS_CHAT_YOU,
    VS_CHAT_CUSTOMER,
    VS_CHAT_HINT,
    VS__COUNT
};

/* The string for id in lang; never NULL. */
const char *vstr(enum sasae_lang lang, enum vstr id);

/* The end-screen sentence for an end reason, e.g. "The customer ended remote support". */
const char *vstr_end(enum sasae_lang lang, enum sasae_vsm_end e);

/* The end-screen sentence for a protocol violation by the host ("" for none). */
const char *vstr_fault(enum sasae_lang lang, enum sasae_vsm_fault f);

#endif
