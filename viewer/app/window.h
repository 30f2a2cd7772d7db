/* The SDL window's parts, internal to sasae-viewer. window.c runs the window (set-up, the
 * event loop, teardown) and calls its parts, each one concern; a part calls only the parts
 * listed after it, never window.c (tests/layering.sh checks):
 * - window_input.c: the operator's keyboard and mouse, the actions they start;
 * - window_sink.c: what the session source tells the window, starting and ending it;
 * - window_draw.c: drawing and presenting (picture, cursor, pen preview, panels, status);
 * - window_toolbar.c: the toolbar's layout, buttons and tooltips, the picture's area.
 * The tools themselves (pen, highlighter, pointer) are the pure viewer/core/tools.c. */
#ifndef SASAE_VIEWER_WINDOW_H
#define SASAE_VIEWER_WINDOW_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "app.h"
#include "chat.h"
#include "pathbox.h"
#include "sasae/tools.h"
#include "sasae/ui.h"
#include "textcache.h"

#define TOOLBAR_H 44
#define STATUS_H 30
#define PENDING_MAX 16
#define TOOLTIP_NS 600000000ull /* hover this long before a tooltip shows */
#define FIGURES_NS 250000000ull /* the status bar's figures are renewed this often */

enum phase { PHASE_CODE, PHASE_SESSION };
/* the toolbar, left to right; End at the right end */
enum btn {
    B_POINTER,
    B_PEN,
    B_HIGHLIGHTER,
    B_UNDO,
    B_CLEAR,
    B_CONTROL,
    B_MONITOR,
    B_FILE, /* Send file… or, while one goes, Cancel transfer */
    B_MODE,
    B_END,
    B_CONNECT,
    B_CLOSE,
    B__COUNT
};

struct gui {
    const struct vcfg *cfg;
    struct vcfg session_cfg; /* cfg with the code typed in: the source keeps a pointer to it */
    enum sasae_lang lang;
    SDL_Window *win;
    SDL_Renderer *r;
    sasae_font *font, *big, *small;
    struct vtext text; /* rendered texts kept between frames */
    Uint32 wake_event;
    enum phase phase;
    struct sasae_code_entry code;
    bool code_error;

    struct vsource *src;
    bool src_done;
    struct sasae_vsm sm;
    char host_fpr[128];
    uint32_t link_kbps; /* the viewer's bandwidth estimate (0: none yet) */
    char host_name[80]; /* "computer=" of the host's system information: its own claim */
    bool test_pattern;

    SDL_Texture *tex;
    int tex_w, tex_h;
    bool tex_stale; /* the decoder's picture changed without an upload (a failed decode) */
    struct sasae_view view;

    SDL_Texture *cur_tex;
    int cur_w, cur_h, cur_hx, cur_hy, cur_x, cur_y;
    bool cur_visible;

    char *sysinfo;
    size_t sysinfo_len;
    bool file_offered;   /* --send-file done */
    char file_line[600]; /* the file being sent (dropped on the window), or why it was not */
    bool file_active;    /* offered or sending: the file button cancels it */
    struct vpathbox pathbox;

    struct vmonitors mons; /* the host's monitors (count 0: it cannot switch) */
    char mon_label[64];

    struct sasae_meter meter;
    char figures[128]; /* the status bar's latency, rate and bitrate as last shown */
    struct vframe_info pending[PENDING_MAX];
    int npending;
    uint64_t frames, decode_errors;
    FILE *framelog;

    bool show_stats, show_sysinfo, fullscreen;
    struct vchat chat;
    struct sasae_tools tools; /* pen, highlighter, pointer: what they send goes to src */
    int mouse_x, mouse_y;
    SDL_Cursor *hand; /* the pointing hand as the mouse cursor over the picture */
    double hand_scale;
    int hover; /* toolbar button under the mouse, -1 none */
    uint64_t hover_since_ns;

    sasae_button btn[B__COUNT];
    bool dirty;
    bool closing; /* window closed: quit once the source is done */
    uint64_t closing_deadline_ns;
    bool quit;
    int exit_code;
    uint64_t viewing_since_ns;
};

static const SDL_Color FG = {0x20, 0x20, 0x20, 0xff};
static const SDL_Color LIGHT = {0xf0, 0xf0, 0xf0, 0xff};

/* window_input.c */
/* Acts on one SDL event (not the wake event). */
void vgui_handle_event(struct gui *g, const SDL_Event *e);
/* Offers the file at path to the customer (dropped on the window, or --send-file); why it
 * was not goes to the status line. */
void vgui_send_file(struct gui *g, const char *path);

/* window_sink.c */
/* Starts the session source with the code typed (or given); ENDED with an error when it
 * cannot start. */
void vgui_start_session(struct gui *g);
/* The operator's End (button, window close, --duration): the source sends END. */
void vgui_end_pressed(struct gui *g);
/* Leaves the loop with the exit code of the end reason (0 from the code box). */
void vgui_finish(struct gui *g);

/* window_draw.c */
/* Lays out, draws everything and presents; frames uploaded since the last call count as
 * shown now (meter, frame log). */
void vgui_render(struct gui *g);
/* The loop's tick every FIGURES_NS: renews the status bar's figures; true when the window
 * must be drawn again for them (they changed, or the stats panel is open). */
bool vgui_figures_tick(struct gui *g);
/* Uploads what a decoded picture changed (all of it after a size change or a failed
 * decode) to the streaming texture (re-created when the size changes). False when there is
 * no texture to show it in (logged). */
bool vgui_upload_frame(struct gui *g, const struct vimage *img);
/* Replaces the customer's cursor picture (BGRA, w x h). */
void vgui_upload_cursor(struct gui *g, int w, int h, int hx, int hy, const uint8_t *bgra);
/* The mouse cursor: the pointing hand over the picture while the pointer tool is on. */
void vgui_update_cursor(struct gui *g);

/* window_toolbar.c */
/* Places the toolbar's buttons and the picture's area for the window's size now. */
void vgui_layout(struct gui *g);
/* Whether button b is shown (and so clickable) in the window's phase and state. */
bool vgui_btn_visible(const struct gui *g, enum btn b);
/* Whether the host offers more than one monitor to switch between. */
bool vgui_monitor_choice(const struct gui *g);
/* Whether window point (x, y) is in the picture's area (between toolbar and status bar). */
bool vgui_in_area(const struct gui *g, int x, int y);
void vgui_draw_toolbar(struct gui *g, int ww);
/* The hovered button's tooltip once the hover delay passed. */
void vgui_draw_tooltip(struct gui *g, int ww);

#endif
