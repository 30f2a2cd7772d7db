/* sasae-relay (internal): pairing the two sides of a session again after a relay loss,
 * without a code. Each side presents the resume ticket both derived from their old session's
 * keys (sasae_chan_resume_secrets), which the relay cannot make up; the relay only matches
 * one host and one viewer presentation of the same ticket, within the window, once. Who they
 * are is proved again end to end by the new handshake, not here. Pure: no sockets. */
#ifndef SASAE_RELAY_RESUME_H
#define SASAE_RELAY_RESUME_H

#include <stddef.h>
#include <stdint.h>

#define RELAY_RESUME_TICKET_LEN 32
#define RELAY_RESUME_WINDOW_MS 60000u
#define RELAY_RESUME_MAX 4096u /* tickets waiting or recently used */

enum relay_resume_role { RELAY_RESUME_HOST = 0, RELAY_RESUME_VIEWER = 1 };

enum relay_resume_result {
    RELAY_RESUME_WAITING = 0, /* stored: the other side has not come yet */
    RELAY_RESUME_MATCHED = 1, /* *peer is the other side's connection; the ticket is used */
    RELAY_RESUME_E_USED = -1, /* this ticket was matched already, or this side presented it */
    RELAY_RESUME_E_FULL = -2, /* too many tickets waiting */
    RELAY_RESUME_E_ARG = -3,
};

struct relay_resume;

/* window_ms: how long a ticket waits for the other side (0 = RELAY_RESUME_WINDOW_MS); max
 * tickets held (0 = RELAY_RESUME_MAX). NULL when out of memory. */
struct relay_resume *relay_resume_new(uint32_t window_ms, size_t max);
void relay_resume_free(struct relay_resume *t);

/* The one lookup of a presented ticket (a cluster directory can back this function later:
 * the two sides of a resumed session may reach different nodes). conn is the presenting
 * connection (opaque). Returns an enum relay_resume_result. */
int relay_resume_present(struct relay_resume *t, const uint8_t ticket[RELAY_RESUME_TICKET_LEN],
                         enum relay_resume_role role, void *conn, uint64_t now_ms, void **peer);

/* conn went away while waiting: its presentation is withdrawn (the ticket stays used only if
 * it was matched). */
void relay_resume_forget(struct relay_resume *t, void *conn);

/* Drops tickets whose window is over; stores up to max connections that waited in vain in
 * conns[] (the caller tells them and closes them) and returns how many (call again while it
 * returns max). */
size_t relay_resume_expire(struct relay_resume *t, uint64_t now_ms, void **conns, size_t max);

/* Tickets held (waiting or used within their window). */
size_t relay_resume_count(const struct relay_resume *t);

#endif
