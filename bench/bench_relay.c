/* bench_relay: load generator for sasae-relay — N host/viewer sessions each sending M Mbit/s
 * host->viewer through the relay (or N idle registered hosts); reports throughput, one-way
 * latency through the relay (p50/p99), and the relay's CPU and RSS from /proc. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procstat.h"
#include "sasae/common.h"
#include "sasae/relayclient.h"

struct sess {
    struct sasae_relayclient *host, *viewer;
    char code[16];
    atomic_int registered, host_paired, viewer_paired, ended;
};

static struct {
    const char *url, *ca, *cert, *key;
    int sessions, seconds, msg_size, idle, relay_pid, procs, child;
    int go_fd, ready_fd;
    double mbps;
} o = {.sessions = 100, .seconds = 10, .msg_size = 4096, .mbps = 1.0, .procs = 1};

/* Latency samples (us), written by the service thread only. */
static uint32_t *lat;
static atomic_size_t n_lat, lat_cap;
static atomic_ullong rx_bytes, rx_msgs;
static atomic_int measuring;

static void h_registered(void *u, const char *code, uint32_t secs)
{
    struct sess *s = u;
    (void)secs;
    snprintf(s->code, sizeof(s->code), "%s", code);
    atomic_store(&s->registered, 1);
}

static void h_paired(void *u, const char *op, const char *org)
{
    (void)op;
    (void)org;
    atomic_store(&((struct sess *)u)->host_paired, 1);
}

static void v_paired(void *u, const char *op, const char *org)
{
    (void)op;
    (void)org;
    atomic_store(&((struct sess *)u)->viewer_paired, 1);
}

static void v_data(void *u, const uint8_t *b, size_t n)
{
    (void)u;
    if (n < 8 || !atomic_load(&measuring))
        return;
    uint64_t sent;
    memcpy(&sent, b, 8);
    uint64_t now = sasae_mono_ns();
    size_t i = atomic_fetch_add(&n_lat, 1);
    if (i < atomic_load(&lat_cap))
        lat[i] = (uint32_t)((now - sent) / 1000);
    atomic_fetch_add(&rx_bytes, n);
    atomic_fetch_add(&rx_msgs, 1);
}

static void on_closed(void *u, int end, int err, const char *text)
{
    (void)end;
    (void)err;
    (void)text;
    atomic_store(&((struct sess *)u)->ended, 1);
}

static const struct sasae_relayclient_callbacks hcb = {h_registered, h_paired,  NULL,
                                                       NULL,         on_closed, NULL};
static const struct sasae_relayclient_callbacks vcb = {NULL, v_paired,  v_data,
                                                       NULL, on_closed, NULL};

static void relay_stats(double *cpu_s, long *rss_kb)
{
    bench_proc_stats(o.relay_pid, cpu_s, rss_kb);
}

static double now_s(void)
{
    return (double)sasae_mono_ns() / 1e9;
}

