/* Unit tests of the configuration syntax shared by relay, host and viewer (sasae/conf.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sasae/conf.h"

struct got {
    char out[1024];
    int n;
    const char *refuse; /* a name the callback refuses */
};

static int take(void *ctx, const char *name, const char *value, char *err, size_t errlen)
{
    struct got *g = ctx;
    if (g->refuse && strcmp(name, g->refuse) == 0) {
        snprintf(err, errlen, "bad setting '%s'", name);
        return -1;
    }
    size_t used = strlen(g->out);
    snprintf(g->out + used, sizeof g->out - used, "[%s=%s]", name, value ? value : "(switch)");
    g->n++;
    return 0;
}

static int parse(const char *text, struct got *g, char *err)
{
    memset(g->out, 0, sizeof g->out);
    g->n = 0;
    return sasae_conf_parse(text, strlen(text), take, g, err, 256);
}

Test(conf, names_values_comments_switches)
{
    struct got g = {0};
    char err[256] = "";
    cr_assert_eq(parse("# comment\n\n  relay = wss://r.example:443/  \r\n"
                       "\tport=8443\nno-proxy\n   # indented comment\n",
                       &g, err),
                 0, "%s", err);
    cr_assert_str_eq(g.out, "[relay=wss://r.example:443/][port=8443][no-proxy=(switch)]");
}

Test(conf, hash_inside_a_value_is_kept)
{
    /* the viewer used to cut a proxy password at '#' */
    struct got g = {0};
    char err[256] = "";
    cr_assert_eq(parse("proxy = http://u:pa#ss@127.0.0.1:3128\n", &g, err), 0, "%s", err);
    cr_assert_str_eq(g.out, "[proxy=http://u:pa#ss@127.0.0.1:3128]");
}

Test(conf, quotes)
{
    struct got g = {0};
    char err[256] = "";
    cr_assert_eq(parse("a = \"  spaced # value \"\nb = \"q\\\"x\\\\y\"  \nc = \"\"\n", &g, err), 0,
                 "%s", err);
    cr_assert_str_eq(g.out, "[a=  spaced # value ][b=q\"x\\y][c=]");
    cr_assert_eq(parse("a = \"open\n", &g, err), -1);
    cr_assert_str_eq(err, "line 1: missing closing quote");
    cr_assert_eq(parse("x = 1\na = \"v\" tail\n", &g, err), -1);
    cr_assert_str_eq(err, "line 2: text after the closing quote");
    cr_assert_eq(parse("a = \"\\n\"\n", &g, err), -1);
}

Test(conf, errors_name_the_line_and_stop)
{
    struct got g = {.refuse = "sauce"};
    char err[256] = "";
    cr_assert_eq(parse("relay = x\nsauce = soy\nport = 1\n", &g, err), -1);
    cr_assert_str_eq(err, "line 2: bad setting 'sauce'");
    cr_assert_eq(g.n, 1, "nothing after the bad line is applied");
    cr_assert_eq(parse("= value\n", &g, err), -1);
    cr_assert_str_eq(err, "line 1: expected a name (a-z, 0-9, -)");
    cr_assert_eq(parse("Relay = x\n", &g, err), -1);
    cr_assert_eq(parse("relay x\n", &g, err), -1);
    cr_assert_str_eq(err, "line 1: expected name = value");
    cr_assert_eq(parse("a = b\x01\n", &g, err), -1);
    cr_assert_str_eq(err, "line 1: control character in the value");
    char nul[] = "a = b\0c\n";
    cr_assert_eq(sasae_conf_parse(nul, sizeof nul - 1, take, &g, err, sizeof err), -1);
    cr_assert_str_eq(err, "line 1: NUL byte in the line");
}

Test(conf, long_lines_refused)
{
    static char text[6000];
    memset(text, 'x', sizeof text - 2);
    memcpy(text, "a = ", 4);
    text[sizeof text - 2] = '\n';
    struct got g = {0};
    char err[256] = "";
    cr_assert_eq(sasae_conf_parse(text, sizeof text - 1, take, &g, err, sizeof err), -1);
    cr_assert_str_eq(err, "line 1: line longer than 4096 bytes");
}

Test(conf, load_reports_path_and_line)
{
    char path[] = "/tmp/sasae-conf-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    const char *text = "relay = x\nsauce = soy\n";
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct got g = {.refuse = "sauce"};
    char err[512] = "", want[600];
    cr_assert_eq(sasae_conf_load(path, take, &g, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:2: bad setting 'sauce'", path);
    cr_assert_str_eq(err, want);
    unlink(path);
    cr_assert_eq(sasae_conf_load(path, take, &g, err, sizeof err), -ENOENT);
}
