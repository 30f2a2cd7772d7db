/* The Windows proxy settings (Internet Options / Settings > Network > Proxy, manual proxy)
 * for the relay connection, read with WinHTTP. */
#include "platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <windows.h>
#include <winhttp.h>

#include "proxycfg.h"
#include "sasae/common.h"

#define TAG "proxy"

int host_plat_system_proxy(char *out, size_t cap)
{
    WINHTTP_CURRENT_USER_IE_PROXY_CONFIG pc = {0};
    if (!WinHttpGetIEProxyConfigForCurrentUser(&pc)) {
        SASAE_DBG(TAG, "no Windows proxy settings (error %lu)", GetLastError());
        return 0;
    }
    int rc = 0;
    if (pc.lpszProxy && *pc.lpszProxy) {
        char list[1024];
        if (WideCharToMultiByte(CP_UTF8, 0, pc.lpszProxy, -1, list, sizeof list, NULL, NULL) > 0) {
            rc = host_proxycfg_pick(list, out, cap);
            if (rc < 0)
                SASAE_WARN(TAG, "Windows proxy setting '%s' not understood: connecting directly",
                           list);
            else if (rc == 0)
                SASAE_INFO(TAG, "Windows proxy setting '%s' has no proxy for https", list);
            else
                SASAE_INFO(TAG, "using the Windows proxy setting: %s", out);
        }
    } else if (pc.fAutoDetect || pc.lpszAutoConfigUrl) {
        SASAE_WARN(TAG, "Windows uses automatic proxy configuration (WPAD/PAC), which sasae "
                        "does not evaluate: set https_proxy or --proxy if the relay is "
                        "only reachable through a proxy");
    }
    if (pc.lpszProxy)
        GlobalFree(pc.lpszProxy);
    if (pc.lpszProxyBypass)
        GlobalFree(pc.lpszProxyBypass);
    if (pc.lpszAutoConfigUrl)
        GlobalFree(pc.lpszAutoConfigUrl);
    return rc > 0;
}