static int run(void);

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(a, "--idle")) {
            o.idle = 1;
            continue;
        }
        i++;
        if (!strcmp(a, "--url"))
            o.url = v;
        else if (!strcmp(a, "--ca"))
            o.ca = v;
        else if (!strcmp(a, "--cert"))
            o.cert = v;
        else if (!strcmp(a, "--key"))
            o.key = v;
        else if (!strcmp(a, "--sessions"))
            o.sessions = atoi(v);
        else if (!strcmp(a, "--seconds"))
            o.seconds = atoi(v);
        else if (!strcmp(a, "--msg-size"))
            o.msg_size = atoi(v);
        else if (!strcmp(a, "--mbps"))
            o.mbps = atof(v);
        else if (!strcmp(a, "--procs"))
            o.procs = atoi(v);
        else if (!strcmp(a, "--relay-pid"))
            o.relay_pid = atoi(v);
        else {
            fprintf(
                stderr,
                "usage: bench_relay --url URL --ca CA --cert OPCERT --key OPKEY [--sessions N]\n"
                "  [--mbps M] [--msg-size B] [--seconds S] [--relay-pid PID] [--idle]\n");
            return 2;
        }
    }
    if (!o.url || !o.ca || o.sessions < 1 || o.msg_size < 8 || o.procs < 1)
        return 2;
    if (o.procs == 1 || o.idle)
        return run();
    /* Several generator processes (one lws service thread each), same measuring window:
     * each reports on a ready pipe, the parent opens the window on a go pipe, then merges
     * their latency samples (binary files) and counters (stdout lines). */
    int ready[2], go[2];
    if (pipe(ready) || pipe(go))
        return 1;
    int total = o.sessions;
    pid_t *kids = calloc((size_t)o.procs, sizeof(*kids));
    for (int k = 0; k < o.procs; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            o.child = k + 1;
            o.sessions = total / o.procs + (k < total % o.procs);
            o.ready_fd = ready[1];
            o.go_fd = go[0];
            o.relay_pid = 0;
            close(ready[0]);
            close(go[1]);
            _exit(run());
        }
    }
    close(ready[1]);
    close(go[0]);
    char c;
    for (int k = 0; k < o.procs; k++)
        if (read(ready[0], &c, 1) != 1)
            return 1;
    double cpu0, cpu1;
    long rss0, rss1;
    relay_stats(&cpu0, &rss0);
    double t0 = now_s();
    for (int k = 0; k < o.procs; k++)
        if (write(go[1], "g", 1) != 1)
            return 1;
    for (int k = 0; k < o.procs; k++)
        waitpid(kids[k], NULL, 0);
    double el = now_s() - t0;
    relay_stats(&cpu1, &rss1);
    /* merge */
    size_t cap = 0, n = 0;
    uint32_t *all = NULL;
    for (int k = 0; k < o.procs; k++) {
        char path[64];
        snprintf(path, sizeof(path), "/tmp/bench_relay_lat.%d", (int)kids[k]);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        uint32_t v;
        while (fread(&v, 4, 1, f) == 1) {
            if (n == cap) {
                cap = cap ? cap * 2 : 65536;
                all = realloc(all, cap * 4);
            }
            all[n++] = v;
        }
        fclose(f);
        unlink(path);
    }
    qsort(all, n, 4, bench_cmp_u32);
    printf("RESULT-TOTAL procs=%d sessions=%d mbps_each=%.2f msg=%d samples=%zu "
           "latency_ms_p50=%.2f p99=%.2f max=%.2f relay_cpu_pct=%.1f relay_rss_kb=%ld\n",
           o.procs, total, o.mbps, o.msg_size, n, n ? all[n / 2] / 1000.0 : 0,
           n ? all[n * 99 / 100] / 1000.0 : 0, n ? all[n - 1] / 1000.0 : 0,
           100.0 * (cpu1 - cpu0) / el, rss1);
    free(all);
    free(kids);
    return 0;
}

