/* sasae-host: the customer's remote-support agent. Connects to the relay, shows the support
 * code, asks the customer before anything is shared, streams the screen, and ends at once
 * on "End remote support", on window close or on SIGINT/SIGTERM/SIGHUP. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "sasae/chan.h"
#include "sasae/common.h"
#include "sasae/conf.h"
#include "sasae/envelope.h"
#include "sasae/relayclient.h"
#include "sasae/supportcode.h"
#include "platform.h"
#include "session.h"
#include "ui.h"

#define TAG "host"

struct opts {
    const char *relay, *relay_ca, *relay_pin, *org_ca, *state_dir, *source, *display, *consent,
        *proxy, *log_file, *download_dir;
    int monitor, width, height, fps, bitrate, reconsent_min, max_file_mb, resume_window, file_ask_s;
    bool no_proxy;
};

struct app {
    pthread_mutex_t mu; /* ready, rc (replaced when the code is renewed), renew */
    pthread_cond_t cv;
    struct sasae_relayclient *rc;
    struct host_session *s;
    struct host_ui *ui;
    bool ready;
    bool renew; /* the session wants a new code: the main loop opens a new connection */
    atomic_bool closed;
    struct sasae_relayclient_config rcfg;
    struct sasae_relayclient_callbacks cb;
    uint64_t connected_ns; /* when the current connection was started */
    uint64_t renew_at;     /* not before: the backoff of a wanted renewal (0 = not set yet) */
};

/* A new connection (and code) at most this often, whatever the relay says. */
#define RENEW_MIN_NS (2ull * 1000000000ull)

