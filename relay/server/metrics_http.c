/* The relay's plain HTTP side: /healthz for load balancers (503 while draining) and
 * /metrics in the Prometheus text format. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "audit.h"
#include "relay.h"

/* The faults the relay refuses new sessions for (docs/operations.md "What happens on each
 * fault"). */
static size_t fault_metrics(struct relay *r, char *b, size_t cap)
{
    struct sasae_audit_counts ac;
    sasae_audit_counts(r->audit, &ac);
    long mem = relay_mem_headroom_kb(r); /* -1 in the metric: no limit */
    int n =
        snprintf(b, cap,
                 "# TYPE sasae_relay_fd_headroom gauge\nsasae_relay_fd_headroom %d\n"
                 "# TYPE sasae_relay_fd_refusals_total counter\n"
                 "sasae_relay_fd_refusals_total{stage=\"accept\"} %llu\n"
                 "sasae_relay_fd_refusals_total{stage=\"session\"} %llu\n"
                 "# TYPE sasae_relay_audit_ok gauge\nsasae_relay_audit_ok %d\n"
                 "# TYPE sasae_relay_audit_pending gauge\nsasae_relay_audit_pending %lu\n"
                 "# TYPE sasae_relay_audit_write_errors_total counter\n"
                 "sasae_relay_audit_write_errors_total %lu\n"
                 "# TYPE sasae_relay_audit_dropped_total counter\n"
                 "sasae_relay_audit_dropped_total %lu\n"
                 "# TYPE sasae_relay_audit_refusals_total counter\n"
                 "sasae_relay_audit_refusals_total %llu\n"
                 "# TYPE sasae_relay_memory_headroom_bytes gauge\n"
                 "sasae_relay_memory_headroom_bytes %lld\n"
                 "# TYPE sasae_relay_memory_refusals_total counter\n"
                 "sasae_relay_memory_refusals_total %llu\n",
                 relay_fd_headroom(r), (unsigned long long)r->m.fd_refused_accept,
                 (unsigned long long)r->m.fd_refused_join, sasae_audit_ok(r->audit) ? 1 : 0,
                 ac.pending, ac.write_errors, ac.dropped, (unsigned long long)r->m.audit_refused,
                 mem == LONG_MAX ? -1LL
                 : mem < 0       ? 0LL
                                 : (long long)mem * 1024,
                 (unsigned long long)r->m.mem_refused);
    return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}

