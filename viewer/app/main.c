/* sasae-viewer: the operator's program. Parses the command line and config file, then runs
 * the SDL window or the headless front end on a session source. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "sasae/common.h"
#include "sasae/conf.h"

static const char usage[] =
    "Usage: sasae-viewer [options]\n"
    "Operator viewer for sasae remote support.\n"
    "\n"
    "Session:\n"
    "  --code CODE          support code (12 digits, spaces allowed); asked in the window if "
    "absent\n"
    "  --relay URL          relay address, wss://HOST:PORT/ (default wss://127.0.0.1:8443/)\n"
    "  --relay-ca FILE      CA certificate that signed the relay's TLS certificate\n"
    "  --relay-pin SHA256   or: SHA-256 of the relay's public key (SPKI DER), 64 hex digits\n"
    "  --cert FILE          operator certificate (PEM, from the organisation CA)\n"
    "  --key FILE           operator private key (PEM, Ed25519)\n"
    "  --proxy URL          HTTP CONNECT proxy http://[user:pass@]host:port (default "
    "$https_proxy)\n"
    "  --config FILE        key = value file with any of these long options\n"
    "                       (default $XDG_CONFIG_HOME/sasae/viewer.conf if it exists)\n"
    "  --consent-wait SEC   give up waiting for the customer's Allow after SEC (default 120)\n"
    "  --resume-window SEC  after losing the relay while viewing, try to resume this long\n"
    "                       (default and most 60; 0 = never; shorter only for tests)\n"
    "\n"
    "Window:\n"
    "  --size WxH           window size (default 1280x800)\n"
    "  --fullscreen         start full screen (F11 toggles)\n"
    "  --one-to-one         start in 1:1 mode (F2 toggles fit / 1:1)\n"
    "  --lang en|ja         UI language (default: from the locale)\n"
    "\n"
    "Headless (tests and benchmarks):\n"
    "  --headless           no window: decode every frame, print states on stdout\n"
    "  --dump-dir DIR       write decoded frames into DIR as frame-NNNNNN.png\n"
    "  --dump-format png|i420  PNG (RGB) or raw I420 (.yuv) dumps\n"
    "  --dump-every N       dump every Nth frame (default 1)\n"
    "  --frame-log FILE     per-frame log: ids, timestamps, decode ms, bytes, latency ms\n"
    "  --max-frames N       end the session (as the operator) after N frames\n"
    "  --duration SEC       end the session (as the operator) after SEC seconds of viewing\n"
    "  --send-file PATH     offer PATH to the customer once viewing (they are asked; the window\n"
    "                       also sends a file dropped on it)\n"
    "\n"
    "Debug:\n"
    "  --test-pattern WxH[@FPS]  show a local moving test pattern instead of a session\n"
    "  --test-end REASON@MS      with --test-pattern: end as REASON (customer-ended,\n"
    "                            customer-denied, connection-lost, ...) after MS ms\n"
    "  --log-level LEVEL    error|warn|info|debug (default info, or $SASAE_LOG)\n"
    "  --help, --version\n"
    "\n"
    "Keys: F2 fit/1:1, F3 statistics, F4 system information, F11 full screen,\n"
    "      P pen, C clear pen, arrows/wheel scroll in 1:1 (all go to the customer with control,\n"
    "      except F2, F3, F4 and F11).\n"
    "Exit codes: 0 operator ended, 1 error, 2 usage, 3 customer ended, 4 customer denied,\n"
    "      5 consent timeout, 6 connection to the relay lost, 7 code rejected, 8 security\n"
    "      failure, 9 the customer's PC disconnected, 10 the relay refused (busy),\n"
    "      11 nothing from the customer's PC for 20 s.\n";

static int set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = strdup(v);
    return *dst ? 0 : -1;
}

static bool parse_bool(const char *v)
{
    return !v || !*v || !strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes") ||
           !strcmp(v, "on");
}

static enum sasae_vsm_end end_by_name(const char *n)
{
    for (int e = SASAE_VSM_END_CUSTOMER; e <= SASAE_VSM_END_CODE_MISMATCH; e++)
        if (!strcmp(n, sasae_vsm_end_name(e)))
            return e;
    return SASAE_VSM_END_NONE;
}

/* Applies one option (name without dashes) from the command line or a config file. */
static int set_option(struct vcfg *c, const char *name, const char *v)
{
    char *end = NULL;
    if (!strcmp(name, "code")) {
        int rc = sasae_code_parse(v, c->code);
        if (rc == -2) {
            /* caught here, before any network attempt */
            fprintf(stderr, "sasae-viewer: the support code has a typo (its check digit does "
                            "not match): ask the customer to read it again\n");
            return -1;
        }
        if (rc != 0) {
            fprintf(stderr, "sasae-viewer: the support code must be 12 digits\n");
            return -1;
        }
        return 0;
    }
    if (!strcmp(name, "relay"))
        return set_str(&c->relay, v);
    if (!strcmp(name, "relay-ca"))
        return set_str(&c->relay_ca, v);
    if (!strcmp(name, "relay-pin"))
        return set_str(&c->relay_pin, v);
    if (!strcmp(name, "cert"))
        return set_str(&c->cert, v);
    if (!strcmp(name, "key"))
        return set_str(&c->key, v);
    if (!strcmp(name, "proxy"))
        return set_str(&c->proxy, v);
    if (!strcmp(name, "headless")) {
        c->headless = parse_bool(v);
        return 0;
    }
    if (!strcmp(name, "dump-dir"))
        return set_str(&c->dump_dir, v);
    if (!strcmp(name, "dump-format")) {
        if (strcmp(v, "png") && strcmp(v, "i420")) {
            fprintf(stderr, "sasae-viewer: --dump-format is png or i420\n");
            return -1;
        }
        c->dump_i420 = !strcmp(v, "i420");
        return 0;
    }
    if (!strcmp(name, "dump-every")) {
        c->dump_every = (int)strtol(v, &end, 10);
        return *end || c->dump_every < 1 ? -1 : 0;
    }
    if (!strcmp(name, "frame-log"))
        return set_str(&c->frame_log, v);
    if (!strcmp(name, "send-file"))
        return set_str(&c->send_file, v);
    if (!strcmp(name, "max-frames")) {
        c->max_frames = strtol(v, &end, 10);
        return *end || c->max_frames < 0 ? -1 : 0;
    }
    if (!strcmp(name, "duration")) {
        c->duration_s = strtod(v, &end);
        return *end || c->duration_s < 0 ? -1 : 0;
    }
    if (!strcmp(name, "resume-window")) {
        c->resume_window_s = (int)strtol(v, &end, 10);
        return *end || c->resume_window_s < 0 || c->resume_window_s > 60 ? -1 : 0;
    }
    if (!strcmp(name, "consent-wait")) {
        c->consent_wait_s = (int)strtol(v, &end, 10);
        return *end || c->consent_wait_s < 1 ? -1 : 0;
    }
    if (!strcmp(name, "size"))
        return sscanf(v, "%dx%d", &c->win_w, &c->win_h) == 2 && c->win_w >= 320 && c->win_h >= 240
                   ? 0
                   : -1;
    if (!strcmp(name, "fullscreen")) {
        c->fullscreen = parse_bool(v);
        return 0;
    }
    if (!strcmp(name, "one-to-one")) {
        c->one_to_one = parse_bool(v);
        return 0;
    }
    if (!strcmp(name, "lang")) {
        if (strcmp(v, "en") && strcmp(v, "ja"))
            return -1;
        return sasae_setenv("SASAE_LANG", v);
    }
    if (!strcmp(name, "log-level")) {
        int l = sasae_log_level_parse(v);
        if (l < 0)
            return -1;
        sasae_log_set_level(l);
        return 0;
    }
    if (!strcmp(name, "test-pattern")) {
        c->tp_fps = 30;
        int n = sscanf(v, "%dx%d@%d", &c->tp_w, &c->tp_h, &c->tp_fps);
        return n >= 2 && c->tp_w >= 2 && c->tp_h >= 2 && c->tp_w <= 8192 && c->tp_h <= 8192 &&
                       c->tp_fps >= 1 && c->tp_fps <= 240
                   ? 0
                   : -1;
    }
    if (!strcmp(name, "test-end")) {
        char reason[64];
        if (sscanf(v, "%63[a-z-]@%d", reason, &c->tp_end_ms) != 2 || c->tp_end_ms < 0)
            return -1;
        c->tp_end = end_by_name(reason);
        return c->tp_end == SASAE_VSM_END_NONE ? -1 : 0;
    }
    fprintf(stderr, "sasae-viewer: unknown option '%s'\n", name);
    return -1;
}