static int run(void)
{
    sasae_log_set_level(SASAE_LOG_ERROR);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);

    struct sess *ss = calloc((size_t)o.sessions, sizeof(*ss));
    struct sasae_relayclient_config hc = {
        .url = o.url, .role = SASAE_RELAYCLIENT_HOST, .ca_file = o.ca, .connect_timeout_s = 60};
    double t0 = now_s();
    for (int i = 0; i < o.sessions; i++) {
        if (sasae_relayclient_new(&hc, &hcb, &ss[i], &ss[i].host)) {
            fprintf(stderr, "host %d: cannot create client\n", i);
            return 1;
        }
        if (i % 200 == 199) /* let handshakes drain instead of queueing thousands at once */
            while (atomic_load(&ss[i - 100].registered) == 0 && !atomic_load(&ss[i - 100].ended))
                usleep(1000);
    }
    int reg = 0;
    while (now_s() - t0 < 120) {
        reg = 0;
        for (int i = 0; i < o.sessions; i++)
            reg += atomic_load(&ss[i].registered);
        if (reg == o.sessions)
            break;
        usleep(10000);
    }
    double t_reg = now_s() - t0;
    printf("registered %d/%d hosts in %.1f s\n", reg, o.sessions, t_reg);
    if (o.idle) {
        double cpu0, cpu1;
        long rss;
        relay_stats(&cpu0, &rss);
        sleep((unsigned)o.seconds);
        relay_stats(&cpu1, &rss);
        printf("RESULT idle hosts=%d registered=%d relay_rss_kb=%ld relay_cpu_pct=%.1f\n",
               o.sessions, reg, rss, 100.0 * (cpu1 - cpu0) / o.seconds);
        goto out;
    }
    struct sasae_relayclient_config vc = {.url = o.url,
                                          .role = SASAE_RELAYCLIENT_VIEWER,
                                          .ca_file = o.ca,
                                          .cert_file = o.cert,
                                          .key_file = o.key,
                                          .connect_timeout_s = 60};
    for (int i = 0; i < o.sessions; i++) {
        vc.code = ss[i].code;
        if (!ss[i].registered || sasae_relayclient_new(&vc, &vcb, &ss[i], &ss[i].viewer))
            continue;
        if (i % 200 == 199)
            while (!atomic_load(&ss[i - 100].viewer_paired) && !atomic_load(&ss[i - 100].ended))
                usleep(1000);
    }
    int paired = 0;
    while (now_s() - t0 < 240) {
        paired = 0;
        for (int i = 0; i < o.sessions; i++)
            paired += atomic_load(&ss[i].host_paired) && atomic_load(&ss[i].viewer_paired);
        if (paired == reg)
            break;
        usleep(10000);
    }
    printf("paired %d sessions\n", paired);
    fflush(stdout);
    if (o.child) {
        char c = 'r';
        if (write(o.ready_fd, &c, 1) != 1 || read(o.go_fd, &c, 1) != 1)
            return 1;
    }
    /* Each session sends msg_size-byte messages at mbps; one pacing loop for all. */
    double interval = (double)o.msg_size * 8.0 / (o.mbps * 1e6);
    size_t expect = (size_t)((double)o.sessions * o.seconds / interval * 1.2) + 1000;
    lat = calloc(expect, sizeof(*lat));
    atomic_store(&lat_cap, expect);
    uint8_t *msg = calloc(1, (size_t)o.msg_size);
    double cpu0, cpu1;
    long rss0, rss1, rss_max = 0;
    relay_stats(&cpu0, &rss0);
    atomic_store(&measuring, 1);
    /* Sessions are spread evenly over the interval (independent sources, not one burst);
     * a 1 ms tick sends whatever is due. */
    double start = now_s();
    double *due = calloc((size_t)o.sessions, sizeof(*due));
    for (int i = 0; i < o.sessions; i++)
        due[i] = start + interval * i / o.sessions;
    unsigned long long sent = 0, dropped = 0;
    double last_stat = start;
    while (now_s() - start < o.seconds) {
        double t_now = now_s();
        for (int i = 0; i < o.sessions; i++) {
            if (due[i] > t_now || !ss[i].viewer || !atomic_load(&ss[i].host_paired))
                continue;
            due[i] += interval;
            /* Like the host: don't queue behind a slow link, skip this frame instead. */
            if (sasae_relayclient_queued_bytes(ss[i].host) > (size_t)o.msg_size * 4) {
                dropped++;
                continue;
            }
            uint64_t t = sasae_mono_ns();
            memcpy(msg, &t, 8);
            if (!sasae_relayclient_send_data(ss[i].host, msg, (size_t)o.msg_size))
                sent++;
        }
        if (t_now - last_stat > 0.5) {
            long r;
            double c;
            relay_stats(&c, &r);
            if (r > rss_max)
                rss_max = r;
            last_stat = t_now;
        }
        usleep(1000);
    }
    free(due);
    double elapsed = now_s() - start;
    usleep(300000); /* let the last messages land */
    atomic_store(&measuring, 0);
    relay_stats(&cpu1, &rss1);
    size_t n = atomic_load(&n_lat);
    if (n > expect)
        n = expect;
    qsort(lat, n, sizeof(*lat), bench_cmp_u32);
    if (o.child) {
        char path[64];
        snprintf(path, sizeof(path), "/tmp/bench_relay_lat.%d", (int)getpid());
        FILE *f = fopen(path, "wb");
        if (f) {
            fwrite(lat, sizeof(*lat), n, f);
            fclose(f);
        }
    }
    double p50 = n ? lat[n / 2] / 1000.0 : 0, p99 = n ? lat[n * 99 / 100] / 1000.0 : 0,
           pmax = n ? lat[n - 1] / 1000.0 : 0;
    printf("RESULT sessions=%d mbps_each=%.2f msg=%d seconds=%.1f sent=%llu received=%llu "
           "skipped=%llu throughput_mbps=%.1f latency_ms_p50=%.2f p99=%.2f max=%.2f "
           "relay_cpu_pct=%.1f relay_rss_kb=%ld (max %ld)\n",
           paired, o.mbps, o.msg_size, elapsed, sent, (unsigned long long)atomic_load(&rx_msgs),
           dropped, (double)atomic_load(&rx_bytes) * 8 / elapsed / 1e6, p50, p99, pmax,
           100.0 * (cpu1 - cpu0) / elapsed, rss1, rss_max);
    free(msg);
    free(lat);
out:
    for (int i = 0; i < o.sessions; i++) {
        sasae_relayclient_free(ss[i].viewer);
        sasae_relayclient_free(ss[i].host);
    }
    free(ss);
    return 0;
}