static void usage(FILE *f)
{
    fprintf(f, "usage: sasae-host [options]\n"
               "Shares this screen with a help desk operator after you allow it.\n\n"
               "  --relay URL          relay address, wss://HOST:PORT/ (required)\n"
               "  --relay-ca FILE      CA certificate(s) that signed the relay's certificate\n"
               "  --relay-pin SHA256   or: SHA-256 of the relay's public key (64 hex digits)\n"
               "  --org-ca FILE        the support organisation's CA: operators must chain to it\n"
               "                       (its revocation list comes from the relay, checked against\n"
               "                       this CA, at every session: there is no --crl)\n"
               "  --state-dir DIR      where the device key lives (default ~/.local/state/sasae)\n"
               "  --source SRC         screen (default; x11 on Linux, dxgi or gdi on Windows),\n"
               "                       synthetic, or file:PATH (y4m or raw BGRA)\n"
               "  --size WxH           size for synthetic and raw sources\n"
               "  --monitor N          share only monitor N, never another (default: the whole\n"
               "                       desktop; the operator may switch between monitors)\n"
               "  --display NAME       X display (default $DISPLAY)\n"
               "  --consent gui|tty    ask in windows (default) or on this terminal\n"
               "  --fps N              capture rate (default 30)\n"
               "  --bitrate KBPS       initial video bitrate (default 1000)\n"
               "  --reconsent-minutes N  while sharing, ask \"Continue sharing?\" every N minutes\n"
               "                       and end if nobody answers in 60 s (default 30; 0 = never)\n"
               "  --resume-window SEC  a session cut by a relay loss resumes without a new prompt\n"
               "                       only within SEC of the loss (default and most 60; 0 =\n"
               "                       never; shorter only for tests)\n"
               "  --proxy URL          http://[user:pass@]host:port CONNECT proxy ($https_proxy)\n"
               "  --no-proxy           never use a proxy\n"
               "  --config FILE        read options from FILE, one 'name = value' per line\n"
               "  --log-level LEVEL    error, warn, info or debug\n"
               "  --log-file FILE      also append the log to FILE (Windows: default\n"
               "                       host.log in the state directory)\n"
               "  --download-dir DIR   where files the operator sends are offered to go (the\n"
               "                       customer is asked each time and may pick another folder;\n"
               "                       default: the Downloads folder)\n"
               "  --max-file-mb N      largest file the operator may send (default 100; 0 = no\n"
               "                       files at all)\n"
               "  --file-question-seconds N  decline a file nobody answers in N s (default 60)\n"
               "  --help               this text\n"
               "There is no option to skip the consent prompt.\n");
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
        if (n == cap) {
            if (cap >= (1u << 24))
                break;
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* Loads the device key from dir/device.key, creating it (readable only by this user) on
 * first run. */
static struct sasae_chan_key *device_key(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    if (host_plat_private_dir(dir, err, errlen) != 0)
        return NULL;
    snprintf(path, sizeof path, "%s/device.key", dir);
    int have = host_plat_private_file_check(path, err, errlen);
    if (have < 0)
        return NULL;
    if (have) {
        size_t len;
        char *pem = read_file(path, &len, err, errlen);
        if (!pem)
            return NULL;
        struct sasae_chan_key *k = sasae_chan_key_from_pem(pem, len);
        sasae_chan_pem_free(pem, len);
        if (!k)
            snprintf(err, errlen, "%.400s: not an Ed25519 private key", path);
        return k;
    }
    struct sasae_chan_key *k = sasae_chan_key_generate();
    char *pem = NULL;
    size_t len = 0;
    if (!k || sasae_chan_key_to_pem(k, &pem, &len) != SASAE_CHAN_OK) {
        snprintf(err, errlen, "cannot create a device key");
        sasae_chan_key_free(k);
        return NULL;
    }
    char werr[512];
    int w = host_plat_private_file_write(path, pem, len, werr, sizeof werr);
    sasae_chan_pem_free(pem, len);
    if (w != 0) {
        snprintf(err, errlen, "cannot write the device key: %.400s", werr);
        sasae_chan_key_free(k);
        return NULL;
    }
    SASAE_INFO(TAG, "created device key %s", path);
    return k;
}

/* ---- transport over the relay client -------------------------------------------------- */

/* Each transport call holds the app lock so the main loop cannot swap the client under it
 * (relay client calls only queue; they never call back). */
static int tr_send(void *ctx, const uint8_t *buf, size_t len)
{
    struct app *a = ctx;
    pthread_mutex_lock(&a->mu);
    int rc = a->rc ? sasae_relayclient_send_data(a->rc, buf, len) : -ENOTCONN;
    pthread_mutex_unlock(&a->mu);
    return rc;
}

static int tr_audit(void *ctx, int kind, const char *text)
{
    struct app *a = ctx;
    char t[256];
    snprintf(t, sizeof t, "%s", text); /* the relay's text limit */
    pthread_mutex_lock(&a->mu);
    int rc = a->rc ? sasae_relayclient_send_audit(a->rc, kind, t) : -ENOTCONN;
    pthread_mutex_unlock(&a->mu);
    return rc;
}

static size_t tr_queued(void *ctx)
{
    struct app *a = ctx;
    pthread_mutex_lock(&a->mu);
    size_t n = a->rc ? sasae_relayclient_queued_bytes(a->rc) : 0;
    pthread_mutex_unlock(&a->mu);
    return n;
}

static void tr_close(void *ctx, const char *why)
{
    struct app *a = ctx;
    pthread_mutex_lock(&a->mu);
    if (a->rc)
        sasae_relayclient_close_why(a->rc, why);
    pthread_mutex_unlock(&a->mu);
}

/* Only flags it: a client cannot be freed from its own callback (renew_connection does it). */
static void tr_renew(void *ctx)
{
    struct app *a = ctx;
    pthread_mutex_lock(&a->mu);
    a->renew = true;
    pthread_mutex_unlock(&a->mu);
    if (a->ui)
        host_ui_wake(a->ui);
}

/* Main loop: the session lost its code while waiting; register again on a new connection
 * (the new client first, so the shared client context stays up), then drop the old one. */
static void renew_connection(struct app *a)
{
    uint64_t now = sasae_mono_ns();
    /* asked of the session before a->mu is taken: the network thread takes a->mu (tr_send)
     * while it holds the session's lock, so the other order could deadlock */
    bool ended = host_session_ended(a->s); /* e.g. End pressed while waiting to reconnect */
    uint64_t delay = host_session_renew_delay_ns(a->s);
    pthread_mutex_lock(&a->mu);
    if (ended)
        a->renew = false;
    if (a->renew && !a->renew_at)
        /* the relay unreachable: back off (the state machine counts the failures) */
        a->renew_at = now + delay;
    /* after the old connection has closed: a code that did not match closes it from here,
     * and its close must not reach the session as a lost relay (see cb_closed) */
    bool want = a->renew && atomic_load(&a->closed) && now >= a->connected_ns + RENEW_MIN_NS &&
                now >= a->renew_at;
    if (want) {
        a->renew = false;
        a->renew_at = 0;
    }
    pthread_mutex_unlock(&a->mu);
    if (!want)
        return;
    struct sasae_relayclient *nc = NULL;
    atomic_store(&a->closed, false);
    a->connected_ns = sasae_mono_ns();
    /* after a relay loss while sharing: present the resume ticket instead of registering */
    uint8_t ticket[SASAE_CHAN_TICKET_LEN];
    struct sasae_relayclient_config rcfg = a->rcfg;
    if (host_session_resume_ticket(a->s, ticket)) {
        rcfg.resume_ticket = ticket;
        SASAE_INFO(TAG, "reconnecting to the relay to resume the session");
    }
    int r = sasae_relayclient_new(&rcfg, &a->cb, a, &nc);
    pthread_mutex_lock(&a->mu);
    struct sasae_relayclient *old = a->rc;
    a->rc = nc;
    pthread_mutex_unlock(&a->mu);
    sasae_relayclient_free(old);
    if (r < 0) {
        char why[128];
        snprintf(why, sizeof why, "relay client: %s", strerror(-r));
        SASAE_ERR(TAG, "cannot reconnect for a new code: %s", why);
        host_session_on_closed(a->s, why);
        atomic_store(&a->closed, true);
    }
}

/* Callbacks can start before sasae_relayclient_new() has returned: wait until the app is
 * wired up. */
static void wait_ready(struct app *a)
{
    pthread_mutex_lock(&a->mu);
    while (!a->ready)
        pthread_cond_wait(&a->cv, &a->mu);
    pthread_mutex_unlock(&a->mu);
}

static void cb_registered(void *user, const char *code, uint32_t valid_secs)
{
    struct app *a = user;
    wait_ready(a);
    /* the code is logged (and shown) by the session once the revocation list is checked;
     * only its first 7 digits went through the relay */
    SASAE_INFO(TAG, "registered (the relay's part %s valid %u s)", code, valid_secs);
    host_session_on_registered(a->s, code);
}

static void cb_crl(void *user, const uint8_t *der, size_t len)
{
    struct app *a = user;
    wait_ready(a);
    host_session_on_crl(a->s, der, len);
}

static void cb_paired(void *user, const char *operator_name, const char *org)
{
    struct app *a = user;
    wait_ready(a);
    /* the relay's names are not trusted: the end-to-end handshake proves identity */
    SASAE_INFO(TAG, "operator joined (relay says %s, %s); verifying end to end", operator_name,
               org);
    host_session_on_paired(a->s);
}

static void cb_data(void *user, const uint8_t *body, size_t len)
{
    struct app *a = user;
    wait_ready(a);
    host_session_on_data(a->s, body, len);
}

static void cb_peer_left(void *user, int reason, const char *text)
{
    struct app *a = user;
    wait_ready(a);
    char why[300];
    snprintf(why, sizeof why, "operator left (%d%s%s)", reason, text && *text ? ": " : "",
             text ? text : "");
    host_session_on_peer_left(a->s, why);
}

static void cb_closed(void *user, int end, int error_code, const char *text)
{
    struct app *a = user;
    wait_ready(a);
    char why[300];
    snprintf(why, sizeof why, "%s%s%s", sasae_relayclient_end_str(end), text && *text ? ": " : "",
             text ? text : "");
    /* the relay expired or burned the code: while nobody has joined, get a new one */
    bool lost = end == SASAE_RELAYCLIENT_END_RELAY_ERROR &&
                (error_code == SASAE_ENV_ERR_UNPAIRED || error_code == SASAE_ENV_ERR_BURNED);
    if (lost &&
        host_session_on_code_lost(a->s,
                                  error_code == SASAE_ENV_ERR_BURNED ? SASAE_HS_RENEW_BURNED
                                                                     : SASAE_HS_RENEW_EXPIRED,
                                  why)) {
        SASAE_WARN(TAG, "%s: getting a new support code", why);
        atomic_store(&a->closed, true);
        host_ui_wake(a->ui);
        return;
    }
    pthread_mutex_lock(&a->mu);
    bool renewing = a->renew;
    pthread_mutex_unlock(&a->mu);
    if (renewing) {
        /* the session gave this connection up to register again (the operator's code did
         * not match): its end, by our close or the viewer leaving first, ends nothing */
        atomic_store(&a->closed, true);
        host_ui_wake(a->ui);
        return;
    }
    if (end != SASAE_RELAYCLIENT_END_LOCAL && !host_session_ended(a->s))
        SASAE_WARN(TAG, "relay connection closed: %s (error %d)", why, error_code);
    bool refused = end == SASAE_RELAYCLIENT_END_RELAY_ERROR &&
                   (error_code == SASAE_ENV_ERR_FULL || error_code == SASAE_ENV_ERR_INTERNAL ||
                    error_code == SASAE_ENV_ERR_SHUTDOWN || error_code == SASAE_ENV_ERR_RATE);
    if (refused)
        host_session_on_refused(a->s, why);
    else
        host_session_on_closed(a->s, why);
    atomic_store(&a->closed, true);
    host_ui_wake(a->ui);
}

static void ui_wake(void *user)
{
    struct app *a = user;
    if (a->ui)
        host_ui_wake(a->ui);
}

/* ---- options --------------------------------------------------------------------------- */

enum {
    O_RELAY = 1000,
    O_RELAY_CA,
    O_RELAY_PIN,
    O_ORG_CA,
    O_CRL,
    O_STATE,
    O_SOURCE,
    O_SIZE,
    O_MONITOR,
    O_DISPLAY,
    O_CONSENT,
    O_FPS,
    O_BITRATE,
    O_RECONSENT,
    O_RESUME_WINDOW,
    O_PROXY,
    O_NO_PROXY,
    O_CONFIG,
    O_LOG,
    O_LOG_FILE,
    O_DOWNLOAD_DIR,
    O_MAX_FILE_MB,
    O_FILE_ASK,
    O_HELP
};

static const struct option longopts[] = {
    {"relay", required_argument, 0, O_RELAY},
    {"relay-ca", required_argument, 0, O_RELAY_CA},
    {"relay-pin", required_argument, 0, O_RELAY_PIN},
    {"org-ca", required_argument, 0, O_ORG_CA},
    {"crl", required_argument, 0, O_CRL},
    {"state-dir", required_argument, 0, O_STATE},
    {"source", required_argument, 0, O_SOURCE},
    {"size", required_argument, 0, O_SIZE},
    {"monitor", required_argument, 0, O_MONITOR},
    {"display", required_argument, 0, O_DISPLAY},
    {"consent", required_argument, 0, O_CONSENT},
    {"fps", required_argument, 0, O_FPS},
    {"bitrate", required_argument, 0, O_BITRATE},
    {"reconsent-minutes", required_argument, 0, O_RECONSENT},
    {"resume-window", required_argument, 0, O_RESUME_WINDOW},
    {"proxy", required_argument, 0, O_PROXY},
    {"no-proxy", no_argument, 0, O_NO_PROXY},
    {"config", required_argument, 0, O_CONFIG},
    {"log-level", required_argument, 0, O_LOG},
    {"log-file", required_argument, 0, O_LOG_FILE},
    {"download-dir", required_argument, 0, O_DOWNLOAD_DIR},
    {"max-file-mb", required_argument, 0, O_MAX_FILE_MB},
    {"file-question-seconds", required_argument, 0, O_FILE_ASK},
    {"help", no_argument, 0, O_HELP},
    {0, 0, 0, 0},
};

static int parse_int(const char *v, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi)
        return -1;
    *out = (int)n;
    return 0;
}

static int apply_opt(struct opts *o, int id, const char *v)
{
    switch (id) {
    case O_RELAY:
        o->relay = v;
        return 0;
    case O_RELAY_CA:
        o->relay_ca = v;
        return 0;
    case O_RELAY_PIN:
        o->relay_pin = v;
        return 0;
    case O_ORG_CA:
        o->org_ca = v;
        return 0;
    case O_CRL:
        /* A file given once would go stale or be kept past a revocation: the relay hands
         * over the current one at every session, and the host checks it. */
        fprintf(stderr, "sasae-host: --crl is gone: the host gets the organisation's "
                        "current revocation list from the relay at every session\n");
        (void)v;
        return -1;
    case O_STATE:
        o->state_dir = v;
        return 0;
    case O_SOURCE:
        o->source = v;
        return 0;
    case O_SIZE:
        return sscanf(v, "%dx%d", &o->width, &o->height) == 2 && o->width > 0 && o->height > 0 &&
                       o->width <= 8192 && o->height <= 8192
                   ? 0
                   : -1;
    case O_MONITOR:
        return parse_int(v, 0, 63, &o->monitor);
    case O_DISPLAY:
        o->display = v;
        return 0;
    case O_CONSENT:
        if (strcmp(v, "gui") != 0 && strcmp(v, "tty") != 0)
            return -1;
        o->consent = v;
        return 0;
    case O_FPS:
        return parse_int(v, 1, 60, &o->fps);
    case O_BITRATE:
        return parse_int(v, 50, 50000, &o->bitrate);
    case O_RECONSENT:
        return parse_int(v, 0, 1440, &o->reconsent_min);
    case O_RESUME_WINDOW: /* never longer than the rule's 60 s */
        return parse_int(v, 0, 60, &o->resume_window);
    case O_PROXY:
        o->proxy = v;
        return 0;
    case O_NO_PROXY:
        o->no_proxy = true;
        return 0;
    case O_LOG_FILE:
        o->log_file = v;
        return 0;
    case O_DOWNLOAD_DIR:
        o->download_dir = v;
        return 0;
    case O_FILE_ASK:
        return parse_int(v, 1, 3600, &o->file_ask_s);
    case O_MAX_FILE_MB:
        return parse_int(v, 0, 1 << 20, &o->max_file_mb);
    case O_LOG: {
        int l = sasae_log_level_parse(v);
        if (l < 0)
            return -1;
        sasae_log_set_level((enum sasae_log_level)l);
        return 0;
    }
    default:
        return -1;
    }
}

/* Values from --config files: options point at them until the program exits. */
static char **config_values;
static size_t n_config_values;

static void config_values_free(void)
{
    for (size_t i = 0; i < n_config_values; i++)
        free(config_values[i]);
    free(config_values);
}

/* sasae_conf callback: one setting of a --config file, as its --option would be. */
static int config_setting(void *ctx, const char *name, const char *value, char *err, size_t errlen)
{
    struct opts *o = ctx;
    const struct option *opt = NULL;
    for (const struct option *p = longopts; p->name; p++)
        if (strcmp(p->name, name) == 0)
            opt = p;
    char *copy = NULL, **grown = NULL;
    if (!opt || opt->val == O_CONFIG || opt->val == O_HELP || (opt->has_arg && !value))
        goto bad;
    if (value) {
        copy = strdup(value);
        grown = realloc(config_values, (n_config_values + 1) * sizeof *grown);
        if (!copy || !grown) {
            free(copy);
            if (grown)
                config_values = grown;
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        if (!config_values)
            atexit(config_values_free);
        config_values = grown;
        config_values[n_config_values++] = copy;
    }
    if (apply_opt(o, opt->val, copy) == 0)
        return 0;
bad:
    snprintf(err, errlen, "bad setting '%s'", name);
    return -1;
}

/* Applies a --config file (the syntax of sasae/conf.h). */
static int read_config(struct opts *o, const char *path)
{
    char err[512];
    if (sasae_conf_load(path, config_setting, o, err, sizeof err) != 0) {
        fprintf(stderr, "sasae-host: %s\n", err);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int helper_rc;
    if (host_plat_helper_run(argc, argv, &helper_rc))
        return helper_rc;
    /* Trust comes only from what this program is given (options or the brand block): no
     * OpenSSL configuration file is ever read (OPENSSL_CONF included), and the relay client
     * never loads default verify paths (so SSL_CERT_FILE / SSL_CERT_DIR mean nothing). */
    if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL)) {
        fprintf(stderr, "sasae-host: OpenSSL failed to initialise\n");
        return 1;
    }
    struct opts o = {.source = "screen",
                     .monitor = -1,
                     .reconsent_min = 30,
                     .max_file_mb = 100,
                     .resume_window = 60,
                     .file_ask_s = 60};
    int id;
    while ((id = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (id == O_HELP || id == 'h') {
            usage(stdout);
            return 0;
        }
        if (id == O_CONFIG) {
            if (read_config(&o, optarg) != 0)
                return 2;
            continue;
        }
        if (id == '?' || apply_opt(&o, id, optarg) != 0) {
            if (id != '?')
                fprintf(stderr, "sasae-host: bad value for --%s: '%s'\n",
                        longopts[id - O_RELAY].name, optarg ? optarg : "");
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sasae-host: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    /* A help desk's branded copy carries its relay and CAs: they cannot be changed from the
     * command line, so nobody can talk a customer into running it against another relay or
     * trusting other operators. A damaged brand block is an error, never a fallback. */
    struct sasae_brand brand;
    char berr[256];
    int branded = host_brand_load(&brand, berr, sizeof berr);
    char brand_url[600];
    if (branded < 0) {
        fprintf(stderr, "sasae-host: %s; download a fresh copy from your help desk\n", berr);
        return 2;
    }
    if (branded == 0) {
        if (o.relay || o.relay_ca || o.relay_pin || o.org_ca) {
            fprintf(stderr,
                    "sasae-host: this copy is set up for %.*s: its relay and "
                    "certificates cannot be changed with options\n",
                    brand.org_name ? (int)brand.org_name_len : 11,
                    brand.org_name ? brand.org_name : "a help desk");
            return 2;
        }
        snprintf(brand_url, sizeof brand_url, "%.*s", (int)brand.relay_url_len, brand.relay_url);
        o.relay = brand_url;
        SASAE_INFO(TAG, "set up for %.*s, relay %s", (int)brand.org_name_len,
                   brand.org_name ? brand.org_name : "", o.relay);
    } else if (!o.relay || (!o.relay_ca && !o.relay_pin) || !o.org_ca) {
        fprintf(stderr, "sasae-host: --relay, --relay-ca (or --relay-pin) and --org-ca are "
                        "required (see --help)\n");
        return 2;
    }
    /* the real screen (not a synthetic or file source): input and overlay go there too */
    bool screen = sasae_cap_is_screen(o.source);
    /* the prompts must appear on the screen that is shared */
    if (o.display)
        sasae_setenv("DISPLAY", o.display);
    const char *display = getenv("DISPLAY");
    if (!o.consent)
        o.consent = host_plat_has_desktop(display) ? "gui" : "tty";

    int rc = 1;
    char err[512] = "";
    char state_default[4096];
    if (host_plat_init(err, sizeof err) != 0)
        goto early;
    if (!o.state_dir) {
        if (host_plat_state_dir(state_default, sizeof state_default, err, sizeof err) != 0)
            goto early;
        o.state_dir = state_default;
    }
    char log_default[4200];
    if (!o.log_file && host_plat_log_in_state_dir()) {
        snprintf(log_default, sizeof log_default, "%s/host.log", o.state_dir);
        o.log_file = log_default;
    }
    if (o.log_file && (host_plat_private_dir(o.state_dir, err, sizeof err) != 0 ||
                       sasae_log_to_file(o.log_file) != 0))
        SASAE_WARN(TAG, "cannot write the log file %s", o.log_file);

    struct app a = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    atomic_init(&a.closed, false);
    struct sasae_chan_key *key = NULL;
    struct sasae_chan_trust *trust = NULL;
    char *ca = NULL;
    size_t ca_len = 0;

    key = device_key(o.state_dir, err, sizeof err);
    if (!key)
        goto out;
    char fpr[SASAE_CHAN_FPR_LEN];
    sasae_chan_key_fingerprint(key, fpr);
    SASAE_INFO(TAG, "device key %s", fpr);
    const char *org_ca = NULL;
    if (branded == 0) {
        org_ca = brand.org_ca;
        ca_len = brand.org_ca_len;
        if (brand.crl_len) /* branded by an older sasae-certs: a frozen CRL is never used */
            SASAE_WARN(TAG, "the CRL in this copy's brand is ignored: the current one comes "
                            "from the relay");
    } else {
        if (!(ca = read_file(o.org_ca, &ca_len, err, sizeof err)))
            goto out;
        org_ca = ca;
    }
    /* Only to refuse an unusable CA file now, not at the first operator: sessions build
     * their trust with the CRL the relay hands over (host_session_on_crl). */
    enum sasae_chan_err ce;
    trust = sasae_chan_trust_new(org_ca, ca_len, NULL, 0, &ce);
    if (!trust) {
        snprintf(err, sizeof err, "organisation CA unusable: %s", sasae_chan_strerror(ce));
        goto out;
    }
    sasae_chan_trust_free(trust);
    trust = NULL;

    if (strcmp(o.consent, "gui") == 0) {
        a.ui = host_ui_gui_new(err, sizeof err);
    } else {
        a.ui = host_plat_tty_ui(err, sizeof err);
    }
    if (!a.ui)
        goto out;

    char download_default[4096];
    if (o.max_file_mb && !o.download_dir) {
        char derr[512];
        if (host_plat_download_dir(download_default, sizeof download_default, derr, sizeof derr) ==
            0)
            o.download_dir = download_default;
        else
            SASAE_WARN(TAG, "files from the operator are off: %s", derr);
    }
    struct host_transport tr = {tr_send, tr_audit, tr_queued, tr_close, tr_renew, &a};
    struct host_session_config sc = {.device = key,
                                     .org_ca = org_ca,
                                     .org_ca_len = ca_len,
                                     .cap = {.source = o.source,
                                             .display = display,
                                             .monitor = o.monitor,
                                             .width = o.width,
                                             .height = o.height,
                                             .fps = o.fps},
                                     .platform_io = screen,
                                     .display = display,
                                     .fps = o.fps,
                                     .bitrate_kbps = o.bitrate,
                                     .reconsent_s = o.reconsent_min * 60,
                                     .resume_window_s = o.resume_window,
                                     .download_dir = o.max_file_mb ? o.download_dir : NULL,
                                     .file_max = (uint64_t)o.max_file_mb << 20,
                                     .file_ask_s = o.file_ask_s,
                                     .wake = ui_wake,
                                     .wake_user = &a};
    a.s = host_session_new(&sc, &tr, err, sizeof err);
    if (!a.s)
        goto out;

    host_plat_catch_stop(ui_wake, &a);

    /* no --proxy and no $https_proxy: the computer's own proxy setting, if it has one */
    char sys_proxy[300];
    const char *env_px = getenv("https_proxy");
    if (!env_px || !*env_px)
        env_px = getenv("HTTPS_PROXY");
    if (!o.no_proxy && !o.proxy && (!env_px || !*env_px) &&
        host_plat_system_proxy(sys_proxy, sizeof sys_proxy) == 1)
        o.proxy = sys_proxy;
    a.rcfg = (struct sasae_relayclient_config){.url = o.relay,
                                               .role = SASAE_RELAYCLIENT_HOST,
                                               .ca_file = o.relay_ca,
                                               .ca_pem = branded == 0 ? brand.relay_ca : NULL,
                                               .ca_pem_len = branded == 0 ? brand.relay_ca_len : 0,
                                               .pin_sha256 = o.relay_pin,
                                               .proxy = o.no_proxy ? "" : o.proxy,
                                               .use_env_proxy = !o.no_proxy && !o.proxy,
                                               .reconnect_attempts = 3};
    a.cb = (struct sasae_relayclient_callbacks){cb_registered, cb_paired, cb_data,
                                                cb_peer_left,  cb_closed, cb_crl};
    a.connected_ns = sasae_mono_ns();
    struct sasae_relayclient *first = NULL;
    int r = sasae_relayclient_new(&a.rcfg, &a.cb, &a, &first);
    pthread_mutex_lock(&a.mu);
    a.rc = first;
    pthread_mutex_unlock(&a.mu);
    if (r < 0) {
        snprintf(err, sizeof err, "relay client: %s", strerror(-r));
        goto out;
    }
    pthread_mutex_lock(&a.mu);
    a.ready = true;
    pthread_cond_broadcast(&a.cv);
    pthread_mutex_unlock(&a.mu);

    bool signalled = false;
    for (;;) {
        int stop = host_plat_stop_requested();
        if (stop) {
            SASAE_INFO(TAG, "%s: ending remote support", host_plat_stop_name(stop));
            signalled = true;
            host_session_signal(a.s);
        }
        /* stopped by a signal (logout, service stop): end and exit, nobody to click Close */
        if (signalled && host_session_ended(a.s))
            break;
        renew_connection(&a);
        host_session_tick(a.s);
        struct host_view v;
        host_session_view(a.s, &v);
        enum host_ui_answer ans = host_ui_step(a.ui, &v, 100);
        int keep[4 * SASAE_OVERLAY_MAX_KEEPOUT];
        host_session_keepout(a.s, keep, host_ui_windows(a.ui, keep, SASAE_OVERLAY_MAX_KEEPOUT));
        char chat[HOST_CHAT_MAX + 1];
        int chat_len = host_ui_take_chat(a.ui, chat, sizeof chat);
        if (chat_len > 0 && host_session_chat(a.s, chat, (size_t)chat_len) != 0)
            SASAE_WARN(TAG, "the customer's chat message was not sent");
        if (ans == HOST_UI_QUIT)
            break;
        if (ans == HOST_UI_FILE_SAVE || ans == HOST_UI_FILE_DECLINE) {
            host_session_file_answer(a.s, ans == HOST_UI_FILE_SAVE, host_ui_file_dir(a.ui));
        } else if (ans != HOST_UI_NONE) {
            SASAE_INFO(TAG, "customer: %s", host_ui_answer_str(ans));
            host_session_answer(a.s, ans);
        }
    }
    rc = 0;
out:
    if (err[0])
        fprintf(stderr, "sasae-host: %s\n", err);
    if (a.rc) {
        /* when the viewer ended it, let the viewer close first (the relay's audit log names
         * who ended a session by who closed first); then let the END record reach the relay
         * (bounded wait) and tear down */
        char why[48] = "";
        for (int i = 0; i < 15 && a.s && host_session_close_pending(a.s, why, sizeof why) &&
                        !atomic_load(&a.closed);
             i++)
            usleep(100000);
        if (a.s)
            host_session_close_pending(a.s, why, sizeof why);
        sasae_relayclient_close_why(a.rc, why[0] ? why : NULL);
        for (int i = 0; i < 30 && !atomic_load(&a.closed); i++)
            usleep(100000);
        sasae_relayclient_free(a.rc);
        a.rc = NULL;
    }
    if (a.s) {
        struct host_session_stats st;
        host_session_stats(a.s, &st);
        SASAE_INFO(TAG,
                   "session summary: %llu frames (%llu video bytes, %llu dropped while busy, "
                   "%llu keepalives), %llu inputs injected, %llu dropped",
                   (unsigned long long)st.frames_sent, (unsigned long long)st.video_bytes,
                   (unsigned long long)st.frames_dropped, (unsigned long long)st.keepalives,
                   (unsigned long long)st.inputs_injected, (unsigned long long)st.inputs_dropped);
        /* the relay cannot see these (end-to-end encrypted): this line is their record */
        SASAE_INFO(TAG,
                   "session summary: clipboard %llu to the customer, %llu from the customer, "
                   "%llu refused; chat %llu messages from the operator, %llu from the customer, "
                   "%llu refused",
                   (unsigned long long)st.clip_to_customer,
                   (unsigned long long)st.clip_from_customer, (unsigned long long)st.clip_refused,
                   (unsigned long long)st.chat_in, (unsigned long long)st.chat_out,
                   (unsigned long long)st.chat_refused);
    }
    host_session_free(a.s);
    host_ui_free(a.ui);
    sasae_chan_trust_free(trust);
    sasae_chan_key_free(key);
    free(ca);
    host_plat_stop_done();
    return rc;
early:
    fprintf(stderr, "sasae-host: %s\n", err);
    return 1;
}
