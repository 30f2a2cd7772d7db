/* Resume tickets: a small table of presentations, matched once within their window. */
#include "resume.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    uint8_t ticket[RELAY_RESUME_TICKET_LEN];
    uint64_t first_ms; /* first presentation: the window starts here */
    void *conn[2];     /* waiting host / viewer */
    bool used;         /* matched: kept until the window ends so it serves only once */
};

struct relay_resume {
    uint32_t window_ms;
    size_t max, n;
    struct entry *e;
};

struct relay_resume *relay_resume_new(uint32_t window_ms, size_t max)
{
    struct relay_resume *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->window_ms = window_ms ? window_ms : RELAY_RESUME_WINDOW_MS;
    t->max = max ? max : RELAY_RESUME_MAX;
    t->e = calloc(t->max, sizeof(*t->e));
    if (!t->e) {
        free(t);
        return NULL;
    }
    return t;
}

void relay_resume_free(struct relay_resume *t)
{
    if (!t)
        return;
    free(t->e);
    free(t);
}

/* The table is searched with tickets from anyone: compare without early exit. */
static bool same(const uint8_t *a, const uint8_t *b)
{
    uint8_t d = 0;
    for (size_t i = 0; i < RELAY_RESUME_TICKET_LEN; i++)
        d |= (uint8_t)(a[i] ^ b[i]);
    return d == 0;
}

static void drop(struct relay_resume *t, size_t i)
{
    t->e[i] = t->e[--t->n];
}

int relay_resume_present(struct relay_resume *t, const uint8_t ticket[RELAY_RESUME_TICKET_LEN],
                         enum relay_resume_role role, void *conn, uint64_t now_ms, void **peer)
{
    if (!t || !ticket || !conn || !peer ||
        (role != RELAY_RESUME_HOST && role != RELAY_RESUME_VIEWER))
        return RELAY_RESUME_E_ARG;
    *peer = NULL;
    for (size_t i = 0; i < t->n; i++) {
        struct entry *e = &t->e[i];
        if (!same(e->ticket, ticket))
            continue;
        if (now_ms - e->first_ms >= t->window_ms) {
            /* late: as if never seen, but not matchable by whoever waited in it */
            if (e->conn[0] || e->conn[1])
                return RELAY_RESUME_E_USED;
            drop(t, i);
            break;
        }
        if (e->used || e->conn[role])
            return RELAY_RESUME_E_USED;
        *peer = e->conn[!role];
        e->conn[!role] = NULL;
        e->used = true;
        return RELAY_RESUME_MATCHED;
    }
    if (t->n == t->max)
        return RELAY_RESUME_E_FULL;
    struct entry *e = &t->e[t->n++];
    memset(e, 0, sizeof(*e));
    memcpy(e->ticket, ticket, RELAY_RESUME_TICKET_LEN);
    e->first_ms = now_ms;
    e->conn[role] = conn;
    return RELAY_RESUME_WAITING;
}

void relay_resume_forget(struct relay_resume *t, void *conn)
{
    if (!t || !conn)
        return;
    for (size_t i = 0; i < t->n; i++)
        for (int r = 0; r < 2; r++)
            if (t->e[i].conn[r] == conn) {
                t->e[i].conn[r] = NULL;
                /* withdrawn before anyone matched it: it may be presented again */
                if (!t->e[i].used && !t->e[i].conn[!r])
                    drop(t, i);
                return;
            }
}

size_t relay_resume_expire(struct relay_resume *t, uint64_t now_ms, void **conns, size_t max)
{
    size_t k = 0;
    if (!t)
        return 0;
    for (size_t i = 0; i < t->n && k < max;) {
        struct entry *e = &t->e[i];
        if (now_ms - e->first_ms < t->window_ms) {
            i++;
            continue;
        }
        for (int r = 0; r < 2; r++)
            if (e->conn[r] && k < max) {
                conns[k++] = e->conn[r];
                e->conn[r] = NULL;
            }
        if (e->conn[0] || e->conn[1])
            break; /* conns[] is full: the rest next call */
        drop(t, i);
    }
    return k;
}

size_t relay_resume_count(const struct relay_resume *t)
{
    return t ? t->n : 0;
}
