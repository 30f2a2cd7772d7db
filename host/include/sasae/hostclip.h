/* The customer's clipboard, text only: the platform seam behind the operator's paste and
 * copy. The session calls it only while the customer has granted control (its state machine
 * decides; this layer does not know about consent). One implementation per platform:
 * host/linux/clip_x11.c (the X11 CLIPBOARD selection), host/win/clip_win.c (CF_UNICODETEXT). */
#ifndef SASAE_HOSTCLIP_H
#define SASAE_HOSTCLIP_H

#include <stddef.h>

struct sasae_clip;

/* Opens the clipboard of display (X11; ignored on Windows). NULL with err on failure. */
struct sasae_clip *sasae_clip_open(const char *display, char *err, size_t errlen);
/* Gives up the clipboard if this process still owns it (the text stays only where another
 * program already pasted it). NULL is fine. */
void sasae_clip_free(struct sasae_clip *c);

/* Puts len bytes of UTF-8 text on the clipboard; this process serves it until another
 * program takes the clipboard. 0 or negative errno. */
int sasae_clip_set(struct sasae_clip *c, const char *utf8, size_t len);

/* Reads the clipboard's text as UTF-8 into out (cap bytes, not NUL-terminated), waiting at
 * most timeout_ms for the program that owns it to answer. Returns the length (0: empty or no
 * text on the clipboard), -E2BIG if the text is longer than cap, -ETIMEDOUT, or another
 * negative errno. */
int sasae_clip_get(struct sasae_clip *c, char *out, size_t cap, int timeout_ms);

#endif
