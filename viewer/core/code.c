/* Support code entry: normalising, the check digit, grouping "123 456 789 012", and the code
 * box editor. */
#include "sasae/viewer.h"

#include <errno.h>
#include <string.h>

#include "sasae/supportcode.h"

_Static_assert(SASAE_CODE_DIGITS == SASAE_SCODE_DIGITS, "one code length");
_Static_assert(SASAE_CODE_SHOWN == SASAE_SCODE_SHOWN, "one code length");

int sasae_code_parse(const char *in, char out[SASAE_CODE_DIGITS + 1])
{
    int rc = sasae_scode_parse(in, out);
    return rc == 0 ? 0 : rc == -EBADMSG ? -2 : -1;
}

void sasae_code_format(const char *digits, char out[SASAE_CODE_SHOWN])
{
    sasae_scode_format(digits, out);
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
    return e->len == SASAE_CODE_DIGITS &&
           sasae_scode_damm(e->digits, SASAE_CODE_DIGITS - 1) == e->digits[SASAE_CODE_DIGITS - 1];
}

bool sasae_code_entry_typo(const struct sasae_code_entry *e)
{
    return e->len == SASAE_CODE_DIGITS && !sasae_code_entry_complete(e);
}
