/* Tests for host/proxycfg.c: the wss:// proxy chosen from a Windows proxy list. */
#include <criterion/criterion.h>

#include "proxycfg.h"

static const char *pick(const char *list, int want)
{
    static char out[300];
    out[0] = 0;
    int rc = host_proxycfg_pick(list, out, sizeof out);
    cr_assert_eq(rc, want, "'%s': %d, want %d", list, rc, want);
    return out;
}

Test(proxycfg, plain_host_port)
{
    cr_assert_str_eq(pick("proxy.example.jp:8080", 1), "http://proxy.example.jp:8080");
    cr_assert_str_eq(pick("10.1.2.3", 1), "http://10.1.2.3:80");
    cr_assert_str_eq(pick("http://proxy:3128/", 1), "http://proxy:3128");
}

Test(proxycfg, per_scheme_lists)
{
    cr_assert_str_eq(pick("http=a:1;https=b:2;ftp=c:3", 1), "http://b:2");
    cr_assert_str_eq(pick("https=b:2 http=a:1", 1), "http://b:2");
    /* an entry without scheme serves every scheme */
    cr_assert_str_eq(pick("http=a:1;d:4", 1), "http://d:4");
    /* only http= or socks=: nothing for wss:// */
    pick("http=a:1", 0);
    pick("socks=s:1080", 0);
    pick("", 0);
    pick(";; ", 0);
}

Test(proxycfg, malformed)
{
    pick("https=b:notaport", -1);
    pick("host:0", -1);
    pick("host:70000", -1);
    pick("ho$t:80", -1);
    pick(":8080", -1);
    char small[10];
    cr_assert_eq(host_proxycfg_pick("proxy.example.jp:8080", small, sizeof small), -1);
}