/* sasae_conf callback: one setting of the config file, as its --option would be. */
static int config_setting(void *ctx, const char *name, const char *value, char *err, size_t errlen)
{
    if (set_option(ctx, name, value ? value : "") == 0)
        return 0;
    snprintf(err, errlen, "bad setting '%s'", name);
    return -1;
}

/* Applies a config file (the syntax of sasae/conf.h). A missing file is fine unless
 * must_exist. Returns 0, or -1 after a message. */
static int load_config(struct vcfg *c, const char *path, bool must_exist)
{
    char err[512];
    int rc = sasae_conf_load(path, config_setting, c, err, sizeof err);
    if (rc == -ENOENT && !must_exist)
        return 0;
    if (rc != 0) {
        fprintf(stderr, "sasae-viewer: %s\n", err);
        return -1;
    }
    return 0;
}

static void cfg_free(struct vcfg *c)
{
    free(c->relay);
    free(c->relay_ca);
    free(c->relay_pin);
    free(c->cert);
    free(c->key);
    free(c->proxy);
    free(c->dump_dir);
    free(c->frame_log);
    free(c->send_file);
}

struct vsource *vapp_source_new(const struct vcfg *cfg, const struct vsink *sink)
{
    if (cfg->tp_w > 0) {
        SASAE_WARN("viewer", "debug test pattern %dx%d@%d: no host, no network", cfg->tp_w,
                   cfg->tp_h, cfg->tp_fps);
        return vsource_test_pattern_new(sink, cfg->tp_w, cfg->tp_h, cfg->tp_fps, cfg->tp_end,
                                        cfg->tp_end_ms);
    }
    return vsource_net_new(cfg, sink);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"code", required_argument, 0, 0},
        {"relay", required_argument, 0, 0},
        {"relay-ca", required_argument, 0, 0},
        {"relay-pin", required_argument, 0, 0},
        {"cert", required_argument, 0, 0},
        {"key", required_argument, 0, 0},
        {"proxy", required_argument, 0, 0},
        {"config", required_argument, 0, 0},
        {"headless", no_argument, 0, 0},
        {"dump-dir", required_argument, 0, 0},
        {"dump-format", required_argument, 0, 0},
        {"dump-every", required_argument, 0, 0},
        {"frame-log", required_argument, 0, 0},
        {"max-frames", required_argument, 0, 0},
        {"duration", required_argument, 0, 0},
        {"consent-wait", required_argument, 0, 0},
        {"resume-window", required_argument, 0, 0},
        {"size", required_argument, 0, 0},
        {"fullscreen", no_argument, 0, 0},
        {"one-to-one", no_argument, 0, 0},
        {"lang", required_argument, 0, 0},
        {"log-level", required_argument, 0, 0},
        {"test-pattern", required_argument, 0, 0},
        {"test-end", required_argument, 0, 0},
        {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},
        {"send-file", required_argument, 0, 0},
        {0, 0, 0, 0},
    };
    struct vcfg cfg = {
        .dump_every = 1, .consent_wait_s = 120, .resume_window_s = 60, .win_w = 1280, .win_h = 800};
    int rc = 2;

    /* The config file comes first so that the command line overrides it. */
    const char *config = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            config = argv[i + 1];
        else if (!strncmp(argv[i], "--config=", 9))
            config = argv[i] + 9;
    }
    if (config) {
        if (load_config(&cfg, config, true) != 0)
            goto out;
    } else {
        char path[4096];
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        if (xdg && *xdg)
            snprintf(path, sizeof path, "%s/sasae/viewer.conf", xdg);
        else
            snprintf(path, sizeof path, "%s/.config/sasae/viewer.conf", home ? home : ".");
        if (load_config(&cfg, path, false) != 0)
            goto out;
    }
    int idx = 0, ch;
    while ((ch = getopt_long(argc, argv, "hV", opts, &idx)) != -1) {
        if (ch == 'h') {
            fputs(usage, stdout);
            rc = 0;
            goto out;
        }
        if (ch == 'V') {
            puts("sasae-viewer " SASAE_VERSION);
            rc = 0;
            goto out;
        }
        if (ch != 0) {
            fputs(usage, stderr);
            goto out;
        }
        const char *name = opts[idx].name;
        if (!strcmp(name, "config"))
            continue;
        if (set_option(&cfg, name, optarg ? optarg : "") != 0) {
            fprintf(stderr, "sasae-viewer: bad value for --%s (see --help)\n", name);
            goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sasae-viewer: unexpected argument '%s'\n", argv[optind]);
        goto out;
    }
    if (cfg.tp_end && !cfg.tp_w) {
        fprintf(stderr, "sasae-viewer: --test-end needs --test-pattern\n");
        goto out;
    }
    if (cfg.headless && !cfg.code[0] && !cfg.tp_w) {
        fprintf(stderr, "sasae-viewer: --headless needs --code\n");
        goto out;
    }
    if (!cfg.relay && set_str(&cfg.relay, "wss://127.0.0.1:8443/") != 0)
        goto out;
    if (!cfg.proxy) {
        const char *p = getenv("https_proxy");
        if (!p || !*p)
            p = getenv("HTTPS_PROXY");
        if (p && *p && set_str(&cfg.proxy, p) != 0)
            goto out;
    }
    rc = cfg.headless ? vheadless_run(&cfg) : vgui_run(&cfg);
out:
    cfg_free(&cfg);
    return rc;
}
