/* Refusing what the relay cannot serve safely: a connection when descriptors run out or
 * the address connects too fast, a new session when descriptors, memory or the audit log
 * fall short. Running sessions keep their resources. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "audit.h"
#include "relay.h"

/* Descriptors kept free: below FD_RESERVE_NEW free ones, new sessions are refused with a
 * clear error (the refusal needs the connection's own descriptor, which it has); below
 * FD_RESERVE_ACCEPT, new connections are closed at once, so that the relay never reaches
 * EMFILE: the audit log's day file, the metrics scrape and the sessions already running
 * always have theirs. */
#define FD_RESERVE_NEW 16
#define FD_RESERVE_ACCEPT 6

/* Free descriptors left, from the lowest free one (the kernel always hands out the lowest,
 * so under exhaustion every one below it is taken); O(1), no /proc walk. */
int relay_fd_headroom(const struct relay *r)
{
    if (r->probe_fd < 0)
        return r->nofile; /* cannot tell: never refuse for it */
    int fd = fcntl(r->probe_fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return 0; /* EMFILE */
    close(fd);
    return r->nofile - fd;
}

/* kB left before the tighter of memory-limit-mb (against resident memory) and RLIMIT_AS
 * (against the address space, which is what it counts); LONG_MAX if neither is set. */
long relay_mem_headroom_kb(const struct relay *r)
{
    if (!r->cfg.memory_limit_mb && !r->as_limit_kb)
        return LONG_MAX;
    char buf[128];
    long size = 0, rss = 0, page_kb = sysconf(_SC_PAGESIZE) / 1024;
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return LONG_MAX; /* cannot tell: never refuse for it */
    buf[n] = 0;
    if (sscanf(buf, "%ld %ld", &size, &rss) != 2)
        return LONG_MAX;
    long left = LONG_MAX;
    if (r->cfg.memory_limit_mb)
        left = (long)r->cfg.memory_limit_mb * 1024 - rss * page_kb;
    if (r->as_limit_kb && r->as_limit_kb - size * page_kb < left)
        left = r->as_limit_kb - size * page_kb;
    return left;
}

/* A REGISTER, JOIN or RESUME in an envelope version we do not speak, or while draining: refused
 * with the reason (true). */
bool relay_refuse_at_door(struct relay *r, struct conn *c, unsigned version)
{
    if (version != SASAE_ENV_VERSION) {
        r->m.rej_version++;
        relay_fail(r, c, SASAE_ENV_ERR_VERSION, "this relay speaks envelope version 1", 0);
        return true;
    }
    if (r->draining) {
        relay_fail(r, c, SASAE_ENV_ERR_SHUTDOWN, "", 0);
        return true;
    }
    return false;
}

/* A new session cannot be served safely: refuse it with a reason the client shows. */
bool relay_refuse_new_session(struct relay *r, struct conn *c, const char *what)
{
    if (!sasae_audit_ok(r->audit)) {
        /* no session the log cannot record: the refusal itself is queued, and written with
         * the held records once the disk takes them */
        if (!r->m.audit_refused++ || r->m.audit_refused % 100 == 0)
            SASAE_WARN(TAG, "audit log unwritable: refusing new sessions (%llu refused so far)",
                       (unsigned long long)r->m.audit_refused);
        relay_audit_simple(r, what, c, "refused", "audit log unwritable");
        relay_fail(r, c, SASAE_ENV_ERR_INTERNAL,
                   "the relay cannot write its audit log: try again later", 0);
        return true;
    }
    long mem = relay_mem_headroom_kb(r);
    if (mem < MEM_RESERVE_KB) {
        if (!r->m.mem_refused++ || r->m.mem_refused % 100 == 0)
            SASAE_WARN(TAG,
                       "low on memory (%ld MB left before the limit, %d MB kept for running "
                       "sessions): refusing new sessions (%llu refused so far; raise "
                       "memory-limit-mb / the ulimit)",
                       mem / 1024, MEM_RESERVE_KB / 1024, (unsigned long long)r->m.mem_refused);
        relay_audit_simple(r, what, c, "refused", "relay low on memory");
        relay_fail(r, c, SASAE_ENV_ERR_FULL, "the relay is low on memory: try again later", 0);
        return true;
    }
    int left = relay_fd_headroom(r);
    if (left >= FD_RESERVE_NEW)
        return false;
    if (!r->m.fd_refused_join++ || r->m.fd_refused_join % 100 == 0)
        SASAE_WARN(TAG,
                   "out of file descriptors (%d of %d left): refusing new sessions "
                   "(%llu refused so far; raise LimitNOFILE / nofile)",
                   left, r->nofile, (unsigned long long)r->m.fd_refused_join);
    relay_audit_simple(r, what, c, "refused", "relay out of file descriptors");
    relay_fail(r, c, SASAE_ENV_ERR_FULL, "the relay is out of file descriptors: try again later",
               0);
    return true;
}

int relay_admit_connection(struct relay *r, struct lws *wsi, lws_sockfd_type fd)
{
    char addr[64] = "";
    lws_get_peer_simple_fd(fd, addr, sizeof(addr));
    norm_addr(addr);
    r->m.conns_total++;
    /* A draining cluster node still answers: /healthz says 503 to the balancer, and a
     * client that still comes is told the relay is shutting down. */
    if (r->draining && !r->cl)
        return 1;
    if (relay_fd_headroom(r) < FD_RESERVE_ACCEPT) {
        r->m.fd_refused_accept++;
        return 1;
    }
    if (!(r->cluster_vh && lws_get_vhost(wsi) == r->cluster_vh) &&
        sasae_rt_conn_admit(r->rt, addr, now_ms())) {
        r->m.rej_rate++;
        return 1;
    }
    return 0;
}
