/* lws's websocket receive buffers from sasae_rxpool (page-aligned reserved slots), through
 * lws's allocator hook, which takes no context: the pool is this file's own. */
#include <errno.h>
#include <stdlib.h>

#include "relay.h"
#include "rxpool.h"

/* lws's per-connection websocket receive buffer ("rx_ubuf", rx-buffer + LWS_PRE + 4 bytes,
 * malloc'd at the upgrade) is almost never written on a server: lws 4.1 unmasks data frames
 * in place in its per-thread read buffer and hands them to us from there
 * (lws_ws_frame_rest_is_payload); only control-frame payloads (<= 125 bytes) land in it.
 * Served from page-aligned reserved slots, its untouched pages cost no RSS: ~4 KB less per
 * idle connection with the default rx-buffer, with reads still rx-buffer bytes at a time
 * (bench/RESULTS-relay.md). Everything else lws allocates goes to the heap as before. */
static struct sasae_rxpool *g_rxpool;

static void *lws_alloc_hook(void *ptr, size_t size, const char *reason)
{
    if (ptr && g_rxpool && sasae_rxpool_owns(g_rxpool, ptr)) {
        size_t have = sasae_rxpool_buf_size(g_rxpool);
        if (size && size <= have)
            return ptr;
        void *n = size ? malloc(size) : NULL;
        if (size && !n)
            return NULL; /* realloc semantics: the old buffer stays valid */
        if (n)
            memcpy(n, ptr, have);
        sasae_rxpool_put(g_rxpool, ptr);
        return n;
    }
    if (!ptr && g_rxpool && size && size <= sasae_rxpool_buf_size(g_rxpool) && reason &&
        !strcmp(reason, "rx_ubuf")) {
        void *b = sasae_rxpool_get(g_rxpool);
        if (b)
            return b; /* else the heap, as without the pool */
    }
    if (!size) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

/* Installs lws_alloc_hook for receive buffers of rx_buffer bytes; without a pool (no
 * address space) lws keeps using the heap. */
void relay_rx_buffers_in_pool(unsigned rx_buffer)
{
    g_rxpool = sasae_rxpool_new((size_t)rx_buffer + LWS_PRE + 4, 1024);
    if (!g_rxpool)
        SASAE_WARN(TAG, "receive buffer pool unavailable (%s): using the heap", strerror(errno));
    lws_set_allocator(lws_alloc_hook);
}

/* Appends the pool's gauges to /metrics text at b (cap bytes); returns the bytes added. */
size_t relay_rx_buffers_metrics(char *b, size_t cap)
{
    int n = snprintf(b, cap,
                     "# TYPE sasae_relay_rx_buffers gauge\nsasae_relay_rx_buffers %zu\n"
                     "# TYPE sasae_relay_rx_buffer_resident_bytes gauge\n"
                     "sasae_relay_rx_buffer_resident_bytes %zu\n",
                     g_rxpool ? sasae_rxpool_in_use(g_rxpool) : 0,
                     g_rxpool ? sasae_rxpool_resident(g_rxpool) : 0);
    return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}

/* After lws_context_destroy() (or a failed create): lws holds no receive buffer any more. */
void relay_rx_buffers_release(void)
{
    sasae_rxpool_free(g_rxpool);
    g_rxpool = NULL;
}
