/* What the host says about itself, picked out of its system information text. Pure. */
#include <string.h>

#include "sasae/viewer.h"

bool sasae_sysinfo_value(const char *text, size_t len, const char *key, char *out, size_t cap)
{
    size_t klen = strlen(key);
    if (!cap)
        return false;
    out[0] = '\0';
    for (size_t i = 0; i < len;) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        if (e - i > klen && !memcmp(text + i, key, klen) && text[i + klen] == '=') {
            size_t n = 0, k = i + klen + 1;
            for (; k < e && n + 1 < cap; k++) {
                unsigned char c = (unsigned char)text[k];
                /* a name for one status line: no control characters from the peer */
                out[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
            }
            if (k < e) { /* truncated: never end inside a UTF-8 sequence */
                size_t lead = n;
                while (lead > 0 && ((unsigned char)out[lead - 1] & 0xc0) == 0x80)
                    lead--;
                if (lead > 0) {
                    unsigned char c = (unsigned char)out[lead - 1];
                    size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
                    if (lead - 1 + want > n)
                        n = lead - 1;
                }
            }
            out[n] = '\0';
            return true;
        }
        i = e + 1;
    }
    return false;
}
