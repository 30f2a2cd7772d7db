/* Support code entry: normalising, grouping "123 456 789", and the code box editor. */
#include "sasae/viewer.h"

#include <string.h>

int sasae_code_parse(const char *in, char out[SASAE_CODE_DIGITS + 1])
{
    int n = 0;
    if (!in)
        return -1;
    for (const char *p = in; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n == SASAE_CODE_DIGITS)
                return -1;
            out[n++] = *p;
        } else if (*p != ' ' && *p != '-' && *p != '.' && *p != '\t' && *p != '\n' && *p != '\r') {
            return -1;
        }
    }
    out[n] = '\0';
    return n == SASAE_CODE_DIGITS ? 0 : -1;
}

void sasae_code_format(const char *digits, char out[SASAE_CODE_SHOWN])
{
    int n = 0, o = 0;
    for (const char *p = digits; p && *p && n < SASAE_CODE_DIGITS; p++) {
        if (*p < '0' || *p > '9')
            continue;
        if (n > 0 && n % 3 == 0)
            out[o++] = ' ';
        out[o++] = *p;
        n++;
    }
    out[o] = '\0';
}

bool sasae_code_entry_type(struct sasae_code_entry *e, const char *utf8)
{
    bool changed = false;
    for (const char *p = utf8; p && *p; p++) {
        if (*p >= '0' && *p <= '9' && e->len < SASAE_CODE_DIGITS) {
            e->digits[e->len++] = *p;
            e->digits[e->len] = '\0';
            changed = true;
        }
    }
    return changed;
}

bool sasae_code_entry_backspace(struct sasae_code_entry *e)
{
    if (e->len == 0)
        return false;
    e->digits[--e->len] = '\0';
    return true;
}

bool sasae_code_entry_complete(const struct sasae_code_entry *e)
{
    return e->len == SASAE_CODE_DIGITS;
}