static char *metrics_text(struct relay *r, size_t *len)
{
    size_t cap = 16384;
    char *b = malloc(cap);
    if (!b)
        return NULL;
    long rss_pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        long vm;
        if (fscanf(f, "%ld %ld", &vm, &rss_pages) != 2)
            rss_pages = 0;
        fclose(f);
    }
    const struct metrics *m = &r->m;
    int n = snprintf(
        b, cap,
        "# TYPE sasae_relay_connections gauge\nsasae_relay_connections %zu\n"
        "# TYPE sasae_relay_connections_total counter\nsasae_relay_connections_total %llu\n"
        "# TYPE sasae_relay_websockets_total counter\nsasae_relay_websockets_total %llu\n"
        "# TYPE sasae_relay_sessions gauge\nsasae_relay_sessions %zu\n"
        "# TYPE sasae_relay_codes gauge\nsasae_relay_codes %zu\n"
        "# TYPE sasae_relay_paired gauge\nsasae_relay_paired %zu\n"
        "# TYPE sasae_relay_registered_total counter\nsasae_relay_registered_total %llu\n"
        "# TYPE sasae_relay_paired_total counter\nsasae_relay_paired_total %llu\n"
        "# TYPE sasae_relay_bytes_total counter\n"
        "sasae_relay_bytes_total{dir=\"host_to_viewer\"} %llu\n"
        "sasae_relay_bytes_total{dir=\"viewer_to_host\"} %llu\n"
        "# TYPE sasae_relay_messages_forwarded_total counter\n"
        "sasae_relay_messages_forwarded_total %llu\n"
        "# TYPE sasae_relay_flow_pauses_total counter\nsasae_relay_flow_pauses_total %llu\n"
        "# TYPE sasae_relay_drops_total counter\n"
        "sasae_relay_drops_total{reason=\"stuck\"} %llu\n"
        "sasae_relay_drops_total{reason=\"code_expired\"} %llu\n"
        "sasae_relay_drops_total{reason=\"code_burned\"} %llu\n"
        "sasae_relay_drops_total{reason=\"idle\"} %llu\n"
        "sasae_relay_drops_total{reason=\"hello_timeout\"} %llu\n"
        "# TYPE sasae_relay_rejects_total counter\n"
        "sasae_relay_rejects_total{reason=\"rate\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"addr_limit\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"full\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"protocol\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"too_big\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"subprotocol\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"not_operator\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"bad_code\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"join_fail_global\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"version\"} %llu\n"
        "# TYPE sasae_relay_joins_total counter\n"
        "sasae_relay_joins_total{result=\"ok\"} %llu\n"
        "sasae_relay_joins_total{result=\"failed\"} %llu\n"
        "# TYPE sasae_relay_audit_events_total counter\nsasae_relay_audit_events_total %llu\n"
        "# TYPE sasae_relay_crl_served_total counter\nsasae_relay_crl_served_total %llu\n"
        "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %ld\n",
        r->n_conns, (unsigned long long)m->conns_total, (unsigned long long)m->ws_total,
        sasae_rt_sessions(r->rt), sasae_rt_codes(r->rt), r->n_paired_conns / 2,
        (unsigned long long)m->registered_total, (unsigned long long)m->paired_total,
        (unsigned long long)m->bytes_h2v, (unsigned long long)m->bytes_v2h,
        (unsigned long long)m->msgs_fwd, (unsigned long long)m->pauses,
        (unsigned long long)m->stuck, (unsigned long long)m->expired, (unsigned long long)m->burned,
        (unsigned long long)m->rej_idle, (unsigned long long)m->rej_hello,
        (unsigned long long)m->rej_rate, (unsigned long long)m->rej_addr,
        (unsigned long long)m->rej_full, (unsigned long long)m->rej_protocol,
        (unsigned long long)m->rej_toobig, (unsigned long long)m->rej_subprotocol,
        (unsigned long long)m->rej_not_operator, (unsigned long long)m->rej_bad_code,
        (unsigned long long)m->rej_join_fail_global, (unsigned long long)m->rej_version,
        (unsigned long long)m->join_ok, (unsigned long long)m->join_fail,
        (unsigned long long)m->audit_events, (unsigned long long)r->crl_served,
        rss_pages * sysconf(_SC_PAGESIZE));
    *len = n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
    *len += relay_rx_buffers_metrics(b + *len, cap - *len);
    *len += fault_metrics(r, b + *len, cap - *len);
    *len += relay_resume_metrics(r, b + *len, cap - *len);
    if (r->cl)
        *len += relay_links_metrics(r, b + *len, cap - *len);
    return b;
}

int relay_http_request(struct relay *r, struct lws *wsi, struct http_pss *ps, const char *path)
{
    ps->status = HTTP_STATUS_NOT_FOUND;
    if (!strcmp(path, "/healthz")) {
        ps->status = r->draining ? HTTP_STATUS_SERVICE_UNAVAILABLE : HTTP_STATUS_OK;
        ps->body = strdup(r->draining ? "draining\n" : "ok\n");
        ps->len = ps->body ? strlen(ps->body) : 0;
    } else if (!strcmp(path, "/metrics")) {
        ps->status = HTTP_STATUS_OK;
        ps->body = metrics_text(r, &ps->len);
    } else {
        ps->body = strdup("not found\n");
        ps->len = ps->body ? strlen(ps->body) : 0;
    }
    uint8_t hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof(hdr);
    if (lws_add_http_common_headers(wsi, ps->status, "text/plain; version=0.0.4", ps->len, &p,
                                    end) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return 1;
    lws_callback_on_writable(wsi);
    return 0;
}

int relay_http_writeable(struct lws *wsi, struct http_pss *ps)
{
    if (!ps->body)
        return -1;
    uint8_t *buf = malloc(LWS_PRE + ps->len);
    if (!buf)
        return -1;
    memcpy(buf + LWS_PRE, ps->body, ps->len);
    int w = lws_write(wsi, buf + LWS_PRE, ps->len, LWS_WRITE_HTTP_FINAL);
    free(buf);
    free(ps->body);
    ps->body = NULL;
    if (w < (int)ps->len)
        return -1;
    if (lws_http_transaction_completed(wsi))
        return -1;
    return 0;
}
