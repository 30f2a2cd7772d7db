/* Unit tests for the window's text cache keys: a text is found again only in the same font
 * and colour, a changed text is new, the least recently used slot goes first, and a text too
 * long to key is never kept (so it can never be mistaken for another). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sasae/viewer.h"

static const int font_a = 0, font_b = 0; /* two distinct addresses: the keys' font identity */

static int put(struct sasae_tcache *c, const void *f, uint32_t rgba, const char *text)
{
    bool evicted;
    int i = sasae_tcache_claim(c, f, rgba, text, &evicted);
    cr_assert_geq(i, 0);
    return i;
}

Test(viewer_tcache, found_only_with_same_font_colour_text)
{
    static struct sasae_tcache c;
    sasae_tcache_init(&c);
    cr_assert_eq(sasae_tcache_find(&c, &font_a, 0xffffffff, "End"), -1);
    int i = put(&c, &font_a, 0xffffffff, "End");
    cr_assert_eq(sasae_tcache_find(&c, &font_a, 0xffffffff, "End"), i);
    cr_assert_eq(sasae_tcache_find(&c, &font_b, 0xffffffff, "End"), -1);
    cr_assert_eq(sasae_tcache_find(&c, &font_a, 0x101010ff, "End"), -1);
    cr_assert_eq(sasae_tcache_find(&c, &font_a, 0xffffffff, "End "), -1);
    cr_assert_eq(sasae_tcache_find(&c, &font_a, 0xffffffff, "Viewing"), -1);
    /* the size is the same in any colour */
    cr_assert_eq(sasae_tcache_find_any(&c, &font_a, "End"), i);
    cr_assert_eq(sasae_tcache_find_any(&c, &font_b, "End"), -1);
}

Test(viewer_tcache, status_change_is_a_new_text)
{
    /* the status bar's figures change: the new text is not the old one's texture */
    static struct sasae_tcache c;
    sasae_tcache_init(&c);
    int a = put(&c, &font_a, 0xf0f0f0ff, "latency 3 ms · 30.0 fps");
    cr_assert_eq(sasae_tcache_find(&c, &font_a, 0xf0f0f0ff, "latency 4 ms · 30.0 fps"), -1);
    int b = put(&c, &font_a, 0xf0f0f0ff, "latency 4 ms · 30.0 fps");
    cr_assert_neq(a, b);
    cr_assert_eq(sasae_tcache_find(&c, &font_a, 0xf0f0f0ff, "latency 3 ms · 30.0 fps"), a);
}

Test(viewer_tcache, least_recently_used_goes)
{
    static struct sasae_tcache c;
    sasae_tcache_init(&c);
    char t[32];
    int slot0 = -1;
    for (int i = 0; i < SASAE_TCACHE_SLOTS; i++) {
        snprintf(t, sizeof t, "text %d", i);
        bool evicted;
        int k = sasae_tcache_claim(&c, &font_a, 1, t, &evicted);
        cr_assert(!evicted, "slot %d evicted while free ones remain", i);
        if (i == 0)
            slot0 = k;
    }
    /* "text 0" used again: "text 1" is now the oldest */
    cr_assert_eq(sasae_tcache_find(&c, &font_a, 1, "text 0"), slot0);
    bool evicted;
    int k = sasae_tcache_claim(&c, &font_a, 1, "new", &evicted);
    cr_assert(evicted);
    cr_assert_eq(sasae_tcache_find(&c, &font_a, 1, "text 1"), -1);
    cr_assert_eq(sasae_tcache_find(&c, &font_a, 1, "text 0"), slot0);
    cr_assert_eq(sasae_tcache_find(&c, &font_a, 1, "new"), k);
}

Test(viewer_tcache, too_long_is_never_kept)
{
    static struct sasae_tcache c;
    sasae_tcache_init(&c);
    char longer[SASAE_TCACHE_TEXT + 8];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = 0;
    bool evicted;
    cr_assert_eq(sasae_tcache_claim(&c, &font_a, 1, longer, &evicted), -1);
    cr_assert_eq(sasae_tcache_find(&c, &font_a, 1, longer), -1);
    /* a prefix that fits is its own text */
    longer[SASAE_TCACHE_TEXT - 1] = 0;
    int i = put(&c, &font_a, 1, longer);
    longer[SASAE_TCACHE_TEXT - 1] = 'x';
    cr_assert_eq(sasae_tcache_find(&c, &font_a, 1, longer), -1);
    longer[SASAE_TCACHE_TEXT - 1] = 0;
    cr_assert_eq(sasae_tcache_find(&c, &font_a, 1, longer), i);
    sasae_tcache_drop(&c, i);
    cr_assert_eq(sasae_tcache_find(&c, &font_a, 1, longer), -1);
}
